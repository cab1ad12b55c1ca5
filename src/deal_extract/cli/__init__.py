"""The ``deal-extract`` command line: thin typer commands over plain functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Structured, auditable deal records from life-science business news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(command: str, message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line on stderr and return the ``typer.Exit`` to raise."""
    typer.echo(f"deal-extract {command}: error: {message}", err=True)
    return typer.Exit(code)


#: ``--organisations FILE`` (repeatable), on every command that extracts
OrganisationsOption = Annotated[Optional[list[Path]], typer.Option(
    "--organisations", metavar="FILE",
    help="Extra curated organisations in the organisations.yml format, added to the packaged list (repeatable).")]


def extractor_or_exit(command: str, **options):
    """``deal_extract.load(**options)``; bad patterns or a missing model exit with status 2."""
    from .. import api
    from ..model import ModelNotFound
    from ..patterns import PatternError

    try:
        return api.load(**options)
    except (PatternError, ModelNotFound) as exc:
        raise fail(command, str(exc)) from None


def _register() -> None:
    from . import batch, evaluate, extract, report  # noqa: F401  (commands register on import)


def main() -> None:
    _register()
    app()
