"""Load and validate the YAML rule files in ``patterns/``.

Every file has a pydantic schema that forbids unknown keys; any problem is raised as a
:class:`PatternError` whose message names the file, the entry and the field. YAML is read
with ``yaml.safe_load`` only.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .records import OrganisationEntry
from .vocab import DealTypeId, OrgKind, ThemeId
from .yamlfile import read_mapping

PATTERN_FILES = (
    "organisations.yml",
    "countries.yml",
    "org_shapes.yml",
    "not_organisations.yml",
    "themes.yml",
    "deal_types.yml",
    "relations.yml",
)


class PatternError(ValueError):
    """A pattern file is missing, unreadable or invalid. ``str()`` names file, entry, field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


TokenPattern = list[dict[str, Any]]


class OrgEntry(OrganisationEntry):
    """One curated organisation: name, aliases, home country, kind."""


class OrganisationsFile(_Strict):
    organisations: list[OrgEntry]


class CountryEntry(_Strict):
    code: str = Field(pattern=r"^[A-Z]{2}$")
    names: list[str] = Field(min_length=1)
    adjectives: list[str] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list, description="cities and provinces, for 'Seoul-based'")
    legal_forms: list[str] = Field(default_factory=list, description="company-name endings used only there ('Pte. Ltd.')")


class RegionEntry(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class CountriesFile(_Strict):
    countries: list[CountryEntry]
    regions: list[RegionEntry] = Field(default_factory=list)
    group_nouns: list[str] = Field(default_factory=list, description="'Chinese companies such as A and B'")


class ShapeEntry(_Strict):
    id: str
    pattern: TokenPattern = Field(min_length=1)
    kind: OrgKind = "company"


class OrgShapesFile(_Strict):
    shapes: list[ShapeEntry]


class NotOrganisationsFile(_Strict):
    terms: list[str] = Field(default_factory=list, description="exact names (case-insensitive) that are never organisations")
    words: list[str] = Field(default_factory=list, description="a candidate containing one of these words is no organisation (job titles, headings)")
    descriptors: list[str] = Field(default_factory=list, description="nouns that describe an organisation: 'start-up X', 'X, a ... developer'")
    place_nouns: list[str] = Field(default_factory=list, description="'Binjiang district': a name before one of these is a place")
    adviser_roles: list[str] = Field(default_factory=list, description="'X acted as legal adviser': X is an organisation")
    title_words: list[str] = Field(default_factory=list, description="job-title words: a name is cut before them ('Pfizer CEO ...')")
    short_form_stop: list[str] = Field(default_factory=list, description="first words that never stand alone for an organisation ('United', 'New')")
    kind_words: dict[OrgKind, list[str]] = Field(default_factory=dict, description="name words that tell an organisation's kind")
    name_heads: list[str] = Field(default_factory=list, description="words that end a name and never start one ('Therapeutics', 'Ltd.'): an ORG starting with one takes the entity glued before it")


class CueEntry(_Strict):
    id: str
    phrases: list[str] = Field(default_factory=list, description="matched case-insensitively on token text")
    exact: list[str] = Field(default_factory=list, description="matched case-sensitively (acronyms)")
    patterns: list[TokenPattern] = Field(default_factory=list)


class ThemeCue(CueEntry):
    id: ThemeId


class DealTypeCue(CueEntry):
    id: DealTypeId


class ThemesFile(_Strict):
    cues: list[ThemeCue]


class DealTypesFile(_Strict):
    cues: list[DealTypeCue]


class RelationEntry(_Strict):
    id: str
    description: str = ""
    deal_types: list[DealTypeId] = Field(default_factory=list)
    gather: Literal["pair", "subtree"] = Field(
        default="pair", description="subtree: every organisation under the gather node joins the deal (investment rounds, lists)")
    gather_node: str = Field(default="trigger", description="the node whose subtree is gathered")
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    pattern: list[dict[str, Any]] = Field(min_length=2)

    @field_validator("pattern")
    @classmethod
    def _has_two_parties(cls, pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = {node.get("RIGHT_ID") for node in pattern}
        missing = {"party_a", "party_b"} - ids
        if missing:
            raise ValueError(f"a relation pattern needs nodes named party_a and party_b; missing {sorted(missing)}")
        return pattern


class RelationsFile(_Strict):
    deal_nouns: list[str] = Field(default_factory=list, description="lemmas that name a deal: 'the X–Y deal'")
    blockers: list[str] = Field(default_factory=list, description="lemmas above a trigger that make it no deal (talks, terminate, deny)")
    references: list[str] = Field(default_factory=list, description="nouns that refer back to an organisation: 'the company'")
    plural_references: list[str] = Field(default_factory=list, description="nouns that refer back to a deal's partners: 'the two firms'")
    follow_up_nouns: list[str] = Field(default_factory=list, description="'the deal', 'the terms': a sentence that continues the last deal")
    joint_verbs: list[str] = Field(default_factory=list, description="'X teamed up with A and B': one deal of all three")
    fallback_verbs: list[str] = Field(default_factory=list, description="verbs that let two organisations in a misparsed sentence make a deal")
    reporting_verbs: list[str] = Field(default_factory=list, description="'said': with a person in the sentence, no fallback deal")
    territory_words: list[str] = Field(default_factory=list, description="words before a place that make it a deal territory ('in', 'across')")
    not_territory_before: list[str] = Field(default_factory=list, description="'based in X' is a home, not a territory")
    relations: list[RelationEntry]


SCHEMAS: dict[str, type[_Strict]] = {
    "organisations.yml": OrganisationsFile,
    "countries.yml": CountriesFile,
    "org_shapes.yml": OrgShapesFile,
    "not_organisations.yml": NotOrganisationsFile,
    "themes.yml": ThemesFile,
    "deal_types.yml": DealTypesFile,
    "relations.yml": RelationsFile,
}


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


def load_file(path: Path, schema: type[_Strict]) -> _Strict:
    data = read_mapping(path, PatternError, "pattern file")
    try:
        return schema.model_validate(data)
    except ValidationError as err:
        raise PatternError(_format_validation(path, data, err)) from None


class Patterns:
    """All rule files of one patterns folder, validated, loaded lazily and once."""

    def __init__(self, directory: Optional[Path | str] = None):
        self.directory = Path(directory) if directory else default_patterns_dir()
        if not self.directory.is_dir():
            raise PatternError(f"{self.directory}: patterns folder not found")

    def _load(self, name: str) -> Any:
        return load_file(self.directory / name, SCHEMAS[name])

    @cached_property
    def organisations(self) -> list[OrgEntry]:
        entries = self._load("organisations.yml").organisations
        _check_unique_orgs(self.directory / "organisations.yml", entries)
        return entries

    @cached_property
    def countries(self) -> CountriesFile:
        return self._load("countries.yml")

    @cached_property
    def shapes(self) -> list[ShapeEntry]:
        shapes = self._load("org_shapes.yml").shapes
        _check_token_patterns(self.directory / "org_shapes.yml", "shapes", [(s.id, s.pattern) for s in shapes])
        return shapes

    @cached_property
    def not_organisations(self) -> NotOrganisationsFile:
        return self._load("not_organisations.yml")

    @cached_property
    def themes(self) -> list[ThemeCue]:
        cues = self._load("themes.yml").cues
        _check_token_patterns(self.directory / "themes.yml", "cues", [(c.id, p) for c in cues for p in c.patterns])
        return cues

    @cached_property
    def deal_types(self) -> list[DealTypeCue]:
        cues = self._load("deal_types.yml").cues
        _check_token_patterns(self.directory / "deal_types.yml", "cues", [(c.id, p) for c in cues for p in c.patterns])
        return cues

    @cached_property
    def relations(self) -> RelationsFile:
        loaded = self._load("relations.yml")
        _check_dependency_patterns(self.directory / "relations.yml", loaded.relations)
        return loaded

    def validate_all(self) -> "Patterns":
        """Load every file now, so a bad file fails before any work is done."""
        for attr in ("organisations", "countries", "shapes", "not_organisations", "themes", "deal_types", "relations"):
            getattr(self, attr)
        return self

    def digest(self) -> str:
        """sha256 over the pattern files' bytes, for incremental batch runs."""
        h = hashlib.sha256()
        for name in PATTERN_FILES:
            h.update(name.encode())
            h.update((self.directory / name).read_bytes())
        return h.hexdigest()


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


def _check_unique_orgs(path: Path, entries: list[OrgEntry]) -> None:
    seen: dict[str, tuple[int, OrgEntry]] = {}
    for i, entry in enumerate(entries, 1):
        for name in [entry.name, *entry.aliases]:
            key = _norm(name)
            if key in seen:
                j, other = seen[key]
                if other.country != entry.country or other.name != entry.name:
                    raise PatternError(
                        f"{path}: organisations, entry {i} ({entry.name}): name {name!r} is already "
                        f"entry {j} ({other.name}, country {other.country}); one name, one organisation"
                    )
            else:
                seen[key] = (i, entry)


def _check_token_patterns(path: Path, section: str, patterns: list[tuple[str, TokenPattern]]) -> None:
    """Validate spaCy token patterns now, so a typo is a clear error and not a traceback later."""
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    for ident, pattern in patterns:
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
        try:
            matcher.add(entry.id, [entry.pattern])
        except (MatchPatternError, ValueError, KeyError, TypeError) as exc:
            detail = " ".join(str(exc).split())[:800] or type(exc).__name__
            raise PatternError(f"{path}: relations, entry {i} ({entry.id}): invalid DependencyMatcher pattern: {detail}") from None
