"""Calibration of the judge's scores: isotonic regression (pool adjacent violators) fitted on
out-of-fold scores, kept as a step function of plain numbers (saved in the model's JSON)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Isotonic:
    """A non-decreasing step function: ``edges[k]`` is the lowest score of step ``k``, whose
    probability is ``values[k]``; below the first edge the first value holds."""

    edges: tuple[float, ...]
    values: tuple[float, ...]

    def __call__(self, score: float) -> float:
        k = bisect_right(self.edges, score) - 1
        return self.values[max(k, 0)]

    def to_dict(self) -> dict:
        return {"kind": "isotonic", "edges": list(self.edges), "values": list(self.values)}

    @classmethod
    def from_dict(cls, data: dict) -> "Isotonic":
        if data.get("kind") != "isotonic" or len(data["edges"]) != len(data["values"]) or not data["edges"]:
            raise ValueError("calibration: expected an isotonic step function with as many edges as values")
        return cls(tuple(float(e) for e in data["edges"]), tuple(float(v) for v in data["values"]))


def fit_isotonic(scores: Sequence[float], labels: Sequence[int], digits: int = 6) -> Isotonic:
    """Least-squares non-decreasing fit of ``labels`` on ``scores`` (pool adjacent violators);
    equal scores share one block. Values are rounded to ``digits`` so the file is stable."""
    if not scores:
        raise ValueError("calibration needs at least one scored example")
    order = sorted(range(len(scores)), key=lambda i: (scores[i], labels[i]))
    blocks: list[list[float]] = []   # [lowest score, sum of labels, count]
    for i in order:
        s, y = float(scores[i]), float(labels[i])
        if blocks and blocks[-1][0] == s:
            blocks[-1][1] += y
            blocks[-1][2] += 1
        else:
            blocks.append([s, y, 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
    return Isotonic(tuple(round(b[0], digits) for b in blocks), tuple(round(b[1] / b[2], digits) for b in blocks))
