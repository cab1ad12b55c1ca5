"""The command line as an analyst meets it: --version, -h, flags, stdin, report/evaluate inputs, progress.

Batch runs use the fake extractor of ``test_batch``; nothing here loads the spaCy model
except ``extract -``, which uses the session ``extractor`` fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deal_extract.cli import _register, app
from deal_extract.evaluation.evaluate import evaluate
from deal_extract.text.language import NO_ENGLISH, english_share
from deal_extract.evaluation.report import build_report, build_report_from_output, render_html
from deal_extract.evaluation.gold import find_gold_pairs

from test_batch import FakeExtractor, make_corpus, run

DEAL = "Samsung Biologics signed a manufacturing agreement with Pfizer worth $400 million.\n"
GOLD = """article: {article}
organisations:
  - name: Samsung Biologics
    country: KR
  - name: Pfizer
    country: US
deals:
  - partners: [Samsung Biologics, Pfizer]
    themes: [cdmo]
    deal_types: [manufacturing]
"""


def invoke(*args, **kwargs):
    _register()
    return CliRunner().invoke(app, [str(a) for a in args], **kwargs)


# --- small CLI habits ---------------------------------------------------------------------

def test_version_and_short_help():
    from deal_extract import __version__

    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"deal-extract {__version__}"
    assert invoke("-h").exit_code == 0 and "batch" in invoke("-h").stdout


@pytest.mark.parametrize("command", [[], ["batch"], ["extract"], ["evaluate"], ["report"]])
def test_help_shows_flags_as_flags_and_paths_as_file_or_dir(command):
    text = invoke(*command, "--help").stdout
    assert "<bool>" not in text and "<path>" not in text.split("Options")[-1]
    if command in (["batch"], ["report"], ["evaluate"]):
        assert "DIR" in text


def test_help_text_in_brackets_is_shown_as_written():
    text = " ".join(invoke("batch", "--help").stdout.split())
    assert "needs 'deal-extract[dask]'" in text


def test_quiet_short_form_and_excel_flag(tmp_path, monkeypatch):
    import deal_extract.api as api

    monkeypatch.setattr(api, "load", lambda **options: FakeExtractor())
    corpus = make_corpus(tmp_path / "c", {"a.txt": DEAL.encode()})
    result = invoke("batch", corpus, "-o", tmp_path / "out", "-q", "--excel")
    assert result.exit_code == 0 and result.stderr == ""
    assert (tmp_path / "out" / "corpus_deals.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_extract_dash_reads_standard_input(extractor, monkeypatch):
    import deal_extract.cli.extract as extract_cli

    monkeypatch.setattr(extract_cli, "extractor_or_exit", lambda command, **kwargs: extractor)
    result = invoke("extract", "-", input=DEAL)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["source"] == "<stdin>" and len(record["deals"]) == 1


PAGE = ("<!DOCTYPE html>\n<html><head><title>Kestrel signs</title></head><body><article>"
        "<h1>Kestrel Oncology licenses its ADC to Pfizer</h1><p>Kestrel Oncology, a Seoul-based biotech, signed a "
        "licence agreement with Pfizer for its ADC candidate KO-101.</p></article></body></html>\n")


@pytest.mark.parametrize("data", [PAGE.encode(), b"\xef\xbb\xbf  \n" + PAGE.upper().encode(),
                                  PAGE.replace("<!DOCTYPE html>\n", "").encode("utf-16")],
                         ids=["utf-8", "bom-and-upper-case", "utf-16"])
def test_extract_dash_reads_a_web_page_on_standard_input_as_html(data):
    import io

    from deal_extract.text.reading import read_stdin

    article = read_stdin(stream=io.BytesIO(data))
    assert article.title and "kestrel" in article.title.casefold() and "<" not in article.title
    assert "<" not in article.text and "kestrel oncology licenses its adc to pfizer" in article.text.casefold()


def test_extract_dash_reads_text_that_merely_starts_with_a_bracket_as_text():
    import io

    from deal_extract.text.reading import read_stdin

    text = "<b>Note</b> Samsung Biologics signed a deal with Pfizer.\n"
    assert read_stdin(stream=io.BytesIO(text.encode())).text == text


def test_an_article_without_english_is_warned_about_in_manifest_and_on_stderr(tmp_path, monkeypatch):
    import deal_extract.api as api

    assert english_share(DEAL) >= 0.2 and english_share("三星生物制剂与辉瑞签署了抗体生产协议。") == 0.0
    monkeypatch.setattr(api, "load", lambda **options: FakeExtractor())
    corpus = make_corpus(tmp_path / "c", {"zh.txt": "三星生物制剂与辉瑞签署了抗体生产协议。".encode(), "en.txt": DEAL.encode()})
    result = invoke("batch", corpus, "-o", tmp_path / "out", "-q")
    assert f"  warning: zh.txt: {NO_ENGLISH}\n" in result.stderr and "en.txt" not in result.stderr
    inputs = {i["path"]: i for i in json.loads((tmp_path / "out" / "manifest.json").read_text())["inputs"]}
    assert inputs["zh.txt"]["warnings"] == [NO_ENGLISH] and inputs["en.txt"]["warnings"] == []


# --- report and evaluate: inputs, --from, corpus view, nothing to do ------------------------

def nested_corpus(root: Path) -> Path:
    feed = json.dumps({"id": "wire-7", "text": DEAL, "title": "Wire", "published": "2025-02-03"})
    return make_corpus(root, {"top.txt": DEAL.encode(), "news/2025/deep.md": ("# Deep\n\n" + DEAL).encode(),
                              "feeds/feed.jsonl": (feed + "\n").encode(), ".hidden/x.txt": DEAL.encode()})


def test_report_and_evaluate_find_articles_recursively_like_batch(tmp_path):
    corpus = nested_corpus(tmp_path / "c")
    gold = tmp_path / "gold"
    gold.mkdir()
    for stem, article in (("deep", "deep.md"), ("wire-7", "wire-7")):
        (gold / f"{stem}.yaml").write_text(GOLD.format(article=article))
    pairs = find_gold_pairs(gold, [corpus])
    assert sorted(g.stem for g, _ in pairs.pairs) == ["deep", "wire-7"]
    evaluated = evaluate(gold, [corpus], extractor=FakeExtractor())
    assert sorted(a.score.article for a in evaluated.articles) == ["deep", "wire-7"]
    assert evaluated.micro["deals"]["f1"] == 1.0 and not [w for w in evaluated.warnings if "names article" in w]
    data = build_report([corpus], extractor=FakeExtractor())
    assert sorted(a.name for a in data.articles) == ["deep", "top", "wire-7"]
    [corpus_deal] = data.corpus.deals
    assert corpus_deal.n_sources == 3


def test_nothing_to_report_or_evaluate_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.yaml").write_text(GOLD.format(article="a.txt"))
    result = invoke("evaluate", "--gold", gold, "--corpus", empty)
    assert result.exit_code == 2 and "nothing to evaluate" in result.stderr
    result = invoke("report", "--corpus", empty, "-o", tmp_path / "r.html")
    assert result.exit_code == 2 and "nothing to report" in result.stderr
    result = invoke("report", "--from", empty, "-o", tmp_path / "r.html")
    assert result.exit_code == 2 and "is not the output folder of a batch run" in result.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("glob", [None, "*.html"])
def test_batch_without_articles_is_an_error_and_writes_nothing(tmp_path, glob):
    corpus = make_corpus(tmp_path / "c", {"notes.pdf": b"%PDF", ".hidden.txt": DEAL.encode()})
    result = invoke("batch", corpus, "-o", tmp_path / "out", *(["--glob", glob] if glob else []))
    where = f"{corpus} matching {glob!r}" if glob else str(corpus)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"deal-extract batch: error: nothing to extract: no article found in {where}\n"
    assert not (tmp_path / "out").exists()


def test_report_from_a_folder_of_articles_says_it_is_no_batch_output(tmp_path):
    corpus = nested_corpus(tmp_path / "c")
    result = invoke("report", "--from", corpus, "-o", tmp_path / "r.html")
    assert result.exit_code == 2 and not (tmp_path / "r.html").exists()
    assert result.stderr == (f"deal-extract report: error: {corpus} is not the output folder of a batch run (it has no "
                             f"manifest.json and no articles/): give --from the -o folder of 'deal-extract batch', "
                             f"or --corpus {corpus} to extract its articles now\n")


def test_report_from_output_needs_no_extraction_and_shows_the_corpus_view(tmp_path, monkeypatch):
    import deal_extract.api as api

    corpus = nested_corpus(tmp_path / "c")
    out = tmp_path / "out"
    run(corpus, out)
    monkeypatch.setattr(api, "load", lambda **kw: pytest.fail("report --from extracted again"))
    result = invoke("report", "--from", out)  # written into the output folder, where 'serve' links to it
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out / 'report.html'} (")
    html = (out / "report.html").read_text()
    assert "<script" not in html and 'id="corpus"' in html
    assert html.count("data-corpus-deal=") == 1 + 2 + 2  # the table, two countries, two themes
    assert '<details class="group" data-country="KR">' in html and 'data-theme="cdmo"' in html
    assert '<td class="title">Wire</td><td class="date">2025-02-03</td>' in html
    assert 'class="evidence"' in html  # texts are stored with the records: evidence is highlighted


def test_report_without_a_stored_text_still_renders(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DEAL.encode()})
    out = tmp_path / "out"
    run(corpus, out)
    (out / "texts" / "a.txt.txt").unlink()
    data = build_report_from_output(out)
    assert data.articles[0].text is None and "no stored text" in data.warnings[0]
    assert "not stored in the output folder" in render_html(data.articles, corpus=data.corpus)


def test_evaluate_and_report_show_progress_bars_on_stderr_terminals(tmp_path, monkeypatch):
    import deal_extract.run.progress as progress_module

    seen = []
    real = progress_module.tqdm

    def recording(*args, **kwargs):
        seen.append((kwargs.get("desc"), kwargs.get("disable"), kwargs.get("file")))
        return real(*args, **kwargs)

    monkeypatch.setattr(progress_module, "tqdm", recording)
    corpus = nested_corpus(tmp_path / "c")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "deep.yaml").write_text(GOLD.format(article="deep.md"))
    evaluate(gold, [corpus], extractor=FakeExtractor())
    build_report([corpus], extractor=FakeExtractor())
    assert seen == [("evaluate", None, None), ("report", None, None)]  # disable=None: only on a terminal; stderr
