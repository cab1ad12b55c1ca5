"""What the deal rules know about one Doc, computed once before any rule runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc, Span

from deal_extract.text import structure
from deal_extract.deals.cues import SPANS_KEY
from deal_extract.organisations.groups import token_organisations
from deal_extract.deals.descriptions import called, speaker
from deal_extract.deals.units import Unit, headings, line_ranges, units

Place = tuple[int, int, Optional[str], str, str]   # token start, end, ISO code, form, text


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


def doc_facts(doc: Doc) -> DocFacts:
    text = doc.text
    listings = _listings(doc, doc._.organisations)
    token_org = {t: o for t, o in token_organisations(doc._.organisations).items() if t not in listings}
    doc_units = units(doc, text)
    title_line = next((u.line for u in doc_units), None)
    cues = [s for s in (doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else [])
            if not any(t in token_org for t in range(s.start, s.end))]
    cue_spans = outermost(cues)
    places = sorted(doc._.places or [])
    return DocFacts(
        doc=doc, text=text, orgs=doc._.organisations, token_org=token_org, called=called(doc, token_org),
        speaker=speaker(doc, token_org), units=doc_units,
        unit_of={t: u.index for u in doc_units for t in range(u.start, u.end)},
        title_line=title_line, headings=headings(doc_units, title_line), line_ranges=line_ranges(doc_units),
        cue_spans=cue_spans, cue_starts=[c.start for c in cue_spans], cue_chars=[c.start_char for c in cue_spans],
        places=places, place_starts=[p[0] for p in places], place_ends={p[1]: p for p in places},
    )


def _listings(doc: Doc, orgs: list[dict]) -> set[int]:
    """Tokens of mentions that name an exchange in a ticker, "(KOSDAQ: 196170)", "(BSE: 532296;
    NSE: X)": organisations of the text, never a deal's partners."""
    out: set[int] = set()
    for org in orgs:
        for start, end in org["tokens"]:
            if start > 0 and doc[start - 1].text in ("(", ";", ",") and end < len(doc) and doc[end].text == ":":
                out.update(range(start, end))
    return out


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
