"""``deal-extract agreement FIRST SECOND``: how far two readers' gold files agree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deal_extract.cli import command, fail, say
from deal_extract.cli.messages import printable_lines
from deal_extract.evaluation.agreement import agreement
from deal_extract.evaluation.gold import GoldError
from deal_extract.evaluation.text_output import agreement_table


@command("agreement")
def agreement_command(
    first: Annotated[Path, typer.Argument(metavar="FIRST", help="Folder of the first reader's gold files.")],
    second: Annotated[Path, typer.Argument(metavar="SECOND", help="Folder of the second reader's gold files (same stems).")],
) -> None:
    """Score a second reading of some articles against the first (the batch's human ceiling)."""
    try:
        corpus, unpaired = agreement(first, second)
    except GoldError as exc:
        raise fail("agreement", exc) from None
    for stem in unpaired:
        say(f"warning: {stem}: no first reading in {first}")
    if not corpus.articles:
        raise fail("agreement", f"no gold file of {second} has a first reading in {first}")
    typer.echo(printable_lines(agreement_table(corpus)), nl=False)
