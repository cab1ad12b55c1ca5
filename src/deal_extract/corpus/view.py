"""The corpus view of many article records: one organisation per real organisation, one deal per agreement.

:func:`build_corpus` applies the rules of :mod:`deal_extract.corpus.identity` to article records
(SPEC section 1) and returns a :class:`Corpus`, which :mod:`deal_extract.corpus.database` writes to
SQLite and :mod:`deal_extract.corpus.outputs` to ``corpus_deals.csv``::

    corpus = build_corpus(results, texts={"a.txt": text})   # texts give the short forms used
    corpus.to_frame()                                        # pandas, one row per corpus deal
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Iterable, Mapping, Optional, Sequence

from pydantic import BaseModel, Field

from deal_extract.corpus.frames import to_frame
from deal_extract.corpus.identity import (
    OrganisationIdentity, agreement_overlap, base_deal_id, best_supported_value, legal_words, split_deal_id,
)
from deal_extract.records import ArticleResult, Deal, Evidence, OrganisationEntry, Value
from deal_extract.vocab import DealTypeId, OrgKind, ThemeId


class CorpusArticle(BaseModel):
    source: str
    title: Optional[str] = None
    published: Optional[dt.date] = None
    sha256: Optional[str] = None
    status: str = "ok"


class CorpusOrganisation(BaseModel):
    org_id: str
    name: str = Field(description="the curated name, else the commonest spelling of the fullest name")
    country: Optional[str] = None
    kind: OrgKind = "company"
    names: list[str] = Field(default_factory=list, description="every name the articles use for it")


class CorpusPartner(BaseModel):
    org_id: str
    name: str
    country: Optional[str] = None
    role: Optional[str] = None   # SPEC section 6, from the strongest report that gives one


class CorpusSource(BaseModel):
    """One article's report of a corpus deal."""

    source: str
    article_deal_id: str
    published: Optional[dt.date] = None
    title: Optional[str] = None
    evidence: Evidence
    confidence: float
    value: Optional[Value] = None


class CorpusDeal(BaseModel):
    deal_id: str
    partners: list[CorpusPartner]
    themes: list[ThemeId] = Field(default_factory=list)
    deal_types: list[DealTypeId] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    value: Optional[Value] = None
    first_published: Optional[dt.date] = None
    last_published: Optional[dt.date] = None
    sources: list[CorpusSource] = Field(default_factory=list)
    # SPEC section 6: ended if any report says so, completed if any says it closed
    status: str = "agreed"
    announced: Optional[str] = None
    assets: list[str] = Field(default_factory=list)
    upfront: Optional[Value] = None
    value_usd: Optional[float] = None

    @property
    def n_sources(self) -> int:
        return len({s.source for s in self.sources})

    @property
    def year(self) -> Optional[int]:
        """The deal's year: of its ``announced`` date, else of its first report."""
        if self.announced:
            return int(self.announced[:4])
        return self.first_published.year if self.first_published else None

    def row(self) -> dict[str, Any]:
        """A flat dict (lists kept as lists), the row of :meth:`Corpus.to_frame`."""
        return {
            "deal_id": self.deal_id,
            "partners": [p.name for p in self.partners],
            "partner_ids": [p.org_id for p in self.partners],
            "partner_countries": [p.country for p in self.partners],
            "themes": list(self.themes),
            "deal_types": list(self.deal_types),
            "territories": list(self.territories),
            "value_amount": self.value.amount if self.value else None,
            "value_currency": self.value.currency if self.value else None,
            "value_text": self.value.text if self.value else None,
            "first_published": self.first_published,
            "last_published": self.last_published,
            "n_sources": self.n_sources,
            "sources": sorted({s.source for s in self.sources}),
            "partner_roles": [p.role for p in self.partners],
            "status": self.status,
            "announced": self.announced,
            "assets": list(self.assets),
            "upfront_amount": self.upfront.amount if self.upfront else None,
            "upfront_currency": self.upfront.currency if self.upfront else None,
            "value_usd": self.value_usd,
        }


DEAL_COLUMNS = ("deal_id", "partners", "partner_ids", "partner_countries", "themes", "deal_types", "territories",
                "value_amount", "value_currency", "value_text", "first_published", "last_published", "n_sources",
                "sources", "partner_roles", "status", "announced", "assets", "upfront_amount", "upfront_currency",
                "value_usd")


class ArticleOrganisation(BaseModel):
    source: str
    org_id: str
    name: str = Field(description="as the article names it")


class Corpus(BaseModel):
    articles: list[CorpusArticle] = Field(default_factory=list)
    organisations: list[CorpusOrganisation] = Field(default_factory=list)
    deals: list[CorpusDeal] = Field(default_factory=list)
    article_organisations: list[ArticleOrganisation] = Field(default_factory=list)

    def to_frame(self):
        """The corpus deals as a pandas DataFrame (``pip install pandas``), one row per deal, indexed by ``deal_id``."""
        return to_frame([d.row() for d in self.deals], index="deal_id", columns=DEAL_COLUMNS)


# --- building ----------------------------------------------------------------------------

def other_names(result: ArticleResult, text: Optional[str]) -> dict[str, list[str]]:
    """Per organisation of an article, the other names the text uses for it (from its mentions)."""
    found: dict[str, list[str]] = {}
    if not text:
        return found
    for org in result.organisations:
        names = {" ".join(text[s:e].split()) for s, e in org.mentions if 0 <= s < e <= len(text)}
        found[org.name] = sorted(n for n in names if n and n != org.name)
    return found


def curated_from(patterns) -> tuple[list[OrganisationEntry], list[str]]:
    """The curated organisations and the countries' legal forms of a :class:`~deal_extract.rulefiles.loader.Patterns`.

    ``None`` means the packaged patterns; anything else (a stand-in without rule files) gives none.
    """
    from deal_extract.rulefiles.loader import Patterns

    if patterns is None:
        patterns = Patterns()
    if not isinstance(patterns, Patterns):
        return [], []
    return list(patterns.organisations), [form for c in patterns.countries.countries for form in c.legal_forms]


def build_corpus(
    results: Iterable[ArticleResult],
    texts: Optional[Mapping[str, str]] = None,
    articles: Optional[Mapping[str, CorpusArticle]] = None,
    curated: Sequence[OrganisationEntry] = (),
    country_legal_forms: Iterable[str] = (),
) -> Corpus:
    """The corpus of some article records.

    ``texts`` (source -> article text) let the short forms an article defines join its
    organisations across articles; ``articles`` (source -> row) carries each input's sha256
    and status; ``curated`` are the curated organisations (``Patterns.organisations``).
    """
    results = sorted(results, key=lambda r: r.source)
    texts = texts or {}
    identity = OrganisationIdentity(curated, legal_words(country_legal_forms))
    for result in results:
        names = other_names(result, texts.get(result.source))
        listed = set()
        for org in result.organisations:
            identity.observe(org.name, org.country, org.kind, names.get(org.name, ()))
            listed.add(org.name)
        for deal in result.deals:  # a partner the organisation list left out still needs an id
            for p in deal.partners:
                if p.name not in listed:
                    identity.observe(p.name, p.country)
                    listed.add(p.name)
    groups = identity.resolve()
    organisations = [CorpusOrganisation(org_id=g.org_id, name=g.name, country=g.country, kind=g.kind, names=g.names)
                     for g in groups.values()]
    deals = _corpus_deals(results, identity)
    named = [ArticleOrganisation(source=r.source, org_id=identity.org_id(o.name), name=o.name)
             for r in results for o in r.organisations]
    rows = dict(articles or {})
    listed_articles = [rows.pop(r.source, CorpusArticle(source=r.source)).model_copy(
        update={"title": r.title, "published": r.published}) for r in results]
    listed_articles += rows.values()  # inputs without a record (failed)
    return Corpus(articles=sorted(listed_articles, key=lambda a: a.source), organisations=organisations, deals=deals,
                  article_organisations=named)


def _corpus_deals(results: Sequence[ArticleResult], identity: OrganisationIdentity) -> list[CorpusDeal]:
    by_partners: dict[tuple[str, ...], list[tuple[ArticleResult, Deal]]] = defaultdict(list)
    for result in results:
        for deal in result.deals:
            ids = tuple(sorted({identity.org_id(p.name) for p in deal.partners}))
            by_partners[ids].append((result, deal))
    groups = identity.groups()
    deals = []
    for ids, reports in by_partners.items():
        partners = [CorpusPartner(org_id=i, name=groups[i].name if i in groups else i,
                                  country=groups[i].country if i in groups else None) for i in ids]
        for deal_id, members in _agreements(ids, reports):
            deals.append(_merge(deal_id, [p.model_copy() for p in partners], members, identity.org_id))
    return sorted(deals, key=lambda d: ([p.name.casefold() for p in d.partners], d.deal_id))


def _labels(deal: Deal) -> set[str]:
    return set(deal.themes) | set(deal.deal_types)


def _agreements(ids: tuple[str, ...], reports: list[tuple[ArticleResult, Deal]]):
    """Split the reports of one partner set into agreements: see :mod:`deal_extract.corpus.identity`."""
    base = base_deal_id(ids)
    per_article: dict[str, list[tuple[ArticleResult, Deal]]] = defaultdict(list)
    for result, deal in reports:
        per_article[result.source].append((result, deal))
    anchor_source = max(sorted(per_article), key=lambda s: len(per_article[s]))
    anchors = sorted(per_article[anchor_source], key=lambda rd: rd[1].evidence.start)
    if len(anchors) < 2:
        return [(base, reports)]
    ids_ = [base] + [split_deal_id(base, anchor_source, d.id) for _, d in anchors[1:]]
    members: list[list[tuple[ArticleResult, Deal]]] = [[a] for a in anchors]
    for result, deal in reports:
        if result.source == anchor_source:
            continue
        best = max(range(len(anchors)), key=lambda k: (agreement_overlap(_labels(deal), _labels(anchors[k][1])), -k))
        members[best].append((result, deal))
    return list(zip(ids_, members))


STATUS_ORDER = ("agreed", "completed", "ended")


def _details(partners: list[CorpusPartner], members: list[tuple[ArticleResult, Deal]],
             org_id) -> dict[str, Any]:
    """The SPEC section 6 fields of a corpus deal: each from the strongest report that gives it
    (roles per partner, the date, the upfront, the dollar value); assets the union; the status
    the furthest any report gives (a report of the end outranks one of the signing)."""
    strongest = [d for _, d in sorted(members, key=lambda rd: -rd[1].confidence)]
    for p in partners:
        p.role = next((q.role for d in strongest for q in d.partners if q.role and org_id(q.name) == p.org_id), None)
    return {
        "status": max((d.status for d in strongest), key=STATUS_ORDER.index, default="agreed"),
        "announced": next((d.announced for d in strongest if d.announced), None),
        "assets": list(dict.fromkeys(a for d in strongest for a in d.assets)),
        "upfront": next((d.terms.upfront for d in strongest if d.terms.upfront), None),
        "value_usd": next((d.value_usd for d in strongest if d.value_usd is not None), None),
    }


def _merge(deal_id: str, partners: list[CorpusPartner], members: list[tuple[ArticleResult, Deal]],
           org_id=lambda name: name) -> CorpusDeal:
    sources = [
        CorpusSource(source=r.source, article_deal_id=d.id, published=r.published, title=r.title,
                     evidence=d.evidence, confidence=d.confidence, value=d.value)
        for r, d in sorted(members, key=lambda rd: (rd[0].source, rd[1].evidence.start))
    ]
    dates = sorted(s.published for s in sources if s.published)
    return CorpusDeal(
        deal_id=deal_id,
        partners=partners,
        themes=sorted({t for _, d in members for t in d.themes}),
        deal_types=sorted({t for _, d in members for t in d.deal_types}),
        territories=sorted({t for _, d in members for t in d.territories}),
        value=best_supported_value([(s.value, s.confidence, s.source) for s in sources if s.value]),
        first_published=dates[0] if dates else None,
        last_published=dates[-1] if dates else None,
        sources=sources,
        **_details(partners, members, org_id),
    )
