"""Hyphenated words the tokenizer splits, joined back before the parser (nlp/compounds.py)."""

from __future__ import annotations

import spacy

from deal_extract.nlp.compounds import CompoundWords

COMPOUNDS = {"co-lead": ["co-leads", "co-led", "co-leading"]}


def tokens(text: str) -> list[tuple[str, str]]:
    nlp = spacy.blank("en")
    doc = CompoundWords(COMPOUNDS)(nlp.make_doc(text))
    return [(t.text, t.lemma_) for t in doc]


def test_a_listed_compound_is_one_token_with_its_lemma():
    assert tokens("Acme and Beta co-led the round.")[3] == ("co-led", "co-lead")
    assert tokens("Acme Co-Leads it")[1] == ("Co-Leads", "co-lead")


def test_other_hyphenated_words_and_spaced_hyphens_stay_as_they_are():
    assert [t for t, _ in tokens("a co-founded firm")] == ["a", "co", "-", "founded", "firm"]
    assert [t for t, _ in tokens("co - led")] == ["co", "-", "led"]
    assert [t for t, _ in tokens("co-led-ish")] == ["co", "-", "led", "-", "ish"]


def test_the_pipeline_parses_a_co_led_round(extractor):
    doc = extractor.nlp("Forbion and General Atlantic co-led the oversubscribed round.")
    verb = next(t for t in doc if t.text == "co-led")
    assert verb.lemma_ == "co-lead" and verb.dep_ == "ROOT"
    assert {t.text for t in verb.children if t.dep_ == "nsubj"} == {"Forbion"}
