"""The ``deal-extract`` command line: thin typer commands over plain functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..messages import printable

app = typer.Typer(
    help="Structured, auditable deal records from life-science business news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def say(message: str) -> None:
    """Print a message on stderr, control characters escaped (a file name cannot forge a line)."""
    typer.echo(printable(message), err=True)


def fail(command: str, message: str | Exception, code: int = 2) -> typer.Exit:
    """Print one clear error line on stderr and return the ``typer.Exit`` to raise.

    A :class:`PatternError` lists its problems on indented lines after the first; any other
    message is one line, whatever it holds (a file name cannot forge a second line).
    """
    from ..patterns import PatternError

    lines = str(message).split("\n") if isinstance(message, PatternError) else [str(message)]
    say(f"deal-extract {command}: error: {lines[0]}")
    for line in lines[1:]:
        say(line)
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
        raise fail(command, exc) from None


def _register() -> None:
    from . import batch, evaluate, extract, report  # noqa: F401  (commands register on import)


def main() -> None:
    _register()
    app()
