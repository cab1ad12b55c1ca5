"""Text that is safe to show on a terminal: control characters escaped.

A file name or a jsonl ``id`` may hold an escape sequence (an OSC title change), a newline (a
forged ``failed:`` line), a bidi override (text shown reversed) or a lone surrogate (which
cannot even be encoded). :func:`printable` writes each such character as a visible escape
(``\\x1b``, ``\\n``, ``\\u202e``), so every message stays one honest line.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CODES = [
    *range(0x00, 0x20), 0x7F, *range(0x80, 0xA0),   # C0, DEL, C1 (NEL included)
    0x2028, 0x2029,                                  # line and paragraph separators
    0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),  # bidi marks, embeddings, isolates
    *range(0xD800, 0xE000),                          # lone surrogates
]
_TABLE = {code: _escape(code) for code in _CODES}


def printable(text: str) -> str:
    """``text`` with control, line-separator, bidi and surrogate characters escaped."""
    return text.translate(_TABLE)


def printable_lines(text: str) -> str:
    """``text`` (a table, a report) with each of its lines made :func:`printable`: its own line
    breaks are kept, and a title, name or evidence in it can neither drive the terminal nor add a line."""
    return "\n".join(printable(line) for line in text.split("\n"))
