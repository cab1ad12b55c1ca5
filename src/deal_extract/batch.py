"""Run the extractor over a corpus folder: incremental, interruptible, one bad input never stops it.

:func:`run_batch` finds the inputs, skips those unchanged since the last run, reads the rest
(reading errors are caught here, before any text reaches ``nlp.pipe``), streams the articles
through :meth:`Extractor.pipe`, writes each article's JSON as soon as it is done, checkpoints
``manifest.json`` every few seconds, and at the end rebuilds the tables and ``deals.sqlite``
from every article record in the output folder (earlier runs' included). See
:mod:`deal_extract.outputs` and :mod:`deal_extract.store` for the files.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import time
from collections import deque
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from tqdm import tqdm

from .language import language_warnings
from .outputs import (
    InputRecord,
    Manifest,
    Totals,
    article_json_path,
    atomic_write_text,
    read_article_json,
    read_manifest,
    remove_stale_temp_files,
    write_manifest,
)
from .reading import DEFAULT_MAX_CHARS, SUPPORTED_SUFFIXES, Article, InputError, InputItem, iter_items
from .records import ArticleResult
from .store import rebuild, text_path, write_text
from .timing import BatchClock

MANIFEST_NAME = "manifest.json"
DONE = ("ok", "skipped")


@dataclass
class BatchOptions:
    corpus: Path
    output: Path = Path("output")
    n_process: int = 1
    batch_size: int = 16
    glob: Optional[str] = None
    force: bool = False
    max_chars: int = DEFAULT_MAX_CHARS
    progress: Optional[bool] = None  # None: shown when stderr is a terminal; False: hidden
    checkpoint_seconds: float = 5.0
    excel: bool = False  # CSV files with a UTF-8 byte-order mark


def tool_version() -> str:
    try:
        return metadata.version("deal-extract")
    except metadata.PackageNotFoundError:
        from . import __version__  # running from a source tree that is not installed

        return str(__version__)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def count_words(text: str) -> int:
    return len(text.split())


# --- finding inputs ---------------------------------------------------------------------

def _matches(rel: str, name: str, pattern: Optional[str]) -> bool:
    if pattern is None:
        return True
    if "/" not in pattern:
        return fnmatch.fnmatch(name, pattern)
    return fnmatch.fnmatch(rel, pattern) or (pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:]))


def find_inputs(corpus: Path, pattern: Optional[str] = None, exclude: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """``[(path, relative posix path), ...]`` of supported files under ``corpus``, sorted.

    Hidden files and folders and the ``exclude`` folders (the output folder) are left out.
    ``pattern`` narrows the files: without ``/`` it matches file names at any depth, with
    ``/`` the relative path (``*`` there also crosses folders).
    """
    corpus = Path(corpus)
    excluded = {Path(p).resolve() for p in exclude}
    found: list[tuple[Path, str]] = []
    for folder, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if not d.startswith(".") and (Path(folder) / d).resolve() not in excluded]
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            path = Path(folder) / name
            rel = path.relative_to(corpus).as_posix()
            if _matches(rel, name, pattern):
                found.append((path, rel))
    return sorted(found, key=lambda pair: pair[1])


# --- the run ----------------------------------------------------------------------------

@dataclass
class _InFlight:
    path: Path
    item: InputItem
    article: Article
    words: int


class BatchRun:
    """One batch run; use :func:`run_batch`."""

    def __init__(self, extractor: Any, options: BatchOptions):
        self.extractor = extractor
        self.options = options
        self.output = Path(options.output)
        self.manifest_path = self.output / MANIFEST_NAME
        self.manifest = Manifest(
            tool_version=tool_version(),
            model=str(extractor.model_name),
            model_version=str(extractor.model_version),
            patterns_sha256=extractor.patterns.digest(),
            started=now(),
        )
        self.previous = {} if options.force else self._previous_records()
        self.records: dict[str, InputRecord] = {}
        self.in_flight: deque[_InFlight] = deque()
        self.seen: set[str] = set()
        self.feed_broken = False
        self.words_processed = 0
        self._t0 = time.perf_counter()
        self.clock = BatchClock(options.batch_size)
        self._last_checkpoint: Optional[float] = None
        self.bar: Optional[tqdm] = None

    def _previous_records(self) -> dict[str, InputRecord]:
        """Records of the last run, if it ran with the same tool, model and patterns."""
        old = read_manifest(self.manifest_path)
        m = self.manifest
        if old is None or (old.tool_version, old.model, old.model_version, old.patterns_sha256) != (
                m.tool_version, m.model, m.model_version, m.patterns_sha256):
            return {}
        return {record.path: record for record in old.inputs}

    # -- recording --

    def _record(self, record: InputRecord) -> None:
        self.records[record.path] = record
        if self.bar is not None:
            self.bar.update(1)

    def _fail(self, source: str, sha: Optional[str], error: str, seconds: float, encoding: Optional[str] = None) -> None:
        stale = self.output / article_json_path(source)
        if stale.is_file():  # a result of an earlier version of this input would mislead
            stale.unlink()
        self._record(InputRecord(path=source, status="failed", error=error, sha256=sha, encoding=encoding, seconds=round(seconds, 4)))

    def _try_skip(self, item: InputItem, started: float) -> bool:
        old = self.previous.get(item.source)
        if old is None or old.status not in DONE or item.sha256 is None or old.sha256 != item.sha256:
            return False
        output = article_json_path(item.source)
        if read_article_json(self.output / output) is None or not (self.output / text_path(item.source)).is_file():
            return False
        self._record(old.model_copy(update={"status": "skipped", "error": None, "output": output,
                                            "seconds": round(time.perf_counter() - started, 4)}))
        return True

    def _feed(self, files: list[tuple[Path, str]]) -> Iterator[Article]:
        try:
            yield from self._articles(files)
        except Exception:
            self.feed_broken = True  # a bug here, not in the pipeline: don't go on without the rest
            raise

    def _articles(self, files: list[tuple[Path, str]]) -> Iterator[Article]:
        """Articles to extract, in order; skipped and unreadable inputs are recorded here."""
        for path, rel in files:
            for k, item in enumerate(iter_items(path, rel, self.options.max_chars)):
                if k and self.bar is not None:  # a jsonl file holds more than one input
                    self.bar.total += 1
                    self.bar.refresh()
                started = time.perf_counter()
                if item.source in self.seen:  # e.g. a jsonl id equal to another line's number
                    key = f"{item.source} (duplicate {k + 1})"
                    self._record(InputRecord(path=key, status="failed", sha256=item.sha256,
                                             error=f"{path}: input {k + 1} of the file is also named {item.source!r}"))
                    continue
                self.seen.add(item.source)
                if self._try_skip(item, started):
                    continue
                try:
                    article = item.load()
                except InputError as exc:
                    self._fail(item.source, item.sha256, str(exc), time.perf_counter() - started)
                    continue
                article.warnings.extend(language_warnings(article.text))
                self.in_flight.append(_InFlight(path, item, article, count_words(article.text)))
                yield article

    def _finish(self, job: _InFlight, result: ArticleResult) -> None:
        output = article_json_path(job.item.source)
        try:  # the text first: a record never exists without the text its offsets index into
            write_text(self.output, job.item.source, job.article.text)
            atomic_write_text(self.output / output, result.to_json() + "\n")
        except OSError as exc:
            self._fail(job.item.source, job.item.sha256, f"{job.path}: cannot write {self.output / output}: "
                       f"{exc.strerror or exc}", 0.0, job.article.encoding)
            return
        record = InputRecord(
            path=job.item.source, status="ok", sha256=job.item.sha256, encoding=job.article.encoding,
            warnings=list(job.article.warnings), output=output, organisations=len(result.organisations),
            deals=len(result.deals), words=job.words,
        )
        self._record(record)
        self.clock.finished(record, len(job.article.text))
        tick = time.perf_counter()
        self.words_processed += job.words
        if self._last_checkpoint is None or tick - self._last_checkpoint >= self.options.checkpoint_seconds:
            self.checkpoint()  # at the first finished article, then every checkpoint_seconds

    def _extract_alone(self, job: _InFlight) -> None:
        """After the pipe broke: extract one article on its own, recording a failure."""
        try:
            result = next(iter(self.extractor.pipe([job.article], batch_size=1, n_process=1)))
        except Exception as exc:  # an extraction bug must not stop the batch: record it
            cause = " ".join(str(exc).split())[:500]
            self._fail(job.item.source, job.item.sha256, f"{_display(job)}: extraction failed: {type(exc).__name__}: {cause}",
                       0.0, job.article.encoding)
            return
        self._finish(job, result)

    def _extract(self, files: list[tuple[Path, str]]) -> None:
        feed = self._feed(files)
        self.clock.restart()
        while True:
            results = self.extractor.pipe(feed, batch_size=self.options.batch_size, n_process=self.options.n_process)
            try:
                for result in results:
                    self._finish(self.in_flight.popleft(), result)
                return
            except Exception:
                if not self.in_flight or self.feed_broken:
                    raise
            finally:
                _close(results)  # stops nlp.pipe workers now, also on Ctrl-C
                self.clock.flush()
            # the pipe broke on one of the articles in flight: redo those one by one, then go on
            while self.in_flight:
                self._extract_alone(self.in_flight.popleft())

    # -- manifest and aggregates --

    def _merged_records(self) -> list[InputRecord]:
        merged = {**self.previous, **self.records}
        return [merged[key] for key in sorted(merged)]

    def checkpoint(self) -> None:
        """Write the manifest so far: this run's records plus the last run's for inputs not reached yet."""
        self._last_checkpoint = time.perf_counter()
        write_manifest(self.manifest_path, self.manifest.model_copy(update={"inputs": self._merged_records()}))

    def _check_records(self, records: list[InputRecord]) -> None:
        """An input whose article JSON went missing during the run is failed."""
        for record in records:
            if record.status in DONE and read_article_json(self.output / (record.output or article_json_path(record.path))) is None:
                record.status, record.error = "failed", f"{record.path}: article JSON missing or invalid at the end of the run"

    def run(self) -> Manifest:
        self.output.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.output)
        files = find_inputs(self.options.corpus, self.options.glob, exclude=[self.output])
        disable = True if self.options.progress is False else None
        with tqdm(total=len(files), unit="input", desc="deal-extract", disable=disable, leave=False) as bar:
            self.bar = bar
            try:
                self._extract(files)
            except KeyboardInterrupt:
                self.checkpoint()
                raise
            finally:
                self.bar = None
        records = [self.records[key] for key in sorted(self.records)]
        self._check_records(records)
        rebuild(self.output, self.extractor.patterns, records, excel=self.options.excel)
        seconds = time.perf_counter() - self._t0
        self.manifest.inputs = records
        self.manifest.finished = now()
        self.manifest.totals = _totals(records, self.words_processed, seconds)
        write_manifest(self.manifest_path, self.manifest)
        return self.manifest


def _display(job: _InFlight) -> str:
    """The input as error messages name it: the file, plus ``#id`` for a jsonl line."""
    _, hash_, ident = job.item.source.partition("#")
    return f"{job.path}{hash_}{ident}"


def _close(iterator: Any) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


def _totals(records: list[InputRecord], words_processed: int, seconds: float) -> Totals:
    done = [r for r in records if r.status in DONE]
    return Totals(
        inputs=len(records),
        ok=sum(r.status == "ok" for r in records),
        skipped=sum(r.status == "skipped" for r in records),
        failed=sum(r.status == "failed" for r in records),
        organisations=sum(r.organisations for r in done),
        deals=sum(r.deals for r in done),
        words=sum(r.words for r in done),
        words_processed=words_processed,
        seconds=round(seconds, 3),
        words_per_second=round(words_processed / seconds, 1) if seconds > 0 else 0.0,
    )


def run_batch(extractor: Any, options: BatchOptions) -> Manifest:
    """Run a batch; returns the final manifest (also written to ``OUTPUT/manifest.json``).

    ``extractor`` needs ``pipe(articles, batch_size=, n_process=)``, ``patterns.digest()``,
    ``model_name`` and ``model_version`` (a :class:`deal_extract.api.Extractor`).
    """
    return BatchRun(extractor, options).run()
