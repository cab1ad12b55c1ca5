"""The ``deal-extract`` command line: thin typer commands over plain functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from deal_extract.cli.messages import printable


class _BareFlags:
    """Help shows a boolean option as a bare flag (``--force``), not ``--force <bool>``."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class Command(_BareFlags, TyperCommand):
    pass


class Group(_BareFlags, TyperGroup):
    pass


app = typer.Typer(
    help="Structured, auditable deal records from life-science business news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text as written: "deal-extract[dask]" is no markup tag
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=Group,
)


def command(name: str):
    """``@command("batch")``: register a subcommand with the flag display of :class:`Command`."""
    return app.command(name, cls=Command)


def say(message: str) -> None:
    """Print a message on stderr, control characters escaped (a file name cannot forge a line)."""
    typer.echo(printable(message), err=True)


def fail(command: str, message: str | Exception, code: int = 2) -> typer.Exit:
    """Print one clear error line on stderr and return the ``typer.Exit`` to raise.

    A :class:`PatternError` or :class:`GoldError` lists its problems on indented lines after the
    first; any other message is one line, whatever it holds (a file name cannot forge a second line).
    """
    from deal_extract.evaluation.gold import GoldError
    from deal_extract.rulefiles.loader import PatternError

    if isinstance(message, GoldError):
        lines = message.lines
    else:
        lines = str(message).split("\n") if isinstance(message, PatternError) else [str(message)]
    say(f"deal-extract {command}: error: {lines[0]}")
    for line in lines[1:]:
        say(line)
    return typer.Exit(code)


#: ``--organisations FILE`` (repeatable), on every command that extracts
OrganisationsOption = Annotated[Optional[list[Path]], typer.Option(
    "--organisations", metavar="FILE",
    help="Extra curated organisations in the organisations.yml format, added to the packaged list (repeatable).")]


#: ``--judge MODEL``, on every command that extracts
JudgeOption = Annotated[Optional[str], typer.Option(
    "--judge", metavar="MODEL",
    help="The judge of deal candidates: a model file from 'deal-extract train', 'packaged' (the shipped model) "
         "or 'none' (the rules alone); default: the packaged default (README, 'The judge').")]
#: ``--min-confidence P``: keep only the deals at or above it
MinConfidenceOption = Annotated[float, typer.Option(
    "--min-confidence", min=0.0, max=1.0, metavar="P",
    help="Keep only the deals whose confidence is at or above P (with the judge: a calibrated probability).")]


def judge_options(judge: Optional[str], min_confidence: float = 0.0) -> dict:
    """The ``load()`` options of ``--judge`` and ``--min-confidence``, only those given."""
    options: dict = {}
    if judge is not None:
        options["judge"] = judge
    if min_confidence > 0.0:
        options["min_confidence"] = min_confidence
    return options


def extractor_or_exit(command: str, **options):
    """``deal_extract.load(**options)``; bad patterns, a missing model or a bad judge model exit with status 2."""
    from deal_extract import api
    from deal_extract.judge.model import JudgeModelError
    from deal_extract.nlp.model import ModelNotFound
    from deal_extract.rulefiles.loader import PatternError

    try:
        return api.load(**options)
    except (PatternError, ModelNotFound, JudgeModelError) as exc:
        raise fail(command, exc) from None


def _version(value: bool) -> None:
    if value:
        from deal_extract.run.batch import tool_version

        typer.echo(f"deal-extract {tool_version()}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    """Structured, auditable deal records from life-science business news."""


#: the module that registers each command (importing one registers its commands)
COMMAND_MODULES = {"extract": "extract", "schema": "extract", "batch": "batch", "evaluate": "evaluate",
                   "report": "report", "agreement": "agreement", "train": "train", "serve": "serve"}


def _register(argv: Optional[list[str]] = None) -> None:
    """Import the command modules: only the one of the command ``argv`` names (start-up: the
    others import what that command never uses), else all of them (help, an unknown name)."""
    import importlib

    name = next((arg for arg in argv or () if not arg.startswith("-")), None)
    modules = [COMMAND_MODULES[name]] if name in COMMAND_MODULES else sorted(set(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(f".{module}", __name__)


def main() -> None:
    import sys

    _register(sys.argv[1:])
    app()
