"""Deals: who partnered with whom, from dependency patterns, list items and references.

Each *deal mention* is a set of organisations found in one text unit (a sentence, or a
sentence piece on one line), by one of these rules, strongest first:

1. a DependencyMatcher pattern from ``relations.yml`` (its parties expanded through
   coordination and apposition: "deals with both A and B" gives two deals);
2. "the A–B deal": two organisations joined by a dash before a deal noun;
3. a list item "A (China) and B (China): what they do" (all organisations before the colon);
4. a definite reference ("the company", "it", "the two firms") resolved inside the paragraph.

Mentions of one partner set merge into one deal; units that only refer back to a deal
("The deal is worth up to $407 million") add their cues and amounts to it. Themes and
deal types come from the cue spans of the deal's units, the heading of its section and
the title when it names a partner.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Iterable, Optional

from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token

from . import structure
from .cues import SPANS_KEY, THEME_PREFIX, TYPE_PREFIX
from .patterns import Patterns
from .values import find_money, headline

ORG = "ORG"
_DASHES = {"–", "-", "—", "/", "x", "×"}


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


@dataclass
class Mention:
    partners: frozenset[int]
    unit: int
    confidence: float
    rule: str
    deal_types: tuple[str, ...] = ()
    anchor: Optional[int] = None   # token whose subtree is this mention's own clause


@dataclass
class DealDraft:
    partners: frozenset[int]
    mentions: list[Mention] = field(default_factory=list)
    extra_units: list[int] = field(default_factory=list)


class DealFinder:
    def __init__(self, nlp: Language, patterns: Patterns):
        relations = patterns.relations
        self.vocab = nlp.vocab
        self.entries = {entry.id: entry for entry in relations.relations}
        self.words_of = {entry.id: frozenset(_required_words([entry])) for entry in relations.relations}
        self.required_words = frozenset().union(*self.words_of.values())
        self._matchers: dict[frozenset[str], DependencyMatcher] = {}
        self.deal_nouns = {n.lower() for n in relations.deal_nouns} - {"one"}
        self.blockers = set(relations.blockers)
        self.references = set(relations.references)
        self.plural_references = set(relations.plural_references)
        self.follow_up_nouns = set(relations.follow_up_nouns)
        self.joint_verbs = set(relations.joint_verbs)
        self.fallback_verbs = set(relations.fallback_verbs)
        self.reporting_verbs = set(relations.reporting_verbs)
        self.territory_words = set(relations.territory_words)
        self.not_territory_before = set(relations.not_territory_before)

    def matcher_for(self, words: set[str]) -> Optional[DependencyMatcher]:
        """A DependencyMatcher of the patterns whose words occur in a sentence (built once per set)."""
        ids = frozenset(i for i, required in self.words_of.items() if required & words)
        if not ids:
            return None
        matcher = self._matchers.get(ids)
        if matcher is None:
            matcher = DependencyMatcher(self.vocab)
            for i in sorted(ids):
                matcher.add(i, [self.entries[i].pattern])
            if len(self._matchers) < 512:
                self._matchers[ids] = matcher
        return matcher

    # -- units ---------------------------------------------------------------------------

    def units(self, doc: Doc, text: str) -> list[Unit]:
        text_lines = structure.lines(text)
        units: list[Unit] = []
        line_i = 0
        for sent in doc.sents:
            start = sent.start
            for tok in sent:
                if "\n" in tok.text or tok.i == sent.end - 1:
                    end = tok.i + 1
                    piece = doc[start:end]
                    content = [t for t in piece if not t.is_space]
                    if content:
                        c0 = content[0].idx
                        while line_i + 1 < len(text_lines) and text_lines[line_i].end <= c0:
                            line_i += 1
                        line = text_lines[line_i] if text_lines else structure.Line(0, len(text), text, 0, False, False)
                        first = not units or units[-1].line != line or units[-1].marker_only
                        marker = all(t.is_punct or t.like_num for t in content) and len(content) <= 2
                        units.append(Unit(len(units), content[0].i, content[-1].i + 1, line, first, marker))
                    start = end
        return units

    # -- the component ---------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        orgs = doc._.organisations
        token_org: dict[int, int] = {}
        for ent in doc.ents:
            if ent.label_ == ORG and ent.id_:
                for t in range(ent.start, ent.end):
                    token_org[t] = int(ent.id_)
        text = doc.text
        units = self.units(doc, text)
        unit_of = {t: u.index for u in units for t in range(u.start, u.end)}
        ctx = _Context(doc, text, orgs, token_org, units, unit_of, self)
        ctx.mentions = self._dependency_mentions(ctx, references=False) + self._dash_mentions(ctx)
        ctx.mentions += self._dependency_mentions(ctx, references=True)
        ctx.mentions += self._list_mentions(ctx)
        ctx.mentions += self._cooccurrence_mentions(ctx)
        ctx.mentions = _drop_subsumed(ctx.mentions)
        drafts = self._merge(ctx, ctx.mentions)
        doc._.deals = [self._record(ctx, d) for d in drafts]
        return doc

    # -- rules -------------------------------------------------------------------------------

    def _dependency_mentions(self, ctx: "_Context", references: bool) -> list[Mention]:
        """Pattern matches between organisations, or (``references=True``) with a pronoun party."""
        doc = ctx.doc
        out: list[Mention] = []
        for match_id, token_ids in ctx.matches:
            entry = self.entries[doc.vocab.strings[match_id]]
            nodes = {node["RIGHT_ID"]: doc[i] for node, i in zip(entry.pattern, token_ids)}
            trigger = nodes.get("trigger", nodes["party_a"])
            a_tok, b_tok = nodes["party_a"], nodes["party_b"]
            if references != (ctx.is_reference(a_tok) or ctx.is_reference(b_tok)) or self._blocked(trigger):
                continue
            unit = ctx.unit_of.get(trigger.i)
            if unit is None or not ctx.unit_of.get(a_tok.i) == ctx.unit_of.get(b_tok.i) == unit:
                continue
            side_a = ctx.resolve(a_tok)
            side_b = ctx.resolve(b_tok)
            if not side_a or not side_b:
                continue
            conf = entry.confidence - (0.1 if ctx.is_reference(a_tok) or ctx.is_reference(b_tok) else 0.0)
            types = tuple(entry.deal_types)
            if ctx.same_coordination(a_tok, b_tok) and _their_own(nodes):
                continue  # "A and B have signed deals of their own": not with each other
            if entry.gather == "subtree":
                node = nodes.get(entry.gather_node, trigger)
                members = set(side_a) | set(side_b) | {o for t in node.subtree if (o := ctx.token_org.get(t.i)) is not None}
                out += _mention(members, unit, conf, entry.id, types, trigger.i)
            elif ctx.same_coordination(a_tok, b_tok) or _one_joint_deal(nodes, self.joint_verbs):
                out += _mention(set(side_a) | set(side_b), unit, conf, entry.id, types, trigger.i)
            else:
                for b in side_b:
                    out += _mention(set(side_a) | {b}, unit, conf, entry.id, types, trigger.i)
        return out

    def _blocked(self, trigger: Token) -> bool:
        """A blocker above the trigger ("ended", "denied", "in talks"), a modal or negation on the way,
        or a blocking modifier of the trigger itself ("proposed acquisition", "failed merger")."""
        if any(c.dep_ == "amod" and c.lower_ in self.blockers for c in trigger.children):
            return True
        chain = [trigger, *trigger.ancestors]
        for tok in chain:
            if tok.lemma_.lower() in self.blockers:
                return True
            for child in tok.children:
                if child.dep_ in ("neg", "aux", "auxpass") and child.lemma_.lower() in self.blockers:
                    return True
        return False

    def _dash_mentions(self, ctx: "_Context") -> list[Mention]:
        """"the A–B deal", "the WuXi XDC–AbTis collaboration"."""
        doc = ctx.doc
        out = []
        for i, tok in enumerate(doc[:-2]):
            if tok.text not in _DASHES or i == 0:
                continue
            a, b = ctx.token_org.get(i - 1), ctx.token_org.get(i + 1)
            if a is None or b is None or a == b:
                continue
            k = i + 1
            while k < len(doc) and ctx.token_org.get(k) == b:
                k += 1
            noun = self._deal_noun_at(doc, k)
            if noun is not None and not self._blocked(noun):
                out += _mention({a, b}, ctx.unit_of.get(i, 0), 0.85, "dash_pair", (), noun.i)
        return out

    def _deal_noun_at(self, doc: Doc, k: int) -> Optional[Token]:
        """The deal noun starting at token ``k`` ("deal", "collaboration", "tie-up"), if any; its head token."""
        window = doc[k:k + 3]
        if not len(window):
            return None
        if window[0].lemma_.lower() in self.deal_nouns or window[0].lower_ in self.deal_nouns:
            return window[0]
        joined = "".join(t.text for t in window).lower()
        if joined in self.deal_nouns:
            return window[-1]
        return None

    def _cooccurrence_mentions(self, ctx: "_Context") -> list[Mention]:
        """A unit the parser got wrong: exactly two organisations, a deal word, nothing that blocks it."""
        doc = ctx.doc
        out = []
        for unit in ctx.units:
            if ctx.has_mention(unit) or unit.line == ctx.title_line and unit.index > 0:
                continue
            tokens = doc[unit.start:unit.end]
            members = {ctx.token_org[t.i] for t in tokens if t.i in ctx.token_org and not ctx.in_example_list(t)}
            if len(members) != 2:
                continue
            if any(ctx.acting_authority(t) for t in tokens if t.i in ctx.token_org):
                continue
            if any(t.lower_ == "own" and t.i > 0 and doc[t.i - 1].lower_ in ("their", "its") for t in tokens):
                continue  # "A and B have signed deals of their own"
            lemmas = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
            headline_like = unit.line.heading or unit.line.bullet  # telegraphic: the tagger often takes verbs for nouns
            verbs = {t.lemma_.lower() for t in tokens if t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB") or headline_like}
            quoted_person = bool(lemmas & self.reporting_verbs) and any(t.ent_type_ == "PERSON" for t in tokens)
            if lemmas & self.blockers or quoted_person or not verbs & self.fallback_verbs:
                continue
            out += _mention(members, unit.index, 0.5, "cooccurrence")
        return out

    def _list_mentions(self, ctx: "_Context") -> list[Mention]:
        """A list item names the partners before its colon: "- A (China) and B (China): End-to-end
        CDMO support ..."; or after a label: "• JV: A x B". One deal of all of them."""
        doc = ctx.doc
        out = []
        for unit in ctx.units:
            if not (unit.line.bullet and unit.first_of_line) or ctx.has_mention(unit):
                continue
            cut = next((t.i for t in doc[unit.start:unit.end]
                        if t.text.endswith(":") or t.text == "—"
                        or (t.text in ("–", "-") and t.whitespace_ and t.i > unit.start and doc[t.i - 1].whitespace_)), None)
            segments = [(unit.start, cut), (cut + 1, unit.end)] if cut is not None else [(unit.start, unit.end)]
            for k, (start, end) in enumerate(segments):
                members = _members(ctx, start, end)
                after_label = k == 1 and not _members(ctx, *segments[0])
                if len(members) < 2 or (k == 1 and not after_label) or (after_label and not ctx.only_connected(start, end)):
                    continue
                checked = range(unit.start, unit.end) if after_label else range(start, end)
                if any(doc[t].lemma_.lower() in self.blockers or doc[t].lower_ in self.blockers for t in checked):
                    break
                out += _mention(set(members), unit.index, 0.85, "list_item")
                break
        return out

    # -- merging and records -----------------------------------------------------------------

    def _merge(self, ctx: "_Context", mentions: list[Mention]) -> list[DealDraft]:
        drafts: dict[frozenset[int], DealDraft] = {}
        for m in sorted(mentions, key=lambda m: m.unit):
            drafts.setdefault(m.partners, DealDraft(m.partners)).mentions.append(m)
        ordered = sorted(drafts.values(), key=lambda d: min(m.unit for m in d.mentions))
        self._attach_continuations(ctx, ordered)
        return ordered

    def _attach_continuations(self, ctx: "_Context", drafts: list[DealDraft]) -> None:
        """Units with no deal of their own that refer back ("The deal ...", "Under the agreement")."""
        latest: dict[int, DealDraft] = {}
        for d in drafts:
            for m in d.mentions:
                latest.setdefault(m.unit, d)
        last: Optional[DealDraft] = None
        last_unit: Optional[Unit] = None
        for unit in ctx.units:
            if unit.index in latest:
                last, last_unit = latest[unit.index], unit
                continue
            if last is None or last_unit is None:
                continue
            same_paragraph = last_unit.line.paragraph == unit.line.paragraph and not unit.line.heading
            if ctx.refers_back(unit) or (same_paragraph and (ctx.names_only(unit, last.partners) or ctx.refers_to_a_party(unit))):
                last.extra_units.append(unit.index)
                last_unit = unit  # the follow-up's own paragraph continues the deal

    def _record(self, ctx: "_Context", draft: DealDraft) -> dict:
        best = max(draft.mentions, key=lambda m: (m.confidence, -m.unit))
        units = sorted({m.unit for m in draft.mentions} | set(draft.extra_units))
        ranges = [r for m in draft.mentions for r in ctx.scope(m)] + [ctx.unit_range(ctx.units[u]) for u in draft.extra_units]
        themes, types = ctx.cues(ranges, units, draft.partners)
        for m in draft.mentions:
            types.update(m.deal_types)
        evidence_unit = ctx.units[best.unit]
        ev_span = ctx.evidence_span(evidence_unit)
        money = [a for r in ranges for a in ctx.money(r)]
        value = headline(money)
        partners = sorted(draft.partners, key=lambda i: ctx.orgs[i]["name"].casefold())
        names = [ctx.orgs[i]["name"] for i in partners]
        return {
            "id": deal_id("", names),
            "partners": [{"name": ctx.orgs[i]["name"], "country": ctx.orgs[i]["country"]} for i in partners],
            "themes": sorted(themes),
            "deal_types": sorted(types),
            "territories": ctx.territories(ranges),
            "value": value.as_dict() if value else None,
            "evidence": {"text": ctx.text[ev_span[0]:ev_span[1]], "start": ev_span[0], "end": ev_span[1]},
            "confidence": round(min(1.0, best.confidence + 0.05 * (len(draft.mentions) - 1)), 3),
            "rule": best.rule,
        }


def _their_own(nodes: dict[str, Token]) -> bool:
    """A plural deal noun of coordinated subjects: each has its own ("A and B signed deals")."""
    noun = nodes.get("deal")
    return noun is not None and (noun.tag_ == "NNS" or any(t.lower_ == "own" for t in noun.subtree))


def _one_joint_deal(nodes: dict[str, Token], joint_verbs: set[str]) -> bool:
    """"formed a (three-way) consortium with A and B", "teamed up with A and B on a study" are one
    deal; "signed deals with both A and B", "agreements with A and B respectively" are one each."""
    trigger = nodes.get("trigger")
    noun = nodes.get("deal") or (trigger if trigger is not None and trigger.pos_ == "NOUN" else None)
    anchor = noun if noun is not None else trigger
    if anchor is None or any(t.lower_ in ("both", "respectively", "separate", "separately", "each") for t in anchor.sent):
        return False
    if noun is None:
        return trigger.lemma_.lower() in joint_verbs
    return not (noun.tag_ == "NNS" or noun.lower_.endswith("s") and noun.lemma_ != noun.lower_)


def _sentence_doc(sent: Span) -> Doc:
    """A Doc of one sentence with what the relation patterns read (text, lemma, POS, tag,
    dependencies, entities), built in time linear in the sentence (``Span.as_doc`` copies
    arrays of the whole Doc, which is quadratic over a long article)."""
    start = sent.start
    ents = []
    for k, t in enumerate(sent):
        iob = t.ent_iob_
        ents.append("O" if not t.ent_type_ or iob == "O" else f"{'B' if k == 0 else iob}-{t.ent_type_}")
    return Doc(
        sent.doc.vocab,
        words=[t.text for t in sent],
        spaces=[bool(t.whitespace_) for t in sent],
        heads=[t.head.i - start for t in sent],
        deps=[t.dep_ or "dep" for t in sent],
        lemmas=[t.lemma_ for t in sent],
        pos=[t.pos_ or "X" for t in sent],
        tags=[t.tag_ for t in sent],
        ents=ents,
    )


def _required_words(relations) -> set[str]:
    """Words (lemmas or lower-case forms) a sentence needs for any relation pattern to match:
    each pattern's trigger words, or for a trigger without words, the words of its other nodes."""
    words: set[str] = set()
    for entry in relations:
        nodes = {node["RIGHT_ID"]: node.get("RIGHT_ATTRS", {}) for node in entry.pattern}
        ordered = [nodes.get("trigger", {})] + [attrs for name, attrs in nodes.items() if name != "trigger"]
        for attrs in ordered:
            found = _node_words(attrs)
            if found:
                words |= found
                break
    return words


def _node_words(attrs: dict) -> set[str]:
    found: set[str] = set()
    for key in ("LEMMA", "LOWER"):
        value = attrs.get(key)
        if isinstance(value, str):
            found.add(value.lower())
        elif isinstance(value, dict):
            found.update(w.lower() for w in value.get("IN", []))
    return found


def _members(ctx: "_Context", start: int, end: int) -> list[int]:
    members: list[int] = []
    for t in range(start, end):
        o = ctx.token_org.get(t)
        if o is not None and o not in members:
            members.append(o)
    return members


def _outermost(spans: list[Span]) -> list[Span]:
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


def _drop_subsumed(mentions: list[Mention]) -> list[Mention]:
    """In one unit, a pair inside a larger party set ("round led by X, with Y and Z") is that set."""
    by_unit: dict[int, list[Mention]] = {}
    for m in mentions:
        by_unit.setdefault(m.unit, []).append(m)
    return [m for m in mentions if not any(m.partners < o.partners for o in by_unit[m.unit])]


def deal_id(source: str, names: Iterable[str]) -> str:
    """Stable id from the article's file name and the partner names (order-free)."""
    key = PurePath(source).name + "|" + "|".join(sorted(n.casefold() for n in names))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _mention(members: set[int], unit: int, conf: float, rule: str, types: tuple[str, ...] = (),
             anchor: Optional[int] = None) -> list[Mention]:
    return [Mention(frozenset(members), unit, conf, rule, types, anchor)] if len(members) >= 2 else []


class _Context:
    """Everything the rules need about one Doc, computed once."""

    def __init__(self, doc: Doc, text: str, orgs: list[dict], token_org: dict[int, int], units: list[Unit],
                 unit_of: dict[int, int], finder: DealFinder):
        self.doc, self.orgs, self.token_org, self.units, self.unit_of = doc, orgs, token_org, units, unit_of
        self.text = text
        self.finder = finder
        self.mentions: list[Mention] = []
        cues = [s for s in (doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else [])
                if not any(t in token_org for t in range(s.start, s.end))]
        self.cue_spans = _outermost(cues)
        self.cue_starts = [c.start for c in self.cue_spans]
        self._single_deal: Optional[bool] = None
        self.cue_chars = [c.start_char for c in self.cue_spans]
        self.places = sorted(doc._.places or [])
        self.place_starts = [p[0] for p in self.places]
        self.place_ends = {p[1]: p for p in self.places}
        self.title_line = next((u.line for u in units), None)
        self.matches = self._match_sentences(doc)
        self._by_unit: dict[int, list[Mention]] = {}
        self._by_unit_for: Optional[list[Mention]] = None
        self._by_unit_size = -1
        self.line_ranges: dict[structure.Line, tuple[int, int]] = {}
        self.headings: list[Optional[structure.Line]] = []
        heading: Optional[structure.Line] = None
        for u in units:
            start, end = self.line_ranges.get(u.line, (u.start, u.end))
            self.line_ranges[u.line] = (min(start, u.start), max(end, u.end))
            self.headings.append(heading)
            if u.line.heading and u.line != self.title_line:
                heading = u.line

    def _match_sentences(self, doc: Doc) -> list[tuple[int, list[int]]]:
        """DependencyMatcher matches, run only on sentences that could hold a deal: two organisations,
        or one and a word that may refer to another ("it", "the company", "the two firms")."""
        references = self.finder.references | self.finder.plural_references | {"its", "they"}
        matches: list[tuple[int, list[int]]] = []
        for sent in doc.sents:
            orgs = {self.token_org[t] for t in range(sent.start, sent.end) if t in self.token_org}
            if not (len(orgs) >= 2 or (orgs and any(t.lower_ in references or t.lemma_.lower() in references for t in sent))):
                continue
            words = {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}
            matcher = self.finder.matcher_for(words & self.finder.required_words)
            if matcher is not None:
                matches += [(match_id, [i + sent.start for i in ids])
                            for match_id, ids in matcher(_sentence_doc(sent))]
        return matches

    # org resolution
    def is_reference(self, tok: Token) -> bool:
        return tok.i not in self.token_org

    def resolve(self, tok: Token) -> list[int]:
        """Organisations a party token stands for: itself and its coordinated or appositive orgs."""
        if tok.i not in self.token_org and tok.pos_ in ("NOUN", "PROPN"):
            # a descriptor with the organisation in apposition: "its subsidiary, Ichnos Glenmark Innovation,";
            # a mis-parsed head noun carrying the organisation as a modifier: "with Taiwan's Formosa grants"
            modifier = next((c for c in tok.children if c.dep_ in ("appos", "compound", "nmod") and c.i in self.token_org), None)
            if modifier is not None:
                tok = modifier
        if tok.i in self.token_org:
            found = [self.token_org[tok.i]]
            for t in _coordinated(tok):
                o = self.token_org.get(t.i)
                if o is not None and o not in found:
                    found.append(o)
            for o in self._parenthesised_list(tok):
                if o not in found:
                    found.append(o)
            return found
        return self._resolve_reference(tok)

    def _parenthesised_list(self, tok: Token) -> list[int]:
        """"(with A, B and C)": the organisations after ``tok`` up to the closing parenthesis,
        when the parser split the list."""
        doc = self.doc
        k = tok.i
        while k > 0 and doc[k - 1].i in self.token_org and self.token_org[doc[k - 1].i] == self.token_org[tok.i]:
            k -= 1
        opened = next((t.i for t in doc[max(0, k - 4):k] if t.text == "("), None)
        if opened is None:
            return []
        found: list[int] = []
        k = tok.i + 1
        while k < len(doc) and not doc[k].text.startswith(")"):
            if k in self.token_org:
                found.append(self.token_org[k])
            elif doc[k].text not in (",", "and", "&", "or") and not doc[k].is_space:
                return []
            k += 1
        return found

    def _resolve_reference(self, tok: Token) -> list[int]:
        lemma = tok.lemma_.lower()
        lower = tok.lower_
        unit = self.unit_of.get(tok.i)
        if unit is None:
            return []
        definite = any(c.lower_ in ("the", "this", "both", "two", "its") for c in tok.children)
        if lower in self.finder.plural_references or lemma in self.finder.plural_references and definite:
            if lower == "they" or definite:
                return self._last_deal_partners(unit)
            return []
        if lower in ("we", "us", "our"):
            return self._protagonist(tok, unit)  # the company speaking: an interview, a press release
        if lower in ("it", "its") or (lemma in self.finder.references and definite):
            return self._last_subject_org(unit, tok)
        owner = next((c for c in tok.children if c.dep_ == "poss" and c.lower_ in ("its", "our")), None)
        if owner is not None:  # "our Series A was led by X", "its partner X"
            return self._resolve_reference(owner)
        return []

    def _last_deal_partners(self, unit: int) -> list[int]:
        para = self.units[unit].line.paragraph
        for m in sorted(self.mentions, key=lambda m: -m.unit):
            if m.unit < unit and self.units[m.unit].line.paragraph in (para, para - 1):
                return sorted(m.partners)
        return []

    def _last_subject_org(self, unit: int, tok: Token) -> list[int]:
        """What "it" / "the company" stands for: the nearest organisation before it in its paragraph
        (a subject first); at a paragraph's start, the last subject of the paragraph before (not across
        a heading)."""
        para = self.units[unit].line.paragraph
        for u in range(unit, -1, -1):
            current = self.units[u]
            if current.line.heading:
                break
            if current.line.paragraph < para - 1:
                break
            span = current.span(self.doc)
            candidates = [t for t in span if t.i in self.token_org and (u < unit or t.i < tok.i)]
            subjects = [t for t in candidates if t.dep_ in ("nsubj", "nsubjpass") or t.head.dep_ in ("nsubj", "nsubjpass") and t.dep_ == "compound"]
            if current.line.paragraph == para:
                pick = subjects or candidates
                if pick:
                    return [self.token_org[pick[0].i]]
            elif subjects:
                # at a paragraph's start: the most mentioned subject of the paragraph before
                return [max((self.token_org[t.i] for t in subjects), key=lambda o: len(self.orgs[o]["mentions"]))]
        return self._protagonist(tok, unit)

    def _protagonist(self, tok: Token, unit: int) -> list[int]:
        """The article's protagonist: the most mentioned organisation named before the reference
        (and not in the reference's own unit), if it is mentioned at least three times."""
        before = {o for t, o in self.token_org.items() if t < tok.i}
        unit_orgs = {self.token_org[t] for t in range(self.units[unit].start, self.units[unit].end) if t in self.token_org}
        pool = before - unit_orgs
        if not pool:
            return []
        top = max(pool, key=lambda o: len(self.orgs[o]["mentions"]))
        return [top] if len(self.orgs[top]["mentions"]) >= 3 else []

    def same_coordination(self, a: Token, b: Token) -> bool:
        return b in _coordinated(a) or a in _coordinated(b)

    def acting_authority(self, tok: Token) -> bool:
        """A government body after "by" ("licensed by the Monetary Authority"): acting, not partnering."""
        if self.orgs[self.token_org[tok.i]]["kind"] != "government":
            return False
        before = [t.lower_ for t in self.doc[max(tok.i - 2, 0):tok.i]]
        return before[-1:] == ["by"] or before == ["by", "the"]

    def only_connected(self, start: int, end: int) -> bool:
        """Only organisations joined by "and", "&", "x", "/", dashes or commas (and markup) in the range."""
        connectors = {"and", "&", "x", "×", "/", "–", "-", "—", ",", "+", "with", ".", "(", ")"}
        return all(t.i in self.token_org or t.lower_ in connectors or t.is_space or t.text in ("*", "**")
                   for t in self.doc[start:end])

    def in_example_list(self, tok: Token) -> bool:
        """Inside "such as A, B and C" / "companies like A": an example, not a partner."""
        for k in range(tok.i - 1, max(tok.i - 12, -1), -1):
            t = self.doc[k]
            if t.lower_ in ("like", "including") or (t.lower_ == "as" and k > 0 and self.doc[k - 1].lower_ == "such"):
                return True
            if not (k in self.token_org or t.text in (",", "and", "or", "&") or t.is_space):
                return False
        return False

    def has_mention(self, unit: Unit) -> bool:
        return unit.index in self.mention_units()

    def mention_units(self) -> dict[int, list[Mention]]:
        """Mentions by unit, rebuilt when the mention list has changed."""
        if self._by_unit_for is not self.mentions or self._by_unit_size != len(self.mentions):
            self._by_unit = {}
            for m in self.mentions:
                self._by_unit.setdefault(m.unit, []).append(m)
            self._by_unit_for, self._by_unit_size = self.mentions, len(self.mentions)
        return self._by_unit

    # continuation
    def refers_back(self, unit: Unit) -> bool:
        for tok in self.doc[unit.start:unit.end]:
            if tok.lemma_.lower() in self.finder.follow_up_nouns and any(c.lower_ in ("the", "this", "that") for c in tok.children):
                return True
            if tok.lower_ in self.finder.plural_references and any(c.lower_ in ("the", "both", "two") for c in tok.children):
                return True
        return False

    def refers_to_a_party(self, unit: Unit) -> bool:
        """The unit's subject is "The company" / "It" / "The firm": a follow-up on the last deal's party."""
        for tok in self.doc[unit.start:unit.end]:
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.i not in self.token_org:
                if tok.lower_ == "it" or (tok.lemma_.lower() in self.finder.references
                                           and any(c.lower_ in ("the", "this") for c in tok.children)):
                    return True
        return False

    def names_only(self, unit: Unit, partners: frozenset[int]) -> bool:
        named = {self.token_org[t] for t in range(unit.start, unit.end) if t in self.token_org}
        return bool(named) and named <= partners

    # cues
    def cues(self, ranges: list[tuple[int, int]], units: list[int], partners: frozenset[int]) -> tuple[set[str], set[str]]:
        themes: set[str] = set()
        types: set[str] = set()
        for s, e in ranges:
            for span in self._cues_in_tokens(s, e):
                _add_cue(span.label_, themes, types)
        heading_themes: set[str] = set()
        heading_types: set[str] = set()
        for u in units:
            heading = self._heading_of(self.units[u])
            if heading is not None:
                for span in self._cues_in_chars(heading.start, heading.end):
                    _add_cue(span.label_, heading_themes, heading_types)
        if self.title_line is not None and self._title_is_about(partners):
            for span in self._cues_in_chars(self.title_line.start, self.title_line.end):
                _add_cue(span.label_, heading_themes, heading_types)
        themes |= {t for t in heading_themes if not _conflicts(t, themes)}
        types |= heading_types
        return themes, types

    def unit_range(self, unit: Unit) -> tuple[int, int]:
        """A unit's token range; a list item's whole line."""
        return self.line_ranges[unit.line] if unit.line.bullet else (unit.start, unit.end)

    def scope(self, mention: Mention) -> list[tuple[int, int]]:
        """The token ranges a mention's cues, amounts and territories are read from.

        Its whole unit, unless the unit holds other deals found from other triggers: then the
        clause under the mention's trigger, plus what follows a list item's colon.
        """
        unit = self.units[mention.unit]
        start, end = self.unit_range(unit)
        others = [m for m in self.mention_units().get(mention.unit, []) if m.anchor != mention.anchor
                  and m.partners != mention.partners]
        if not others or mention.anchor is None:
            return [(start, end)]
        anchor = self.doc[mention.anchor]
        lo, hi = max(anchor.left_edge.i, start), min(anchor.right_edge.i + 1, end)
        other_anchors = [m.anchor for m in others if m.anchor is not None]
        if any(lo <= a < hi for a in other_anchors):
            # the clause holds the other deals too: keep to this trigger's side of them
            lo = max([a + 1 for a in other_anchors if a < mention.anchor] + [lo])
            hi = min([a for a in other_anchors if a > mention.anchor] + [hi])
        ranges = [(lo, hi)]
        colon = next((t.i for t in self.doc[start:end] if t.text.endswith(":")), None)
        if unit.line.bullet and colon is not None and hi <= colon:
            ranges.append((colon, end))
        return ranges

    def _cues_in_tokens(self, start: int, end: int) -> list[Span]:
        """Cue spans starting in tokens [start, end), found by bisection (cue spans are sorted)."""
        lo = bisect_left(self.cue_starts, start)
        hi = bisect_left(self.cue_starts, end)
        return self.cue_spans[lo:hi]

    def _cues_in_chars(self, start: int, end: int) -> list[Span]:
        lo = bisect_left(self.cue_chars, start)
        hi = bisect_left(self.cue_chars, end)
        return self.cue_spans[lo:hi]

    def _heading_of(self, unit: Unit) -> Optional[structure.Line]:
        """The last heading line before the unit (not the title)."""
        return self.headings[unit.index]

    @property
    def single_deal(self) -> bool:
        if self._single_deal is None:
            self._single_deal = len({m.partners for m in self.mentions}) == 1
        return self._single_deal

    def _title_is_about(self, partners: frozenset[int]) -> bool:
        """The headline speaks for this deal: it names two of its partners, or one when the article has one deal."""
        line = self.title_line
        named = sum(any(line.start <= s < line.end for s, _ in self.orgs[p]["mentions"]) for p in partners)
        single = self.single_deal
        return named >= 2 or (named == 1 and single)

    # evidence, money, territories
    def evidence_span(self, unit: Unit) -> tuple[int, int]:
        span = self.doc[unit.start:unit.end]
        return span.start_char, span.end_char

    def money(self, token_range: tuple[int, int]) -> list:
        span = self.doc[token_range[0]:token_range[1]]
        return find_money(span.text, span.start_char)

    def territories(self, ranges: list[tuple[int, int]]) -> list[str]:
        doc = self.doc
        found: list[str] = []
        for s, e in ranges:
            for start, end, code, form, text in self.places[bisect_left(self.place_starts, s):bisect_left(self.place_starts, e)]:
                if form not in ("name", "region"):
                    continue
                if end < len(doc) and (doc[end].text in ("'s", "’s", "-") or doc[end].text == ")" and start > 0 and doc[start - 1].text == "("):
                    continue
                if _territory_context(doc, start, s, self.place_ends, self.finder):
                    value = code or text
                    if value not in found:
                        found.append(value)
        return found


def _territory_context(doc: Doc, start: int, unit_start: int, ends: dict[int, tuple], finder: DealFinder) -> bool:
    """A place is a deal territory when a territory word precedes it ("in", "across", "including"),
    past other places and "and"/","; not when that word follows "based" / "headquartered"."""
    k = start - 1
    while k >= unit_start:
        tok = doc[k]
        if tok.lower_ in ("and", ",", "the", "or", "&", "both", "as", "well"):
            k -= 1
            continue
        if k + 1 in ends:
            k = ends[k + 1][0] - 1
            continue
        if tok.lower_ in finder.territory_words:
            return not (k > unit_start and doc[k - 1].lower_ in finder.not_territory_before)
        return False
    return False


def _coordinated(tok: Token) -> list[Token]:
    """Tokens coordinated with or in apposition to ``tok`` (both directions, transitively)."""
    seen = {tok.i}
    out: list[Token] = []
    stack = [tok]
    while stack:
        t = stack.pop()
        neighbours = [c for c in t.children if c.dep_ in ("conj", "appos")]
        if t.dep_ in ("conj", "appos"):
            neighbours.append(t.head)
        for n in neighbours:
            if n.i not in seen:
                seen.add(n.i)
                out.append(n)
                stack.append(n)
    return out


def _add_cue(label: str, themes: set[str], types: set[str]) -> None:
    if label.startswith(THEME_PREFIX):
        themes.add(label[len(THEME_PREFIX):])
    elif label.startswith(TYPE_PREFIX):
        types.add(label[len(TYPE_PREFIX):])


MODALITIES = {"adc", "antibody", "cell_therapy", "gene_therapy", "nucleic_acid", "vaccine", "small_molecule",
              "biosimilar", "exosome"}


def _conflicts(theme: str, themes: set[str]) -> bool:
    """A section heading's modality yields to a different modality stated by the deal itself."""
    return theme in MODALITIES and bool(themes & MODALITIES) and theme not in themes
