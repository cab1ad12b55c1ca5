"""Leave-one-batch-out: for each held-out batch, the judge trained on every other batch (the
team set always among them) against the rules alone, on the batch's articles; deals P/R/F1 per
fold and pooled over the held-out batches, scored by the project's scorer.

The held-out batch's articles are extracted once, as for training; the judge's records are made
exactly as the pipeline makes them (:func:`judged_pieces`), then scored with
:func:`deal_extract.evaluation.scoring.score_article`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from deal_extract.evaluation.scoring import Counts, score_article
from deal_extract.judge.dataset import Dataset, GoldArticle
from deal_extract.judge.model import JudgeModel
from deal_extract.judge.select import kept, with_confidence
from deal_extract.judge.train import Progress, train_judge

#: confidence from which the judge's deals are counted apart ("among deals with confidence >= 0.7")
CONFIDENT = 0.7


def judged_pieces(pieces, model: JudgeModel):
    """An article's pieces with their deals decided by ``model`` from the collected candidates."""
    from deal_extract.api import ArticlePieces

    out = []
    for offset, orgs, deals, candidates in pieces.pieces:
        if candidates is None:
            out.append((offset, orgs, deals, candidates))
            continue
        probs = model.probabilities([c["features"] for c in candidates])
        chosen = kept([frozenset(c["partners"]) for c in candidates], probs, model.threshold)
        out.append((offset, orgs, [with_confidence(candidates[i]["record"], probs[i]) for i in chosen], candidates))
    return ArticlePieces(pieces.article, pieces.norm, out)


@dataclass
class FoldResult:
    batch: str
    articles: int
    gold_deals: int
    rules: Counts
    judge: Counts
    confident: Counts = field(default_factory=Counts)   # judge's deals at or above CONFIDENT: tp right, fp wrong
    threshold: Optional[float] = None
    judged: list[tuple[float, bool]] = field(default_factory=list)   # each judge deal: confidence, right


def score_articles(articles: Sequence[GoldArticle], model: Optional[JudgeModel]
                   ) -> tuple[Counts, Counts, list[tuple[float, bool]]]:
    """Deals counts of the rules (``model`` None) or of the judge over ``articles``; the counts
    of the deals at or above :data:`CONFIDENT` (right as tp, wrong as fp); and every deal's
    confidence with whether it is right."""
    total, confident = Counts(), Counts()
    deals: list[tuple[float, bool]] = []
    for a in articles:
        pieces = a.pieces if model is None else judged_pieces(a.pieces, model)
        result = pieces.result()
        score = score_article(result, a.gold)
        total = total + score.counts["deals"]
        for deal, match in zip(result.deals, score.deal_matches):
            deals.append((deal.confidence, match is not None))
            if deal.confidence >= CONFIDENT:
                confident = confident + (Counts(tp=1) if match is not None else Counts(fp=1))
    return total, confident, deals


def leave_one_batch_out(data: Dataset, held_out: Sequence[str], progress: Progress = lambda items, total, label: items
                        ) -> list[FoldResult]:
    """One fold per batch of ``held_out``: train on every other batch, score the held-out one."""
    results = []
    for batch in held_out:
        test = [i for i, a in enumerate(data.articles) if a.batch == batch]
        train = [i for i, a in enumerate(data.articles) if a.batch != batch]
        trained = train_judge(data, train)
        articles = [data.articles[i] for i in test]
        rules, _, _ = score_articles(articles, None)
        judge, confident, judged = score_articles(articles, trained.model)
        results.append(FoldResult(batch, len(test), sum(a.live_deals for a in articles), rules, judge, confident,
                                  trained.model.threshold, judged))
        progress([batch], 1, f"fold {batch}")
    return results


def pooled(results: Sequence[FoldResult]) -> FoldResult:
    total = FoldResult("pooled", 0, 0, Counts(), Counts(), Counts())
    for r in results:
        total = FoldResult("pooled", total.articles + r.articles, total.gold_deals + r.gold_deals,
                           total.rules + r.rules, total.judge + r.judge, total.confident + r.confident,
                           judged=total.judged + r.judged)
    return total


def format_reliability(results: Sequence[FoldResult]) -> str:
    """The judge's deals on the held-out batches by confidence band: deals, right, expected."""
    from deal_extract.evaluation.evaluate import CONFIDENCE_BANDS

    judged = pooled(results).judged
    lines = ["| confidence | deals | right | expected |", "|---|---|---|---|"]
    for lo, hi in zip(CONFIDENCE_BANDS, CONFIDENCE_BANDS[1:]):
        band = [(c, ok) for c, ok in judged if lo <= c < hi or (hi == CONFIDENCE_BANDS[-1] and c == hi)]
        if band:
            right, expected = sum(ok for _, ok in band), sum(c for c, _ in band)
            lines.append(f"| {lo:.2f}-{hi:.2f} | {len(band)} | {right} ({right / len(band):.0%}) "
                         f"| {expected:.1f} ({expected / len(band):.0%}) |")
    return "\n".join(lines) + "\n"


def format_table(results: Sequence[FoldResult]) -> str:
    """The markdown table of the folds and the pooled figure."""
    lines = ["| held-out batch | articles | gold deals | rules P / R / F1 | judge P / R / F1 | F1 change "
             f"| judge deals >= {CONFIDENT} right | threshold |",
             "|---|---|---|---|---|---|---|---|"]
    for r in [*results, pooled(results)]:
        right = f"{r.confident.tp}/{r.confident.tp + r.confident.fp} ({r.confident.precision:.0%})" \
            if r.confident.tp + r.confident.fp else "-"
        threshold = f"{r.threshold:.3f}" if r.threshold is not None else "-"
        lines.append(f"| {r.batch} | {r.articles} | {r.gold_deals} | {_prf(r.rules)} | {_prf(r.judge)} "
                     f"| {r.judge.f1 - r.rules.f1:+.3f} | {right} | {threshold} |")
    return "\n".join(lines) + "\n"


def _prf(c: Counts) -> str:
    return f"{c.precision:.3f} / {c.recall:.3f} / {c.f1:.3f}"


def judge_wins(results: Sequence[FoldResult]) -> bool:
    """The judge beats the rules on every fold's deals F1 and on the pooled figure."""
    return all(r.judge.f1 > r.rules.f1 for r in results) and pooled(results).judge.f1 > pooled(results).rules.f1
