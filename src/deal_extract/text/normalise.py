"""Unicode normalisation before the NLP, with an offset map back to the text as read.

The pipeline sees NFKC text (fullwidth ``Ｐｆｉｚｅｒ`` is ``Pfizer``, a no-break space a space,
``Nestle`` + U+0301 is ``Nestlé``) without invisible characters (``Sam\\u200dsung`` is
``Samsung``; zero-width characters, the soft hyphen and bidi marks, embeddings, overrides and
isolates are dropped), and with form feed, vertical tab, NEL, U+2028 and U+2029 as plain line
breaks. Each character is normalised on its own, or with the combining marks that follow it
(a combining sequence, at most :data:`MAX_SEQUENCE` characters), so every character of the
normalised text comes from one character or one combining sequence of the original;
:meth:`Normalised.start` and :meth:`Normalised.end` turn offsets in the normalised text into
offsets in the original, so evidence and mentions still index the text as read.

``™`` and ``℠`` are kept: NFKC would glue them to the name before them ("PfizerTM").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

#: Invisible characters dropped from names and words: zero-width characters, the soft hyphen,
#: and the bidi marks (LRM, RLM, ALM), embeddings, overrides and isolates.
INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
                      "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Characters read as a line break ("\n").
LINE_BREAKS = frozenset("\x0b\x0c\x85\u2028\u2029")
_KEEP = frozenset("\u2122\u2120")
#: Longest combining sequence normalised as one (a base and 30 marks: Unicode's stream-safe
#: format); further marks are normalised on their own, so the work stays linear.
MAX_SEQUENCE = 31
# one character class: every character that may change or combine: all but ASCII (vertical tab and
# form feed included) and the common letters and punctuation NFKC keeps as they are (Latin-1
# letters, Greek, Cyrillic, dashes and quotes, kana, CJK ideographs, Hangul syllables), which
# a combining mark after them joins all the same
_SPECIAL = re.compile(r"[^\x00-\x0a\x0d-\x7f\u00c0-\u00ff\u0391-\u03c9\u0400-\u045f\u2013\u2014\u2018-\u201d"
                      r"\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\uac00-\ud7a3]")


@dataclass(frozen=True)
class Normalised:
    """The normalised ``text`` and where its characters come from in the original.

    Between two marks the normalised text copies the original one to one (``copy``), or is
    one group made from the original characters up to the next mark (an expansion such as
    "ﬁ" -> "fi", a combining sequence such as "e" + U+0301 -> "é"): each character of a
    group maps to the whole of it.
    """

    text: str
    _norm: list[int] = field(default_factory=list, repr=False)
    _orig: list[int] = field(default_factory=list, repr=False)
    _copy: list[bool] = field(default_factory=list, repr=False)

    def start(self, i: int) -> int:
        """The original offset of the character at normalised offset ``i``."""
        k = bisect_right(self._norm, i) - 1
        if k < 0:
            return i
        return self._orig[k] + (i - self._norm[k]) if self._copy[k] else self._orig[k]

    def end(self, j: int) -> int:
        """The original (exclusive) end offset of a span ending at normalised offset ``j``."""
        if j <= 0:
            return self.start(0)
        k = bisect_right(self._norm, j - 1) - 1
        if k < 0 or self._copy[k]:
            return self.start(j - 1) + 1
        return self._orig[k + 1]  # a group is always followed by a copy mark


@lru_cache(maxsize=4096)
def _is_mark(char: str) -> bool:
    """A character that composes with the one before it: a combining mark, or a Hangul vowel or final jamo."""
    return unicodedata.category(char).startswith("M") or "\u1160" <= char <= "\u11ff"


@lru_cache(maxsize=4096)
def _joins(char: str) -> bool:
    """A character that continues a combining sequence: a mark, or an invisible character (dropped)."""
    return _is_mark(char) or char in INVISIBLE


def _is_base(char: str) -> bool:
    """A character that may start a combining sequence (not a line break, invisible or kept one)."""
    return char not in LINE_BREAKS and char not in INVISIBLE and char not in _KEEP


def _sequence_end(text: str, start: int) -> int:
    """The end of the combining sequence at ``start``: its base, then its marks (with any invisible
    characters between them), at most :data:`MAX_SEQUENCE` characters."""
    end, last, stop = start + 1, start + 1, min(len(text), start + MAX_SEQUENCE)
    while end < stop and _joins(text[end]):
        end += 1
        if _is_mark(text[end - 1]):
            last = end
    return last


def _mark_follows(text: str, i: int) -> bool:
    """Whether ``text[i]`` is a combining mark, or invisible characters from ``i`` lead to one."""
    for k in range(i, min(len(text), i + MAX_SEQUENCE)):
        if _is_mark(text[k]):
            return True
        if text[k] not in INVISIBLE:
            return False
    return False


@lru_cache(maxsize=4096)
def _replacement(chars: str) -> str:
    """The normalised form of one character, or of a combining sequence (its invisible characters dropped)."""
    if len(chars) > 1:
        return unicodedata.normalize("NFKC", "".join(c for c in chars if c not in INVISIBLE))
    if chars in LINE_BREAKS:
        return "\n"
    if chars in INVISIBLE:
        return ""
    if chars in _KEEP:
        return chars
    return unicodedata.normalize("NFKC", chars)


def normalise(text: str) -> Normalised:
    """NFKC per character or combining sequence, invisible characters dropped, odd line breaks as "\\n"."""
    pieces: list[str] = []
    norm: list[int] = []
    orig: list[int] = []
    copy: list[bool] = []
    pos = 0       # next original character not yet copied
    length = 0    # length of the normalised text so far
    settled = 0   # original characters before this one are copied, replaced or found unchanged
    last = len(text) - 1
    for m in _SPECIAL.finditer(text):
        i = m.start()
        if i < settled:
            continue
        if _is_mark(text[i]) or (i < last and text[i + 1] > "\x7f" and _joins(text[i + 1])):  # a combining sequence
            # a combining mark after an ASCII letter ("e" + U+0301): the sequence starts at the letter
            start = i - 1 if i > settled and _is_base(text[i - 1]) and _mark_follows(text, i) else i
            end = _sequence_end(text, start) if _is_base(text[start]) else start + 1
        else:  # a character on its own: most of them
            start, end = i, i + 1
        settled = end
        old = text[start:end]
        new = _replacement(old)
        if new == old:
            continue
        pieces.append(text[pos:start])
        length += start - pos
        if len(new) != 1 or end - start != 1:
            if new:  # a group: all its characters come from text[start:end]
                norm.append(length)
                orig.append(start)
                copy.append(False)
            norm.append(length + len(new))
            orig.append(end)
            copy.append(True)
        pieces.append(new)
        length += len(new)
        pos = end
    if not pieces:
        return Normalised(text)
    pieces.append(text[pos:])
    return Normalised("".join(pieces), norm, orig, copy)
