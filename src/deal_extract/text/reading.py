"""Read article files into :class:`Article` objects: decoding, formats, size limits.

Supported inputs: ``.txt``, ``.md``, ``.html``/``.htm`` (main text, title and date through
trafilatura), ``.json`` (one object with a ``text`` field) and ``.jsonl`` (one such object a
line). Every problem is raised as an :class:`InputError` whose message names the file and the
cause, so a caller can record it and go on.

Decoding: UTF-8 with or without BOM, UTF-16 with a BOM (LE or BE). Anything else is decoded
in the legacy CJK encoding charset-normalizer detects (Shift-JIS, GBK, EUC-KR, Big5, ...), else
as cp1252, or latin-1 where cp1252 has no character for a byte; the article carries a warning
saying so. NUL bytes, or many control characters, mean a binary file (also in a JSON ``text``).
Lone surrogates in JSON strings are replaced with U+FFFD, with a warning.

Sizes are checked before reading: a file is never read past its byte limit, and a ``.jsonl``
file is read line by line, each line within the limit of one article.

The text of ``.txt`` and ``.md`` files is what Python's text mode would give (universal
newlines, no BOM); evidence offsets index into exactly that text.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import re
import stat
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, Optional

from deal_extract.cli.messages import printable

DEFAULT_MAX_CHARS = 5_000_000

#: File types read from corpus folders, by suffix (lower case).
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".json", ".jsonl")

#: A raw HTML file may be this many times ``max_chars`` before trafilatura is not even tried.
HTML_SIZE_FACTOR = 4
#: Bytes per character at most: UTF-8 text; JSON (an astral character as two \\u escapes).
TEXT_BYTES_PER_CHAR = 4
JSON_BYTES_PER_CHAR = 12
#: A .jsonl file may hold up to this many times ``max_chars`` bytes, plus one line (read line by line).
JSONL_FILE_FACTOR = 200
_JSON_OVERHEAD = 65_536  # title, id, published and the like
_SKIP_CHUNK = 1 << 20
#: Legacy multi-byte encodings taken from charset-normalizer; any other guess falls back to cp1252.
CJK_ENCODINGS = frozenset({
    "cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213",
    "gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950", "euc_kr", "cp949", "johab",
})

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# not tab, line feed, vertical tab (Word's manual line break), form feed or carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.02
_SURROGATE = re.compile("[\ud800-\udfff]")
_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
#: Digits a JSON integer may have: Python's own limit for converting text to int (converting
#: longer ones takes quadratic time, and Python refuses them with a ValueError).
JSON_INT_DIGITS = 4300
_MD_TITLE = re.compile(r"^#[ \t]+(.+)$", re.MULTILINE)  # closing "#"s are stripped in Python (linear)


class InputError(ValueError):
    """An input file cannot be used; ``str()`` names the file and the cause."""


@dataclass
class Article:
    text: str
    source: str
    title: Optional[str] = None
    published: Optional[str] = None
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)


@dataclass
class InputItem:
    """One article's worth of input, found but not yet parsed.

    ``source`` is the article's name (``path`` or ``path#id`` for a jsonl line, also given apart
    as ``file`` and ``ident``), ``sha256``
    the hash of its bytes (``None`` when the file could not be read). :meth:`load` does the
    decoding and parsing, so an unchanged input can be skipped without that work.
    """

    source: str
    sha256: Optional[str]
    _load: Callable[[], Article]
    file: str = ""                 # the file's name as given (relative to the corpus in a batch)
    ident: Optional[str] = None    # a jsonl line's id (or line number); None for other files

    def load(self) -> Article:
        """The :class:`Article`, or :class:`InputError` naming the file and the cause."""
        return self._load()


# --- bytes and decoding -----------------------------------------------------------------

def byte_limit(path: Path, max_chars: int) -> int:
    """The most bytes a file of this type may have for an article of ``max_chars`` characters."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return HTML_SIZE_FACTOR * TEXT_BYTES_PER_CHAR * max_chars + TEXT_BYTES_PER_CHAR
    if suffix == ".json":
        return JSON_BYTES_PER_CHAR * max_chars + _JSON_OVERHEAD
    if suffix == ".jsonl":
        return JSONL_FILE_FACTOR * max_chars + _jsonl_line_limit(max_chars)
    return TEXT_BYTES_PER_CHAR * max_chars + TEXT_BYTES_PER_CHAR


def _jsonl_line_limit(max_chars: int) -> int:
    return JSON_BYTES_PER_CHAR * max_chars + _JSON_OVERHEAD


def _too_big(name: str, size: str, max_chars: int) -> InputError:
    if name.lower().endswith(HTML_SUFFIXES):
        return InputError(f"{name}: HTML file has {size} bytes, over {HTML_SIZE_FACTOR}x the limit of {max_chars:,} "
                          "characters (--max-chars)")
    return InputError(f"{name}: file has {size} bytes, over the limit of {max_chars:,} characters (--max-chars)")


def _regular_file_size(path: Path) -> int:
    """The size of a regular file; a folder, FIFO or device is refused without opening it (no blocking)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file (a FIFO, socket or device cannot be read as an article)")
    return info.st_size


def read_bytes(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> bytes:
    """The file's bytes, refused by its size before it is read (and never read past the limit)."""
    limit = byte_limit(path, max_chars)
    size = _regular_file_size(path)
    if size > limit:
        raise _too_big(str(path), f"{size:,}", max_chars)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew, or its size was not told (a /proc file)
        raise _too_big(str(path), f"more than {limit:,}", max_chars)
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Return ``(text, encoding, warnings)``; raise :class:`InputError` for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: not decodable as {encoding} despite its byte-order mark ({exc.reason} at byte {exc.start + len(bom)})") from None
            _check_not_binary(text, name)
            return text, encoding, []
    if b"\x00" in data:
        raise InputError(f"{name}: binary file (contains NUL bytes; UTF-16 text needs a byte-order mark)")
    try:
        text = data.decode("utf-8")
        encoding, warnings = "utf-8", []
    except UnicodeDecodeError as exc:
        text, encoding = _fallback(data)
        warnings = [f"not valid UTF-8 ({exc.reason} at byte {exc.start}); decoded as {encoding}, check the characters"]
    _check_not_binary(text, name)
    return text, encoding, warnings


def _fallback(data: bytes) -> tuple[str, str]:
    detected = _detect_cjk(data)
    if detected is not None:
        return detected
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _detect_cjk(data: bytes) -> Optional[tuple[str, str]]:
    """``(text, encoding)`` when charset-normalizer places the bytes in a legacy CJK encoding."""
    from charset_normalizer import from_bytes  # only for text that is not UTF-8

    best = from_bytes(data).best()
    if best is None or best.encoding not in CJK_ENCODINGS:
        return None
    return str(best), best.encoding


def _check_not_binary(text: str, name: str, what: str = "binary file") -> None:
    if "\x00" in text:
        raise InputError(f"{name}: {what} (contains NUL characters)")
    n_control = sum(1 for _ in _CONTROL.finditer(text))
    if n_control and n_control > _MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name}: {what} ({n_control:,} control characters in {len(text):,})")


def _replace_surrogates(text: str, field: str, warnings: list[str]) -> str:
    """Lone surrogates (from JSON escapes such as "\\ud800") become U+FFFD, with a warning."""
    text, n = _SURROGATE.subn("\ufffd", text)
    if n:
        warnings.append(f"{n:,} lone surrogate(s) in {field!r} replaced with U+FFFD")
    return text


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _check_text(text: str, name: str, max_chars: int) -> None:
    if not text.strip():
        raise InputError(f"{name}: empty article (no text)")
    if len(text) > max_chars:
        raise InputError(f"{name}: article has {len(text):,} characters, over the limit of {max_chars:,} (--max-chars)")


def iso_date(value: Any) -> Optional[str]:
    """``YYYY-MM-DD`` from a date or timestamp string, else ``None`` (also for a day that does
    not exist, such as ``2025-02-30``)."""
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value)
    if not match:
        return None
    try:
        dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return match.group(1)


# --- formats ----------------------------------------------------------------------------

def parse_text(data: bytes, name: str, source: str, max_chars: int, markdown: bool = False) -> Article:
    if len(data) > TEXT_BYTES_PER_CHAR * max_chars + TEXT_BYTES_PER_CHAR:
        raise _too_big(name, f"{len(data):,}", max_chars)
    raw, encoding, warnings = decode(data, name)
    text = _universal_newlines(raw)
    _check_text(text, name, max_chars)
    title = None
    if markdown:
        heading = _MD_TITLE.search(text)
        title = heading.group(1).rstrip(" \t#") or None if heading else None
    return Article(text=text, source=source, title=title, encoding=encoding, warnings=warnings)


def parse_html(data: bytes, name: str, source: str, max_chars: int) -> Article:
    import trafilatura  # heavy import, only when there is HTML to read
    from trafilatura.utils import load_html

    html, encoding, warnings = decode(data, name)
    if len(html) > HTML_SIZE_FACTOR * max_chars:
        raise InputError(f"{name}: HTML file has {len(html):,} characters, over {HTML_SIZE_FACTOR}x the limit of {max_chars:,} (--max-chars)")
    tree = load_html(html)
    if tree is None:
        raise InputError(f"{name}: no main text found in the HTML (not parseable as HTML)")
    links = _link_texts(tree)  # before trafilatura, which prunes the tree
    doc = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = _field(doc, "text") or ""
    if not text.strip():
        raise InputError(f"{name}: no main text found in the HTML (trafilatura extracted nothing)")
    if all(" ".join(line.split()) in links for line in text.splitlines() if line.strip()):
        raise InputError(f"{name}: no main text found in the HTML (only navigation links)")
    _check_text(text, name, max_chars)
    return Article(
        text=text,
        source=source,
        title=_field(doc, "title") or None,
        published=iso_date(_field(doc, "date")),
        encoding=encoding,
        warnings=warnings,
    )


def _link_texts(tree: Any) -> set[str]:
    return {" ".join(a.text_content().split()) for a in tree.iter("a")}


def _field(doc: Any, key: str) -> Any:
    if doc is None:
        return None
    return doc.get(key) if isinstance(doc, dict) else getattr(doc, key, None)


def parse_json(data: bytes, name: str, source: str, max_chars: int) -> Article:
    text, encoding, warnings = decode(data, name)
    obj = _json_value(text, name, with_line=True)
    return article_from_object(obj, name, source, max_chars, encoding, warnings)


class _LongInteger(ValueError):
    def __init__(self, digits: int):
        super().__init__(digits)
        self.digits = digits


def _json_int(literal: str) -> int:
    """A JSON integer; one too long to convert is refused (before Python spends time on it)."""
    digits = len(literal) - literal.startswith("-")
    if digits > JSON_INT_DIGITS:
        raise _LongInteger(digits)
    return int(literal)


def _json_value(text: str, where: str, with_line: bool) -> Any:
    try:
        return json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        at = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
        raise InputError(f"{where}: invalid JSON: {exc.msg} ({at})") from None
    except _LongInteger as exc:
        raise InputError(f"{where}: invalid JSON: a number of {exc.digits:,} digits, over the limit of "
                         f"{JSON_INT_DIGITS:,}") from None
    except RecursionError:
        raise InputError(f"{where}: invalid JSON: nested too deeply") from None


def article_from_object(obj: Any, name: str, source: str, max_chars: int, encoding: str = "utf-8",
                        warnings: Optional[list[str]] = None) -> Article:
    """An :class:`Article` from a JSON object with ``text`` and optional ``title``, ``published``."""
    if not isinstance(obj, dict):
        raise InputError(f"{name}: expected a JSON object with a 'text' field, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError(f"{name}: no 'text' string field" + ("" if text is None else f" (got {type(text).__name__})"))
    _check_text(text, name, max_chars)
    _check_not_binary(text, name, "'text' is binary")
    notes = list(warnings or [])
    text = _replace_surrogates(text, "text", notes)
    published = obj.get("published")
    date = iso_date(published)
    if published is not None and date is None:
        notes.append(f"'published' value {printable(repr(published))} is not an ISO date; ignored")
    title = obj.get("title")
    if isinstance(title, str):
        title = printable(" ".join(title.split()))  # a title is shown: one line, no control characters
    return Article(
        text=text,
        source=source,
        title=title if isinstance(title, str) and title.strip() else None,
        published=date,
        encoding=encoding,
        warnings=notes,
    )


def _parse_document(path: Path, source: str, max_chars: int, data: bytes) -> Article:
    suffix = path.suffix.lower()
    name = str(path)
    if suffix in TEXT_SUFFIXES:
        return parse_text(data, name, source, max_chars, markdown=suffix == ".md")
    if suffix in HTML_SUFFIXES:
        return parse_html(data, name, source, max_chars)
    if suffix == ".json":
        return parse_json(data, name, source, max_chars)
    raise InputError(f"{name}: unsupported file type {path.suffix or '(no suffix)'!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")


def _raise(error: InputError) -> Article:
    raise error


def iter_items(path: Path, source: Optional[str] = None, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """The articles of one input file, unparsed: one item, or one per line for ``.jsonl``.

    An unreadable file gives one item with ``sha256=None`` whose :meth:`~InputItem.load` raises.
    """
    source = source if source is not None else str(path)
    if path.suffix.lower() == ".jsonl":
        from deal_extract.text.jsonl import jsonl_items  # here: that module reads its lines with this one's helpers

        yield from jsonl_items(path, source, max_chars)
        return
    try:
        data = read_bytes(path, max_chars)
    except InputError as exc:
        yield InputItem(source, None, partial(_raise, exc), file=source)
        return
    yield InputItem(source, sha256(data), partial(_parse_document, path, source, max_chars, data), file=source)


def read_articles(path: Path, source: Optional[str] = None, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[Article]:
    """Every article of a file, parsed; raises :class:`InputError` at the first bad one."""
    for item in iter_items(path, source, max_chars):
        yield item.load()


def read_article(path: Path, max_chars: int = DEFAULT_MAX_CHARS, source: Optional[str] = None) -> Article:
    """Read one article file; a ``.jsonl`` file must hold exactly one article."""
    path = Path(path)
    articles = list(read_articles(path, source, max_chars))
    if not articles:
        raise InputError(f"{path}: empty article (no lines)")
    if len(articles) > 1:
        raise InputError(f"{path}: holds {len(articles)} articles; use 'deal-extract batch' for several")
    return articles[0]


#: How a web page starts (after a byte-order mark and white space), lower case
_HTML_STARTS = ("<!doctype html", "<html", "<head", "<body")


def looks_like_html(data: bytes) -> bool:
    """Whether ``data`` is a web page: it starts with ``<!DOCTYPE html>``, ``<html>``, ``<head>``
    or ``<body>`` (case and leading white space aside), in UTF-8, UTF-16 or an ASCII-compatible encoding."""
    head = data[:1024]
    encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), "latin-1")
    return head.decode(encoding, errors="ignore").lstrip("\ufeff").lstrip().lower().startswith(_HTML_STARTS)


def read_stdin(max_chars: int = DEFAULT_MAX_CHARS, stream: Optional[BinaryIO] = None) -> Article:
    """Standard input (``deal-extract extract -``): a web page is read like a ``.html`` file
    (:func:`looks_like_html`), anything else like a ``.txt`` file."""
    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read(HTML_SIZE_FACTOR * TEXT_BYTES_PER_CHAR * max_chars + 5)
    if looks_like_html(data):
        return parse_html(data, "<stdin>", "<stdin>", max_chars)
    return parse_text(data, "<stdin>", "<stdin>", max_chars)
