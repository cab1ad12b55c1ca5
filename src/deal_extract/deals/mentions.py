"""A deal mention: the organisations one rule found in one text unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass
class Mention:
    partners: frozenset[int]
    unit: int
    confidence: float
    rule: str
    deal_types: tuple[str, ...] = ()
    anchor: Optional[int] = None   # token whose subtree is this mention's own clause


def mention(members: set[int], unit: int, conf: float, rule: str, types: tuple[str, ...] = (),
            anchor: Optional[int] = None) -> list[Mention]:
    """A mention of two or more organisations; none for fewer."""
    return [Mention(frozenset(members), unit, conf, rule, types, anchor)] if len(members) >= 2 else []


def by_unit(mentions: Sequence[Mention]) -> dict[int, list[Mention]]:
    out: dict[int, list[Mention]] = {}
    for m in mentions:
        out.setdefault(m.unit, []).append(m)
    return out


def drop_subsumed(mentions: list[Mention]) -> list[Mention]:
    """In one unit, a pair inside a larger party set ("round led by X, with Y and Z") is that set."""
    units = by_unit(mentions)
    return [m for m in mentions if not any(m.partners < o.partners for o in units[m.unit])]
