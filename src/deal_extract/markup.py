"""Blank out Markdown emphasis, link targets and stock tickers before the NLP, keeping every offset.

``**Nexcella Bio**`` confuses the tagger and the parser; ``  Nexcella Bio  `` does not.
Each masked character becomes a space, so the masked text has the same length as the
original and every offset found in it points at the same place in the original.
"""

from __future__ import annotations

import re

_WORD = r"[A-Z][A-Za-z]{1,9}"
# stock tickers: "(NASDAQ: LRKB)", "(HKEX: 2269)", "(NYSE American: XYZ)"; up to three exchange
# words, spelt out so that no repetition sits inside another (linear time)
TICKER = re.compile(r"\((?P<exchange>" + _WORD + r"(?:\s?" + _WORD + r")?(?:\s?" + _WORD + r")?)\s?:\s?[A-Z0-9][A-Z0-9.]{0,9}\)")
_PATTERNS = (
    TICKER,
    re.compile(r"\*\*|__"),                       # bold
    re.compile(r"(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])"),  # *italic* (not A*STAR, not a "* " bullet)
    re.compile(r"(?<=\])\([^()\[\]\s]*\)"),       # [label](https://...) link targets (a scan stops at the next bracket: linear)
    re.compile(r"\[(?=[^\[\]\n]*\]\s)|(?<=[^\s\[])\](?=\s)|(?<=\w)\](?=[ .,;:])"),  # link brackets
)


# Emphasis tokens as spaCy splits them from unmasked text (the spaCy components alone see them)
MARKUP_TOKENS = frozenset({"*", "**", "_", "__", "`"})


def mask_markup(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def ticker_exchanges(text: str) -> list[tuple[int, int]]:
    """Character spans of the exchanges named in the stock tickers that :func:`mask_markup` blanks."""
    return [m.span("exchange") for m in TICKER.finditer(text)]
