"""Broken pattern files: every problem is a PatternError naming the file and the entry, and
``deal-extract extract FILE --patterns DIR`` exits 2 with one clear paragraph on stderr.

Each case copies the real ``patterns/`` folder to a temporary folder and breaks one file. The
breakage is inserted at the top of a list (right after its key line), so the cases do not
depend on what the curated entries are; the broken entry is therefore entry 1.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from deal_extract.rulefiles.loader import PATTERN_FILES, PatternError, Patterns, default_patterns_dir

ARTICLE = "Samsung Biologics signed a manufacturing agreement with Pfizer worth $400 million.\n"


def copy_patterns(tmp_path: Path) -> Path:
    folder = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), folder)
    return folder


# the curated list lives in patterns/organisations/ by segment; the cases edit one segment file
ORG_FILE = "organisations/apac_cn.yml"


def insert_after_key(folder: Path, name: str, key: str, block: str) -> int:
    """Insert ``block`` right after the top-level line ``key:`` of ``name``; return its first line number."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(key)}:[ \t]*(#.*)?\n", text, flags=re.MULTILINE)
    assert match, f"{name} has no block list under a top-level '{key}:' line"
    path.write_text(text[:match.end()] + block + text[match.end():], encoding="utf-8")
    return text[:match.end()].count("\n") + 1


def replace_in(folder: Path, name: str, old: str, new: str) -> str:
    """Replace the first ``old`` in ``name`` by ``new``; return ``name``."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return name


# --- the cases --------------------------------------------------------------------------

#: case id -> (break the folder, returns the broken file's name; substrings the message must hold)
Case = tuple[Callable[[Path], str], list[str]]


def _syntax_error(folder: Path) -> str:
    line = insert_after_key(folder, "themes.yml", "cues", '  - id: "vaccine"\n\t  phrases: ["jab"]\n')
    _syntax_error.line = line + 1  # the tab
    return "themes.yml"


def _unknown_key(folder: Path) -> str:
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    country: "KR"\n    colour: "red"\n')
    return ORG_FILE


def _wrong_type(folder: Path) -> str:
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    aliases: "Zyxor"\n    country: "KR"\n')
    return ORG_FILE


def _wrong_type_number(folder: Path) -> str:
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    confidence: "high"\n    pattern:\n'
                     '      - {RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
                     '      - {LEFT_ID: "party_a", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "conj"}}\n')
    return "relations.yml"


def _unknown_theme(folder: Path) -> str:
    insert_after_key(folder, "themes.yml", "cues", '  - id: "vaccines"\n    phrases: ["jab"]\n')
    return "themes.yml"


def _unknown_deal_type(folder: Path) -> str:
    insert_after_key(folder, "deal_types.yml", "cues", '  - id: "licencing"\n    phrases: ["licence"]\n')
    return "deal_types.yml"


def _unknown_relation_deal_type(folder: Path) -> str:
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    deal_types: ["merger"]\n    pattern:\n'
                     '      - {RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
                     '      - {LEFT_ID: "party_a", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "conj"}}\n')
    return "relations.yml"


def _bad_dependency_operator(folder: Path) -> str:
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    pattern:\n'
                     '      - {RIGHT_ID: "trigger", RIGHT_ATTRS: {LEMMA: "sign"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: "~~", RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "dobj"}}\n')
    return "relations.yml"


def _bad_dependency_left_id(folder: Path) -> str:
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    pattern:\n'
                     '      - {RIGHT_ID: "trigger", RIGHT_ATTRS: {LEMMA: "sign"}}\n'
                     '      - {LEFT_ID: "trigga", REL_OP: ">", RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "dobj"}}\n')
    return "relations.yml"


def _bad_dependency_attribute(folder: Path) -> str:
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    pattern:\n'
                     '      - {RIGHT_ID: "trigger", RIGHT_ATTRS: {LEMA: "sign"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "dobj"}}\n')
    return "relations.yml"


def _relation_without_parties(folder: Path) -> str:
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    pattern:\n'
                     '      - {RIGHT_ID: "trigger", RIGHT_ATTRS: {LEMMA: "sign"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n')
    return "relations.yml"


def _duplicate_organisation(folder: Path) -> str:
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    country: "KR"\n'
                     '  - name: "Zyxor Biologics"\n    country: "JP"\n')
    return ORG_FILE


def _alias_of_another_organisation(folder: Path) -> str:
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    country: "KR"\n'
                     '  - name: "Qorvane Pharma"\n    aliases: ["zyxor  biologics"]\n    country: "JP"\n')
    return ORG_FILE


def _repeated_word(folder: Path) -> str:
    return replace_in(folder, "not_organisations.yml", 'hospital: ["Hospital",', 'hospital: ["hospital", "Hospital",')


def _repeated_alias(folder: Path) -> str:
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    aliases: ["Zyxor", "Zyxor"]\n    country: "KR"\n')
    return ORG_FILE


def _repeated_pattern_word(folder: Path) -> str:
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    pattern:\n'
                     '      - {RIGHT_ID: "trigger", RIGHT_ATTRS: {LEMMA: {IN: ["sign", "ink", "sign"]}}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "dobj"}}\n')
    return "relations.yml"


def _repeated_relation_id(folder: Path) -> str:
    block = ('  - id: "zyxor_relation"\n    pattern:\n'
             '      - {RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
             '      - {LEFT_ID: "party_a", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "conj"}}\n')
    insert_after_key(folder, "relations.yml", "relations", block + block)
    return "relations.yml"


def _word_in_two_countries(folder: Path) -> str:
    insert_after_key(folder, "countries.yml", "countries", '  - code: "ZZ"\n    names: ["Japan"]\n')
    return "countries.yml"


def _word_of_two_kinds(folder: Path) -> str:
    return replace_in(folder, "not_organisations.yml", 'academic: ["University",', 'academic: ["Hospital", "University",')


def _deal_noun_is_a_blocker(folder: Path) -> str:
    return replace_in(folder, "relations.yml", 'blockers: ["talk",', 'blockers: ["pact", "talk",')


def _yaml_boolean_name(folder: Path) -> str:
    insert_after_key(folder, ORG_FILE, "organisations", '  - name: no\n    country: "KR"\n')
    return ORG_FILE


def _yaml_boolean_country_code(folder: Path) -> str:  # the Norway problem
    insert_after_key(folder, "countries.yml", "countries", '  - code: NO\n    names: ["Norway"]\n')
    return "countries.yml"


def _yaml_boolean_in_a_list(folder: Path) -> str:
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    aliases: ["Zyxor", yes]\n    country: "KR"\n')
    return ORG_FILE


def _empty_file(folder: Path) -> str:
    (folder / "themes.yml").write_text("# nothing here\n", encoding="utf-8")
    return "themes.yml"


def _not_utf8(folder: Path) -> str:
    (folder / "themes.yml").write_bytes('cues:\n  - id: "adc"\n    phrases: ["café"]\n'.encode("latin-1"))
    return "themes.yml"


CASES: dict[str, Case] = {
    "yaml_syntax_error": (_syntax_error, ["YAML syntax error", "line "]),
    "unknown_key": (_unknown_key, ["entry 1 (Zyxor Biologics)", "'colour'", "Extra inputs"]),
    "wrong_type_list": (_wrong_type, ["entry 1 (Zyxor Biologics)", "'aliases'", "valid list"]),
    "wrong_type_number": (_wrong_type_number, ["entry 1 (zyxor_relation)", "'confidence'", "valid number"]),
    "unknown_theme_id": (_unknown_theme, ["entry 1 (vaccines)", "'id'", "'vaccine'"]),
    "unknown_deal_type_id": (_unknown_deal_type, ["entry 1 (licencing)", "'id'", "'licensing'"]),
    "unknown_deal_type_in_relation": (_unknown_relation_deal_type, ["entry 1 (zyxor_relation)", "'deal_types'"]),
    "dependency_operator": (_bad_dependency_operator, ["entry 1 (zyxor_relation)", "DependencyMatcher", "~~"]),
    "dependency_left_id": (_bad_dependency_left_id, ["entry 1 (zyxor_relation)", "DependencyMatcher"]),
    "dependency_attribute": (_bad_dependency_attribute, ["entry 1 (zyxor_relation)", "DependencyMatcher", "LEMA"]),
    "relation_without_party_b": (_relation_without_parties, ["entry 1 (zyxor_relation)", "party_b"]),
    "organisation_twice_two_countries": (_duplicate_organisation, ["entry 2 (Zyxor Biologics)", "entry 1", "country KR"]),
    "alias_names_another_organisation": (_alias_of_another_organisation, ["entry 2 (Qorvane Pharma)", "entry 1 (Zyxor Biologics"]),
    "repeated_word": (_repeated_word, ["kind_words", "'Hospital' is listed twice (as 'hospital')"]),
    "repeated_alias": (_repeated_alias, ["entry 1 (Zyxor Biologics)", "'aliases'", "'Zyxor' is listed twice"]),
    "repeated_pattern_word": (_repeated_pattern_word, ["entry 1 (zyxor_relation)", "'sign' is listed twice"]),
    "repeated_relation_id": (_repeated_relation_id, ["relation 'zyxor_relation' is listed twice"]),
    "word_in_two_countries": (_word_in_two_countries, ["'Japan' is both a ZZ name and a JP name"]),
    "word_of_two_kinds": (_word_of_two_kinds, ["'Hospital' is listed for academic and hospital"]),
    "deal_noun_is_a_blocker": (_deal_noun_is_a_blocker, ["'pact' in both deal_nouns and blockers"]),
    "yaml_boolean_name": (_yaml_boolean_name, ["organisations, entry 1", "'name'", "valid string"]),
    "yaml_boolean_country_code": (_yaml_boolean_country_code, ["countries, entry 1", "'code'", "valid string"]),
    "yaml_boolean_in_a_list": (_yaml_boolean_in_a_list, ["entry 1 (Zyxor Biologics)", "'aliases'", "entry 2", "valid string"]),
    "empty_file": (_empty_file, ["mapping"]),
    "not_utf8": (_not_utf8, ["cannot read", "utf-8"]),
}


def break_patterns(tmp_path: Path, case: str) -> tuple[Path, Path, list[str]]:
    folder = copy_patterns(tmp_path)
    breaker, parts = CASES[case]
    name = breaker(folder)
    if case == "yaml_syntax_error":
        parts = [*parts, f"line {_syntax_error.line},"]
    return folder, folder / name, parts


def test_the_real_patterns_load(tmp_path):
    folder = copy_patterns(tmp_path)
    Patterns(folder).validate_all()
    assert sorted(p.name for p in folder.glob("*.yml")) == sorted(set(PATTERN_FILES) - {"organisations.yml"})
    assert list((folder / "organisations").glob("*.yml"))


@pytest.mark.parametrize("case", CASES)
def test_pattern_error_names_file_and_entry(tmp_path, case):
    folder, path, parts = break_patterns(tmp_path, case)
    with pytest.raises(PatternError) as info:
        Patterns(folder).validate_all()
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    for part in parts:
        assert part in message, (part, message)
    assert "Traceback" not in message


def test_yaml_syntax_error_points_at_the_line(tmp_path):
    folder, path, _ = break_patterns(tmp_path, "yaml_syntax_error")
    with pytest.raises(PatternError, match=rf"themes\.yml: YAML syntax error at line {_syntax_error.line}, column 1"):
        Patterns(folder).validate_all()


def test_an_organisation_listed_twice_is_an_error_even_with_the_same_country(tmp_path):
    folder = copy_patterns(tmp_path)
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    country: "KR"\n  - name: "Zyxor Biologics"\n    country: "KR"\n')
    with pytest.raises(PatternError, match=r"entry 2 \(Zyxor Biologics\): name 'zyxor biologics' is already entry 1"):
        Patterns(folder).validate_all()


def test_missing_patterns_folder(tmp_path):
    with pytest.raises(PatternError, match=re.escape(f"{tmp_path / 'nope'}: patterns folder not found")):
        Patterns(tmp_path / "nope")


# --- safe loading only ------------------------------------------------------------------

@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:pathlib.Path ['{marker}']",
    "!!python/name:os.system",
])
def test_python_tags_are_rejected_not_executed(tmp_path, tag):
    folder = copy_patterns(tmp_path)
    marker = tmp_path / "executed"
    path = folder / ORG_FILE
    path.write_text(f"evil: {tag.format(marker=marker)}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PatternError) as info:
        Patterns(folder).validate_all()
    message = str(info.value)
    assert message.startswith(f"{path}: YAML"), message
    assert "line 1" in message and "python" in message
    assert not marker.exists()


# --- problems the loader should catch but does not (yet) --------------------------------

@pytest.mark.filterwarnings("ignore:.*W035")
def test_unknown_operator_in_a_dependency_pattern_is_an_error(tmp_path):
    folder = copy_patterns(tmp_path)
    insert_after_key(folder, "relations.yml", "relations",
                     '  - id: "zyxor_relation"\n    pattern:\n'
                     '      - {RIGHT_ID: "trigger", RIGHT_ATTRS: {LEMMA: {INN: ["sign", "ink"]}}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_a", RIGHT_ATTRS: {DEP: "nsubj"}}\n'
                     '      - {LEFT_ID: "trigger", REL_OP: ">", RIGHT_ID: "party_b", RIGHT_ATTRS: {DEP: "dobj"}}\n')
    with pytest.raises(PatternError, match=r"relations\.yml: relations, entry 1 \(zyxor_relation\).*INN"):
        Patterns(folder).validate_all()


# --- token patterns (org shapes, theme and deal-type cues) -----------------------------

def _bad_shape(folder: Path) -> str:
    insert_after_key(folder, "org_shapes.yml", "shapes",
                     '  - id: "zyxor_shape"\n    pattern:\n      - {LOWERR: {IN: ["zyxor"]}}\n      - {LOWER: "biologics"}\n')
    return "org_shapes.yml"


def _bad_theme_pattern(folder: Path) -> str:
    insert_after_key(folder, "themes.yml", "cues", '  - id: "adc"\n    patterns:\n      - [{ORTHH: "ADC"}]\n')
    return "themes.yml"


def _bad_deal_type_pattern(folder: Path) -> str:
    insert_after_key(folder, "deal_types.yml", "cues", '  - id: "licensing"\n    patterns:\n      - [{LOWER: {INN: ["licence"]}}]\n')
    return "deal_types.yml"


#: case -> (break the folder; the list the entry is in; the entry's id; the culprit the message names)
TOKEN_CASES = {
    "org_shape_unknown_attribute": (_bad_shape, "shapes", "zyxor_shape", "LOWERR"),
    "theme_pattern_unknown_attribute": (_bad_theme_pattern, "cues", "adc", "ORTHH"),
    "deal_type_pattern_unknown_operator": (_bad_deal_type_pattern, "cues", "licensing", "INN"),
}


def assert_names_token_entry(message: str, section: str, ident: str, culprit: str) -> None:
    assert f"{section}, entry" in message and ident in message and culprit in message, message


@pytest.mark.parametrize("case", TOKEN_CASES)
def test_invalid_token_pattern_is_an_error(tmp_path, case):
    folder = copy_patterns(tmp_path)
    breaker, section, ident, culprit = TOKEN_CASES[case]
    path = folder / breaker(folder)
    with pytest.raises(PatternError) as info:
        Patterns(folder).validate_all()
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert_names_token_entry(message, section, ident, culprit)


def test_duplicate_key_in_an_entry_is_an_error(tmp_path):
    folder = copy_patterns(tmp_path)
    insert_after_key(folder, ORG_FILE, "organisations",
                     '  - name: "Zyxor Biologics"\n    country: "KR"\n    country: "JP"\n')
    with pytest.raises(PatternError, match=re.escape(ORG_FILE) + r".*(duplicate|twice).*country"):
        Patterns(folder).validate_all()


def test_yaml_boolean_message_says_to_quote(tmp_path):
    folder, _, _ = break_patterns(tmp_path, "yaml_boolean_name")
    with pytest.raises(PatternError) as info:
        Patterns(folder).validate_all()
    message = str(info.value)
    assert "False" in message or "boolean" in message, message
    assert "quote" in message, message


# --- the command line -------------------------------------------------------------------

@pytest.fixture
def run_extract():
    from deal_extract import cli

    cli._register()

    def invoke(*args):
        return CliRunner().invoke(cli.app, ["extract", *map(str, args)])

    return invoke


def assert_one_paragraph(result, path: Path) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    err = result.stderr.rstrip("\n")
    assert err.startswith(f"deal-extract extract: error: {path}"), err
    lines = err.splitlines()
    assert 1 <= len(lines) <= 6 and all(line.strip() for line in lines), err  # one paragraph, no blank lines
    assert all(line.startswith("  ") for line in lines[1:]), err            # follow-on lines indented


@pytest.mark.parametrize("case", CASES)
def test_extract_with_broken_patterns_exits_2(tmp_path, run_extract, case):
    folder, path, parts = break_patterns(tmp_path, case)
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE)
    result = run_extract(article, "--patterns", folder)
    assert_one_paragraph(result, path)
    for part in parts:
        assert part in result.stderr, (part, result.stderr)


def test_extract_with_missing_patterns_folder_exits_2(tmp_path, run_extract):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE)
    result = run_extract(article, "--patterns", tmp_path / "nope")
    assert_one_paragraph(result, tmp_path / "nope")
    assert "patterns folder not found" in result.stderr


@pytest.mark.parametrize("case", TOKEN_CASES)
def test_extract_with_invalid_token_pattern_exits_2(tmp_path, run_extract, case):
    folder = copy_patterns(tmp_path)
    breaker, section, ident, culprit = TOKEN_CASES[case]
    path = folder / breaker(folder)
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE + "Zyxor Biologics signed a licence. The ADC deal closed.\n")
    result = run_extract(article, "--patterns", folder)
    assert_one_paragraph(result, path)
    assert_names_token_entry(result.stderr, section, ident, culprit)
