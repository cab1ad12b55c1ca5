"""The one scorer: predicted :class:`ArticleResult` against a :class:`GoldFile` (SPEC section 4).

Plain functions over plain data; ``evaluate``, ``report`` and the tests all use these.

Conventions (documented here once):

* Names match after :func:`normalise_name` (case-fold, drop punctuation and symbols, drop a
  leading "the" and trailing legal suffixes), or when they equal a gold name or alias.
* An organisation or deal predicted twice counts once as a true positive; each extra copy is
  a false positive ("duplicate").
* ``0/0``: precision is 1.0 when nothing was predicted (no false claims) and recall is 1.0
  when there was nothing to find, so an article with empty gold and empty prediction scores
  1.0 everywhere. F1 is 0.0 when precision + recall is 0. Value accuracy with no gold value
  to check is 1.0. Every figure comes with its counts, so a vacuous 1.0 is visible.
* Countries are scored over matched organisations whose gold country is known:
  ``tp`` = correct, ``fp`` = a wrong country given, ``fn`` = wrong or ``null``; so precision is
  correct / given and recall is correct / all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from pydantic import BaseModel, ConfigDict, Field

from deal_extract.evaluation.details import detail_results, is_ended
from deal_extract.evaluation.evidence import find_name, gold_deal_evidence, sentence_around
from deal_extract.evaluation.names import GoldIndex
from deal_extract.records import ArticleResult, Deal, GoldFile

#: Fields of :attr:`CorpusScore.micro`, each with the measures it reports.
PRF_FIELDS = ("organisations", "countries", "deals", "themes", "deal_types")
#: SPEC section 6: reported only where some gold file gives them (ended deals, or the field)
DETAIL_PRF = ("ended_deals", "assets")
DETAIL_ACCURACY = ("roles", "status", "announced", "upfront")
MEASURES: dict[str, tuple[str, ...]] = {
    **{f: ("precision", "recall", "f1") for f in (*PRF_FIELDS, *DETAIL_PRF)},
    **{f: ("accuracy",) for f in ("values", *DETAIL_ACCURACY)},
}

VALUE_TOLERANCE = 0.01


# --- counts ----------------------------------------------------------------------------

class Counts(BaseModel):
    """True positives, false positives, false negatives; see the module doc for ``0/0``."""

    model_config = ConfigDict(frozen=True)

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        relevant = self.tp + self.fn
        return self.tp / relevant if relevant else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    def figures(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


class Accuracy(BaseModel):
    model_config = ConfigDict(frozen=True)

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def __add__(self, other: "Accuracy") -> "Accuracy":
        return Accuracy(correct=self.correct + other.correct, total=self.total + other.total)

    def figures(self) -> dict[str, float]:
        return {"accuracy": self.accuracy}


# --- issues (what went wrong, for people) ------------------------------------------------

class OrgIssue(BaseModel):
    name: str
    country: Optional[str] = None
    reason: str = ""
    evidence: str = ""


class CountryIssue(BaseModel):
    name: str
    gold: Optional[str]
    predicted: Optional[str]
    counted: bool = True  # False when the gold country is unknown (not scored, shown only)


class DealIssue(BaseModel):
    partners: list[str]
    id: Optional[str] = None
    themes: list[str] = Field(default_factory=list)
    deal_types: list[str] = Field(default_factory=list)
    value: Optional[str] = None
    reason: str = ""
    evidence: str = ""
    evidence_span: Optional[tuple[int, int]] = None
    note: Optional[str] = None


class DealMatch(BaseModel):
    """A predicted deal matched to a gold deal, with attribute differences."""

    key: str
    partners: list[str]
    id: str
    themes_missing: list[str] = Field(default_factory=list)
    themes_extra: list[str] = Field(default_factory=list)
    types_missing: list[str] = Field(default_factory=list)
    types_extra: list[str] = Field(default_factory=list)
    value_gold: Optional[str] = None
    value_predicted: Optional[str] = None
    value_correct: Optional[bool] = None  # None when the gold value is null (not scored)


class ArticleScore(BaseModel):
    article: str
    counts: dict[str, Counts]
    values: Accuracy
    missed_organisations: list[OrgIssue] = Field(default_factory=list)
    spurious_organisations: list[OrgIssue] = Field(default_factory=list)
    country_issues: list[CountryIssue] = Field(default_factory=list)
    missed_deals: list[DealIssue] = Field(default_factory=list)
    spurious_deals: list[DealIssue] = Field(default_factory=list)
    matched_deals: list[DealMatch] = Field(default_factory=list)
    #: index of each predicted organisation / deal -> gold organisation name / deal key, or None
    org_matches: list[Optional[str]] = Field(default_factory=list)
    deal_matches: list[Optional[str]] = Field(default_factory=list)
    #: SPEC section 6 figures, present only where the gold gives them
    details: dict[str, Counts] = Field(default_factory=dict)
    detail_accuracy: dict[str, Accuracy] = Field(default_factory=dict)

    @property
    def figures(self) -> dict[str, dict[str, float]]:
        return _figures(self.counts, self.values, self.details, self.detail_accuracy)


def _figures(counts: dict[str, Counts], values: Accuracy, details: dict[str, Counts],
             accuracy: dict[str, Accuracy]) -> dict[str, dict[str, float]]:
    out = {field: counts[field].figures() for field in PRF_FIELDS}
    out["values"] = values.figures()
    out.update({field: details[field].figures() for field in DETAIL_PRF if field in details})
    out.update({field: accuracy[field].figures() for field in DETAIL_ACCURACY if field in accuracy})
    return out


class CorpusScore(BaseModel):
    articles: dict[str, ArticleScore] = Field(default_factory=dict)

    @property
    def counts(self) -> dict[str, Counts]:
        total = {field: Counts() for field in PRF_FIELDS}
        for score in self.articles.values():
            for field in PRF_FIELDS:
                total[field] = total[field] + score.counts[field]
        return total

    @property
    def values(self) -> Accuracy:
        total = Accuracy()
        for score in self.articles.values():
            total = total + score.values
        return total

    @property
    def details(self) -> dict[str, Counts]:
        return self._summed("details", Counts)

    @property
    def detail_accuracy(self) -> dict[str, Accuracy]:
        return self._summed("detail_accuracy", Accuracy)

    def _summed(self, attribute: str, zero: type) -> dict:
        """The articles' ``attribute`` (a dict of counts per field), summed per field."""
        total: dict = {}
        for score in self.articles.values():
            for field, c in getattr(score, attribute).items():
                total[field] = total.get(field, zero()) + c
        return total

    @property
    def micro(self) -> dict[str, dict[str, float]]:
        """``{"organisations": {"precision", "recall", "f1"}, ..., "values": {"accuracy"}}``, and the
        SPEC section 6 fields (``ended_deals``, ``assets``, ``roles``, ...) where gold gives them."""
        return _figures(self.counts, self.values, self.details, self.detail_accuracy)


# --- scoring ---------------------------------------------------------------------------

def _value_str(value) -> Optional[str]:
    if value is None:
        return None
    return f"{value.currency} {value.amount:,.0f}" + (f" ({value.text})" if value.text else "")


def values_match(pred, gold) -> bool:
    """Same currency and amount within 1% of the gold amount."""
    if pred is None or gold is None:
        return False
    if pred.currency != gold.currency:
        return False
    if gold.amount == 0:
        return pred.amount == 0
    return abs(pred.amount - gold.amount) <= VALUE_TOLERANCE * gold.amount + 1e-9


def deal_key(names: Iterable[str]) -> str:
    """Order-free key of a partner set, e.g. ``"AbTis + WuXi XDC"``."""
    return " + ".join(sorted(set(names), key=str.casefold))


def score_article(pred: ArticleResult, gold: GoldFile, text: str = "", article: Optional[str] = None) -> ArticleScore:
    """Score one article. ``text`` (the article as read) only fills evidence sentences."""
    index = GoldIndex(gold.organisations)
    name = article or Path(gold.article).stem

    # organisations
    org_matches: list[Optional[str]] = []
    first_pred: dict[int, int] = {}
    spurious_orgs: list[OrgIssue] = []
    for j, org in enumerate(pred.organisations):
        i = index.lookup(org.name)
        org_matches.append(index.name(i) if i is not None else None)
        span = org.mentions[0] if org.mentions else None
        evidence = sentence_around(text, *span) if span and text else ""
        if i is None:
            spurious_orgs.append(OrgIssue(name=org.name, country=org.country, reason="not a gold organisation", evidence=evidence))
        elif i in first_pred:
            first = pred.organisations[first_pred[i]].name
            spurious_orgs.append(OrgIssue(name=org.name, country=org.country, reason=f"duplicate of {first!r} (gold {index.name(i)!r})", evidence=evidence))
        else:
            first_pred[i] = j
    missed_orgs = []
    for i, gorg in enumerate(gold.organisations):
        if i not in first_pred:
            span = find_name(text, [gorg.name, *gorg.aliases]) if text else None
            missed_orgs.append(OrgIssue(name=gorg.name, country=gorg.country, reason="not found", evidence=sentence_around(text, *span) if span else ""))
    orgs = Counts(tp=len(first_pred), fp=len(spurious_orgs), fn=len(missed_orgs))

    # countries, over matched organisations
    ctp = cfp = cfn = 0
    country_issues: list[CountryIssue] = []
    for i, j in sorted(first_pred.items()):
        gold_country = gold.organisations[i].country
        predicted = pred.organisations[j].country
        if gold_country is None:
            if predicted is not None:
                country_issues.append(CountryIssue(name=index.name(i), gold=None, predicted=predicted, counted=False))
            continue
        if predicted == gold_country:
            ctp += 1
            continue
        cfn += 1
        if predicted is not None:
            cfp += 1
        country_issues.append(CountryIssue(name=index.name(i), gold=gold_country, predicted=predicted))
    countries = Counts(tp=ctp, fp=cfp, fn=cfn)

    # deals: live and ended deals are matched apart (SPEC section 6)
    gold_sets = [frozenset(index.lookup(p) for p in deal.partners) for deal in gold.deals]
    unmatched_gold = [g for g, d in enumerate(gold.deals) if not is_ended(d)]
    unmatched_ended = [g for g, d in enumerate(gold.deals) if is_ended(d)]
    ended = Counts(tp=0, fp=0, fn=0) if unmatched_ended or any(is_ended(d) for d in pred.deals) else None
    detail: dict[str, list[tuple[int, ...]]] = {}
    deal_matches: list[Optional[str]] = []
    matched: list[DealMatch] = []
    spurious_deals: list[DealIssue] = []
    themes = types = Counts()
    values = Accuracy()
    for deal in pred.deals:
        mapped = [index.lookup(p.name) for p in deal.partners]
        target = frozenset(mapped)
        pool = unmatched_ended if is_ended(deal) else unmatched_gold
        hit = next((g for g in pool if gold_sets[g] == target), None) if None not in mapped else None
        if hit is None:
            deal_matches.append(None)
            if is_ended(deal):
                ended = ended + Counts(fp=1)
            else:
                spurious_deals.append(_spurious_deal(deal, mapped, gold_sets, index, gold))
            continue
        pool.remove(hit)
        gdeal = gold.deals[hit]
        key = deal_key(index.name(i) for i in gold_sets[hit])
        deal_matches.append(key)
        for field, result in detail_results(deal, gdeal, lambda n: _gold_name(index, n), values_match).items():
            detail.setdefault(field, []).append(result)
        if is_ended(deal):
            ended = ended + Counts(tp=1)
            continue
        pt, gt = set(deal.themes), set(gdeal.themes)
        pd, gd = set(deal.deal_types), set(gdeal.deal_types)
        themes = themes + Counts(tp=len(pt & gt), fp=len(pt - gt), fn=len(gt - pt))
        types = types + Counts(tp=len(pd & gd), fp=len(pd - gd), fn=len(gd - pd))
        value_ok = None
        if gdeal.value is not None:
            value_ok = values_match(deal.value, gdeal.value)
            values = values + Accuracy(correct=int(value_ok), total=1)
        matched.append(DealMatch(
            key=key, partners=sorted((index.name(i) for i in gold_sets[hit]), key=str.casefold), id=deal.id,
            themes_missing=sorted(gt - pt), themes_extra=sorted(pt - gt),
            types_missing=sorted(gd - pd), types_extra=sorted(pd - gd),
            value_gold=_value_str(gdeal.value), value_predicted=_value_str(deal.value), value_correct=value_ok,
        ))
    missed_deals = [
        DealIssue(
            partners=list(gold.deals[g].partners), themes=list(gold.deals[g].themes),
            deal_types=list(gold.deals[g].deal_types), value=_value_str(gold.deals[g].value),
            reason="not found", evidence=gold_deal_evidence(text, gold, gold.deals[g], index),
            note=gold.deals[g].note,
        )
        for g in unmatched_gold
    ]
    if ended is not None:
        ended = ended + Counts(fn=len(unmatched_ended))
    deals = Counts(tp=len(matched), fp=len(spurious_deals), fn=len(missed_deals))

    return ArticleScore(
        article=name,
        counts={"organisations": orgs, "countries": countries, "deals": deals, "themes": themes, "deal_types": types},
        values=values,
        missed_organisations=missed_orgs, spurious_organisations=spurious_orgs, country_issues=country_issues,
        missed_deals=missed_deals, spurious_deals=spurious_deals, matched_deals=matched,
        org_matches=org_matches, deal_matches=deal_matches,
        details={**({"ended_deals": ended} if ended is not None else {}),
                 **{f: Counts(tp=sum(r[0] for r in rs), fp=sum(r[1] for r in rs), fn=sum(r[2] for r in rs))
                    for f, rs in detail.items() if f in DETAIL_PRF}},
        detail_accuracy={f: Accuracy(correct=sum(r[0] for r in rs), total=sum(r[1] for r in rs))
                         for f, rs in detail.items() if f in DETAIL_ACCURACY},
    )


def _gold_name(index: GoldIndex, name: str) -> Optional[str]:
    i = index.lookup(name)
    return index.name(i) if i is not None else None


def _spurious_deal(deal: Deal, mapped: list[Optional[int]], gold_sets: list[frozenset], index: GoldIndex,
                   gold: GoldFile) -> DealIssue:
    unknown = [p.name for p, i in zip(deal.partners, mapped) if i is None]
    ended = {gold_sets[g] for g, d in enumerate(gold.deals) if is_ended(d)}
    if unknown:
        reason = "partner not a gold organisation: " + ", ".join(unknown)
    elif frozenset(mapped) in ended:
        reason = "the gold deal has ended (status ended), predicted as live"
    elif frozenset(mapped) in gold_sets:
        reason = "duplicate of a deal already matched"
    else:
        reason = "no gold deal between " + deal_key(index.name(i) for i in mapped)
    return DealIssue(
        partners=[p.name for p in deal.partners], id=deal.id, themes=list(deal.themes),
        deal_types=list(deal.deal_types), value=_value_str(deal.value), reason=reason,
        evidence=" ".join(deal.evidence.text.split()), evidence_span=(deal.evidence.start, deal.evidence.end),
    )


def score_corpus(pairs: Iterable[tuple[ArticleResult, GoldFile]] | Iterable[ArticleScore]) -> CorpusScore:
    """Score many articles: ``pairs`` of ``(prediction, gold)`` or already-made scores."""
    articles: dict[str, ArticleScore] = {}
    for item in pairs:
        score = item if isinstance(item, ArticleScore) else score_article(*item)
        name, n = score.article, 2
        while name in articles:
            name, n = f"{score.article}#{n}", n + 1
        articles[name] = score
    return CorpusScore(articles=articles)
