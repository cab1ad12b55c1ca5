"""Theme and deal-type cue patterns for a SpanRuler (overlapping spans in ``doc.spans``)."""

from __future__ import annotations

from typing import Callable

from deal_extract.rulefiles.loader import Patterns
from deal_extract.rulefiles.schemas import CueEntry

SPANS_KEY = "deal_cues"
THEME_PREFIX = "theme:"
TYPE_PREFIX = "type:"


def _cue_patterns(prefix: str, cues: list[CueEntry], tokenize: Callable[[str], list[str]]) -> list[dict]:
    out: list[dict] = []
    for cue in cues:
        label = prefix + cue.id
        for phrase in cue.phrases:
            for variant in _spellings(phrase):
                out.append({"label": label, "pattern": variant})  # phrase pattern, matched on LOWER
        for exact in cue.exact:
            out.append({"label": label, "pattern": [{"ORTH": w} for w in tokenize(exact)]})
        for pattern in cue.patterns:
            out.append({"label": label, "pattern": pattern})
    return out


def _spellings(phrase: str) -> list[str]:
    """A cue as written, and with its spaces as hyphens or its hyphens as spaces:
    "machine learning" also matches "machine-learning", "small-molecule" also "small molecule"."""
    variants = [phrase]
    if " " in phrase:
        variants.append(phrase.replace(" ", "-"))
    if "-" in phrase:
        variants.append(phrase.replace("-", " "))
    return list(dict.fromkeys(variants))


def span_ruler_patterns(patterns: Patterns, tokenize: Callable[[str], list[str]]) -> list[dict]:
    """SpanRuler patterns; ``tokenize`` is the pipeline's tokenizer, so phrases split as the text does."""
    return (_cue_patterns(THEME_PREFIX, patterns.themes, tokenize)
            + _cue_patterns(TYPE_PREFIX, patterns.deal_types, tokenize))
