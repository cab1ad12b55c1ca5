"""Parsed pattern files, cached as JSON by the sha256 of each file's text (start-up time).

Parsing the YAML of the curated list is most of the time it takes to load the patterns; the
parsed data is stored as JSON (no code runs on reading it, unlike a pickle) under the
sha256 of the file's text, and still goes through every check of :mod:`deal_extract.rulefiles.loader`.
A file whose text changed has another key: it is parsed again, never read stale.

Two places, and no other, are read:

- the packaged cache, :data:`PACKAGED`, written when the package is built (``hatch_build.py``)
  and never at run time;
- a folder the user names with the environment variable :data:`CACHE_ENV` (opt-in: unset,
  nothing is written anywhere). Each loading of a full patterns set rewrites the file there
  with the entries of the files it read, when they differ; a corrupt file is replaced.

Only data that JSON gives back unchanged is cached (a YAML date or set is parsed every time).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Optional

import yaml

from deal_extract.rulefiles.yamlfile import parse_mapping

CACHE_ENV = "DEAL_EXTRACT_CACHE_DIR"
CACHE_FILE = "deal-extract-parsed-patterns.json"
PACKAGED = Path(__file__).resolve().parent.parent / "parsed_patterns.json"
#: changes whenever the parsing could give other data for the same text
FORMAT = f"deal-extract parsed YAML 1, PyYAML {yaml.__version__}"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ParsedYaml:
    """Parsed YAML mappings by text: :meth:`mapping` parses only what no cache holds."""

    def __init__(self, folder: Optional[Path] = None, packaged: Optional[Path] = None):
        """``folder``: the user's cache folder; ``packaged``: the packaged cache file (each optional)."""
        self.packaged = _read(packaged) if packaged else {}
        self.file = Path(folder) / CACHE_FILE if folder else None
        self.stored = _read(self.file) if self.file else {}
        self.used: dict[str, dict] = {}

    @classmethod
    def from_environment(cls) -> "ParsedYaml":
        """The packaged cache, and the folder :data:`CACHE_ENV` names if it is set."""
        folder = os.environ.get(CACHE_ENV)
        return cls(Path(folder) if folder else None, PACKAGED)

    def mapping(self, path: Path, text: str, error: type[Exception]) -> dict[str, Any]:
        """``parse_mapping(path, text, error)``, from a cache when one holds ``text``."""
        key = text_key(text)
        data = self.stored.get(key)
        if data is None:
            data = self.packaged.get(key)
        if data is None:
            data = parse_mapping(path, text, error)
            if not _same_through_json(data):
                return data
        self.used[key] = data
        return data

    def save(self) -> None:
        """Write the entries used since loading to the user's cache folder, when they differ
        from what it holds (nothing without a folder). A failure is a warning, never an error."""
        if self.file is None or self.used == self.stored:
            return
        try:
            write_cache(self.file, self.used)
        except OSError as exc:
            warnings.warn(f"cannot write the patterns cache {self.file}: {exc}", stacklevel=2)
        self.stored = dict(self.used)


def build(folder: Path, target: Path) -> int:
    """Write the cache of every ``*.yml`` under ``folder`` to ``target`` (the packaged cache, at
    build time); returns the number of entries. A file that does not parse is left out: loading
    it reports the error."""
    parsed = ParsedYaml()
    for path in sorted(folder.rglob("*.yml")):
        try:
            parsed.mapping(path, path.read_text(encoding="utf-8"), ValueError)
        except (OSError, ValueError):
            continue
    write_cache(target, parsed.used)
    target.chmod(0o644)  # installed for every user to read
    return len(parsed.used)


def write_cache(file: Path, entries: dict[str, dict]) -> None:
    """Write ``entries`` (key -> parsed mapping) to ``file`` atomically."""
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"format": FORMAT, "entries": entries}, out, ensure_ascii=False)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(file: Path) -> dict[str, dict]:
    """The entries of a cache file; none when it is missing, unreadable, corrupt or of
    another format (it is then rebuilt, or for the packaged one, ignored)."""
    try:
        content = json.loads(file.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: JSON and UTF-8 errors
        warnings.warn(f"ignoring the patterns cache {file}: {exc}", stacklevel=3)
        return {}
    entries = content.get("entries") if isinstance(content, dict) and content.get("format") == FORMAT else None
    if not isinstance(entries, dict):
        return {}
    return {key: data for key, data in entries.items() if isinstance(data, dict)}


def _same_through_json(data: Any) -> bool:
    try:
        return json.loads(json.dumps(data, ensure_ascii=False)) == data
    except (TypeError, ValueError, RecursionError):  # a date, a set, bytes, NaN; too deep
        return False
