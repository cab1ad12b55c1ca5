"""JSON Lines feeds: one article per line, read one line at a time within the size limits.

Each non-blank line is an item ``path#id`` (or ``path#line`` without an id); a bad line fails
alone, with its line number, and the rest of the file is still read.
"""

from __future__ import annotations

import codecs
import itertools
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from deal_extract.cli.messages import printable
from deal_extract.text.reading import (
    _SKIP_CHUNK, JSONL_FILE_FACTOR, Article, InputError, InputItem, _json_value, _jsonl_line_limit, _raise,
    _regular_file_size, article_from_object, byte_limit, decode, read_bytes, sha256,
)


def _jsonl_lines(path: Path, max_chars: int) -> Iterator[tuple[int, Optional[bytes]]]:
    """``(line number, bytes)`` of each line, read one at a time; ``None`` for a line over the limit.

    The file's size is checked first; no line is read into memory past the limit of one article.
    """
    size = _regular_file_size(path)
    limit = byte_limit(path, max_chars)
    if size > limit:
        raise InputError(f"{path}: file has {size:,} bytes, over the limit of {limit:,} bytes for a .jsonl file "
                         f"({JSONL_FILE_FACTOR} x --max-chars); split it")
    line_limit = _jsonl_line_limit(max_chars)
    try:
        with path.open("rb") as handle:
            for lineno in itertools.count(1):
                line = handle.readline(line_limit + 1)
                if not line:
                    return
                if len(line) > line_limit and not line.endswith(b"\n"):
                    _skip_line(handle)
                    yield lineno, None
                    continue
                yield lineno, line
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _skip_line(handle: Any) -> None:
    while True:
        chunk = handle.readline(_SKIP_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def jsonl_items(path: Path, source: str, max_chars: int) -> Iterator[InputItem]:
    """One item per non-blank line; source ``path#id`` (or ``path#line`` without an id)."""
    try:
        _regular_file_size(path)  # a FIFO is never opened
        with path.open("rb") as handle:
            bom = handle.read(2)
    except InputError as exc:
        yield InputItem(source, None, partial(_raise, exc), file=source)
        return
    except OSError as exc:
        yield InputItem(source, None, partial(_raise, InputError(f"{path}: cannot read: {exc.strerror or exc}")), file=source)
        return
    utf16 = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}.get(bom)
    lines = _utf16_lines(path, max_chars) if utf16 else _jsonl_lines(path, max_chars)
    seen: dict[str, int] = {}
    try:
        for lineno, raw in lines:
            item = _jsonl_item(path, source, max_chars, lineno, raw, seen, utf16)
            if item is not None:
                yield item
    except InputError as exc:  # the file as a whole (its size, a read error)
        yield InputItem(source, None, partial(_raise, exc), file=source)


def _utf16_lines(path: Path, max_chars: int) -> Iterator[tuple[int, Optional[bytes]]]:
    """A UTF-16 .jsonl file, read whole (within its size limit), as UTF-8 lines."""
    text, _, _ = decode(read_bytes(path, max_chars), str(path))
    for lineno, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 may sit in a JSON string
        yield lineno, line.encode("utf-8", "surrogatepass")


def _jsonl_item(path: Path, source: str, max_chars: int, lineno: int, raw: Optional[bytes],
                seen: dict[str, int], file_encoding: Optional[str]) -> Optional[InputItem]:
    """The item of one line (``None`` for a blank one); ``file_encoding`` when the file was decoded whole."""
    where = f"{path}, line {lineno}"
    key = str(lineno)
    if raw is None:
        limit = _jsonl_line_limit(max_chars)
        error = InputError(f"{where}: line has more than {limit:,} bytes, over the limit of {max_chars:,} characters (--max-chars)")
        return _line_item(source, key, None, partial(_raise, error))
    raw = raw.rstrip(b"\r\n")
    if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw.strip():
        return None
    digest = sha256(raw)
    try:
        line, encoding, warnings = decode(raw, where)
        encoding = file_encoding or encoding
        obj = _json_value(line, where, with_line=False)
    except InputError as exc:
        return _line_item(source, key, digest, partial(_raise, exc))
    ident = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(ident, (str, int)) and not isinstance(ident, bool) and str(ident).strip():
        ident = printable(str(ident).strip())  # shown in messages and the manifest
        if ident in seen:
            error = InputError(f"{where}: duplicate id {ident!r} (first on line {seen[ident]})")
            return _line_item(source, key, digest, partial(_raise, error))
        seen[ident] = lineno
        key = ident
    return _line_item(source, key, digest, partial(article_from_object, obj, where, f"{source}#{key}", max_chars, encoding, warnings))


def _line_item(source: str, key: str, digest: Optional[str], load: Callable[[], Article]) -> InputItem:
    return InputItem(f"{source}#{key}", digest, load, file=source, ident=key)
