"""Hostile input, round three (issue 26), time that nothing bounds: clause chains, time limits that
end an article's work in every engine, long punctuation runs, YAML alias bombs, overlapping
regular expressions.

Growth is shown on small inputs by counting work (matcher steps, sentence lengths, expanded
nodes), never by timing; the few time limits are generous guards against hangs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deal_extract.deals.clauses import WORK_PER_TOKEN, DocState
from deal_extract.deals.matching import sentence_doc
from deal_extract.text.runons import MAX_RUN_TOKENS, run_on_starts

REPO = Path(__file__).resolve().parents[1]
NAMES = ["Arvelon", "Bexcora", "Cindral", "Dovetta", "Elmira", "Fennix", "Gorvath", "Halden"]


def roundup(clauses: int) -> str:
    """One line: "A signed a licensing agreement with B; C signed ... with D; ..."."""
    return "Deal roundup: " + "; ".join(
        f"{NAMES[i % 8]} {i} Bio signed a licensing agreement with {NAMES[(i + 3) % 8]} {i} Pharma"
        for i in range(clauses)) + ".\n"


def run_on(clauses: int) -> str:
    """One sentence of clauses joined by "and" and "while", no punctuation at all."""
    return " ".join(f"{NAMES[i % 8]} Bio signed a licensing agreement with {NAMES[(i + 3) % 8]} Pharma and "
                    f"{NAMES[(i + 1) % 8]} agreed to acquire {NAMES[(i + 5) % 8]} while"
                    for i in range(clauses)) + " nobody objected.\n"


def parsed(nlp, text: str, cut: bool = True):
    """``text`` through the pipeline up to the deal rules (with or without the run-on cut)."""
    skip = ["deal_extract_deals", "deal_extract_judge", "deal_extract_drop_tensor"]
    if not cut:
        skip.append("deal_extract_line_breaks")
    with nlp.select_pipes(disable=[name for name in skip if name in nlp.pipe_names]):
        return nlp(text)


# --- 1. the dependency matcher and run-on sentences -------------------------------------

def test_relation_matcher_work_per_token_stays_flat_along_a_clause_chain(extractor):
    """spaCy's DependencyMatcher tries every combination of matching tokens (a power of the
    sentence's length: 48 s for a 30-clause roundup); the relation matcher's search steps per
    token stay flat from 8 to 32 clauses, far below its bound."""
    finder = extractor.nlp.get_pipe("deal_extract_deals")._rules
    relations = finder.relations
    per_token, found = {}, {}
    for clauses in (8, 16, 32):
        doc = parsed(extractor.nlp, roundup(clauses), cut=False)
        sent = max(doc.sents, key=len)
        assert len(sent) > 8 * clauses  # one sentence: the chain is not cut here
        words = {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}
        sent_doc = sentence_doc(sent)
        state = DocState(sent_doc)
        found[clauses] = len(relations.match_sentence(sent_doc, words & relations.required_words, state))
        per_token[clauses] = state.steps / len(sent)
    assert found[32] >= found[8] > 0
    assert per_token[32] <= 1.5 * per_token[8] + 1
    assert per_token[32] < WORK_PER_TOKEN / 10


@pytest.mark.parametrize("make", [roundup, run_on])
def test_a_run_on_line_is_parsed_in_bounded_sentences(extractor, make):
    """Unbounded, the parser makes each of these one sentence of 480-650 tokens; cut, none is
    longer than MAX_RUN_TOKENS, and every token is still in a sentence."""
    text = make(40)
    whole = parsed(extractor.nlp, text, cut=False)
    assert max(len(s) for s in whole.sents) > 2 * MAX_RUN_TOKENS
    doc = parsed(extractor.nlp, text)
    assert max(len(s) for s in doc.sents) <= MAX_RUN_TOKENS
    assert sum(len(s) for s in doc.sents) == len(doc)


def test_ordinary_text_gets_no_run_on_cut(extractor):
    """No stretch of the corpus articles is long enough to be cut: they are parsed as before."""
    for path in sorted((REPO / "corpus").glob("*.txt")):
        doc = extractor.nlp.make_doc(path.read_text(encoding="utf-8"))
        starts: dict[int, int] = {}
        run_on_starts(doc, starts)
        assert starts == {}, path.name


def test_a_thirty_clause_roundup_is_extracted(extractor):
    """A roundup like the 1.6 KB one of issue 26 (48 s before, in C code no limit could stop):
    extracted in about the time of a short article; the guard only stops a hang."""
    from deal_extract.run.timelimit import time_limit

    with time_limit(120):
        record = extractor.extract_text(roundup(30), source="roundup.txt")
    assert record.deals
    assert all(d.deal_types == ["licensing"] for d in record.deals)


# --- 3. long runs of punctuation --------------------------------------------------------

def test_the_tokenizer_sees_no_long_symbol_run():
    """spaCy's tokenizer is quadratic in a token of punctuation or symbols (19,880 quotes: 130 s,
    10,000 commas: 16-20 s): runs are blanked after MAX_SYMBOL_RUN characters, offsets kept."""
    from deal_extract.text.markup import MAX_SYMBOL_RUN, mask_markup

    for run in ('"' * 20_000, "," * 10_000, "#" * 5_000, "\U0001f600" * 3_000, "$%+=" * 2_000):
        text = f"Pfizer signed a deal with Moderna. {run} Novartis acquired Roche."
        masked = mask_markup(text)
        assert len(masked) == len(text)
        assert masked.startswith(f"Pfizer signed a deal with Moderna. {run[:MAX_SYMBOL_RUN]} ")
        assert masked.endswith(" Novartis acquired Roche.")
        assert max(len(t) for t in masked.split()) <= MAX_SYMBOL_RUN


def test_an_article_with_a_long_quote_run_keeps_its_offsets(extractor):
    """Before: 3,000 quotes took seconds in the tokenizer (quadratic). The deals after the run
    are found, and every offset indexes the text as given."""
    from deal_extract.run.timelimit import time_limit

    text = ("Pfizer signed a licensing agreement with Moderna.\n\n" + '"' * 3_000
            + "\n\nNovartis agreed to acquire Kestrel Bio for $2 billion.\n")
    with time_limit(120):
        record = extractor.extract_text(text, source="quotes.txt")
    names = {o.name for o in record.organisations}
    assert {"Pfizer", "Moderna", "Novartis", "Kestrel Bio"} <= names
    for org in record.organisations:
        for start, end in org.mentions:
            assert text[start:end] == org.name or text[start:end] in org.aliases
    assert any(text[d.evidence.start:d.evidence.end].startswith("Novartis agreed") for d in record.deals)


# --- 4. YAML alias bombs ------------------------------------------------------------------

def alias_bomb(levels: int = 9) -> str:
    """Each level a list of nine aliases of the one before: 9**levels strings from ~40 bytes a level."""
    lines = ['a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]']
    lines += [f"a{k}: &a{k} [{','.join([f'*a{k - 1}'] * 9)}]" for k in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_as_it_is_read(tmp_path):
    """428 bytes of aliases grew to 5.7 GB (the JSON cache and the validation write them out)."""
    from deal_extract.rulefiles.loader import PatternError
    from deal_extract.rulefiles.yamlfile import MAX_ALIAS_NODES, parse_mapping

    bomb = tmp_path / "bomb.yml"
    bomb.write_text(alias_bomb())
    assert len(bomb.read_bytes()) < 450
    with pytest.raises(PatternError, match=f"^{bomb}: YAML aliases") as info:
        parse_mapping(bomb, bomb.read_text(), PatternError)
    assert f"more than {MAX_ALIAS_NODES:,}" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(PatternError, match="inside itself"):
        parse_mapping(bomb, "a: &x [1, *x]\n", PatternError)
    shared = "names: &n [Alpha, Beta]\nfirst: *n\nsecond: *n\n"  # ordinary sharing stays allowed
    assert parse_mapping(bomb, shared, PatternError)["second"] == ["Alpha", "Beta"]


@pytest.mark.parametrize("option", ["--organisations", "--patterns"])
def test_an_alias_bomb_option_exits_2_naming_the_file(tmp_path, option):
    from test_hostile_two import cli

    bomb = tmp_path / "relations.yml"
    bomb.write_text(alias_bomb())
    article = tmp_path / "a.txt"
    article.write_text("Pfizer signed a licensing agreement with Moderna.\n")
    result = cli("extract", option, bomb if option == "--organisations" else tmp_path, article)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"deal-extract extract: error: {bomb}: YAML aliases")


# --- 5. overlapping alternatives in a REGEX -------------------------------------------------

@pytest.mark.parametrize("regex", [r"^(\w|\w\w)+$", r"^(?:\w?\w)+$", r"^(?:a|ab|b)+$", r"(?:x|\d|\d\d)*"])
def test_a_regex_with_overlapping_choices_in_a_repetition_is_refused(regex):
    """``^(\\w|\\w\\w)+$``: 42 characters, 73 s (each character can end a round or not)."""
    from deal_extract.rulefiles.regexcheck import regex_problem

    assert "overlapping choices inside a repetition" in (regex_problem(regex) or "")


@pytest.mark.parametrize("regex", [r"(?:,\d\d\d)+", r"(?:a|ab)+", r"(?:[a-z]|x)+", r"(?:ab?)+", r"^[A-Z][^\W_]+$",
                                   r"(?:Dr|Mr)\.?(?: ?[A-Z][a-z])+"])
def test_a_regex_whose_choices_the_next_character_decides_is_accepted(regex):
    from deal_extract.rulefiles.regexcheck import regex_problem

    assert regex_problem(regex) is None


def test_a_pattern_file_with_an_overlapping_regex_is_refused(tmp_path):
    from deal_extract.rulefiles.loader import PatternError, Patterns
    from test_hostile_two import _patterns_copy

    folder = _patterns_copy(tmp_path)
    shapes = folder / "org_shapes.yml"
    shapes.write_text(shapes.read_text().replace('REGEX: "^[A-Z][A-Z0-9]*[*/&][A-Z][A-Z0-9]+$"',
                                                 'REGEX: "^(\\\\w|\\\\w\\\\w)+$"'))
    with pytest.raises(PatternError, match="overlapping choices inside a repetition"):
        Patterns(folder).validate_all()


# --- 1-2. time limits that end an article's work, once ---------------------------------------

SLOW_SECONDS = 30.0


class CountingSlowExtractor:
    """A fake extractor (tests/test_batch.py's) that lingers on "SLOWARTICLE" in Python code
    (a sleep: any time limit interrupts it) and counts how often each article is started."""

    def __init__(self):
        from test_batch import FakeExtractor

        self.fake = FakeExtractor()
        self.model_name, self.model_version, self.patterns = "fake_model", "1.0", self.fake.patterns
        self.started: list[str] = []

    def pipe(self, articles, batch_size=16, n_process=1):
        import time

        from test_batch import fake_result

        for article in articles:
            self.started.append(article.source)
            if "SLOWARTICLE" in article.text:
                time.sleep(SLOW_SECONDS)
            yield fake_result(article)


def test_a_timed_out_article_is_not_run_again(tmp_path):
    """Issue 26: a time-out was followed by a second run of the same article alone (on Dask two
    95 s stalls for a 5 s limit). The article waited for is the one that ran over: final."""
    from test_batch import DEAL, make_corpus, run

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode(), "b_slow.txt": ("SLOWARTICLE. " + DEAL).encode(),
                                               "c.txt": DEAL.encode(), "d.txt": DEAL.encode()})
    extractor = CountingSlowExtractor()
    manifest = run(corpus, tmp_path / "out", extractor, batch_size=4, timeout=0.5)
    rows = {r.path: r for r in manifest.inputs}
    assert {k: r.status for k, r in rows.items()} == {"a.txt": "ok", "b_slow.txt": "failed", "c.txt": "ok", "d.txt": "ok"}
    assert rows["b_slow.txt"].error.startswith(f"{corpus / 'b_slow.txt'}: extraction timed out after 0.5 s")
    assert sorted(extractor.started) == ["a.txt", "b_slow.txt", "c.txt", "d.txt"]  # each once


def test_extract_has_a_timeout(tmp_path, monkeypatch):
    from deal_extract import api
    from test_hostile_two import cli

    monkeypatch.setattr(api, "load", lambda **options: CountingSlowExtractor())
    article = tmp_path / "slow.txt"
    article.write_text("SLOWARTICLE. Pfizer signed a licensing agreement with Moderna.\n")
    result = cli("extract", "--timeout", "0.5", article)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"deal-extract extract: error: {article}: extraction timed out after 0.5 s (--timeout)"]


#: A process stuck in C code: the loop of ``deque(..., maxlen=0)`` over an endless iterator
#: never returns to the interpreter, so no Python signal handler (SIGALRM, Ctrl-C, SIGTERM) runs.
#: Its handlers only note a signal: one that came just before the loop leaves it running too.
STUCK = """
import collections, itertools, signal, sys, types
from pathlib import Path
package = types.ModuleType("deal_extract")  # the modules below, without the package's imports (spaCy)
package.__path__ = [sys.argv[3]]
sys.modules["deal_extract"] = package
from deal_extract.run.timelimit import time_limit
from deal_extract.run.watchdog import guarded, watching

def note(signum, frame):  # a Python handler runs between instructions: never inside the loop
    print("signal", signum, flush=True)  # (one that raises, as the batch's, would stop it only before the loop)

signal.signal(signal.SIGINT, note)
signal.signal(signal.SIGTERM, note)
article = types.SimpleNamespace(text="SLOWARTICLE", source="stuck.txt")
limit = float(sys.argv[1])
with watching("batch", note_path=Path(sys.argv[2]), grace=0.5, signal_grace=0.5):
    print("ready", flush=True)
    with time_limit(limit), guarded(article, limit):
        collections.deque(itertools.repeat(1), maxlen=0)
"""


def test_the_watchdog_ends_work_stuck_in_c_code(tmp_path):
    """SIGALRM, Ctrl-C and SIGTERM handlers cannot interrupt the loop (Ctrl-C was ignored for
    over 300 s). The watchdog process kills the process after the limit and the grace period,
    naming the article in one line and noting it for the next run; Ctrl-C and SIGTERM reach
    the watchdog at once (the signal wakeup pipe), which kills the process when it has not
    stopped by itself within the grace period."""
    import json
    import signal
    import subprocess
    import sys

    from deal_extract.corpus.store import text_sha256
    from deal_extract.run.watchdog import noted

    def stuck(limit: float, notes: Path):
        return subprocess.Popen([sys.executable, "-c", STUCK, str(limit), str(notes), str(REPO / "src" / "deal_extract")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    procs = {"limit": stuck(0.5, tmp_path / "limit.jsonl"),
             "SIGINT": stuck(600, tmp_path / "sigint.jsonl"), "SIGTERM": stuck(600, tmp_path / "sigterm.jsonl")}
    for name in ("SIGINT", "SIGTERM"):
        assert procs[name].stdout.readline() == "ready\n"
        procs[name].send_signal(getattr(signal, name))
    errors = {}
    for name, proc in procs.items():
        errors[name] = proc.communicate(timeout=120)[1].strip().splitlines()
        assert proc.returncode == -signal.SIGKILL, name
    assert errors["limit"] == [
        "deal-extract batch: error: stuck.txt: extraction timed out after 0.5 s and was still running 0.5 s later "
        "(in code that no signal interrupts): the batch is stopped; run the same command again to go on "
        "(the article is then recorded as timed out)"]
    assert json.loads((tmp_path / "limit.jsonl").read_text())["source"] == "stuck.txt"
    assert noted(tmp_path / "limit.jsonl") == {("stuck.txt", text_sha256("SLOWARTICLE")): 0.5}
    for name in ("SIGINT", "SIGTERM"):
        assert errors[name] == ["deal-extract batch: still running 0.5 s after an interrupt "
                                "(in code that no signal interrupts): stopped"]
        assert not (tmp_path / f"{name.lower()}.jsonl").exists()


def test_an_article_the_watchdog_stopped_is_not_run_again(tmp_path):
    """The next run records it as timed out without running it, unless given a larger limit."""
    import json

    from deal_extract.corpus.store import text_sha256
    from deal_extract.run.watchdog import NOTES_NAME
    from test_batch import DEAL, make_corpus, run

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DEAL.encode(), "b.txt": ("SLOWARTICLE. " + DEAL).encode()})
    out = tmp_path / "out"
    out.mkdir()
    (out / NOTES_NAME).write_text(json.dumps({"source": "b.txt", "text_sha256": text_sha256("SLOWARTICLE. " + DEAL),
                                               "seconds": 0.3}) + "\n")
    extractor = CountingSlowExtractor()
    manifest = run(corpus, out, extractor, timeout=0.3)
    rows = {r.path: r for r in manifest.inputs}
    assert rows["b.txt"].status == "failed" and "in an earlier run" in rows["b.txt"].error
    assert extractor.started == ["a.txt"]
    run(corpus, out, extractor, timeout=0.2)  # no larger: still not run
    assert extractor.started == ["a.txt"]
    run(corpus, out, extractor, timeout=0.5, force=True)  # a larger limit runs it (and times out)
    assert "b.txt" in extractor.started
