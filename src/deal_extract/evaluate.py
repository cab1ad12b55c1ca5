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

from .records import ArticleResult, GoldFile
from .progress import progress
from .reading import Article
from .yamlfile import read_mapping
from .gold import GoldError, find_gold_pairs, load_gold, read_listed_article
from .scoring import MEASURES, PRF_FIELDS, ArticleScore, CorpusScore, score_article

#: edges of the confidence bands of the report: the fallback rule (0.5), the weaker patterns
#: (0.7-0.8), the clause-level patterns (0.85-0.9), a deal stated more than once (0.95-1.0)
CONFIDENCE_BANDS = (0.0, 0.7, 0.85, 0.95, 1.0)

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
        groups: dict[str, list[EvaluatedArticle]] = {}
        for a in self.articles:
            groups.setdefault(a.gold.style or "unspecified", []).append(a)
        return {
            style: {"articles": len(group),
                    "micro": CorpusScore(articles={a.score.article: a.score for a in group}).micro}
            for style, group in sorted(groups.items())
        }

    def by_confidence(self) -> list[dict[str, Any]]:
        """Predicted deals per confidence band: how many, and how many match a gold deal."""
        bands = [{"from": lo, "to": hi, "deals": 0, "right": 0} for lo, hi in zip(CONFIDENCE_BANDS, CONFIDENCE_BANDS[1:])]
        for a in self.articles:
            for deal, match in zip(a.result.deals, a.score.deal_matches):
                band = next(b for b in reversed(bands) if deal.confidence >= b["from"] or b is bands[0])
                band["deals"] += 1
                band["right"] += match is not None
        for b in bands:
            b["precision"] = b["right"] / b["deals"] if b["deals"] else None
        return bands

    def to_dict(self) -> dict[str, Any]:
        corpus = self.corpus
        counts: dict[str, dict[str, int]] = {f: c.model_dump() for f, c in corpus.counts.items()}
        counts["values"] = corpus.values.model_dump()
        articles = {}
        for a in self.articles:
            data = a.score.model_dump(mode="json", exclude={"article", "org_matches", "deal_matches"})
            counts_a = data.pop("counts")
            counts_a["values"] = data.pop("values")
            articles[a.score.article] = {
                "gold": str(a.gold_path), "source": str(a.source_path),
                "figures": a.score.figures, "counts": counts_a, **data,
            }
        return {
            "micro": corpus.micro,
            "by_style": self.by_style(),
            "by_confidence": self.by_confidence(),
            "counts": counts,
            "articles": articles,
            "gold_dirs": [str(d) for d in self.gold_dirs],
            "corpus_dirs": [str(d) for d in self.corpus_dirs],
            "gold_without_article": [str(p) for p in self.gold_without_article],
            "article_without_gold": [str(p) for p in self.article_without_gold],
            "warnings": list(self.warnings),
        }


def evaluate(
    gold_dir: Path | str | Sequence[Path | str],
    corpus_dirs: Sequence[Path | str],
    extractor=None,
    model: Optional[str] = None,
    patterns: Optional[Path | str] = None,
    organisations: Sequence[Path | str] = (),
    follow_symlinks: bool = False,
) -> EvaluationReport:
    """Extract every article that has a gold file and score it (``model``, ``patterns`` and
    ``organisations`` go to :func:`deal_extract.load` when no ``extractor`` is given).

    Raises :class:`GoldError` (folders, gold files), :class:`deal_extract.reading.InputError`
    (articles), and the loader's ``ModelNotFound`` / ``PatternError``.
    """
    found = find_gold_pairs(gold_dir, corpus_dirs, follow_symlinks=follow_symlinks)
    golds = [(gold_path, source_path, load_gold(gold_path)) for gold_path, source_path in found.pairs]
    warnings = list(found.warnings)
    warnings += [f"{g}: gold file without article in {', '.join(map(str, corpus_dirs))}" for g in found.gold_without_article]
    gold_dirs = [Path(gold_dir)] if isinstance(gold_dir, (str, Path)) else [Path(d) for d in gold_dir]
    gold_names = ", ".join(map(str, gold_dirs))
    warnings += [f"{a}: article without gold file in {gold_names}" for a in found.article_without_gold]
    for gold_path, source_path, gold in golds:
        if gold.article not in (source_path.name, source_path.name.rpartition("#")[2]):
            warnings.append(f"{gold_path}: names article {gold.article!r} but is paired by stem with {source_path}")
    articles: list[Article] = [read_listed_article(source_path) for _, source_path, _ in golds]
    if extractor is None and articles:
        from . import api  # imported here: scoring needs no model

        extractor = api.load(model=model, patterns=patterns, organisations=organisations)
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


# --- text output -----------------------------------------------------------------------

def _table(figures: dict[str, dict[str, float]], counts: dict[str, dict[str, int]], indent: str = "  ") -> list[str]:
    lines = [f"{indent}{'field':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for field in PRF_FIELDS:
        f, c = figures[field], counts[field]
        lines.append(
            f"{indent}{field:<14}{f['precision']:>10.3f}{f['recall']:>8.3f}{f['f1']:>8.3f}"
            f"{c['tp']:>6}{c['fp']:>5}{c['fn']:>5}"
        )
    v = counts["values"]
    lines.append(f"{indent}{'values':<14}{'accuracy':>10}{figures['values']['accuracy']:>8.3f}   ({v['correct']}/{v['total']} correct)")
    return lines


def _quote(text: str) -> str:
    return f': "{text}"' if text else ""


def _issue_lines(name: str, a: dict[str, Any]) -> list[str]:
    lines = []
    for o in a["missed_organisations"]:
        lines.append(f"    missed organisation   {o['name']} ({o['country'] or 'no country'}){_quote(o['evidence'])}")
    for o in a["spurious_organisations"]:
        lines.append(f"    spurious organisation {o['name']} ({o['reason']}){_quote(o['evidence'])}")
    for c in a["country_issues"]:
        if c["counted"] and c["predicted"] is None:
            lines.append(f"    missing country       {c['name']}: gold {c['gold']}, predicted null")
        elif c["counted"]:
            lines.append(f"    wrong country         {c['name']}: gold {c['gold']}, predicted {c['predicted']}")
        else:
            lines.append(f"    unscored country      {c['name']}: gold null, predicted {c['predicted']}")
    for d in a["missed_deals"]:
        attrs = f" [{', '.join(d['themes']) or '-'} | {', '.join(d['deal_types']) or '-'}]"
        lines.append(f"    missed deal           {' + '.join(d['partners'])}{attrs}{_quote(d['evidence'])}")
    for d in a["spurious_deals"]:
        lines.append(f"    spurious deal         {' + '.join(d['partners'])} ({d['reason']}){_quote(d['evidence'])}")
    for d in a["matched_deals"]:
        diffs = []
        for label, key in (("themes missing", "themes_missing"), ("themes extra", "themes_extra"),
                           ("types missing", "types_missing"), ("types extra", "types_extra")):
            if d[key]:
                diffs.append(f"{label} {', '.join(d[key])}")
        if d["value_correct"] is False:
            diffs.append(f"value {d['value_predicted'] or 'null'}, gold {d['value_gold']}")
        if diffs:
            lines.append(f"    deal attributes       {d['key']}: {'; '.join(diffs)}")
    return [f"  {name}", *lines] if lines else []


def format_report(data: dict[str, Any]) -> str:
    """The human-readable report of :meth:`EvaluationReport.to_dict` data."""
    out = []
    for name, a in data["articles"].items():
        out.append(f"{name}  ({a['source']})")
        out += _table(a["figures"], a["counts"])
        out.append("")
    for style, group in data.get("by_style", {}).items():
        figures = group["micro"]
        out.append(f"style {style} ({group['articles']} article(s)): " + "  ".join(
            f"{field} {m.get('f1', m.get('accuracy', 0.0)):.3f}" for field, m in figures.items()))
    if data.get("by_style"):
        out.append("")
    bands = [b for b in data.get("by_confidence", []) if b["deals"]]
    if bands:
        out.append("deals by confidence: " + "  ".join(
            f"{b['from']:.2f}-{b['to']:.2f}: {b['right']}/{b['deals']} right ({b['precision']:.0%})" for b in bands))
        out.append("")
    out.append(f"micro over {len(data['articles'])} article(s)")
    out += _table(data["micro"], data["counts"])
    issues = [line for name, a in data["articles"].items() for line in _issue_lines(name, a)]
    if issues:
        out += ["", "issues", *issues]
    return "\n".join(out) + "\n"


def format_baseline(diff: BaselineDiff, label: str) -> str:
    out = [f"against baseline {label}"]
    for field, figures in diff.micro.items():
        for measure, (before, now) in figures.items():
            if before is None:
                out.append(f"  {field + '.' + measure:<24}{'n/a':>7} -> {now:.3f}")
            else:
                out.append(f"  {field + '.' + measure:<24}{before:>7.3f} -> {now:.3f}  ({now - before:+.3f})")
    for name, d in diff.articles.items():
        parts = [
            ("deals gained", d.gained), ("deals lost", d.lost),
            ("new spurious deals", d.new_spurious), ("spurious deals gone", d.fixed_spurious),
        ]
        changes = [f"    {label_}: {'; '.join(keys)}" for label_, keys in parts if keys]
        out += [f"  {name}", *changes] if changes else [f"  {name}: no change in deals"]
    for name in diff.only_now:
        out.append(f"  {name}: not in the baseline")
    for name in diff.only_baseline:
        out.append(f"  {name}: in the baseline only")
    return "\n".join(out) + "\n"


def write_json(data: dict[str, Any], path: Path | str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


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
    "format_report", "format_baseline", "write_json",
]
