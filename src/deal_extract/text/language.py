"""Is this English? deal-extract's rules and model read English only; say so when an article is not.

The measure is the share of English function words ("the", "and", "with", ...) among the
words of the text, counting each character of a script written without spaces (Chinese,
Japanese) as a word. English news runs at 0.3 to 0.5; a text in another language, or a list
of names and numbers, falls far below :data:`MIN_ENGLISH_SHARE`.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

NO_ENGLISH = "no English text found; deal-extract reads English only"
MIN_ENGLISH_SHARE = 0.05
_WORD = re.compile(r"[^\W\d_]+")


def english_share(text: str) -> float:
    """Share of English function words among the words of ``text`` (0.0 for a text without words)."""
    words = stop = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isascii():
            words += 1
            stop += word.casefold() in STOP_WORDS
        else:
            words += len(word)
    return stop / words if words else 0.0


def language_warnings(text: str) -> list[str]:
    """``[NO_ENGLISH]`` for a text with almost no English, else ``[]``."""
    return [NO_ENGLISH] if english_share(text) < MIN_ENGLISH_SHARE else []
