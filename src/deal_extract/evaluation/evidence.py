"""Sentences of an article as the scorer shows them: evidence of missed and spurious items."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Optional

from deal_extract.records import GoldDeal, GoldFile

if TYPE_CHECKING:
    from deal_extract.evaluation.scoring import GoldIndex

_ABBREVIATIONS = frozenset({"co", "ltd", "inc", "corp", "pte", "dr", "mr", "mrs", "ms", "prof", "st", "no", "vs", "jr", "sr", "u.s", "e.g", "i.e"})
# the word before a sentence end; it starts where no word character or point precedes it, so
# each word is tried once and not once per letter (linear time)
_LAST_WORD = re.compile(r"(?<![\w.])([\w.]+)[.!?][\"'\u201d\u2019)]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]*[A-Z0-9])|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of the sentences and lines of ``text`` (no break after "Co." or "Dr.")."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if "\n" not in m.group(0):
            word = _LAST_WORD.search(text[max(start, m.start() - 64):m.start()])  # a bounded tail
            if word and word.group(1).casefold() in _ABBREVIATIONS:
                continue
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_around(text: str, start: int, end: int, limit: int = 400) -> str:
    """The sentence(s) of ``text`` overlapping ``[start, end)``, whitespace-collapsed."""
    spans = [s for s in sentence_spans(text) if s[0] < max(end, start + 1) and s[1] > start]
    if not spans:
        return ""
    snippet = " ".join(text[spans[0][0]:spans[-1][1]].split())
    return snippet if len(snippet) <= limit else snippet[: limit - 1] + "\u2026"


def find_name(text: str, names: Iterable[str]) -> Optional[tuple[int, int]]:
    best: Optional[tuple[int, int]] = None
    for name in names:
        m = re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), m.end())
    return best


def gold_deal_evidence(text: str, gold: GoldFile, deal: GoldDeal, index: "GoldIndex") -> str:
    """The first sentence or line naming every partner of a missed gold deal, else the most."""
    if not text:
        return ""
    forms = []
    for partner in deal.partners:
        i = index.lookup(partner)
        org = gold.organisations[i] if i is not None else None
        forms.append([org.name, *org.aliases] if org else [partner])
    best, best_hits = "", 0
    for start, end in sentence_spans(text):
        sent = text[start:end]
        hits = sum(1 for names in forms if find_name(sent, names))
        if hits > best_hits:
            best, best_hits = sent, hits
            if hits == len(forms):
                break
    return " ".join(best.split())
