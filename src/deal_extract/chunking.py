"""Split texts longer than the model's ``max_length`` at paragraph boundaries, keeping offsets."""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


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
