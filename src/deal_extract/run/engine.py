"""Extract a group of articles, each within its time limit, one bad article failing alone.

The one definition of an extraction that isolates failures, used by a local batch (in this
process or with ``nlp.pipe``'s worker processes) and by each Dask worker
(:mod:`deal_extract.run.dask_engine`):

- :func:`outcomes` streams the articles through ``Extractor.pipe``. In this process the model
  takes one article at a time, so each wait is for one article's work, within its own limit:
  an article that runs over fails as timed out and is never run again (a time-out is final).
  Worker processes (``-n``) return a whole batch at once: a wait lasts at most the limits of
  one batch. When the pipe breaks, or a wait for worker processes times out, the articles it
  may have broken on are redone one by one (:func:`extract_alone`), each within its own limit;
  then the rest go through the pipe again;
- each article's outcome is its :class:`~deal_extract.records.ArticleResult` or a
  :class:`Failed` saying why; the batch run turns a :class:`Failed` into the manifest's error;
- every limit is also a process-level one (:mod:`deal_extract.run.watchdog`): work stuck in C
  code past the limit and a grace period ends with its process.

:func:`chunked` groups the jobs of a run for the engines (bounded in articles and characters).
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Optional, Protocol, TypeVar, Union

from deal_extract.api import Extractor
from deal_extract.text.reading import Article
from deal_extract.records import ArticleResult
from deal_extract.run.timelimit import ArticleTimeout, time_limit
from deal_extract.run.watchdog import guarded

MAX_CAUSE_CHARS = 500
#: Articles read ahead of the model: this many batches per worker, and at most CHUNK_CHARS characters.
CHUNK_BATCHES = 4
CHUNK_CHARS = 4_000_000


#: A short article each pipeline extracts once before any time limit applies: the first article
#: would otherwise pay for lazy initialisation (about a second; dates, currencies, the judge).
WARM_UP = ("Alpha Bio signed a licensing agreement with Beta Pharma on 2 May 2024 for $10 million, "
           "the companies said.\n")
_warmed: weakref.WeakSet = weakref.WeakSet()


def warm_up(extractor: Any) -> None:
    """Run a loaded :class:`~deal_extract.api.Extractor` once on :data:`WARM_UP`, the first time only."""
    if not isinstance(extractor, Extractor) or extractor in _warmed:
        return
    next(iter(extractor.pipe([Article(text=WARM_UP, source="<warm-up>")], batch_size=1, n_process=1)))
    _warmed.add(extractor)


@dataclass(frozen=True)
class Failed:
    """An article whose extraction failed: it ran over ``timed_out`` seconds, or raised ``error``."""

    error: str = ""
    timed_out: Optional[float] = None
    seconds: float = 0.0  # the time it took to fail


Outcome = Union[ArticleResult, Failed]


class Job(Protocol):
    """An article to extract and its time limit (``None``: no limit)."""

    article: Article
    seconds: Optional[float]


J = TypeVar("J", bound=Job)


def chunked(jobs: Iterable[J], size: int, max_chars: int) -> Iterator[list[J]]:
    """The jobs in groups of at most ``size`` articles, closed once they reach ``max_chars`` characters."""
    chunk: list[J] = []
    chars = 0
    for job in jobs:
        chunk.append(job)
        chars += len(job.article.text)
        if len(chunk) >= size or chars >= max_chars:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def describe(exc: BaseException) -> str:
    """``Type: message`` on one line, at most :data:`MAX_CAUSE_CHARS` characters of message."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:MAX_CAUSE_CHARS]}"


def extract_alone(extractor: Any, article: Article, seconds: Optional[float]) -> Outcome:
    """Extract one article on its own, in this process, within ``seconds``."""
    started = time.perf_counter()
    try:
        with time_limit(seconds), guarded(article, seconds):
            return next(iter(extractor.pipe([article], batch_size=1, n_process=1)))
    except ArticleTimeout as exc:
        return Failed(timed_out=exc.seconds, seconds=time.perf_counter() - started)
    except Exception as exc:  # an extraction bug must not stop the batch: it is this article's outcome
        return Failed(error=describe(exc), seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class _Stop:
    """Why the pipe stopped before the last article: a wait ran over, or it broke with ``error``;
    ``seconds``: how long the wait took."""

    timed_out: bool
    seconds: float
    error: str = ""


def outcomes(extractor: Any, articles: list[Article], limits: list[Optional[float]], batch_size: int,
             n_process: int = 1, on_expiry: Optional[Callable[[], None]] = None) -> Iterator[Outcome]:
    """One outcome per article, in order. ``limits`` are the articles' time limits; ``on_expiry``
    runs when a wait times out, before the pipe is closed (to stop worker processes)."""
    warm_up(extractor)
    pending = deque(zip(articles, limits))
    while pending:
        stop = yield from _piped(extractor, pending, batch_size, n_process, on_expiry)
        if stop is None:
            return
        if n_process == 1:  # the pipe was at work on the article waited for: its outcome, final
            _, seconds = pending.popleft()
            yield Failed(timed_out=seconds if stop.timed_out else None, error=stop.error, seconds=stop.seconds)
            continue
        # which article of the workers' batch broke the pipe or ran over is unknown: each on its own
        for _ in range(min(len(pending), batch_size)):
            yield extract_alone(extractor, *pending.popleft())


def _piped(extractor: Any, pending: deque[tuple[Article, Optional[float]]], batch_size: int, n_process: int,
           on_expiry: Optional[Callable[[], None]]) -> Iterator[ArticleResult]:
    """Results of ``nlp.pipe`` over ``pending``, popping each article as its result comes; at the
    first failure or time-out, returns a :class:`_Stop`, leaving the articles without a result
    (the first one waited for) in ``pending``."""
    window = batch_size if n_process > 1 else 1  # the articles one wait is for
    results = extractor.pipe([article for article, _ in pending], batch_size=window, n_process=n_process)
    try:
        while pending:
            article, seconds = pending[0]
            wait = _wait_limit(pending, window)
            started = time.perf_counter()
            try:
                with time_limit(wait, on_expiry=on_expiry), guarded(article, seconds, wait):
                    result = next(results)
            except ArticleTimeout:
                return _Stop(timed_out=True, seconds=time.perf_counter() - started)
            except Exception as exc:  # an extraction bug must not stop the batch: outcomes() decides
                return _Stop(timed_out=False, seconds=time.perf_counter() - started, error=describe(exc))
            pending.popleft()
            yield result
    finally:
        _close(results)  # stops nlp.pipe workers now, also on Ctrl-C
    return None


def _wait_limit(pending: deque[tuple[Article, Optional[float]]], window: int) -> Optional[float]:
    """How long the next result may take: the limits of the ``window`` articles it may wait on."""
    limits = [seconds for _, seconds in islice(pending, window)]
    return None if None in limits else sum(limits)  # type: ignore[arg-type]


def _close(iterator: Any) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()
