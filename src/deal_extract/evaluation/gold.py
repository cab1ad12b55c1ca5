"""Gold files (SPEC section 3): finding them, pairing them with articles by file stem, reading and writing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml
from pydantic import BaseModel, Field, ValidationError

from deal_extract.text.reading import Article, iter_items, read_article
from deal_extract.records import GoldFile
from deal_extract.rulefiles.yamlfile import read_mapping

GOLD_SUFFIXES = (".yaml", ".yml")


class GoldError(ValueError):
    """A gold file or folder cannot be used; ``str()`` names the file and the cause. ``lines``:
    the message as lines to print (a file's problems after its name), none holding a line break
    of its own but what a file name brings."""

    def __init__(self, *lines: str):
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def article_stem(source: str) -> str:
    """The name gold files pair with: the file stem, or the id of a ``.jsonl`` line."""
    path, _, ident = source.partition("#")
    return ident or Path(path).stem


def gold_files(gold_dirs: Path | str | Sequence[Path | str]) -> tuple[dict[str, Path], list[str]]:
    """The gold files of one folder, or of several (each folder is one gold set: its files,
    not its subfolders), by stem (the first of each stem), and warnings for the others."""
    folders = [Path(gold_dirs)] if isinstance(gold_dirs, (str, Path)) else [Path(d) for d in gold_dirs]
    found: dict[str, Path] = {}
    warnings: list[str] = []
    for gold_dir in folders:
        if not gold_dir.is_dir():
            raise GoldError(f"{gold_dir}: gold folder not found")
        for path in sorted(p for p in gold_dir.iterdir() if p.is_file() and p.suffix.lower() in GOLD_SUFFIXES):
            if path.stem in found:
                warnings.append(f"{path}: second gold file for {path.stem!r}; ignored")
            else:
                found[path.stem] = path
    return found, warnings


def load_gold(path: Path | str) -> GoldFile:
    """Read and validate one gold YAML file; :class:`GoldError` names the file on any problem."""
    path = Path(path)
    return parse_gold(read_mapping(path, GoldError, "gold file"), str(path))


def parse_gold(data: Any, where: str) -> GoldFile:
    """Validate the content of a gold file (a mapping, as read from its YAML); :class:`GoldError`
    names ``where`` and each problem."""
    try:
        return GoldFile.model_validate(data)
    except ValidationError as err:
        lines = [f"{where}: invalid gold file"]
        for e in err.errors():
            loc = ".".join(str(part) for part in e["loc"]) or "top level"
            lines.append(f"  {loc}: {e['msg']}")
        raise GoldError(*lines) from None


class _Flow(list):
    """A list written on one line (``[a, b]``), as SPEC section 3 writes partners and themes."""


class _FlowMap(dict):
    """A mapping written on one line (``{amount: 1, currency: USD}``)."""


class _GoldDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # list entries indented under their key, as in SPEC


#: characters YAML reads as line breaks, which PyYAML's emitter writes raw into a quoted scalar
#: (where they are read back as spaces) unless the scalar is double-quoted
_YAML_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if any(c in value for c in _YAML_LINE_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_GoldDumper.add_representer(str, _string)
_GoldDumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_GoldDumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))


def _layout(value: Any, entry: bool = True) -> Any:
    """SPEC section 3's layout: the entries of a list (organisations, deals) as blocks, a list of
    plain values and a mapping inside an entry (value, roles) on one line."""
    if isinstance(value, dict):
        items = {k: _layout(v, entry=False) for k, v in value.items()}
        return items if entry else _FlowMap(items)
    if isinstance(value, list):
        items = [_layout(v) for v in value]
        return _Flow(items) if all(not isinstance(v, (dict, list)) for v in items) else items
    return value


def gold_yaml(gold: GoldFile) -> str:
    """The YAML text of a gold file in the layout of SPEC section 3 (what :func:`load_gold` reads
    back as ``gold``). Only the fields the gold file sets are written: a section 6 field left out
    is not scored, one written as ``null`` is."""
    data = _layout(gold.model_dump(mode="python", exclude_unset=True))
    return yaml.dump(data, Dumper=_GoldDumper, sort_keys=False, allow_unicode=True, width=120)


class GoldPairs(BaseModel):
    pairs: list[tuple[Path, Path]] = Field(default_factory=list, description="(gold file, article file), by stem")
    gold_without_article: list[Path] = Field(default_factory=list)
    article_without_gold: list[Path] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def list_articles(corpus_dirs: Sequence[Path | str],
                  follow_symlinks: bool = False) -> tuple[dict[str, Path], list[str]]:
    """Articles of the corpus folders by stem, found as ``batch`` finds them, and warnings for stems found twice.

    Folders are searched recursively for every input kind ``batch`` reads; a ``.jsonl`` line
    is listed as ``feed.jsonl#id`` under the stem ``id`` (read it with :func:`read_listed_article`).
    As in ``batch``, symbolic links to files outside a corpus folder are not followed unless
    ``follow_symlinks``, and deal-extract output folders inside it are not read; each is a warning.
    """
    from deal_extract.run.inputs import scan_corpus  # here: the input modules import this one

    found: dict[str, Path] = {}
    warnings: list[str] = []
    for folder in map(Path, corpus_dirs):
        if not folder.is_dir():
            raise GoldError(f"{folder}: corpus folder not found")
        scan = scan_corpus(folder, follow_symlinks=follow_symlinks)
        for excluded in scan.excluded:
            path = folder / excluded.path
            if excluded.reason.startswith("symbolic link"):
                warnings.append(f"{path}: symbolic link to a file outside {folder}; not followed")
            else:
                warnings.append(f"{path}: {excluded.reason}")
        for file, _ in scan.files:
            for stem, path in _listed(file):
                if path != file and path.exists():  # a file named like the line: read_listed_article would read it
                    warnings.append(f"{path}: line {stem!r} of {file} has the name of a file; the line is left out "
                                    "(rename the file, or use 'deal-extract batch', which names files apart)")
                    continue
                if stem in found:
                    warnings.append(f"{path}: article stem {stem!r} also at {found[stem]}; using the first")
                    continue
                found[stem] = path
    return found, warnings


def _listed(file: Path) -> Iterable[tuple[str, Path]]:
    if file.suffix.lower() != ".jsonl":
        yield file.stem, file
        return
    for item in iter_items(file, str(file)):
        yield item.source.rpartition("#")[2], Path(item.source)


def read_listed_article(path: Path) -> Article:
    """An article :func:`list_articles` found: a file, or one line of a ``.jsonl`` file (``feed.jsonl#id``)."""
    path = Path(path)
    file, _, ident = str(path).rpartition("#")
    if not path.exists() and file and Path(file).suffix.lower() == ".jsonl" and Path(file).is_file():
        for item in iter_items(Path(file), file):
            if item.source == str(path):
                return item.load()
    return read_article(path)


def find_gold_pairs(gold_dirs: Path | str | Sequence[Path | str], corpus_dirs: Sequence[Path | str],
                    follow_symlinks: bool = False) -> GoldPairs:
    """Pair gold files (of one folder or several) with article files by file stem; list what has no partner."""
    golds, gold_warnings = gold_files(gold_dirs)
    articles, warnings = list_articles(corpus_dirs, follow_symlinks=follow_symlinks)
    result = GoldPairs(warnings=warnings + gold_warnings)
    for stem, gold in golds.items():
        if stem in articles:
            result.pairs.append((gold, articles[stem]))
        else:
            result.gold_without_article.append(gold)
    result.article_without_gold = [path for stem, path in sorted(articles.items()) if stem not in golds]
    return result
