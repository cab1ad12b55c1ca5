"""The report's corpus view: every corpus deal in one table, then grouped by partner country and
by theme (plain ``<details>``, no scripts)."""

from __future__ import annotations

from html import escape
from typing import Sequence

from deal_extract.corpus.view import Corpus, CorpusDeal
from deal_extract.evaluation.htmlparts import attr, chips, partners


def _corpus_rows(deals: Sequence[CorpusDeal], sections: dict[str, str]) -> str:
    rows = []
    for d in deals:
        dates = " \u2013 ".join(sorted({x.isoformat() for x in (d.first_published, d.last_published) if x})) or "\u2013"
        sources = ", ".join(
            f'<a href="#{sections[s]}">{escape(s)}</a>' if s in sections else escape(s)
            for s in sorted({src.source for src in d.sources}))
        value = "\u2013" if d.value is None else (
            f'{escape(d.value.text or f"{d.value.amount:,.0f}")} <span class="cc">{escape(d.value.currency)}</span>')
        rows.append(
            f'<tr data-corpus-deal="{attr(d.deal_id)}"><td class="partners">{partners([(p.name, p.country) for p in d.partners])}</td>'
            f"<td>{chips(d.themes)}</td><td>{chips(d.deal_types)}</td><td>{chips(d.territories)}</td><td>{value}</td>"
            f'<td>{dates}</td><td class="num">{d.n_sources}</td><td>{sources}</td></tr>')
    head = ("<th>Partners</th><th>Themes</th><th>Deal types</th><th>Territories</th><th>Value</th>"
            "<th>Published</th><th>Sources</th><th>Articles</th>")
    return f'<table class="corpus-deals"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _groups(label: str, kind: str, groups: dict[str, list[CorpusDeal]], sections: dict[str, str]) -> str:
    blocks = [f'<details class="group" data-{kind}="{attr(key)}"><summary>{escape(key)} ({len(deals)} deal(s))</summary>'
              f"{_corpus_rows(deals, sections)}</details>" for key, deals in groups.items()]
    return f"<h3>{escape(label)}</h3>{''.join(blocks)}"


def corpus_view(corpus: Corpus, sections: dict[str, str]) -> str:
    """Every corpus deal in one table, then by partner country and by theme (no scripts: ``<details>``)."""
    by_country: dict[str, list[CorpusDeal]] = {}
    by_theme: dict[str, list[CorpusDeal]] = {}
    for d in corpus.deals:
        for country in sorted({p.country or "unknown" for p in d.partners}):
            by_country.setdefault(country, []).append(d)
        for theme in d.themes or ["no theme"]:
            by_theme.setdefault(theme, []).append(d)
    order = lambda key: (key in ("unknown", "no theme"), key)  # noqa: E731
    return (
        f'<section class="corpus" id="corpus"><h2>Corpus deals</h2>'
        f'<p class="meta">{len(corpus.deals)} deal(s) across articles, {len(corpus.organisations)} organisation(s); '
        "one row per agreement, however many articles report it</p>"
        f"{_corpus_rows(corpus.deals, sections)}"
        f"{_groups('By partner country', 'country', {k: by_country[k] for k in sorted(by_country, key=order)}, sections)}"
        f"{_groups('By theme', 'theme', {k: by_theme[k] for k in sorted(by_theme, key=order)}, sections)}"
        "</section>"
    )
