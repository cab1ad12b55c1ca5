"""Property-based tests of the extractor: over arbitrary text, word salad from the deal
vocabulary, and team corpus articles mutated (sentences shuffled, dropped, duplicated, case
changed, paragraphs rejoined), the output is always a valid record whose offsets index the text.

Few examples each (``deadline=None``: one extraction takes tenths of a second), so CI stays quick.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deal_extract.records import ArticleResult

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- the properties ---------------------------------------------------------------------

def check_record(text: str, result: ArticleResult, partner_countries: bool = True) -> None:
    """Every property one extraction must have (``partner_countries``: a partner's country is its
    organisation's)."""
    # the output is a valid record, and survives a JSON round trip unchanged
    again = ArticleResult.model_validate_json(result.to_json())
    assert again == result

    # organisations: once each, every mention a non-empty slice of the text
    names = [org.name for org in result.organisations]
    assert len(names) == len(set(names)), f"organisation listed twice: {names}"
    countries = {org.name: org.country for org in result.organisations}
    for org in result.organisations:
        assert org.name.strip(), org
        for start, end in org.mentions:
            assert 0 <= start < end <= len(text), (org.name, start, end, len(text))
            assert text[start:end].strip(), (org.name, start, end, text[start:end])

    # deals: two or more distinct partners, all of them organisations; evidence indexes the text
    ids = [deal.id for deal in result.deals]
    assert len(ids) == len(set(ids)), f"deal id twice: {ids}"
    for deal in result.deals:
        partners = [p.name for p in deal.partners]
        assert len(set(partners)) >= 2 and len(set(partners)) == len(partners), partners
        assert set(partners) <= set(names), (partners, names)
        if partner_countries:
            for party in deal.partners:
                assert party.country == countries[party.name], (party, countries[party.name])
        ev = deal.evidence
        assert 0 <= ev.start <= ev.end <= len(text), (ev.start, ev.end, len(text))
        assert text[ev.start:ev.end] == ev.text
        assert ev.text.strip(), deal


def check_extraction(extractor, text: str, source: str = "prop.txt", partner_countries: bool = True) -> ArticleResult:
    result = extractor.extract_text(text, source=source)
    check_record(text, result, partner_countries)
    second = extractor.extract_text(text, source=source)
    assert [d.id for d in second.deals] == [d.id for d in result.deals], "deal ids differ between two runs"
    assert second == result, "two runs over the same text differ"
    return result


# --- arbitrary text ---------------------------------------------------------------------

@settings(max_examples=40, **SETTINGS)
@given(text=st.text(max_size=400))
def test_arbitrary_text(extractor, text):
    check_extraction(extractor, text)


@settings(max_examples=25, **SETTINGS)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=2000))
def test_arbitrary_unicode_text_longer(extractor, text):
    check_extraction(extractor, text)


# --- word salad from the deal vocabulary --------------------------------------------------

ORG_NAMES = ["Samsung Biologics", "Pfizer", "WuXi Biologics", "Hanmi Pharmaceutical", "Takeda", "Celltrion",
             "Kestrel Biologics", "Zyxor Therapeutics", "Seoul National University Hospital", "AstraZeneca",
             "Taiwan's Formosa Pharmaceuticals", "Coreline Soft (South Korea)"]
WORDS = ["signed", "a", "an", "the", "licence", "license", "agreement", "with", "and", "partnered", "acquired",
         "collaboration", "deal", "worth", "up to", "$400 million", "¥3 billion", "for", "rights", "in",
         "Greater China", "Japan", "worldwide", "ADC", "antibody", "CDMO", "manufacturing", "supply", "said",
         "The company", "the two firms", "It", "its", "invested", "in", "Series B", "round", "led by", "(", ")",
         ",", ".", ";", ":", "-", "–", "'s", "Korean", "Chinese", "not", "talks", "\n", "\n\n", "\n- ", "\n# ",
         "\r\n", "\t", "  ", "“", "”", "2025-03-12", "Inc.", "Co., Ltd.", "CEO", "Dr. Kim"]


@settings(max_examples=40, **SETTINGS)
@given(tokens=st.lists(st.sampled_from(ORG_NAMES + WORDS), max_size=120))
def test_deal_vocabulary_word_salad(extractor, tokens):
    check_extraction(extractor, " ".join(tokens))


# --- mutated team corpus articles -------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])[ \t]+(?=\S)|\n")


def corpus_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.iterdir())
            if p.suffix in (".txt", ".md") and p.is_file()}


TEXTS = corpus_texts()
UNITS = {name: [u for u in _SENTENCE_END.split(text) if u.strip()] for name, text in TEXTS.items()}


def test_corpus_is_there():
    assert len(TEXTS) >= 10 and all(len(units) >= 5 for units in UNITS.values())


_CASE = {
    "keep": lambda s: s,
    "upper": str.upper,
    "lower": str.lower,
    "title": str.title,
    "swapcase": str.swapcase,
}


@st.composite
def mutated_articles(draw) -> tuple[str, str]:
    """(name, text): some of an article's sentences and lines, in any order, some twice, some recased."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    units = UNITS[name]
    picks = draw(st.lists(st.integers(0, len(units) - 1), min_size=1, max_size=min(40, 2 * len(units))))
    parts = []
    for i in picks:
        recase = draw(st.sampled_from(["keep", "keep", "keep", "upper", "lower", "title", "swapcase"]))
        sep = draw(st.sampled_from([" ", " ", "\n", "\n\n", "\n\n\n", "\n- ", "\r\n", "\t"]))
        parts.append(_CASE[recase](units[i]) + sep)
    return name, "".join(parts)


@settings(max_examples=30, **SETTINGS)
@given(article=mutated_articles())
def test_mutated_corpus_articles(extractor, article):
    name, text = article
    check_extraction(extractor, text, source=name)


@settings(max_examples=12, **SETTINGS)
@given(data=st.data())
def test_whole_corpus_article_sentences_shuffled(extractor, data):
    name = data.draw(st.sampled_from(sorted(TEXTS)))
    units = data.draw(st.permutations(UNITS[name]))
    text = "\n\n".join(units) + "\n"
    check_extraction(extractor, text, source=name)


@settings(max_examples=20, **SETTINGS)
@given(article=mutated_articles(), max_length=st.integers(200, 3000))
def test_mutated_articles_cut_into_pieces(extractor, article, max_length):
    """Texts longer than the model's max_length are extracted piece by piece; offsets must still hold,
    and a partner's country must be its organisation's across pieces."""
    name, text = article
    saved = extractor.nlp.max_length
    extractor.nlp.max_length = max_length
    try:
        check_extraction(extractor, text, source=name)
    finally:
        extractor.nlp.max_length = saved


def test_pieces_agree_on_an_organisations_country(extractor):
    text = ("Korea's Lotte Biologics signed a supply agreement with Pfizer.\n\n"
            "Japan's Lotte Biologics signed a licence agreement with Takeda.\n")
    saved = extractor.nlp.max_length
    extractor.nlp.max_length = 70  # one piece per paragraph
    try:
        result = extractor.extract_text(text, source="pieces.txt")
    finally:
        extractor.nlp.max_length = saved
    assert len(result.deals) == 2
    check_record(text, result)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_unmutated_corpus_articles(extractor, name):
    result = check_extraction(extractor, TEXTS[name], source=f"corpus/{name}")
    assert result.organisations


def test_ids_follow_the_file_name_not_the_folder(extractor):
    name = "pr_hanbit_kestrel_licence.txt"
    a = extractor.extract_text(TEXTS[name], source=f"corpus/{name}")
    b = extractor.extract_text(TEXTS[name], source=f"elsewhere/{name}")
    assert a.deals
    assert [d.id for d in a.deals] == [d.id for d in b.deals]
