"""Blank out Markdown emphasis, link targets and stock tickers before the NLP, keeping every offset.

``**Nexcella Bio**`` confuses the tagger and the parser; ``  Nexcella Bio  `` does not.
Each masked character becomes a space, so the masked text has the same length as the
original and every offset found in it points at the same place in the original.

A run of punctuation or symbols is blanked after its first :data:`MAX_SYMBOL_RUN` characters:
spaCy's tokenizer takes time quadratic in the length of such a token (19,880 quotes: 130 s).
"""

from __future__ import annotations

import re

_WORD = r"[A-Z][A-Za-z]{1,9}"
#: The longest run of punctuation and symbols the tokenizer sees (the corpora's longest: 40 "-").
MAX_SYMBOL_RUN = 64
_SYMBOL_RUN = re.compile(r"((?:[^\w\s]|_){64})((?:[^\w\s]|_)+)")
# stock tickers: "(NASDAQ: LRKB)", "(HKEX: 2269)", "(NYSE American: XYZ)", and several in one
# bracket: "(BSE: 500124, NSE: DRREDDY; NYSE: RDY)". A bracket (short, on one line) is a ticker
# bracket when every comma- or semicolon-separated item in it is "EXCHANGE: SYMBOL" (up to three
# exchange words, spelt out so that no repetition sits inside another: linear time).
_BRACKETS = re.compile(r"\([^()\n]{1,200}\)")
_ITEM_SEPARATOR = re.compile(r"[,;]")
TICKER_ITEM = re.compile(r"(?P<exchange>" + _WORD + r"(?:\s?" + _WORD + r")?(?:\s?" + _WORD + r")?)\s?:\s?[A-Z0-9][A-Z0-9.]{0,9}")
_PATTERNS = (
    re.compile(r"\*\*|__"),                       # bold
    re.compile(r"(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])"),  # *italic* (not A*STAR, not a "* " bullet)
    re.compile(r"(?<=\])\([^()\[\]\s]*\)"),       # [label](https://...) link targets (a scan stops at the next bracket: linear)
    re.compile(r"\[(?=[^\[\]\n]*\]\s)|(?<=[^\s\[])\](?=\s)|(?<=\w)\](?=[ .,;:])"),  # link brackets
)


# Emphasis tokens as spaCy splits them from unmasked text (the spaCy components alone see them)
MARKUP_TOKENS = frozenset({"*", "**", "_", "__", "`"})


def mask_markup(text: str) -> str:
    text = _SYMBOL_RUN.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    for start, end, _ in ticker_brackets(text):
        text = text[:start] + " " * (end - start) + text[end:]
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def ticker_brackets(text: str) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """``(start, end, exchange spans)`` of each bracket of stock tickers."""
    out = []
    for bracket in _BRACKETS.finditer(text):
        inner_start = bracket.start() + 1
        inner = text[inner_start:bracket.end() - 1]
        exchanges: list[tuple[int, int]] = []
        pos = 0
        for sep in [*_ITEM_SEPARATOR.finditer(inner), None]:
            end = sep.start() if sep is not None else len(inner)
            piece = inner[pos:end]
            lead = len(piece) - len(piece.lstrip())
            item = TICKER_ITEM.fullmatch(piece.strip())
            if item is None:
                exchanges = []
                break
            s, e = item.span("exchange")
            exchanges.append((inner_start + pos + lead + s, inner_start + pos + lead + e))
            pos = end + 1
        if exchanges:
            out.append((bracket.start(), bracket.end(), exchanges))
    return out


def ticker_exchanges(text: str) -> list[tuple[int, int]]:
    """Character spans of the exchanges named in the stock tickers that :func:`mask_markup` blanks."""
    return [span for _, _, spans in ticker_brackets(text) for span in spans]
