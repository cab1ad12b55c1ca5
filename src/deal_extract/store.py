"""An output folder as the store of every article processed into it, and the tables rebuilt from it.

A batch run writes, per article, its record (``articles/<path>.json``, SPEC section 1) and
the text the record's offsets index into (``texts/<path>.txt``), both atomically. Everything
else in the folder is derived from those files by :func:`rebuild`: ``deals.jsonl``,
``deals.csv``, ``organisations.csv``, ``corpus_deals.csv`` and ``deals.sqlite``, from all
the articles in the folder, not only the last run's inputs. ``report --from OUTPUT`` reads
the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Optional

from .corpus import Corpus, CorpusArticle, build_corpus, curated_from
from .database import DATABASE_NAME, read_articles, write_database
from .outputs import InputRecord, article_json_path, atomic_write_text, read_article_json, write_aggregates
from .records import ArticleResult

ARTICLES_DIR = "articles"
TEXTS_DIR = "texts"


def text_path(source: str) -> str:
    """Where an input's text goes, relative to the output folder (beside its record's path)."""
    record = article_json_path(source)
    return f"{TEXTS_DIR}/{record[len(ARTICLES_DIR) + 1:-len('.json')]}.txt"


def write_text(output: Path, source: str, text: str) -> None:
    atomic_write_text(Path(output) / text_path(source), text)


def read_text(output: Path, source: str) -> Optional[str]:
    """The stored text of an input, or ``None`` (an output folder of an older version has none)."""
    try:
        return (Path(output) / text_path(source)).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def iter_records(output: Path) -> Iterator[ArticleResult]:
    """Every valid article record under ``OUTPUT/articles``, sorted by source; other files are ignored."""
    folder = Path(output) / ARTICLES_DIR
    results = (read_article_json(path) for path in folder.rglob("*.json") if path.is_file()) if folder.is_dir() else ()
    yield from sorted((r for r in results if r is not None), key=lambda r: r.source)


def article_rows(previous: dict[str, CorpusArticle], inputs: Iterable[InputRecord],
                 with_record: set[str]) -> dict[str, CorpusArticle]:
    """The ``articles`` rows: this run's inputs (sha256, status) over the earlier database's rows.

    An input with a record is ``ok`` (skipped inputs too, so that a rerun changes nothing);
    a failed input without a record stays listed as ``failed``.
    """
    rows = {s: a for s, a in previous.items() if s in with_record or a.status == "failed"}
    for record in inputs:
        status = "ok" if record.path in with_record else "failed"
        rows[record.path] = CorpusArticle(source=record.path, sha256=record.sha256, status=status)
    return rows


def load_corpus(output: Path, patterns=None, inputs: Iterable[InputRecord] = ()) -> tuple[list[ArticleResult], Corpus]:
    """The records of an output folder and their corpus (``patterns``: a :class:`~deal_extract.patterns.Patterns`)."""
    output = Path(output)
    results = list(iter_records(output))
    texts = {r.source: text for r in results if (text := read_text(output, r.source)) is not None}
    rows = article_rows(read_articles(output / DATABASE_NAME), inputs, {r.source for r in results})
    curated, legal_forms = curated_from(patterns)
    corpus = build_corpus(results, texts=texts, articles=rows, curated=curated, country_legal_forms=legal_forms)
    return results, corpus


def rebuild(output: Path, patterns=None, inputs: Iterable[InputRecord] = (), excel: bool = False) -> Corpus:
    """Rewrite every table and the database from all article records of the output folder."""
    results, corpus = load_corpus(output, patterns, inputs)
    write_aggregates(output, results, corpus=corpus, excel=excel)
    write_database(Path(output) / DATABASE_NAME, corpus)
    return corpus
