"""A financing round told over several sentences: one deal of the company and every investor.

"X has raised $46 million by extending its Series B, with A again taking the lead." (the lead
sentence: a raise verb whose subject is the company, or a round noun "in X" / "X's round"),
then "B, C and D joined the extension." and "Two investors also came in: E and F." (roster
sentences: a participation word, within ``rounds.reach`` sentences of the lead, in its
paragraph or the next). The roster ends where another round is told ("an earlier round",
"the original tranche", another Series letter in the main clause) or another company raises.
Organisations named only to describe an investor ("the venture arm of Y", "which manages
funds for Z", "Y-linked") are not investors.
"""

from __future__ import annotations

from typing import Optional, Sequence

from spacy.tokens import Token

from deal_extract.deals.facts import DocFacts
from deal_extract.deals.mentions import Mention, mention
from deal_extract.deals.references import in_description, introduces
from deal_extract.deals.units import Unit
from deal_extract.deals.words import DealWords

RULE = "round_roster"
ROUND_TYPE = "investment"
#: the dependency labels of clauses that describe a name rather than tell the round
DESCRIBING = frozenset({"relcl", "appos", "acl"})


def round_mentions(facts: DocFacts, words: DealWords, earlier: Sequence[Mention]) -> list[Mention]:
    """One mention per round whose lead sentence names the company and whose lead or roster
    sentences name investors; anchored on the lead sentence."""
    rw = words.rounds
    rounds: list[tuple[int, Optional[str], int, set[int]]] = []   # company, series, lead unit, investors
    taken: set[int] = set()
    for unit in facts.units:
        if unit.index in taken or unit.line.heading:
            continue
        lead = _raising_company(facts, words, unit)
        if lead is None:
            continue
        company, series, root = lead
        investors = _investors(facts, words, unit, company, _own_clause(root))
        last = unit
        k = unit.index + 1
        while k < len(facts.units) and k - last.index <= rw.reach:
            nxt = facts.units[k]
            if nxt.line.heading or nxt.line.paragraph - last.line.paragraph > 1:
                break
            if _another_round(facts, words, nxt, company, series):
                break
            if _roster(facts, words, nxt):
                investors |= _investors(facts, words, nxt, company)
                taken.add(k)
                last = nxt
            k += 1
        same = next((r for r in rounds if r[0] == company and _same_round(facts, r, series, unit)), None)
        if same is not None:   # the headline's round told again in the body
            same[3].update(investors)
        else:
            rounds.append((company, series, unit.index, investors))
    out: list[Mention] = []
    for company, _, anchor, investors in rounds:
        roles = ((company, "investee"), *((i, "investor") for i in sorted(investors)))
        out += mention({company} | investors, anchor, words.scores.round_roster, RULE, (ROUND_TYPE,), roles=roles)
    return out


#: paragraphs after a round's lead within which a lead with no Series letter retells it
#: (headline, standfirst, dateline paragraph)
RETELL_PARAGRAPHS = 2


def _same_round(facts: DocFacts, earlier: tuple, series: Optional[str], unit: Unit) -> bool:
    """A second lead of the same company tells the same round: the same Series letter, or no
    letter and close to the first lead."""
    if earlier[1] is not None and series is not None:
        return earlier[1] == series
    return unit.line.paragraph - facts.units[earlier[2]].line.paragraph <= RETELL_PARAGRAPHS


def _main_clause(facts: DocFacts, unit: Unit) -> list[Token]:
    """The unit's tokens outside relative clauses and outside descriptions in apposition ("X, the
    venture arm of Y"); a name in apposition to a name is a list item the parser hung there."""
    return facts.remember(("main clause", unit.index), lambda: _outside_descriptions(facts, unit))


def _outside_descriptions(facts: DocFacts, unit: Unit) -> list[Token]:
    doc = facts.doc
    described: dict[int, bool] = {}

    def inside(t: Token) -> bool:
        """``t`` or one of its ancestors from the unit's start on describes (memoised per token)."""
        path = []
        while t.i not in described:
            path.append(t.i)
            if t.i >= unit.start and _describes(facts, t):
                hit = True
                break
            if t.head.i == t.i:
                hit = False
                break
            t = t.head
        else:
            hit = described[t.i]
        described.update(dict.fromkeys(path, hit))
        return hit
    return [t for t in doc[unit.start:unit.end] if not inside(t)]


def _describes(facts: DocFacts, tok: Token) -> bool:
    """``tok`` heads a description of a name ("X, the venture arm of Y"; "X, which ..."), not a
    list item introduced by a descriptor ("X, private investment firm Y and Z": "firm" names Y)."""
    if tok.dep_ == "relcl" or (tok.dep_ == "acl" and tok.head.i in facts.token_org):
        return True
    return (tok.dep_ == "appos" and tok.pos_ == "NOUN" and tok.i not in facts.token_org
            and not any(introduces(facts, tok, c) for c in tok.children))


def _series(tokens: Sequence[Token]) -> Optional[str]:
    """The letter of "Series B" (or "Series A2", "Series C+"), if the tokens name one."""
    for t in tokens:
        if t.lower_ == "series" and t.i + 1 < len(t.doc):
            nxt = t.doc[t.i + 1]
            if nxt.text[:1].isupper() and len(nxt.text) <= 3:
                return nxt.text.upper()
    return None


def _one_round(words: DealWords, tok: Token) -> bool:
    """A round noun that names one round: not plural, and not what a plural one is made of
    ("several rounds of private financing")."""
    if not _is_round_noun(words, tok) or tok.tag_ == "NNS":
        return False
    return not (tok.head.lower_ == "of" and tok.head.head.tag_ == "NNS" and _is_round_noun(words, tok.head.head))


def _is_round_noun(words: DealWords, tok: Token) -> bool:
    return tok.lemma_.lower() in words.rounds.round_nouns or tok.lower_ in words.rounds.round_nouns


def _org(facts: DocFacts, tok: Token) -> Optional[int]:
    return facts.token_org.get(tok.i)


def _raising_company(facts: DocFacts, words: DealWords, unit: Unit) -> Optional[tuple[int, Optional[str], Token]]:
    """The company that raises the round of this unit, the round's Series letter, and the
    root of the clause that tells it."""
    rw = words.rounds
    doc = facts.doc
    tokens = _main_clause(facts, unit)
    if not any(_one_round(words, t) for t in tokens):
        return None   # no round, or only a history of them ("has completed several rounds of financing")
    if tells_earlier_round(facts, words, unit):
        return None   # "an earlier round": background, not the round being told
    series = _series(tokens)
    for t in tokens:
        if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in rw.raise_verbs:
            org = next((o for o in (_subject_org(facts, words, c) for c in t.children
                                    if c.dep_ in ("nsubj", "nsubjpass")) if o is not None), None)
            if org is not None and (any(_is_round_noun(words, d) for d in t.subtree) or t.lemma_.lower() == "raise"):
                return org, series, t
        if _is_round_noun(words, t):
            for c in t.children:
                if c.dep_ == "poss" and _org(facts, c) is not None:
                    return _org(facts, c), series, _clause_root(t)
                if c.dep_ == "prep" and c.lower_ in ("in", "into", "of", "for"):
                    obj = next((o for o in c.children if o.dep_ == "pobj"), None)
                    if obj is not None and _org(facts, obj) is not None:
                        return _org(facts, obj), series, _clause_root(t)
    del doc
    return None


def _clause_root(tok: Token) -> Token:
    """The verb whose clause holds ``tok`` (the sentence root if none)."""
    for a in [tok, *tok.ancestors]:
        if a.pos_ in ("VERB", "AUX"):
            return a
    return tok.sent.root


def _own_clause(root: Token) -> set[int]:
    """The tokens of ``root``'s clause, without the clauses joined to it that have a subject of
    their own ("X raises $38m; Y to distribute Z's device")."""
    skip: set[int] = set()
    for c in root.children:
        if c.dep_ in ("conj", "parataxis", "ccomp", "advcl") and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children):
            skip.update(t.i for t in c.subtree)
    return {t.i for t in root.subtree} - skip


def _subject_org(facts: DocFacts, words: DealWords, subject: Token) -> Optional[int]:
    """The organisation a subject names: itself, a name in apposition or compound to its head
    noun ("Sydney developer AdvanCell"), or, for "it" / "the company", the subject of the
    reporting verb above ("X said it had raised")."""
    org = _org(facts, subject)
    if org is not None:
        return org
    for c in subject.children:
        if c.dep_ in ("appos", "compound", "nmod") and _org(facts, c) is not None:
            return _org(facts, c)
    if subject.lower_ in words.it_pronouns or subject.lemma_.lower() in words.references:
        for verb in subject.ancestors:
            above = next((c for c in verb.children if c.dep_ == "nsubj" and c.i != subject.i), None)
            if above is not None and verb.lemma_.lower() in words.reporting_verbs:
                return _subject_org(facts, words, above) if above.i != subject.i else None
    return None


def _participates(words: DealWords, tokens: Sequence[Token]) -> bool:
    rw = words.rounds
    return any(t.lemma_.lower() in rw.participation or t.lower_ in rw.participation for t in tokens)


def _roster(facts: DocFacts, words: DealWords, unit: Unit) -> bool:
    """A sentence that names investors of the round before it: a participation word, and no
    word that blocks a deal."""
    tokens = list(facts.doc[unit.start:unit.end])
    return _participates(words, tokens) and not any(words.blocks(t) for t in tokens)


def series_of(facts: DocFacts, unit: Unit) -> Optional[str]:
    """The Series letter the unit's main clause names ("the Series C+ proceeds"), if any."""
    return _series(_main_clause(facts, unit))


def tells_earlier_round(facts: DocFacts, words: DealWords, unit: Unit) -> bool:
    """The sentence's main clause speaks of an earlier round ("led an earlier Series A round",
    "the original tranche")."""
    return any(t.lower_ in words.rounds.earlier
               and any(_is_round_noun(words, a) for a in [t.head, *list(t.head.ancestors)[:2]])
               for t in _main_clause(facts, unit))


def _another_round(facts: DocFacts, words: DealWords, unit: Unit, company: int, series: Optional[str]) -> bool:
    """The sentence tells another round: an earlier one, another Series letter, or another
    company raising."""
    tokens = _main_clause(facts, unit)
    if tells_earlier_round(facts, words, unit):
        return True
    other = _series(tokens)
    if other is not None and series is not None and other != series:
        return True
    lead = _raising_company(facts, words, unit)
    return lead is not None and lead[0] != company


def _investors(facts: DocFacts, words: DealWords, unit: Unit, company: int, within: Optional[set[int]] = None) -> set[int]:
    """The organisations a lead or roster sentence names as investors: every organisation of
    its main clause (of ``within``, the lead's own clause) but the company, those that only
    describe another ("the arm of Y", "Y's fund", "according to Y") and exchanges."""
    found: set[int] = set()
    for t in _main_clause(facts, unit):
        org = _org(facts, t)
        if org is None or org == company or facts.orgs[org].get("exchange") or (within is not None and t.i not in within):
            continue
        if any(a.lower_ in words.attribution_words for a in t.ancestors):
            continue
        if in_description(facts, t) or _described_by_of(facts, words, t) or _hyphen_modifier(t):
            continue
        found.add(org)
    return found


def _hyphen_modifier(tok: Token) -> bool:
    """"the Temasek-linked venture builder": a name glued by a hyphen to a participle describes."""
    doc = tok.doc
    return (tok.i + 2 < len(doc) and doc[tok.i + 1].text == "-" and not tok.whitespace_
            and doc[tok.i + 2].pos_ in ("VERB", "ADJ") and doc[tok.i + 2].dep_ in ("amod", "compound"))


def _described_by_of(facts: DocFacts, words: DealWords, tok: Token) -> bool:
    """"the venture arm of Y", "the investment platform of Y": Y names whose the investor is."""
    head = tok
    while head.dep_ in ("compound", "flat", "amod") and head.head.i != head.i:
        head = head.head
    if head.dep_ != "pobj" or head.head.lower_ not in ("of", "for", "by"):
        return False
    noun = head.head.head
    return (noun.pos_ in ("NOUN", "PROPN") and _org(facts, noun) is None
            and not _is_round_noun(words, noun) and noun.lemma_.lower() not in words.rounds.participation)
