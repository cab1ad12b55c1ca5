"""The deal details of SPEC section 6, read from a deal's own sentences: each partner's role,
the status (agreed, completed, ended), when it was announced, the assets it covers, and its
upfront and milestone terms.

Roles come from the rules that read the deal (a relation pattern names its parties' roles; a
round has an investee and investors); a deal that is only a collaboration has collaborators.
The status, the date and the assets are read from the sentences that report the deal; the date
with ``dateparser``, against the article's own date for "on Tuesday" or "last week".
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Optional, Sequence

from spacy.tokens import Token

from deal_extract.deals.facts import DocFacts
from deal_extract.deals.values import Money
from deal_extract.deals.words import DealWords
from deal_extract.text import structure

#: the relation patterns' role names, as SPEC section 6 names them
ROLE_NAMES = {"buyer": "acquirer", "acquirer": "acquirer", "target": "target", "seller": "seller",
              "licensor": "licensor", "licensee": "licensee", "investor": "investor", "investee": "investee",
              "provider": "provider", "client": "client", "collaborator": "collaborator"}
#: deal types whose partners are all collaborators when no rule named their roles
SYMMETRIC_TYPES = frozenset({"co_development"})
#: a code name of a drug, device or programme: "SRB-301", "LCB84", "AGA2115", "HBM7022"
CODE_NAME = re.compile(r"^(?:[A-Z]{1,6}-?\d{2,}[A-Za-z0-9-]*|[A-Z]+\d+[A-Z]\d*)$")
#: words inside a date entity that make it a span of time, not a date ("10 years", "three months")
DURATION_WORDS = frozenset({"year", "years", "month", "months", "week", "weeks", "day", "days", "decade",
                            "decades", "quarter", "quarters", "period", "annual", "annually"})
#: words before a date entity that make it a term or a deadline, not the deal's date
NOT_WHEN = frozenset({"until", "through", "to", "by", "till", "since", "before", "from"})
PRECISION = {"day": 10, "month": 7, "year": 4}
TERM_WINDOW = 40   # characters around an amount within which "upfront" / "milestones" name it


def roles(facts: DocFacts, mentions: Sequence, partners: Sequence[int], types: set[str]) -> dict[int, Optional[str]]:
    """Each partner's SPEC role, or None where no rule says."""
    found: dict[int, str] = {}
    for m in sorted(mentions, key=lambda m: -m.confidence):
        for org, role in m.roles:
            if org in partners and role in ROLE_NAMES:
                found.setdefault(org, ROLE_NAMES[role])
    if not found and types and types <= SYMMETRIC_TYPES:
        return {p: "collaborator" for p in partners}
    return {p: found.get(p) for p in partners}


def status(facts: DocFacts, words: DealWords, own: Sequence[int], extra: Sequence[int] = ()) -> str:
    """"ended" when the deal's own sentences (or a follow-up right after one of them, in its
    paragraph) say it ended, "completed" when they say it closed, else "agreed"."""
    w = words.details
    phrasal = {tuple(p) for p in w.ended_phrasal}
    near = [u for u in extra if any(0 < u - o <= 1 and facts.units[u].line.paragraph == facts.units[o].line.paragraph
                                     for o in own)]
    done = False
    for u in [*own, *near]:
        unit = facts.units[u]
        for t in facts.doc[unit.start:unit.end]:
            lemma = t.lemma_.lower()
            if lemma in w.ended or any((lemma, c.lower_) in phrasal for c in t.children if c.dep_ in ("prt", "advmod")):
                return "ended"
    for u in [*own, *extra]:
        unit = facts.units[u]
        for t in facts.doc[unit.start:unit.end]:
            if t.lemma_.lower() in w.completed and t.pos_ in ("VERB", "NOUN") and not _not_yet(w.not_yet, t):
                done = True
    return "completed" if done else "agreed"


def _not_yet(not_yet: Sequence[str], tok: Token) -> bool:
    """"expected to close", "will complete", "subject to completion": a plan, not a fact."""
    near = [*tok.children, *list(tok.ancestors)[:2]]
    return any(t.lemma_.lower() in not_yet or t.lower_ in not_yet for t in near)


def announced(facts: DocFacts, units: Sequence[int]) -> Optional[str]:
    """The first date the deal's sentences give, at the precision they give it."""
    published = _published(facts.text)
    for u in units:
        unit = facts.units[u]
        for ent in facts.doc[unit.start:unit.end].ents:
            if ent.label_ != "DATE" or any(t.lower_ in DURATION_WORDS for t in ent):
                continue
            if ent.start > 0 and facts.doc[ent.start - 1].lower_ in NOT_WHEN:
                continue
            value = parse_date(ent.text, published)
            if value is not None:
                return value
    return None


@lru_cache(maxsize=64)
def _published(text: str) -> Optional[dt.date]:
    return structure.published(text)


@lru_cache(maxsize=4096)
def parse_date(text: str, published: Optional[dt.date]) -> Optional[str]:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` for a date as written ("in May 2023", "on
    Tuesday"); relative dates only against the article's own date."""
    parser = _parser(published)
    data = parser.get_date_data(text)
    if data is None or data.date_obj is None or data.period not in PRECISION:
        return None
    has_year = any(len(w) == 4 and w.isdigit() for w in text.replace(",", " ").split())
    if not has_year and published is None:
        return None   # "on Tuesday", "Oct 19": the year would be a guess
    return data.date_obj.date().isoformat()[: PRECISION[data.period]]


@lru_cache(maxsize=8)
def _parser(published: Optional[dt.date]):
    from dateparser.date import DateDataParser  # imported on first use: start-up time

    settings = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "current_period", "STRICT_PARSING": False}
    if published is not None:
        settings["RELATIVE_BASE"] = dt.datetime(published.year, published.month, published.day)
    return DateDataParser(languages=["en"], settings=settings)


def assets(facts: DocFacts, units: Sequence[int]) -> list[str]:
    """The code names the deal's sentences give ("SRB-301", "LCB84"), in order, once each."""
    found: dict[str, None] = {}
    for u in units:
        unit = facts.units[u]
        for t in facts.doc[unit.start:unit.end]:
            if t.i not in facts.token_org and CODE_NAME.match(t.text) and not t.like_num:
                found.setdefault(t.text, None)
    return list(found)


def terms(facts: DocFacts, words: DealWords, amounts: Sequence[Money], value: Optional[Money]) -> dict:
    """``upfront``, ``milestones`` and ``total`` money objects (or None)."""
    w = words.details
    text = facts.text
    upfront = milestones = None
    for a in amounts:
        if a.conversion:
            continue
        around = (text[max(0, a.start - TERM_WINDOW):a.start] + " " + text[a.end:a.end + TERM_WINDOW]).lower()
        after = text[a.end:a.end + TERM_WINDOW].lower()
        if upfront is None and any(word in around for word in w.upfront):
            upfront = a
        elif milestones is None and any(word in after for word in w.milestones):
            milestones = a
    return {"upfront": upfront.as_dict() if upfront else None,
            "milestones": milestones.as_dict() if milestones else None,
            "total": value.as_dict() if value else None}
