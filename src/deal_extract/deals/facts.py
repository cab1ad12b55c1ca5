"""What the deal rules know about one Doc, computed once before any rule runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable, Optional, TypeVar

from spacy.tokens import Doc, Span

from deal_extract.text import structure
from deal_extract.deals.cues import SPANS_KEY
from deal_extract.organisations.groups import token_organisations
from deal_extract.deals.descriptions import called, speaker
from deal_extract.deals.units import Unit, headings, line_ranges, units

Place = tuple[int, int, Optional[str], str, str]   # token start, end, ISO code, form, text
T = TypeVar("T")


@dataclass(frozen=True)
class DocFacts:
    doc: Doc
    text: str
    orgs: list[dict]                     # doc._.organisations
    token_org: dict[int, int]            # token index -> organisation index
    called: dict[int, frozenset[str]]    # organisation index -> nouns the text calls it by ("cdmo")
    speaker: Optional[int]               # the organisation "we" stands for ("KGBio's Sie Djohan"), if any
    units: list[Unit]
    unit_of: dict[int, int]              # token index -> unit index
    title_line: Optional[structure.Line]
    headings: list[Optional[structure.Line]]   # per unit, its section heading
    line_ranges: dict[structure.Line, tuple[int, int]]
    cue_spans: list[Span]                # theme and deal-type cues, outermost, not inside a name
    cue_starts: list[int]
    cue_chars: list[int]
    places: list[Place]
    place_starts: list[int]
    place_ends: dict[int, Place]
    lowers: list[str]                    # per token, its lower-case form
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per Doc and ``key``: what several rules ask of one unit."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def doc_facts(doc: Doc) -> DocFacts:
    text = doc.text
    lowers = [t.lower_ for t in doc]
    listings = _listings(doc, doc._.organisations) | _credits(doc, doc._.organisations, _line_starts(doc))
    token_org = {t: o for t, o in token_organisations(doc._.organisations).items() if t not in listings}
    doc_units = units(doc, text)
    title_line = next((u.line for u in doc_units), None)
    name_starts = _name_starts(doc._.organisations)
    cues = [s for s in (doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else [])
            if not any(t in token_org for t in range(s.start, s.end)) and not _in_a_name_form(s, name_starts, lowers)]
    cue_spans = outermost(cues)
    places = sorted(doc._.places or [])
    return DocFacts(
        doc=doc, text=text, orgs=doc._.organisations, token_org=token_org, called=called(doc, token_org),
        speaker=speaker(doc, token_org), units=doc_units,
        unit_of={t: u.index for u in doc_units for t in range(u.start, u.end)},
        title_line=title_line, headings=headings(doc_units, title_line), line_ranges=line_ranges(doc_units),
        cue_spans=cue_spans, cue_starts=[c.start for c in cue_spans], cue_chars=[c.start_char for c in cue_spans],
        places=places, place_starts=[p[0] for p in places], place_ends={p[1]: p for p in places},
        lowers=lowers,
    )


#: the most words looked at around a cue for a name's opening words
_NAME_WINDOW = 4


def _name_starts(orgs: list[dict]) -> set[tuple[str, ...]]:
    """The opening words (two or more) of every organisation's name, lower-cased: "Global Brain"
    of "Global Brain Corporation", where a headline names it without its legal form."""
    out: set[tuple[str, ...]] = set()
    for org in orgs:
        words = tuple(org["name"].lower().split())
        out.update(words[:n] for n in range(2, len(words) + 1))
    return out


def _in_a_name_form(span: Span, name_starts: set[tuple[str, ...]], lowers: list[str]) -> bool:
    """A cue word inside the opening words of an organisation's name, where the text writes the
    name but the organisation layer did not mark it (a Title Case headline): "Brain" in "Led by
    ... Global Brain to Take ..." is no neurology cue. ``lowers``: the Doc's lower-case forms."""
    for a in range(max(0, span.start - _NAME_WINDOW), span.start + 1):
        for b in range(span.end, min(len(lowers), a + _NAME_WINDOW + 1) + 1):
            if b - a >= 2 and tuple(lowers[a:b]) in name_starts:
                return True
    return False


def _listings(doc: Doc, orgs: list[dict]) -> set[int]:
    """Tokens of mentions that name an exchange in a ticker, "(KOSDAQ: 196170)", "(BSE: 532296;
    NSE: X)": organisations of the text, never a deal's partners."""
    out: set[int] = set()
    for org in orgs:
        for start, end in org["tokens"]:
            if start > 0 and doc[start - 1].text in ("(", ";", ",") and end < len(doc) and doc[end].text == ":":
                out.update(range(start, end))
    return out


DASHES = frozenset({"-", "--", "\u2013", "\u2014"})
BYLINE_WORDS = frozenset({"reporting", "editing", "writing", "compiled", "additional"})
DATELINE_REACH = 16   # tokens from a line's start within which a dateline's credit stands


def _credits(doc: Doc, orgs: list[dict], line_starts: list[int]) -> set[int]:
    """Tokens of mentions that credit a news source: a dateline's "SEOUL, May 20 (Yonhap) -",
    a wire's "/PRNewswire/", a byline "(Reporting by ... staff)". Such an organisation is
    named by the text but never a party to its deals."""
    named = {t for org in orgs for start, end in org["tokens"] for t in range(start, end)}
    out: set[int] = set()
    for org in orgs:
        for start, end in org["tokens"]:
            first = line_starts[start]
            if (_dateline_credit(doc, start, end, named, first) or _wire_credit(doc, start, end)
                    or _byline(doc, first)):
                out.update(range(start, end))
    return out


def _line_starts(doc: Doc) -> list[int]:
    """Per token, the index of the first token of its line."""
    out: list[int] = []
    start, breaks = 0, False
    for t in doc:
        if breaks:
            start = t.i
        out.append(start)
        breaks = "\n" in t.text_with_ws
    return out


def _dateline_credit(doc: Doc, start: int, end: int, named: set[int], first: int) -> bool:
    """"CITY, Month Day (X) -" or, without the dash, "CITY, Month Day (X) Company said ...": the
    bracket follows a date or a capitalised place, and nothing on the line before it is an
    organisation (so "Takeda Pharmaceutical (Takeda) -" is no dateline)."""
    if not (1 < start and end + 1 < len(doc) and doc[start - 1].text == "(" and doc[end].text == ")"
            and (doc[end + 1].text in DASHES or doc[end + 1].text[:1].isupper())):
        return False
    before = doc[start - 2]
    return (start - first <= DATELINE_REACH and not any(t in named for t in range(first, start))
            and (before.like_num or before.ent_type_ == "DATE" or before.is_upper))


def _wire_credit(doc: Doc, start: int, end: int) -> bool:
    """"/PRNewswire/": slashes glued to the name (a heading's "A / B / C" lists partners)."""
    return (0 < start and end < len(doc) and doc[start - 1].text == "/" and doc[end].text == "/"
            and not doc[start - 1].whitespace_ and not doc[end - 1].whitespace_)


def _byline(doc: Doc, first: int) -> bool:
    """The line that starts at token ``first`` credits its writers: "(Reporting by ...)"."""
    words = [t.lower_ for t in doc[first:min(first + 3, len(doc))]]
    return bool(words) and (words[0] in BYLINE_WORDS or (words[0] == "(" and len(words) > 1 and words[1] in BYLINE_WORDS))


def outermost(spans: list[Span]) -> list[Span]:
    """Drop a cue inside a longer cue of the same kind: "antibody" within "antibody-drug conjugate"."""
    kept: list[Span] = []
    for kind in {s.label_.split(":", 1)[0] for s in spans}:
        cover_start, cover_end = -1, -1
        for span in sorted((s for s in spans if s.label_.startswith(kind + ":")), key=lambda s: (s.start, -s.end)):
            if span.end <= cover_end and (span.start, span.end) != (cover_start, cover_end):
                continue
            if span.end > cover_end:
                cover_start, cover_end = span.start, span.end
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def members(facts: DocFacts, start: int, end: int) -> list[int]:
    """The organisations named in tokens [start, end), in order, once each."""
    found: list[int] = []
    for t in range(start, end):
        o = facts.token_org.get(t)
        if o is not None and o not in found:
            found.append(o)
    return found


def unit_range(facts: DocFacts, unit: Unit) -> tuple[int, int]:
    """A unit's token range; a list item's whole line."""
    return facts.line_ranges[unit.line] if unit.line.bullet else (unit.start, unit.end)
