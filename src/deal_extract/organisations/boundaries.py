"""Where a name found by the NER really starts and ends: words glued to its edges.

- A lower-case word glued to a hyphen after the name ("Tembusu Partners co" of "co-led"): the
  first half of a compound word, not a legal form.
- A month or weekday in front ("February BuyMed"), or a subordinating conjunction ("Because
  Hutchison Healthcare"): the NER runs a sentence's opening word into the name after it.
- A company name head followed by "of" and a place ("Smilegate Investment of South Korea") or
  by "for" ("MBL Venture Capital for Medical & Biological Laboratories"): the name ends at its
  head; an institution's "of" stays ("University of Tokyo", "Bank of China": no company head
  before it).
- Two names joined by "and" ("WisdoMont Asset Management and Parkway Global"): the left ends
  at a corporate or investor head (Management, Capital, Partners, Group, Inc. ...) and the
  right starts with a capital, so they are two names. A field word before "and" joins one
  name's words ("Institute of Vaccines and Medical Biologicals", "China Taiping Medical and
  Health Equity Investment Fund").
"""

from __future__ import annotations

from typing import AbstractSet

from spacy.tokens import Span

from deal_extract.nlp.compounds import HYPHENS
from deal_extract.text.structure import MONTHS

#: month and weekday names, full and short, that open a sentence before a name
CALENDAR_WORDS = frozenset(MONTHS) | frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


#: words a name never ends with
TRAILING_WORDS = frozenset(["of", "for", "at", "in", "from", "by", "to"])


def trimmed_edges(span: Span, heads: AbstractSet[str], place_words: AbstractSet[str]) -> tuple[int, int]:
    """``span``'s start and end with a leading calendar word, a trailing preposition and a
    trailing "of <place>" / "for ..." after a company name head cut off."""
    doc = span.doc
    start, end = span.start, span.end
    if end - start >= 2 and (doc[start].lower_ in CALENDAR_WORDS or doc[start].pos_ == "SCONJ") and doc[start + 1].text[:1].isupper():
        start += 1  # "February BuyMed", "Because Hutchison Healthcare": a sentence's opening word run into the name
    while end - start >= 2 and doc[end - 1].lower_ in TRAILING_WORDS:
        end -= 1  # "Kestrel Investment of" + the place the NER kept apart
    if (end - start >= 2 and end < len(doc) and doc[end - 1].is_lower and not doc[end - 1].whitespace_
            and doc[end].text in HYPHENS):
        end -= 1  # "Tembusu Partners co" + "-led": the first half of a compound, not a legal form
    for k in range(start + 1, end - 1):
        word = doc[k].lower_
        if doc[k - 1].lower_ in heads and doc[k - 1].text[:1].isupper() and (
                word == "for" or word == "of" and doc[k + 1:end].text.casefold() in place_words):
            return start, k
    return start, end


#: heads that end a corporate or investor name, never a field of work ("Medical", "Vaccines")
NAME_ENDS = frozenset(
    "capital ventures venture partners investment investments management holdings holding group fund funds "
    "equity advisors advisers corporation company ltd ltd. limited inc inc. corp corp. co. plc llc lp".split())


def split_at_and(span: Span) -> list[tuple[int, int]]:
    """``span`` as one or more (start, end) pieces, cut at an "and" that follows a capitalised
    corporate or investor head and precedes a capitalised word."""
    doc = span.doc
    pieces, start = [], span.start
    for k in range(span.start + 1, span.end - 1):
        if (doc[k].lower_ == "and" and doc[k - 1].lower_ in NAME_ENDS and doc[k - 1].text[:1].isupper()
                and doc[k + 1].text[:1].isupper()):
            pieces.append((start, k))
            start = k + 1
    pieces.append((start, span.end))
    return pieces
