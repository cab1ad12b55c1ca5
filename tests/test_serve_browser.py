"""``deal-extract serve``: the deal database in Datasette, driven in headless Chromium.

A batch of two team articles and its review page, served by the command on a free port; the
browser (Debian's chromium, through Playwright: ``.ci/install-chromium``) loads the deals table,
applies a facet, searches for a company and follows a deal's link to its evidence in the review
page. Without chromium these tests fail when ``CI`` is set and are skipped otherwise. The plain
tests below need no browser: the command's one-line errors, the shipped metadata.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import free_port, wait_for_port
from deal_extract.cli import _register, app
from deal_extract.corpus.database import DATABASE_NAME
from deal_extract.evaluation.report import build_report_from_output, render_html, write_html
from deal_extract.run.batch import BatchOptions, run_batch
from test_batch import make_corpus
from test_report_browser import chromium

REPO = Path(__file__).resolve().parents[1]
ARTICLES = ("pr_hanbit_kestrel_licence.txt", "pr_sora_cdmo_supply.txt")
START_SECONDS = 120  # a guard against a hang: serve starts in a few seconds


@pytest.fixture(scope="module")
def output(extractor, tmp_path_factory) -> Path:
    """A batch's output folder over two team articles, with its review page."""
    root = tmp_path_factory.mktemp("serve")
    corpus = make_corpus(root / "corpus", {name: (REPO / "corpus" / name).read_bytes() for name in ARTICLES})
    out = root / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    data = build_report_from_output(out)
    write_html(render_html(data.articles, corpus=data.corpus), out / "report.html")
    return out


@pytest.fixture(scope="module")
def served(output) -> str:
    """``deal-extract serve OUTPUT --port P`` in a process of its own; the address it prints."""
    pytest.importorskip("datasette")
    port = free_port()
    log = output.parent / "serve.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-c", "from deal_extract.cli import main; main()", "serve", str(output),
                                 "--port", str(port)], stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        wait_for_port(port, proc, START_SECONDS, log)
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def page(served):
    sync_api = pytest.importorskip("playwright.sync_api")
    browser_path = chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_path), args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()


def deal_rows(page) -> list[str]:
    return page.locator("table.rows-and-columns tbody tr").all_inner_texts()


def test_deals_table_facet_search_and_evidence_link_in_the_browser(served, page, output):
    assert served.endswith("/deals/deals")
    page.goto(served)
    assert len(deal_rows(page)) == 2

    page.locator("#facet-themes a", has_text="adc").click()  # a facet: the ADC deal only
    page.wait_for_url("**themes__arraycontains=adc**")
    [row] = deal_rows(page)
    assert "Hanbit Therapeutics" in row and "Sora" not in row

    page.goto(served)
    page.fill("input[name=_search]", "Sora")  # search: any spelling of a partner, an asset, the evidence
    page.press("input[name=_search]", "Enter")
    page.wait_for_url("**_search=Sora**")
    [row] = deal_rows(page)
    assert "Sora Pharma" in row

    link = page.locator("a.evidence-link").first  # n_sources: a link to each report's evidence
    assert link.inner_text() == "pr_sora_cdmo_supply.txt"
    link.click()
    page.wait_for_url("**/output/report.html#ev-*")
    target = page.locator(":target")  # the highlighted sentence, its organisations' country labels aside
    assert target.get_attribute("class") == "evidence" and target.is_visible()
    text = target.evaluate("e => { const c = e.cloneNode(true); "
                           "c.querySelectorAll('.org-label').forEach(l => l.remove()); return c.textContent; }")
    with sqlite3.connect(output / DATABASE_NAME) as con:
        [(evidence,)] = con.execute("SELECT evidence_text FROM deal_sources WHERE source = 'pr_sora_cdmo_supply.txt'")
    assert text == evidence


# --- without a browser --------------------------------------------------------------------

def invoke(*args):
    _register()
    return CliRunner().invoke(app, [str(a) for a in args])


def test_serve_without_datasette_says_which_extra_to_install(output, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasette", None)  # import datasette raises ImportError
    result = invoke("serve", output)
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("deal-extract serve: error: serve needs Datasette") and "'deal-extract[datasette]'" in line


def test_serve_needs_a_batch_output_with_its_database(tmp_path):
    pytest.importorskip("datasette")
    result = invoke("serve", tmp_path / "nowhere")
    assert result.exit_code == 2 and result.stderr == f"deal-extract serve: error: {tmp_path / 'nowhere'}: output folder not found\n"
    result = invoke("serve", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"deal-extract serve: error: {tmp_path / DATABASE_NAME} not found: "
                             f"run 'deal-extract batch CORPUS -o {tmp_path}' first\n")


def test_every_page_of_the_explorer_renders_with_its_links(output):
    """Tables (foreign keys and all), a deal's row, the canned queries and the review page, in-process."""
    import asyncio
    import concurrent.futures
    import re

    from deal_extract.corpus.explorer import explorer
    from deal_extract.evaluation.htmlparts import evidence_anchor

    pytest.importorskip("datasette")
    found = explorer(output)
    assert found.warnings == []
    with sqlite3.connect(output / DATABASE_NAME) as con:
        sources = con.execute("SELECT deal_id, source, article_deal_id, evidence_start FROM deal_sources").fetchall()
    anchors = {evidence_anchor(*row[1:]) for row in sources}
    paths = ["/deals/deals", "/deals/deal_sources", "/deals/deal_partners", "/deals/organisations", "/deals/articles",
             f"/deals/deals/{sources[0][0]}", "/deals/licences_between_countries", "/deals/deals_per_theme_per_year",
             "/deals/deals_with_a_partner_from", "/deals/deals_of_an_organisation?name=Sora", "/output/report.html"]

    async def fetch() -> dict[str, tuple[int, str]]:
        return {path: ((r := await found.datasette.client.get(path)).status_code, r.text) for path in paths}

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a thread of its own: Playwright's loop may run here
        pages = pool.submit(asyncio.run, fetch()).result()
    assert {path: status for path, (status, _) in pages.items()} == dict.fromkeys(paths, 200)
    expected = {"/deals/deals": anchors, "/deals/deal_sources": anchors,
                f"/deals/deals/{sources[0][0]}": {evidence_anchor(*row[1:]) for row in sources if row[0] == sources[0][0]}}
    for path, wanted in expected.items():
        assert set(re.findall(r'class="evidence-link" href="/output/report.html#(ev-[0-9a-f]+)"', pages[path][1])) == wanted
    assert all(f'id="{anchor}"' in pages["/output/report.html"][1] for anchor in anchors)
    assert 'href="/deals/deals/' in pages["/deals/deals_of_an_organisation?name=Sora"][1]  # a query's deal_id: its row


def test_the_shipped_metadata_names_real_tables_columns_and_queries(output):
    """Every table, column and facet the metadata describes exists, and every canned query runs."""
    from deal_extract.corpus.explorer import metadata

    database = metadata()["databases"]["deals"]
    with sqlite3.connect(output / DATABASE_NAME) as con:
        for table, spec in database["tables"].items():
            columns = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
            assert columns, f"no table {table}"
            facets = [f if isinstance(f, str) else next(iter(f.values())) for f in spec.get("facets", [])]
            assert set(spec.get("columns", {})) | set(facets) <= columns, table
        assert set(database["tables"]["deals"]["columns"]) == {row[1] for row in con.execute("PRAGMA table_info(deals)")}
        for name, query in database["queries"].items():
            params = {p: "" for p in ("licensor_country", "licensee_country", "country", "theme", "since")}
            params["name"] = "Sora"
            rows = con.execute(query["sql"], {k: v for k, v in params.items() if f":{k}" in query["sql"]}).fetchall()
            if name == "deals_of_an_organisation":
                assert rows and all("Sora" in row[3] for row in rows)
