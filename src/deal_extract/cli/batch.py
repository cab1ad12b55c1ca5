"""``deal-extract batch CORPUS_DIR``: extract every article of a folder into OUTPUT_DIR.

Exit status: 0 when every input succeeded or was skipped, 1 when any failed, 2 for bad
usage, a missing corpus folder or one without articles (nothing is written then), an
unwritable output folder, bad patterns or a missing model, 130 when interrupted. stdout
carries only the manifest path; messages go to stderr.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Annotated, Iterator, NoReturn, Optional

import typer

from deal_extract.cli import (JudgeOption, MinConfidenceOption, OrganisationsOption, command, extractor_or_exit, fail,
                              judge_options, say)
from deal_extract.text.language import NO_ENGLISH
from deal_extract.text.reading import DEFAULT_MAX_CHARS

MAX_FAILURES_LISTED = 20
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _error(message: str | Exception, code: int = 2) -> typer.Exit:
    return fail("batch", message, code)


# --- interruption ------------------------------------------------------------------------
# spaCy's own shutdown of nlp.pipe workers can deadlock when a run is interrupted (each forked
# worker keeps its siblings' result pipes open, so none sees the main process stop reading).
# So on Ctrl-C or SIGTERM the main process kills its workers first, then unwinds as
# KeyboardInterrupt (the manifest is checkpointed), and leaves with os._exit so that
# multiprocessing's exit handlers do not wait on queue threads of the killed workers.

def _interrupt(signum: int, frame: object) -> None:
    warnings.filterwarnings("ignore", message=r".*\[W127\]")  # spaCy: "a worker exited abnormally"
    for child in multiprocessing.active_children():
        child.terminate()
    raise KeyboardInterrupt


def _worker_signals(_: object) -> None:
    """In a forked nlp.pipe worker: leave Ctrl-C to the main process, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))  # no orphans after a kill -9


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    multiprocessing.util.register_after_fork(_worker_signals, _worker_signals)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _leave(code: int, n_process: int) -> NoReturn:
    """Exit with ``code`` after an interruption or a full disk; with worker processes (``-n`` above
    1, or a local Dask cluster) through ``os._exit``, so that exit handlers do not wait on the
    killed workers."""
    if n_process > 1:
        sys.stderr.flush()
        os._exit(code)
    raise typer.Exit(code) from None


def _summary(manifest, manifest_path: Path, quiet: bool) -> None:
    t = manifest.totals
    failed = [r for r in manifest.inputs if r.status == "failed"]
    if not quiet or failed:
        say(f"deal-extract batch: {t.inputs} inputs: {t.ok} ok, {t.skipped} skipped, {t.failed} failed; "
            f"{t.deals} deals, {t.organisations} organisations; "
            f"{t.words_processed:,} words extracted in {t.seconds:.1f} s ({t.words_per_second:,.0f} words/s)")
    for record in manifest.inputs:
        if NO_ENGLISH in record.warnings:
            say(f"  warning: {record.path}: {NO_ENGLISH}")
    fallback = [r for r in manifest.inputs if r.warnings]
    if fallback and not quiet:
        say(f"  {len(fallback)} inputs have warnings (e.g. a fallback encoding): see {manifest_path}")
    if manifest.excluded and not quiet:
        say(f"  {len(manifest.excluded)} paths not read (symbolic links leaving the corpus, output folders): "
            f"see 'excluded' in {manifest_path}")
    for record in failed[:MAX_FAILURES_LISTED]:
        say(f"  failed: {record.error}")
    if len(failed) > MAX_FAILURES_LISTED:
        say(f"  ... and {len(failed) - MAX_FAILURES_LISTED} more failures: see {manifest_path}")


@command("batch")
def batch_command(
    corpus_dir: Annotated[Path, typer.Argument(metavar="CORPUS_DIR", help="Folder of articles (.txt .md .html .htm .json .jsonl), searched recursively.")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="DIR", help="Output folder (holds every article ever processed into it).")] = Path("output"),
    n_process: Annotated[Optional[int], typer.Option("-n", "--n-process", min=1, metavar="N", help="Worker processes for nlp.pipe (default 1); with --dask local, the Dask workers (default: one per core).")] = None,
    batch_size: Annotated[int, typer.Option("-b", "--batch-size", min=1, help="Articles per nlp.pipe batch.")] = 16,
    glob: Annotated[Optional[str], typer.Option("--glob", metavar="PATTERN", help="Only files matching this pattern ('*.txt', 'news/**/*.html').")] = None,
    force: Annotated[bool, typer.Option("-F", "--force", help="Redo every input, even unchanged ones.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No progress bar and no summary unless something failed.")] = False,
    excel: Annotated[bool, typer.Option("--excel", help="Write the CSV files with a UTF-8 byte-order mark, for spreadsheet programs.")] = False,
    model: Annotated[Optional[str], typer.Option("--model", metavar="NAME", help="spaCy model name (default: the installed English model).")] = None,
    patterns: Annotated[Optional[Path], typer.Option("--patterns", metavar="DIR", help="Folder of rule files replacing the packaged ones (the others stay packaged).")] = None,
    organisations: OrganisationsOption = None,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, help="Fail articles longer than this many characters.")] = DEFAULT_MAX_CHARS,
    timeout: Annotated[Optional[float], typer.Option("--timeout", min=0, metavar="SECONDS", help="Fail an article that takes longer (default: 60 s plus 1 s per 1,000 characters; 0: no limit).")] = None,
    follow_symlinks: Annotated[bool, typer.Option("--follow-symlinks", help="Also read symbolic links to files outside CORPUS_DIR.")] = False,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help="Extract on the workers of the dask.distributed scheduler at ADDRESS (tcp://host:port), or 'local': a LocalCluster on this machine; needs 'deal-extract[dask]'.")] = None,
    judge: JudgeOption = None,
    min_confidence: MinConfidenceOption = 0.0,
) -> None:
    """Extract every article of CORPUS_DIR into OUTPUT: per-article JSON, deals.sqlite, CSV/JSONL tables, manifest.json."""
    from deal_extract.run.batch import MANIFEST_NAME, BatchOptions, run_batch
    from deal_extract.run.dask_engine import LOCAL, DaskError, require
    from deal_extract.run.inputs import OutputFolderError, check_output_folder, scan_corpus
    from deal_extract.run.lock import OutputLocked, output_lock
    from deal_extract.run.watchdog import NOTES_NAME, watching
    from deal_extract.corpus.outputs import DISK_FULL, check_writable, write_problem

    if dask is not None:
        if dask != LOCAL and n_process is not None and n_process > 1:
            raise _error("-n and --dask do not go together: the Dask workers are the processes")
        try:
            require()
        except DaskError as exc:
            raise _error(exc) from None
    if not corpus_dir.is_dir():
        raise _error(f"corpus folder not found: {corpus_dir}" if not corpus_dir.exists() else f"not a folder: {corpus_dir}")
    try:
        check_output_folder(corpus_dir, output)
    except OutputFolderError as exc:
        raise _error(str(exc)) from None
    scan = scan_corpus(corpus_dir, glob, exclude=[output], follow_symlinks=follow_symlinks)
    if not scan.files:  # nothing to do is an error, as for report and evaluate; nothing is written
        raise _error(f"nothing to extract: no article found in {corpus_dir}" + (f" matching {glob!r}" if glob else "")
                     + (f" ({len(scan.excluded)} paths not read: symbolic links leaving the corpus, output folders)"
                        if scan.excluded else ""))
    try:
        check_writable(output)
    except OSError as exc:
        raise _error(f"output folder {output} is not writable: {exc.strerror or exc}") from None

    n_process = n_process or ((os.cpu_count() or 1) if dask == LOCAL else 1)  # --dask local: its workers
    options = BatchOptions(corpus=corpus_dir, output=output, n_process=n_process, batch_size=batch_size, glob=glob,
                           force=force, max_chars=max_chars, progress=False if quiet else None, timeout=timeout,
                           follow_symlinks=follow_symlinks, excel=excel, dask=dask)
    manifest_path = output / MANIFEST_NAME
    try:
        with output_lock(output), _interruptible(), watching("batch", note_path=output / NOTES_NAME):
            extractor = extractor_or_exit("batch", model=model, patterns=patterns, organisations=organisations or (),
                                          max_chars=max_chars, **judge_options(judge, min_confidence))
            manifest = run_batch(extractor, options)
    except (OutputLocked, DaskError) as exc:
        raise _error(str(exc)) from None
    except OSError as exc:  # a full disk: finished articles are kept, a rerun completes the run
        remedy = "free some space and run" if exc.errno in DISK_FULL else "fix that and run"
        say(f"deal-extract batch: error: {write_problem(exc, output)}; finished articles are kept in {output}: "
            f"{remedy} the same command again to complete")
        _leave(2, n_process if dask != LOCAL else max(n_process, 2))
    except KeyboardInterrupt:
        say(f"deal-extract batch: interrupted; finished articles are kept in {output}: "
            "run the same command again to complete")
        _leave(130, n_process if dask != LOCAL else max(n_process, 2))
    _summary(manifest, manifest_path, quiet)
    typer.echo(str(manifest_path))
    if manifest.totals.failed:
        raise typer.Exit(1)
