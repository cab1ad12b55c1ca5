"""Load and validate the YAML rule files in ``patterns/``.

A patterns set is the packaged folder, or a folder of the user's that holds only the files
it changes (the rest come from the packaged set), plus any number of extra organisation
files. The curated organisations are ``organisations.yml`` and every ``*.yml`` file of an
``organisations/`` folder beside it, merged; a name given twice, in one file or across
files, is an error naming both files and entries.

Every file is checked against its schema in :mod:`deal_extract.rulefiles.schemas`; any problem is a
:class:`PatternError` whose message names the file, the entry and the field. YAML is read
with a safe loader only.
"""

from __future__ import annotations

import hashlib
import shutil
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Optional, Sequence

from pydantic import ValidationError

from deal_extract.rulefiles.regexcheck import pattern_regexes, regex_problem
from deal_extract.rulefiles.schemas import (
    SCHEMAS, CountriesFile, DealTypeCue, NotOrganisationsFile, OrgEntry, RelationEntry, RelationsFile, ShapeEntry,
    Strict, ThemeCue, TokenPattern,
)
from deal_extract.rulefiles.cache import ParsedYaml
from deal_extract.rulefiles.yamlfile import read_text

PATTERN_FILES = tuple(SCHEMAS)
ORGANISATIONS_FILE = "organisations.yml"
ORGANISATIONS_FOLDER = "organisations"


class PatternError(ValueError):
    """A pattern file is missing, unreadable or invalid. ``str()`` names file, entry, field."""


def default_patterns_dir() -> Path:
    """The ``patterns/`` folder shipped inside the installed package."""
    return Path(str(resources.files("deal_extract") / "patterns"))


def _describe_location(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into 'entry 3 (WuXi XDC), field country'."""
    parts: list[str] = []
    node = data
    for i, key in enumerate(loc):
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            label = node.get("name") or node.get("id") or node.get("code") if isinstance(node, dict) else None
            parts.append(f"entry {key + 1}" + (f" ({label})" if label else ""))
        elif isinstance(node, dict) and key in node:
            node = node[key]
            parts.append(str(key) if i == 0 else f"field {key!r}")
        else:
            parts.append(f"field {key!r}")
            node = None
    return ", ".join(parts) or "top level"


def _format_validation(path: Path, data: Any, err: ValidationError) -> str:
    lines = [f"{path}: invalid pattern file"]
    for e in err.errors():
        hint = ""
        if isinstance(e.get("input"), bool):
            hint = f" (YAML read {e['input']!r}: quote the value, e.g. \"no\")"
        elif e.get("type") not in ("missing", "extra_forbidden") and not isinstance(e.get("input"), (dict, list)):
            hint = f" (got {e.get('input')!r})"
        lines.append(f"  {_describe_location(data, tuple(e['loc']))}: {e['msg']}{hint}")
    return "\n".join(lines)


def load_file(path: Path, schema: type[Strict], parsed: ParsedYaml) -> Any:
    data = parsed.mapping(path, read_text(path, PatternError, "pattern file"), PatternError)
    try:
        return schema.model_validate(data)
    except ValidationError as err:
        raise PatternError(_format_validation(path, data, err)) from None


class Patterns:
    """All rule files of one patterns set, validated, loaded lazily and once.

    ``directory``: a folder holding some or all of :data:`PATTERN_FILES` (default: the
    packaged set, which supplies every file the folder lacks). ``organisations``: extra
    files in the ``organisations.yml`` format, added to the curated list.
    """

    def __init__(self, directory: Optional[Path | str] = None, organisations: Sequence[Path | str] = ()):
        #: curated name -> the stem of the file that lists it ("investors", "media"), set with :attr:`organisations`
        self.organisation_segments: dict[str, str] = {}
        self.packaged = default_patterns_dir()
        self.directory = Path(directory) if directory else self.packaged
        if not self.directory.is_dir():
            raise PatternError(f"{self.directory}: patterns folder not found")
        self.extra_organisations = [Path(p) for p in organisations]

    @cached_property
    def _parsed(self) -> ParsedYaml:
        return ParsedYaml.from_environment()

    def path(self, name: str) -> Path:
        """The file read for ``name``: the folder's own, else the packaged one."""
        own = self.directory / name
        return own if own.exists() or own.is_symlink() else self.packaged / name

    def _organisation_sources(self) -> tuple[Optional[Path], list[Path]]:
        """``organisations.yml`` and the other organisation files in reading order: the
        ``organisations/*.yml`` files (the folder's own when it has either, else the packaged
        ones), then the extra files."""
        base = self.directory
        if not ((base / ORGANISATIONS_FILE).exists() or (base / ORGANISATIONS_FOLDER).is_dir()):
            base = self.packaged
        main = base / ORGANISATIONS_FILE if (base / ORGANISATIONS_FILE).exists() else None
        folder = sorted((base / ORGANISATIONS_FOLDER).glob("*.yml")) if (base / ORGANISATIONS_FOLDER).is_dir() else []
        if main is None and not folder:
            raise PatternError(f"{base / ORGANISATIONS_FILE}: pattern file not found (nor any {ORGANISATIONS_FOLDER}/*.yml)")
        return main, folder + self.extra_organisations

    def organisation_files(self) -> list[Path]:
        main, others = self._organisation_sources()
        return ([main] if main else []) + others

    def files(self) -> list[tuple[str, Path]]:
        """Every file of the set as (name in a saved folder, file read), in reading order."""
        main, others = self._organisation_sources()
        named = [(ORGANISATIONS_FILE, main)] if main else []
        width = len(str(len(others)))
        named += [(f"{ORGANISATIONS_FOLDER}/{k:0{width}d}-{p.stem}.yml", p) for k, p in enumerate(others)]
        return named + [(name, self.path(name)) for name in PATTERN_FILES if name != ORGANISATIONS_FILE]

    def _load(self, name: str) -> Any:
        return load_file(self.path(name), SCHEMAS[name], self._parsed)

    @cached_property
    def organisations(self) -> list[OrgEntry]:
        entries: list[OrgEntry] = []
        seen: dict[str, tuple[Path, int, OrgEntry]] = {}
        segments: dict[str, str] = {}
        for path in self.organisation_files():
            loaded = load_file(path, SCHEMAS[ORGANISATIONS_FILE], self._parsed).organisations
            _check_unique_orgs(path, loaded, seen)
            entries += loaded
            segments.update((entry.name, segment_name(path)) for entry in loaded)
        self.organisation_segments = segments
        return entries

    @cached_property
    def countries(self) -> CountriesFile:
        return self._load("countries.yml")

    @cached_property
    def shapes(self) -> list[ShapeEntry]:
        shapes = self._load("org_shapes.yml").shapes
        _check_token_patterns(self.path("org_shapes.yml"), "shapes", [(s.id, s.pattern) for s in shapes])
        return shapes

    @cached_property
    def not_organisations(self) -> NotOrganisationsFile:
        return self._load("not_organisations.yml")

    @cached_property
    def themes(self) -> list[ThemeCue]:
        cues = self._load("themes.yml").cues
        _check_token_patterns(self.path("themes.yml"), "cues", [(c.id, p) for c in cues for p in c.patterns])
        return cues

    @cached_property
    def deal_types(self) -> list[DealTypeCue]:
        cues = self._load("deal_types.yml").cues
        _check_token_patterns(self.path("deal_types.yml"), "cues", [(c.id, p) for c in cues for p in c.patterns])
        return cues

    @cached_property
    def relations(self) -> RelationsFile:
        loaded = self._load("relations.yml")
        _check_dependency_patterns(self.path("relations.yml"), loaded.relations)
        return loaded

    def validate_all(self) -> "Patterns":
        """Load every file now, so a bad file fails before any work is done."""
        for attr in ("organisations", "countries", "shapes", "not_organisations", "themes", "deal_types", "relations"):
            getattr(self, attr)
        self._parsed.save()
        del self._parsed  # the parsed YAML: every file is now held validated
        return self

    def save(self, folder: Path | str) -> None:
        """Copy every file of the set into ``folder``: ``Patterns(folder)`` is then the same set."""
        folder = Path(folder)
        for name, source in self.files():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def digest(self) -> str:
        """sha256 over the pattern files' names and bytes, for incremental batch runs."""
        h = hashlib.sha256()
        for name, path in self.files():
            h.update(name.encode())
            h.update(path.read_bytes())
        return h.hexdigest()


def segment_name(path: Path) -> str:
    """The segment an organisation file stands for: its stem, without the ``NN-`` that
    :meth:`Patterns.save` puts before it ("00-investors" is "investors")."""
    stem = path.stem
    prefix, dash, rest = stem.partition("-")
    return rest if dash and prefix.isdigit() and rest else stem


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


def _check_unique_orgs(path: Path, entries: list[OrgEntry], seen: dict[str, tuple[Path, int, OrgEntry]]) -> None:
    """One name or alias, one entry: in the file and across the files read before it (``seen``)."""
    for i, entry in enumerate(entries, 1):
        for name in dict.fromkeys(_norm(n) for n in [entry.name, *entry.aliases]):
            if name in seen:
                other_path, j, other = seen[name]
                where = f"entry {j}" if other_path == path else f"{other_path}, entry {j}"
                raise PatternError(
                    f"{path}: organisations, entry {i} ({entry.name}): name {name!r} is already "
                    f"{where} ({other.name}, country {other.country}); one name, one organisation"
                )
            seen[name] = (path, i, entry)


def _check_token_patterns(path: Path, section: str, patterns: list[tuple[str, TokenPattern]]) -> None:
    """Validate spaCy token patterns now, so a typo is a clear error and not a traceback later."""
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    for ident, pattern in patterns:
        _check_regexes(path, f"{section}, entry {ident!r}", pattern)
        try:
            matcher.add(ident, [pattern])
        except (MatchPatternError, ValueError, KeyError, TypeError) as exc:
            first = " ".join(str(exc).split())[:800] or type(exc).__name__
            raise PatternError(f"{path}: {section}, entry {ident!r}: invalid token pattern: {first}") from None


def _check_dependency_patterns(path: Path, entries: list[RelationEntry]) -> None:
    from spacy.matcher import DependencyMatcher
    from spacy.vocab import Vocab

    from spacy.errors import MatchPatternError

    matcher = DependencyMatcher(Vocab(), validate=True)
    for i, entry in enumerate(entries, 1):
        _check_regexes(path, f"relations, entry {i} ({entry.id})", entry.pattern)
        try:
            matcher.add(entry.id, [entry.pattern])
        except (MatchPatternError, ValueError, KeyError, TypeError) as exc:
            detail = " ".join(str(exc).split())[:800] or type(exc).__name__
            raise PatternError(f"{path}: relations, entry {i} ({entry.id}): invalid DependencyMatcher pattern: {detail}") from None


def _check_regexes(path: Path, where: str, pattern: Any) -> None:
    """Refuse a ``REGEX`` that can backtrack catastrophically (nested repetition, backreference)."""
    for regex in pattern_regexes(pattern):
        problem = regex_problem(regex)
        if problem:
            raise PatternError(f"{path}: {where}: REGEX {regex!r} refused: {problem}")
