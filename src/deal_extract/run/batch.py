"""Run the extractor over a corpus folder: incremental, interruptible, one bad input never stops it.

:func:`run_batch` finds the inputs, skips those unchanged since the last run, reads the rest
(reading errors are caught here, before any text reaches ``nlp.pipe``), streams the articles
through :meth:`Extractor.pipe`, writes each article's JSON as soon as it is done, checkpoints
``manifest.json`` every few seconds, and at the end rebuilds the tables and ``deals.sqlite``
from every article record in the output folder (earlier runs' included). See
:mod:`deal_extract.corpus.outputs` and :mod:`deal_extract.corpus.store` for the files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import multiprocessing
import time
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from tqdm import tqdm

from deal_extract.run.dask_engine import DaskError
from deal_extract.run.engine import CHUNK_BATCHES, CHUNK_CHARS, Failed, Outcome, chunked, outcomes
from deal_extract.run.inputs import MANIFEST_NAME, check_output_folder, find_inputs, scan_corpus
from deal_extract.text.language import language_warnings
from deal_extract.run.lock import output_lock
from deal_extract.corpus.outputs import (
    DISK_FULL,
    InputRecord,
    Manifest,
    Totals,
    article_json_path,
    atomic_write_text,
    read_article_json,
    read_manifest,
    remove_stale_temp_files,
    write_manifest,
    write_problem,
)
from deal_extract.text.reading import DEFAULT_MAX_CHARS, Article, InputError, InputItem, iter_items
from deal_extract.records import ArticleResult
from deal_extract.corpus.store import rebuild, text_path, text_sha256, write_text
from deal_extract.run.timelimit import article_seconds
from deal_extract.run.timing import BatchClock
from deal_extract.run.watchdog import NOTES_NAME, noted

__all__ = ["BatchOptions", "MANIFEST_NAME", "find_inputs", "run_batch"]

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
    timeout: Optional[float] = None  # seconds per article; None: scaled by its length; 0: no limit
    follow_symlinks: bool = False
    excel: bool = False  # CSV files with a UTF-8 byte-order mark
    dask: Optional[str] = None  # the address of a dask.distributed scheduler to extract on; "local": a
    # LocalCluster of n_process workers on this machine


def tool_version() -> str:
    try:
        return metadata.version("deal-extract")
    except metadata.PackageNotFoundError:
        from deal_extract import __version__  # running from a source tree that is not installed

        return str(__version__)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def count_words(text: str) -> int:
    return len(text.split())


# --- the run ----------------------------------------------------------------------------

@dataclass
class _InFlight:
    path: Path
    item: InputItem
    article: Article
    words: int
    seconds: Optional[float]  # its time limit

    @property
    def output(self) -> str:
        return article_json_path(self.item.file, self.item.ident)


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
            patterns_sha256=_digest(extractor),
            started=now(),
        )
        self.previous = {} if options.force else self._previous_records()
        self.stopped = noted(self.output / NOTES_NAME)  # articles the watchdog stopped in earlier runs
        self.records: dict[str, InputRecord] = {}
        self.seen: set[str] = set()
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

    def _remove_stored(self, record: str) -> None:
        """Remove an article record and its text (relative paths of the output folder)."""
        for stale in (self.output / record, self.output / text_path(record)):
            if stale.is_file():
                stale.unlink()

    def _fail(self, item: InputItem, error: str, seconds: float, encoding: Optional[str] = None) -> None:
        output = article_json_path(item.file, item.ident)
        self._remove_stored(output)  # a result of an earlier version of this input would mislead
        self._record(InputRecord(path=item.source, status="failed", error=error, sha256=item.sha256,
                                 encoding=encoding, seconds=round(seconds, 4)))

    def _try_skip(self, item: InputItem, started: float) -> bool:
        old = self.previous.get(item.source)
        if old is None or old.status not in DONE or item.sha256 is None or old.sha256 != item.sha256:
            return False
        output = article_json_path(item.file, item.ident)
        if (old.output != output or read_article_json(self.output / output) is None
                or not (self.output / text_path(output)).is_file()):
            return False
        self._record(old.model_copy(update={"status": "skipped", "error": None, "output": output,
                                            "seconds": round(time.perf_counter() - started, 4)}))
        return True

    def _jobs(self, files: list[tuple[Path, str]]) -> Iterator[_InFlight]:
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
                    self._fail(item, str(exc), time.perf_counter() - started)
                    continue
                article.warnings.extend(language_warnings(article.text))
                job = _InFlight(path, item, article, count_words(article.text),
                                article_seconds(len(article.text), self.options.timeout))
                if not self._stopped_before(job):
                    yield job

    def _stopped_before(self, job: _InFlight) -> bool:
        """An article the watchdog stopped in an earlier run, with no larger limit now, fails at once."""
        if not self.stopped or job.seconds is None:
            return False
        seconds = self.stopped.get((job.article.source, text_sha256(job.article.text)))
        if seconds is None or job.seconds > seconds:
            return False
        self._fail(job.item, f"{_display(job)}: extraction timed out after {seconds:g} s in an earlier run and "
                             f"did not stop: not run again (a --timeout above {seconds:g} s runs it)",
                   0.0, job.article.encoding)
        return True

    def _finish(self, job: _InFlight, result: ArticleResult) -> None:
        output = job.output
        try:  # the text first: a record never exists without the text its offsets index into
            stored_sha256 = write_text(self.output, output, job.article.text)
            atomic_write_text(self.output / output, result.to_json() + "\n")
        except OSError as exc:
            if exc.errno in DISK_FULL:  # every later write would fail too: the run stops (a rerun completes it)
                raise
            self._fail(job.item, f"{job.path}: {write_problem(exc, self.output / output)}", 0.0, job.article.encoding)
            return
        record = InputRecord(
            path=job.item.source, status="ok", sha256=job.item.sha256, encoding=job.article.encoding,
            warnings=list(job.article.warnings), output=output, text_sha256=stored_sha256,
            organisations=len(result.organisations), deals=len(result.deals), words=job.words,
        )
        self._record(record)
        self.clock.finished(record, len(job.article.text))
        tick = time.perf_counter()
        self.words_processed += job.words
        if self._last_checkpoint is None or tick - self._last_checkpoint >= self.options.checkpoint_seconds:
            self.checkpoint()  # at the first finished article, then every checkpoint_seconds

    def _settle(self, job: _InFlight, outcome: Outcome) -> None:
        if not isinstance(outcome, Failed):
            self._finish(job, outcome)
            return
        if outcome.timed_out is not None:
            reason = f"extraction timed out after {outcome.timed_out:g} s ({job.words:,} words; --timeout)"
        else:
            reason = f"extraction failed: {outcome.error}"
        self._fail(job.item, f"{_display(job)}: {reason}", outcome.seconds, job.article.encoding)

    def _stop_workers(self) -> None:
        """On a time-out with worker processes: stop them, so that the pipe can close."""
        if self.options.n_process > 1:
            for child in multiprocessing.active_children():
                child.terminate()

    def _local(self, jobs: Iterator[_InFlight]) -> Iterator[tuple[_InFlight, Outcome]]:
        """Outcomes in this process, or in ``nlp.pipe``'s worker processes with ``-n``; the
        articles are read a few batches ahead of the model (reading is never under a time limit)."""
        size = self.options.batch_size * self.options.n_process * CHUNK_BATCHES
        for chunk in chunked(jobs, size, CHUNK_CHARS):
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r".*\[W127\]")  # spaCy: "a worker exited abnormally"
                results = outcomes(self.extractor, [job.article for job in chunk], [job.seconds for job in chunk],
                                   self.options.batch_size, self.options.n_process, on_expiry=self._stop_workers)
                with contextlib.closing(results):
                    yield from zip(chunk, results)
            self.clock.flush()

    @contextlib.contextmanager
    def _engine(self) -> Iterator[Callable[[Iterator[_InFlight]], Iterator[tuple[_InFlight, Outcome]]]]:
        """The engine of this run: jobs in, each with its outcome out."""
        if self.options.dask is None:
            yield self._local
            return
        from deal_extract.run import dask_engine

        with dask_engine.scheduler(self.options.dask, self.options.n_process) as address, \
                dask_engine.connect(address) as client:
            yield functools.partial(dask_engine.outcomes, client, self.extractor, batch_size=self.options.batch_size)

    def _extract(self, files: list[tuple[Path, str]]) -> None:
        with self._engine() as engine:
            self.clock.restart()
            with contextlib.closing(engine(self._jobs(files))) as settled:
                try:
                    for job, outcome in settled:
                        self._settle(job, outcome)
                except OSError:  # a full disk: stop the workers before the pipe closes (they would wait)
                    self._stop_workers()
                    raise
            self.clock.flush()

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
            if record.status in DONE and (not record.output or read_article_json(self.output / record.output) is None):
                record.status, record.error = "failed", f"{record.path}: article JSON missing or invalid at the end of the run"

    def run(self) -> Manifest:
        check_output_folder(self.options.corpus, self.output)
        with output_lock(self.output):
            return self._run()

    def _run(self) -> Manifest:
        remove_stale_temp_files(self.output)  # under the lock: no other run's temporary files
        if read_manifest(self.manifest_path) is None:
            # mark the folder as a deal-extract output before any text is written to it, so that
            # no later run takes its texts/ or articles/ for articles (inputs.is_output_folder)
            write_manifest(self.manifest_path, self.manifest.model_copy(update={"inputs": self._merged_records()}))
        scan = scan_corpus(self.options.corpus, self.options.glob, exclude=[self.output],
                           follow_symlinks=self.options.follow_symlinks)
        files = scan.files
        self.manifest.excluded = scan.excluded
        disable = True if self.options.progress is False else None
        with tqdm(total=len(files), unit="input", desc="deal-extract", disable=disable, leave=False) as bar:
            self.bar = bar
            try:
                self._extract(files)
            except (KeyboardInterrupt, DaskError):
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


def _digest(extractor: Any) -> str:
    """What decides the records besides the model: the patterns, and the judge and minimum
    confidence when given (``Extractor.digest``); an input is skipped only when it is unchanged."""
    digest = getattr(extractor, "digest", None)
    return digest() if callable(digest) else extractor.patterns.digest()


def run_batch(extractor: Any, options: BatchOptions) -> Manifest:
    """Run a batch; returns the final manifest (also written to ``OUTPUT/manifest.json``).

    ``extractor`` needs ``pipe(articles, batch_size=, n_process=)``, ``patterns.digest()``,
    ``model_name`` and ``model_version`` (a :class:`deal_extract.api.Extractor`).
    """
    return BatchRun(extractor, options).run()
