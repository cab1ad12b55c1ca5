"""The ``deal-extract`` command line: thin typer commands over plain functions."""

from __future__ import annotations

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


def _register() -> None:
    from . import batch, evaluate, extract, report  # noqa: F401  (commands register on import)


def main() -> None:
    _register()
    app()
