"""``deal-extract report``: one self-contained HTML file to review extractions (and gold marks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from deal_extract.cli import JudgeOption, MinConfidenceOption, OrganisationsOption, command, fail, say
from deal_extract.cli.messages import printable
from deal_extract.nlp.model import ModelNotFound
from deal_extract.corpus.outputs import output_file_problem, write_problem
from deal_extract.rulefiles.loader import PatternError
from deal_extract.text.reading import InputError
from deal_extract.evaluation.report import (REVIEW_PAGE, ReportInputError, build_report, build_report_from_output,
                                           render_html, write_html)
from deal_extract.evaluation.gold import GoldError
from deal_extract.judge.model import JudgeModelError


@command("report")
def report_command(
    corpus: Annotated[Optional[list[Path]], typer.Option("--corpus", metavar="DIR", help="Folder of articles (repeatable), searched recursively; extracted now.")] = None,
    from_output: Annotated[Optional[Path], typer.Option("--from", metavar="DIR", help="A batch's output folder: report its articles without extracting again.")] = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", metavar="DIR", help="Folder of gold YAML files: adds figures and missed/spurious marks.")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="FILE", help=f"HTML file to write (default: OUTPUT/{REVIEW_PAGE} with --from, where 'deal-extract serve OUTPUT' links to it; else output/{REVIEW_PAGE}).")] = None,
    title: Annotated[str, typer.Option("--title", help="Page title.")] = "deal-extract report",
    patterns: Annotated[Optional[Path], typer.Option("--patterns", metavar="DIR", help="Folder of rule files replacing the packaged ones (the others stay packaged).")] = None,
    organisations: OrganisationsOption = None,
    model: Annotated[Optional[str], typer.Option("--model", metavar="NAME", help="spaCy base model name.")] = None,
    follow_symlinks: Annotated[bool, typer.Option("--follow-symlinks", help="Also read symbolic links to files outside the --corpus folders.")] = False,
    judge: JudgeOption = None,
    min_confidence: MinConfidenceOption = 0.0,
    correct: Annotated[bool, typer.Option("--correct", help="Add a correction form to each article (an inline script): mark deals right or wrong, fix them, add missed ones, save the article's gold file (download, or 'deal-extract serve OUTPUT --corrections DIR').")] = False,
) -> None:
    """Write an HTML review page: corpus deals, highlighted organisations, deal tables, evidence links."""
    if bool(corpus) == bool(from_output):
        raise fail("report", "give --corpus DIR (extract now) or --from OUTPUT (a batch's output), not both" if corpus
                   else "give at least one --corpus DIR, or --from OUTPUT")
    output = output or (from_output or Path("output")) / REVIEW_PAGE
    problem = output_file_problem(output)
    if problem:
        raise fail("report", f"-o: {problem}")
    try:
        if from_output:
            data = build_report_from_output(from_output, gold_dir=gold, patterns=patterns, organisations=organisations or (),
                                            min_confidence=min_confidence)
        else:
            data = build_report(corpus, gold_dir=gold, model=model, patterns=patterns, organisations=organisations or (),
                                follow_symlinks=follow_symlinks, judge=judge, min_confidence=min_confidence)
    except (GoldError, InputError, ModelNotFound, PatternError, JudgeModelError, ReportInputError) as exc:
        raise fail("report", exc) from None
    for warning in data.warnings:
        say(f"warning: {warning}")
    if not data.articles:
        where = from_output or ", ".join(map(str, corpus))
        raise fail("report", f"nothing to report: no article found in {where}")
    try:
        path = write_html(render_html(data.articles, title=title, corpus=data.corpus, correct=correct), output)
    except OSError as exc:  # a full disk: the old page stays as it was
        raise fail("report", write_problem(exc, output)) from None
    n_deals = sum(len(a.result.deals) for a in data.articles)
    typer.echo(printable(f"wrote {path} ({len(data.articles)} article(s), {n_deals} deal(s))"))
