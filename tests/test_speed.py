"""The fast path gives what the base model as published gives: the rule equivalents token for
token, the whole pipeline record for record over the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.tokens import Doc

from deal_extract.fastrules import AttributeTable, LemmaMemo

REPO = Path(__file__).resolve().parents[1]
CORPUS = sorted((REPO / "corpus").glob("*.txt"))
# the ruler's rules of several tokens, with DEP and regular expressions: "gon na", "let 's", "ai n't",
# "There is", "c'm on", "y all", and space tokens
ODD = "Y'all gonna let's go, ain't it? There is a deal.  \n\n c'mon   Y all said It's BioNTech's gotta-have."


@pytest.fixture(scope="module")
def bare(extractor):
    import spacy

    return spacy.load(extractor.model_name)


def test_attribute_table_and_lemma_memo_set_what_the_model_sets(bare):
    ruler, lemmatizer = bare.get_pipe("attribute_ruler"), bare.get_pipe("lemmatizer")
    table, memo = AttributeTable(ruler), LemmaMemo(lemmatizer)
    texts = [p.read_text(encoding="utf-8") for p in CORPUS[:6]] + [ODD]
    attrs = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
    with bare.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        parsed = list(bare.pipe(texts))
    for doc in parsed:
        expected = lemmatizer(ruler(Doc(bare.vocab).from_bytes(doc.to_bytes())))
        got = memo(table(Doc(bare.vocab).from_bytes(doc.to_bytes())))
        assert (got.to_array(attrs) == expected.to_array(attrs)).all(), doc.text[:60]
        assert [t.morph.to_json() for t in got] == [t.morph.to_json() for t in expected]
    odd = parsed[-1]
    assert {"go", "us", "come", "you"} <= {t.lemma_ for t in memo(table(odd))}, "the longer rules must be exercised"
