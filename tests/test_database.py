"""The corpus deal database (SPEC section 5): identity rules, deals.sqlite, tables across runs.

Most tests use hand-made article records or the fake extractor of ``test_batch``; one runs
the real pipeline over three articles reporting one deal in different words.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from pathlib import Path

import pytest

from deal_extract.run.batch import BatchOptions, run_batch
from deal_extract.corpus.view import build_corpus, other_names
from deal_extract.corpus.database import DATABASE_NAME, write_database
from deal_extract.corpus.identity import OrganisationIdentity, best_supported_value, name_key
from deal_extract.records import ArticleResult, Deal, Evidence, Organisation, OrganisationEntry, Party, Value
from deal_extract.corpus.store import rebuild
from deal_extract.run.timing import BatchClock

from test_batch import FakeExtractor, make_corpus, run

SPEC_COLUMNS = {
    "articles": {"source", "title", "published", "sha256", "status"},
    "organisations": {"org_id", "name", "country", "kind"},
    "deals": {"deal_id", "themes", "deal_types", "territories", "value_amount", "value_currency", "value_text",
              "first_published", "last_published", "n_sources"},
    "deal_partners": {"deal_id", "org_id"},
    "deal_sources": {"deal_id", "source", "article_deal_id", "evidence_text", "evidence_start", "evidence_end"},
}
PORTON = OrganisationEntry(name="Porton Pharma Solutions", aliases=["Porton Pharma"], country="CN")


def org(name: str, text: str = "", country=None, also=()) -> Organisation:
    """An organisation with a mention at each place ``text`` has its name or one of ``also``."""
    mentions = []
    for form in (name, *also):
        start = text.find(form)
        if start >= 0:
            mentions.append((start, start + len(form)))
    return Organisation(name=name, country=country, mentions=mentions)


def deal(ident: str, a: str, b: str, themes=("adc",), types=("manufacturing",), value=None, start=0) -> Deal:
    return Deal(id=ident, partners=[Party(name=a), Party(name=b)], themes=list(themes), deal_types=list(types),
                value=value, evidence=Evidence(text=f"{a} and {b}", start=start, end=start + 10), confidence=0.9)


def usd(amount: float, text: str = "") -> Value:
    return Value(amount=amount, currency="USD", text=text or f"${amount / 1e6:g} million")


# one deal, three articles, three spellings of each partner
TEXT_A = 'Hoshino Pharmaceutical Co., Ltd. ("Hoshino") and Porton Pharma Solutions Ltd. signed. Hoshino said.'
TEXT_B = "Hoshino signed a supply deal with Porton Pharma."
TEXT_C = "The Hoshino Pharmaceutical Company and PORTON PHARMA SOLUTIONS expanded their agreement."
ARTICLES = [
    ArticleResult(source="a.txt", title="A", published="2025-03-03",
                  organisations=[org("Hoshino Pharmaceutical Co., Ltd.", TEXT_A, also=["Hoshino"]),
                                 org("Porton Pharma Solutions Ltd.", TEXT_A, "CN")],
                  deals=[deal("da", "Hoshino Pharmaceutical Co., Ltd.", "Porton Pharma Solutions Ltd.",
                              value=usd(120e6, "up to $120 million"))]),
    ArticleResult(source="b.txt", title="B", published="2025-03-05",
                  organisations=[org("Hoshino", TEXT_B, "JP"), org("Porton Pharma", TEXT_B)],
                  deals=[deal("db", "Hoshino", "Porton Pharma", themes=("cdmo",), value=usd(120e6))]),
    ArticleResult(source="c.txt", title="C", published="2025-03-20",
                  organisations=[org("The Hoshino Pharmaceutical Company", TEXT_C),
                                 org("PORTON PHARMA SOLUTIONS", TEXT_C)],
                  deals=[deal("dc", "The Hoshino Pharmaceutical Company", "PORTON PHARMA SOLUTIONS",
                              types=("co_development",), value=usd(50e6))]),
]
TEXTS = {"a.txt": TEXT_A, "b.txt": TEXT_B, "c.txt": TEXT_C}


# --- identity rules ---------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["Hoshino Pharmaceutical Co., Ltd.", "HOSHINO PHARMACEUTICAL", "The Hoshino Pharmaceutical Company",
                                     "Hoshino Pharmaceutical Corporation", "Hoshino-Pharmaceutical Inc."])
def test_name_key_drops_case_punctuation_legal_forms_and_the(variant):
    assert name_key(variant) == name_key("Hoshino Pharmaceutical") == "hoshinopharmaceutical"


def test_curated_aliases_and_legal_variants_are_one_organisation_under_the_curated_name():
    identity = OrganisationIdentity([PORTON])
    for name in ("Porton Pharma", "Porton Pharma Solutions Ltd.", "porton pharma solutions"):
        identity.observe(name, None)
    groups = identity.resolve()
    assert list(groups) == ["porton-pharma-solutions"]
    group = groups["porton-pharma-solutions"]
    assert group.name == "Porton Pharma Solutions" and group.country == "CN"
    assert identity.org_id("Porton Pharma") == identity.org_id("PORTON PHARMA SOLUTIONS LIMITED")


def test_a_short_form_an_article_defines_joins_the_organisation_unless_it_is_ambiguous():
    identity = OrganisationIdentity()
    identity.observe("Hoshino Pharmaceutical", "JP", other_names=["Hoshino"])
    identity.observe("Hoshino", None)
    identity.observe("Kestrel Bio", None, other_names=["KB"])
    identity.observe("Kappa Bank", None, other_names=["KB"])  # "KB" means two things: joins neither
    identity.observe("KB", None)
    groups = identity.resolve()
    assert identity.org_id("Hoshino") == identity.org_id("Hoshino Pharmaceutical") == "hoshino-pharmaceutical"
    assert groups["hoshino-pharmaceutical"].country == "JP"
    assert len({identity.org_id(n) for n in ("Kestrel Bio", "Kappa Bank", "KB")}) == 3


def test_two_curated_entries_are_never_joined_by_a_short_form():
    other = OrganisationEntry(name="Porton Advanced", aliases=["Porton Advanced Solutions"], country="CN")
    identity = OrganisationIdentity([PORTON, other])
    identity.observe("Porton Pharma", None, other_names=["Porton"])
    identity.observe("Porton Advanced", None, other_names=["Porton"])
    identity.observe("Porton Pharma Solutions", None, other_names=["Porton Advanced"])  # a wrong merge in one article
    identity.resolve()
    assert identity.org_id("Porton Pharma") != identity.org_id("Porton Advanced")


def test_value_is_the_one_most_sources_agree_on():
    values = [(usd(50e6), 0.99, "c.txt"), (usd(120e6, "up to $120 million"), 0.9, "a.txt"), (usd(120.5e6), 0.9, "b.txt")]
    assert best_supported_value(values).text == "up to $120 million"
    assert best_supported_value([]) is None


# --- the corpus -------------------------------------------------------------------------

def test_one_deal_in_three_articles_is_one_corpus_deal_with_all_sources():
    corpus = build_corpus(ARTICLES, texts=TEXTS, curated=[PORTON])
    assert [o.org_id for o in corpus.organisations] == ["hoshino-pharmaceutical", "porton-pharma-solutions"]
    hoshino = corpus.organisations[0]
    assert hoshino.country == "JP" and "Hoshino" in hoshino.names and hoshino.name == "Hoshino Pharmaceutical Co., Ltd."
    [corpus_deal] = corpus.deals
    assert [p.org_id for p in corpus_deal.partners] == ["hoshino-pharmaceutical", "porton-pharma-solutions"]
    assert corpus_deal.partners[1].name == "Porton Pharma Solutions"
    assert corpus_deal.n_sources == 3 and [s.source for s in corpus_deal.sources] == ["a.txt", "b.txt", "c.txt"]
    assert corpus_deal.themes == ["adc", "cdmo"] and corpus_deal.deal_types == ["co_development", "manufacturing"]
    assert corpus_deal.value.amount == 120e6
    assert str(corpus_deal.first_published) == "2025-03-03" and str(corpus_deal.last_published) == "2025-03-20"


def test_without_texts_a_bare_short_form_stays_apart():
    corpus = build_corpus(ARTICLES, curated=[PORTON])
    assert {o.org_id for o in corpus.organisations} == {"hoshino", "hoshino-pharmaceutical", "porton-pharma-solutions"}
    assert other_names(ARTICLES[0], TEXT_A) == {"Hoshino Pharmaceutical Co., Ltd.": ["Hoshino"], "Porton Pharma Solutions Ltd.": []}


def test_two_deals_of_the_same_partners_in_one_article_are_two_agreements():
    two = ArticleResult(source="two.txt", deals=[
        deal("d1", "Alpha Bio", "Beta Pharma", themes=("antibody",), types=("licensing",), start=0),
        deal("d2", "Alpha Bio", "Beta Pharma", themes=("cdmo",), types=("manufacturing",), start=100)])
    later = ArticleResult(source="later.txt", deals=[deal("d3", "Alpha Bio Inc.", "Beta Pharma", themes=("cdmo",), types=("manufacturing",))])
    corpus = build_corpus([two, later])
    assert len(corpus.deals) == 2 and len({d.deal_id for d in corpus.deals}) == 2
    supply = next(d for d in corpus.deals if "manufacturing" in d.deal_types)
    assert {s.source for s in supply.sources} == {"two.txt", "later.txt"}


def test_to_frame_gives_one_row_per_corpus_deal():
    pd = pytest.importorskip("pandas")
    frame = build_corpus(ARTICLES, texts=TEXTS, curated=[PORTON]).to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 1 and frame.iloc[0]["n_sources"] == 3
    assert ArticleResult.model_validate(ARTICLES[0].model_dump()).to_frame().iloc[0]["id"] == "da"


# --- the database -----------------------------------------------------------------------

def tables(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: sorted(con.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}


def test_database_has_the_spec_tables_and_columns(tmp_path):
    path = tmp_path / DATABASE_NAME
    assert write_database(path, build_corpus(ARTICLES, texts=TEXTS, curated=[PORTON]))
    with sqlite3.connect(path) as con:
        for table, columns in SPEC_COLUMNS.items():
            assert columns <= {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        row = con.execute("SELECT themes, n_sources, value_amount, value_currency FROM deals").fetchone()
        assert json.loads(row[0]) == ["adc", "cdmo"] and row[1:] == (3, 120e6, "USD")
        assert con.execute("SELECT count(*) FROM deal_sources").fetchone()[0] == 3


def test_deals_carry_countries_roles_and_year_to_facet_on_and_a_search_index(tmp_path):
    path = tmp_path / DATABASE_NAME
    articles = [a.model_copy(deep=True) for a in ARTICLES]
    articles[0].deals[0].partners[0].role = "client"
    articles[0].deals[0].partners[1].role = "provider"
    articles[1].deals[0].announced = "2024-11"
    write_database(path, build_corpus(articles, texts=TEXTS, curated=[PORTON]))
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT rowid, countries, roles, year FROM deals").fetchone()
        assert (json.loads(row[1]), json.loads(row[2]), row[3]) == (["CN", "JP"], ["client", "provider"], 2024)

        def found(query: str) -> list[int]:
            return [r[0] for r in con.execute("SELECT rowid FROM deals_fts WHERE deals_fts MATCH ?", [query])]

        # every spelling of a partner, the evidence of every source; nothing else
        assert found('"HOSHINO"') == found('"Porton" "Solutions"') == found('"pharmaceutical company"') == [row[0]]
        assert found('"Pfizer"') == []
    no_date = ARTICLES[0].model_copy(update={"published": None})
    write_database(path, build_corpus([no_date], texts=TEXTS))
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT year FROM deals").fetchone() == (None,)


def test_rewriting_the_same_corpus_changes_nothing_and_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / DATABASE_NAME
    corpus = build_corpus(ARTICLES, texts=TEXTS, curated=[PORTON])
    write_database(path, corpus)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    assert not write_database(path, build_corpus(ARTICLES, texts=TEXTS, curated=[PORTON]))
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before

    import deal_extract.corpus.database as database

    def killed(con, corpus):
        con.execute("CREATE TABLE half (x)")
        raise KeyboardInterrupt

    monkeypatch.setattr(database, "_fill", killed)
    with pytest.raises(KeyboardInterrupt):
        write_database(path, build_corpus(ARTICLES[:1]))
    assert path.read_bytes() == before[1] and [p.name for p in tmp_path.iterdir()] == [DATABASE_NAME]


# --- batch runs into one output folder ----------------------------------------------------

DEAL_TEXT = "Samsung Biologics signed a manufacturing agreement with Pfizer worth $400 million.\n"


def csv_rows(path: Path, encoding: str = "utf-8") -> list[dict]:
    with open(path, newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def test_a_second_batch_of_other_articles_keeps_the_first_batchs_deals_in_every_table(tmp_path):
    first = make_corpus(tmp_path / "monday", {"a.txt": DEAL_TEXT.encode(), "b.txt": ("Today. " + DEAL_TEXT).encode()})
    second = make_corpus(tmp_path / "tuesday", {"c.txt": ("News. " + DEAL_TEXT).encode()})
    out = tmp_path / "out"
    run(first, out)
    run(second, out)
    assert {r["source"] for r in csv_rows(out / "deals.csv")} == {"a.txt", "b.txt", "c.txt"}
    assert {json.loads(line)["source"] for line in (out / "deals.jsonl").read_text().splitlines()} == {"a.txt", "b.txt", "c.txt"}
    assert {r["source"] for r in csv_rows(out / "organisations.csv")} == {"a.txt", "b.txt", "c.txt"}
    [corpus_deal] = csv_rows(out / "corpus_deals.csv")
    assert corpus_deal["n_sources"] == "3" and corpus_deal["sources"] == "a.txt; b.txt; c.txt"
    db = tables(out / DATABASE_NAME)
    assert [r[0] for r in db["articles"]] == ["a.txt", "b.txt", "c.txt"] and all(r[4] == "ok" for r in db["articles"])
    assert len(db["deals"]) == 1 and len(db["deal_sources"]) == 3 and len(db["organisations"]) == 2


def test_rerun_changes_nothing_and_a_killed_run_leaves_the_database_then_completes_it(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DEAL_TEXT.encode()})
    out = tmp_path / "out"
    run(corpus, out)
    db = out / DATABASE_NAME
    before = (db.stat().st_mtime_ns, tables(db))
    run(corpus, out)
    assert (db.stat().st_mtime_ns, tables(db)) == before

    make_corpus(corpus, {f"n{i}.txt": (f"Note {i}. " + DEAL_TEXT).encode() for i in range(3)})
    with pytest.raises(KeyboardInterrupt):
        run(corpus, out, extractor=FakeExtractor(interrupt_after=1))
    assert tables(db) == before[1]  # untouched by the killed run
    run(corpus, out)
    assert [r[0] for r in tables(db)["articles"]] == ["a.txt", "n0.txt", "n1.txt", "n2.txt"]
    assert tables(db)["deals"][0][10] == 4   # n_sources (the SPEC section 6 columns follow it)


def test_csv_tables_have_published_and_title_and_excel_adds_a_bom(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"d.json": json.dumps({"text": DEAL_TEXT + "Fee: ¥5 bn — paid.", "title": "Deal — ¥",
                                                                 "published": "2025-01-02"}).encode()})
    out = tmp_path / "out"
    run(corpus, out)
    [row] = csv_rows(out / "deals.csv")
    assert (row["published"], row["title"]) == ("2025-01-02", "Deal — ¥")
    assert not (out / "deals.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    run(corpus, out, excel=True)
    for name in ("deals.csv", "organisations.csv", "corpus_deals.csv"):
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf"), name
    assert csv_rows(out / "deals.csv", "utf-8-sig")[0]["title"] == "Deal — ¥"


def test_failed_inputs_are_listed_as_failed_articles(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DEAL_TEXT.encode(), "empty.txt": b" \n"})
    out = tmp_path / "out"
    run(corpus, out)
    assert {r[0]: r[4] for r in tables(out / DATABASE_NAME)["articles"]} == {"a.txt": "ok", "empty.txt": "failed"}


def test_one_deal_reported_by_several_articles_in_different_words_is_one_corpus_deal(tmp_path, extractor):
    corpus = make_corpus(tmp_path / "c", {
        "pr.txt": ("Hoshino and Porton sign ADC manufacturing agreement\n\nTokyo, 3 March 2025 -- Hoshino Pharmaceutical "
                   'Co., Ltd. ("Hoshino") and Porton Pharma Solutions Ltd. today announced a manufacturing agreement. Under '
                   "the agreement, Porton will supply the ADC linker-payload to Hoshino for up to $120 million.\n").encode(),
        "brief.txt": ("Japan's Hoshino picks Porton Pharma for conjugates\n\n5 March 2025 -- Japan's Hoshino Pharmaceutical "
                      "signed a supply deal with China's Porton Pharma, the CDMO said.\n").encode(),
        "roundup.md": ("# ADC round-up\n\nThe Hoshino Pharmaceutical Company and Porton Pharma Solutions expanded their "
                       "ADC manufacturing agreement, Hoshino said.\n").encode(),
    })
    out = tmp_path / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    db = tables(out / DATABASE_NAME)
    assert [r[:2] for r in db["organisations"]] == [("hoshino-pharmaceutical", "Hoshino Pharmaceutical"),
                                                    ("porton-pharma-solutions", "Porton Pharma Solutions")]
    [row] = db["deals"]
    assert row[10] == 3 and row[5:7] == (120e6, "USD")   # n_sources, value
    assert {r[1] for r in db["deal_sources"]} == {"pr.txt", "brief.txt", "roundup.md"}


# --- per-article seconds ------------------------------------------------------------------

def test_batch_time_is_shared_among_its_articles_by_length():
    ticks = iter([0.0, 3.0])
    clock = BatchClock(batch_size=2, clock=lambda: next(ticks))
    a, b = type("R", (), {"seconds": 0.0})(), type("R", (), {"seconds": 0.0})()
    clock.finished(a, 100)
    clock.finished(b, 200)
    assert (a.seconds, b.seconds) == (1.0, 2.0)


class SlowExtractor(FakeExtractor):
    def pipe(self, articles, batch_size=16, n_process=1):
        for result in super().pipe(articles, batch_size, n_process):
            time.sleep(0.02)
            yield result


def test_manifest_seconds_are_per_article_not_per_batch(tmp_path):
    corpus = make_corpus(tmp_path / "c", {f"{i}.txt": (DEAL_TEXT * (i + 1)).encode() for i in range(4)})
    out = tmp_path / "out"
    run(corpus, out, extractor=SlowExtractor(), batch_size=4)
    seconds = [r["seconds"] for r in json.loads((out / "manifest.json").read_text())["inputs"]]
    assert all(s > 0 for s in seconds) and seconds == sorted(seconds)


def test_the_section_6_columns(extractor, tmp_path):
    """SPEC section 6 in the database: deal_partners.role and deals.status, announced, assets,
    upfront_amount, upfront_currency, value_usd."""
    corpus = make_corpus(tmp_path / "c", {"pr.txt": (
        "Orvane licence\n\nSEOUL, March 4, 2025 - Orvane Bio Ltd. said on Tuesday it had granted Kestrel Pharma Inc. "
        "an exclusive licence to ORV-301 for $80 million upfront and up to $590 million in milestones, a total of up to "
        "$670 million.\n").encode()})
    out = tmp_path / "out"
    run_batch(extractor, BatchOptions(corpus=corpus, output=out, progress=False))
    with sqlite3.connect(out / DATABASE_NAME) as con:
        con.row_factory = sqlite3.Row
        deal = con.execute("SELECT * FROM deals").fetchone()
        roles = dict(con.execute("SELECT o.name, p.role FROM deal_partners p JOIN organisations o USING (org_id)").fetchall())
    assert (deal["status"], deal["announced"], json.loads(deal["assets"])) == ("agreed", "2025-03-04", ["ORV-301"])
    assert (deal["upfront_amount"], deal["upfront_currency"], deal["value_usd"]) == (80e6, "USD", 670e6)
    assert roles == {"Orvane Bio Ltd.": "licensor", "Kestrel Pharma Inc.": "licensee"}
