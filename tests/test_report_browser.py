"""``deal-extract report``: the HTML as a browser renders it (headless Chromium's DOM).

Chromium comes from ``.ci/install-chromium``. Without it these tests fail when ``CI`` is set
and are skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator, Optional

import pytest

from conftest import SHARED_CORPUS, unavailable
from deal_extract.records import (
    ArticleResult, Deal, Evidence, GoldDeal, GoldFile, GoldOrganisation, Organisation, Party,
)
from deal_extract.evaluation.report import ReportArticle, Span, build_report, render_html, render_spans, write_html
from deal_extract.evaluation.scoring import score_article

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("DEAL_EXTRACT_CHROMIUM", "/usr/bin/chromium"))


# --- a small DOM from the browser's serialisation --------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Optional["Node"]):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list["Node | str"] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self, skip_class: Optional[str] = None) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (skip_class and skip_class in child.classes):
                parts.append(child.text(skip_class))
        return "".join(parts)

    def iter(self) -> Iterator["Node"]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str = "*", cls: Optional[str] = None, **attrs: Optional[str]) -> list["Node"]:
        """Elements by tag, class and attributes (``data_deal=None``: has the attribute)."""
        found = []
        for node in self.iter():
            if tag != "*" and node.tag != tag:
                continue
            if cls and cls not in node.classes:
                continue
            wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
            if all(k in node.attrs and (v is None or node.attrs[k] == v) for k, v in wanted.items()):
                found.append(node)
        return found

    def ancestors(self) -> Iterator["Node"]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class DomBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = DomBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    unavailable(f"{CHROMIUM} not found: install it with .ci/install-chromium (apt-get install -y chromium)")


def rendered_dom(html_file: Path, tmp_path: Path) -> Node:
    """The DOM after Chromium has parsed and laid out ``html_file``."""
    browser = chromium()
    profile = tmp_path / "chromium-profile"
    cmd = [
        str(browser), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--dump-dom", html_file.resolve().as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    assert "<body" in done.stdout, f"chromium printed no DOM: {done.stderr[-2000:]}"
    shutil.rmtree(profile, ignore_errors=True)
    return parse(done.stdout)


# --- a hand-built report ----------------------------------------------------------------

TEXT_A = (
    "Acme Biologics Co., Ltd. signed a licence with Beta Pharma and a supply deal with Zeta Capital.\n\n"
    "Gamma Labs, a <script>alert('x')</script> & \"quoted\" firm, watched Beta Pharma.\n"
)
TEXT_B = "Delta Corp invested in Omega Bio.\n"


def span(text: str, s: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(s, start + 1)
    return start, start + len(s)


def sample() -> list[ReportArticle]:
    first_sentence = span(TEXT_A, TEXT_A.split("\n")[0])
    orgs_a = [
        Organisation(name="Acme Biologics Co., Ltd.", country="KR", mentions=[span(TEXT_A, "Acme Biologics Co., Ltd.")]),
        Organisation(name="Beta Pharma", country="US", mentions=[span(TEXT_A, "Beta Pharma"), span(TEXT_A, "Beta Pharma", 1)]),
        Organisation(name="Zeta Capital", country=None, mentions=[span(TEXT_A, "Zeta Capital")]),
    ]
    ev = Evidence(text=TEXT_A[slice(*first_sentence)], start=first_sentence[0], end=first_sentence[1])
    deals_a = [  # two deals read from one sentence: the same evidence span twice
        Deal(id="d-acme-beta", partners=[Party(name="Acme Biologics Co., Ltd.", country="KR"), Party(name="Beta Pharma", country="US")],
             themes=["adc", "cdmo"], deal_types=["licensing"], evidence=ev, confidence=0.9),
        Deal(id="d-acme-zeta", partners=[Party(name="Acme Biologics Co., Ltd.", country="KR"), Party(name="Zeta Capital")],
             deal_types=["manufacturing"], evidence=ev, confidence=0.7),
    ]
    gold_a = GoldFile(
        article="a.txt",
        organisations=[
            GoldOrganisation(name="Acme Biologics", aliases=["Acme"], country="KR"),
            GoldOrganisation(name="Beta Pharma", country="CN"),
            GoldOrganisation(name="Gamma Labs", country=None),
        ],
        deals=[
            GoldDeal(partners=["Acme", "Beta Pharma"], themes=["adc"], deal_types=["licensing", "co_development"]),
            GoldDeal(partners=["Beta Pharma", "Gamma Labs"]),
        ],
    )
    result_a = ArticleResult(source="corpus/a.txt", title="A <title> & more", organisations=orgs_a, deals=deals_a)
    orgs_b = [Organisation(name="Delta Corp", country="JP", mentions=[span(TEXT_B, "Delta Corp")]),
              Organisation(name="Omega Bio", country="SG", mentions=[span(TEXT_B, "Omega Bio")])]
    ev_b = Evidence(text=TEXT_B.strip(), start=0, end=len(TEXT_B.strip()))
    result_b = ArticleResult(source="corpus/b.txt", organisations=orgs_b, deals=[
        Deal(id="d-delta-omega", partners=[Party(name="Delta Corp", country="JP"), Party(name="Omega Bio", country="SG")],
             deal_types=["investment"], evidence=ev_b, confidence=0.8)])
    return [
        ReportArticle(name="a", source="corpus/a.txt", text=TEXT_A, result=result_a, gold=gold_a,
                      score=score_article(result_a, gold_a, text=TEXT_A, article="a")),
        ReportArticle(name="b", source="corpus/b.txt", text=TEXT_B, result=result_b),
    ]


@pytest.fixture(scope="module")
def sample_dom(tmp_path_factory) -> tuple[str, Node]:
    tmp = tmp_path_factory.mktemp("report")
    html = render_html(sample())
    path = write_html(html, tmp / "report.html")
    return html, rendered_dom(path, tmp)


def test_one_section_per_article_and_index(sample_dom):
    _, dom = sample_dom
    sections = dom.find_all("section", data_article=None)
    assert [s.attrs["data-article"] for s in sections] == ["a", "b"]
    index_rows = dom.find_all("table", cls="index")[0].find_all("tr", data_article=None)
    assert [r.attrs["data-article"] for r in index_rows] == ["a", "b"]
    links = [r.find_all("a")[0].attrs["href"] for r in index_rows]
    assert links == ["#" + s.attrs["id"] for s in sections]
    # figures for the article with gold, a dash for the one without
    a_row, b_row = index_rows
    assert a_row.find_all("td", data_field="deals.recall")[0].text() == "0.500"
    assert b_row.find_all("td", data_field="deals.recall")[0].text() == "\u2013"
    micro = dom.find_all("tr", cls="micro")
    assert micro and micro[0].find_all("td", data_field="deals.f1")[0].text() == "0.500"


def test_one_row_per_deal_with_evidence_links(sample_dom):
    _, dom = sample_dom
    articles = {a.name: a for a in sample()}
    for section in dom.find_all("section", data_article=None):
        result = articles[section.attrs["data-article"]].result
        rows = section.find_all("tr", data_deal=None)
        assert [r.attrs["data-deal"] for r in rows] == [d.id for d in result.deals]
        for row, deal in zip(rows, result.deals):
            partners = [p.attrs["data-org"] for p in row.find_all("span", cls="partner")]
            assert partners == [p.name for p in deal.partners]
            href = row.find_all("a", cls="ev-link")[0].attrs["href"]
            target = dom.find_all(id=href[1:])
            assert len(target) == 1, f"evidence link {href} has no single target"
            assert "evidence" in target[0].classes
            assert target[0].attrs["data-deal"] == deal.id
            assert target[0].text(skip_class="org-label") == deal.evidence.text


def test_organisations_highlighted_with_country_labels(sample_dom):
    _, dom = sample_dom
    article = sample()[0]
    section = dom.find_all("section", data_article="a")[0]
    text = section.find_all("div", cls="text")[0]
    for org in article.result.organisations:
        marks = [m for m in text.find_all("mark", cls="org", data_org=org.name) if "missed" not in m.classes]
        assert len(marks) == len(org.mentions), org.name
        for mark, (start, end) in zip(marks, org.mentions):
            assert mark.text(skip_class="org-label") == TEXT_A[start:end]
            assert mark.find_all("span", cls="org-label")[0].text() == (org.country or "?")
    # the whole text survives, escaped: the script is text, not an element
    assert text.text(skip_class="org-label") == TEXT_A
    assert not dom.find_all("script")


def test_gold_marks(sample_dom):
    _, dom = sample_dom
    section = dom.find_all("section", data_article="a")[0]
    # Zeta Capital is no gold organisation: spurious in the text; its deal is spurious
    assert section.find_all("mark", cls="spurious", data_org="Zeta Capital")
    spurious_rows = section.find_all("tr", cls="spurious", data_deal=None)
    assert [r.attrs["data-deal"] for r in spurious_rows] == ["d-acme-zeta"]
    assert "Zeta Capital" in spurious_rows[0].find_all("td", cls="status")[0].text()
    assert [r.attrs["data-deal"] for r in section.find_all("tr", cls="matched")] == ["d-acme-beta"]
    # Gamma Labs was not found: marked missed where the text names it, and listed
    missed_marks = section.find_all("mark", cls="missed", data_org="Gamma Labs")
    assert len(missed_marks) == 1 and missed_marks[0].text(skip_class="org-label") == "Gamma Labs"
    assert section.find_all("li", cls="missed", data_org="Gamma Labs")
    missed_rows = section.find_all("tr", cls="missed", data_missed_deal=None)
    assert [r.attrs["data-missed-deal"] for r in missed_rows] == ["Beta Pharma + Gamma Labs"]
    # Beta Pharma's country is wrong (gold CN); the missing co_development shows as a missed chip
    beta = section.find_all("mark", data_org="Beta Pharma")[0]
    assert "country-wrong" in beta.find_all("span", cls="org-label")[0].classes
    matched = section.find_all("tr", cls="matched")[0]
    assert [c.text() for c in matched.find_all("span", cls="chip") if "missed" in c.classes] == ["co_development"]
    assert [c.text() for c in matched.find_all("span", cls="chip") if "spurious" in c.classes] == ["cdmo"]
    # no gold for b: no marks
    b = dom.find_all("section", data_article="b")[0]
    assert not b.find_all(cls="missed") and not b.find_all(cls="spurious")


def test_self_contained(sample_dom):
    html, dom = sample_dom
    assert not dom.find_all("script") and not dom.find_all("link") and not dom.find_all("img")
    for node in dom.iter():
        assert "src" not in node.attrs, node.tag
        href = node.attrs.get("href")
        assert href is None or href.startswith("#"), href
    assert "url(" not in html and "@import" not in html and "http" not in html.split("</style>")[0]
    assert dom.find_all("title")[0].text() == "deal-extract report"


# --- plain unit tests of the nesting (no browser) ----------------------------------------

def test_render_spans_nests_crossing_spans():
    text = "abcdefghij"
    spans = [
        Span(0, 6, 0, "span", {"class": "e"}, {"id": "e1"}),
        Span(4, 9, 0, "span", {"class": "e"}, {"id": "e2"}),
        Span(2, 5, 1, "mark", {"class": "m"}, label="<i>L</i>"),
    ]
    html = render_spans(text, spans)
    dom = parse(html)
    assert dom.text().replace("L", "") == text
    e2 = dom.find_all(id="e2")[0]
    pieces = dom.find_all("span", cls="e")
    assert len(pieces) == 4  # e1, and e2 split where the mark and e1 close
    assert e2.text() == "e" and "".join(p.text() for p in pieces[1:]) == "efghi"
    assert html.count("<i>L</i>") == 1  # the label only on the mark's last piece
    assert html == (
        '<span class="e" id="e1">ab<mark class="m">cd<span class="e" id="e2">e</span><i>L</i></mark>'
        '<span class="e">f</span></span><span class="e">ghi</span>j'
    )


def test_evidence_anchors_are_the_same_whatever_the_other_articles():
    """Other pages link to a deal's evidence (deal-extract serve): its id depends on the article,
    the deal and the evidence offset only."""
    from deal_extract.evaluation.htmlparts import evidence_anchor

    articles = sample()
    alone, both = render_html(articles[1:]), render_html(articles[::-1])
    deal = articles[1].result.deals[0]
    anchor = evidence_anchor("corpus/b.txt", deal.id, deal.evidence.start)
    for html in (alone, both):
        assert html.count(f'id="{anchor}"') == 1 and html.count(f'href="#{anchor}"') == 1


def test_render_spans_escapes_and_clamps():
    html = render_spans("<b>&", [Span(1, 99, 0, "span", {"title": '"x"'})])
    assert html == '&lt;<span title="&quot;x&quot;">b&gt;&amp;</span>'


# --- the real thing, end to end ---------------------------------------------------------

def test_report_of_corpus_in_browser(extractor, tmp_path):
    """The review page of the team corpus (the files of ``corpus/`` itself and the shared seed;
    the blind batches in its subfolders grow by 50 articles a batch) in a real browser."""
    team = tmp_path / "corpus"
    team.mkdir()
    for path in (REPO / "corpus").iterdir():
        if path.is_file():
            shutil.copy(path, team / path.name)
    corpus_dirs = [d for d in (team, SHARED_CORPUS) if d.is_dir()]
    data = build_report(corpus_dirs, gold_dir=REPO / "tests" / "gold", extractor=extractor)
    path = write_html(render_html(data.articles), tmp_path / "report.html")
    dom = rendered_dom(path, tmp_path)
    sections = dom.find_all("section", data_article=None)
    assert [s.attrs["data-article"] for s in sections] == [a.name for a in data.articles]
    for section, article in zip(sections, data.articles):
        rows = section.find_all("tr", data_deal=None)
        assert len(rows) == len(article.result.deals)
        for row, deal in zip(rows, article.result.deals):
            target = dom.find_all(id=row.find_all("a", cls="ev-link")[0].attrs["href"][1:])
            assert len(target) == 1 and "evidence" in target[0].classes
            assert target[0].text(skip_class="org-label") == article.text[deal.evidence.start:deal.evidence.end]
        n_mentions = sum(len(o.mentions) for o in article.result.organisations)
        marks = [m for m in section.find_all("mark", cls="org") if "missed" not in m.classes]
        assert len(marks) >= n_mentions  # one mark per mention (more where a mark is split)
        assert {m.attrs["data-org"] for m in marks} == {o.name for o in article.result.organisations if o.mentions}
        if article.score:
            assert len(section.find_all("tr", cls="missed")) == len(article.score.missed_deals)
            assert len(section.find_all("tr", cls="spurious")) == len(article.score.spurious_deals)


def test_build_report_skips_unreadable_articles(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT_B, encoding="utf-8")
    (corpus / "empty.txt").write_text("  \n", encoding="utf-8")

    class Fake:
        def pipe(self, items):
            for article in items:
                yield ArticleResult(source=article.source)

    data = build_report([corpus], extractor=Fake())
    assert [a.name for a in data.articles] == ["a"]
    assert any("empty.txt: empty article" in w for w in data.warnings)
