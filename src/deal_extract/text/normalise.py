"""Unicode normalisation before the NLP, with an offset map back to the text as read.

The pipeline sees NFKC text (fullwidth ``Ｐｆｉｚｅｒ`` is ``Pfizer``, a no-break space a space)
without zero-width characters (``Sam\\u200dsung`` is ``Samsung``), and with form feed,
vertical tab, NEL, U+2028 and U+2029 as plain line breaks. Each character is normalised on
its own, so every character of the normalised text comes from exactly one character of the
original; :meth:`Normalised.start` and :meth:`Normalised.end` turn offsets in the normalised
text into offsets in the original, so evidence and mentions still index the text as read.

``™`` and ``℠`` are kept: NFKC would glue them to the name before them ("PfizerTM").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

#: Invisible characters dropped from names and words.
ZERO_WIDTH = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff")
#: Characters read as a line break ("\n").
LINE_BREAKS = frozenset("\x0b\x0c\x85\u2028\u2029")
_KEEP = frozenset("\u2122\u2120")
# one character class: every character that may change (non-ASCII, vertical tab, form feed)
_SPECIAL = re.compile(r"[^\x00-\x0a\x0d-\x7f]")


@dataclass(frozen=True)
class Normalised:
    """The normalised ``text`` and where its characters come from in the original.

    Between two marks the normalised text copies the original one to one (``copy``) or
    repeats one original character (an expansion such as "ﬁ" -> "fi").
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
        return self.start(j - 1) + 1 if j > 0 else self.start(0)


@lru_cache(maxsize=4096)
def _replacement(char: str) -> str:
    if char in LINE_BREAKS:
        return "\n"
    if char in ZERO_WIDTH:
        return ""
    if char in _KEEP:
        return char
    return unicodedata.normalize("NFKC", char)


def normalise(text: str) -> Normalised:
    """NFKC per character, zero-width characters dropped, odd line breaks as "\\n"."""
    pieces: list[str] = []
    norm: list[int] = []
    orig: list[int] = []
    copy: list[bool] = []
    pos = 0       # next original character not yet copied
    length = 0    # length of the normalised text so far
    for m in _SPECIAL.finditer(text):
        i = m.start()
        new = _replacement(text[i])
        if new == text[i]:
            continue
        pieces.append(text[pos:i])
        length += i - pos
        if len(new) != 1:
            if new:  # an expansion: all its characters come from character i
                norm.append(length)
                orig.append(i)
                copy.append(False)
            norm.append(length + len(new))
            orig.append(i + 1)
            copy.append(True)
        pieces.append(new)
        length += len(new)
        pos = i + 1
    if not pieces:
        return Normalised(text)
    pieces.append(text[pos:])
    return Normalised("".join(pieces), norm, orig, copy)
