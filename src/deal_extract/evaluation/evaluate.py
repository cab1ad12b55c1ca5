"""Evaluate the extractor against gold files: run, score, report, compare, check floors.

:func:`evaluate` returns an :class:`EvaluationReport`; :meth:`EvaluationReport.to_dict` is the
JSON written by ``deal-extract evaluate -o``::

    {"micro": {"organisations": {"precision", "recall", "f1"}, ..., "values": {"accuracy"}},
     "counts": {"organisations": {"tp", "fp", "fn"}, ..., "values": {"correct", "total"}},
     "articles": {"<stem>": {"gold", "source", "figures", "counts", "missed_organisations", ...}},
     "gold_without_article": [...], "article_without_gold": [...], "warnings": [...]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from pydantic import BaseModel, Field

from deal_extract.corpus.outputs import atomic_write_text
from deal_extract.records import ArticleResult, GoldFile
from deal_extract.run.progress import progress
from deal_extract.text.reading import Article
from deal_extract.rulefiles.yamlfile import read_mapping
from deal_extract.evaluation.gold import GoldError, GoldPairs, find_gold_pairs, load_gold, read_listed_article
from deal_extract.evaluation.scoring import MEASURES, ArticleScore, CorpusScore, score_article

#: edges of the confidence bands of the reliability table. The rules' confidences: the fallback
#: rule (0.5), the weaker patterns (0.7-0.8), the clause-level patterns (0.85-0.9), a deal stated
#: more than once (0.95-1.0); the judge's are probabilities, read against "expected"
CONFIDENCE_BANDS = (0.0, 0.3, 0.5, 0.7, 0.85, 0.95, 1.0)

FLOOR_EPSILON = 1e-9


class FloorError(ValueError):
    """A floor is written wrongly (``--min`` or a floors file)."""


class BaselineError(ValueError):
    """A baseline report cannot be read."""


# --- running ---------------------------------------------------------------------------

class EvaluatedArticle(BaseModel):
    gold_path: Path
    source_path: Path
    text: str
    result: ArticleResult
    gold: GoldFile
    score: ArticleScore


class EvaluationReport(BaseModel):
    gold_dirs: list[Path]
    corpus_dirs: list[Path]
    articles: list[EvaluatedArticle] = Field(default_factory=list)
    gold_without_article: list[Path] = Field(default_factory=list)
    article_without_gold: list[Path] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def corpus(self) -> CorpusScore:
        return CorpusScore(articles={a.score.article: a.score for a in self.articles})

    @property
    def micro(self) -> dict[str, dict[str, float]]:
        return self.corpus.micro

    def by_style(self) -> dict[str, dict[str, Any]]:
        """Micro figures per register (the gold file's ``style``), for seeing where rules generalise."""
        return self._grouped(lambda gold: gold.style)

    def by_domain(self) -> dict[str, dict[str, Any]]:
        """Micro figures per domain (the gold file's ``domain``: rounds, acquisitions, institutions ...)."""
        return self._grouped(lambda gold: gold.domain)

    def _grouped(self, key) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[EvaluatedArticle]] = {}
        for a in self.articles:
            groups.setdefault(key(a.gold) or "unspecified", []).append(a)
        return {
            style: {"articles": len(group),
                    "micro": CorpusScore(articles={a.score.article: a.score for a in group}).micro}
            for style, group in sorted(groups.items())
        }

    def by_confidence(self) -> list[dict[str, Any]]:
        """The reliability table: predicted deals per confidence band, how many match a gold deal
        (``right``), and how many the confidences expect to be right (their sum, ``expected``)."""
        bands = [{"from": lo, "to": hi, "deals": 0, "right": 0, "expected": 0.0}
                 for lo, hi in zip(CONFIDENCE_BANDS, CONFIDENCE_BANDS[1:])]
        for a in self.articles:
            for deal, match in zip(a.result.deals, a.score.deal_matches):
                band = next(b for b in reversed(bands) if deal.confidence >= b["from"] or b is bands[0])
                band["deals"] += 1
                band["right"] += match is not None
                band["expected"] += deal.confidence
        for b in bands:
            b["expected"] = round(b["expected"], 3)
            b["precision"] = b["right"] / b["deals"] if b["deals"] else None
        return bands

    def to_dict(self) -> dict[str, Any]:
        corpus = self.corpus
        counts: dict[str, dict[str, int]] = {f: c.model_dump() for f, c in corpus.counts.items()}
        counts["values"] = corpus.values.model_dump()
        counts.update({f: c.model_dump() for f, c in corpus.details.items()})
        counts.update({f: a.model_dump() for f, a in corpus.detail_accuracy.items()})
        articles = {}
        for a in self.articles:
            data = a.score.model_dump(mode="json", exclude={"article", "org_matches", "deal_matches"})
            counts_a = data.pop("counts")
            counts_a["values"] = data.pop("values")
            counts_a.update(data.pop("details"))
            counts_a.update(data.pop("detail_accuracy"))
            articles[a.score.article] = {
                "gold": str(a.gold_path), "source": str(a.source_path),
                "figures": a.score.figures, "counts": counts_a, **data,
            }
        return {
            "micro": corpus.micro,
            "by_style": self.by_style(),
            "by_domain": self.by_domain(),
            "by_confidence": self.by_confidence(),
            "counts": counts,
            "articles": articles,
            "gold_dirs": [str(d) for d in self.gold_dirs],
            "corpus_dirs": [str(d) for d in self.corpus_dirs],
            "gold_without_article": [str(p) for p in self.gold_without_article],
            "article_without_gold": [str(p) for p in self.article_without_gold],
            "warnings": list(self.warnings),
        }


def unpaired_beside_paired(found: GoldPairs) -> list[Path]:
    """The articles without a gold file in a folder where other articles have one: a gold file
    missing or misnamed, warned about. A folder none of whose articles has a gold file is another
    set (``corpus/blind/`` when scoring ``tests/gold`` with ``--corpus corpus``, which is searched
    recursively) and is not warned about; the ``-o`` report lists every article without gold."""
    paired = {source.parent for _, source in found.pairs}
    return [article for article in found.article_without_gold if article.parent in paired]


def evaluate(
    gold_dir: Path | str | Sequence[Path | str],
    corpus_dirs: Sequence[Path | str],
    extractor=None,
    model: Optional[str] = None,
    patterns: Optional[Path | str] = None,
    organisations: Sequence[Path | str] = (),
    follow_symlinks: bool = False,
    judge=None,
) -> EvaluationReport:
    """Extract every article that has a gold file and score it (``model``, ``patterns``,
    ``organisations`` and ``judge`` go to :func:`deal_extract.load` when no ``extractor`` is given).

    Raises :class:`GoldError` (folders, gold files), :class:`deal_extract.text.reading.InputError`
    (articles), and the loader's ``ModelNotFound`` / ``PatternError``.
    """
    found = find_gold_pairs(gold_dir, corpus_dirs, follow_symlinks=follow_symlinks)
    golds = [(gold_path, source_path, load_gold(gold_path)) for gold_path, source_path in found.pairs]
    warnings = list(found.warnings)
    warnings += [f"{g}: gold file without article in {', '.join(map(str, corpus_dirs))}" for g in found.gold_without_article]
    gold_dirs = [Path(gold_dir)] if isinstance(gold_dir, (str, Path)) else [Path(d) for d in gold_dir]
    gold_names = ", ".join(map(str, gold_dirs))
    warnings += [f"{a}: article without gold file in {gold_names}" for a in unpaired_beside_paired(found)]
    for gold_path, source_path, gold in golds:
        if gold.article not in (source_path.name, source_path.name.rpartition("#")[2]):
            warnings.append(f"{gold_path}: names article {gold.article!r} but is paired by stem with {source_path}")
    articles: list[Article] = [read_listed_article(source_path) for _, source_path, _ in golds]
    if extractor is None and articles:
        from deal_extract import api  # imported here: scoring needs no model

        extractor = api.load(model=model, patterns=patterns, organisations=organisations, judge=judge)
    results = list(progress(extractor.pipe(articles), len(articles), "evaluate")) if articles else []
    evaluated = [
        EvaluatedArticle(
            gold_path=gold_path, source_path=source_path, text=article.text, result=result, gold=gold,
            score=score_article(result, gold, text=article.text, article=gold_path.stem),
        )
        for (gold_path, source_path, gold), article, result in zip(golds, articles, results)
    ]
    return EvaluationReport(
        gold_dirs=gold_dirs, corpus_dirs=[Path(d) for d in corpus_dirs], articles=evaluated,
        gold_without_article=found.gold_without_article, article_without_gold=found.article_without_gold,
        warnings=warnings,
    )


# --- floors ----------------------------------------------------------------------------

class FloorFailure(BaseModel):
    field: str
    measure: str
    figure: float
    floor: float

    def __str__(self) -> str:
        return f"{self.field}.{self.measure} = {self.figure:.3f} is below the floor {self.floor:.3f}"


def _check_name(name: str) -> tuple[str, str]:
    field, _, measure = name.partition(".")
    if field not in MEASURES:
        raise FloorError(f"unknown field {field!r} in {name!r}; fields: {', '.join(MEASURES)}")
    if not measure:
        measure = MEASURES[field][-1]  # f1, or accuracy for values
    if measure not in MEASURES[field]:
        raise FloorError(f"unknown measure {measure!r} for {field}; measures: {', '.join(MEASURES[field])}")
    return field, measure


def _check_value(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise FloorError(f"floor for {name!r} must be a number between 0 and 1, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FloorError(f"floor for {name!r} must be a number between 0 and 1, got {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise FloorError(f"floor for {name!r} must be between 0 and 1, got {number}")
    return number


def parse_floor(spec: str) -> tuple[str, float]:
    """``"deals.f1=0.9"`` -> ``("deals.f1", 0.9)``; ``"deals=0.9"`` means ``deals.f1``."""
    name, sep, value = spec.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise FloorError(f"--min wants FIELD.MEASURE=VALUE such as deals.f1=0.9, got {spec!r}")
    field, measure = _check_name(name.strip())
    return f"{field}.{measure}", _check_value(name.strip(), value.strip())


def load_floors(path: Path | str, section: Optional[str] = None) -> dict[str, float]:
    """A YAML mapping ``field.measure: value`` (for example ``deals.f1: 0.90``), or a mapping of
    gold sets to such mappings (``team: {deals.f1: 0.95}``, ``blind: {...}``), of which
    ``section`` names the one to read."""
    path = Path(path)
    data = read_mapping(path, FloorError, "floors file")
    sections = [name for name, value in data.items() if isinstance(value, dict)]
    if sections and len(sections) != len(data):
        raise FloorError(f"{path}: mixes floors and sections of floors ({', '.join(map(str, sections))})")
    if section is not None:
        if section not in sections:
            raise FloorError(f"{path}: no floors set {section!r}; sets: {', '.join(map(str, sections)) or 'none'}")
        data = data[section]
    elif sections:
        raise FloorError(f"{path}: holds floors per gold set ({', '.join(map(str, sections))}); choose one with --floors-set NAME")
    floors: dict[str, float] = {}
    for name, value in data.items():
        try:
            field, measure = _check_name(str(name))
            floors[f"{field}.{measure}"] = _check_value(str(name), value)
        except FloorError as exc:
            raise FloorError(f"{path}: {exc}") from None
    return floors


def check_floors(micro: dict[str, dict[str, float]], floors: dict[str, float]) -> list[FloorFailure]:
    """Every floor the figures miss (with :data:`FLOOR_EPSILON` of slack for rounding)."""
    failures = []
    for name, floor in floors.items():
        field, measure = name.split(".")
        figure = micro[field][measure]
        if figure < floor - FLOOR_EPSILON:
            failures.append(FloorFailure(field=field, measure=measure, figure=figure, floor=floor))
    return failures


# --- baseline --------------------------------------------------------------------------

def load_baseline(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline report: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a JSON report (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a JSON report (nested too deeply)") from None
    if not isinstance(data, dict) or not isinstance(data.get("micro"), dict) or not isinstance(data.get("articles"), dict):
        raise BaselineError(f"{path}: not an evaluate report (needs 'micro' and 'articles'; write one with -o)")
    return data


class ArticleDelta(BaseModel):
    gained: list[str] = Field(default_factory=list, description="gold deals found now, not in the baseline")
    lost: list[str] = Field(default_factory=list, description="gold deals found in the baseline, not now")
    new_spurious: list[str] = Field(default_factory=list)
    fixed_spurious: list[str] = Field(default_factory=list)


class BaselineDiff(BaseModel):
    micro: dict[str, dict[str, tuple[Optional[float], float]]]
    articles: dict[str, ArticleDelta]
    only_now: list[str] = Field(default_factory=list)
    only_baseline: list[str] = Field(default_factory=list)


def _deal_keys(article: dict[str, Any], kind: str) -> set[str]:
    if kind == "matched_deals":
        return {d["key"] for d in article.get(kind, [])}
    return {" + ".join(sorted(d["partners"], key=str.casefold)) for d in article.get(kind, [])}


def compare(current: dict[str, Any], baseline: dict[str, Any]) -> BaselineDiff:
    """Micro figures (before, now) and per-article deals gained and lost, from two reports' dicts."""
    micro = {
        field: {m: (baseline["micro"].get(field, {}).get(m), v) for m, v in figures.items()}
        for field, figures in current["micro"].items()
    }
    now, before = current["articles"], baseline["articles"]
    articles = {}
    for name in sorted(set(now) & set(before)):
        m_now, m_before = _deal_keys(now[name], "matched_deals"), _deal_keys(before[name], "matched_deals")
        s_now, s_before = _deal_keys(now[name], "spurious_deals"), _deal_keys(before[name], "spurious_deals")
        articles[name] = ArticleDelta(
            gained=sorted(m_now - m_before), lost=sorted(m_before - m_now),
            new_spurious=sorted(s_now - s_before), fixed_spurious=sorted(s_before - s_now),
        )
    return BaselineDiff(
        micro=micro, articles=articles,
        only_now=sorted(set(now) - set(before)), only_baseline=sorted(set(before) - set(now)),
    )


def write_json(data: dict[str, Any], path: Path | str) -> None:
    """Write the report atomically (a full disk leaves no half-written file)."""
    atomic_write_text(Path(path), json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def floors_from(specs: Iterable[str], files: Iterable[Path | str] = (), section: Optional[str] = None) -> dict[str, float]:
    """Floors from files (their ``section`` where they hold floors per gold set), then ``--min`` specs (which win)."""
    floors: dict[str, float] = {}
    for path in files:
        floors.update(load_floors(path, section))
    for spec in specs:
        name, value = parse_floor(spec)
        floors[name] = value
    return floors


__all__ = [
    "EvaluationReport", "FloorFailure", "FloorError", "BaselineError", "GoldError", "evaluate",
    "parse_floor", "load_floors", "check_floors", "floors_from", "load_baseline", "compare",
    "write_json",
]
