"""A deal draft as the plain record ``doc._.deals`` holds, and the deal id."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Iterable

from deal_extract.deals.values import headline, yen_or_yuan
from deal_extract.deals.attributes import cues, money, scope, territories, title_is_about
from deal_extract.deals import details
from deal_extract.deals.clauses import is_clause_head
from deal_extract.deals.facts import DocFacts, unit_range
from deal_extract.deals.merge import DealDraft
from deal_extract.deals.mentions import Mention
from deal_extract.deals.words import DealWords


#: rules that read deals told only as background ("grown by acquisition: A, B and C")
BACKGROUND_RULES = frozenset({"deal_list"})


def deal_id(source: str, names: Iterable[str]) -> str:
    """Stable id from the article's file name and the partner names (order-free)."""
    key = PurePath(source).name + "|" + "|".join(sorted(n.casefold() for n in names))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def deal_record(facts: DocFacts, words: DealWords, draft: DealDraft, unit_mentions: dict[int, list[Mention]],
                single_deal: bool, source: str) -> dict:
    """``unit_mentions``: every mention by unit; ``source``: the article's file name, for the id."""
    best = max(draft.mentions, key=lambda m: _completeness(facts, m, draft.partners))
    units = sorted({m.unit for m in draft.mentions} | set(draft.extra_units))
    ranges = ([r for m in draft.mentions for r in scope(facts, m, unit_mentions.get(m.unit, []))]
              + [unit_range(facts, facts.units[u]) for u in draft.extra_units])
    background = all(m.rule in BACKGROUND_RULES for m in draft.mentions)
    themes, types = cues(facts, words, ranges, units, draft.partners, single_deal, background)
    for m in draft.mentions:
        types.update(m.deal_types)
    evidence = facts.units[best.unit].span(facts.doc)
    start, end = evidence.start_char, evidence.end_char
    for org in facts.orgs:  # a sentence break the parser put inside a name: the evidence takes the whole name
        for m_start, m_end in org["mentions"]:
            if m_start < start < m_end:
                start = m_start
            if m_start < end < m_end:
                end = m_end
    granted, retained = territories(facts, words, ranges)
    value_ranges = list(ranges)
    title = facts.line_ranges.get(facts.title_line) if facts.title_line is not None else None
    if title is not None and not background and title not in value_ranges and title_is_about(facts, draft.partners, False):
        value_ranges.append(title)  # "Syngene buys Emergent plant for $36.5m" (naming both): the headline's figure
    amounts = [a for r in value_ranges for a in money(facts, r)]
    for m in draft.mentions:
        amounts = _own_clause_amounts(facts, m, amounts)
    value = headline(amounts, lambda char: _in_heading(facts, char))
    if value is not None:
        value = yen_or_yuan(value, {facts.orgs[i]["country"] for i in draft.partners if facts.orgs[i]["country"]})
    partners = sorted(draft.partners, key=lambda i: facts.orgs[i]["name"].casefold())
    bonus = words.scores.mention_bonus * (len(draft.mentions) - 1)
    role = details.roles(facts, draft.mentions, partners, types)
    told = [best.unit, *(u for u in units if u != best.unit)]
    return {
        "id": deal_id(source, [facts.orgs[i]["name"] for i in partners]),
        "partners": [{"name": facts.orgs[i]["name"], "country": facts.orgs[i]["country"], "role": role[i]}
                     for i in partners],
        "status": details.status(facts, words, sorted({m.unit for m in draft.mentions}), draft.extra_units),
        "announced": details.announced(facts, told),
        "assets": details.assets(facts, told),
        "terms": details.terms(facts, words, amounts, value),
        "themes": sorted(themes),
        "deal_types": sorted(types),
        "territories": granted,
        "retained_territories": retained,
        "value": value.as_dict() if value else None,
        "evidence": {"text": facts.text[start:end], "start": start, "end": end},
        "confidence": round(min(1.0, best.confidence + bonus), 3),
        "rule": best.rule,
    }


def _in_heading(facts: DocFacts, char: int) -> bool:
    """The character lies in the title or a heading-like line: one that ends without sentence
    punctuation ("Vaxxas raises A$34m (December 2022)")."""
    line = facts.units[facts.unit_of[_token_at(facts, char)]].line
    return line == facts.title_line or line.heading or not line.text.rstrip('"”’\'').endswith((".", "!", "?"))


def _token_at(facts: DocFacts, char: int) -> int:
    """The token that holds the character."""
    return facts.doc.char_span(char, char + 1, alignment_mode="expand")[0].i


def _completeness(facts: DocFacts, m: Mention, partners: frozenset[int]) -> tuple:
    """How completely a mention's sentence reports the deal, for choosing the evidence: the
    partners it names (not "it", "the company"), whether it gives an amount, then the rule's
    confidence and the earlier sentence. "An official said the Korean firm will receive ... from
    X" loses to "X signed an agreement with Y for up to ... (an amount)"."""
    unit = facts.units[m.unit]
    named = {facts.token_org[t] for t in range(unit.start, unit.end) if t in facts.token_org} & partners
    has_money = bool(money(facts, (unit.start, unit.end)))
    return len(named), has_money, m.confidence, -m.unit


def _own_clause_amounts(facts: DocFacts, m: Mention, amounts: list) -> list:
    """A mention's sentence that joins clauses with verbs of their own ("it took in US$55 million
    from A and signed a licence worth up to US$1.1 billion with B"; "A drew 21 billion won from B,
    C took 5 billion won from D"): when the trigger's own clause
    gives an amount, the other clauses' amounts are another deal's. Amounts outside the sentence
    stay."""
    if m.anchor is None:
        return amounts
    doc = facts.doc
    unit = facts.units[m.unit]
    verb = doc[m.anchor]
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head  # a noun trigger ("a licence worth ...") speaks for its verb's clause
    own_clause = {t.i for t in verb.subtree} - {t.i for c in verb.children
                                                 if (c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")) or is_clause_head(c)
                                                 for t in c.subtree}
    unit_chars = (doc[unit.start].idx, doc[unit.end - 1].idx + len(doc[unit.end - 1]))
    in_unit = [a for a in amounts if unit_chars[0] <= a.start < unit_chars[1]]
    own = [a for a in in_unit if _token_at(facts, a.start) in own_clause]
    if not own or len(own) == len(in_unit):
        return amounts
    return [a for a in amounts if a not in in_unit or a in own]
