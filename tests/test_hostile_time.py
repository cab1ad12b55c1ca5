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
