"""The judge's features of a candidate: general only, never a name or a word of one article.

Per candidate one row of :data:`FEATURES` (floats; ``nan`` where a feature does not apply):

- the rules: whether they read the partner set, with which kind of rule and confidence, the
  deal types of their record, whether the pair sits inside a multi-party set they read;
- the pair's best window (one unit before two; a trigger between the mentions; the closest):
  token gap, dependency path and its lowest common ancestor, trigger lemmas on the path and
  between the mentions, subject / object / coordination roles, the preposition of an object;
- the window's words: negation, blockers and modality, deal-type cues, money, round and
  founding words, examples ("such as"), attribution, a quoted person, adviser roles;
- the partners: kind, the actor their curated segment or name words say (investor, adviser,
  media, regulator, exchange, institution, provider), countries, salience (mentions, subject
  mentions, the title, rank), the article's speaker;
- shape and position: unit length, organisations in the unit and the window, list shape,
  bullet, heading, title, paragraph, relative position;
- a multi-party set: its size, whether one unit names them all, the share named in the
  evidence unit, investors among them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from spacy.tokens import Token

from deal_extract.deals.cues import THEME_PREFIX, TYPE_PREFIX
from deal_extract.deals.facts import DocFacts
from deal_extract.deals.references import same_coordination
from deal_extract.deals.rules import blocked
from deal_extract.deals.values import find_money
from deal_extract.judge.candidates import Candidate, Window, unit_organisations
from deal_extract.judge.words import ACTOR_FLAGS, MODAL_WORDS, JudgeWords
from deal_extract.organisations.groups import org_key
from deal_extract.vocab import DEAL_TYPES as DEAL_TYPE_IDS

NAN = float("nan")
KINDS = ("company", "academic", "government", "hospital", "other")
#: families of the rules that read deals (a relation pattern's id is one of ``pattern`` ...)
RULE_FAMILIES = ("pattern", "pattern_controlled", "pattern_subtree", "dash_pair", "list_item", "heading_pair",
                 "deal_list", "implied_licence", "cooccurrence")
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
OBJECT_DEPS = frozenset({"dobj", "pobj", "attr", "dative", "oprd"})
MODIFIER_DEPS = frozenset({"compound", "poss", "nmod", "amod"})
COORDINATION_DEPS = frozenset({"conj", "appos"})
CLAUSE_DEPS = frozenset({"relcl", "advcl", "ccomp", "xcomp", "acl", "parataxis", "csubj"})
PREPOSITIONS = ("with", "between", "from", "to", "by", "of", "in", "for")
MAX_PATH = 30

_PAIR = [
    "window_one_unit", "window_units", "token_gap", "orgs_between", "dep_path", "lca_is_trigger", "lca_verb", "lca_noun",
    "path_trigger", "path_deal_noun", "triggers_between", "triggers_in_window", "subjects", "objects", "modifiers",
    "subject_and_object", "coordinated", "lca_blocked", *(f"prep_{p}" for p in PREPOSITIONS),
    "path_verbs", "path_clause_breaks", "lca_root", "path_type_cues", *(f"path_{t}" for t in DEAL_TYPE_IDS),
    "heads_are_triggers", "possessive_of_trigger", "apposition", "group_word_near",
]
_WINDOW = [
    "negations", "blockers", "modal_words", "type_cues", *(f"cue_{t}" for t in DEAL_TYPE_IDS), "theme_cues",
    "money", "round_words", "founding_verbs", "founded_object", "example_before", "attribution", "quoted_person",
    "adviser_role", "investor_word_near", "reporting_verbs",
    "unit_tokens", "window_tokens", "orgs_in_unit", "orgs_in_window", "list_shape", "list_neighbours",
    "bullet", "heading", "in_title", "paragraph", "first_paragraph", "position", "dates",
    "rule_deals_in_window", "partner_in_other_window_deal",
]
_PARTNERS = [
    *(f"kind_{k}" for k in KINDS), *(f"actor_{a}" for a in ACTOR_FLAGS), "called_investor",
    "with_country", "same_country", "countries", "speaker",
    "mentions_min", "mentions_max", "subject_mentions_min", "subject_mentions_max", "title_mentions",
    "rank_min", "rank_max", "first_position_min", "first_position_max", "other_rule_deals_max",
    "curated", "name_words_min", "one_word_names", "acronyms", "inside_other_name", "related_orgs", "partners_related",
]
_CANDIDATE = [
    "size", "is_set", "from_rules", "rule_confidence", *(f"rule_{f}" for f in RULE_FAMILIES),
    *(f"record_{t}" for t in DEAL_TYPE_IDS), "record_value", "record_themes", "in_rule_set", "windows",
    "one_unit_windows", "all_in_one_unit", "evidence_share", "doc_orgs", "doc_units", "doc_rule_deals",
]
#: the feature names, in the order of a row
FEATURES: tuple[str, ...] = tuple(_CANDIDATE + _PAIR + _WINDOW + _PARTNERS)


@dataclass
class DocView:
    """What the features read of one Doc, computed once."""

    facts: DocFacts
    words: JudgeWords
    rule_records: list[tuple[frozenset[int], dict]]   # the rules' deals: partner set, record

    @property
    def rule_deals(self) -> list[frozenset[int]]:
        return [partners for partners, _ in self.rule_records]

    @cached_property
    def orgs_of(self) -> list[list[int]]:
        return unit_organisations(self.facts)

    @cached_property
    def heads(self) -> list[list[Token]]:
        """Per organisation, the root token of each of its mentions."""
        doc = self.facts.doc
        return [[doc[s:e].root for s, e in org["tokens"]] for org in self.facts.orgs]

    @cached_property
    def mention_counts(self) -> list[int]:
        return [len(org["tokens"]) for org in self.facts.orgs]

    @cached_property
    def ranks(self) -> list[int]:
        order = sorted(range(len(self.facts.orgs)), key=lambda i: -self.mention_counts[i])
        rank = [0] * len(order)
        for r, i in enumerate(order):
            rank[i] = r + 1
        return rank

    @cached_property
    def subject_counts(self) -> list[int]:
        return [sum(h.dep_ in SUBJECT_DEPS for h in heads) for heads in self.heads]

    @cached_property
    def title_counts(self) -> list[int]:
        title = self.facts.title_line
        units = self.facts.units
        return [sum(1 for s, _ in org["tokens"] if s in self.facts.unit_of and units[self.facts.unit_of[s]].line == title)
                for org in self.facts.orgs]

    @cached_property
    def first_unit(self) -> list[int]:
        unit_of = self.facts.unit_of
        return [min((unit_of[s] for s, _ in org["tokens"] if s in unit_of), default=0) for org in self.facts.orgs]

    @cached_property
    def actors(self) -> list[Optional[str]]:
        out = []
        words = self.words
        for org in self.facts.orgs:
            actor = "exchange" if org.get("exchange") else words.actor(org["name"])
            name_words = {w.casefold() for w in org["name"].split()}
            if actor is None and name_words & words.investor_name_words:
                actor = "investor"
            if actor is None and name_words & words.regulator_name_words:
                actor = "regulator"
            out.append(actor)
        return out

    @cached_property
    def name_shapes(self) -> list["NameShape"]:
        keys = [org_key(org["name"]).split() for org in self.facts.orgs]
        out = []
        for i, words in enumerate(keys):
            name = self.facts.orgs[i]["name"]
            inside = any(j != i and len(other) > len(words) and _contains(other, words) for j, other in enumerate(keys))
            related = sum(1 for j, other in enumerate(keys) if j != i and words and other and other[0] == words[0])
            out.append(NameShape(tuple(words), name.isupper() and len(name.replace(".", "")) <= 6, inside, related))
        return out

    @cached_property
    def rule_deal_counts(self) -> Counter:
        return Counter(o for deal in self.rule_deals for o in deal)

    @cached_property
    def is_trigger(self) -> list[bool]:
        triggers = self.words.triggers
        return [t.lemma_.lower() in triggers or t.lower_ in triggers for t in self.facts.doc]

    @cached_property
    def unit_money(self) -> list[int]:
        doc = self.facts.doc
        return [len(find_money(doc[u.start:u.end].text)) for u in self.facts.units]

    @cached_property
    def cue_tokens(self) -> list[list[tuple[str, int, int]]]:
        """Per unit, its cue spans as (label, first token, end token)."""
        out: list[list[tuple[str, int, int]]] = [[] for _ in self.facts.units]
        for span in self.facts.cue_spans:
            u = self.facts.unit_of.get(span.start)
            if u is not None:
                out[u].append((span.label_, span.start, span.end))
        return out

    @cached_property
    def cues_of(self) -> list[list[str]]:
        return [[label for label, _, _ in unit] for unit in self.cue_tokens]

    @cached_property
    def rule_units(self) -> list[tuple[frozenset[int], Optional[int]]]:
        """The rules' deals with the unit of their evidence."""
        return [(partners, _evidence_unit(self, record)) for partners, record in self.rule_records]


@dataclass(frozen=True)
class NameShape:
    """The shape of an organisation's name, never the name: its words (normalised), whether it
    is an acronym, whether it lies inside another organisation's name of the text ("Global" in
    "Point Biopharma Global"), how many other organisations share its first word."""

    words: tuple[str, ...]
    acronym: bool
    inside_other: bool
    related: int


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[k:k + n] == shorter for k in range(len(longer) - n + 1))


def feature_rows(view: DocView, candidates: list[Candidate]) -> list[list[float]]:
    """One row of :data:`FEATURES` per candidate."""
    return [_row(view, c) for c in candidates]


def _row(view: DocView, c: Candidate) -> list[float]:
    window, pair = best_window(view, c)
    values: dict[str, float] = {}
    values.update(_candidate(view, c))
    values.update(_pair(view, window, pair))
    values.update(_window(view, window, pair))
    values.update(_partners(view, c))
    return [values.get(name, NAN) for name in FEATURES]


# --- the window a candidate is judged on ---------------------------------------------------

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
        u = _evidence_unit(view, c.record)
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


def _evidence_unit(view: DocView, record: dict) -> Optional[int]:
    doc = view.facts.doc
    span = doc.char_span(record["evidence"]["start"], record["evidence"]["end"], alignment_mode="expand")
    if span is None or not len(span):
        return None
    for tok in span:
        if tok.i in view.facts.unit_of:
            return view.facts.unit_of[tok.i]
    return None


# --- feature groups --------------------------------------------------------------------

def _candidate(view: DocView, c: Candidate) -> dict[str, float]:
    record = c.record
    out: dict[str, float] = {
        "size": len(c.partners), "is_set": float(c.is_set), "from_rules": float(record is not None),
        "rule_confidence": record["confidence"] if record else NAN,
        "in_rule_set": float(any(c.partners < deal for deal in view.rule_deals)),
        "windows": len(c.windows), "one_unit_windows": sum(w[0] == w[1] for w in c.windows),
        "doc_orgs": len(view.facts.orgs), "doc_units": len(view.facts.units), "doc_rule_deals": len(view.rule_deals),
    }
    if record is not None:
        family = rule_family(record.get("rule", ""))
        for f in RULE_FAMILIES:
            out[f"rule_{f}"] = float(family == f)
        types = set(record.get("deal_types", ()))
        for t in DEAL_TYPE_IDS:
            out[f"record_{t}"] = float(t in types)
        out["record_value"] = float(record.get("value") is not None)
        out["record_themes"] = len(record.get("themes", ()))
    facts = view.facts
    units_of = [{facts.unit_of[h.i] for h in view.heads[o] if h.i in facts.unit_of} for o in c.partners]
    shared = set.intersection(*units_of) if units_of else set()
    out["all_in_one_unit"] = float(bool(shared))
    if record is not None:
        u = _evidence_unit(view, record)
        if u is not None:
            out["evidence_share"] = sum(u in units for units in units_of) / len(c.partners)
    return out


def rule_family(rule: str) -> str:
    """The family of the rule that read a deal (a relation pattern's id stands for ``pattern``)."""
    if rule in RULE_FAMILIES:
        return rule
    if rule.endswith("~controlled"):
        return "pattern_controlled"
    return "pattern"


def _path(a: Token, b: Token) -> tuple[Optional[Token], list[Token]]:
    """Lowest common ancestor and the tokens on the dependency path between ``a`` and ``b``."""
    up_a = [a, *a.ancestors]
    seen = {t.i: k for k, t in enumerate(up_a)}
    path_b: list[Token] = []
    for t in [b, *b.ancestors]:
        if t.i in seen:
            return t, up_a[:seen[t.i] + 1] + path_b[::-1]
        path_b.append(t)
    return None, []


def _pair(view: DocView, window: Optional[Window], pair: Optional[tuple[Token, Token]]) -> dict[str, float]:
    if window is None:
        return {}
    out: dict[str, float] = {"window_one_unit": float(window[0] == window[1]), "window_units": window[1] - window[0] + 1}
    if pair is None:
        return out
    a, b = pair
    lo, hi = sorted((a.i, b.i))
    facts = view.facts
    out["token_gap"] = hi - lo
    out["orgs_between"] = len({facts.token_org[k] for k in range(lo + 1, hi) if k in facts.token_org}
                              - {facts.token_org.get(a.i), facts.token_org.get(b.i)})
    out["triggers_between"] = sum(view.is_trigger[k] for k in range(lo + 1, hi))
    units = facts.units
    start, end = units[window[0]].start, units[window[1]].end
    out["triggers_in_window"] = sum(view.is_trigger[k] for k in range(start, end))
    roles = [a.dep_, b.dep_]
    out["subjects"] = sum(r in SUBJECT_DEPS for r in roles)
    out["objects"] = sum(r in OBJECT_DEPS for r in roles)
    out["modifiers"] = sum(r in MODIFIER_DEPS for r in roles)
    out["subject_and_object"] = float(out["subjects"] == 1 and out["objects"] == 1)
    out["coordinated"] = float(same_coordination(a, b) and not _apposed(a, b))
    out["apposition"] = float(_apposed(a, b))
    group_words = view.words.group_words
    near = [*_neighbours(a), *_neighbours(b)]
    out["group_word_near"] = float(any(t.lower_ in group_words or t.lemma_.lower() in group_words for t in near))
    preps = {t.head.lower_ for t in pair if t.dep_ == "pobj"}
    for p in PREPOSITIONS:
        out[f"prep_{p}"] = float(p in preps)
    if a.sent.start == b.sent.start:
        lca, path = _path(a, b)
        if lca is not None:
            out["dep_path"] = min(len(path) - 1, MAX_PATH)
            out["lca_is_trigger"] = float(view.is_trigger[lca.i])
            out["lca_verb"] = float(lca.pos_ in ("VERB", "AUX"))
            out["lca_noun"] = float(lca.pos_ in ("NOUN", "PROPN"))
            inner = [t for t in path if t.i not in (a.i, b.i)]
            out["path_trigger"] = float(any(view.is_trigger[t.i] for t in inner))
            out["path_deal_noun"] = float(any(t.lemma_.lower() in view.words.deal.deal_nouns for t in inner))
            out["lca_blocked"] = float(blocked(view.words.deal, lca))
            out["lca_root"] = float(lca.dep_ == "ROOT")
            out["path_verbs"] = sum(t.pos_ in ("VERB", "AUX") for t in inner)
            out["path_clause_breaks"] = sum(t.dep_ in CLAUSE_DEPS for t in path if t.i != lca.i)
            on_path = {t.i for t in path}
            path_types = {label[len(TYPE_PREFIX):] for k in range(window[0], window[1] + 1)
                          for label, start, end in view.cue_tokens[k] if label.startswith(TYPE_PREFIX)
                          and any(start <= i < end for i in on_path)}
            out["path_type_cues"] = len(path_types)
            for t in DEAL_TYPE_IDS:
                out[f"path_{t}"] = float(t in path_types)
    out["heads_are_triggers"] = sum(view.is_trigger[t.head.i] and t.head.i != t.i for t in pair)
    out["possessive_of_trigger"] = float(any(t.dep_ in ("poss", "compound") and view.is_trigger[t.head.i] for t in pair))
    return out


def _apposed(a: Token, b: Token) -> bool:
    """One name stands in apposition to the other, or to a noun that holds it ("X, a unit of Y")."""
    return any(t.dep_ == "appos" and (t.head.i == o.i or o.i in {c.i for c in t.head.subtree})
               for t, o in ((a, b), (b, a)))


def _neighbours(tok: Token) -> list[Token]:
    """The words next to a name in the parse: its head, its appositions, the head's preposition object."""
    out = [tok.head, *(c for c in tok.children if c.dep_ == "appos")]
    if tok.head.dep_ == "prep":
        out.append(tok.head.head)
    return out


def _window(view: DocView, window: Optional[Window], pair: Optional[tuple[Token, Token]]) -> dict[str, float]:
    if window is None:
        return {}
    facts, words = view.facts, view.words
    deal = words.deal
    doc = facts.doc
    units = facts.units
    start, end = units[window[0]].start, units[window[1]].end
    tokens = doc[start:end]
    lemmas = [t.lemma_.lower() for t in tokens]
    lowers = [t.lower_ for t in tokens]
    labels = [label for k in range(window[0], window[1] + 1) for label in view.cues_of[k]]
    types = {label[len(TYPE_PREFIX):] for label in labels if label.startswith(TYPE_PREFIX)}
    out: dict[str, float] = {
        "negations": sum(t.dep_ == "neg" for t in tokens),
        "blockers": sum(l in deal.blockers or w in deal.blockers for l, w in zip(lemmas, lowers)),
        "modal_words": sum(t.tag_ == "MD" or l in MODAL_WORDS for t, l in zip(tokens, lemmas)),
        "type_cues": sum(label.startswith(TYPE_PREFIX) for label in labels),
        "theme_cues": sum(label.startswith(THEME_PREFIX) for label in labels),
        "money": sum(view.unit_money[k] for k in range(window[0], window[1] + 1)),
        "round_words": sum(l in deal.round_words or w in deal.round_words for l, w in zip(lemmas, lowers)),
        "founding_verbs": sum(l in deal.founding_verbs for l in lemmas),
        "attribution": sum(w in deal.attribution_words for w in lowers),
        "reporting_verbs": sum(l in deal.reporting_verbs for l in lemmas),
        "quoted_person": float(any(t.ent_type_ == "PERSON" for t in tokens) and any(l in deal.reporting_verbs for l in lemmas)),
        "adviser_role": sum(w in words.adviser_roles for w in lowers),
        "unit_tokens": sum(units[k].end - units[k].start for k in range(window[0], window[1] + 1)) / (window[1] - window[0] + 1),
        "window_tokens": end - start,
        "orgs_in_unit": max(len(view.orgs_of[k]) for k in range(window[0], window[1] + 1)),
        "orgs_in_window": len({o for k in range(window[0], window[1] + 1) for o in view.orgs_of[k]}),
        "bullet": float(any(units[k].line.bullet for k in range(window[0], window[1] + 1))),
        "heading": float(any(units[k].line.heading for k in range(window[0], window[1] + 1))),
        "in_title": float(units[window[0]].line == facts.title_line),
        "paragraph": units[window[0]].line.paragraph,
        "first_paragraph": float(units[window[0]].line.paragraph <= units[0].line.paragraph + 1),
        "position": window[0] / max(len(units), 1),
        "dates": sum(t.ent_type_ == "DATE" and t.ent_iob_ == "B" for t in tokens),
    }
    here = [deal for deal, u in view.rule_units if u is not None and window[0] <= u <= window[1]]
    out["rule_deals_in_window"] = len(here)
    if pair is not None:
        own = {facts.token_org.get(t.i) for t in pair}
        out["partner_in_other_window_deal"] = float(any(own & deal and not own <= deal for deal in here))
    for t in DEAL_TYPE_IDS:
        out[f"cue_{t}"] = float(t in types)
    if pair is not None:
        out["founded_object"] = float(any(t.dep_ == "dobj" and t.head.lemma_.lower() in deal.founding_verbs for t in pair))
        out["example_before"] = float(any(_example_before(view, t, start) for t in pair))
        out["investor_word_near"] = float(any(_word_near(view, t, words.investor_words) for t in pair))
        out["list_shape"], out["list_neighbours"] = _list_shape(view, pair)
    return out


def _example_before(view: DocView, tok: Token, start: int) -> bool:
    """"such as A, B and C", "companies like A": an example cue before the name, with only
    names and list words between."""
    facts, deal = view.facts, view.words.deal
    doc = facts.doc
    for k in range(tok.i - 1, max(tok.i - 12, start - 1), -1):
        for cue in deal.example_cues:
            if k + 1 >= len(cue) and tuple(w.lower_ for w in doc[k + 1 - len(cue):k + 1]) == cue:
                return True
        t = doc[k]
        if not (k in facts.token_org or t.text in deal.list_connectors or t.is_space):
            return False
    return False


def _word_near(view: DocView, tok: Token, wanted: frozenset[str]) -> bool:
    """One of ``wanted`` right before the name, in apposition to it or as its copula's attribute."""
    doc = view.facts.doc
    org = view.facts.token_org.get(tok.i)
    start = tok.i
    while start > 0 and view.facts.token_org.get(start - 1) == org:
        start -= 1
    near = [doc[k] for k in range(max(start - 2, 0), start)] + [c for c in tok.children if c.dep_ == "appos"]
    if tok.dep_ == "appos":
        near.append(tok.head)
    return any(t.lower_ in wanted or t.lemma_.lower() in wanted for t in near)


def _list_shape(view: DocView, pair: tuple[Token, Token]) -> tuple[float, float]:
    """Whether the two names stand in one list (only names and list words between them), and
    how many names that list holds."""
    facts, deal = view.facts, view.words.deal
    doc = facts.doc
    lo, hi = sorted(t.i for t in pair)
    org_lo, org_hi = facts.token_org.get(lo), facts.token_org.get(hi)
    k = lo
    while k < hi and facts.token_org.get(k) == org_lo:
        k += 1
    k_end = hi
    while k_end > k and facts.token_org.get(k_end - 1) == org_hi:
        k_end -= 1
    between = doc[k:k_end]
    in_list = all(t.i in facts.token_org or t.text in deal.list_connectors or t.is_space for t in between)
    if not in_list:
        return 0.0, 0.0
    names = set()
    k = lo
    while k >= 0 and (k in facts.token_org or doc[k].text in deal.list_connectors):
        if k in facts.token_org:
            names.add(facts.token_org[k])
        k -= 1
    k = hi
    while k < len(doc) and (k in facts.token_org or doc[k].text in deal.list_connectors):
        if k in facts.token_org:
            names.add(facts.token_org[k])
        k += 1
    return 1.0, float(len(names))


def _partners(view: DocView, c: Candidate) -> dict[str, float]:
    facts = view.facts
    partners = sorted(c.partners)
    orgs = [facts.orgs[i] for i in partners]
    n_units = max(len(facts.units), 1)
    out: dict[str, float] = {}
    for k in KINDS:
        out[f"kind_{k}"] = sum(o["kind"] == k for o in orgs)
    actors = [view.actors[i] for i in partners]
    for a in ACTOR_FLAGS:
        out[f"actor_{a}"] = sum(x == a for x in actors)
    out["called_investor"] = sum(bool(facts.called.get(i, frozenset()) & view.words.investor_words) for i in partners)
    countries = [o["country"] for o in orgs if o["country"]]
    out["with_country"] = len(countries)
    out["countries"] = len(set(countries))
    out["same_country"] = float(len(countries) == len(orgs) and len(set(countries)) == 1)
    out["speaker"] = float(facts.speaker in c.partners)
    mentions = [view.mention_counts[i] for i in partners]
    subjects = [view.subject_counts[i] for i in partners]
    ranks = [view.ranks[i] for i in partners]
    firsts = [view.first_unit[i] / n_units for i in partners]
    out.update({
        "mentions_min": min(mentions), "mentions_max": max(mentions),
        "subject_mentions_min": min(subjects), "subject_mentions_max": max(subjects),
        "title_mentions": sum(view.title_counts[i] > 0 for i in partners),
        "rank_min": min(ranks), "rank_max": max(ranks),
        "first_position_min": min(firsts), "first_position_max": max(firsts),
        "other_rule_deals_max": max(view.rule_deal_counts[i] - (c.partners in view.rule_deals) for i in partners),
    })
    shapes = [view.name_shapes[i] for i in partners]
    out["curated"] = sum(view.words.is_curated(o["name"]) for o in orgs)
    out["name_words_min"] = min(len(shape.words) for shape in shapes)
    out["one_word_names"] = sum(len(shape.words) == 1 for shape in shapes)
    out["acronyms"] = sum(shape.acronym for shape in shapes)
    out["inside_other_name"] = sum(shape.inside_other for shape in shapes)
    out["related_orgs"] = sum(shape.related for shape in shapes)
    firsts = [shape.words[0] for shape in shapes if shape.words]
    out["partners_related"] = float(len(set(firsts)) < len(firsts))
    return out


def is_missing(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)
