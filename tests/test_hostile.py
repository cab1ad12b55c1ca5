"""Hostile inputs and faults: what ``deal-extract batch`` records and ``deal-extract extract`` says.

Every input is generated here (no binary files in the repository). One ``batch`` subprocess
runs over a folder holding all hostile inputs plus good articles (the model loads once); the
per-input rows of its manifest are then checked one test per input. ``extract`` runs
in-process through typer's CliRunner with the session pipeline (and once as a real
subprocess), and must fail with exit status 1 and exactly one line on stderr naming the file.
"""

from __future__ import annotations

import codecs
import copy
import itertools
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deal_extract.text.reading import DEFAULT_MAX_CHARS, InputError, read_article
from deal_extract.records import ArticleResult

REPO = Path(__file__).resolve().parents[1]
GOOD_CORPUS_ARTICLE = REPO / "corpus" / "pr_hanbit_kestrel_licence.txt"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT_REASON = "tests run as root: chmod 000 does not stop root from reading a file"

DEAL = ("Samsung Biologics signed a manufacturing agreement with Pfizer worth $400 million, "
        "the companies said on Monday. The contract covers biosimilars across Asia.\n")
ACCENTED_DEAL = ("Samsung Biologics signed a manufacturing agreement with Pfizer for the Société Générale "
                 "de Santé programme, the companies said on Monday.\n")
NO_ORGANISATION = ("The weather in the region was mild this week, and markets were quiet ahead of the holiday.\n\n"
                   "Analysts expect little change before the end of the quarter, they said in notes to clients.\n")


# --- generated inputs -------------------------------------------------------------------

_SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "vex", "zu", "pra", "qui", "sel",
              "dan", "fi", "gor", "hal", "jin", "nov", "ber", "cy", "wen", "xa"]
_SUFFIXES = ["Therapeutics", "Biologics", "Pharmaceuticals", "Biosciences", "Biotech", "Diagnostics", "Medical", "Genomics"]


def invented_names(n: int) -> list[str]:
    """``n`` distinct invented organisation names ('Kalomi Therapeutics', ...)."""
    names = []
    for a, b, c in itertools.product(_SYLLABLES, repeat=3):
        if len(names) == n:
            break
        names.append(f"{(a + b + c).capitalize()} {_SUFFIXES[len(names) % len(_SUFFIXES)]}")
    assert len(names) == n
    return names


def roster_text(n: int) -> str:
    """An exhibitor directory naming ``n`` organisations, one short paragraph each, no deals."""
    return "Exhibitor directory\n\n" + "\n\n".join(f"{name} exhibited." for name in invented_names(n)) + "\n"


def many_deals_text(n: int) -> str:
    """``n`` organisations in ``n // 2`` two-party licence deals, one paragraph each."""
    names = invented_names(n)
    return "\n\n".join(f"{names[i]} signed a licence agreement with {names[i + 1]} for antibodies in Asia."
                       for i in range(0, n - 1, 2)) + "\n"


def script_page(with_article: bool) -> bytes:
    """An HTML page that is mostly script and navigation, with or without a short article."""
    script = "<script>" + "var cfg = {a: 1, b: [1, 2, 3]}; function f() { return 'Samsung Biologics signed with Pfizer'; }\n" * 2000 + "</script>"
    nav = "<nav><ul>" + "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(300)) + "</ul></nav>"
    article = (f"<article><h1>Samsung Biologics and Pfizer</h1><p>{DEAL}</p>"
               "<p>The South Korean contract manufacturer said the plant in Incheon would make the product "
               "from next year, and that more agreements were being negotiated with other drug makers.</p></article>"
               if with_article else "")
    return (f"<!doctype html><html><head><title>News</title>{script}<style>body {{color: red}}</style></head>"
            f"<body>{nav}{script}{article}{nav}<footer>Copyright 2025</footer></body></html>").encode()


def hostile_files() -> dict[str, bytes]:
    """Regular files of the hostile corpus, by relative path."""
    over_limit = "a " * (DEFAULT_MAX_CHARS // 2) + "b"  # DEFAULT_MAX_CHARS + 1 characters
    assert len(over_limit) == DEFAULT_MAX_CHARS + 1
    return {
        "good_corpus_article.txt": GOOD_CORPUS_ARTICLE.read_bytes(),
        "good.txt": DEAL.encode(),
        "empty.txt": b"",
        "whitespace.txt": b" \n\t\r\n   \n\f\n",
        "random_binary.txt": random.Random(0).randbytes(4096),
        "random_binary_no_nul.txt": random.Random(2).randbytes(4096).replace(b"\x00", b""),
        "nul_bytes.txt": DEAL.encode().replace(b" signed", b"\x00 signed"),
        "invalid_utf8.txt": DEAL.encode().replace(b"Monday", b"Mon\xc3\x28day\xff"),
        "latin1.txt": ACCENTED_DEAL.encode("latin-1"),
        "utf16_le_bom.txt": codecs.BOM_UTF16_LE + DEAL.encode("utf-16-le"),
        "utf16_be_bom.txt": codecs.BOM_UTF16_BE + DEAL.encode("utf-16-be"),
        "utf16_no_bom.txt": DEAL.encode("utf-16-le"),
        "utf16_bom_then_garbage.txt": codecs.BOM_UTF16_LE + random.Random(1).randbytes(2001),
        "twenty_mb.txt": (DEAL * (20 * 2**20 // len(DEAL) + 1)).encode()[:20 * 2**20],
        "over_char_limit.txt": over_limit.encode(),
        "over_char_limit.json": json.dumps({"text": over_limit}).encode(),
        "script_and_nav.html": script_page(with_article=True),
        "script_and_nav_only.html": script_page(with_article=False),
        "text_is_int.json": json.dumps({"text": 42}).encode(),
        "text_is_list.json": json.dumps({"text": [DEAL]}).encode(),
        "text_missing.json": json.dumps({"title": "No text"}).encode(),
        "top_level_array.json": json.dumps([DEAL]).encode(),
        "broken.json": b'{"text": "unterminated',
        "feed.jsonl": (json.dumps({"id": "good", "text": DEAL}) + "\n" + json.dumps({"id": "bad", "text": 5}) + "\n").encode(),
        "no_organisation.txt": NO_ORGANISATION.encode(),
        "five_thousand_organisations.txt": roster_text(5000).encode(),
        "x.txt/inner.txt": DEAL.encode(),
    }


def build_hostile_corpus(root: Path) -> Path:
    for rel, data in hostile_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "empty_folder.md").mkdir()                       # a folder named like an article
    (root / "loop.txt").symlink_to("loop.txt")               # a symlink to itself
    (root / "loop_a.txt").symlink_to("loop_b.txt")           # two symlinks pointing at each other
    (root / "loop_b.txt").symlink_to("loop_a.txt")
    (root / "dangling.txt").symlink_to("missing.txt")
    (root / "link_to_good.txt").symlink_to("good.txt")
    (root / "selfdir").symlink_to(".", target_is_directory=True)  # a folder loop
    if not IS_ROOT:
        locked = root / "unreadable.txt"
        locked.write_bytes(DEAL.encode())
        locked.chmod(0o000)
    return root


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    root = build_hostile_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    yield root
    if not IS_ROOT:
        (root / "unreadable.txt").chmod(0o600)


def cli_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from deal_extract.cli import main; main()", *map(str, args)]


@pytest.fixture(scope="module")
def batch_run(hostile_dir, tmp_path_factory):
    """One real ``deal-extract batch`` over the hostile corpus: (process, manifest, output folder)."""
    out = tmp_path_factory.mktemp("hostile_out") / "out"
    proc = subprocess.run(cli_cmd("batch", hostile_dir, "-o", out), capture_output=True, text=True, timeout=600)
    manifest = json.loads((out / "manifest.json").read_text()) if (out / "manifest.json").exists() else None
    return proc, manifest, out


def rows(manifest: dict) -> dict[str, dict]:
    return {row["path"]: row for row in manifest["inputs"]}


# --- the batch run: per-input rows ------------------------------------------------------

#: input -> (status, substrings of the error). A failed row's error starts with the file's path.
FAILED = {
    "empty.txt": ["empty article"],
    "whitespace.txt": ["empty article"],
    "random_binary.txt": ["binary file"],
    "random_binary_no_nul.txt": ["binary file", "control characters"],
    "nul_bytes.txt": ["binary file", "NUL"],
    "utf16_no_bom.txt": ["binary file", "byte-order mark"],
    "utf16_bom_then_garbage.txt": ["not decodable as utf-16-le", "byte-order mark"],
    "twenty_mb.txt": [f"{20 * 2**20:,} bytes", "over the limit of 5,000,000", "--max-chars"],
    "over_char_limit.txt": ["5,000,001 characters", "over the limit of 5,000,000", "--max-chars"],
    "over_char_limit.json": ["5,000,001 characters", "over the limit of 5,000,000", "--max-chars"],
    "text_is_int.json": ["'text'", "int"],
    "text_is_list.json": ["'text'", "list"],
    "text_missing.json": ["'text'"],
    "top_level_array.json": ["JSON object", "list"],
    "broken.json": ["invalid JSON", "line 1"],
    "loop.txt": ["cannot read", "symbolic links"],
    "loop_a.txt": ["cannot read", "symbolic links"],
    "loop_b.txt": ["cannot read", "symbolic links"],
    "dangling.txt": ["cannot read", "No such file"],
    "script_and_nav_only.html": ["no main text", "navigation"],
    "unreadable.txt": ["cannot read", "Permission denied"],
}


def failed_param(name: str):
    if name == "unreadable.txt":
        return pytest.param(name, marks=pytest.mark.skipif(IS_ROOT, reason=ROOT_REASON))
    return pytest.param(name)


FAILED_PARAMS = [failed_param(name) for name in FAILED]


def test_batch_exit_status_and_stderr(batch_run, hostile_dir):
    proc, manifest, out = batch_run
    assert manifest is not None, proc.stderr
    assert proc.returncode == 1, proc.stderr  # some inputs failed, the rest went through
    assert proc.stdout.strip() == str(out / "manifest.json")
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("deal-extract batch: ") and " failed" in lines[0]
    for line in lines[1:]:
        assert line.startswith(("  failed: ", "  ... and ", "  warning: ")) or re.match(r"  \d+ inputs have warnings", line), line
    for line in lines:
        if line.startswith("  failed: "):
            assert line[len("  failed: "):].startswith(str(hostile_dir)), line


def test_batch_lists_every_input_once_and_nothing_else(batch_run):
    _, manifest, _ = batch_run
    paths = [row["path"] for row in manifest["inputs"]]
    assert len(paths) == len(set(paths))
    expected = {rel for rel in hostile_files() if not rel.endswith(".jsonl")} | {"feed.jsonl#good", "feed.jsonl#bad"}
    expected |= {"loop.txt", "loop_a.txt", "loop_b.txt", "dangling.txt", "link_to_good.txt"}
    if not IS_ROOT:
        expected.add("unreadable.txt")
    assert set(paths) == expected
    # folders named like articles are walked into, never read as inputs; a folder loop is not followed
    assert "x.txt" not in paths and "empty_folder.md" not in paths
    assert not [p for p in paths if p.startswith("selfdir/")]
    totals = manifest["totals"]
    assert totals["inputs"] == len(paths)
    assert totals["ok"] + totals["skipped"] + totals["failed"] == len(paths)
    assert totals["failed"] == sum(row["status"] == "failed" for row in manifest["inputs"])


@pytest.mark.parametrize("name", FAILED_PARAMS)
def test_batch_failed_row(batch_run, hostile_dir, name):
    _, manifest, out = batch_run
    row = rows(manifest)[name]
    assert row["status"] == "failed", row
    error = row["error"]
    assert error.startswith(str(hostile_dir / name) + ":"), error  # names the file ...
    for part in FAILED[name]:                                    # ... and the cause
        assert part in error, (part, error)
    assert "\n" not in error and "Traceback" not in error
    assert not (out / "articles" / f"{name}.json").exists()


def test_batch_errors_read_cleanly(batch_run):
    _, manifest, _ = batch_run
    for row in manifest["inputs"]:
        if row["error"]:
            assert not re.search(r"\b(\w+) \1\b", row["error"]), row["error"]  # no doubled word


def ok_result(out: Path, row: dict) -> ArticleResult:
    assert row["status"] == "ok", row
    assert row["error"] is None
    return ArticleResult.model_validate_json((out / row["output"]).read_text())


def partner_names(result: ArticleResult) -> list[set[str]]:
    return [{p.name for p in deal.partners} for deal in result.deals]


@pytest.mark.parametrize("name, encoding", [
    ("good.txt", "utf-8"),
    ("utf16_le_bom.txt", "utf-16-le"),
    ("utf16_be_bom.txt", "utf-16-be"),
    ("link_to_good.txt", "utf-8"),
    ("x.txt/inner.txt", "utf-8"),
    ("script_and_nav.html", "utf-8"),
])
def test_batch_ok_rows_find_the_deal(batch_run, name, encoding):
    _, manifest, out = batch_run
    row = rows(manifest)[name]
    result = ok_result(out, row)
    assert row["encoding"] == encoding and row["warnings"] == []
    assert {"Samsung Biologics", "Pfizer"} <= {o.name for o in result.organisations}
    assert {"Samsung Biologics", "Pfizer"} in partner_names(result)
    assert row["deals"] == len(result.deals) and row["organisations"] == len(result.organisations)


def test_batch_script_heavy_html_keeps_only_the_article(batch_run):
    _, manifest, out = batch_run
    result = ok_result(out, rows(manifest)["script_and_nav.html"])
    assert result.title == "Samsung Biologics and Pfizer"
    for deal in result.deals:
        assert "function" not in deal.evidence.text and "Section" not in deal.evidence.text


@pytest.mark.parametrize("name", ["invalid_utf8.txt", "latin1.txt"])
def test_batch_fallback_encoding_is_ok_with_a_warning(batch_run, name):
    _, manifest, out = batch_run
    row = rows(manifest)[name]
    result = ok_result(out, row)
    assert row["encoding"] in ("cp1252", "latin-1")
    assert len(row["warnings"]) == 1 and "not valid UTF-8" in row["warnings"][0]
    assert {"Samsung Biologics", "Pfizer"} in partner_names(result)
    if name == "latin1.txt":  # the accented letters survive the fallback decoding
        assert any("Société Générale" in deal.evidence.text for deal in result.deals)


def test_batch_good_corpus_article(batch_run):
    _, manifest, out = batch_run
    result = ok_result(out, rows(manifest)["good_corpus_article.txt"])
    assert len(result.organisations) >= 2 and len(result.deals) >= 1
    text = GOOD_CORPUS_ARTICLE.read_text(encoding="utf-8")
    for deal in result.deals:
        assert text[deal.evidence.start:deal.evidence.end] == deal.evidence.text


def test_batch_article_naming_no_organisation(batch_run):
    _, manifest, out = batch_run
    row = rows(manifest)["no_organisation.txt"]
    result = ok_result(out, row)
    assert result.organisations == [] and result.deals == []
    assert row["organisations"] == 0 and row["deals"] == 0


def test_batch_article_naming_five_thousand_organisations(batch_run):
    _, manifest, out = batch_run
    row = rows(manifest)["five_thousand_organisations.txt"]
    result = ok_result(out, row)
    text = roster_text(5000)
    names = set(invented_names(5000))
    found = {o.name for o in result.organisations}
    assert len(found & names) >= 4500, f"only {len(found & names)} of 5,000 organisations found"
    for org in result.organisations:
        assert org.mentions and all(0 <= s < e <= len(text) and text[s:e].strip() for s, e in org.mentions)


def test_batch_jsonl_lines_fail_alone(batch_run, hostile_dir):
    _, manifest, out = batch_run
    by_path = rows(manifest)
    ok_result(out, by_path["feed.jsonl#good"])
    bad = by_path["feed.jsonl#bad"]
    assert bad["status"] == "failed"
    assert bad["error"].startswith(f"{hostile_dir / 'feed.jsonl'}, line 2:") and "'text'" in bad["error"]


# --- extract on one bad file ------------------------------------------------------------

@pytest.fixture
def run_extract(extractor, monkeypatch):
    """Invoke ``deal-extract extract`` in-process with the session pipeline (no model load per call)."""
    from deal_extract import api, cli

    cli._register()

    def load(model=None, patterns=None, organisations=(), max_chars=DEFAULT_MAX_CHARS, **kwargs):
        assert model is None and patterns is None and not organisations and not kwargs
        clone = copy.copy(extractor)
        clone.max_chars = max_chars
        return clone

    monkeypatch.setattr(api, "load", load)

    def invoke(*args):
        return CliRunner().invoke(cli.app, ["extract", *map(str, args)])

    return invoke


def assert_one_error_line(result, command: str, path: Path, *causes: str) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"deal-extract {command}: error: {path}"), line
    for cause in causes:
        assert cause in line, (cause, line)
    return line


@pytest.mark.parametrize("name", FAILED_PARAMS)
def test_extract_bad_file_exits_1_with_one_line(run_extract, hostile_dir, name):
    result = run_extract(hostile_dir / name)
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert_one_error_line(result, "extract", hostile_dir / name, *FAILED[name])


@pytest.mark.parametrize("name, causes", [
    ("x.txt", ["is a folder"]),
    ("empty_folder.md", ["is a folder"]),
    ("does_not_exist.txt", ["No such file"]),
    ("feed.jsonl", ["line 2", "'text'"]),
])
def test_extract_other_bad_paths_exit_1(run_extract, hostile_dir, name, causes):
    result = run_extract(hostile_dir / name)
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert_one_error_line(result, "extract", hostile_dir / name, *causes)


def test_extract_jsonl_of_several_articles_exits_1(run_extract, tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps({"text": DEAL}) + "\n" + json.dumps({"text": DEAL}) + "\n")
    result = run_extract(path)
    assert result.exit_code == 1
    assert_one_error_line(result, "extract", path, "holds 2 articles", "deal-extract batch")


def test_extract_unsupported_suffix_exits_1(run_extract, tmp_path):
    path = tmp_path / "article.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(3).randbytes(512))
    result = run_extract(path)
    assert result.exit_code == 1
    assert_one_error_line(result, "extract", path, "unsupported file type", ".pdf")


@pytest.mark.parametrize("name", ["invalid_utf8.txt", "latin1.txt", "utf16_le_bom.txt", "no_organisation.txt"])
def test_extract_odd_but_usable_files_exit_0(run_extract, hostile_dir, name):
    result = run_extract(hostile_dir / name)
    assert result.exit_code == 0, result.output
    record = ArticleResult.model_validate_json(result.stdout)
    assert record.source == str(hostile_dir / name)


def test_extract_subprocess_one_line_no_traceback(hostile_dir):
    """The real command, warnings and all: one line on stderr, nothing on stdout."""
    path = hostile_dir / "random_binary.txt"
    proc = subprocess.run(cli_cmd("extract", path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [f"deal-extract extract: error: {path}: binary file (contains NUL bytes; "
                                        "UTF-16 text needs a byte-order mark)"]


# --- FIFOs: a path that is neither a file nor a folder ----------------------------------

def _unblock_fifo(fifo: Path) -> None:
    """Open the FIFO for writing and close it, so a reader blocked on it gets end-of-file."""
    for _ in range(50):
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader (yet)
            time.sleep(0.05)
            continue
        os.close(fd)
        return


def _run_with_deadline(target, fifo: Path, seconds: float) -> bool:
    """Run ``target`` in a thread; True when it finished in time (else unblock it and say False)."""
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if not thread.is_alive():
        return True
    _unblock_fifo(fifo)
    thread.join(10)
    return False


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_read_article_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: dict = {}

    def target():
        try:
            read_article(fifo)
        except InputError as exc:
            outcome["error"] = str(exc)

    assert _run_with_deadline(target, fifo, 3), "read_article blocked on a FIFO"
    assert outcome["error"].startswith(str(fifo)) and "regular file" in outcome["error"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_batch_does_not_hang_on_a_fifo(extractor, tmp_path):
    from deal_extract.run.batch import BatchOptions, run_batch

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(DEAL)
    fifo = corpus / "pipe.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    outcome: dict = {}

    def target():
        outcome["manifest"] = run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))

    assert _run_with_deadline(target, fifo, 5), "the batch blocked on a FIFO in the corpus folder"
    by_path = {r.path: r for r in outcome["manifest"].inputs}
    assert by_path["good.txt"].status == "ok"
    if "pipe.txt" in by_path:  # either left out like a folder, or failed with a clear reason
        assert by_path["pipe.txt"].status == "failed"
        assert by_path["pipe.txt"].error.startswith(str(fifo)) and "regular file" in by_path["pipe.txt"].error


# --- faults -----------------------------------------------------------------------------

@pytest.fixture
def run_batch_cli(extractor, monkeypatch):
    """Invoke ``deal-extract batch`` in-process with the session pipeline; records whether it was loaded."""
    from deal_extract import api, cli

    cli._register()
    loads: list = []

    def load(**options):
        loads.append(options["max_chars"])
        return extractor

    monkeypatch.setattr(api, "load", load)

    def invoke(*args):
        return CliRunner().invoke(cli.app, ["batch", *map(str, args)]), loads

    return invoke


def test_batch_output_path_is_a_regular_file_exits_2_before_any_work(run_batch_cli, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(DEAL)
    target = tmp_path / "results"
    target.write_text("keep me\n")
    result, loads = run_batch_cli(corpus, "-o", target)
    assert result.exit_code == 2
    line = assert_one_error_line(result, "batch", Path("output folder"), "not writable")
    assert str(target) in line
    assert loads == []                                   # the model was never loaded
    assert target.read_text() == "keep me\n"            # and nothing was written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "results"]


@pytest.mark.skipif(IS_ROOT, reason=ROOT_REASON)
def test_extract_unreadable_file_exits_1(run_extract, hostile_dir):
    result = run_extract(hostile_dir / "unreadable.txt")
    assert result.exit_code == 1
    assert_one_error_line(result, "extract", hostile_dir / "unreadable.txt", "cannot read", "Permission denied")


# --- the per-article size limit ---------------------------------------------------------

def test_default_limit_is_five_million_characters():
    assert DEFAULT_MAX_CHARS == 5_000_000


def test_extract_max_chars(run_extract, tmp_path):
    path = tmp_path / "deal.txt"
    path.write_text(DEAL)
    assert len(DEAL) == 158
    over = run_extract(path, "--max-chars", 157)
    assert over.exit_code == 1
    assert_one_error_line(over, "extract", path, "158 characters", "over the limit of 157", "--max-chars")
    at_limit = run_extract(path, "--max-chars", 158)
    assert at_limit.exit_code == 0, at_limit.output
    assert ArticleResult.model_validate_json(at_limit.stdout).deals


@pytest.mark.parametrize("limit", [0, -5])
def test_extract_max_chars_must_be_positive(run_extract, tmp_path, limit):
    path = tmp_path / "deal.txt"
    path.write_text(DEAL)
    result = run_extract(path, "--max-chars", limit)
    assert result.exit_code == 2
    assert "--max-chars" in result.stderr


def test_batch_max_chars(run_batch_cli, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "short.txt").write_text(DEAL)
    (corpus / "long.txt").write_text(DEAL * 2)
    (corpus / "long.json").write_text(json.dumps({"text": DEAL * 2}))
    (corpus / "page.html").write_bytes(script_page(with_article=True))
    out = tmp_path / "out"
    result, loads = run_batch_cli(corpus, "-o", out, "--max-chars", 200)
    assert loads == [200]
    assert result.exit_code == 1, result.output
    by_path = {r["path"]: r for r in json.loads((out / "manifest.json").read_text())["inputs"]}
    assert by_path["short.txt"]["status"] == "ok"
    for name, size in (("long.txt", "316 characters"), ("long.json", "316 characters"), ("page.html", "HTML file has")):
        row = by_path[name]
        assert row["status"] == "failed", row
        assert row["error"].startswith(f"{corpus / name}: ") and size in row["error"], row["error"]
        assert "the limit of 200" in row["error"] and "--max-chars" in row["error"]


def test_batch_max_chars_must_be_positive(run_batch_cli, tmp_path):
    result, loads = run_batch_cli(tmp_path, "-o", tmp_path / "out", "--max-chars", 0)
    assert result.exit_code == 2 and loads == []


# --- an article naming 5,000 organisations in 2,500 deals, against the clock -------------

def test_five_thousand_organisations_in_deals_extract_in_linear_time(extractor, tmp_path):
    """Ten times the text may take about ten times as long, not a hundred (deals.py once read
    ``doc.text`` anew for every deal: 166 s here against 1.3 s for 500 organisations)."""
    started = time.perf_counter()
    extractor.extract_text(many_deals_text(500), source="small.txt")
    base = time.perf_counter() - started
    budget = 20 * base + 10  # ten times the text: linear is about 10x base, plus loading the model
    path = tmp_path / "many_deals.txt"
    path.write_text(many_deals_text(5000))
    try:
        proc = subprocess.run(cli_cmd("extract", path), capture_output=True, text=True, timeout=budget)
    except subprocess.TimeoutExpired:
        pytest.fail(f"extract took over {budget:.0f} s on 5,000 organisations ({base:.1f} s for 500)")
    assert proc.returncode == 0, proc.stderr
    result = ArticleResult.model_validate_json(proc.stdout)
    assert len({o.name for o in result.organisations} & set(invented_names(5000))) >= 4500
