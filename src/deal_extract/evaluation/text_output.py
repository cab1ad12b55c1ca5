"""The text form of ``deal-extract evaluate``'s report and of its comparison with a baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deal_extract.evaluation.scoring import DETAIL_ACCURACY, DETAIL_PRF, PRF_FIELDS

if TYPE_CHECKING:
    from deal_extract.evaluation.evaluate import BaselineDiff
    from deal_extract.evaluation.scoring import CorpusScore


def _table(figures: dict[str, dict[str, float]], counts: dict[str, dict[str, int]], indent: str = "  ") -> list[str]:
    """The P/R/F1 rows, then the accuracies; SPEC section 6 rows only where the gold gives them."""
    lines = [f"{indent}{'field':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for field in (*PRF_FIELDS, *DETAIL_PRF):
        if field not in figures:
            continue
        f, c = figures[field], counts[field]
        lines.append(
            f"{indent}{field:<14}{f['precision']:>10.3f}{f['recall']:>8.3f}{f['f1']:>8.3f}"
            f"{c['tp']:>6}{c['fp']:>5}{c['fn']:>5}"
        )
    for field in ("values", *DETAIL_ACCURACY):
        if field in figures:
            v = counts[field]
            lines.append(f"{indent}{field:<14}{'accuracy':>10}{figures[field]['accuracy']:>8.3f}   ({v['correct']}/{v['total']} correct)")
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
    for grouping in ("style", "domain"):
        groups = data.get(f"by_{grouping}", {})
        if grouping == "domain" and set(groups) <= {"unspecified"}:
            continue
        for name, group in groups.items():
            out.append(f"{grouping} {name} ({group['articles']} article(s)): " + "  ".join(
                f"{field} {m.get('f1', m.get('accuracy', 0.0)):.3f}" for field, m in group["micro"].items()))
        if groups:
            out.append("")
    out += reliability_table(data.get("by_confidence", []))
    out.append(f"micro over {len(data['articles'])} article(s)")
    out += _table(data["micro"], data["counts"])
    issues = [line for name, a in data["articles"].items() for line in _issue_lines(name, a)]
    if issues:
        out += ["", "issues", *issues]
    return "\n".join(out) + "\n"


def reliability_table(bands: list[dict[str, Any]]) -> list[str]:
    """Per confidence band with deals: how many, how many right, how many the confidences expect."""
    bands = [b for b in bands if b["deals"]]
    if not bands:
        return []
    lines = ["reliability: deals by confidence",
             f"  {'confidence':<12}{'deals':>7}{'right':>7}{'expected':>10}{'right %':>9}{'expected %':>12}"]
    for b in bands:
        expected = b.get("expected", 0.0)
        lines.append(f"  {b['from']:.2f}-{b['to']:.2f}   {b['deals']:>7}{b['right']:>7}{expected:>10.1f}"
                     f"{b['right'] / b['deals']:>9.0%}{expected / b['deals']:>12.0%}")
    return lines + [""]


def format_baseline(diff: "BaselineDiff", label: str) -> str:
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


def agreement_table(corpus: "CorpusScore") -> str:
    """Per article the deals F1, then the micro table of a second reading against the first."""
    counts: dict[str, dict[str, int]] = {f: c.model_dump() for f, c in corpus.counts.items()}
    counts["values"] = corpus.values.model_dump()
    counts.update({f: c.model_dump() for f, c in corpus.details.items()})
    counts.update({f: a.model_dump() for f, a in corpus.detail_accuracy.items()})
    out = [f"{name:<56} deals F1 {score.figures['deals']['f1']:.3f}" for name, score in corpus.articles.items()]
    out.append(f"micro over {len(corpus.articles)} article(s), second reading against the first")
    out += _table(corpus.micro, counts)
    return "\n".join(out) + "\n"
