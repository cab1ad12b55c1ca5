"""``deal-extract serve``: the deal database in Datasette, driven in headless Chromium.

A batch of two team articles and its review page with the correction form, served by the command
on a free port with a corrections folder; the browser (Debian's chromium, through Playwright:
``.ci/install-chromium``) loads the deals table, applies a facet, searches for a company and
follows a deal's link to its evidence in the review page; and an analyst corrects an article in
the review page, downloads its gold file (the page opened from disk) and saves it to the server,
and ``evaluate`` scores the extraction against it. Without chromium these tests fail when ``CI``
is set and are skipped otherwise. The plain tests below need no browser: the command's one-line
errors, the shipped metadata, the corrections route's refusals.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import free_port, wait_for_port
from deal_extract.cli import _register, app
from deal_extract.corpus.database import DATABASE_NAME
from deal_extract.evaluation.evaluate import evaluate
from deal_extract.evaluation.gold import load_gold, parse_gold
from deal_extract.records import GoldFile
from deal_extract.rulefiles.yamlfile import parse_mapping
from deal_extract.run.batch import BatchOptions, run_batch
from test_batch import make_corpus
from test_report_browser import chromium

REPO = Path(__file__).resolve().parents[1]
ARTICLES = ("pr_hanbit_kestrel_licence.txt", "pr_sora_cdmo_supply.txt")
START_SECONDS = 120  # a guard against a hang: serve starts in a few seconds


@pytest.fixture(scope="module")
def output(extractor, tmp_path_factory) -> Path:
    """A batch's output folder over two team articles (in ``../corpus``), with its review page and
    the page's correction form (``report --from OUTPUT --correct``)."""
    root = tmp_path_factory.mktemp("serve")
    corpus = make_corpus(root / "corpus", {name: (REPO / "corpus" / name).read_bytes() for name in ARTICLES})
    out = root / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    result = invoke("report", "--from", out, "--correct")
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def served(output) -> str:
    """``deal-extract serve OUTPUT --port P --corrections ../corrections`` in a process of its own;
    the address it prints."""
    pytest.importorskip("datasette")
    port = free_port()
    log = output.parent / "serve.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-c", "from deal_extract.cli import main; main()", "serve", str(output),
                                 "--port", str(port), "--corrections", str(output.parent / "corrections")],
                                stdout=subprocess.PIPE, stderr=stderr, text=True)
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


# --- correcting an article in the review page ---------------------------------------------

CORRECTED = "pr_hanbit_kestrel_licence"
HANBIT, KESTREL = "Hanbit Therapeutics Co., Ltd.", "Kestrel Biologics"


def correct_the_licence(page, url: str):
    """An analyst's corrections of the Hanbit-Kestrel article, in its review page at ``url``: the
    licence is right (marked wrong first: then it is no deal of the gold file), without the themes
    antibody and small_molecule and the type co_development, Hanbit the licensor and Kestrel the
    licensee (its other details not set); Namsan Securities is a company; an organisation the
    extractor did not find, Seoul Bio Angels (KR), and its investment in Hanbit, which it missed,
    its details right as shown (no roles, agreed, no date, no asset). Returns the article's section."""
    page.goto(url)
    section = page.locator(f'section[data-article="{CORRECTED}"]')
    section.locator("button.correct-open").click()
    preview = section.locator("pre.correct-yaml")
    deal = section.locator("fieldset.correct-deal[data-deal]")
    assert "mark it right or wrong" in section.locator("ul.correct-problems").inner_text()
    deal.locator("input[data-field=verdict][value=wrong]").check()
    assert preview.text_content().endswith("deals: []\n")
    deal.locator("input[data-field=verdict][value=right]").check()
    for theme in ("antibody", "small_molecule"):
        deal.locator(f'input[data-themes="{theme}"]').uncheck()
    deal.locator('input[data-deal-types="co_development"]').uncheck()
    deal.locator(f'select[data-role="{HANBIT}"]').select_option("licensor")
    deal.locator(f'select[data-role="{KESTREL}"]').select_option("licensee")
    section.locator('table.correct-orgs tr[data-org="Namsan Securities"] select[data-field=kind]').select_option("company")
    section.locator("button.correct-add-org").click()
    new_org = section.locator("table.correct-orgs tbody tr").last
    new_org.locator("input[data-field=name]").fill("Seoul Bio Angels")
    new_org.locator("input[data-field=country]").fill("kr")
    section.locator("button.correct-add-deal").click()
    added = section.locator("fieldset.correct-deal.added")
    for name in (HANBIT, "Seoul Bio Angels"):
        added.locator(f'input[data-partner="{name}"]').check()
    added.locator('input[data-deal-types="investment"]').check()
    added.locator("input[data-field=amount]").fill("20000000")
    added.locator("input[data-field=currency]").fill("usd")
    added.locator("input[data-field=details]").check()
    assert section.locator("ul.correct-problems li").count() == 0
    return section


def test_an_analysts_corrections_in_the_review_page_are_the_gold_file_evaluate_reads(served, page, output, extractor):
    """Downloaded from the page opened from disk, saved to ``serve --corrections`` (a second save
    asks before replacing the file), the same gold file; evaluated, the extraction scores what the
    corrections say of it."""
    corrections = output.parent / "corrections"
    section = correct_the_licence(page, (output / "report.html").resolve().as_uri())
    assert section.locator("button.correct-save").is_hidden()  # from disk: the download alone
    with page.expect_download() as info:
        section.locator("button.correct-download").click()
    assert info.value.suggested_filename == f"{CORRECTED}.yaml"
    downloaded = output.parent / "downloaded.yaml"
    info.value.save_as(downloaded)
    tricky = {"article": "a.txt", "title": "Yes: #1 \"q\" \\ \u2028 \x85 trail ",
              "organisations": [{"name": n, "country": None, "kind": "company"} for n in ("null", "- x, [y]", "Kim & Chang", "한빛 Co., Ltd.")],
              "deals": [{"partners": ["null", "- x, [y]"], "roles": {"null": "licensor", "- x, [y]": None},
                         "value": {"amount": 1.5e9, "currency": "USD", "text": "'$1.5bn'"}, "announced": "2025"}]}
    written = page.evaluate("gold => window.dealExtractYaml(gold)", tricky)  # the page's YAML of odd names
    assert parse_gold(parse_mapping(downloaded, written, ValueError), "tricky") == GoldFile.model_validate(tricky)
    page.evaluate("""section => {  // select 'Kim & Chang' in the article's text
        const walker = document.createTreeWalker(document.querySelector(section + " div.text"), NodeFilter.SHOW_TEXT);
        while (walker.nextNode() && !walker.currentNode.data.includes("Kim & Chang"));
        const range = document.createRange(), at = walker.currentNode.data.indexOf("Kim & Chang");
        range.setStart(walker.currentNode, at);
        range.setEnd(walker.currentNode, at + "Kim & Chang".length);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""", f'section[data-article="{CORRECTED}"]')
    section.locator("button.correct-add-org").click()  # takes the selected text; a second Kim & Chang is no gold file
    assert section.locator("ul.correct-problems").inner_text() == "two organisations are named Kim & Chang"
    section.locator("table.correct-orgs tbody tr").last.locator("input[data-field=keep]").uncheck()
    assert section.locator("ul.correct-problems li").count() == 0

    section = correct_the_licence(page, served.rsplit("/deals/deals", 1)[0] + "/output/report.html")
    save = section.locator("button.correct-save")
    assert save.inner_text() == f"Save to {corrections}"
    save.click()
    status = section.locator("span.correct-status")
    status.filter(has_text="saved").wait_for()
    assert status.inner_text() == f"saved {corrections / CORRECTED}.yaml"
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    save.click()
    status.filter(has_text="replaced").wait_for()
    assert "exists" in dialogs[0] and [p.name for p in corrections.iterdir()] == [f"{CORRECTED}.yaml"]

    gold = load_gold(corrections / f"{CORRECTED}.yaml")
    assert load_gold(downloaded) == gold
    [licence, investment] = gold.deals
    assert (licence.themes, licence.deal_types, licence.roles) == (
        ["adc", "oncology"], ["licensing", "commercialisation"], {HANBIT: "licensor", KESTREL: "licensee"})
    assert (licence.value.amount, licence.territories, investment.partners) == (
        685e6, ["Greater China", "CN", "HK", "MO", "TW"], [HANBIT, "Seoul Bio Angels"])
    assert not {"status", "announced", "assets"} & licence.model_fields_set  # details the analyst did not set
    assert (investment.roles, investment.status, investment.announced, investment.assets) == (
        {HANBIT: None, "Seoul Bio Angels": None}, "agreed", None, [])
    assert (investment.value.amount, investment.value.currency, investment.deal_types) == (2e7, "USD", ["investment"])

    report = evaluate([corrections], [output.parent / "corpus"], extractor=extractor)
    [article] = report.articles
    micro = report.to_dict()["micro"]
    assert article.gold_path.name == f"{CORRECTED}.yaml"
    assert (micro["organisations"]["precision"], micro["organisations"]["recall"]) == (1.0, 0.9)  # Seoul Bio Angels missed
    assert (micro["deals"]["precision"], micro["deals"]["recall"]) == (1.0, 0.5)  # the investment missed
    assert (micro["themes"]["precision"], micro["themes"]["recall"]) == (0.5, 1.0)
    assert micro["deal_types"]["precision"] == pytest.approx(2 / 3) and micro["deal_types"]["recall"] == 1.0
    assert micro["values"]["accuracy"] == 1.0 and micro["roles"]["accuracy"] == 0.0  # the extraction gives no role


# --- without a browser --------------------------------------------------------------------

def invoke(*args):
    _register()
    return CliRunner().invoke(app, [str(a) for a in args])


def run_async(coroutine):
    """Run ``coroutine`` to its end in a thread of its own: Playwright's loop may run in this one."""
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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

    pages = run_async(fetch())
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


def test_the_corrections_route_writes_only_an_articles_gold_file_and_only_for_its_own_page(output, tmp_path):
    """``serve --corrections DIR``'s route, in-process: a POST needs the token of its CSRF cookie in
    its header, JSON and this server's origin; it writes DIR/<article>.yaml of an article of the
    served database, whatever name it is given, and replaces it only when asked to."""
    from deal_extract.corpus.explorer import explorer
    from deal_extract.corpus.explorer_corrections import MAX_BODY, PATH

    pytest.importorskip("datasette")
    folder = tmp_path / "corrections"
    found = explorer(output, corrections=folder)
    assert found.warnings == [] and folder.is_dir()
    gold = {"article": f"{CORRECTED}.txt", "organisations": [{"name": HANBIT}, {"name": KESTREL}],
            "deals": [{"partners": [HANBIT, KESTREL], "deal_types": ["licensing"]}]}

    async def exchange() -> list[tuple[int, dict]]:
        client = found.datasette.client
        got = await client.get(PATH)
        token, cookies = got.json()["csrftoken"], {"ds_csrftoken": got.cookies["ds_csrftoken"]}
        assert got.json()["folder"] == str(folder.resolve()) and token == cookies["ds_csrftoken"]
        json_headers = {"content-type": "application/json", "x-csrftoken": token}

        async def post(body, headers=json_headers, cookies=cookies):
            response = await client.post(PATH, content=body if isinstance(body, bytes) else json.dumps(body),
                                         headers=headers, cookies=cookies)
            return response.status_code, response.json() if response.headers["content-type"].startswith("application/json") else {}

        request = {"article": CORRECTED, "gold": gold}
        return [
            await post(request, cookies=None),  # no cookie: asgi-csrf lets it through, the route does not
            await post(request, headers={"content-type": "application/json"}),  # cookie, no token: asgi-csrf refuses
            await post(request, headers={**json_headers, "x-csrftoken": "forged"}, cookies={"ds_csrftoken": "forged"}),
            await post(f"csrftoken={token}".encode(), headers={"content-type": "application/x-www-form-urlencoded"}),
            await post(request, headers={**json_headers, "origin": "http://elsewhere.example"}),
            *[await post({**request, "article": name}) for name in ("../x", f"../out/{CORRECTED}", "/tmp/x", ".x", "")],
            await post({**request, "article": "not_served"}),
            await post({**request, "gold": {**gold, "deals": [{"partners": [HANBIT]}]}}),
            await post(b"{not json"),
            await post(b" " * (MAX_BODY + 1)),
            await post(request),
            await post(request),
            await post({**request, "overwrite": True}),
        ]

    answers = run_async(exchange())
    statuses = [status for status, _ in answers]
    assert statuses == [403, 403, 403, 403, 403, 400, 400, 400, 400, 400, 404, 400, 400, 413, 201, 409, 200]
    assert "x-csrftoken" in answers[0][1]["error"] and "not from this server" in answers[4][1]["error"]
    assert answers[11][1]["error"].splitlines()[1] == "  deals.0.partners: List should have at least 2 items after validation, not 1"
    created, exists, replaced = answers[-3:]
    assert created[1] == {"path": str(folder.resolve() / f"{CORRECTED}.yaml"), "replaced": False}
    assert exists[1]["exists"] is True and replaced[1]["replaced"] is True
    assert load_gold(folder / f"{CORRECTED}.yaml") == GoldFile.model_validate(gold)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["corrections", f"{CORRECTED}.yaml"]  # nothing beside it


def test_serve_without_corrections_saves_nothing_and_says_when_the_page_has_no_form(output, tmp_path):
    import shutil

    from deal_extract.corpus.explorer import explorer
    from deal_extract.corpus.explorer_corrections import PATH

    pytest.importorskip("datasette")
    assert run_async(explorer(output).datasette.client.get(PATH)).status_code == 404
    plain = tmp_path / "out"
    plain.mkdir()
    shutil.copy(output / DATABASE_NAME, plain / DATABASE_NAME)
    (plain / "report.html").write_text("<!DOCTYPE html><title>a page without the form</title>")
    assert explorer(plain).warnings == []
    assert explorer(plain, corrections=tmp_path / "fixes").warnings == [
        f"{plain / 'report.html'} has no correction form: run 'deal-extract report --from {plain} --correct' to add it"]
    (tmp_path / "file").write_text("")
    result = invoke("serve", plain, "--corrections", tmp_path / "file")
    assert result.exit_code == 2 and result.stderr.startswith(f"deal-extract serve: error: --corrections: cannot write in {tmp_path / 'file'}")
