"""Leave-one-batch-out measurement of the judge against the rules alone.

    python bench/judge_lobo.py [--model NAME] [--held-out blind blind2 ...] [-o lobo.json]

Extracts every gold article of the team set (tests/gold, with corpus/ and ../shared/corpus) and
of the blind batches (tests/gold/blindN with corpus/blindN) once, then for each blind batch
trains the judge on every other batch (the team set always among them; its rounds, calibration
and threshold from cross-validation inside that training data) and scores the held-out batch:
deals P/R/F1 of the rules alone and of the rules with the judge, per batch and pooled over the
blind batches, with the scorer of ``deal-extract evaluate``. Prints a markdown table; the last
line says whether the judge beats the rules on every fold and pooled.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
#: every blind batch of tests/gold (blind, blind2, ...), in their order
BLIND = tuple(sorted((p.name for p in (REPO / "tests" / "gold").glob("blind*") if p.is_dir()),
                     key=lambda name: int(name[5:] or 1)))


def gold_sets() -> tuple[list[Path], list[Path]]:
    gold = [REPO / "tests" / "gold"] + [REPO / "tests" / "gold" / b for b in BLIND]
    corpus = [REPO / "corpus", REPO.parent / "shared" / "corpus"]
    return gold, [c for c in corpus if c.is_dir()]


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="base spaCy model (default: the installed English model)")
    parser.add_argument("--held-out", nargs="+", default=list(BLIND), help="batches to hold out in turn")
    parser.add_argument("-o", "--output", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    from deal_extract.api import Extractor
    from deal_extract.judge.dataset import build_dataset
    from deal_extract.judge.lobo import format_reliability, format_table, judge_wins, leave_one_batch_out, pooled
    from deal_extract.run.progress import progress

    start = time.perf_counter()
    extractor = Extractor(model=args.model, collect=True)
    gold, corpus = gold_sets()
    data, warnings = build_dataset(gold, corpus, extractor, progress=progress)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    extracted = time.perf_counter() - start
    results = leave_one_batch_out(data, args.held_out)
    print(format_table(results), end="")
    wins = judge_wins(results)
    print(f"\njudge beats the rules on every held-out batch and pooled: {'yes' if wins else 'no'}")
    print("\nthe judge's deals on the held-out batches by confidence (a calibrated probability):\n")
    print(format_reliability(results), end="")
    print(f"({len(data.articles)} gold articles, {len(data.labels)} candidates, {sum(data.labels)} of them gold deals; "
          f"extraction {extracted:.0f} s, folds {time.perf_counter() - start - extracted:.0f} s)")
    if args.output:
        rows = [*results, pooled(results)]
        args.output.write_text(json.dumps([{
            "batch": r.batch, "articles": r.articles, "gold_deals": r.gold_deals,
            "rules": {**r.rules.figures(), **r.rules.model_dump()}, "judge": {**r.judge.figures(), **r.judge.model_dump()},
            "confident": r.confident.model_dump(), "threshold": r.threshold} for r in rows], indent=2) + "\n")


if __name__ == "__main__":
    main()
