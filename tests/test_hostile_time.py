"""Hostile input, round three (issue 26), time that nothing bounds: clause chains, time limits that
end an article's work in every engine, long punctuation runs, YAML alias bombs, overlapping
regular expressions.

Growth is shown on small inputs by counting work (matcher steps, sentence lengths, expanded
nodes), never by timing; the few time limits are generous guards against hangs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deal_extract.deals.clauses import WORK_PER_TOKEN
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
        matcher = relations.matcher_for(words & relations.required_words)
        found[clauses] = len(matcher(sentence_doc(sent)))
        per_token[clauses] = matcher.steps / len(sent)
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
