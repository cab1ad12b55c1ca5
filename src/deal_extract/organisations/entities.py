"""The NER's entities, repaired and completed before the organisations are read from them.

After spaCy's NER (and the curated names set before it, :mod:`.curated`): another label
ending in a legal form becomes an ORG; an ORG starting at a name head takes the entity glued
before it; pair joiners split two glued names; a curated name takes the rest of a longer name;
a curated name with a country after it is a subsidiary of its own; ambiguous curated forms and
organisation shapes fill the NER's gaps without cutting its spans.
"""

from __future__ import annotations

from typing import AbstractSet

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from deal_extract.organisations.curated import CURATED_PREFIX, ORG
from deal_extract.rulefiles.loader import Patterns
from deal_extract.organisations.places import NAME, REGION

SHAPE_PREFIX = "shape:"
SUBSIDIARY = "subsidiary"
LEGAL_SUFFIXES = {"pty", "pty.", "co", "co.", "ltd", "ltd.", "inc", "inc.", "corp", "corp.", "limited", "plc", "sa", "ag",
                  "llc", "pte", "pte.", "bhd", "bhd.", "sdn", "gmbh", "k.k.", "kk", ",", "corporation", "pvt", "pvt."}
_PAIR_JOINERS = {"x", "×", "+", "/", "|", "vs", "vs."}
_CORPORATE = {"group", "holdings", "holding", "international", "corporation", "company"}


def ambiguous_matcher(nlp: Language, patterns: Patterns) -> PhraseMatcher:
    """A PhraseMatcher of the curated forms marked ambiguous (a surname, a common word, a
    place), keyed ``curated:<name>``; they are taken only where nothing else reads the words."""
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for entry in patterns.organisations:
        if entry.ambiguous:
            matcher.add(CURATED_PREFIX + entry.name, [nlp.make_doc(form) for form in entry.ambiguous])
    return matcher


def with_ambiguous_names(doc: Doc, matcher: PhraseMatcher, ents: list[Span], places: list,
                         headline_end: int = 0) -> list[Span]:
    """``ents`` with the ambiguous curated forms ("Abbott", "Lotus") added where the NER read no
    organisation: on words it tagged nothing, or exactly these words with another label ("Abbott"
    as GPE); never on a known place, and at a sentence start only beside another name ("Abbott
    and Boston Scientific"); never in a Title Case headline (tokens before ``headline_end``)."""
    place_tokens = {t for p in places for t in range(p.start, p.end)}
    found = filter_spans([Span(doc, s, e, label=ORG, span_id=doc.vocab.strings[k]) for k, s, e in matcher(doc)])
    ent_starts = {e.start for e in ents}
    out = list(ents)
    for span in found:
        touched = [e for e in out if e.start < span.end and span.start < e.end]
        if any(e.label_ == ORG or (e.start, e.end) != (span.start, span.end) for e in touched):
            continue
        if place_tokens.intersection(range(span.start, span.end)) or span.start < headline_end:
            continue
        if span[0].is_sent_start and not _coordinated_with(doc, span.end, ent_starts):
            continue
        out = [e for e in out if e not in touched] + [span]
    return sorted(out, key=lambda e: e.start)


def _coordinated_with(doc: Doc, i: int, ent_starts: set[int]) -> bool:
    """"Abbott and Boston Scientific": an entity starts right after "and", "&" or "," at token ``i``."""
    return i + 1 < len(doc) and doc[i].lower_ in ("and", "&", ",") and i + 1 in ent_starts


class ShapeMatcher:
    """The organisation shapes, one Matcher rule per shape, keyed ``shape:<id>``; run only on
    windows around the words every shape needs one of ("Biologics", "Ltd.", "University", "PT"),
    not over the whole Doc."""

    BEFORE, AFTER = 10, 8   # tokens a shape may reach before and after its required word

    def __init__(self, vocab, patterns: Patterns):
        self.matcher = Matcher(vocab, validate=False)   # shapes with a required word: run on windows
        self.everywhere = Matcher(vocab, validate=False)   # shapes without one: run on the whole Doc
        self.lower: set[str] = set()
        self.orth: set[str] = set()
        for shape in patterns.shapes:
            required = [spec for spec in shape.pattern if spec.get("OP") not in ("?", "*")]
            words = [(attr, spec[attr]["IN"]) for spec in required for attr in ("LOWER", "ORTH")
                     if isinstance(spec.get(attr), dict) and "IN" in spec[attr]]
            (self.matcher if words else self.everywhere).add(SHAPE_PREFIX + shape.id, [shape.pattern])
            for attr, listed in words[:1]:  # one required word per shape is enough to find its windows
                (self.lower if attr == "LOWER" else self.orth).update(listed)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        windows: list[list[int]] = []
        for tok in doc:
            if tok.lower_ in self.lower or tok.text in self.orth:
                start, end = max(tok.i - self.BEFORE, 0), min(tok.i + self.AFTER + 1, len(doc))
                if windows and start <= windows[-1][1]:
                    windows[-1][1] = max(windows[-1][1], end)
                else:
                    windows.append([start, end])
        found = {(k, s, e) for k, s, e in self.everywhere(doc)}
        for start, end in windows:
            for span in self.matcher(doc[start:end], as_spans=True):
                found.add((span.label, span.start, span.end))
        return sorted(found, key=lambda m: (m[1], m[2]))


def shape_matcher(vocab, patterns: Patterns) -> ShapeMatcher:
    return ShapeMatcher(vocab, patterns)


def repaired_entities(doc: Doc, heads: set[str], places: AbstractSet[str] = frozenset()) -> list[Span]:
    """The NER's entities with three repairs: another label ending in a legal form is an ORG
    ("NuGenerex Immuno-Oncology Inc." tagged PERSON); an ORG that starts at a name head takes
    the entity just before it ("F-star" PRODUCT + "Therapeutics Ltd." ORG); a legal form on its
    own, or name heads with one, join the ORG just before it ("Lumos Diagnostics" + "Pte. Ltd.",
    "Arcturus Therapeutics" + "Holdings Inc.")."""
    ents = list(doc.ents)
    out: list[Span] = []
    for i, ent in enumerate(ents):
        if ent.label_ != ORG and ent[-1].lower_ in LEGAL_SUFFIXES and ent[-1].text[:1].isupper():
            ent = Span(doc, ent.start, ent.end, label=ORG, span_id=ent.id)
        if (ent.label_ == ORG and ent[0].lower_ in heads and out and out[-1].end == ent.start
                and out[-1].label_ != ORG and not ent.id_.startswith(CURATED_PREFIX) and out[-1][-1].text[:1].isalnum()):
            ent = Span(doc, out.pop().start, ent.end, label=ORG, span_id=ent.id)
        if (ent.label_ == ORG and out and out[-1].label_ == ORG and out[-1].end == ent.start
                and all(t.lower_ in LEGAL_SUFFIXES or t.lower_ in heads or t.text in (",", ".") for t in ent)):
            ent = Span(doc, out[-1].start, ent.end, label=ORG, span_id=out.pop().id)  # "Lumos Diagnostics" + "Pte. Ltd."
        out.extend(_split_at_joiners(ent))
    starts = {e.start for e in out}
    for i, ent in enumerate(out):
        end = _name_tail(doc, ent.end, heads, places) if ent.label_ == ORG else ent.end
        if end > ent.end and not starts.intersection(range(ent.end, end)):
            same = all(t.lower_ in LEGAL_SUFFIXES or t.lower_ in _CORPORATE or t.text in (",", ".") or _legal_adjective(t)
                       for t in doc[ent.end:end])
            # "Hansoh Pharmaceutical" + "Group Co., Ltd." is the same organisation; "Luminex" +
            # "Biologics" (a curated name inside a longer one) is another
            # a longer name built on a known one with words of its own ("Bain Capital" + "Private
            # Equity", "WuXi" + "NextCode") is its unit; with a name head ("Hikma" + "Pharmaceuticals
            # USA Inc.") the known name is the longer one's short form
            unit = SUBSIDIARY if ent.id_.startswith(CURATED_PREFIX) and doc[ent.end].lower_ not in heads else ""
            out[i] = Span(doc, ent.start, end, label=ORG, span_id=ent.id if same else unit)
    return out


def _legal_adjective(tok) -> bool:
    """"Private" / "Public" opening a legal form: "Private Limited", "Public Company Limited"."""
    return (tok.lower_ in ("private", "public") and tok.i + 1 < len(tok.doc)
            and (tok.nbor().lower_ in LEGAL_SUFFIXES or tok.nbor().lower_ in _CORPORATE))


def _split_at_joiners(ent: Span) -> list[Span]:
    """An ORG that glues two names with a pair joiner ("Tembury Foods / Orvane Bio", "A x B")
    is two ORGs."""
    doc = ent.doc
    if ent.label_ != ORG or ent.id_.startswith(CURATED_PREFIX):
        return [ent]
    pieces, start = [], ent.start
    for tok in ent:
        if tok.lower_ in _PAIR_JOINERS and tok.i > ent.start and doc[tok.i - 1].whitespace_ and tok.whitespace_:
            pieces.append((start, tok.i))
            start = tok.i + 1
    pieces.append((start, ent.end))
    return [Span(doc, s, e, label=ORG, span_id=ent.id) for s, e in pieces if e > s] if len(pieces) > 1 else [ent]


#: capitalised words a name may carry before its head ("Zhejiang University" + "Future Capital",
#: "Fosun" + "Health Capital", "China Life" + "Private Equity")
_WORDS_BEFORE_HEAD = 2
_PLACE_LABELS = ("GPE", "LOC", "NORP")
#: heads that end an institution's name: "Airlangga University" + "Hospital"
INSTITUTION_HEADS = frozenset(["hospital", "hospitals", "institute", "centre", "center", "college", "clinic",
                               "academy", "foundation", "school"])


def _coined(word: str) -> bool:
    """A coined word that is no dictionary word: a capital after the first letter or a digit
    among letters ("NextCode", "Innov8"), not an acronym in capitals."""
    return (len(word) >= 3 and word[:1].isupper() and any(c.isalpha() for c in word[1:]) and not word.isupper()
            and (any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)) and word.isalnum())


def _name_tail(doc: Doc, k: int, heads: set[str], places: AbstractSet[str] = frozenset()) -> int:
    """Where the rest of a name starting at token ``k`` ends: up to two capitalised proper-noun
    words, then capitalised name heads ("Group", "Holdings", "Biologics", "Capital"), closed by
    a legal form or by a word that is no name, or a legal form alone ("Pte. Ltd.")."""
    if k < len(doc) and k > 0 and doc[k - 1].whitespace_ and _coined(doc[k].text):
        return _name_tail(doc, k + 1, heads, places) if k + 1 < len(doc) else k + 1  # "WuXi" + "NextCode", "Singtel" + "Innov8"
    heads = heads | INSTITUTION_HEADS
    end = k
    while (end < k + _WORDS_BEFORE_HEAD and end + 1 < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_alpha
           and doc[end].text[:1].isupper() and doc[end].lower_ not in heads and doc[end - 1].whitespace_
           and doc[end].ent_type_ not in _PLACE_LABELS and doc[end].lower_ not in places):
        # "Hikma Pharmaceuticals" + "USA Inc.": a subsidiary's place, read by subsidiaries()
        end += 1
    if end > k and not (doc[end].lower_ in heads and doc[end].text[:1].isupper()):
        end = k  # words without a head are not a name's rest ("GIC Private", "Acme Monday")
    while end < len(doc) and doc[end].lower_ in heads and doc[end].text[:1].isupper():
        end += 1
    tail = legal_tail(doc, end)
    closed = tail > end or (end > k and (doc[end - 1].lower_ in LEGAL_SUFFIXES
                                         or end == len(doc) or not doc[end].text[:1].isupper()))
    return tail if closed else k


def legal_tail(doc: Doc, k: int) -> int:
    """Where a legal form starting at token ``k`` ends ("Pte. Ltd.", "Co., Ltd.", "Inc."); ``k`` when none does."""
    end = k
    while end < len(doc) and (doc[end].lower_ in LEGAL_SUFFIXES and doc[end].text != ","
                              or doc[end].text in (",", ".") and end + 1 < len(doc)
                              and doc[end + 1].lower_ in LEGAL_SUFFIXES and doc[end + 1].text != ","
                              or doc[end].text == "." and end > k and not doc[end - 1].whitespace_):
        end += 1
    return end


def subsidiaries(doc: Doc, ents: list[Span], places: list) -> list[Span]:
    """A curated name followed by a country or region, with or without a legal form, names a
    subsidiary of its own: "Sumitomo Pharma Asia Pacific Pte. Ltd.", "Sumitomo Pharma (China) Co.
    Ltd.", "Pfizer Japan". The parenthesised form needs the legal form ("Coreline Soft (South
    Korea)" only states a country)."""
    place_at = {p.start: p for p in places if p.form in (NAME, REGION)}
    out: list[Span] = []
    skip_until = 0
    for ent in ents:
        if ent.start < skip_until:
            continue
        end = ent.end
        if ent.label_ == ORG and ent.id_.startswith(CURATED_PREFIX):
            bracket = end < len(doc) and doc[end].text == "("
            place = place_at.get(end + 1 if bracket else end)
            if place is not None and (not bracket or (place.end < len(doc) and doc[place.end].text == ")")):
                k = place.end + 1 if bracket else place.end
                legal = legal_tail(doc, k)
                if legal > k or not bracket:
                    end = legal
        if end > ent.end:
            ent = Span(doc, ent.start, end, label=ORG, span_id=SUBSIDIARY)
            skip_until = end
            out = [e for e in out if e.end <= ent.start]
        out.append(ent)
    return [e for e in out if not (skip_until and e.start < skip_until and e.end > skip_until)]


def with_legal_forms(doc: Doc, ents: list[Span], endings: list[tuple[str, ...]], prefixes: set[str]) -> list[Span]:
    """Organisation spans grown over a country's legal form next to them: "PT Astra International
    Tbk", "Bangkok Bank Public Company Limited" (a span the NER made of the legal form alone
    goes into the name before it)."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for ending in endings:  # longest first, as given
        by_first.setdefault(ending[0], []).append(ending)
    out: list[Span] = []
    for ent in ents:
        if ent.label_ != ORG:
            out.append(ent)
            continue
        start, end = ent.start, ent.end
        for ending in by_first.get(doc[end].lower_, ()) if end < len(doc) else ():
            if tuple(t.lower_ for t in doc[end:end + len(ending)]) == ending:
                end += len(ending)
                break
        if start > 0 and doc[start - 1].text in prefixes and (end > ent.end or not ent.id_.startswith(CURATED_PREFIX)):
            start -= 1  # a curated name after "PT" with no ending may be a local unit's longer name: "PT X Core Indonesia"
        if (start, end) != (ent.start, ent.end):
            if any(e.start < end and e.end > start for e in out):
                out.append(ent)
                continue
            ent = Span(doc, start, end, label=ORG, span_id=ent.id)
        out.append(ent)
    return _merge_legal_form_spans(doc, out, endings)


def with_hyphen_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """An organisation glued by a hyphen to a run of two or more capitalised words is the first
    part of one longer name: "Nikon-SBI Innovation Fund", not "Nikon" and "Innovation Fund".
    One capitalised word after the hyphen ("Pfizer-BioNTech vaccine"), or an organisation of its
    own there ("Dr. Reddy's-Mayne Pharma (27 February)"), is a pair, left as it is."""
    org_starts = {e.start for e in ents if e.label_ == ORG}
    out: list[Span] = []
    skip_until = -1
    for ent in ents:
        if ent.start < skip_until:
            continue
        end = ent.end
        if (ent.label_ == ORG and end + 2 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
                and not doc[end].whitespace_ and doc[end + 1].text[:1].isupper() and end + 1 not in org_starts):
            k = end + 1
            while k < len(doc) and doc[k].is_alpha and doc[k].text[:1].isupper() and k - end <= 5:
                k += 1
            if k - (end + 1) >= 2:
                ent = Span(doc, ent.start, k, label=ORG, span_id=ent.id)
                skip_until = k
                out = [e for e in out if e.end <= ent.start]
        out.append(ent)
    return out


def _only_legal_form(span: Span, endings: list[tuple[str, ...]]) -> bool:
    return tuple(t.lower_ for t in span) in endings


def _merge_legal_form_spans(doc: Doc, ents: list[Span], endings: list[tuple[str, ...]]) -> list[Span]:
    """A span that is only a legal form ("Public Company Limited") joins the name just before it."""
    out: list[Span] = []
    for ent in ents:
        if (ent.label_ == ORG and _only_legal_form(ent, endings) and out and out[-1].label_ == ORG
                and out[-1].end == ent.start):
            prev = out.pop()
            ent = Span(doc, prev.start, ent.end, label=ORG, span_id=prev.id)
        out.append(ent)
    return out


def _bad_extension(ent: Span, shape: Span) -> bool:
    """The NER's span reaches past a shape with a verb or ends on a function word: "NeuroLumen
    Therapeutics Secures" (a Title Case headline), "Daewon Oncology of", or glues two names with a
    pair joiner: "Harrowgate Biologics x Quillon Therapeutics"."""
    extra = [t for t in ent if not shape.start <= t.i < shape.end]
    return (any(t.pos_ in ("VERB", "AUX") or t.lower_ in _PAIR_JOINERS for t in extra)
            or ent[-1].pos_ in ("ADP", "CCONJ", "DET", "PART", "SCONJ"))


def with_shapes(doc: Doc, matcher: ShapeMatcher, ents: list[Span], headline_end: int = 0) -> list[Span]:
    """``ents`` with organisation shapes added where the NER found nothing, or where a shape
    covers every ORG span it touches (the NER cut the name short) or only other labels. A shape
    never shortens or crosses an ORG span of the NER or a curated name, except one that runs
    on with a verb or a function word, or any in a Title Case headline (tokens before
    ``headline_end``), where the NER glues the headline's capitalised words onto names."""
    shapes = filter_spans([Span(doc, s, legal_tail(doc, e), label=ORG, span_id=doc.vocab.strings[k])
                           for k, s, e in matcher(doc)])  # with the legal form after it: "Bravo Biosciences, Inc."
    for shape in shapes:
        touched = [e for e in ents if e.start < shape.end and shape.start < e.end]
        if any(e.label_ == ORG and (e.id_.startswith(CURATED_PREFIX) or e.id_ == SUBSIDIARY
                                    or (e.start < shape.start or e.end > shape.end)
                                    and not (e.start < headline_end or _bad_extension(e, shape)))
               for e in touched):
            continue
        ents = [e for e in ents if e not in touched] + [shape]
    return sorted(ents, key=lambda e: e.start)
