"""Which organisations a party token stands for: itself and what is coordinated with it, or,
for "it", "the company", "the two firms", "we", the organisation it refers back to."""

from __future__ import annotations

from typing import Optional, Sequence

from spacy.tokens import Token

from deal_extract.rulefiles.schemas import Description
from deal_extract.deals.descriptions import description_of, fits
from deal_extract.deals.facts import DocFacts
from deal_extract.deals.mentions import Mention
from deal_extract.deals.words import DealWords


def is_reference(facts: DocFacts, tok: Token) -> bool:
    return tok.i not in facts.token_org


def coordinated(tok: Token) -> list[Token]:
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


def same_coordination(a: Token, b: Token) -> bool:
    return b in coordinated(a) or a in coordinated(b)


def resolve(facts: DocFacts, words: DealWords, tok: Token, earlier: Sequence[Mention]) -> list[int]:
    """Organisations a party token stands for: itself and its coordinated or appositive orgs;
    a reference is resolved with the help of the deals found ``earlier``."""
    token_org = facts.token_org
    if tok.i not in token_org and tok.pos_ in ("NOUN", "PROPN"):
        # a descriptor with the organisation in apposition: "its subsidiary, Ichnos Glenmark Innovation,";
        # a mis-parsed head noun carrying the organisation as a modifier: "with Taiwan's Formosa grants"
        modifier = next((c for c in tok.children if c.dep_ in ("appos", "compound", "nmod") and c.i in token_org), None)
        if modifier is not None:
            tok = modifier
    if tok.i in token_org:
        found = [token_org[tok.i]]
        for t in coordinated(tok):
            o = token_org.get(t.i)
            if o is not None and o not in found:
                found.append(o)
        for o in _parenthesised_list(facts, words, tok) + _parallel_objects(facts, tok) + _nested_list(facts, tok):
            if o not in found:
                found.append(o)
        return found
    return _resolve_reference(facts, words, tok, earlier)


def in_description(facts: DocFacts, tok: Token, top: Optional[Token] = None) -> bool:
    """The organisation is named inside a description of another (below ``top``, if given): "X, the venture
    arm of Y," "X, a subsidiary of Z", "Y's X": Y and Z are no partners. An organisation coordinated into
    a list ("..., a subsidiary of Z, and W") is a list item the parser hung there, not described."""
    own = facts.token_org.get(tok.i)
    t, below = tok, None
    while (top is None or t.i != top.i) and t.head.i != t.i:
        if t.dep_ == "poss" and facts.token_org.get(t.head.i, own) != own:
            return True  # "A*STAR's Accelerate Venture Creation": the owner describes the investor
        if t.dep_ == "conj" and t.i in facts.token_org:
            return False
        if t.dep_ == "appos" and t.i not in facts.token_org and t.pos_ == "NOUN" and not (
                below is not None and introduces(facts, t, below)):
            return True
        t, below = t.head, t
    return False


def introduces(facts: DocFacts, noun: Token, name: Token) -> bool:
    """``noun`` is a descriptor directly before the name ``name`` belongs to, which the parser hung
    under it: "private investment firm Highlight Capital" (a list item, not a description)."""
    return (name.head.i == noun.i and name.i > noun.i and name.i in facts.token_org
            and name.dep_ in ("appos", "compound", "nmod")
            and all(t in facts.token_org for t in range(noun.i + 1, name.i)))


def _parallel_objects(facts: DocFacts, tok: Token) -> list[int]:
    """"with A on flu, with B on rabies and with C on polio": the organisations governed by the
    same preposition repeated in coordination, wherever in the phrase the parser hung it."""
    prep = tok.head
    if tok.dep_ != "pobj" or prep.pos_ != "ADP":
        return []
    found: list[int] = []
    for t in prep.subtree:
        if t.dep_ == "conj" and t.pos_ == "ADP" and t.lower_ == prep.lower_:
            for obj in (c for c in t.children if c.dep_ == "pobj"):
                for o in (facts.token_org.get(x.i) for x in [obj, *coordinated(obj)]):
                    if o is not None and o not in found:
                        found.append(o)
    return found


#: words that join the items of a list of names
LIST_JOINERS = frozenset({"and", ",", "&"})


def _nested_list(facts: DocFacts, tok: Token) -> list[int]:
    """"A and B have both worked with C": the organisations listed just before ``tok``'s name,
    joined by "and" (and commas), that the parser hung inside the last name's phrase instead of
    coordinating them (every token of each earlier name has its head between that name and ``tok``)."""
    doc, token_org = facts.doc, facts.token_org
    own = token_org[tok.i]
    start = tok.i
    while start > 0 and token_org.get(start - 1) == own:
        start -= 1
    found: list[int] = []
    while True:
        k = start - 1
        joiners = []
        while k >= 0 and doc[k].lower_ in LIST_JOINERS:
            joiners.append(doc[k].lower_)
            k -= 1
        other = token_org.get(k)
        if not joiners or other is None or other == own or other in found or (not found and "," == joiners[0]):
            return found
        first = k
        while first > 0 and token_org.get(first - 1) == other:
            first -= 1
        if not all(first <= doc[x].head.i <= tok.i for x in range(first, k + 1)):
            return found
        found.append(other)
        start = first


def _parenthesised_list(facts: DocFacts, words: DealWords, tok: Token) -> list[int]:
    """"(with A, B and C)": the organisations after ``tok`` up to the closing parenthesis,
    when the parser split the list."""
    doc, token_org = facts.doc, facts.token_org
    k = tok.i
    while k > 0 and doc[k - 1].i in token_org and token_org[doc[k - 1].i] == token_org[tok.i]:
        k -= 1
    opened = next((t.i for t in doc[max(0, k - 4):k] if t.text == "("), None)
    if opened is None:
        return []
    found: list[int] = []
    k = tok.i + 1
    while k < len(doc) and not doc[k].text.startswith(")"):
        if k in token_org:
            found.append(token_org[k])
        elif doc[k].text not in words.list_connectors and not doc[k].is_space:
            return []
        k += 1
    return found


def _resolve_reference(facts: DocFacts, words: DealWords, tok: Token, earlier: Sequence[Mention]) -> list[int]:
    lemma = tok.lemma_.lower()
    lower = tok.lower_
    unit = facts.unit_of.get(tok.i)
    if unit is None:
        return []
    if lower in words.relative_pronouns and tok.head.dep_ == "relcl":
        described = tok.head.head
        if described.i not in facts.token_org and described.dep_ == "appos" and described.lemma_.lower() in words.references:
            described = described.head  # "X, the investment vehicle that backed Y": X
        if described.i in facts.token_org:
            return resolve(facts, words, described, earlier)  # "X, which bought Y": X
    definite = any(c.lower_ in words.definite for c in tok.children)
    if definite and lower in words.role_of_noun:  # "the licensee", "the buyer"
        return _last_with_role(facts, unit, earlier, words.role_of_noun[lower])
    if lower in words.plural_references or lemma in words.plural_references and definite:
        if lower in words.plural_pronouns or definite:
            return _last_deal_partners(facts, unit, earlier)
        return []
    if lower in words.speaker_pronouns:
        # the company speaking: an interview ("KGBio's Sie Djohan"), a press release
        return [facts.speaker] if facts.speaker is not None else _protagonist(facts, words, tok, unit)
    description = description_of(words.descriptions, tok) if definite else None
    if description is not None:  # "the university", "the CDMO", "the Japanese drugmaker"
        found = _last_described(facts, description, unit, tok)
        if found or description.strict:
            return found
    if lower in words.it_pronouns or (lemma in words.references and definite):
        return _last_subject_org(facts, words, unit, tok)
    owner = next((c for c in tok.children if c.dep_ == "poss" and c.lower_ in words.possessive_pronouns), None)
    if owner is not None:  # "our Series A was led by X", "its partner X"
        return _resolve_reference(facts, words, owner, earlier)
    return []


def _last_with_role(facts: DocFacts, unit: int, earlier: Sequence[Mention], role: str) -> list[int]:
    """The organisation that had ``role`` in the last deal before the unit, within its section."""
    for m in sorted((m for m in earlier if m.unit <= unit), key=lambda m: m.unit, reverse=True):
        if any(facts.units[u].line.heading for u in range(m.unit + 1, unit + 1)):
            break
        found = [o for o, r in m.roles if r == role]
        if found:
            return found[:1]
    return []


def _last_described(facts: DocFacts, description: Description, unit: int, tok: Token) -> list[int]:
    """The organisation of the description named last before ``tok`` in its section (of the
    country the description names, if it names one: for a loose description such as "the
    Prague-based drugmaker" the country alone is enough), not the subject of its own clause."""
    token_org = facts.token_org
    country = _described_country(facts, tok)
    own_clause = _own_clause_subjects(tok)
    for u in range(unit, -1, -1):
        current = facts.units[u]
        for t in reversed(current.span(facts.doc)):
            o = token_org.get(t.i)
            if o is None or t.i >= tok.i or t.i in own_clause:
                continue
            org = facts.orgs[o]
            if country is not None and org["country"] != country:
                continue
            if fits(description, org, facts.text, facts.called.get(o, frozenset())) or (country and not description.strict):
                return [o]  # "the Prague-based drugmaker": its country is enough for a loose description
        if current.line.heading:
            break
    return []


def _last_deal_partners(facts: DocFacts, unit: int, earlier: Sequence[Mention]) -> list[int]:
    para = facts.units[unit].line.paragraph
    for m in sorted(earlier, key=lambda m: -m.unit):
        if m.unit < unit and facts.units[m.unit].line.paragraph in (para, para - 1):
            return sorted(m.partners)
    return []


def _last_subject_org(facts: DocFacts, words: DealWords, unit: int, tok: Token) -> list[int]:
    """What "it" / "the company" stands for: the nearest organisation before it in its paragraph
    (a subject first); at a paragraph's start, the last subject of the paragraph before (not across
    a heading). A description that names a country ("the Japanese drugmaker") takes, when the
    nearest organisation is of another country, the last one of its own in the section."""
    nearest = _nearest_subject_org(facts, words, unit, tok)
    country = _described_country(facts, tok)
    if country is None or any(facts.orgs[o]["country"] in (country, None) for o in nearest):
        return nearest
    return _last_org_of_country(facts, unit, tok, country) or nearest


def _nearest_subject_org(facts: DocFacts, words: DealWords, unit: int, tok: Token) -> list[int]:
    token_org = facts.token_org
    para = facts.units[unit].line.paragraph
    own_clause = _own_clause_subjects(tok)
    for u in range(unit, -1, -1):
        current = facts.units[u]
        if current.line.heading:
            break
        if current.line.paragraph < para - 1:
            break
        span = current.span(facts.doc)
        candidates = [t for t in span if t.i in token_org and (u < unit or t.i < tok.i and t.i not in own_clause)]
        subjects = [t for t in candidates if t.dep_ in ("nsubj", "nsubjpass") or t.head.dep_ in ("nsubj", "nsubjpass") and t.dep_ == "compound"]
        if current.line.paragraph == para:
            pick = subjects or candidates
            if pick:
                return [token_org[pick[0].i]]
        else:
            # at a paragraph's start: the most salient organisation of the paragraph before
            return _most_salient(facts, [v for v in facts.units[:u + 1] if v.line.paragraph == current.line.paragraph]) \
                or _protagonist(facts, words, tok, unit)
    return _protagonist(facts, words, tok, unit)


def _most_salient(facts: DocFacts, span_units: Sequence) -> list[int]:
    """The organisation the units are most about: named most often as a subject (then most
    often at all, then last); none when no organisation is a subject there."""
    token_org = facts.token_org
    score: dict[int, tuple[int, int, int]] = {}
    for u in span_units:
        for t in u.span(facts.doc):
            o = token_org.get(t.i)
            if o is None or (t.head.i in token_org and token_org[t.head.i] == o and t.head.i != t.i):
                continue
            subject = t.dep_ in ("nsubj", "nsubjpass") or t.head.dep_ in ("nsubj", "nsubjpass") and t.dep_ == "compound"
            subj, seen, _ = score.get(o, (0, 0, 0))
            score[o] = (subj + subject, seen + 1, t.i)
    best = max(score, key=score.get, default=None)
    return [best] if best is not None and score[best][0] else []


def _described_country(facts: DocFacts, tok: Token) -> Optional[str]:
    """The country a definite description names: "the Japanese drugmaker", "the Osaka-based firm",
    "the Tokyo company"."""
    for child in tok.children:
        if child.dep_ not in ("amod", "compound", "npadvmod", "nmod"):
            continue
        for t in child.subtree:
            place = next((p for p in facts.places if p[0] <= t.i < p[1]), None)
            if place is not None and place[2]:
                return place[2]
    return None


def _last_org_of_country(facts: DocFacts, unit: int, tok: Token, country: str) -> list[int]:
    """The organisation of that country named last before the description, in its section."""
    token_org = facts.token_org
    for u in range(unit, -1, -1):
        current = facts.units[u]
        found = [t for t in current.span(facts.doc) if t.i in token_org and (u < unit or t.i < tok.i)
                 and facts.orgs[token_org[t.i]]["country"] == country]
        if found:
            return [token_org[found[-1].i]]
        if current.line.heading:
            break
    return []


def _own_clause_subjects(tok: Token) -> set[int]:
    """The subject of the reference's own clause and what is coordinated with it: "X and Y led
    the round" - "the round" is not X or Y (an object noun phrase never stands for its own
    clause's subject; a possessive may)."""
    if tok.dep_ == "poss":
        return set()  # "Hikari will supply its lines": a possessive may be its clause's subject
    verb = tok.head
    while verb.dep_ in ("prep", "pobj", "dobj", "attr") and verb.head.i != verb.i:
        verb = verb.head
    out: set[int] = set()
    for subject in (c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i != tok.i):
        out.update(t.i for t in subject.subtree)
    return out


def _protagonist(facts: DocFacts, words: DealWords, tok: Token, unit: int) -> list[int]:
    """The article's protagonist: the most mentioned organisation named before the reference
    (and not in the reference's own unit), if it is mentioned often enough."""
    token_org = facts.token_org
    before = {o for t, o in token_org.items() if t < tok.i}
    own = facts.units[unit]
    unit_orgs = {token_org[t] for t in range(own.start, own.end) if t in token_org}
    pool = before - unit_orgs
    if not pool:
        return []
    top = max(pool, key=lambda o: len(facts.orgs[o]["mentions"]))
    return [top] if len(facts.orgs[top]["mentions"]) >= words.scores.protagonist_min_mentions else []
