"""Shared fixtures: the pipeline is loaded once per test session; the shared seed corpus."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def extractor():
    """``deal_extract.load()`` once per session (model + patterns)."""
    from deal_extract.api import load

    return load()
