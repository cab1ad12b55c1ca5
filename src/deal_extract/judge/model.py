"""The judge's model file: a LightGBM booster in its text format, the calibration and the
threshold, in one JSON file (never a pickle).

    {"format": "deal-extract-judge", "version": 1, "features": [...], "booster": "<model_to_string()>",
     "calibration": {"kind": "isotonic", "edges": [...], "values": [...]}, "threshold": 0.42,
     "trained_on": {...}}

``features`` must equal :data:`deal_extract.judge.features.FEATURES` (a model trained on other
features is refused). The packaged model is ``deal_extract/judge/judge.json``; it is read when a
pipeline with the judge is built, never on import.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from deal_extract.judge.calibration import Isotonic
from deal_extract.judge.features import FEATURES

FORMAT = "deal-extract-judge"
VERSION = 1
MODEL_FILE = "judge.json"


class JudgeModelError(ValueError):
    """A judge model file cannot be used; ``str()`` names the file and the cause."""


def packaged_model_path() -> Path:
    return Path(str(resources.files("deal_extract.judge") / MODEL_FILE))


@dataclass
class JudgeModel:
    booster_text: str
    calibration: Isotonic
    threshold: float
    features: tuple[str, ...] = FEATURES
    trained_on: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        import lightgbm  # here: only a pipeline that judges needs it

        self._booster = lightgbm.Booster(model_str=self.booster_text)

    def scores(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Raw scores (the booster's probability before calibration), one per row."""
        if not rows:
            return []
        import numpy

        matrix = numpy.asarray(rows, dtype=numpy.float64)
        return [float(s) for s in self._booster.predict(matrix, num_threads=1)]

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Calibrated probabilities that each row's candidate is a deal of the gold."""
        return [self.calibration(s) for s in self.scores(rows)]

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "features": list(self.features),
                "threshold": self.threshold, "calibration": self.calibration.to_dict(),
                "trained_on": self.trained_on, "booster": self.booster_text}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def save(self, path: Union[str, Path]) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "judge model") -> "JudgeModel":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise JudgeModelError(f"{where}: not a deal-extract judge model (no \"format\": \"{FORMAT}\")")
        if data.get("version") != VERSION:
            raise JudgeModelError(f"{where}: judge model version {data.get('version')!r}, this deal-extract reads {VERSION}")
        if tuple(data.get("features", ())) != FEATURES:
            raise JudgeModelError(f"{where}: trained on other features than this deal-extract computes; "
                                  "train it again with 'deal-extract train'")
        from lightgbm.basic import LightGBMError

        try:
            return cls(booster_text=str(data["booster"]), calibration=Isotonic.from_dict(data["calibration"]),
                       threshold=float(data["threshold"]), trained_on=dict(data.get("trained_on", {})))
        except (KeyError, TypeError, ValueError) as exc:
            raise JudgeModelError(f"{where}: invalid judge model: {exc}") from None
        except LightGBMError as exc:
            raise JudgeModelError(f"{where}: invalid LightGBM model text: {exc}") from None

    @classmethod
    def load(cls, path: Union[str, Path, None] = None) -> "JudgeModel":
        """Read a model file (default: the packaged one)."""
        path = Path(path) if path is not None else packaged_model_path()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise JudgeModelError(f"{path}: cannot read judge model: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise JudgeModelError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
        return cls.from_dict(data, where=str(path))


JudgeLike = Union[None, bool, str, Path, JudgeModel]
#: Whether :func:`deal_extract.load` judges when not told: the judge is the default only where it
#: beats the rules in leave-one-batch-out on every blind batch and pooled (README, "The judge").
JUDGE_BY_DEFAULT = False
#: ``--judge`` words: the packaged model, or no judge (the rules alone)
PACKAGED, RULES = "packaged", "none"


def resolve_judge(judge: JudgeLike) -> Optional[JudgeModel]:
    """The judge model a pipeline uses: None or :data:`JUDGE_BY_DEFAULT`, True or ``"packaged"``
    (the packaged model), False or ``"none"`` (the rules alone), a model, or a model file."""
    if judge is None:
        judge = JUDGE_BY_DEFAULT
    if isinstance(judge, JudgeModel):
        return judge
    if judge is False or judge == RULES:
        return None
    if judge is True or judge == PACKAGED:
        return JudgeModel.load()
    return JudgeModel.load(judge)
