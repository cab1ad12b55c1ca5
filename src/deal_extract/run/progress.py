"""Progress bars on stderr, shown only when stderr is a terminal (as ``batch`` does)."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], total: Optional[int], desc: str, unit: str = "article") -> Iterator[T]:
    """``items`` with a tqdm bar on stderr (``disable=None``: hidden when stderr is no terminal)."""
    with tqdm(items, total=total, desc=desc, unit=unit, disable=None, leave=False) as bar:
        yield from bar
