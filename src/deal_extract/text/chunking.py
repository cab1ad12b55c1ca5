"""Split long texts into bounded, paragraph-aligned pieces, keeping offsets.

The model's time and memory grow with the size of one Doc and of one batch of Docs, so a text
longer than :data:`WHOLE_CHARS` (every ordinary article is shorter) is processed in pieces of
about :data:`PIECE_CHARS` (never more than the model's ``max_length``): a batch of 16 pieces
stays small whatever the article's length.
"""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

#: Texts up to this length are processed whole.
WHOLE_CHARS = 20_000
#: Longer texts are processed in pieces of about this length.
PIECE_CHARS = 5_000


def model_pieces(text: str, max_length: int) -> list[tuple[int, str]]:
    """``[(offset, piece), ...]`` to give the model: the whole text, or bounded pieces of a long one."""
    if len(text) <= min(max_length, WHOLE_CHARS):
        return [(0, text)]
    return split_for_model(text, min(max_length, PIECE_CHARS))


def split_for_model(text: str, max_length: int) -> list[tuple[int, str]]:
    """Return ``[(offset, piece), ...]`` with ``text[offset:offset+len(piece)] == piece``.

    Pieces end at paragraph breaks where possible, else at a line break, else at a space,
    else hard at ``max_length``. A text that fits is returned whole.
    """
    if len(text) <= max_length:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + max_length, len(text))
        if end < len(text):
            end = _cut_point(text, start, end)
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _cut_point(text: str, start: int, end: int) -> int:
    window = text[start:end]
    breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(window)]
    if breaks and breaks[-1] > len(window) // 2:
        return start + breaks[-1]
    for sep in ("\n", " "):
        pos = window.rfind(sep)
        if pos > len(window) // 2:
            return start + pos + 1
    return end
