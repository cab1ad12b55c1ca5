"""``deal-extract batch``: inputs, outputs, manifest, incremental runs, interruption, exit codes.

Most tests run the batch with a fake extractor (fast, independent of the NLP pipeline); a
few use the real pipeline (the session ``extractor`` fixture) and two run the CLI as a
subprocess, one of them killed half-way.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from deal_extract.run.batch import BatchOptions, find_inputs, run_batch
from deal_extract.corpus.outputs import (
    DEALS_CSV_COLUMNS,
    ORGANISATIONS_CSV_COLUMNS,
    TEMP_SUFFIX,
    article_json_path,
    atomic_open,
    remove_stale_temp_files,
)
from deal_extract.records import ArticleResult, Deal, Evidence, Organisation, Party, Value

DEAL = ("Samsung Biologics signed a manufacturing agreement with Pfizer worth $400 million, "
        "the companies said on Monday. The contract covers biosimilars across Asia.\n")

HTML = f"""<!doctype html><html><head><title>Deal news</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>Samsung Biologics and Pfizer</h1><p>{DEAL}</p>
<p>The South Korean contract manufacturer said the plant in Incheon would make the product
from next year, and that more agreements were being negotiated with other drug makers.</p></article>
<footer>Copyright 2025 Example News</footer></body></html>"""

CORPUS = {
    "a.txt": DEAL.encode(),
    "sub/b.md": ("# Samsung deal\n\n" + DEAL).encode(),
    "sub/deep/c.html": HTML.encode(),
    "d.json": json.dumps({"id": "d", "text": DEAL, "title": "D", "published": "2025-01-02"}).encode(),
    "feed.jsonl": (json.dumps({"id": "x", "text": DEAL}) + "\n\n" + json.dumps({"text": "Pfizer alone."}) + "\n").encode(),
    "utf16.txt": codecs.BOM_UTF16_LE + DEAL.encode("utf-16-le"),
    "latin.txt": ("Nestlé news. " + DEAL).encode("cp1252"),
    "empty.txt": b"  \n\n",
    "blob.txt": b"\x00\x01\x02binary",
    ".hidden.txt": DEAL.encode(),
    "notes.csv": b"not,an,article\n",
}
OK_PATHS = ["a.txt", "d.json", "feed.jsonl#3", "feed.jsonl#x", "latin.txt", "sub/b.md", "sub/deep/c.html", "utf16.txt"]
FAILED_PATHS = ["blob.txt", "empty.txt"]
INPUT_KEYS = {"path", "status", "error", "sha256", "encoding", "warnings", "organisations", "deals", "words", "seconds"}
MANIFEST_KEYS = {"inputs", "excluded", "tool_version", "model", "model_version", "patterns_sha256", "started", "finished", "totals"}


# --- helpers ----------------------------------------------------------------------------

class FakeExtractor:
    """Stands in for :class:`deal_extract.api.Extractor`: finds two names, makes one deal."""

    model_name = "fake_model"
    model_version = "1.0"

    def __init__(self, digest: str = "0" * 64, interrupt_after: int | None = None):
        self.patterns = SimpleNamespace(digest=lambda: digest)
        self.interrupt_after = interrupt_after
        self.calls: list[str] = []

    def pipe(self, articles, batch_size=16, n_process=1):
        for article in articles:
            if self.interrupt_after is not None and len(self.calls) >= self.interrupt_after:
                raise KeyboardInterrupt
            if "EXPLODE" in article.text:
                raise RuntimeError("boom")
            self.calls.append(article.source)
            yield fake_result(article)


def fake_result(article) -> ArticleResult:
    orgs = []
    for name, country in (("Samsung Biologics", "KR"), ("Pfizer", "US")):
        start = article.text.find(name)
        if start >= 0:
            orgs.append(Organisation(name=name, country=country, mentions=[(start, start + len(name))]))
    deals = []
    if len(orgs) == 2:
        end = article.text.index(".", article.text.find("Samsung")) + 1
        start = article.text.find("Samsung")
        deals.append(Deal(
            id=hashlib.sha256(article.source.encode()).hexdigest()[:12],
            partners=[Party(name=o.name, country=o.country) for o in orgs],
            themes=["biosimilar", "cdmo"], deal_types=["manufacturing"],
            value=Value(amount=400_000_000, currency="USD", text="$400 million"),
            evidence=Evidence(text=article.text[start:end], start=start, end=end), confidence=0.8,
        ))
    return ArticleResult(source=article.source, title=article.title, published=article.published,
                         organisations=orgs, deals=deals)


def make_corpus(root: Path, files: dict[str, bytes] = CORPUS) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def run(corpus: Path, out: Path, extractor=None, **kwargs):
    extractor = extractor or FakeExtractor()
    return run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False, **kwargs))


def manifest_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def statuses(out: Path) -> dict[str, str]:
    return {i["path"]: i["status"] for i in manifest_of(out)["inputs"]}


def temp_files(folder: Path) -> list[Path]:
    return list(folder.rglob(f"*{TEMP_SUFFIX}"))


# --- finding inputs ---------------------------------------------------------------------

def test_find_inputs_recursive_sorted_filtered(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    make_corpus(corpus / "out", {"articles/a.txt.json": b"{}", "manifest.json": b"{}"})
    rels = [rel for _, rel in find_inputs(corpus, exclude=[corpus / "out"])]
    assert rels == ["a.txt", "blob.txt", "d.json", "empty.txt", "feed.jsonl", "latin.txt", "sub/b.md",
                    "sub/deep/c.html", "utf16.txt"]
    assert [rel for _, rel in find_inputs(corpus, "*.md")] == ["sub/b.md"]
    assert [rel for _, rel in find_inputs(corpus, "sub/**/*.htm*")] == ["sub/deep/c.html"]
    assert [rel for _, rel in find_inputs(corpus, "**/*.txt")][:2] == ["a.txt", "blob.txt"]


def test_article_json_path():
    assert article_json_path("a/b.txt") == "articles/a/b.txt.json"
    assert article_json_path("feed.jsonl", "x-1.2") == "articles/feed.jsonl/x-1.2.json"
    assert article_json_path("news#1.txt") == "articles/news#1.txt.json"  # a '#' in a file name is no jsonl id
    odd = article_json_path("feed.jsonl", "../a b")
    assert odd.startswith("articles/feed.jsonl/") and ".." not in odd and " " not in odd


# --- atomic writes ----------------------------------------------------------------------

def test_atomic_open_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "deals.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as handle:
            handle.write("new, half written")
            raise RuntimeError("disk on fire")
    assert target.read_text() == "old\n"
    assert temp_files(tmp_path) == []


def test_remove_stale_temp_files(tmp_path):
    (tmp_path / "articles").mkdir()
    stale = tmp_path / "articles" / f".a.txt.json.abc{TEMP_SUFFIX}"
    stale.write_text("{half")
    keep = tmp_path / "articles" / "a.txt.json"
    keep.write_text("{}")
    assert remove_stale_temp_files(tmp_path) == 1
    assert not stale.exists() and keep.exists()


# --- a full run -------------------------------------------------------------------------

def test_batch_outputs_and_manifest_shape(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    result = run(corpus, out)
    manifest = manifest_of(out)

    assert set(manifest) == MANIFEST_KEYS
    assert manifest["model"] == "fake_model" and manifest["patterns_sha256"] == "0" * 64
    assert manifest["tool_version"] and manifest["started"] <= manifest["finished"]
    inputs = {i["path"]: i for i in manifest["inputs"]}
    assert [i["path"] for i in manifest["inputs"]] == sorted(OK_PATHS + FAILED_PATHS)
    assert all(INPUT_KEYS <= set(i) for i in inputs.values())
    assert {p for p, i in inputs.items() if i["status"] == "ok"} == set(OK_PATHS)

    assert "empty.txt: empty article" in inputs["empty.txt"]["error"]
    assert "blob.txt: binary file" in inputs["blob.txt"]["error"]
    assert inputs["utf16.txt"]["encoding"] == "utf-16-le" and inputs["utf16.txt"]["warnings"] == []
    assert inputs["latin.txt"]["encoding"] == "cp1252" and "not valid UTF-8" in inputs["latin.txt"]["warnings"][0]
    assert inputs["a.txt"]["sha256"] == hashlib.sha256(CORPUS["a.txt"]).hexdigest()
    assert inputs["a.txt"]["words"] == len(DEAL.split()) and inputs["a.txt"]["deals"] == 1
    assert inputs["a.txt"]["organisations"] == 2 and inputs["feed.jsonl#3"]["deals"] == 0

    for path in OK_PATHS:
        article = ArticleResult.model_validate_json((out / inputs[path]["output"]).read_text())
        assert article.source == path
    assert (out / "articles/sub/deep/c.html.json").exists() and (out / "articles/feed.jsonl/x.json").exists()
    assert ArticleResult.model_validate_json((out / "articles/d.json.json").read_text()).published.isoformat() == "2025-01-02"

    n_deals = len(OK_PATHS) - 1
    totals = manifest["totals"]
    assert (totals["inputs"], totals["ok"], totals["skipped"], totals["failed"]) == (10, 8, 0, 2)
    assert totals["deals"] == n_deals == result.totals.deals

    deal_lines = [json.loads(line) for line in (out / "deals.jsonl").read_text().splitlines()]
    assert len(deal_lines) == n_deals and deal_lines[0]["source"] == "a.txt" and deal_lines[0]["partners"]
    with open(out / "deals.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == DEALS_CSV_COLUMNS and len(rows) == n_deals
    assert rows[0]["partners"] == "Samsung Biologics; Pfizer" and rows[0]["partner_countries"] == "KR; US"
    assert (rows[0]["value_amount"], rows[0]["currency"], rows[0]["themes"]) == ("400000000", "USD", "biosimilar; cdmo")
    with open(out / "organisations.csv", newline="") as handle:
        orgs = list(csv.DictReader(handle))
    assert tuple(orgs[0]) == ORGANISATIONS_CSV_COLUMNS
    assert orgs[0] == {"source": "a.txt", "name": "Samsung Biologics", "country": "KR", "kind": "company", "mentions": "1"}
    assert temp_files(out) == []


def test_size_limit_fails_before_extraction(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"short.txt": b"Pfizer.", "long.txt": DEAL.encode()})
    fake = FakeExtractor()
    run(corpus, tmp_path / "out", fake, max_chars=50)
    record = {i["path"]: i for i in manifest_of(tmp_path / "out")["inputs"]}["long.txt"]
    assert record["status"] == "failed" and "over the limit of 50" in record["error"]
    assert fake.calls == ["short.txt"]


def test_pipeline_error_is_isolated(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode(), "b.txt": b"EXPLODE " + DEAL.encode(),
                                               "c.txt": DEAL.encode()})
    run(corpus, tmp_path / "out")
    inputs = {i["path"]: i for i in manifest_of(tmp_path / "out")["inputs"]}
    assert {p: i["status"] for p, i in inputs.items()} == {"a.txt": "ok", "b.txt": "failed", "c.txt": "ok"}
    assert inputs["b.txt"]["error"] == f"{corpus / 'b.txt'}: extraction failed: RuntimeError: boom"


def test_unwritable_article_json_fails_that_input_only(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode(), "b.txt": DEAL.encode()})
    out = tmp_path / "out"
    (out / "articles" / "a.txt.json").mkdir(parents=True)  # os.replace cannot put a file there
    run(corpus, out)
    inputs = {i["path"]: i for i in manifest_of(out)["inputs"]}
    assert inputs["b.txt"]["status"] == "ok" and inputs["a.txt"]["status"] == "failed"
    assert inputs["a.txt"]["error"].startswith(f"{corpus / 'a.txt'}: cannot write ")
    assert temp_files(out) == []


# --- incremental runs -------------------------------------------------------------------

def test_rerun_skips_unchanged_and_force_redoes(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    run(corpus, out)
    first_deals = (out / "deals.jsonl").read_text()

    fake = FakeExtractor()
    run(corpus, out, fake)
    assert fake.calls == []
    assert statuses(out) == {**{p: "skipped" for p in OK_PATHS}, **{p: "failed" for p in FAILED_PATHS}}
    assert (out / "deals.jsonl").read_text() == first_deals  # skipped inputs stay in the aggregates
    assert manifest_of(out)["totals"]["deals"] == len(OK_PATHS) - 1

    (corpus / "a.txt").write_text(DEAL + "More news.\n")
    (out / "articles/sub/b.md.json").unlink()
    fake = FakeExtractor()
    run(corpus, out, fake)
    assert fake.calls == ["a.txt", "sub/b.md"]

    fake = FakeExtractor()
    run(corpus, out, fake, force=True)
    assert sorted(fake.calls) == sorted(OK_PATHS)
    assert set(statuses(out).values()) == {"ok", "failed"}

    fake = FakeExtractor(digest="1" * 64)  # patterns changed
    run(corpus, out, fake)
    assert sorted(fake.calls) == sorted(OK_PATHS)


def test_failed_input_fixed_later_and_stale_json_removed(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode()})
    out = tmp_path / "out"
    run(corpus, out)
    (corpus / "a.txt").write_bytes(b"   ")
    run(corpus, out)
    assert statuses(out) == {"a.txt": "failed"} and not (out / "articles/a.txt.json").exists()
    assert (out / "deals.jsonl").read_text() == ""


def test_interrupt_checkpoints_then_rerun_completes(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {f"n{i:02d}.txt": DEAL.encode() for i in range(10)})
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run(corpus, out, FakeExtractor(interrupt_after=4), batch_size=2)
    assert statuses(out) == {f"n{i:02d}.txt": "ok" for i in range(4)}
    assert not (out / "deals.jsonl").exists()

    fake = FakeExtractor()
    run(corpus, out, fake)
    assert fake.calls == [f"n{i:02d}.txt" for i in range(4, 10)]
    assert list(statuses(out).values()) == ["skipped"] * 4 + ["ok"] * 6


# --- the real pipeline ------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def test_real_pipeline_long_article_offsets_exact(extractor, tmp_path, monkeypatch):
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))}
    assert texts
    corpus = make_corpus(tmp_path / "corpus", {name: text.encode() for name, text in texts.items()})
    monkeypatch.setattr(extractor.nlp, "max_length", 1500)  # every article is cut into pieces
    run(corpus, tmp_path / "out", extractor)
    n_deals = 0
    for name, text in texts.items():
        assert len(text) > 1500
        result = ArticleResult.model_validate_json((tmp_path / "out/articles" / f"{name}.json").read_text())
        for deal in result.deals:
            assert text[deal.evidence.start:deal.evidence.end] == deal.evidence.text
            n_deals += 1
        for org in result.organisations:
            assert all(0 <= s < e <= len(text) for s, e in org.mentions)
    assert n_deals == manifest_of(tmp_path / "out")["totals"]["deals"]


# --- command line -----------------------------------------------------------------------

@pytest.fixture
def cli(monkeypatch):
    """Invoke ``deal-extract`` in-process; ``fake=True`` swaps the pipeline for FakeExtractor."""
    from deal_extract import api
    from deal_extract.cli import _register, app

    _register()
    real_load = api.load

    def invoke(*args: str, fake: bool = True):
        monkeypatch.setattr(api, "load", (lambda **options: FakeExtractor()) if fake else real_load)
        return CliRunner().invoke(app, ["batch", *map(str, args)])

    return invoke


def test_cli_exit_0_and_1(cli, tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode()})
    out = tmp_path / "out"
    ok = cli(corpus, "-o", out, "--quiet")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip() == str(out / "manifest.json") and ok.stderr == ""

    (corpus / "bad.txt").write_bytes(b"")
    failed = cli(corpus, "-o", out)
    assert failed.exit_code == 1
    assert failed.stdout.strip() == str(out / "manifest.json")
    assert "2 inputs: 0 ok, 1 skipped, 1 failed" in failed.stderr
    assert f"failed: {corpus / 'bad.txt'}: empty article" in failed.stderr


def test_cli_exit_2(cli, tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode()})
    out = tmp_path / "out"

    missing = cli(tmp_path / "nope", "-o", out)
    assert missing.exit_code == 2 and "corpus folder not found" in missing.stderr

    (tmp_path / "file").write_text("x")
    unwritable = cli(corpus, "-o", tmp_path / "file" / "out")
    assert unwritable.exit_code == 2 and "not writable" in unwritable.stderr

    usage = cli(corpus, "-n", "0")
    assert usage.exit_code == 2

    bad_patterns = cli(corpus, "-o", out, "--patterns", tmp_path / "no_patterns", fake=False)
    assert bad_patterns.exit_code == 2 and "patterns folder not found" in bad_patterns.stderr
    assert "Traceback" not in bad_patterns.output

    no_model = cli(corpus, "-o", out, "--model", "no_such_model_xyz", fake=False)
    assert no_model.exit_code == 2 and "no_such_model_xyz" in no_model.stderr
    assert len(no_model.stderr.strip().splitlines()) == 1
    assert not (out / "manifest.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_cli_exit_2_read_only_output(cli, tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode()})
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = cli(corpus, "-o", locked)
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2 and "not writable" in result.stderr


# --- a real subprocess, killed half-way -------------------------------------------------

def generated_article(i: int) -> str:
    partner = ["Pfizer", "Novartis", "Merck", "Roche", "Sanofi"][i % 5]
    lead = (f"Company{i} Biologics, a South Korean contract manufacturer, signed a supply agreement with "
            f"{partner} worth up to ${i + 10} million on Monday.\n\n")
    filler = (f"The agreement covers antibody production at the Company{i} plant in Incheon for markets in Asia. "
              f"Analysts said the deal with {partner} strengthens the company's order book for the year. ")
    return lead + "\n\n".join(filler * 4 for _ in range(4)) + "\n"


def deal_extract_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from deal_extract.cli import main; main()", "batch", *map(str, args)]


def _checkpointed(out: Path) -> bool:
    """The manifest lists at least one input (it is replaced atomically: never half written)."""
    return (out / "manifest.json").exists() and bool(manifest_of(out)["inputs"])


def test_subprocess_killed_then_rerun_completes(tmp_path):
    n = 30
    corpus = make_corpus(tmp_path / "corpus", {f"news/a{i:02d}.txt": generated_article(i).encode() for i in range(n)})
    out = tmp_path / "out"
    proc = subprocess.Popen(deal_extract_cmd(corpus, "-o", out, "-b", "1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        # the manifest exists from the start; wait for its first checkpoint (right after the first
        # article JSON), which the rerun's skips rely on
        while not (any((out / "articles").rglob("*.json")) and _checkpointed(out)):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no article JSON after 120 s"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()

    done_at_kill = list((out / "articles").rglob("*.json"))
    assert 0 < len(done_at_kill) < n, "the run was not interrupted half-way; make the articles longer"
    for path in done_at_kill:  # whatever was written is complete
        ArticleResult.model_validate_json(path.read_text())
    json.loads((out / "manifest.json").read_text())
    assert not (out / "deals.jsonl").exists()

    rerun = subprocess.run(deal_extract_cmd(corpus, "-o", out), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.strip() == str(out / "manifest.json")
    manifest = manifest_of(out)
    paths = [i["path"] for i in manifest["inputs"]]
    assert paths == [f"news/a{i:02d}.txt" for i in range(n)]  # every input exactly once
    assert {i["status"] for i in manifest["inputs"]} <= {"ok", "skipped"}
    assert manifest["totals"]["skipped"] >= 1 and manifest["totals"]["ok"] + manifest["totals"]["skipped"] == n
    for rel in paths:
        ArticleResult.model_validate_json((out / "articles" / f"{rel}.json").read_text())
    deals = [json.loads(line) for line in (out / "deals.jsonl").read_text().splitlines()]
    assert len(deals) == manifest["totals"]["deals"]
    assert temp_files(out) == []


def test_real_pipeline_two_processes_same_output(extractor, tmp_path):
    files = {p.name: p.read_bytes() for p in sorted((REPO / "corpus").glob("*.txt"))[:6]}
    corpus = make_corpus(tmp_path / "corpus", files)
    run(corpus, tmp_path / "one", extractor, batch_size=2)
    run(corpus, tmp_path / "two", extractor, batch_size=2, n_process=2)
    for name in ("deals.jsonl", "deals.csv", "organisations.csv"):
        assert (tmp_path / "one" / name).read_text() == (tmp_path / "two" / name).read_text()


def _run_until(cmd: list[str], out: Path, articles_done: int, timeout: float = 120) -> None:
    """Start ``cmd`` and SIGKILL it once ``articles_done`` article JSONs exist (or let it finish)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            done = sum(1 for _ in (out / "articles").rglob("*.json")) if (out / "articles").exists() else 0
            if done >= articles_done:
                proc.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, f"fewer than {articles_done} article JSONs after {timeout} s"
            time.sleep(0.005)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()


def test_killed_at_several_random_points_then_complete(tmp_path):
    """Kill -9 at several random points in successive runs; the last run accounts for every input once."""
    n = 24
    corpus = make_corpus(tmp_path / "corpus", {f"a{i:02d}.txt": generated_article(i).encode() for i in range(n)})
    out = tmp_path / "out"
    cmd = deal_extract_cmd(corpus, "-o", out, "-b", "1", "--quiet")
    for point in sorted(random.Random(7).sample(range(1, n), 3)):
        _run_until(cmd, out, point)
        for path in (out / "articles").rglob("*.json"):  # whatever exists is complete and valid
            ArticleResult.model_validate_json(path.read_text())
    final = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    manifest = manifest_of(out)
    assert [i["path"] for i in manifest["inputs"]] == [f"a{i:02d}.txt" for i in range(n)]
    assert {i["status"] for i in manifest["inputs"]} <= {"ok", "skipped"}
    assert manifest["totals"]["ok"] + manifest["totals"]["skipped"] == n
    for i in range(n):
        ArticleResult.model_validate_json((out / "articles" / f"a{i:02d}.txt.json").read_text())
    rows = list(csv.DictReader((out / "deals.csv").open(encoding="utf-8")))
    assert len(rows) == manifest["totals"]["deals"] == len((out / "deals.jsonl").read_text().splitlines())
    assert temp_files(out) == []
