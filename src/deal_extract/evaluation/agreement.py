"""How far two readers' gold files for the same articles agree: the second reading scored as a
prediction against the first (SPEC section 4 and 6 figures), the human ceiling of a batch."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from pydantic import ConfigDict

from deal_extract.evaluation.gold import gold_files, load_gold
from deal_extract.evaluation.names import GoldIndex
from deal_extract.evaluation.scoring import CorpusScore, score_article
from deal_extract.records import (
    ArticleResult, Deal, Evidence, GoldFile, GoldValue, Organisation, Party, Terms, Value,
)


class _ReadParty(Party):
    """A partner of a second reading, with its role (SPEC section 6)."""

    model_config = ConfigDict(extra="allow")


class _ReadDeal(Deal):
    """A deal of a second reading, with the section 6 fields it gives."""

    model_config = ConfigDict(extra="allow")


def _value(value: Optional[GoldValue]) -> Optional[Value]:
    return Value(amount=value.amount, currency=value.currency, text=value.text) if value else None


def gold_as_result(gold: GoldFile) -> ArticleResult:
    """A gold file as the record a perfect extractor would print for that reading."""
    index = GoldIndex(gold.organisations)
    deals = []
    for n, deal in enumerate(gold.deals):
        roles = deal.roles or {}
        partners = []
        for name in deal.partners:
            i = index.lookup(name)
            org = gold.organisations[i] if i is not None else None
            partners.append(_ReadParty(name=org.name if org else name, country=org.country if org else None,
                                       role=roles.get(name)))
        fields = deal.model_fields_set
        extra = {"status": deal.status or "agreed"}
        if "announced" in fields:
            extra["announced"] = deal.announced
        if deal.assets is not None:
            extra["assets"] = list(deal.assets)
        if "upfront" in fields:
            extra["terms"] = Terms(upfront=_value(deal.upfront))
        deals.append(_ReadDeal(
            id=f"gold{n}", partners=partners, themes=list(deal.themes), deal_types=list(deal.deal_types),
            territories=list(deal.territories), value=_value(deal.value),
            evidence=Evidence(text="", start=0, end=0), confidence=1.0, **extra,
        ))
    return ArticleResult(
        source=gold.article, title=gold.title, published=gold.published,
        organisations=[Organisation(name=o.name, country=o.country, kind=o.kind) for o in gold.organisations],
        deals=deals,
    )


def agreement(first: Path | str | Sequence[Path | str], second: Path | str | Sequence[Path | str]) -> tuple[CorpusScore, list[str]]:
    """Score every gold file of ``second`` against the file of the same stem in ``first``;
    returns the scores and the stems of ``second`` that ``first`` lacks."""
    firsts, _ = gold_files(first)
    seconds, _ = gold_files(second)
    scores, unpaired = [], []
    for stem, path in sorted(seconds.items()):
        if stem not in firsts:
            unpaired.append(stem)
            continue
        scores.append(score_article(gold_as_result(load_gold(path)), load_gold(firsts[stem]), article=stem))
    return CorpusScore(articles={s.article: s for s in scores}), unpaired
