"""``deal-extract train``: train the judge of deal candidates on gold files.

    deal-extract train --gold tests/gold --gold my_gold --corpus corpus --corpus my_articles -o my_judge.json

Each ``--gold`` folder is one batch (cross-validation holds batches out whole); articles are
found in the ``--corpus`` folders by stem, as ``evaluate`` finds them. Writes the model file
(``-o``) and its metrics beside it (``my_judge.metrics.json``); progress on stderr, the model's
path on stdout. ``--lobo`` also holds out every batch but the first in turn and prints the
rules against the judge (the first batch, the team set, always trains).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from deal_extract.cli import OrganisationsOption, command, fail, say
from deal_extract.cli.messages import printable_lines


def metrics_path(model_path: Path) -> Path:
    """``judge.json`` -> ``judge.metrics.json``, beside the model."""
    return model_path.with_name(model_path.stem + ".metrics.json")


@command("train")
def train_command(
    gold: Annotated[list[Path], typer.Option("--gold", metavar="DIR", help="Folder of gold YAML files, one batch (repeatable).")],
    corpus: Annotated[list[Path], typer.Option("--corpus", metavar="DIR", help="Folder of articles (repeatable); paired with gold files by file stem.")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="MODEL", help="Model file to write (JSON); its metrics go beside it.")],
    lobo: Annotated[bool, typer.Option("--lobo", help="Also measure leave-one-batch-out: each --gold batch but the first held out in turn, rules against judge.")] = False,
    model: Annotated[Optional[str], typer.Option("--model", metavar="NAME", help="spaCy base model name.")] = None,
    patterns: Annotated[Optional[Path], typer.Option("--patterns", metavar="DIR", help="Folder of rule files replacing the packaged ones (the others stay packaged).")] = None,
    organisations: OrganisationsOption = None,
    follow_symlinks: Annotated[bool, typer.Option("--follow-symlinks", help="Also read symbolic links to files outside the --corpus folders.")] = False,
) -> None:
    """Train the judge of deal candidates on gold files; write the model and its metrics."""
    from deal_extract.api import Extractor
    from deal_extract.evaluation.gold import GoldError
    from deal_extract.judge.dataset import build_dataset
    from deal_extract.judge.train import train_judge
    from deal_extract.nlp.model import ModelNotFound
    from deal_extract.rulefiles.loader import PatternError
    from deal_extract.run.progress import progress
    from deal_extract.text.reading import InputError

    if output.is_dir():
        raise fail("train", f"-o: {output} is a folder; give the model file to write")
    try:
        extractor = Extractor(model=model, patterns=patterns, organisations=organisations or (), collect=True)
        data, warnings = build_dataset(gold, corpus, extractor, progress=progress, follow_symlinks=follow_symlinks)
    except (GoldError, InputError, ModelNotFound, PatternError) as exc:
        raise fail("train", exc) from None
    for warning in warnings:
        say(f"warning: {warning}")
    try:
        trained = train_judge(data, progress=progress)
    except ValueError as exc:
        raise fail("train", exc) from None
    metrics = dict(trained.metrics)
    if lobo:
        from deal_extract.judge.lobo import format_table, leave_one_batch_out, pooled

        results = leave_one_batch_out(data, data.batches[1:], progress=progress)
        typer.echo(printable_lines(format_table(results)), err=True, nl=False)
        metrics["leave_one_batch_out"] = [
            {"batch": r.batch, "articles": r.articles, "gold_deals": r.gold_deals,
             "rules": r.rules.figures(), "judge": r.judge.figures()} for r in [*results, pooled(results)]]
    try:
        trained.model.save(output)
        metrics_path(output).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail("train", f"cannot write {output}: {exc.strerror or exc}") from None
    oof = metrics["out_of_fold"]["deals"]
    say(f"deal-extract train: {metrics['articles']} articles in {len(metrics['batches'])} batch(es), "
        f"{metrics['candidates']} candidates ({metrics['positives']} gold deals among them, candidate recall "
        f"{metrics['candidate_recall']:.3f}); threshold {metrics['threshold']:.3f}; out-of-fold deals "
        f"P {oof['precision']:.3f} R {oof['recall']:.3f} F1 {oof['f1']:.3f}; metrics in {metrics_path(output)}")
    typer.echo(str(output))
