"""The window a candidate is judged on, and the two mentions in it: one unit before two, a
trigger between the mentions, then the closest mentions; a rules' deal without a window of its
own is judged on its evidence unit (with its neighbours when a partner sits there)."""

from __future__ import annotations

from typing import Optional

from spacy.tokens import Token

from deal_extract.judge.candidates import Candidate, Window
from deal_extract.judge.view import DocView, evidence_unit


def _mentions_in(view: DocView, org: int, window: Window) -> list[Token]:
    facts = view.facts
    return [h for h in view.heads[org] if window[0] <= facts.unit_of.get(h.i, -1) <= window[1]]


def _closest(view: DocView, a: int, b: int, window: Window) -> Optional[tuple[Token, Token]]:
    pairs = [(x, y) for x in _mentions_in(view, a, window) for y in _mentions_in(view, b, window)]
    return min(pairs, key=lambda p: abs(p[0].i - p[1].i)) if pairs else None


def best_window(view: DocView, c: Candidate) -> tuple[Optional[Window], Optional[tuple[Token, Token]]]:
    """The window and mention pair a candidate is judged on: one unit before two, a trigger
    between the mentions, then the closest mentions. A rules' deal without a window of its own
    is judged on its evidence unit (with its neighbours when a partner sits there)."""
    options = list(c.windows)
    if not options and c.record is not None:
        u = evidence_unit(view, c.record)
        if u is not None:
            options = [(u, u)] + [(k, k + 1) for k in (u - 1, u) if 0 <= k and k + 1 < len(view.facts.units)]
    best, best_key, best_pair = None, None, None
    for window in options:
        members = [o for o in c.partners if _mentions_in(view, o, window)]
        if len(members) < 2:
            continue
        a, b = _first_two(view, c, members, window)
        pair = _closest(view, a, b, window)
        if pair is None:
            continue
        lo, hi = sorted(t.i for t in pair)
        between = any(view.is_trigger[k] for k in range(lo + 1, hi))
        key = (window[0] == window[1], between, len(members), -(hi - lo))
        if best_key is None or key > best_key:
            best, best_key, best_pair = window, key, pair
    if best is None and options:
        return options[0], None
    return best, best_pair


def _first_two(view: DocView, c: Candidate, members: list[int], window: Window) -> tuple[int, int]:
    if len(members) == 2:
        return members[0], members[1]
    firsts = sorted(members, key=lambda o: min(t.i for t in _mentions_in(view, o, window)))
    return firsts[0], firsts[1]
