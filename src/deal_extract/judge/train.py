"""Training the judge: a LightGBM booster on the candidates' features, its number of rounds,
calibration and threshold from cross-validation, the final booster on every training row.

Cross-validation is grouped by batch and article: with three batches or more each batch is held
out in turn (a model never scores a batch it saw, as on new text); with fewer, five folds of
whole articles. The out-of-fold scores choose the number of rounds (log loss), fit the isotonic
calibration, and choose the threshold (deals F1 over the held-out articles, the kept candidates
chosen as the pipeline chooses them). Training is deterministic: fixed seeds, one thread,
``deterministic=True``; the same data gives the same model file byte for byte.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from deal_extract.evaluation.scoring import Counts
from deal_extract.judge.calibration import fit_isotonic
from deal_extract.judge.dataset import Dataset
from deal_extract.judge.features import FEATURES
from deal_extract.judge.model import JudgeModel
from deal_extract.judge.select import kept

PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 17,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbosity": -1,
}
#: the numbers of boosting rounds cross-validation chooses from
ROUNDS = (50, 100, 200, 300, 500)
ARTICLE_FOLDS = 5
MIN_BATCHES_FOR_BATCH_FOLDS = 3

Progress = Callable[[Iterable, int, str], Iterable]


@dataclass
class Trained:
    model: JudgeModel
    metrics: dict


def rows_of_articles(data: Dataset, articles: Sequence[int]) -> list[int]:
    wanted = set(articles)
    return [r for r, a in enumerate(data.article_of) if a in wanted]


def folds(data: Dataset, articles: Sequence[int]) -> list[list[int]]:
    """Held-out article sets: one per batch with three batches or more, else five article folds."""
    batches = list(dict.fromkeys(data.articles[a].batch for a in articles))
    if len(batches) >= MIN_BATCHES_FOR_BATCH_FOLDS:
        return [[a for a in articles if data.articles[a].batch == b] for b in batches]
    ordered = sorted(articles, key=lambda a: (data.articles[a].batch, data.articles[a].name))
    n = min(ARTICLE_FOLDS, len(ordered))
    return [ordered[k::n] for k in range(n)]


def fit_booster(data: Dataset, rows: Sequence[int], rounds: int):
    import lightgbm
    import numpy

    x = numpy.asarray([data.features[r] for r in rows], dtype=numpy.float64)
    y = numpy.asarray([data.labels[r] for r in rows], dtype=numpy.float64)
    train_set = lightgbm.Dataset(x, y, feature_name=list(FEATURES), free_raw_data=True,
                                 params={"verbosity": -1, "max_bin": 63})
    return lightgbm.train(PARAMS, train_set, num_boost_round=rounds)


def predict(booster, data: Dataset, rows: Sequence[int], rounds: Optional[int] = None) -> list[float]:
    import numpy

    if not rows:
        return []
    x = numpy.asarray([data.features[r] for r in rows], dtype=numpy.float64)
    return [float(s) for s in booster.predict(x, num_iteration=rounds, num_threads=1)]


def deal_counts(data: Dataset, articles: Sequence[int], probabilities: dict[int, float], threshold: float) -> Counts:
    """Deals P/R/F1 counts over ``articles`` when the candidates (rows -> probability) at or above
    ``threshold`` are kept as the pipeline keeps them (per piece of an article, sets absorbing pairs).
    A partner set kept in two pieces of one article is one deal, as in the article's record."""
    pieces: dict[tuple[int, int], list[int]] = {}
    for r in probabilities:
        pieces.setdefault((data.article_of[r], data.piece_of[r]), []).append(r)
    chosen: dict[int, dict[tuple[str, ...], int]] = {}
    for (article, _), rows in pieces.items():
        sets = [frozenset(data.partners[r]) for r in rows]
        for i in kept(sets, [probabilities[r] for r in rows], threshold):
            chosen.setdefault(article, {})[data.partners[rows[i]]] = rows[i]
    tp = fp = fn = 0
    for article in articles:
        names = chosen.get(article, {})
        hits = {data.keys[r] for r in names.values() if data.labels[r]}
        tp += len(hits)
        fp += len(names) - len(hits)
        fn += data.articles[article].live_deals - len(hits)
    return Counts(tp=tp, fp=fp, fn=max(fn, 0))


def best_threshold(data: Dataset, articles: Sequence[int], probabilities: dict[int, float]) -> tuple[float, Counts]:
    """The threshold with the best deals F1 (ties: the higher threshold)."""
    best: Optional[tuple[float, float, Counts]] = None
    for t in sorted(set(probabilities.values())):
        if t <= 0.0:
            continue
        counts = deal_counts(data, articles, probabilities, t)
        if best is None or counts.f1 >= best[0]:
            best = (counts.f1, t, counts)
    if best is None:
        return 1.0, deal_counts(data, articles, probabilities, 1.0)
    return best[1], best[2]


def log_loss(labels: Sequence[int], scores: Sequence[float]) -> float:
    eps = 1e-12
    return -sum(y * math.log(max(s, eps)) + (1 - y) * math.log(max(1 - s, eps))
                for y, s in zip(labels, scores)) / max(len(labels), 1)


def train_judge(data: Dataset, articles: Optional[Sequence[int]] = None,
                progress: Progress = lambda items, total, label: items) -> Trained:
    """Train the judge on ``articles`` (indices of ``data.articles``; default all)."""
    articles = list(range(len(data.articles))) if articles is None else list(articles)
    rows = rows_of_articles(data, articles)
    if not rows or len({data.labels[r] for r in rows}) < 2:
        raise ValueError("training needs candidates of both kinds: deals of the gold and candidates that are none")
    held_out = folds(data, articles)
    oof: dict[int, dict[int, float]] = {k: {} for k in ROUNDS}
    for fold in progress(held_out, len(held_out), "cross-validation"):
        test_rows = rows_of_articles(data, fold)
        train_rows = rows_of_articles(data, [a for a in articles if a not in set(fold)])
        if not test_rows:
            continue
        if len({data.labels[r] for r in train_rows}) < 2:
            for k in ROUNDS:
                oof[k].update({r: 0.0 for r in test_rows})
            continue
        booster = fit_booster(data, train_rows, max(ROUNDS))
        for k in ROUNDS:
            oof[k].update(zip(test_rows, predict(booster, data, test_rows, k)))
    losses = {k: log_loss([data.labels[r] for r in rows], [oof[k][r] for r in rows]) for k in ROUNDS}
    rounds = min(ROUNDS, key=lambda k: (round(losses[k], 9), k))
    calibration = fit_isotonic([oof[rounds][r] for r in rows], [data.labels[r] for r in rows])
    calibrated = {r: calibration(oof[rounds][r]) for r in rows}
    threshold, counts = best_threshold(data, articles, calibrated)
    booster = fit_booster(data, rows, rounds)
    batches = {}
    for a in articles:
        batches[data.articles[a].batch] = batches.get(data.articles[a].batch, 0) + 1
    trained_on = {
        "batches": batches,
        "articles": len(articles),
        "candidates": len(rows),
        "positives": sum(data.labels[r] for r in rows),
        "gold_deals": sum(data.articles[a].live_deals for a in articles),
        "rounds": rounds,
        "cross_validation": ("leave one batch out" if len(batches) >= MIN_BATCHES_FOR_BATCH_FOLDS
                             else f"{len(held_out)} article folds"),
    }
    metrics = {
        **trained_on,
        "threshold": threshold,
        "out_of_fold": {"deals": {**counts.figures(), "tp": counts.tp, "fp": counts.fp, "fn": counts.fn},
                        "log_loss_by_rounds": {str(k): round(v, 6) for k, v in losses.items()}},
        "candidate_recall": _candidate_recall(data, articles),
        "params": {k: v for k, v in PARAMS.items() if k not in ("verbosity",)},
    }
    model = JudgeModel(booster_text=booster.model_to_string(), calibration=calibration, threshold=threshold,
                       trained_on=trained_on)
    return Trained(model, metrics)


def _candidate_recall(data: Dataset, articles: Sequence[int]) -> float:
    """Share of the live gold deals that some candidate names: what a perfect judge could find."""
    found = {(data.article_of[r], data.keys[r]) for r in rows_of_articles(data, articles) if data.labels[r]}
    total = sum(data.articles[a].live_deals for a in articles)
    return round(len(found) / total, 4) if total else 1.0
