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

from deal_extract.corpus.view import Corpus, CorpusArticle, build_corpus, curated_from
from deal_extract.corpus.database import DATABASE_NAME, read_articles, write_database
from deal_extract.corpus.outputs import InputRecord, article_json_path, atomic_write_text, read_article_json, write_aggregates
from deal_extract.records import ArticleResult

ARTICLES_DIR = "articles"
TEXTS_DIR = "texts"


def text_path(record: str) -> str:
    """Where an input's text goes, relative to the output folder: beside its record's path
    (``articles/a/b.txt.json`` -> ``texts/a/b.txt.txt``), so that text names are as injective
    and as bounded in length as record names (:func:`~deal_extract.corpus.outputs.article_json_path`)."""
    inner = record[len(ARTICLES_DIR) + 1:] if record.startswith(ARTICLES_DIR + "/") else record
    inner = inner[:-len(".json")] if inner.endswith(".json") else inner
    return f"{TEXTS_DIR}/{inner}.txt"


def write_text(output: Path, record: str, text: str) -> None:
    """Store the text of the input whose record goes to ``record`` (a path relative to ``output``)."""
    atomic_write_text(Path(output) / text_path(record), text)


def read_text(output: Path, record: str) -> Optional[str]:
    """The stored text of the input whose record is at ``record`` (relative to ``output``), or
    ``None`` (an output folder of an older version has none)."""
    try:
        return (Path(output) / text_path(record)).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _at_own_path(record: str, source: str) -> bool:
    """Whether ``record`` is where this version writes the record of ``source`` (``file`` or
    ``file#id``; a file name may hold ``#`` too, so every split is tried)."""
    if record == article_json_path(source):
        return True
    return any(record == article_json_path(source[:i], source[i + 1:])
               for i, char in enumerate(source) if char == "#")


def iter_stored(output: Path) -> Iterator[tuple[str, ArticleResult]]:
    """``(record path relative to output, record)`` for every valid article record under
    ``OUTPUT/articles``, sorted by source; other files are ignored. Should two files hold the
    same source (one left at an older version's path), the one at this version's path wins."""
    output = Path(output)
    folder = output / ARTICLES_DIR
    found: dict[str, tuple[str, ArticleResult]] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*.json")):
            if not path.is_file():
                continue
            result = read_article_json(path)
            if result is None:
                continue
            record = path.relative_to(output).as_posix()
            if result.source not in found or (_at_own_path(record, result.source)
                                              and not _at_own_path(found[result.source][0], result.source)):
                found[result.source] = (record, result)
    yield from (found[source] for source in sorted(found))


def iter_records(output: Path) -> Iterator[ArticleResult]:
    """Every valid article record under ``OUTPUT/articles``, sorted by source; other files are ignored."""
    for _, result in iter_stored(output):
        yield result


def stored_texts(output: Path, stored: Iterable[tuple[str, ArticleResult]]) -> dict[str, str]:
    """source -> stored text, for the records that have one."""
    return {r.source: text for record, r in stored if (text := read_text(output, record)) is not None}


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


def load_output(output: Path, patterns=None,
                inputs: Iterable[InputRecord] = ()) -> tuple[list[ArticleResult], dict[str, str], Corpus]:
    """The records of an output folder, their stored texts (source -> text) and their corpus."""
    output = Path(output)
    stored = list(iter_stored(output))
    results = [result for _, result in stored]
    texts = stored_texts(output, stored)
    rows = article_rows(read_articles(output / DATABASE_NAME), inputs, {r.source for r in results})
    curated, legal_forms = curated_from(patterns)
    corpus = build_corpus(results, texts=texts, articles=rows, curated=curated, country_legal_forms=legal_forms)
    return results, texts, corpus


def load_corpus(output: Path, patterns=None, inputs: Iterable[InputRecord] = ()) -> tuple[list[ArticleResult], Corpus]:
    """The records of an output folder and their corpus (``patterns``: a :class:`~deal_extract.rulefiles.loader.Patterns`)."""
    results, _, corpus = load_output(output, patterns, inputs)
    return results, corpus


def rebuild(output: Path, patterns=None, inputs: Iterable[InputRecord] = (), excel: bool = False) -> Corpus:
    """Rewrite every table and the database from all article records of the output folder."""
    results, corpus = load_corpus(output, patterns, inputs)
    write_aggregates(output, results, corpus=corpus, excel=excel)
    write_database(Path(output) / DATABASE_NAME, corpus)
    return corpus
