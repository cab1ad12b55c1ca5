"""Text units: a sentence, or the piece of a sentence on one line, with the line it sits on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc, Span

from deal_extract.text import structure


@dataclass
class Unit:
    index: int
    start: int   # tokens
    end: int
    line: structure.Line
    first_of_line: bool
    marker_only: bool = False   # only a list marker the parser split off ("1.")

    def span(self, doc: Doc) -> Span:
        return doc[self.start:self.end]


def units(doc: Doc, text: str) -> list[Unit]:
    """The Doc's sentences cut at line breaks, each with its line of the text."""
    text_lines = structure.lines(text)
    out: list[Unit] = []
    line_i = 0
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if "\n" in tok.text or tok.i == sent.end - 1:
                end = tok.i + 1
                content = [t for t in doc[start:end] if not t.is_space]
                if content:
                    c0 = content[0].idx
                    while line_i + 1 < len(text_lines) and text_lines[line_i].end <= c0:
                        line_i += 1
                    line = text_lines[line_i] if text_lines else structure.Line(0, len(text), text, 0, False, False)
                    first = not out or out[-1].line != line or out[-1].marker_only
                    marker = all(t.is_punct or t.like_num for t in content) and len(content) <= 2
                    out.append(Unit(len(out), content[0].i, content[-1].i + 1, line, first, marker))
                start = end
    return out


def line_ranges(units_: list[Unit]) -> dict[structure.Line, tuple[int, int]]:
    """Each line's token range over its units."""
    ranges: dict[structure.Line, tuple[int, int]] = {}
    for u in units_:
        start, end = ranges.get(u.line, (u.start, u.end))
        ranges[u.line] = (min(start, u.start), max(end, u.end))
    return ranges


def headings(units_: list[Unit], title_line: Optional[structure.Line]) -> list[Optional[structure.Line]]:
    """Per unit, the last heading line before it (not the title)."""
    out: list[Optional[structure.Line]] = []
    heading: Optional[structure.Line] = None
    for u in units_:
        out.append(heading)
        if u.line.heading and u.line != title_line:
            heading = u.line
    return out
