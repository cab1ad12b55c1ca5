"""``deal-extract report``: one self-contained HTML file to review extractions (and gold marks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import OrganisationsOption, command, fail
from ..model import ModelNotFound
from ..patterns import PatternError
from ..reading import InputError
from ..report import build_report, render_html, write_html
from ..gold import GoldError


@command("report")
def report_command(
    corpus: Annotated[Optional[list[Path]], typer.Option("--corpus", metavar="DIR", help="Folder of articles (repeatable).")] = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", metavar="DIR", help="Folder of gold YAML files: adds figures and missed/spurious marks.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", metavar="FILE", help="HTML file to write.")] = Path("output/report.html"),
    title: Annotated[str, typer.Option("--title", help="Page title.")] = "deal-extract report",
    patterns: Annotated[Optional[Path], typer.Option("--patterns", metavar="DIR", help="Folder of rule files replacing the packaged ones (the others stay packaged).")] = None,
    organisations: OrganisationsOption = None,
    model: Annotated[Optional[str], typer.Option("--model", metavar="NAME", help="spaCy base model name.")] = None,
) -> None:
    """Write an HTML review page: highlighted organisations, deal tables, evidence links."""
    if not corpus:
        raise fail("report", "give at least one --corpus DIR")
    try:
        data = build_report(corpus, gold_dir=gold, model=model, patterns=patterns, organisations=organisations or ())
    except (GoldError, InputError, ModelNotFound, PatternError) as exc:
        raise fail("report", str(exc)) from None
    for warning in data.warnings:
        typer.echo(f"warning: {warning}", err=True)
    path = write_html(render_html(data.articles, title=title), output)
    n_deals = sum(len(a.result.deals) for a in data.articles)
    typer.echo(f"wrote {path} ({len(data.articles)} article(s), {n_deals} deal(s))")
