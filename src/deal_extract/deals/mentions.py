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
    roles: tuple[tuple[int, str], ...] = ()   # (organisation, role) pairs: (licensee org, "licensee")


def mention(members: set[int], unit: int, conf: float, rule: str, types: tuple[str, ...] = (),
            anchor: Optional[int] = None, roles: tuple[tuple[int, str], ...] = ()) -> list[Mention]:
    """A mention of two or more organisations; none for fewer."""
    return [Mention(frozenset(members), unit, conf, rule, types, anchor, roles)] if len(members) >= 2 else []


def by_unit(mentions: Sequence[Mention]) -> dict[int, list[Mention]]:
    out: dict[int, list[Mention]] = {}
    for m in mentions:
        out.setdefault(m.unit, []).append(m)
    return out


def drop_subsumed(mentions: list[Mention]) -> list[Mention]:
    """In one unit, a pair inside a larger party set ("round led by X, with Y and Z") is that set."""
    units = by_unit(mentions)
    return [m for m in mentions if not any(m.partners < o.partners for o in units[m.unit])]


def without_exchanges(facts, mentions: list[Mention]) -> list[Mention]:
    """A stock exchange ("raises US$436m in Nasdaq IPO") is never a partner: out of every mention,
    and a mention left with fewer than two partners is none."""
    exchanges = {i for i, org in enumerate(facts.orgs) if org.get("exchange")}
    if not exchanges:
        return mentions
    out = []
    for m in mentions:
        partners = m.partners - exchanges
        if len(partners) >= 2:
            out.append(m if partners == m.partners else Mention(partners, m.unit, m.confidence, m.rule, m.deal_types, m.anchor, m.roles))
    return out
