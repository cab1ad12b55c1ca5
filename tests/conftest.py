"""Shared fixtures: the pipeline is loaded once per test session; the shared seed corpus."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: the folder of the seed article: third-party text, kept outside the repository and never copied into it
SHARED_CORPUS = Path(os.environ.get("DEAL_EXTRACT_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))


def unavailable(reason: str) -> None:
    """Skip a test that needs what this machine lacks; in CI (``CI`` set), where it must be present, fail it."""
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def shared_corpus() -> Path:
    """:data:`SHARED_CORPUS`, for a test that needs the seed article: skipped with the reason when
    the folder is missing, failed in CI."""
    if not SHARED_CORPUS.is_dir():
        unavailable(f"{SHARED_CORPUS} not found: the seed article is read from there (set DEAL_EXTRACT_SHARED_CORPUS "
                    "to the folder that holds it)")
    return SHARED_CORPUS


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float, log: Path | None = None) -> None:
    """Wait until ``proc`` listens on ``port`` on 127.0.0.1; fail when it exits or after ``seconds``
    (a guard against a hang, several times what starting takes)."""
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, f"{' '.join(map(str, proc.args))} exited with {proc.returncode}" + (
            f": {log.read_text()}" if log else "")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert time.monotonic() < deadline, f"nothing listens on port {port} after {seconds} s"
        time.sleep(0.1)


@pytest.fixture(scope="session")
def extractor():
    """``deal_extract.load()`` once per session (model + patterns)."""
    from deal_extract.api import load

    return load()


@pytest.fixture(scope="session")
def gold_extractor():
    """A pipeline of its own for the gold-file tests and the floors, its ``pipe`` remembering each
    article's result: both read the same 258 articles, extracted once. Apart from ``extractor``,
    which other tests change (pipes added, options set) while they run."""
    from deal_extract.api import load

    loaded = load()
    loaded.pipe = _remembering(loaded.pipe)
    return loaded


def _remembering(pipe):
    """``pipe`` with its results kept per article (source, text, title, date), still yielding
    each result as the model gives it (the batch engines time each article); items that are no
    article (plain strings, dicts) and runs with worker processes go straight through."""
    results: dict = {}

    def remembered(items, batch_size: int = 16, n_process: int = 1):
        items = list(items)
        keys = [(item.source, item.text, item.title, item.published) if hasattr(item, "text") and hasattr(item, "source")
                else None for item in items]
        if n_process != 1 or None in keys:
            yield from pipe(items, batch_size=batch_size, n_process=n_process)
            return
        todo = {key: item for key, item in zip(keys, items) if key not in results}
        fresh = pipe(list(todo.values()), batch_size=batch_size)
        for key in keys:
            if key not in results:
                results[key] = next(fresh)
            yield results[key]

    return remembered
