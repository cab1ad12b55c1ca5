"""One self-contained HTML file for reviewing extractions, optionally against gold.

Per article a ``<section data-article>`` with a deals table (one ``<tr data-deal>`` per
predicted deal, linking to its evidence) and the article text, organisations highlighted in
displaCy's entity style with their country as a small label. With gold files, missed and
spurious organisations and deals carry the CSS classes ``missed`` and ``spurious``.
A corpus view lists every corpus deal (one per agreement across articles, see
:mod:`deal_extract.corpus.view`) in one table, then grouped by partner country and by theme in
``<details>`` blocks. All text is escaped; no scripts, no external styles, fonts or images, unless
``correct``: then each article also has a correction form, run by an inline script
(:mod:`deal_extract.evaluation.correct_page`), that saves the analyst's corrections as a gold file.

:func:`build_report` extracts the articles of corpus folders; :func:`build_report_from_output`
reads a batch's output folder instead, without extracting again.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Iterator, Optional, Sequence

from pydantic import BaseModel, Field

from deal_extract.corpus.outputs import atomic_write_text
from deal_extract.corpus.view import Corpus, build_corpus, curated_from
from deal_extract.evaluation.correct_page import CSS as CORRECT_CSS, correct_box, correct_scripts
from deal_extract.evaluation.htmlparts import REVIEW_PAGE, attr, chips, evidence_anchor, partners
from deal_extract.evaluation.report_corpus import corpus_view
from deal_extract.run.progress import progress
from deal_extract.records import ArticleResult, Deal, GoldFile, keep_confident
from deal_extract.text.reading import InputError
from deal_extract.evaluation.gold import article_stem, gold_files, list_articles, load_gold, read_listed_article
from deal_extract.evaluation.scoring import ArticleScore, CorpusScore, score_article


class ReportInputError(ValueError):
    """``report --from`` was given a folder that is no batch output; ``str()`` says what to give."""


class ReportArticle(BaseModel):
    name: str
    source: str
    text: Optional[str] = Field(default=None, description="None: not stored in the output folder")
    result: ArticleResult
    gold: Optional[GoldFile] = None
    score: Optional[ArticleScore] = None


class ReportData(BaseModel):
    articles: list[ReportArticle] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    gold_dir: Optional[Path] = None
    corpus: Optional[Corpus] = None


# --- building --------------------------------------------------------------------------

def build_report(
    corpus_dirs: Sequence[Path | str],
    gold_dir: Optional[Path | str] = None,
    extractor=None,
    model: Optional[str] = None,
    patterns: Optional[Path | str] = None,
    organisations: Sequence[Path | str] = (),
    follow_symlinks: bool = False,
    judge=None,
    min_confidence: float = 0.0,
) -> ReportData:
    """Extract every article of the corpus folders (recursively, as ``batch``); score those with a gold file.
    ``min_confidence``: only the deals at or above it are shown (and scored)."""
    sources, warnings = list_articles(corpus_dirs, follow_symlinks=follow_symlinks)
    golds = _load_golds(gold_dir, set(sources), warnings)
    articles = []
    for stem, path in list(sources.items()):
        try:
            articles.append(read_listed_article(path))
        except InputError as exc:  # one unreadable article does not stop the review page
            warnings.append(f"{exc}; left out of the report")
            del sources[stem]
    if extractor is None and articles:
        from deal_extract import api  # imported here: the HTML needs no model

        extractor = api.load(model=model, patterns=patterns, organisations=organisations, judge=judge,
                             min_confidence=min_confidence)
    results = [keep_confident(r, min_confidence)
               for r in progress(extractor.pipe(articles), len(articles), "report")] if articles else []
    items = [_item(stem, str(path), article.text, result, golds.get(stem))
             for (stem, path), article, result in zip(sources.items(), articles, results)]
    curated, legal_forms = curated_from(getattr(extractor, "patterns", None))
    corpus = build_corpus(results, texts={a.source: a.text for a in articles}, curated=curated,
                          country_legal_forms=legal_forms)
    return ReportData(articles=items, warnings=warnings, gold_dir=gold_dir, corpus=corpus)


def build_report_from_output(output: Path | str, gold_dir: Optional[Path | str] = None,
                             patterns: Optional[Path | str] = None, organisations: Sequence[Path | str] = (),
                             min_confidence: float = 0.0) -> ReportData:
    """The report of a batch's output folder: its article records and stored texts, without extracting.
    ``min_confidence``: only the deals at or above it are shown, in the articles and the corpus deals."""
    from deal_extract.rulefiles.loader import Patterns
    from deal_extract.corpus.store import ARTICLES_DIR, load_output
    from deal_extract.run.inputs import MANIFEST_NAME, is_output_folder

    output = Path(output)
    if not output.is_dir():
        raise ReportInputError(f"{output}: output folder not found")
    if not is_output_folder(output) and not (output / ARTICLES_DIR).is_dir():
        raise ReportInputError(f"{output} is not the output folder of a batch run (it has no {MANIFEST_NAME} and no "
                               f"{ARTICLES_DIR}/): give --from the -o folder of 'deal-extract batch', or --corpus {output} "
                               "to extract its articles now")
    rules = Patterns(patterns, organisations)
    results, texts, corpus, problems = load_output(output, rules)
    if min_confidence > 0.0:
        results = [keep_confident(r, min_confidence) for r in results]
        curated, legal_forms = curated_from(rules)
        corpus = build_corpus(results, texts=texts, curated=curated, country_legal_forms=legal_forms)
    names = {r.source: article_stem(r.source) for r in results}
    warnings = [f"{source}: {problem}; shown without it" for source, problem in problems.items()]
    golds = _load_golds(gold_dir, set(names.values()), warnings)
    items = []
    for result in progress(results, len(results), "report"):
        text = texts.get(result.source)
        if text is None and result.source not in problems:
            warnings.append(f"{result.source}: no stored text in {output} (written by an older version); shown without it")
        items.append(_item(names[result.source], result.source, text, result, golds.get(names[result.source])))
    return ReportData(articles=items, warnings=warnings, gold_dir=Path(gold_dir) if gold_dir else None, corpus=corpus)


def _item(name: str, source: str, text: Optional[str], result: ArticleResult, gold: Optional[GoldFile]) -> ReportArticle:
    score = score_article(result, gold, text=text or "", article=name) if gold else None
    return ReportArticle(name=name, source=source, text=text, result=result, gold=gold, score=score)


def _load_golds(gold_dir: Optional[Path | str], names: set[str], warnings: list[str]) -> dict[str, GoldFile]:
    golds: dict[str, GoldFile] = {}
    if gold_dir is None:
        return golds
    paths, gold_warnings = gold_files(gold_dir)
    warnings += gold_warnings
    for stem, path in paths.items():
        golds[stem] = load_gold(path)
        if stem not in names:
            warnings.append(f"{path}: gold file without article")
    return golds


# --- nested highlighting ---------------------------------------------------------------

@dataclass
class Span:
    """A highlight over ``text[start:end]``; split into pieces where it crosses another."""

    start: int
    end: int
    order: int  # at equal ranges, lower orders open first (outside)
    tag: str
    attrs: dict[str, str]
    first_attrs: dict[str, str] = field(default_factory=dict)  # only on the first piece (ids)
    label: str = ""  # escaped HTML appended inside the last piece
    first: bool = True
    last: bool = True

    def open_html(self) -> str:
        attrs = {**self.attrs, **(self.first_attrs if self.first else {})}
        return f"<{self.tag}" + "".join(f' {k}="{escape(v)}"' for k, v in attrs.items()) + ">"

    def close_html(self) -> str:
        return (self.label if self.last else "") + f"</{self.tag}>"

    def split(self, at: int) -> tuple["Span", "Span"]:
        head = Span(self.start, at, self.order, self.tag, self.attrs, self.first_attrs, self.label, self.first, False)
        tail = Span(at, self.end, self.order, self.tag, self.attrs, self.first_attrs, self.label, False, self.last)
        return head, tail


def render_spans(text: str, spans: Sequence[Span]) -> str:
    """Escaped ``text`` with properly nested elements for possibly overlapping ``spans``."""
    heap: list[tuple[int, int, int, int, Span]] = []
    seq = 0

    def push(span: Span) -> None:
        nonlocal seq
        if span.start < span.end:
            heapq.heappush(heap, (span.start, -span.end, span.order, seq, span))
            seq += 1

    for span in spans:
        push(Span(max(0, span.start), min(span.end, len(text)), span.order, span.tag, span.attrs,
                  span.first_attrs, span.label))
    out: list[str] = []
    stack: list[Span] = []
    pos = 0
    while heap or stack:
        next_start = heap[0][0] if heap else len(text) + 1
        if stack and stack[-1].end <= next_start:
            top = stack.pop()
            out.append(escape(text[pos:top.end]))
            pos = top.end
            out.append(top.close_html())
            continue
        span = heapq.heappop(heap)[4]
        out.append(escape(text[pos:span.start]))
        pos = span.start
        if stack and span.end > stack[-1].end:
            span, rest = span.split(stack[-1].end)
            push(rest)
        stack.append(span)
        out.append(span.open_html())
    out.append(escape(text[pos:]))
    return "".join(out)


# --- HTML pieces -----------------------------------------------------------------------

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 2px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.micro td { font-weight: bold; background: #f9f9f9; }
.meta, .source { color: #666; font-size: 0.9rem; }
.text { white-space: pre-wrap; line-height: 2.4; border: 1px solid #eee; padding: 1rem; background: #fff; }
mark.org { background: #7aecec; padding: 0.25em 0.45em; margin: 0 0.1em; line-height: 1; border-radius: 0.35em; }
mark.org .org-label { font-size: 0.65em; font-weight: bold; line-height: 1; border-radius: 0.35em; vertical-align: middle; margin-left: 0.4rem; text-transform: uppercase; }
mark.org.spurious { background: #fed7aa; outline: 2px solid #ea580c; }
mark.org.missed { background: #fecaca; outline: 2px dashed #dc2626; }
.org-label.country-wrong { color: #b91c1c; text-decoration: underline wavy; }
.evidence { background: #fef9c3; border-bottom: 2px solid #facc15; }
.evidence:target { background: #fde047; outline: 3px solid #f59e0b; }
tr.spurious td { background: #ffedd5; } tr.missed td { background: #fee2e2; } tr.matched td.status { color: #15803d; }
.chip { display: inline-block; padding: 0 0.35em; margin: 0.05em; border-radius: 0.3em; background: #eef; font-size: 0.85em; }
.chip.missed { background: #fecaca; text-decoration: line-through; } .chip.spurious { background: #fed7aa; }
.value.wrong { color: #b91c1c; } .cc { color: #555; font-size: 0.8em; }
li.missed { color: #b91c1c; } li.spurious { color: #c2410c; }
.legend span { margin-right: 1rem; }
details.group { margin: 0.3rem 0; } details.group summary { cursor: pointer; font-weight: bold; }
td.title { max-width: 28rem; } td.date { white-space: nowrap; }
"""

_INDEX_COLUMNS = (
    ("organisations", "f1", "Org F1"), ("countries", "precision", "Country P"), ("countries", "recall", "Country R"),
    ("deals", "precision", "Deal P"), ("deals", "recall", "Deal R"), ("deals", "f1", "Deal F1"),
    ("themes", "f1", "Themes F1"), ("deal_types", "f1", "Types F1"), ("values", "accuracy", "Value acc"),
)


def _index(items: Sequence[ReportArticle], ids: dict[str, str]) -> str:
    scored = any(a.score for a in items)
    head = "<th>Article</th><th>Headline</th><th>Date</th><th>Organisations</th><th>Deals</th>"
    if scored:
        head += "".join(f"<th>{escape(label)}</th>" for _, _, label in _INDEX_COLUMNS)
    rows = []
    for a in items:
        date = a.result.published.isoformat() if a.result.published else "\u2013"
        cells = (f'<td><a href="#{ids[a.name]}">{escape(a.name)}</a></td>'
                 f'<td class="title">{escape(a.result.title or "")}</td><td class="date">{date}</td>'
                 f'<td class="num">{len(a.result.organisations)}</td><td class="num">{len(a.result.deals)}</td>')
        if scored:
            figures = a.score.figures if a.score else None
            for fld, measure, _ in _INDEX_COLUMNS:
                value = f"{figures[fld][measure]:.3f}" if figures else "\u2013"
                cells += f'<td class="num" data-field="{fld}.{measure}">{value}</td>'
        rows.append(f'<tr data-article="{attr(a.name)}">{cells}</tr>')
    if scored:
        micro = CorpusScore(articles={a.name: a.score for a in items if a.score}).micro
        cells = '<td>micro</td><td></td><td></td><td class="num"></td><td class="num"></td>'
        cells += "".join(f'<td class="num" data-field="{f}.{m}">{micro[f][m]:.3f}</td>' for f, m, _ in _INDEX_COLUMNS)
        rows.append(f'<tr class="micro">{cells}</tr>')
    return f'<table class="index"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _org_status(a: ReportArticle) -> tuple[list[bool], dict[str, str]]:
    """Per predicted organisation: spurious?; and gold name -> gold country where ours is wrong."""
    if not a.score:
        return [False] * len(a.result.organisations), {}
    seen: set[str] = set()
    spurious = []
    for match in a.score.org_matches:
        spurious.append(match is None or match in seen)
        if match is not None:
            seen.add(match)
    wrong = {c.name: c.gold or "null" for c in a.score.country_issues if c.counted}
    return spurious, wrong


def _text_block(a: ReportArticle) -> str:
    if a.text is None:
        return '<p class="meta">The text of this article is not stored in the output folder.</p>'
    return f'<div class="text">{render_spans(a.text, _text_spans(a))}</div>'


def _anchor(a: ReportArticle, deal: Deal) -> str:
    return evidence_anchor(a.result.source, deal.id, deal.evidence.start)


def _text_spans(a: ReportArticle) -> list[Span]:
    spans: list[Span] = []
    anchors: set[str] = set()
    for deal in a.result.deals:
        anchor = _anchor(a, deal)  # two deals of the same id and evidence share it: one id in the page
        spans.append(Span(deal.evidence.start, deal.evidence.end, 0, "span",
                          {"class": "evidence", "data-deal": deal.id}, {} if anchor in anchors else {"id": anchor}))
        anchors.add(anchor)
    spurious, wrong = _org_status(a)
    taken: list[tuple[int, int]] = []
    for j, org in enumerate(a.result.organisations):
        match = a.score.org_matches[j] if a.score else None
        classes = "org spurious" if spurious[j] else "org"
        label_class = "org-label country-wrong" if match in wrong and not spurious[j] else "org-label"
        title = f"{org.name} \u00b7 {org.kind} \u00b7 {org.country or 'country unknown'}"
        if match in wrong and not spurious[j]:
            title += f" (gold {wrong[match]})"
        label = f'<span class="{label_class}">{escape(org.country or "?")}</span>'
        for start, end in org.mentions:
            spans.append(Span(start, end, 1, "mark", {"class": classes, "data-org": org.name, "title": title}, label=label))
            taken.append((start, end))
    if a.score and a.gold and a.text:
        missed = {o.name for o in a.score.missed_organisations}
        for gorg in a.gold.organisations:
            if gorg.name not in missed:
                continue
            for start, end in _occurrences(a.text, [gorg.name, *gorg.aliases]):
                if any(s < end and start < e for s, e in taken):
                    continue
                taken.append((start, end))
                spans.append(Span(start, end, 1, "mark",
                                  {"class": "org missed", "data-org": gorg.name, "data-missed": "organisation",
                                   "title": f"missed: {gorg.name} ({gorg.country or 'country unknown'})"},
                                  label='<span class="org-label">missed</span>'))
    return spans


def _occurrences(text: str, names: Sequence[str]) -> Iterator[tuple[int, int]]:
    for name in sorted(set(names), key=len, reverse=True):
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
            yield m.start(), m.end()


def _value_cell(deal: Deal, correct: Optional[bool]) -> str:
    if deal.value is None:
        return "\u2013"
    text = deal.value.text or f"{deal.value.amount:,.0f}"
    cls = "value wrong" if correct is False else "value"
    return f'<span class="{cls}" title="{attr(deal.value.currency)} {deal.value.amount:,.0f}">{escape(text)} <span class="cc">{escape(deal.value.currency)}</span></span>'


def _deals_table(a: ReportArticle) -> str:
    scored = a.score is not None
    head = "<th>Partners</th><th>Themes</th><th>Deal types</th><th>Territories</th><th>Value</th><th>Confidence</th><th>Evidence</th>"
    if scored:
        head += "<th>Gold</th>"
    rows = []
    spurious = iter(a.score.spurious_deals) if scored else iter(())
    matched = iter(a.score.matched_deals) if scored else iter(())
    for i, deal in enumerate(a.result.deals):
        key = a.score.deal_matches[i] if scored else None
        match = next(matched) if key is not None else None
        themes = chips(deal.themes, match.themes_missing if match else (), match.themes_extra if match else ())
        types = chips(deal.deal_types, match.types_missing if match else (), match.types_extra if match else ())
        cells = (
            f'<td class="partners">{partners([(p.name, p.country) for p in deal.partners])}</td>'
            f"<td>{themes}</td><td>{types}</td><td>{chips(deal.territories)}</td>"
            f"<td>{_value_cell(deal, match.value_correct if match else None)}</td>"
            f'<td class="num">{deal.confidence:.2f}</td>'
            f'<td><a class="ev-link" href="#{_anchor(a, deal)}" title="{attr(deal.evidence.text)}">evidence</a></td>'
        )
        cls = ""
        if scored:
            if key is None:
                cls = "spurious"
                cells += f'<td class="status">spurious: {escape(next(spurious).reason)}</td>'
            else:
                cls = "matched"
                cells += f'<td class="status">matched {escape(key)}</td>'
        rows.append(f'<tr data-deal="{attr(deal.id)}"' + (f' class="{cls}"' if cls else "") + f">{cells}</tr>")
    if scored:
        countries = {o.name: o.country for o in a.gold.organisations}
        index = {n: o.name for o in a.gold.organisations for n in (o.name, *o.aliases)}
        for d in a.score.missed_deals:
            names = [(index.get(p, p), countries.get(index.get(p, p))) for p in d.partners]
            cells = (
                f'<td class="partners">{partners(names)}</td><td>{chips(d.themes)}</td><td>{chips(d.deal_types)}</td>'
                f"<td></td><td>{escape(d.value or chr(0x2013))}</td><td></td>"
                f'<td title="{attr(d.note or "")}">{escape(d.evidence)}</td><td class="status">missed</td>'
            )
            rows.append(f'<tr class="missed" data-missed-deal="{attr(" + ".join(d.partners))}">{cells}</tr>')
    return f'<table class="deals"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _org_list(a: ReportArticle) -> str:
    spurious, wrong = _org_status(a)
    items = []
    for j, org in enumerate(a.result.organisations):
        cls = ' class="spurious"' if spurious[j] else ""
        note = ""
        if a.score and spurious[j]:
            note = " \u2013 spurious"
        elif a.score and a.score.org_matches[j] in wrong:
            gold_country = escape(wrong[a.score.org_matches[j]])
            note = f" \u2013 country should be {gold_country}" if org.country else f" \u2013 no country (gold {gold_country})"
        items.append(f'<li data-org="{attr(org.name)}"{cls}>{escape(org.name)} <span class="cc">{escape(org.country or "?")} \u00b7 {escape(org.kind)}</span>{note}</li>')
    if a.score:
        for o in a.score.missed_organisations:
            items.append(f'<li class="missed" data-org="{attr(o.name)}" data-missed="organisation">{escape(o.name)} <span class="cc">{escape(o.country or "?")}</span> \u2013 missed</li>')
    return f'<ul class="orgs">{"".join(items)}</ul>'


def _section(a: ReportArticle, section_id: str, correct: bool = False) -> str:
    meta = [a.source]
    if a.result.title:
        meta.append(a.result.title)
    if a.result.published:
        meta.append(a.result.published.isoformat())
    source = escape(" \u00b7 ".join(meta))
    return (
        f'<section class="article" id="{section_id}" data-article="{attr(a.name)}">'
        f'<h2>{escape(a.name)}</h2><p class="source">{source}</p>'
        f"<h3>Deals</h3>{_deals_table(a)}{correct_box(a) if correct else ''}"
        f"<h3>Organisations</h3>{_org_list(a)}"
        f"<h3>Text</h3>{_text_block(a)}"
        "</section>"
    )


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "article"


def render_html(items: Sequence[ReportArticle], title: str = "deal-extract report", corpus: Optional[Corpus] = None,
                correct: bool = False) -> str:
    """The whole report as one HTML string (inline CSS, no scripts, everything escaped); ``correct``:
    with the correction form of each article (an inline script)."""
    ids = {a.name: f"art-{i}-{_slug(a.name)}" for i, a in enumerate(items)}
    sections = {a.result.source: ids[a.name] for a in items}
    n_deals = sum(len(a.result.deals) for a in items)
    legend = ""
    if any(a.score for a in items):
        legend = ('<p class="legend"><span><mark class="org">matched</mark></span>'
                  '<span><mark class="org spurious">spurious</mark></span>'
                  '<span><mark class="org missed">missed</mark></span></p>')
    body = "".join(_section(a, ids[a.name], correct) for a in items)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{CSS}{CORRECT_CSS if correct else ''}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class=\"meta\">{len(items)} article(s), {n_deals} deal(s)</p>{legend}"
        f"{_index(items, ids)}{corpus_view(corpus, sections) if corpus and corpus.deals else ''}{body}"
        f"{correct_scripts() if correct else ''}</body></html>\n"
    )


def write_html(html: str, path: Path | str) -> Path:
    """Write the page atomically: a full disk leaves the old page (or none), never half of one."""
    path = Path(path)
    atomic_write_text(path, html)
    return path


__all__ = ["REVIEW_PAGE", "ReportArticle", "ReportData", "ReportInputError", "build_report", "build_report_from_output", "render_html", "render_spans",
           "write_html", "Span"]
