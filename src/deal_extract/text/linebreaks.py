"""Sentence starts at line structure, set before the parser.

A heading, a list item or a paragraph never runs on into the next line's sentence; the
parser respects sentence starts that are set before it runs. Hard-wrapped prose (a line
that ends mid-sentence) is left alone. A run-on stretch is cut (:mod:`.runons`).
"""

from __future__ import annotations

from spacy.attrs import SENT_START
from spacy.tokens import Doc

from deal_extract.text import structure
from deal_extract.text.runons import run_on_starts

SHORT_LINE_MAX_WORDS = 12
_SENTENCE_END = (".", "!", "?", ":", ";", "\"", "”", "’", ")")


_LEGAL_ABBREVIATIONS = {"Inc.", "Ltd.", "Co.", "Corp.", "Pte.", "Pty.", "Bhd.", "Plc.", "S.A.", "A.G.", "K.K."}


class LineBreaks:
    def __call__(self, doc: Doc) -> Doc:
        starts: dict[int, int] = {}  # token index -> 1 (starts a sentence) or -1 (does not)
        for tok in doc[:-1]:
            if tok.text in _LEGAL_ABBREVIATIONS:
                _no_start_after(doc, tok.i, starts)
        for tok in doc[:-1]:
            if "\n" not in tok.text:
                continue
            nxt = doc[tok.i + 1]
            prev = doc[tok.i - 1] if tok.i > 0 else None
            line = doc[_line_start(doc, tok.i):tok.i]
            words = [t for t in line if not t.is_punct and not t.is_space]
            # not structure.is_heading: any short line (a heading, a byline, a label with a colon)
            # before a capitalised line ends its sentence; only hard-wrapped prose runs on
            short_line = 0 < len(words) <= SHORT_LINE_MAX_WORDS and nxt.text[:1].isupper()
            if (tok.text.count("\n") >= 2 or structure.is_line_mark(nxt.text)
                    or prev is None or prev.text.endswith(_SENTENCE_END) or short_line):
                starts[nxt.i] = 1
        run_on_starts(doc, starts)
        _no_start_inside_words(doc, starts)
        _set_sentence_starts(doc, starts)
        return doc


def _no_start_inside_words(doc: Doc, starts: dict[int, int]) -> None:
    """No sentence starts at a lower-case word, nor inside the run of capitalised words that
    opens a line ("Orvane Bio and Kestrel University signed ...": given a start at "Orvane",
    the parser would otherwise cut "Orvane" | "Bio" | "and Kestrel ...")."""
    for tok in doc:
        if tok.i in starts or tok.i == 0:
            continue
        if tok.is_alpha and tok.text[:1].islower():
            starts[tok.i] = -1
    for i in [i for i, value in starts.items() if value == 1]:
        j = i + 1
        while (j < len(doc) and doc[j].is_alpha and doc[j].text[:1].isupper()
               and "\n" not in doc[j - 1].text_with_ws and doc[j].i not in starts):
            starts[j] = -1
            j += 1


def _set_sentence_starts(doc: Doc, starts: dict[int, int]) -> None:
    """All sentence starts in one pass (``token.is_sent_start = ...`` scans the whole Doc each time)."""
    if not starts:
        return
    values = doc.to_array([SENT_START])  # uint64, -1 stored in two's complement
    signed = values.view("int64")
    for i, value in starts.items():
        signed[i] = value
    doc.from_array([SENT_START], values)


def _no_start_after(doc: Doc, i: int, starts: dict[int, int]) -> None:
    """"Larkspur Biosciences, Inc. today announced": no sentence starts after a legal form that a
    lower-case word follows (blank space from masked tickers in between is skipped)."""
    k = i + 1
    while k < len(doc) and doc[k].is_space and "\n" not in doc[k].text:
        k += 1
    if k < len(doc) and doc[k].is_lower:
        for j in range(i + 1, k + 1):
            starts[j] = -1


def _line_start(doc: Doc, i: int) -> int:
    k = i - 1
    while k >= 0 and "\n" not in doc[k].text:
        k -= 1
    return k + 1
