"""Shared fixtures: the pipeline is loaded once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def extractor():
    """``deal_extract.load()`` once per session (model + patterns)."""
    from deal_extract.api import load

    return load()
