"""A process-level time limit: a small helper process ends this one when it is stuck where no
signal reaches.

The limits of :mod:`.timelimit` raise an exception at the next Python instruction (SIGALRM in
the main thread, an asynchronous exception in another). A long call into C code holds the
interpreter: neither they, nor Ctrl-C, nor a SIGTERM handler run before it returns. So each
process that extracts has a watchdog, a helper process of a few MB (:mod:`.watchdog_helper`):
the commands start one with :func:`watching`, a Dask worker at its first batch with :func:`ensure`.

- :func:`guarded` arms it while an article is extracted: if the work outlasts the article's
  limit by :data:`GRACE_SECONDS`, the helper prints one line naming the article and kills
  this process (SIGKILL). ``extract`` ends; a batch stops as if killed (its outputs stay those
  of an interrupted run) after noting the article in ``OUTPUT/timed-out.jsonl``, so that the
  next run records it as timed out without running it again (:func:`noted`); a Dask worker
  dies and the scheduler's rules for lost workers apply.
- In the main thread, Ctrl-C and SIGTERM reach the helper at once through
  ``signal.set_wakeup_fd``: the process gets :data:`SIGNAL_GRACE_SECONDS` to stop by itself (a
  second Ctrl-C: none), then it is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

from deal_extract.cli.messages import printable
from deal_extract.corpus.store import text_sha256

if TYPE_CHECKING:
    from deal_extract.text.reading import Article

#: How long an article's work may outlast its limit before the process is killed.
GRACE_SECONDS = 10.0
#: How long the process has to stop by itself after Ctrl-C or SIGTERM.
SIGNAL_GRACE_SECONDS = 5.0
CLOSE_SECONDS = 5.0
#: The notes of a batch's output folder: articles whose run was stopped by the watchdog.
NOTES_NAME = "timed-out.jsonl"
HELPER = (Path(__file__).resolve().parent / "watchdog_helper.py").read_text(encoding="utf-8")


class Watchdog:
    """This process's helper. ``command`` names the process in messages ("batch"); the helper
    writes the notes of stopped articles to ``note_path`` (None: no notes)."""

    def __init__(self, command: str, note_path: Optional[Path] = None, grace: float = GRACE_SECONDS,
                 signal_grace: float = SIGNAL_GRACE_SECONDS):
        self.command = command
        self.note_path = note_path
        self.grace = grace
        main = threading.current_thread() is threading.main_thread()
        wake_read, self._wake = os.pipe() if main else (-1, -1)
        interrupted = (f"deal-extract {command}: still running {signal_grace:g} s after an interrupt "
                       "(in code that no signal interrupts): stopped")
        self._helper = subprocess.Popen(
            [sys.executable, "-I", "-c", HELPER, str(os.getpid()), str(wake_read), repr(signal_grace), interrupted],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(wake_read,) if main else ())
        self._previous_wakeup: Optional[int] = None
        if main:
            os.close(wake_read)
            os.set_blocking(self._wake, False)
            self._previous_wakeup = signal.set_wakeup_fd(self._wake, warn_on_full_buffer=False)

    def _send(self, command: dict) -> None:
        try:
            self._helper.stdin.write((json.dumps(command) + "\n").encode())
            self._helper.stdin.flush()
        except OSError:  # the helper is gone: the process runs on unwatched
            pass

    def arm(self, article: Article, limit: float, wait: float) -> None:
        """Kill this process unless :meth:`disarm` comes within ``wait + grace`` seconds (the
        work for ``article``, whose limit is ``limit``)."""
        source = article.source
        then = {"batch": "the batch is stopped; run the same command again to go on "
                         "(the article is then recorded as timed out)",
                "extract": "stopped"}.get(self.command, "this process is stopped")
        message = (f"deal-extract {self.command}: error: {printable(source)}: extraction timed out after {limit:g} s "
                   f"and was still running {self.grace:g} s later (in code that no signal interrupts): {then}")
        note = json.dumps({"source": source, "text_sha256": text_sha256(article.text), "seconds": limit})
        self._send({"arm": wait + self.grace, "message": message,
                    "note_path": str(self.note_path) if self.note_path else None, "note": note})

    def disarm(self) -> None:
        self._send({"disarm": True})

    def close(self) -> None:
        if self._previous_wakeup is not None:
            signal.set_wakeup_fd(self._previous_wakeup)
            os.close(self._wake)
        self._send({"exit": True})  # not just end of input: forked workers may hold the pipe open
        with contextlib.suppress(OSError):
            self._helper.stdin.close()
        try:
            self._helper.wait(timeout=CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            self._helper.kill()
            self._helper.wait()


_current: Optional[Watchdog] = None


@contextlib.contextmanager
def watching(command: str, note_path: Optional[Path] = None, **options: float) -> Iterator[Watchdog]:
    """This process watched for the block (see the module docstring)."""
    global _current
    previous, _current = _current, Watchdog(command, note_path, **options)
    try:
        yield _current
    finally:
        _current.close()
        _current = previous


def ensure(command: str) -> None:
    """This process watched from now on (a Dask worker: its helper ends with it)."""
    global _current
    if _current is None:
        _current = Watchdog(command)


@contextlib.contextmanager
def guarded(article: Article, limit: Optional[float], wait: Optional[float] = None) -> Iterator[None]:
    """The block (an article's work, or a wait of ``wait`` seconds for it) killed with this
    process if it outlasts ``limit`` (or ``wait``) by the grace period; no limit: unwatched."""
    if _current is None or limit is None:
        yield
        return
    _current.arm(article, limit, wait if wait is not None else limit)
    try:
        yield
    finally:
        _current.disarm()


def noted(note_path: Path) -> dict[tuple[str, str], float]:
    """The articles the watchdog stopped in earlier runs: (source, sha256 of the text) -> the
    largest limit they ran over. A missing file or a bad line notes nothing."""
    found: dict[tuple[str, str], float] = {}
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in note_path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                note = json.loads(line)
                key = (str(note["source"]), str(note["text_sha256"]))
                found[key] = max(float(note["seconds"]), found.get(key, 0.0))
    return found
