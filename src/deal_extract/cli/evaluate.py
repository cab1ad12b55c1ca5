"""``deal-extract evaluate``: score the extractor against gold files; a regression gate.

Exit codes: 0 ok, 1 a floor (``--min`` / ``--floors``) missed, 2 bad usage or unusable input.
The report goes to stdout; warnings and errors to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from deal_extract.cli import JudgeOption, OrganisationsOption, command, fail, say
from deal_extract.cli.messages import printable_lines
from deal_extract.corpus.outputs import write_problem
from deal_extract.evaluation.evaluate import (
    BaselineError, FloorError, check_floors, compare, evaluate, floors_from, load_baseline, write_json,
)
from deal_extract.evaluation.text_output import format_baseline, format_report
from deal_extract.nlp.model import ModelNotFound
from deal_extract.rulefiles.loader import PatternError
from deal_extract.text.reading import InputError
from deal_extract.evaluation.gold import GoldError
from deal_extract.judge.model import JudgeModelError


@command("evaluate")
def evaluate_command(
    gold: Annotated[Optional[list[Path]], typer.Option("--gold", metavar="DIR", help="Folder of gold YAML files, one gold set (repeatable; default tests/gold).")] = None,
    corpus: Annotated[Optional[list[Path]], typer.Option("--corpus", metavar="DIR", help="Folder of articles (repeatable); paired with gold files by file stem.")] = None,
    minimum: Annotated[Optional[list[str]], typer.Option("--min", metavar="FIELD.MEASURE=VALUE", help="Floor such as deals.f1=0.9 (repeatable); exit 1 when missed. Measures: precision, recall, f1; values.accuracy.")] = None,
    floors: Annotated[Optional[list[Path]], typer.Option("--floors", metavar="FILE", help="YAML file of floors 'field.measure: value', or of such floors per gold set (tests/floors.yml); --min wins.")] = None,
    floors_set: Annotated[Optional[str], typer.Option("--floors-set", metavar="NAME", help="The gold set whose floors to check in a --floors file that holds several (team, blind).")] = None,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", metavar="FILE", help="An earlier -o report: print each micro figure's change and deals gained and lost.")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="FILE", help="Write the JSON report here.")] = None,
    patterns: Annotated[Optional[Path], typer.Option("--patterns", metavar="DIR", help="Folder of rule files replacing the packaged ones (the others stay packaged).")] = None,
    organisations: OrganisationsOption = None,
    model: Annotated[Optional[str], typer.Option("--model", metavar="NAME", help="spaCy base model name.")] = None,
    follow_symlinks: Annotated[bool, typer.Option("--follow-symlinks", help="Also read symbolic links to files outside the --corpus folders.")] = False,
    judge: JudgeOption = None,
) -> None:
    """Score extraction against gold files: per-article and micro P/R/F1, missed and spurious items, the reliability of the confidences."""
    if not corpus:
        raise fail("evaluate", "give at least one --corpus DIR")
    gold = gold or [Path("tests/gold")]
    try:
        wanted = floors_from(minimum or [], floors or [], floors_set)
        before = load_baseline(baseline) if baseline else None
        report = evaluate(gold, corpus, model=model, patterns=patterns, organisations=organisations or (),
                          follow_symlinks=follow_symlinks, judge=judge)
    except (FloorError, BaselineError, GoldError, InputError, ModelNotFound, PatternError, JudgeModelError) as exc:
        raise fail("evaluate", exc) from None

    for warning in report.warnings:
        say(f"warning: {warning}")
    if not report.articles:
        raise fail("evaluate", f"nothing to evaluate: no article in {', '.join(map(str, corpus))} has a gold file in {', '.join(map(str, gold))}")
    data = report.to_dict()
    typer.echo(printable_lines(format_report(data)), nl=False)
    if before is not None:
        typer.echo("")
        typer.echo(printable_lines(format_baseline(compare(data, before), str(baseline))), nl=False)
    if output:
        try:
            write_json(data, output)
        except OSError as exc:  # a full disk: no half-written report
            raise fail("evaluate", write_problem(exc, output)) from None
        say(f"wrote {output}")

    failures = check_floors(data["micro"], wanted)
    if wanted:
        typer.echo("")
        typer.echo(f"floors: {len(wanted) - len(failures)} of {len(wanted)} met")
    if failures:
        for failure in failures:
            say(f"floor missed: {failure}")
        raise typer.Exit(1)
