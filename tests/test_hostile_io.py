"""Hostile input, round three (issue 26, items 6-17): silent loss, errors and outputs.

Every input accounted for once (a huge JSON integer, an impossible date, vertical tabs,
decomposed accents, bidi marks, file names that look like jsonl lines), and outputs that fail
in one line and are written whole (a full disk, folders in the place of output files, the
database's mode, a tampered output folder, escape sequences, a lost Dask scheduler).
In-process with the session pipeline; a full disk is faked by failing ``fsync``.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from deal_extract.cli.messages import printable
from deal_extract.evaluation.evaluate import evaluate
from deal_extract.evaluation.report import build_report, build_report_from_output
from deal_extract.run.batch import BatchOptions, run_batch
from deal_extract.text.normalise import normalise
from deal_extract.text.reading import InputError, iter_items, read_article

DEAL = ("Samsung Biologics signed a manufacturing agreement with Pfizer worth $400 million, "
        "the companies said on Monday.\n")
OTHER = "Celltrion signed a licence agreement with Takeda for antibodies in Asia.\n"
HUGE = "7" * 5001


def cli(*args):
    from deal_extract import cli as cli_module

    cli_module._register()
    return CliRunner().invoke(cli_module.app, [*map(str, args)])


@pytest.fixture
def use_session_pipeline(extractor, monkeypatch):
    """Commands that load a pipeline get the session one."""
    from deal_extract import api

    monkeypatch.setattr(api, "load", lambda **options: extractor)


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return root


def manifest_rows(out: Path) -> dict[str, dict]:
    return {row["path"]: row for row in json.loads((out / "manifest.json").read_text())["inputs"]}


def one_error_line(result, command: str) -> str:
    assert "Traceback" not in result.output, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"deal-extract {command}: error: "), lines[0]
    return lines[0]


def deal_pairs(result) -> list[set[str]]:
    return [{p.name for p in d.partners} for d in result.deals]


# --- 6. a 5,001-digit integer fails its input alone ------------------------------------

HUGE_CORPUS = {
    "big.json": '{"text": %s, "n": %s}' % (json.dumps(DEAL), HUGE),
    "feed.jsonl": json.dumps({"id": "good", "text": DEAL}) + "\n" + '{"id": "bad", "text": "x", "n": -%s}\n' % HUGE,
    "plain.txt": OTHER,
}


def test_huge_json_integer_fails_its_input_alone_in_a_batch(extractor, tmp_path):
    corpus = write_files(tmp_path / "corpus", HUGE_CORPUS)
    out = tmp_path / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    rows = manifest_rows(out)
    assert {path: row["status"] for path, row in rows.items()} == {
        "big.json": "failed", "feed.jsonl#2": "failed", "feed.jsonl#good": "ok", "plain.txt": "ok"}
    assert rows["big.json"]["error"] == (f"{corpus / 'big.json'}: invalid JSON: a number of 5,001 digits, "
                                         "over the limit of 4,300")
    assert rows["feed.jsonl#2"]["error"].startswith(f"{corpus / 'feed.jsonl'}, line 2: invalid JSON: a number of 5,001")


def test_huge_json_integer_is_a_one_line_input_error(tmp_path):
    path = write_files(tmp_path, {"big.json": HUGE_CORPUS["big.json"]}) / "big.json"
    with pytest.raises(InputError, match="invalid JSON: a number of 5,001 digits"):
        read_article(path)


def test_huge_json_integer_is_left_out_of_report_and_evaluate_alone(extractor, tmp_path):
    corpus = write_files(tmp_path / "corpus", HUGE_CORPUS)
    data = build_report([corpus], extractor=extractor)
    assert sorted(a.name for a in data.articles) == ["good", "plain"]
    assert sum("a number of 5,001 digits" in w for w in data.warnings) == 2
    gold = write_files(tmp_path / "gold", {"plain.yaml": yaml.safe_dump({
        "article": "plain.txt", "organisations": [{"name": "Celltrion"}, {"name": "Takeda"}],
        "deals": [{"partners": ["Celltrion", "Takeda"]}]})})
    report = evaluate(gold, [corpus], extractor=extractor)
    assert [a.source_path.name for a in report.articles] == ["plain.txt"]


# --- 7. an impossible 'published' date is ignored with a warning -----------------------

@pytest.mark.parametrize("published", ["2025-02-30", "9999-99-99", "2025-13-01T10:00:00Z"])
def test_impossible_published_date_is_ignored_with_a_warning(use_session_pipeline, tmp_path, published):
    path = write_files(tmp_path, {"a.json": json.dumps({"text": DEAL, "published": published})}) / "a.json"
    article = read_article(path)
    assert article.published is None
    assert any(published in w and "ignored" in w for w in article.warnings)
    result = cli("extract", path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["published"] is None
    assert "ignored" in result.stderr and "Traceback" not in result.stderr


def test_possible_published_date_is_kept(tmp_path):
    path = write_files(tmp_path, {"a.json": json.dumps({"text": DEAL, "published": "2024-02-29T08:00:00Z"})}) / "a.json"
    assert read_article(path).published == "2024-02-29"


# --- 8. vertical tab is a line break, not binary ---------------------------------------

def test_vertical_tabs_are_line_breaks_not_binary(extractor, tmp_path):
    text = "Press release\v\vSeoul\v" + DEAL.replace(", ", ",\v")
    path = write_files(tmp_path, {"word.txt": text}) / "word.txt"
    assert text.count("\v") > 0.02 * len(text)
    article = read_article(path)
    assert article.text == text
    result = extractor.extract_text(article.text, source="word.txt")
    assert deal_pairs(result) == [{"Samsung Biologics", "Pfizer"}]


# --- 9, 10. decomposed accents and bidi marks, offsets into the text as read -----------

def names_and_deals(extractor, text: str):
    result = extractor.extract_text(text, source="a.txt")
    for deal in result.deals:
        assert text[deal.evidence.start:deal.evidence.end] == deal.evidence.text
    for org in result.organisations:
        for s, e in org.mentions:
            assert normalise(text[s:e]).text == org.name, (text[s:e], org.name)
    return sorted(o.name for o in result.organisations), sorted(sorted(p) for p in deal_pairs(result))


def test_decomposed_accents_are_composed_with_exact_offsets(extractor):
    composed = "Nestlé Health Science signed a licensing agreement with Pfizer worth $400 million.\n"
    decomposed = composed.replace("é", "e\u0301")
    assert names_and_deals(extractor, decomposed) == names_and_deals(extractor, composed) == (
        ["Nestlé Health Science", "Pfizer"], [["Nestlé Health Science", "Pfizer"]])


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                  "\u2066", "\u2067", "\u2068", "\u2069", "\u061c"])
def test_bidi_marks_are_dropped_with_exact_offsets(extractor, mark):
    plain = DEAL + OTHER
    marked = (f"{mark}Samsung Bio{mark}logics{mark} signed a manufacturing agreement with {mark}Pfizer worth $400 "
              f"million, the companies said on Monday.\nCelltrion signed a licence agreement with {mark}Takeda{mark} "
              "for antibodies in Asia.\n")
    assert names_and_deals(extractor, marked) == names_and_deals(extractor, plain)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("ae \n") + ["\u0301", "\u0327", "\u0308", "\u200e", "\u202e", "ﬁ", "Ｐ", "™",
                                                  "\u1100", "\u1161", "\u11a8", "\v", "é", "가", "日"]), max_size=30))
def test_normalised_offsets_stay_exact_over_combining_sequences(text):
    norm = normalise(text)
    assert norm.text == normalise(norm.text).text  # nothing left to normalise
    for i in range(len(norm.text)):
        for k in range(i + 1, len(norm.text) + 1):
            s, e = norm.start(i), norm.end(k)
            assert 0 <= s < e <= len(text)
            assert norm.text[i:k] in normalise(text[s:e]).text


def test_marks_after_letters_passed_over_still_compose():
    text = "Cafe\u0301 e\u0301\u0327 \uac00\u11a8 \u65e5\u200e\u0301 \u0435\u0308"  # Hangul LV + T, Cyrillic е + ̈
    assert normalise(text).text == unicodedata.normalize("NFC", text.replace("\u200e", "")) == "Café ȩ́ 각 日́ ё"


def test_characters_passed_over_are_ones_normalisation_keeps():
    from deal_extract.text.normalise import _SPECIAL, _joins

    kept = [chr(c) for c in range(0x80, 0x10000) if not _SPECIAL.match(chr(c))]
    assert len(kept) > 30_000  # CJK, Hangul, kana, Latin-1, Greek, Cyrillic: passed over at regex speed
    assert all(unicodedata.normalize("NFKC", c) == c and not _joins(c) for c in kept)


def test_long_runs_of_combining_marks_are_normalised_in_bounded_sequences():
    text = ("e" + "\u0301\u0327" * 20_000 + " ") * 3  # NFKC sorts one sequence's marks in quadratic time
    norm = normalise(text)
    assert norm.text.count("\u0229") == 3  # e + cedilla composed, at the start of each run only
    assert norm.end(len(norm.text)) == len(text)


# --- 11. source names unique whatever the inputs are called ----------------------------

def test_file_named_like_a_jsonl_line_is_an_input_of_its_own(extractor, tmp_path):
    corpus = write_files(tmp_path / "corpus", {
        "feed.jsonl": json.dumps({"id": "x.txt", "text": DEAL}) + "\n",
        "feed.jsonl#x.txt": OTHER,
        "50%23.txt": OTHER,
    })
    out = tmp_path / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    rows = manifest_rows(out)
    assert {p: r["status"] for p, r in rows.items()} == {
        "feed.jsonl#x.txt": "ok", "feed.jsonl%23x.txt": "ok", "50%2523.txt": "ok"}
    line = json.loads((out / rows["feed.jsonl#x.txt"]["output"]).read_text())
    assert {p["name"] for p in line["deals"][0]["partners"]} == {"Samsung Biologics", "Pfizer"}
    data = build_report([corpus], extractor=extractor)  # report --corpus: the line is not read from the file
    assert any("has the name of a file" in w for w in data.warnings)
    assert {a.name: deal_pairs(a.result) for a in data.articles} == {
        "feed.jsonl#x": [{"Celltrion", "Takeda"}], "50%23": [{"Celltrion", "Takeda"}]}


def names(*pieces: str, max_pieces: int):
    return st.lists(st.sampled_from(pieces), min_size=1, max_size=max_pieces).map("".join)


@settings(max_examples=100, deadline=None)
@given(st.lists(names("a", ".jsonl", ".JSONL", "#", "%", "23", "\\", "x1b", "\x1b", "/", ".txt", max_pieces=8),
                min_size=2, max_size=6, unique=True),
       st.lists(names("x", "#", ".txt", "%", "1", max_pieces=4), max_size=3, unique=True))
def test_source_names_are_unique(files, ids):
    """Files and the lines of the .jsonl files among them never share a source name."""
    from deal_extract.corpus.outputs import article_json_path, source_name

    sources = [source_name(f) for f in files]
    sources += [f"{source_name(f)}#{i}" for f in files if f.lower().endswith(".jsonl") for i in ids]
    assert len(set(sources)) == len(sources)
    assert all(printable(s) == s for s in sources)
    assert len({article_json_path(source_name(f)) for f in files}) == len(files)


# --- 12. a full disk: one line naming the path, exit 2; outputs written whole ----------

@pytest.fixture
def full_disk(monkeypatch):
    """``fsync`` of a temporary file whose name holds ``full_disk.target`` fails as on a full disk."""
    real_fsync = os.fsync

    class Disk:
        target = None

        @staticmethod
        def fsync(fd):
            if Disk.target and Disk.target in os.readlink(f"/proc/self/fd/{fd}"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_fsync(fd)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc/self/fd")
    monkeypatch.setattr(os, "fsync", Disk.fsync)
    return Disk


@pytest.mark.parametrize("target", ["b.txt.txt", "deals.csv", "manifest.json"])
def test_full_disk_stops_a_batch_with_one_line_and_a_rerun_completes(use_session_pipeline, full_disk, tmp_path, target):
    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL, "b.txt": OTHER, "c.txt": DEAL})
    out = tmp_path / "out"
    full_disk.target = target
    result = cli("batch", corpus, "-o", out, "-q")
    assert result.exit_code == 2, result.output
    line = one_error_line(result, "batch")
    assert "No space left on device" in line and "run the same command again" in line
    assert f"cannot write {out}/" in line and target in line
    assert not list(out.rglob("*.tmp")), "a temporary file was left"
    full_disk.target = None
    result = cli("batch", corpus, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert {r["status"] for r in manifest_rows(out).values()} <= {"ok", "skipped"} and len(manifest_rows(out)) == 3


def test_full_disk_keeps_the_old_report_whole(use_session_pipeline, full_disk, tmp_path):
    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL})
    page = tmp_path / "report.html"
    page.write_text("<html>the old report</html>")
    full_disk.target = "report.html"
    result = cli("report", "--corpus", corpus, "-o", page)
    assert result.exit_code == 2, result.output
    assert one_error_line(result, "report") == (f"deal-extract report: error: cannot write {page}: "
                                                "No space left on device")
    assert page.read_text() == "<html>the old report</html>"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_never_replaces_a_device_or_fifo(monkeypatch, tmp_path):
    import deal_extract.cli.report as report_cli

    monkeypatch.setattr(report_cli, "build_report", lambda *a, **k: pytest.fail("the work started"))
    fifo = tmp_path / "fifo.html"
    os.mkfifo(fifo)
    result = cli("report", "--corpus", write_files(tmp_path / "corpus", {"a.txt": DEAL}), "-o", fifo)
    assert result.exit_code == 2
    assert one_error_line(result, "report").endswith(f"-o: cannot write {fifo}: not a regular file "
                                                     "(a device, FIFO or socket is never replaced)")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_full_disk_writing_the_database_names_it(monkeypatch, tmp_path):
    import sqlite3

    from deal_extract.corpus import database
    from deal_extract.corpus.view import build_corpus

    def full(*args, **kwargs):
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorcode = database.SQLITE_FULL  # as SQLite sets it
        raise error

    monkeypatch.setattr(database, "_fill", full)
    path = tmp_path / "deals.sqlite"
    with pytest.raises(OSError) as info:
        database.write_database(path, build_corpus([]))
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert list(tmp_path.iterdir()) == []


# --- 13. output paths checked before any extraction ------------------------------------

@pytest.mark.parametrize("slot, kind", [("deals.sqlite", "folder"), ("deals.csv", "folder"),
                                        ("manifest.json", "folder"), ("texts", "file"), ("articles", "file")])
def test_output_slot_taken_is_exit_2_before_any_work(monkeypatch, tmp_path, slot, kind):
    from deal_extract import api

    monkeypatch.setattr(api, "load", lambda **options: pytest.fail("the work started"))
    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL})
    out = tmp_path / "out"
    if kind == "folder":
        (out / slot).mkdir(parents=True)
    else:
        write_files(out, {slot: "x"})
    result = cli("batch", corpus, "-o", out)
    assert result.exit_code == 2, result.output
    line = one_error_line(result, "batch")
    assert f"{out / slot} is a {kind}, where the batch" in line
    assert sorted(p.name for p in out.iterdir()) == [slot]


def test_output_slot_taken_is_refused_by_the_api_too(extractor, tmp_path):
    from deal_extract.run.inputs import OutputFolderError

    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL})
    (tmp_path / "out" / "deals.sqlite").mkdir(parents=True)
    with pytest.raises(OutputFolderError, match="deals.sqlite is a folder"):
        run_batch(extractor, BatchOptions(corpus=corpus, output=tmp_path / "out", progress=False))
    assert not (tmp_path / "out" / "articles").exists()


# --- 14. deals.sqlite has the mode of every other output -------------------------------

def test_database_has_the_mode_of_the_other_outputs(extractor, tmp_path):
    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL})
    out = tmp_path / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert set(modes) >= {"deals.sqlite", "deals.csv", "manifest.json"}
    assert len(set(modes.values())) == 1, modes
    assert modes["deals.sqlite"] & 0o044 == 0o044 or os.umask(os.umask(0)) & 0o044  # readable unless the umask says no


# --- 15. report --from refuses a symlinked or a foreign stored text --------------------

@pytest.fixture
def output_folder(extractor, tmp_path):
    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL, "b.txt": OTHER, "c.txt": DEAL})
    out = tmp_path / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    return out


def test_report_from_refuses_a_symlink_in_texts(output_folder, tmp_path):
    secret = write_files(tmp_path, {"secret.txt": "root:x:0:0:SECRET:/root:/bin/bash\n" + DEAL}) / "secret.txt"
    text = output_folder / "texts" / "a.txt.txt"
    text.unlink()
    text.symlink_to(secret)
    data = build_report_from_output(output_folder)
    shown = {a.source: a.text for a in data.articles}
    assert shown["a.txt"] is None and shown["b.txt"] == OTHER
    assert any(w.startswith("a.txt: ") and "symbolic link" in w for w in data.warnings), data.warnings


def test_report_from_refuses_a_symlinked_texts_folder(output_folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (output_folder / "texts").rename(elsewhere)
    (output_folder / "texts").symlink_to(elsewhere)
    data = build_report_from_output(output_folder)
    assert all(a.text is None for a in data.articles)
    assert sum("symbolic link" in w for w in data.warnings) == 3


@pytest.mark.parametrize("with_hash", [True, False])
def test_report_from_refuses_a_text_that_is_not_its_records(output_folder, with_hash):
    if not with_hash:  # an output folder whose manifest has no text hashes: the evidence decides
        manifest = json.loads((output_folder / "manifest.json").read_text())
        for row in manifest["inputs"]:
            row.pop("text_sha256")
        (output_folder / "manifest.json").write_text(json.dumps(manifest))
    (output_folder / "texts" / "a.txt.txt").write_text(OTHER + DEAL)  # another article's text
    data = build_report_from_output(output_folder)
    shown = {a.source: a.text for a in data.articles}
    assert shown["a.txt"] is None and shown["c.txt"] == DEAL
    assert any(w.startswith("a.txt: ") and "not the text its record was extracted from" in w for w in data.warnings)


# --- 16. names escaped in every terminal output ----------------------------------------

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b31m"


def test_extract_table_escapes_titles_and_names(use_session_pipeline, tmp_path):
    path = write_files(tmp_path, {f"a{ESCAPES}.json": json.dumps({"text": DEAL})}) / f"a{ESCAPES}.json"
    page = f"<html><head><title>T{ESCAPES}</title></head><body><article><p>{DEAL * 3}</p></article></body></html>"
    html = write_files(tmp_path, {"b.html": page}) / "b.html"
    md = write_files(tmp_path, {"c.md": f"# Title {ESCAPES}\n\n{DEAL * 3}"}) / "c.md"
    for source in (path, html, md):
        result = cli("extract", source, "--format", "table")
        assert result.exit_code == 0, result.output
        assert not set(result.stdout) & {"\x1b", "\x07", "\x9b"}, repr(result.stdout)
        assert "\\x1b" in result.stdout or source == html  # trafilatura drops them from an HTML title


def test_evaluate_escapes_article_names(use_session_pipeline, tmp_path):
    stem = f"a{ESCAPES}"
    corpus = write_files(tmp_path / "corpus", {f"{stem}.txt": DEAL})
    gold = write_files(tmp_path / "gold", {f"{stem}.yaml": yaml.safe_dump({
        "article": f"{stem}.txt", "organisations": [{"name": "Samsung Biologics"}, {"name": "Nobody Else"}],
        "deals": [{"partners": ["Samsung Biologics", "Nobody Else"]}]})})
    result = cli("evaluate", "--gold", gold, "--corpus", corpus)
    assert result.exit_code == 0, result.output
    assert "missed deal" in result.stdout
    assert not set(result.output) & {"\x1b", "\x07", "\x9b"}, repr(result.output)


# --- 17. a lost Dask scheduler, every worker gone: one line each -----------------------

@pytest.fixture
def empty_cluster():
    """A scheduler in this process with no worker."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0")
    yield cluster
    cluster.close()


def test_no_worker_left_stops_the_run_with_one_line(extractor, empty_cluster, monkeypatch, tmp_path, capfd):
    from deal_extract.run import dask_engine

    monkeypatch.setattr(dask_engine, "WORKERLESS_SECONDS", 0.5)
    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL})
    options = BatchOptions(corpus=corpus, output=tmp_path / "out", progress=False, dask=empty_cluster.scheduler_address)
    with pytest.raises(dask_engine.DaskError, match=r"no Dask worker connected to the scheduler at .* for 0.5 s "
                                                    r"\(every worker is gone\)"):
        run_batch(extractor, options)


def test_lost_scheduler_is_said_in_one_line(extractor, empty_cluster, tmp_path, capfd):
    from deal_extract.run import dask_engine

    corpus = write_files(tmp_path / "corpus", {"a.txt": DEAL})
    options = BatchOptions(corpus=corpus, output=tmp_path / "out", progress=False, dask=empty_cluster.scheduler_address)
    stopper = threading.Timer(1.0, empty_cluster.close)
    stopper.start()
    try:
        with pytest.raises(dask_engine.DaskError, match="lost the connection to the Dask scheduler at "):
            run_batch(extractor, options)
    finally:
        stopper.join()
    assert "distributed.client - ERROR" not in capfd.readouterr().err
