"""Per-article seconds in a batch run, where ``nlp.pipe`` processes articles a batch at a time.

Within one ``nlp.pipe`` batch every component runs over all its articles together, so the
results arrive in a burst and the time between two results says nothing about either
article. :class:`BatchClock` takes the wall time of each batch (from the end of the previous
one, reading included) and shares it among the batch's articles by their length in characters.
"""

from __future__ import annotations

import time
from typing import Callable, Optional, Protocol


class _Timed(Protocol):
    seconds: float


class BatchClock:
    def __init__(self, batch_size: int, clock: Callable[[], float] = time.perf_counter):
        self.batch_size = max(1, batch_size)
        self.clock = clock
        self.start: float = clock()
        self.pending: list[tuple[_Timed, int]] = []

    def restart(self) -> None:
        """Start timing a new batch now (after a pause that belongs to no article)."""
        self.flush()
        self.start = self.clock()

    def finished(self, record: _Timed, chars: int) -> None:
        """One article's result arrived; its ``seconds`` are set when its batch is complete."""
        self.pending.append((record, max(1, chars)))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self, now: Optional[float] = None) -> None:
        """Share the time since the batch began among the articles finished in it."""
        now = self.clock() if now is None else now
        if self.pending:
            elapsed = max(0.0, now - self.start)
            total = sum(chars for _, chars in self.pending)
            for record, chars in self.pending:
                record.seconds = round(elapsed * chars / total, 4)
            self.pending = []
        self.start = now
