"""Files a batch run writes: atomic writes, the manifest, and the deals/organisations tables.

Every file is written to a temporary file in the same folder, flushed, fsync'ed and moved
into place with :func:`os.replace`, so a reader (or a run killed half-way) never sees a
half-written file. Leftover temporary files of a killed run are removed by
:func:`remove_stale_temp_files`.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import json
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterable, Iterator, Literal, Optional

from pydantic import BaseModel, Field, ValidationError

from deal_extract.cli.messages import printable
from deal_extract.records import ArticleResult, Deal

if TYPE_CHECKING:
    from deal_extract.corpus.view import Corpus

TEMP_SUFFIX = ".deal-extract.tmp"
MANIFEST_NAME = "manifest.json"
#: The tables a batch writes into its output folder (beside the manifest and deals.sqlite).
DEALS_JSONL, DEALS_CSV, ORGANISATIONS_CSV, CORPUS_DEALS_CSV = "deals.jsonl", "deals.csv", "organisations.csv", "corpus_deals.csv"
TABLE_NAMES = (DEALS_JSONL, DEALS_CSV, ORGANISATIONS_CSV, CORPUS_DEALS_CSV)

DEALS_CSV_COLUMNS = (
    "source", "published", "title", "id", "partners", "partner_countries", "themes", "deal_types", "territories",
    "value_amount", "currency", "value_text", "confidence", "evidence",
)
ORGANISATIONS_CSV_COLUMNS = ("source", "name", "country", "kind", "mentions")
CORPUS_DEALS_CSV_COLUMNS = (
    "deal_id", "partners", "partner_countries", "themes", "deal_types", "territories", "value_amount", "currency",
    "value_text", "first_published", "last_published", "n_sources", "sources",
)
#: ``--excel``: a byte-order mark so spreadsheet programs read the CSV files as UTF-8 ("¥", "—").
CSV_ENCODINGS = {False: "utf-8", True: "utf-8-sig"}
LIST_SEPARATOR = "; "


# --- atomic writes ----------------------------------------------------------------------

@lru_cache(maxsize=1)
def file_mode() -> int:
    """The mode of every file written: what ``open()`` would give under the umask (0644 under 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_problem(exc: OSError, default: Path) -> str:
    """``cannot write PATH: CAUSE`` for an error writing an output (``default`` when the error names no file)."""
    return f"cannot write {exc.filename or default}: {exc.strerror or exc}"


#: A full disk or quota: no output can be written, so a batch stops (other write errors fail one article).
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[str]:
    """The name of a new temporary file beside ``path`` (its folders created) for the block to
    write; when the block ends, the file is fsync'ed, given the mode of every output
    (:func:`file_mode`) and renamed onto ``path``, unless the block removed it.

    On any error the temporary file is removed and ``path`` keeps its old content; an
    :class:`OSError` (a full disk) names ``path`` in its ``filename``.
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        os.close(fd)
        yield tmp
        if os.path.exists(tmp):
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp, file_mode())
            os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename in (None, tmp):
            exc.filename = str(path)
        raise


@contextlib.contextmanager
def atomic_open(path: Path, newline: Optional[str] = None, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a temporary text file beside ``path``; on success it replaces ``path`` atomically
    (:func:`atomic_file`). The block writes to this one file only, so that an error in it is this file's."""
    with atomic_file(path) as tmp, open(tmp, "w", encoding=encoding, newline=newline) as handle:
        yield handle


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)


def remove_stale_temp_files(folder: Path) -> int:
    """Delete temporary files left by a killed run; returns how many."""
    count = 0
    for tmp in Path(folder).rglob(f".*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            count += 1
    return count


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and prove a file can be written there; raises :class:`OSError`."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".write-check.", suffix=TEMP_SUFFIX, dir=folder)
    os.close(fd)
    os.unlink(tmp)


def output_file_problem(path: Path) -> Optional[str]:
    """Why a file cannot be written at ``path`` (a folder or a device there, a file above it, no
    permission), or ``None``.

    Checked before any work, so that a long run does not end in a traceback.
    """
    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder; give a file name such as {path / 'report.html'}"
    if path.exists() and not path.is_file():
        return f"cannot write {path}: not a regular file (a device, FIFO or socket is never replaced)"
    folder = path.parent
    while not folder.exists():  # the folders to be created; a path under a file does not "exist"
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot write {path}: {folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"cannot write {path}: permission denied"
    return None


# --- manifest ---------------------------------------------------------------------------

Status = Literal["ok", "failed", "skipped"]


class InputRecord(BaseModel):
    """One input of a batch run, as listed in ``manifest.json``."""

    path: str
    status: Status
    error: Optional[str] = None
    sha256: Optional[str] = None
    encoding: Optional[str] = None
    warnings: list[str] = Field(default_factory=list)
    output: Optional[str] = Field(default=None, description="the article JSON, relative to the output folder")
    text_sha256: Optional[str] = Field(default=None, description="sha256 of the stored text (texts/), checked when it is read back")
    organisations: int = 0
    deals: int = 0
    words: int = 0
    seconds: float = 0.0


class Totals(BaseModel):
    inputs: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    organisations: int = 0
    deals: int = 0
    words: int = 0
    words_processed: int = Field(default=0, description="words of the inputs extracted in this run (not skipped)")
    seconds: float = 0.0
    words_per_second: float = 0.0


class ExcludedPath(BaseModel):
    """A path under the corpus folder that was not read, and why (a symlink leaving the corpus,
    an output folder)."""

    path: str
    reason: str


class Manifest(BaseModel):
    inputs: list[InputRecord] = Field(default_factory=list)
    excluded: list[ExcludedPath] = Field(default_factory=list, description="paths under the corpus not read, with the reason")
    tool_version: str
    model: str
    model_version: str
    patterns_sha256: str
    started: str
    finished: Optional[str] = None
    totals: Totals = Field(default_factory=Totals)


def write_manifest(path: Path, manifest: Manifest) -> None:
    atomic_write_text(path, manifest.model_dump_json(indent=2) + "\n")


def read_manifest(path: Path) -> Optional[Manifest]:
    """The manifest of an earlier run, or ``None`` when there is none or it is unreadable."""
    try:
        return Manifest.model_validate_json(Path(path).read_bytes())
    except (OSError, ValidationError):
        return None


#: Longest file or folder name written, in bytes (most file systems allow 255).
NAME_BYTES = 200
_MANGLED_PREFIX = 60
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


_SOURCE_ESCAPES = str.maketrans({"%": "%25", "#": "%23", "\\": "%5C"})


def source_name(rel: str) -> str:
    """The source name of a corpus file (its path relative to the corpus), unique whatever the files are called.

    A ``.jsonl`` line is named ``feed.jsonl#id``, so a file named ``feed.jsonl#x.txt`` would
    share the name of line ``x.txt`` of ``feed.jsonl``; and :func:`printable` shows a file named
    with an escape character as one named with a backslash. So a path is its own name unless it
    holds ``.jsonl#``, a backslash, a control character or what looks like a percent escape
    (``%41``); then ``%``, ``#`` and ``\\`` are written ``%25``, ``%23`` and ``%5C``, and control
    characters as :func:`printable` writes them. Such a name holds ``%XX`` or a backslash, which
    no name kept as it is holds, and never ``.jsonl#``, which every line's name holds.
    """
    plain = ("\\" not in rel and printable(rel) == rel and ".jsonl#" not in rel.lower()  # as suffixes are compared
             and re.search(r"%[0-9A-Fa-f]{2}", rel) is None)
    return rel if plain else printable(rel.translate(_SOURCE_ESCAPES))


def article_json_path(file: str, ident: Optional[str] = None) -> str:
    """Where an input's article JSON goes, relative to the output folder; one path per input.

    ``a/b.txt`` -> ``articles/a/b.txt.json``; line ``x-1`` of ``feed.jsonl`` ->
    ``articles/feed.jsonl/x-1.json``. A name that is too long, hidden, holds a control
    character or ``~`` (or, for a jsonl id, anything but letters, digits, ``.``, ``_`` and
    ``-``) is written as a readable prefix plus ``~`` and a hash of the whole name. Plain
    names never hold ``~``, so no two inputs share a path.
    """
    parts = [_file_part(part) for part in file.split("/")]
    if ident is None:
        parts[-1] += ".json"
    else:
        parts.append(_id_part(ident) + ".json")
    return "articles/" + "/".join(parts)


def _file_part(name: str) -> str:
    plain = (name not in ("", ".", "..") and not name.startswith(".") and "~" not in name
             and printable(name) == name and len(name.encode("utf-8")) <= NAME_BYTES)
    return name if plain else _mangled(name)


def _id_part(ident: str) -> str:
    plain = _PLAIN_ID.fullmatch(ident) is not None and len(ident) <= NAME_BYTES
    return ident if plain else _mangled(ident)


def _mangled(name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    prefix = re.sub(r"[^A-Za-z0-9._-]", "_", name[:_MANGLED_PREFIX]).lstrip(".")
    return f"{prefix}~{digest}"


def read_article_json(path: Path) -> Optional[ArticleResult]:
    """A per-article JSON file, validated; ``None`` when missing or invalid."""
    try:
        return ArticleResult.model_validate_json(Path(path).read_bytes())
    except (OSError, ValidationError):
        return None


# --- aggregate tables -------------------------------------------------------------------

def _join(items: Iterable[Optional[str]]) -> str:
    return LIST_SEPARATOR.join("" if item is None else str(item) for item in items)


def _amount(amount: float) -> str:
    return str(int(amount)) if float(amount).is_integer() else repr(amount)


def _date(value) -> str:
    return value.isoformat() if value else ""


def _deal_cells(deal) -> dict[str, str]:
    """Partners, labels and value of an article's deal or a corpus deal, as CSV cells."""
    value = deal.value
    return {
        "partners": _join(p.name for p in deal.partners),
        "partner_countries": _join(p.country for p in deal.partners),
        "themes": _join(deal.themes),
        "deal_types": _join(deal.deal_types),
        "territories": _join(deal.territories),
        "value_amount": _amount(value.amount) if value else "",
        "currency": value.currency if value else "",
        "value_text": value.text if value else "",
    }


def deal_row(result: ArticleResult, deal: Deal) -> dict[str, str]:
    return {
        "source": result.source,
        "published": _date(result.published),
        "title": result.title or "",
        "id": deal.id,
        **_deal_cells(deal),
        "confidence": f"{deal.confidence:.2f}",
        "evidence": " ".join(deal.evidence.text.split()),
    }


def deal_line(result: ArticleResult, deal: Deal) -> str:
    record = {"source": result.source, "published": result.published.isoformat() if result.published else None,
              "title": result.title}
    record.update(deal.model_dump(mode="json"))
    return json.dumps(record, ensure_ascii=False)


def corpus_deal_row(deal) -> dict[str, str]:
    """A ``corpus_deals.csv`` row of a :class:`~deal_extract.corpus.view.CorpusDeal`."""
    return {
        "deal_id": deal.deal_id,
        **_deal_cells(deal),
        "first_published": _date(deal.first_published),
        "last_published": _date(deal.last_published),
        "n_sources": str(deal.n_sources),
        "sources": _join(sorted({s.source for s in deal.sources})),
    }


def write_aggregates(folder: Path, results: Iterable[ArticleResult], corpus: Optional["Corpus"] = None,
                     excel: bool = False) -> tuple[int, int]:
    """Write ``deals.jsonl``, ``deals.csv``, ``organisations.csv`` (and ``corpus_deals.csv`` of ``corpus``).

    Returns (deals, organisations). ``excel`` writes the CSV files with a UTF-8 byte-order mark.
    """
    folder = Path(folder)
    results = list(results)
    pairs = [(result, deal) for result in results for deal in result.deals]
    with atomic_open(folder / DEALS_JSONL) as jsonl:
        jsonl.writelines(deal_line(result, deal) + "\n" for result, deal in pairs)
    _write_csv(folder / DEALS_CSV, DEALS_CSV_COLUMNS, (deal_row(result, deal) for result, deal in pairs), excel)
    orgs = [{"source": result.source, "name": org.name, "country": org.country or "", "kind": org.kind,
             "mentions": len(org.mentions)} for result in results for org in result.organisations]
    _write_csv(folder / ORGANISATIONS_CSV, ORGANISATIONS_CSV_COLUMNS, orgs, excel)
    if corpus is not None:
        _write_csv(folder / CORPUS_DEALS_CSV, CORPUS_DEALS_CSV_COLUMNS, map(corpus_deal_row, corpus.deals), excel)
    return len(pairs), len(orgs)


def _write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, str]], excel: bool) -> None:
    with atomic_open(path, newline="", encoding=CSV_ENCODINGS[excel]) as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
