"""Mentions of one partner set become one deal; units that only continue a deal ("The deal is
worth up to $407 million", "The company will ...") join the deal before them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from spacy.tokens import Token

from deal_extract.deals.values import find_money
from deal_extract.deals.facts import DocFacts
from deal_extract.deals.mentions import Mention
from deal_extract.deals.references import in_description
from deal_extract.deals.rounds import series_of, tells_earlier_round
from deal_extract.deals.sellers import SELLER
from deal_extract.deals.units import Unit
from deal_extract.deals.words import DealWords


@dataclass
class DealDraft:
    partners: frozenset[int]
    mentions: list[Mention] = field(default_factory=list)
    extra_units: list[int] = field(default_factory=list)


def merge(facts: DocFacts, words: DealWords, mentions: list[Mention]) -> list[DealDraft]:
    """One draft per partner set, in the order of their first mention, with their follow-up units."""
    drafts: dict[frozenset[int], DealDraft] = {}
    for m in sorted(mentions, key=lambda m: m.unit):
        drafts.setdefault(m.partners, DealDraft(m.partners)).mentions.append(m)
    ordered = _one_round(facts, words, sorted(drafts.values(), key=lambda d: min(m.unit for m in d.mentions)))
    _round_rosters(facts, words, ordered)
    ordered = _without_partial_rounds(facts, words, ordered)
    ordered = _sellers_folded(ordered)
    _attach_continuations(facts, words, ordered)
    return ordered


def _sellers_folded(drafts: list[DealDraft]) -> list[DealDraft]:
    """"X agreed to buy Y from Z" and, elsewhere, "X's purchase of Y" are one acquisition: a
    draft whose partners are another's less its named sellers joins that one."""
    out: list[DealDraft] = []
    for d in drafts:
        bigger = next((o for o in drafts if d.partners < o.partners
                       and o.partners - d.partners <= {org for m in o.mentions for org, role in m.roles if role == SELLER}), None)
        if bigger is None:
            out.append(d)
            continue
        bigger.mentions.extend(d.mentions)
        bigger.extra_units.extend(d.extra_units)
    return out


ROUND_REACH = 3   # units: how far apart two sentences of one financing round may stand
ROUND_TYPE = "investment"


def _one_round(facts: DocFacts, words: DealWords, drafts: list[DealDraft]) -> list[DealDraft]:
    """A financing round told over neighbouring sentences is one deal of the company and every
    investor: "The round was led by A, with B." + "New backers include C and D." A draft joins
    the round before it when both sentences speak of a round and they stand close together."""
    out: list[DealDraft] = []
    for d in drafts:
        prev = out[-1] if out else None
        first = min(m.unit for m in d.mentions)
        if (prev is not None and first - max(m.unit for m in prev.mentions) <= ROUND_REACH
                and _is_round(facts, words, prev) and _is_round(facts, words, d)
                and not tells_earlier_round(facts, words, facts.units[first])
                and facts.units[first].line.paragraph - facts.units[max(m.unit for m in prev.mentions)].line.paragraph <= 1):
            out[-1] = DealDraft(prev.partners | d.partners, prev.mentions + d.mentions, prev.extra_units + d.extra_units)
            continue
        out.append(d)
    return out


def _is_round(facts: DocFacts, words: DealWords, draft: DealDraft) -> bool:
    """An investment told in sentences that speak of a round (a licence told beside its
    licensee's financing is none)."""
    return _speaks_of_round(facts, words, draft) and any(ROUND_TYPE in m.deal_types for m in draft.mentions)


def _speaks_of_round(facts: DocFacts, words: DealWords, draft: DealDraft) -> bool:
    return all(_unit_speaks_of_round(facts, words, facts.units[m.unit]) for m in draft.mentions)


def _unit_speaks_of_round(facts: DocFacts, words: DealWords, unit: Unit) -> bool:
    return any(t.lemma_.lower() in words.round_words or t.lower_ in words.round_words
               for t in facts.doc[unit.start:unit.end])


def _round_rosters(facts: DocFacts, words: DealWords, drafts: list[DealDraft]) -> None:
    """Sentences that only list a round's investors ("Earlier backers returned: A, B and C.",
    "New names on the register include D and E.") join the round they follow: close after it,
    in its paragraph or the next, with no deal of their own and nothing that blocks; and the
    lead sentence before it that names only its partners ("X has raised US$38 million in a
    Series B") tells the same round (its amount)."""
    taken = {m.unit for d in drafts for m in d.mentions}
    doc = facts.doc
    for d in drafts:
        if not _is_round(facts, words, d):
            continue  # a licence told beside its licensee's financing takes no investors
        first = min(m.unit for m in d.mentions)
        for k in range(first - 1, max(first - 1 - ROUND_REACH, -1), -1):
            # the lead before "The round was led by ...": "X has raised US$38 million in a Series B"
            unit = facts.units[k]
            if k in taken or unit.line.heading or facts.units[first].line.paragraph - unit.line.paragraph > 1:
                break
            named = {facts.token_org[t] for t in range(unit.start, unit.end) if t in facts.token_org}
            if named and named <= d.partners and _unit_speaks_of_round(facts, words, unit):
                d.extra_units.append(k)
        last = max(m.unit for m in d.mentions)
        for k in range(last + 1, min(last + 1 + ROUND_REACH, len(facts.units))):
            unit = facts.units[k]
            if (k in taken or unit.line.heading or unit.line.paragraph - facts.units[last].line.paragraph > 1
                    or tells_earlier_round(facts, words, unit) or _other_series(facts, unit, d)):
                break
            named = frozenset(facts.token_org[t] for t in range(unit.start, unit.end)
                              if t in facts.token_org and not in_description(facts, doc[t]))
            blocked = any(words.blocks(t) for t in doc[unit.start:unit.end])
            if not named or blocked or not _unit_speaks_of_round(facts, words, unit):
                continue
            d.partners = d.partners | named
            d.extra_units.append(k)
            last = k


def _other_series(facts: DocFacts, unit: Unit, draft: DealDraft) -> bool:
    """The unit names another Series than the round's own ("the Series C+ proceeds" after a Series B)."""
    own = {series_of(facts, facts.units[m.unit]) for m in draft.mentions} - {None}
    other = series_of(facts, unit)
    return other is not None and bool(own) and other not in own


def _without_partial_rounds(facts: DocFacts, words: DealWords, drafts: list[DealDraft]) -> list[DealDraft]:
    """A round told in part elsewhere ("A, B and C join as new investors" under the headline) is
    the round whose investors include them all, unless it states an amount of its own (then it
    may be an earlier round of the same backers)."""
    rounds = [d for d in drafts if _is_round(facts, words, d)]
    out: list[DealDraft] = []
    for d in drafts:
        if (_speaks_of_round(facts, words, d) and any(d.partners < r.partners for r in rounds)
                and not any(find_money(facts.units[m.unit].span(facts.doc).text) for m in d.mentions)):
            continue
        out.append(d)
    return out


def _attach_continuations(facts: DocFacts, words: DealWords, drafts: list[DealDraft]) -> None:
    """Units with no deal of their own that refer back ("The deal ...", "Under the agreement")."""
    latest: dict[int, DealDraft] = {}
    for d in drafts:
        for m in d.mentions:
            latest.setdefault(m.unit, d)
    last: Optional[DealDraft] = None
    last_unit: Optional[Unit] = None
    by_series = {series_of(facts, facts.units[m.unit]): d for d in drafts for m in d.mentions}
    for unit in facts.units:
        if unit.index in latest:
            last, last_unit = latest[unit.index], unit
            continue
        if last is None or last_unit is None:
            continue
        series = series_of(facts, unit)
        if series is not None and by_series.get(series, last) is not last:
            continue  # "the Series C+ proceeds" continue the Series C+ round, not the round told last
        same_paragraph = last_unit.line.paragraph == unit.line.paragraph and not unit.line.heading
        next_paragraph = last_unit.line.paragraph + 1 == unit.line.paragraph and not unit.line.heading
        told_under_heading = any(m.rule == "heading_pair" for m in last.mentions) and not unit.line.heading
        if (told_under_heading or (_refers_back(facts, words, unit, last) and not _names_others(facts, unit, last.partners))
                or (same_paragraph and (_names_only(facts, unit, last.partners) or _refers_to_a_party(facts, words, unit)))
                or (next_paragraph and _opens_paragraph(facts, unit) and _names_only(facts, unit, last.partners))):
            last.extra_units.append(unit.index)
            last_unit = unit  # the follow-up's own paragraph continues the deal


def _opens_paragraph(facts: DocFacts, unit: Unit) -> bool:
    """The unit is the first of its paragraph: "Mesoblast stands to collect up to US$150 million"
    after a paragraph that told its deal continues it."""
    return unit.index == 0 or facts.units[unit.index - 1].line.paragraph != unit.line.paragraph


def _refers_back(facts: DocFacts, words: DealWords, unit: Unit, last: DealDraft) -> bool:
    """"The deal ...", "Under the agreement", "the two firms": the unit continues the last deal;
    a follow-up noun of a kind ("the licence") only a deal of that kind or of no stated kind."""
    kinds = {t for m in last.mentions for t in m.deal_types}
    for tok in facts.doc[unit.start:unit.end]:
        if tok.lemma_.lower() in words.follow_up_nouns and any(c.lower_ in words.follow_up_determiners for c in tok.children):
            kind = words.type_of_follow_up.get(tok.lemma_.lower())
            if kind is None or not kinds or kind in kinds:
                return True
        if tok.lower_ in words.plural_references and any(c.lower_ in words.plural_determiners for c in tok.children):
            counted = _counted(tok)
            if counted is None or counted == len(last.partners):
                return True   # "the two companies" continue a deal of two, not a round of five
    return False


#: number words that count the organisations a plural reference stands for ("the two firms", "both")
COUNT_WORDS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _counted(tok: Token) -> Optional[int]:
    """How many organisations "the two companies" / "both firms" / "the 3 partners" counts, if it says."""
    for c in tok.children:
        if c.lower_ in COUNT_WORDS:
            return COUNT_WORDS[c.lower_]
        if c.like_num and c.text.isdigit():
            return int(c.text)
    return None


def _refers_to_a_party(facts: DocFacts, words: DealWords, unit: Unit) -> bool:
    """The unit's subject is "The company" / "It" / "The firm": a follow-up on the last deal's party."""
    for tok in facts.doc[unit.start:unit.end]:
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.i not in facts.token_org:
            if tok.lower_ in words.it_pronouns or (tok.lemma_.lower() in words.references
                                                   and any(c.lower_ in words.subject_determiners for c in tok.children)):
                return True
    return False


def _names_others(facts: DocFacts, unit: Unit, partners: frozenset[int]) -> bool:
    """The unit names an organisation outside ``partners`` as a subject or a possessor and none of
    them: "For Hengrui, the deal was structured ..." is about another deal than Kailera's round."""
    named = {facts.token_org[t] for t in range(unit.start, unit.end) if t in facts.token_org}
    return bool(named) and not named & partners


def _names_only(facts: DocFacts, unit: Unit, partners: frozenset[int]) -> bool:
    named = {facts.token_org[t] for t in range(unit.start, unit.end) if t in facts.token_org}
    return bool(named) and named <= partners
