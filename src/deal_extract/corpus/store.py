"""An output folder as the store of every article processed into it, and the tables rebuilt from it.

A batch run writes, per article, its record (``articles/<path>.json``, SPEC section 1) and
the text the record's offsets index into (``texts/<path>.txt``), both atomically. Everything
else in the folder is derived from those files by :func:`rebuild`: ``deals.jsonl``,
``deals.csv``, ``organisations.csv``, ``corpus_deals.csv`` and ``deals.sqlite``, from all
the articles in the folder, not only the last run's inputs. ``report --from OUTPUT`` reads
the same files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator, Optional

from deal_extract.cli.messages import printable
from deal_extract.corpus.view import Corpus, CorpusArticle, build_corpus, curated_from
from deal_extract.corpus.database import DATABASE_NAME, read_articles, write_database
from deal_extract.corpus.outputs import (
    MANIFEST_NAME, InputRecord, article_json_path, atomic_write_text, read_article_json, read_manifest, write_aggregates,
)
from deal_extract.records import ArticleResult
from deal_extract.text.reading import sha256

ARTICLES_DIR = "articles"
TEXTS_DIR = "texts"


def text_path(record: str) -> str:
    """Where an input's text goes, relative to the output folder: beside its record's path
    (``articles/a/b.txt.json`` -> ``texts/a/b.txt.txt``), so that text names are as injective
    and as bounded in length as record names (:func:`~deal_extract.corpus.outputs.article_json_path`)."""
    inner = record[len(ARTICLES_DIR) + 1:] if record.startswith(ARTICLES_DIR + "/") else record
    inner = inner[:-len(".json")] if inner.endswith(".json") else inner
    return f"{TEXTS_DIR}/{inner}.txt"


def text_sha256(text: str) -> str:
    """The hash of a stored text (of its UTF-8 form), kept in the manifest to check it when read back."""
    return sha256(text.encode("utf-8", "surrogatepass"))


def write_text(output: Path, record: str, text: str) -> str:
    """Store the text of the input whose record goes to ``record`` (a path relative to ``output``);
    returns its :func:`text_sha256`."""
    atomic_write_text(Path(output) / text_path(record), text)
    return text_sha256(text)


class StoredTextError(ValueError):
    """A stored text that is not used: a symbolic link, not a regular file, or not the text of its record."""


def read_text(output: Path, record: str, expected_sha256: Optional[str] = None) -> Optional[str]:
    """The stored text of the input whose record is at ``record`` (relative to ``output``), or
    ``None`` (an output folder of an older version has none).

    Raises :class:`StoredTextError` for a text that is (or lies under) a symbolic link, is no
    regular file, or whose hash is not ``expected_sha256`` (the manifest's): an output folder
    from elsewhere cannot bring another file, such as ``/etc/passwd``, into a report.
    """
    rel = text_path(record)
    path = Path(output) / rel
    if not os.path.lexists(path):
        return None
    real = os.path.realpath(path)
    if real != os.path.join(os.path.realpath(output), *rel.split("/")):
        raise StoredTextError(f"{path}: a symbolic link (to {printable(real)}), not a stored text")
    if not os.path.isfile(real):
        raise StoredTextError(f"{path}: not a regular file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if expected_sha256 is not None and text_sha256(text) != expected_sha256:
        raise StoredTextError(f"{path}: not the text its record was extracted from (its sha256 differs from the "
                              "manifest's)")
    return text


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


def spans_fit(result: ArticleResult, text: str) -> bool:
    """Whether ``text`` can be the text of ``result``: every evidence is found at its offsets and
    every mention lies within the text (the check of a text the manifest gives no hash for)."""
    return (all(text[d.evidence.start:d.evidence.end] == d.evidence.text for d in result.deals)
            and all(0 <= s <= e <= len(text) for o in result.organisations for s, e in o.mentions))


def stored_texts(output: Path, stored: Iterable[tuple[str, ArticleResult]],
                 hashes: Optional[dict[str, str]] = None) -> tuple[dict[str, str], dict[str, str]]:
    """source -> stored text, for the records that have a usable one, and source -> why a stored
    text is not used. ``hashes``: source -> :func:`text_sha256` (the manifest's ``text_sha256``)."""
    hashes = hashes or {}
    texts: dict[str, str] = {}
    problems: dict[str, str] = {}
    for record, result in stored:
        try:
            text = read_text(output, record, hashes.get(result.source))
        except StoredTextError as exc:
            problems[result.source] = str(exc)
            continue
        if text is None:
            continue
        if not spans_fit(result, text):
            problems[result.source] = (f"{Path(output) / text_path(record)}: not the text its record was extracted "
                                       "from (the evidence is not at its offsets)")
            continue
        texts[result.source] = text
    return texts, problems


def text_hashes(output: Path, inputs: Iterable[InputRecord] = ()) -> dict[str, str]:
    """source -> the hash of its stored text, from the output folder's manifest and ``inputs`` (which win)."""
    manifest = read_manifest(Path(output) / MANIFEST_NAME)
    records = [*(manifest.inputs if manifest else ()), *inputs]
    return {r.path: r.text_sha256 for r in records if r.text_sha256}


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


def load_output(output: Path, patterns=None, inputs: Iterable[InputRecord] = ()
                ) -> tuple[list[ArticleResult], dict[str, str], Corpus, dict[str, str]]:
    """The records of an output folder, their stored texts (source -> text), their corpus, and
    why some stored texts were not used (:func:`stored_texts`)."""
    output = Path(output)
    inputs = list(inputs)
    stored = list(iter_stored(output))
    results = [result for _, result in stored]
    texts, problems = stored_texts(output, stored, text_hashes(output, inputs))
    rows = article_rows(read_articles(output / DATABASE_NAME), inputs, {r.source for r in results})
    curated, legal_forms = curated_from(patterns)
    corpus = build_corpus(results, texts=texts, articles=rows, curated=curated, country_legal_forms=legal_forms)
    return results, texts, corpus, problems


def load_corpus(output: Path, patterns=None, inputs: Iterable[InputRecord] = ()) -> tuple[list[ArticleResult], Corpus]:
    """The records of an output folder and their corpus (``patterns``: a :class:`~deal_extract.rulefiles.loader.Patterns`)."""
    results, _, corpus, _ = load_output(output, patterns, inputs)
    return results, corpus


def rebuild(output: Path, patterns=None, inputs: Iterable[InputRecord] = (), excel: bool = False) -> Corpus:
    """Rewrite every table and the database from all article records of the output folder."""
    results, corpus = load_corpus(output, patterns, inputs)
    write_aggregates(output, results, corpus=corpus, excel=excel)
    write_database(Path(output) / DATABASE_NAME, corpus)
    return corpus
