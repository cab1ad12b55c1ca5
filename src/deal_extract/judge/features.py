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

from typing import Optional

from spacy.tokens import Token

from deal_extract.deals.cues import THEME_PREFIX, TYPE_PREFIX
from deal_extract.deals.references import same_coordination
from deal_extract.deals.rules import blocked
from deal_extract.judge.candidates import Candidate, Window
from deal_extract.judge.view import SUBJECT_DEPS, DocView, evidence_unit
from deal_extract.judge.windows import best_window
from deal_extract.judge.words import ACTOR_FLAGS, MODAL_WORDS
from deal_extract.vocab import DEAL_TYPES as DEAL_TYPE_IDS

NAN = float("nan")
KINDS = ("company", "academic", "government", "hospital", "other")
#: families of the rules that read deals (a relation pattern's id is one of ``pattern`` ...)
RULE_FAMILIES = ("pattern", "pattern_controlled", "pattern_subtree", "dash_pair", "list_item", "heading_pair",
                 "deal_list", "implied_licence", "cooccurrence")
OBJECT_DEPS = frozenset({"dobj", "pobj", "attr", "dative", "oprd"})
MODIFIER_DEPS = frozenset({"compound", "poss", "nmod", "amod"})
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
        u = evidence_unit(view, record)
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
    if view.tokens.sentence[a.i] == view.tokens.sentence[b.i]:
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
    return any(t.dep_ == "appos" and (t.head.i == o.i or t.head.is_ancestor(o)) for t, o in ((a, b), (b, a)))


def _neighbours(tok: Token) -> list[Token]:
    """The words next to a name in the parse: its head, its appositions, the head's preposition object."""
    out = [tok.head, *(c for c in tok.children if c.dep_ == "appos")]
    if tok.head.dep_ == "prep":
        out.append(tok.head.head)
    return out


def _window(view: DocView, window: Optional[Window], pair: Optional[tuple[Token, Token]]) -> dict[str, float]:
    if window is None:
        return {}
    if window not in view.windows:
        view.windows[window] = _window_words(view, window)
    out = dict(view.windows[window])
    if pair is None:
        del out["triggers_in_window"]   # a pair feature, read with the window's words
    else:
        facts, words = view.facts, view.words
        here = [deal for deal, u in view.rule_units if u is not None and window[0] <= u <= window[1]]
        own = {facts.token_org.get(t.i) for t in pair}
        out["partner_in_other_window_deal"] = float(any(own & deal and not own <= deal for deal in here))
        out["founded_object"] = float(any(t.dep_ == "dobj" and t.head.lemma_.lower() in words.deal.founding_verbs
                                          for t in pair))
        start = facts.units[window[0]].start
        out["example_before"] = float(any(_example_before(view, t, start) for t in pair))
        out["investor_word_near"] = float(any(_word_near(view, t, words.investor_words) for t in pair))
        out["list_shape"], out["list_neighbours"] = _list_shape(view, pair)
    return out


def _window_words(view: DocView, window: Window) -> dict[str, float]:
    """The features of a window that no pair changes (computed once per window, in one pass)."""
    facts, words, table = view.facts, view.words, view.tokens
    deal = words.deal
    units = facts.units
    start, end = units[window[0]].start, units[window[1]].end
    labels = [label for k in range(window[0], window[1] + 1) for label in view.cues_of[k]]
    types = {label[len(TYPE_PREFIX):] for label in labels if label.startswith(TYPE_PREFIX)}
    n = dict.fromkeys(("negations", "blockers", "modal_words", "round_words", "founding_verbs", "attribution",
                       "reporting_verbs", "adviser_role", "dates", "persons"), 0)
    for i in range(start, end):
        lemma, lower = table.lemma[i], table.lower[i]
        n["negations"] += table.dep[i] == "neg"
        n["blockers"] += lemma in deal.blockers or lower in deal.blockers
        n["modal_words"] += table.tag[i] == "MD" or lemma in MODAL_WORDS
        n["round_words"] += lemma in deal.round_words or lower in deal.round_words
        n["founding_verbs"] += lemma in deal.founding_verbs
        n["attribution"] += lower in deal.attribution_words
        n["reporting_verbs"] += lemma in deal.reporting_verbs
        n["adviser_role"] += lower in words.adviser_roles
        n["dates"] += table.ent_type[i] == "DATE" and table.ent_begins[i]
        n["persons"] += table.ent_type[i] == "PERSON"
    persons = n.pop("persons")
    ks = range(window[0], window[1] + 1)
    out: dict[str, float] = {
        **n,
        "quoted_person": float(persons > 0 and n["reporting_verbs"] > 0),
        "type_cues": sum(label.startswith(TYPE_PREFIX) for label in labels),
        "theme_cues": sum(label.startswith(THEME_PREFIX) for label in labels),
        "money": sum(view.unit_money(k) for k in ks),
        "unit_tokens": sum(units[k].end - units[k].start for k in ks) / len(ks),
        "window_tokens": end - start,
        "triggers_in_window": sum(view.is_trigger[start:end]),
        "orgs_in_unit": max(len(view.orgs_of[k]) for k in ks),
        "orgs_in_window": len({o for k in ks for o in view.orgs_of[k]}),
        "bullet": float(any(units[k].line.bullet for k in ks)),
        "heading": float(any(units[k].line.heading for k in ks)),
        "in_title": float(units[window[0]].line == facts.title_line),
        "paragraph": units[window[0]].line.paragraph,
        "first_paragraph": float(units[window[0]].line.paragraph <= units[0].line.paragraph + 1),
        "position": window[0] / max(len(units), 1),
        "rule_deals_in_window": sum(1 for _, u in view.rule_units if u is not None and window[0] <= u <= window[1]),
    }
    for t in DEAL_TYPE_IDS:
        out[f"cue_{t}"] = float(t in types)
    return out


def _example_before(view: DocView, tok: Token, start: int) -> bool:
    """"such as A, B and C", "companies like A": an example cue before the name, with only
    names and list words between."""
    facts, deal, table = view.facts, view.words.deal, view.tokens
    for k in range(tok.i - 1, max(tok.i - 12, start - 1), -1):
        for cue in deal.example_cues:
            if k + 1 >= len(cue) and tuple(table.lower[k + 1 - len(cue):k + 1]) == cue:
                return True
        if not (k in facts.token_org or table.text[k] in deal.list_connectors or table.is_space[k]):
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
    facts, deal, table = view.facts, view.words.deal, view.tokens
    token_org = facts.token_org
    lo, hi = sorted(t.i for t in pair)
    org_lo, org_hi = token_org.get(lo), token_org.get(hi)
    k = lo
    while k < hi and token_org.get(k) == org_lo:
        k += 1
    k_end = hi
    while k_end > k and token_org.get(k_end - 1) == org_hi:
        k_end -= 1
    listed = lambda i: i in token_org or table.text[i] in deal.list_connectors  # noqa: E731
    if not all(listed(i) or table.is_space[i] for i in range(k, k_end)):
        return 0.0, 0.0
    names = set()
    k = lo
    while k >= 0 and listed(k):
        if k in token_org:
            names.add(token_org[k])
        k -= 1
    k = hi
    while k < len(table.text) and listed(k):
        if k in token_org:
            names.add(token_org[k])
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
    out["curated"] = sum(view.curated[i] for i in partners)
    out["name_words_min"] = min(len(shape.words) for shape in shapes)
    out["one_word_names"] = sum(len(shape.words) == 1 for shape in shapes)
    out["acronyms"] = sum(shape.acronym for shape in shapes)
    out["inside_other_name"] = sum(shape.inside_other for shape in shapes)
    out["related_orgs"] = sum(shape.related for shape in shapes)
    firsts = [shape.words[0] for shape in shapes if shape.words]
    out["partners_related"] = float(len(set(firsts)) < len(firsts))
    return out

