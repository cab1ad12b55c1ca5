"""The fast path gives what the base model as published gives: the rule equivalents token for
token, the whole pipeline record for record over the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.tokens import Doc

from conftest import SHARED_CORPUS
from deal_extract.nlp.fastrules import AttributeTable, LemmaMemo

REPO = Path(__file__).resolve().parents[1]
CORPUS = sorted((REPO / "corpus").glob("*.txt"))
# the ruler's rules of several tokens, with DEP and regular expressions: "gon na", "let 's", "ai n't",
# "There is", "c'm on", "y all", and space tokens
ODD = "Y'all gonna let's go, ain't it? There is a deal.  \n\n c'mon   Y all said It's BioNTech's gotta-have."


#: the most articles the comparison reads: the corpus grows by 50 articles a blind batch
MAX_COMPARED = 100


def corpus_articles() -> list:
    """Articles of ``corpus/`` (with its blind batches) and of the shared corpus (when present),
    as read for a batch: every one up to :data:`MAX_COMPARED`, beyond that an even sample
    (every k-th in file order, so every batch is in it)."""
    from deal_extract.run.batch import find_inputs
    from deal_extract.text.reading import read_articles

    out = []
    for folder in (REPO / "corpus", SHARED_CORPUS):
        if folder.is_dir():
            for path, rel in find_inputs(folder):
                out.extend(read_articles(path, rel, 5_000_000))
    return out[::-(-len(out) // MAX_COMPARED)]


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


def test_the_fast_path_gives_the_records_of_the_model_as_published(extractor):
    from deal_extract.api import Extractor

    assert any(extractor.nlp.get_pipe_meta(n).factory == "deal_extract_attribute_table" for n in extractor.nlp.pipe_names)
    published = Extractor(model=extractor.model_name, fast=False)
    assert all(not published.nlp.get_pipe_meta(n).factory.startswith("deal_extract_attribute") for n in published.nlp.pipe_names)
    articles = corpus_articles()
    assert len(articles) >= 40
    fast = [r.model_dump() for r in extractor.pipe(articles)]
    slow = [r.model_dump() for r in published.pipe(articles)]
    assert sum(len(r["deals"]) for r in fast) >= 20, "the corpus must give deals for the comparison to mean anything"
    for got, expected in zip(fast, slow):
        assert got == expected, got["source"]
