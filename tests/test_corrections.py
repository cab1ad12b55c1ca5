"""Corrections become gold files: the draft the review page's form starts from, the YAML of a gold
file, and where (and whether) a correction is saved. In-process, no model, no browser; the form
itself is driven in Chromium in test_serve_browser.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from deal_extract.evaluation.corrections import (
    MAX_STEM, CorrectionError, CorrectionExists, correction_path, draft, save_correction, vocabularies,
)
from deal_extract.evaluation.gold import gold_yaml, load_gold, parse_gold
from deal_extract.evaluation.report import ReportArticle, render_html
from deal_extract.records import ArticleResult, Deal, Evidence, GoldFile, Organisation, Party, Value
from deal_extract.rulefiles.yamlfile import parse_mapping
from deal_extract.vocab import DEAL_STATUSES, DEAL_TYPES, ORG_KINDS, ROLES, THEMES

REPO = Path(__file__).resolve().parents[1]
TEXT = ("Acme Biologics Co., Ltd. licensed its ADC to Beta Pharma. Acme will receive $10 million.\n"
        "ACME and Beta also talked to Gamma Labs.\n")


def span(s: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(s, start + 1)
    return start, start + len(s)


def article() -> ReportArticle:
    orgs = [
        Organisation(name="Acme Biologics Co., Ltd.", country="KR",
                     mentions=[span("Acme Biologics Co., Ltd."), span("Acme", 1), span("ACME")]),
        Organisation(name="Beta Pharma", country="US", mentions=[span("Beta Pharma"), span("Beta", 1)]),
        Organisation(name="Gamma Labs", kind="academic", mentions=[span("Gamma Labs")]),
    ]
    first = TEXT.split(".")[0]
    deal = Deal(id="d1", partners=[Party(name="Acme Biologics Co., Ltd.", country="KR", role="licensor"),
                                   Party(name="Beta Pharma", country="US"), Party(name="Delta Inc", country="JP")],
                themes=["adc"], deal_types=["licensing"], value=Value(amount=1e7, currency="USD", text="$10 million"),
                evidence=Evidence(text=first, start=0, end=len(first)), confidence=0.9, announced="2025-03", assets=["AB-1"])
    result = ArticleResult(source="feeds/acme_beta.txt", title="Acme licenses ADC", organisations=orgs, deals=[deal])
    return ReportArticle(name="acme_beta", source="feeds/acme_beta.txt", text=TEXT, result=result)


def gold_of(found: dict) -> dict:
    """The gold file the form makes of a draft when every deal is marked right and nothing changed."""
    keep = ("partners", "themes", "deal_types", "territories", "value")
    return {"article": found["article"], "title": found["title"], "organisations": found["organisations"],
            "deals": [{k: d[k] for k in keep} for d in found["deals"]]}


# --- the draft ------------------------------------------------------------------------------

def test_the_draft_is_the_extraction_as_a_gold_file_with_the_texts_spellings_as_aliases():
    found = draft(article())
    assert found["stem"] == "acme_beta" and found["article"] == "acme_beta.txt" and found["published"] is None
    orgs = {o["name"]: o for o in found["organisations"]}
    assert orgs["Acme Biologics Co., Ltd."] == {"name": "Acme Biologics Co., Ltd.", "aliases": ["Acme", "ACME"],
                                                "country": "KR", "kind": "company"}
    assert orgs["Beta Pharma"]["aliases"] == ["Beta"] and orgs["Gamma Labs"]["kind"] == "academic"
    assert orgs["Delta Inc"] == {"name": "Delta Inc", "aliases": [], "country": "JP", "kind": "company"}  # a partner only
    [deal] = found["deals"]
    assert deal["roles"] == {"Acme Biologics Co., Ltd.": "licensor", "Beta Pharma": None, "Delta Inc": None}
    assert (deal["status"], deal["announced"], deal["assets"]) == ("agreed", "2025-03", ["AB-1"])
    gold = parse_gold(gold_of(found), "draft")  # the project's gold model takes it
    assert gold.deals[0].value.amount == 1e7 and gold.deals[0].partners[0] == "Acme Biologics Co., Ltd."


def test_a_spelling_of_two_organisations_is_an_alias_of_neither_but_the_first():
    a = article()
    orgs = a.result.organisations
    orgs[1] = orgs[1].model_copy(update={"mentions": [*orgs[1].mentions, span("Acme", 1)]})
    names = {o["name"]: o["aliases"] for o in draft(a)["organisations"]}
    assert names["Beta Pharma"] == ["Beta"] and "Acme" in names["Acme Biologics Co., Ltd."]


def test_the_form_offers_the_projects_vocabularies():
    assert vocabularies() == {"themes": THEMES, "deal_types": DEAL_TYPES, "kinds": ORG_KINDS, "roles": ROLES,
                              "statuses": DEAL_STATUSES}


def test_a_page_with_the_form_holds_each_draft_as_data_that_no_text_can_end():
    a = article()
    a.result.organisations[2] = a.result.organisations[2].model_copy(update={"name": "</script><b>x</b>"})
    html = render_html([a], correct=True)
    assert html.count("<script") == 3 and html.count("</script>") == 3  # the draft, the vocabularies, the code
    assert "\\u003c/script\\u003e\\u003cb\\u003ex\\u003c/b\\u003e" in html
    assert "<script" not in render_html([a])


# --- the YAML of a gold file --------------------------------------------------------------------

NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(a=NAMES, b=NAMES, note=st.text(max_size=40), text=st.text(max_size=20))
def test_gold_yaml_reads_back_as_the_same_gold_file_whatever_the_names(a, b, note, text):
    if a == b:
        b += "x"
    gold = GoldFile.model_validate({
        "article": f"{a}.txt", "organisations": [{"name": a, "aliases": [b + " alias"], "country": "KR"}, {"name": b}],
        "deals": [{"partners": [a, b], "themes": ["adc"], "value": {"amount": 1.5e9, "currency": "USD", "text": text},
                   "roles": {a: "licensor", b: None}, "announced": "2025", "note": note}]})
    again = parse_gold(parse_mapping(Path("x.yaml"), gold_yaml(gold), ValueError), "again")
    assert again == gold
    assert again.deals[0].model_fields_set == gold.deals[0].model_fields_set  # a field left out stays out


def test_gold_yaml_writes_only_what_the_gold_file_sets_in_the_layout_of_spec_section_3():
    gold = load_gold(REPO / "tests" / "gold" / "pr_hanbit_kestrel_licence.yaml")
    text = gold_yaml(gold)
    assert "  - name: Kestrel Biologics\n    aliases: [Kestrel]\n    country: CN\n    kind: company\n" in text
    assert "    themes: [adc, oncology]\n" in text and "    value: {amount: 685000000.0, currency: USD" in text
    assert gold_yaml(GoldFile(article="a.txt")) == "article: a.txt\n"


# --- saving: where, and whether -----------------------------------------------------------------

GOLD = {"article": "acme_beta.txt", "organisations": [{"name": "Acme"}, {"name": "Beta"}],
        "deals": [{"partners": ["Acme", "Beta"], "themes": ["adc"]}]}


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("stem", ["", ".", "..", "../acme_beta", "a/b", "a\\b", "/etc/passwd", ".hidden", "x\x00",
                                  "x\ny", " x", "x ", "a" * (MAX_STEM + 1), None, 7])
def test_a_name_that_is_no_plain_file_stem_is_refused_and_nothing_is_written(tmp_path, stem):
    folder = tmp_path / "corrections"
    folder.mkdir()
    with pytest.raises(CorrectionError) as caught:
        save_correction(folder, stem, GOLD)
    assert caught.value.status == 400
    assert tree(tmp_path) == {"corrections"}


def test_a_correction_is_saved_as_the_articles_gold_file_in_the_folder(tmp_path):
    saved = save_correction(tmp_path, "acme_beta", GOLD, articles={"acme_beta", "other"})
    assert saved.path == tmp_path.resolve() / "acme_beta.yaml" and not saved.replaced
    assert load_gold(saved.path) == GoldFile.model_validate(GOLD)
    assert tree(tmp_path) == {"acme_beta.yaml"}


def test_an_existing_gold_file_is_replaced_only_when_the_request_says_so(tmp_path):
    (tmp_path / "acme_beta.yml").write_text("old\n")  # either suffix is the article's gold file
    with pytest.raises(CorrectionExists) as caught:
        save_correction(tmp_path, "acme_beta", GOLD)
    assert caught.value.status == 409 and "replaced only when the request says overwrite" in str(caught.value)
    assert (tmp_path / "acme_beta.yml").read_text() == "old\n"
    saved = save_correction(tmp_path, "acme_beta", GOLD, overwrite=True)
    assert saved.replaced and saved.path.name == "acme_beta.yml" and tree(tmp_path) == {"acme_beta.yml"}
    assert load_gold(saved.path).deals[0].themes == ["adc"]


def test_a_link_in_the_way_is_not_written_through(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("mine\n")
    folder = tmp_path / "corrections"
    folder.mkdir()
    os.symlink(outside, folder / "acme_beta.yaml")
    for overwrite in (False, True):
        with pytest.raises(CorrectionError) as caught:
            save_correction(folder, "acme_beta", GOLD, overwrite=overwrite)
        assert caught.value.status == 409 and "symbolic link" in str(caught.value)
    assert outside.read_text() == "mine\n"
    (folder / "acme_beta.yaml").unlink()
    (folder / "acme_beta.yaml").mkdir()
    with pytest.raises(CorrectionError, match="exists and is not a file"):
        save_correction(folder, "acme_beta", GOLD, overwrite=True)


def test_an_unknown_article_an_invalid_gold_file_or_another_articles_is_refused(tmp_path):
    with pytest.raises(CorrectionError) as caught:
        save_correction(tmp_path, "acme_beta", GOLD, articles={"other"})
    assert caught.value.status == 404
    with pytest.raises(CorrectionError) as caught:
        save_correction(tmp_path, "acme_beta", {**GOLD, "deals": [{"partners": ["Acme", "Nobody"]}]})
    assert caught.value.status == 400
    assert caught.value.lines == ["acme_beta: corrections: invalid gold file",
                                  "  top level: Value error, deals[0]: partner 'Nobody' is not a gold organisation name or alias"]
    with pytest.raises(CorrectionError, match="is of article 'other.txt', not 'acme_beta'"):
        save_correction(tmp_path, "acme_beta", {**GOLD, "article": "other.txt"})
    assert tree(tmp_path) == set()


def test_the_path_of_a_correction_is_in_the_folder_whatever_the_folder_is_called(tmp_path):
    folder = tmp_path / "a b" / ".." / "c"
    folder.mkdir(parents=True)
    assert correction_path(folder, "x.y") == (tmp_path / "c" / "x.y.yaml").resolve()
    assert yaml.safe_load(gold_yaml(GoldFile(article="x.txt", title="yes")))["title"] == "yes"
