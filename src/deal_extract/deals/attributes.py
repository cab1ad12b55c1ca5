"""What a deal is about and where it applies: themes and deal types from cue spans, the
section heading and the title; territories; amounts. Read from a mention's scope."""

from __future__ import annotations

from bisect import bisect_left
from typing import Optional, Sequence

from spacy.tokens import Span, Token

from deal_extract.deals.cues import THEME_PREFIX, TYPE_PREFIX
from deal_extract.deals.values import Money, find_money
from deal_extract.deals.facts import DocFacts, unit_range
from deal_extract.deals.mentions import Mention
from deal_extract.deals.words import DealWords


def scope(facts: DocFacts, mention: Mention, unit_mentions: Sequence[Mention]) -> list[tuple[int, int]]:
    """The token ranges a mention's cues, amounts and territories are read from.

    Its whole unit, unless the unit holds other deals found from other triggers
    (``unit_mentions``: every mention of its unit): then the clause under the mention's
    trigger, plus what follows a list item's colon.
    """
    unit = facts.units[mention.unit]
    start, end = unit_range(facts, unit)
    others = [m for m in unit_mentions if m.anchor != mention.anchor and m.partners != mention.partners]
    if not others or mention.anchor is None:
        return [(start, end)]
    anchor = facts.doc[mention.anchor]
    lo, hi = max(anchor.left_edge.i, start), min(anchor.right_edge.i + 1, end)
    other_anchors = [m.anchor for m in others if m.anchor is not None]
    if any(lo <= a < hi for a in other_anchors):
        # the clause holds the other deals too: keep to this trigger's side of them
        lo = max([a + 1 for a in other_anchors if a < mention.anchor] + [lo])
        hi = min([a for a in other_anchors if a > mention.anchor] + [hi])
    ranges = [(lo, hi)]
    colon = next((t.i for t in facts.doc[start:end] if t.text.endswith(":")), None)
    if unit.line.bullet and colon is not None and hi <= colon:
        ranges.append((colon, end))
    return ranges


def cues(facts: DocFacts, words: DealWords, ranges: list[tuple[int, int]], units: list[int],
         partners: frozenset[int], single_deal: bool, background: bool = False) -> tuple[set[str], set[str]]:
    """Themes and deal types: the cues in the deal's ranges, then its units' section headings and
    the title when it speaks for the deal (a heading's modality yields to one the deal states).
    A ``background`` deal (told only in a list of earlier deals: "grown by acquisition: A in 1997,
    B in 2010") takes nothing from the heading or the title: they are about the story's deal."""
    themes: set[str] = set()
    types: set[str] = set()
    for s, e in ranges:
        for span in _cues_in_tokens(facts, s, e):
            if not (_buys_rights_or_a_stake(words, span) or _buys_goods(facts, words, span) or _names_an_asset(words, span)):
                _add_cue(span.label_, themes, types)
    heading_themes: set[str] = set()
    heading_types: set[str] = set()
    for u in units if not background else ():
        heading = facts.headings[u]
        if heading is not None:
            for span in _cues_in_chars(facts, heading.start, heading.end):
                _add_cue(span.label_, heading_themes, heading_types)
    if facts.title_line is not None and not background and title_is_about(facts, partners, single_deal):
        for span in _cues_in_chars(facts, facts.title_line.start, facts.title_line.end):
            _add_cue(span.label_, heading_themes, heading_types)
    themes |= {t for t in heading_themes if not _conflicts(words, t, themes)}
    types |= heading_types
    return themes, types


def _cues_in_tokens(facts: DocFacts, start: int, end: int) -> list[Span]:
    """Cue spans starting in tokens [start, end), found by bisection (cue spans are sorted)."""
    return facts.cue_spans[bisect_left(facts.cue_starts, start):bisect_left(facts.cue_starts, end)]


def _cues_in_chars(facts: DocFacts, start: int, end: int) -> list[Span]:
    return facts.cue_spans[bisect_left(facts.cue_chars, start):bisect_left(facts.cue_chars, end)]


def title_is_about(facts: DocFacts, partners: frozenset[int], single_deal: bool) -> bool:
    """The headline speaks for this deal: it names two of its partners, or one when the article has one deal."""
    line = facts.title_line
    named = sum(any(line.start <= s < line.end for s, _ in facts.orgs[p]["mentions"]) for p in partners)
    return named >= 2 or (named == 1 and single_deal)


def _buys_rights_or_a_stake(words: DealWords, span: Span) -> bool:
    """An acquisition cue whose verb takes rights ("acquired exclusive rights to X": a licence) or
    a stake short of control ("acquired a 20% stake in X": an investment)."""
    if span.label_ != TYPE_PREFIX + "acquisition":
        return False
    for obj in (c for c in span.root.children if c.dep_ == "dobj"):
        lemma = obj.lemma_.lower()
        if lemma in words.rights_words:
            return True
        if lemma in words.stake_words:
            return not any(t.lower_ in words.control_words for t in obj.subtree)
    return False


def _buys_goods(facts: DocFacts, words: DealWords, span: Span) -> bool:
    """A plain purchase verb or noun that buys no company and no asset: "buy 14 million doses",
    "minimum purchase commitments", "rated it a buy": supply or talk, not an acquisition. What
    counts is an organisation or an asset word ("plant", "business") as its object or after its "of"."""
    root = span.root
    if span.label_ != TYPE_PREFIX + "acquisition" or root.lemma_.lower() not in words.purchase_words:
        return False
    objects = [c for c in root.children if c.dep_ in ("dobj", "pobj")]
    objects += [o for p in root.children if p.dep_ == "prep" and p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
    # "buys X's India branded business": the parser made "branded" a clause with the object under it
    objects += [o for c in root.children if c.dep_ == "ccomp" for o in c.children if o.dep_ == "dobj"]
    objects += [c for o in objects for c in o.conjuncts]
    return not any(o.i in facts.token_org or o.lemma_.lower() in words.asset_words for o in objects)


def _names_an_asset(words: DealWords, span: Span) -> bool:
    """A manufacturing cue that only says what a plant is: "a sterile fill/finish plant", "its
    biologics manufacturing facility" - the asset bought, not a supply deal."""
    root = span.root
    return (span.label_ == TYPE_PREFIX + "manufacturing" and root.dep_ in ("compound", "amod", "nmod")
            and root.head.lemma_.lower() in words.asset_words)


def _add_cue(label: str, themes: set[str], types: set[str]) -> None:
    if label.startswith(THEME_PREFIX):
        themes.add(label[len(THEME_PREFIX):])
    elif label.startswith(TYPE_PREFIX):
        types.add(label[len(TYPE_PREFIX):])


def _conflicts(words: DealWords, theme: str, themes: set[str]) -> bool:
    """A section heading's modality yields to a different modality stated by the deal itself."""
    return theme in words.modalities and bool(themes & words.modalities) and theme not in themes


#: a sentence that opens with these tells a part of a total told before: "Of the total, Takeda
#: will receive US$266 million in cash", "Of that, $45 million is paid up front"
PART_OPENERS = (("of", "that"), ("of", "this"), ("of", "which"), ("of", "it"), ("of", "the", "total"),
                ("of", "the", "sum"), ("of", "the", "amount"))


def money(facts: DocFacts, token_range: tuple[int, int]) -> list[Money]:
    """The amounts in the tokens; none in a sentence that tells a part of a total ("Of that, ...")."""
    span = facts.doc[token_range[0]:token_range[1]]
    opening = tuple(t.lower_ for t in span[:3] if not t.is_punct)
    if any(opening[:len(p)] == p for p in PART_OPENERS):
        return []
    return find_money(span.text, span.start_char)


def territories(facts: DocFacts, words: DealWords, ranges: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """The places in the ranges that a territory word governs ("rights in China and Japan"), as
    (granted, retained): a place excluded ("outside Korea", "except Greater China") or kept by a
    party ("retains the rights in Japan") is retained, not granted."""
    doc = facts.doc
    granted: list[str] = []
    retained: list[str] = []
    for s, e in ranges:
        for start, end, code, form, text in facts.places[bisect_left(facts.place_starts, s):bisect_left(facts.place_starts, e)]:
            if form not in ("name", "region"):
                continue
            if end < len(doc) and (doc[end].text in ("'s", "’s", "-") or doc[end].text == ")" and start > 0 and doc[start - 1].text == "("):
                continue
            word = _territory_word(facts, words, start, s)
            if word is None:
                continue
            kept = word.lower_ in words.excluding_words or _kept(words, word)
            found = retained if kept else granted
            value = code or text
            if value not in found:
                found.append(value)
    return granted, [v for v in retained if v not in granted]


def _kept(words: DealWords, word: Token) -> bool:
    """The territory word hangs (through "rights", "control") from a verb of keeping: "retains rights in X"."""
    for tok in word.ancestors:
        if tok.pos_ in ("VERB", "AUX"):
            return tok.lemma_.lower() in words.retaining_verbs
    return False


def _territory_word(facts: DocFacts, words: DealWords, start: int, unit_start: int) -> Optional[Token]:
    """The territory word before a place ("in", "across", "including", "outside"), past other
    places and "and"/","; none when that word follows "based" / "headquartered"."""
    doc = facts.doc
    k = start - 1
    while k >= unit_start:
        tok = doc[k]
        if tok.lower_ in words.territory_list_words:
            k -= 1
            continue
        if k + 1 in facts.place_ends:
            k = facts.place_ends[k + 1][0] - 1
            continue
        if tok.lower_ in words.territory_words or tok.lower_ in words.excluding_words:
            return None if k > unit_start and doc[k - 1].lower_ in words.not_territory_before else tok
        return None
    return None
