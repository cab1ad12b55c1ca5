"""The seller of an acquisition is a partner when the text names it (SPEC section 6, role
``seller``): "X bought Y from Z", "X agreed to buy a majority of Y from Z", "Z sold Y to X"."""

from __future__ import annotations

from typing import Iterator, Sequence

from spacy.tokens import Token

from deal_extract.deals.facts import DocFacts
from deal_extract.deals.mentions import Mention
from deal_extract.deals.references import coordinated, in_description
from deal_extract.deals.words import DealWords

ACQUISITION = "acquisition"
SELLER = "seller"
#: the prepositions that name who sold: "from Z", "off Z"
FROM = frozenset({"from"})
#: how far below the purchase verb the "from" may hang ("take a majority stake in Y from Z":
#: verb, stake, in, Y, from)
FROM_DEPTH = 5
#: the roles of an acquisition's parties in the relation patterns
ACQUISITION_ROLES = frozenset({"buyer", "target"})


def with_sellers(facts: DocFacts, words: DealWords, mentions: Sequence[Mention]) -> list[Mention]:
    """Each acquisition mention with the sellers its own clause names added as partners, and
    with those a later sentence names ("The sellers are A and B")."""
    return _with_stated_sellers(facts, words, _with_clause_sellers(facts, words, mentions))


def _with_clause_sellers(facts: DocFacts, words: DealWords, mentions: Sequence[Mention]) -> list[Mention]:
    out = []
    for m in mentions:
        sellers = set(_sellers(facts, words, m)) - m.partners if _acquisition(facts, m) and m.anchor is not None else set()
        if sellers:
            m = Mention(m.partners | sellers, m.unit, m.confidence, m.rule, m.deal_types, m.anchor,
                        m.roles + tuple((s, SELLER) for s in sorted(sellers)))
        out.append(m)
    return out


#: the verbs of a purchase: a stake bought "from Z" has a seller too
PURCHASE_VERBS = frozenset({"buy", "acquire", "purchase", "take"})


def _acquisition(facts: DocFacts, m: Mention) -> bool:
    if ACQUISITION in m.deal_types or any(role in ACQUISITION_ROLES for _, role in m.roles):
        return True
    return m.anchor is not None and facts.doc[m.anchor].lemma_.lower() in PURCHASE_VERBS


def _sellers(facts: DocFacts, words: DealWords, m: Mention) -> Iterator[int]:
    trigger = facts.doc[m.anchor]
    if trigger.lemma_.lower() in words.sell_verbs:
        for c in trigger.children:
            if c.dep_ == "nsubj":
                yield from _orgs(facts, c)
    for prep in _from_preps(trigger, FROM_DEPTH):
        for obj in (c for c in prep.children if c.dep_ == "pobj"):
            yield from _orgs(facts, obj)
    for t in trigger.subtree:   # "took control of Y, buying out the minority investors A and B"
        if t.lemma_.lower() == "buy" and any(c.dep_ == "prt" and c.lower_ == "out" for c in t.children):
            for obj in (c for c in t.children if c.dep_ == "dobj"):
                yield from _orgs_in_phrase(facts, obj)


def _from_preps(tok: Token, depth: int) -> Iterator[Token]:
    """"from" prepositions on the verb or on its objects, not inside a clause of its own."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in FROM:
            yield c
        elif depth > 1 and c.dep_ in ("dobj", "pobj", "prep", "npadvmod", "attr"):
            yield from _from_preps(c, depth - 1)


def _orgs(facts: DocFacts, tok: Token) -> Iterator[int]:
    for t in [tok, *coordinated(tok)]:
        org = facts.token_org.get(t.i)
        if org is not None and not in_description(facts, t) and not facts.orgs[org].get("exchange"):
            yield org


#: units after an acquisition within which "The seller is X" names its seller
STATED_REACH = 6


def _with_stated_sellers(facts: DocFacts, words: DealWords, mentions: list[Mention]) -> list[Mention]:
    """"The seller is Z" / "The sellers are Y and Z" (a role noun of ``role_nouns.seller`` as
    the subject of "be"): Z joins the acquisition told in the sentences just before."""
    seller_nouns = {noun for noun, role in words.role_of_noun.items() if role == SELLER}
    for unit in facts.units:
        named = [org for t in facts.doc[unit.start:unit.end]
                 if t.lemma_.lower() in seller_nouns and t.dep_ == "nsubj" and t.head.lemma_ == "be"
                 for attr in t.head.children if attr.dep_ == "attr" for org in _orgs(facts, attr)]
        if not named:
            continue
        before = [m for m in mentions if unit.index - STATED_REACH <= m.unit < unit.index and _acquisition(facts, m)]
        if not before:
            continue
        target = max(before, key=lambda m: m.unit).partners
        sellers = frozenset(named) - target
        mentions = [Mention(m.partners | sellers, m.unit, m.confidence, m.rule, m.deal_types, m.anchor,
                            m.roles + tuple((s, SELLER) for s in sorted(sellers))) if m.partners == target else m
                    for m in mentions]
    return mentions


def _orgs_in_phrase(facts: DocFacts, head: Token) -> Iterator[int]:
    """The organisations a noun phrase names, however the parser hung its list ("the minority
    investors A and B"), not those inside its prepositional or relative parts."""
    for t in head.subtree:
        path = [a for a in t.ancestors if a.i != head.i and head.i in {x.i for x in a.ancestors}]
        if any(a.dep_ in ("prep", "relcl", "acl") for a in [t, *path]):
            continue
        org = facts.token_org.get(t.i)
        if org is not None and not facts.orgs[org].get("exchange"):
            yield org
