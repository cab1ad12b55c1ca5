"""A time limit per article, so that no article can stall a batch.

:func:`article_seconds` gives an article's limit: ``--timeout SECONDS`` when given, else a
default that no normal article reaches (a minute plus a second per 1,000 characters; the
pipeline reads about 30,000 characters a second). :func:`time_limit` raises
:class:`ArticleTimeout` in the calling thread when the block runs longer:

- in the main thread through ``SIGALRM`` (this interrupts even a long regular expression);
- in any other thread (a Dask or thread-pool worker) through an asynchronous exception,
  raised at the thread's next Python instruction.

A batch engine wraps the extraction of one article, or the wait for one result of a pool of
workers, in :func:`time_limit`; ``on_expiry`` runs first (to stop worker processes).
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from typing import Callable, Iterator, Optional

DEFAULT_BASE_SECONDS = 60.0
DEFAULT_CHARS_PER_SECOND = 1_000.0


class ArticleTimeout(BaseException):
    """An article took longer than its limit. A BaseException, so that no ``except Exception``
    inside a pipeline component swallows it."""

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:g} s")
        self.seconds = seconds


def article_seconds(chars: int, timeout: Optional[float] = None) -> Optional[float]:
    """The limit for an article of ``chars`` characters; ``None`` means no limit (``timeout=0``)."""
    if timeout is None:
        return DEFAULT_BASE_SECONDS + chars / DEFAULT_CHARS_PER_SECOND
    return timeout if timeout > 0 else None


@contextlib.contextmanager
def time_limit(seconds: Optional[float], on_expiry: Optional[Callable[[], None]] = None) -> Iterator[None]:
    """Raise :class:`ArticleTimeout` in this thread if the block runs over ``seconds`` (``None``: no limit)."""
    if not seconds:
        yield
    elif threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds, on_expiry):
            yield
    else:
        with _watchdog(seconds, on_expiry):
            yield


@contextlib.contextmanager
def _alarm(seconds: float, on_expiry: Optional[Callable[[], None]]) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        if on_expiry is not None:
            on_expiry()
        raise ArticleTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _watchdog(seconds: float, on_expiry: Optional[Callable[[], None]]) -> Iterator[None]:
    thread_id = threading.get_ident()
    guard = threading.Lock()
    state = {"done": False}

    def expire() -> None:
        with guard:
            if state["done"]:
                return
            if on_expiry is not None:
                on_expiry()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(expired))

    # an asynchronous exception is raised as a class, without arguments: one that knows its limit
    expired = type("ArticleTimeout", (ArticleTimeout,), {"__init__": lambda self: ArticleTimeout.__init__(self, seconds)})

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with guard:
            state["done"] = True
        timer.cancel()
