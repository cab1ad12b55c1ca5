"""Extract a group of articles, each within its time limit, one bad article failing alone.

The one definition of an extraction that isolates failures, used by a local batch (in this
process or with ``nlp.pipe``'s worker processes) and by each Dask worker
(:mod:`deal_extract.run.dask_engine`):

- :func:`outcomes` streams the articles through ``Extractor.pipe``, waiting for each result at
  most the time limits of one batch (``nlp.pipe`` returns a batch at once); when the pipe
  breaks or times out, it redoes the articles not yet returned one by one
  (:func:`extract_alone`), each within its own limit;
- each article's outcome is its :class:`~deal_extract.records.ArticleResult` or a
  :class:`Failed` saying why; the batch run turns a :class:`Failed` into the manifest's error.

:func:`chunked` groups the jobs of a run for the engines (bounded in articles and characters).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Optional, Protocol, TypeVar, Union

from deal_extract.text.reading import Article
from deal_extract.records import ArticleResult
from deal_extract.run.timelimit import ArticleTimeout, time_limit

MAX_CAUSE_CHARS = 500
#: Articles read ahead of the model: this many batches per worker, and at most CHUNK_CHARS characters.
CHUNK_BATCHES = 4
CHUNK_CHARS = 4_000_000


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
        with time_limit(seconds):
            return next(iter(extractor.pipe([article], batch_size=1, n_process=1)))
    except ArticleTimeout as exc:
        return Failed(timed_out=exc.seconds, seconds=time.perf_counter() - started)
    except Exception as exc:  # an extraction bug must not stop the batch: it is this article's outcome
        return Failed(error=describe(exc), seconds=time.perf_counter() - started)


def outcomes(extractor: Any, articles: list[Article], limits: list[Optional[float]], batch_size: int,
             n_process: int = 1, on_expiry: Optional[Callable[[], None]] = None) -> Iterator[Outcome]:
    """One outcome per article, in order. ``limits`` are the articles' time limits; ``on_expiry``
    runs when a wait times out, before the pipe is closed (to stop worker processes)."""
    pending = deque(zip(articles, limits))
    yield from _piped(extractor, pending, batch_size, n_process, on_expiry)
    while pending:  # the pipe broke or timed out on one of these articles: redo them one by one
        yield extract_alone(extractor, *pending.popleft())


def _piped(extractor: Any, pending: deque[tuple[Article, Optional[float]]], batch_size: int, n_process: int,
           on_expiry: Optional[Callable[[], None]]) -> Iterator[ArticleResult]:
    """Results of ``nlp.pipe`` over ``pending``, popping each article as its result comes; stops
    at the first failure or time-out, leaving the articles without a result in ``pending``."""
    results = extractor.pipe([article for article, _ in pending], batch_size=batch_size, n_process=n_process)
    try:
        while pending:
            try:
                with time_limit(_wait_limit(pending, batch_size), on_expiry=on_expiry):
                    result = next(results)
            except (ArticleTimeout, Exception):  # which article broke it is unknown: outcomes() redoes
                return                           # the pending ones alone, each with its own limit
            pending.popleft()
            yield result
    finally:
        _close(results)  # stops nlp.pipe workers now, also on Ctrl-C


def _wait_limit(pending: deque[tuple[Article, Optional[float]]], batch_size: int) -> Optional[float]:
    """How long the next result may take: the limits of one batch of articles."""
    limits = [seconds for _, seconds in islice(pending, batch_size)]
    return None if None in limits else sum(limits)  # type: ignore[arg-type]


def _close(iterator: Any) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()
