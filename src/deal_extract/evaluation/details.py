"""Scoring the deal details of SPEC section 6 over a matched pair of deals.

A gold deal scores a detail only where its file gives it (the key is present, even as
``null``); a prediction without the field counts as ``null`` (or ``agreed`` for the status).
"""

from __future__ import annotations

from typing import Callable, Optional

from deal_extract.records import Deal, GoldDeal

#: the status of a prediction that says none
DEFAULT_STATUS = "agreed"


def status_of(deal: Deal | GoldDeal) -> str:
    return getattr(deal, "status", None) or DEFAULT_STATUS


def is_ended(deal: Deal | GoldDeal) -> bool:
    return status_of(deal) == "ended"


def announced_matches(pred: Optional[str], gold: Optional[str]) -> bool:
    """Equal at the gold's precision: gold ``2025-01`` takes ``2025-01`` and ``2025-01-15``."""
    if gold is None or pred is None:
        return gold is None and pred is None
    return pred[: len(gold)] == gold and len(pred) >= len(gold)


def _upfront(deal: Deal):
    terms = getattr(deal, "terms", None)
    return getattr(terms, "upfront", None) if terms is not None else None


def detail_results(pred: Deal, gold: GoldDeal, gold_name: Callable[[str], Optional[str]],
                   values_match: Callable[[object, object], bool]) -> dict[str, tuple[int, int]]:
    """``{field: (correct, total)}`` for the accuracy fields the gold gives, and
    ``{"assets": (tp, fp, fn)}`` when it gives assets. ``gold_name`` maps a predicted partner
    name to its gold organisation name (or None)."""
    given = gold.model_fields_set
    out: dict[str, tuple[int, ...]] = {}
    if gold.roles is not None:
        pred_roles = {gold_name(p.name): getattr(p, "role", None) for p in pred.partners}
        gold_roles = {gold_name(name): role for name, role in gold.roles.items() if role is not None}
        right = sum(1 for name, role in gold_roles.items() if pred_roles.get(name) == role)
        out["roles"] = (right, len(gold_roles))
    if "status" in given and gold.status is not None:
        out["status"] = (int(status_of(pred) == gold.status), 1)
    if "announced" in given:
        out["announced"] = (int(announced_matches(getattr(pred, "announced", None), gold.announced)), 1)
    if "upfront" in given:
        got = _upfront(pred)
        right = values_match(got, gold.upfront) if gold.upfront is not None else got is None
        out["upfront"] = (int(right), 1)
    if gold.assets is not None:
        p = {a.casefold() for a in getattr(pred, "assets", None) or []}
        g = {a.casefold() for a in gold.assets}
        out["assets"] = (len(p & g), len(p - g), len(g - p))
    return out
