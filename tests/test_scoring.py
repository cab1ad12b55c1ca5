"""The scorer (SPEC section 4) on hand-built records: no model, no corpus."""

from __future__ import annotations

import pytest

from deal_extract.records import (
    ArticleResult, Deal, Evidence, GoldDeal, GoldFile, GoldOrganisation, GoldValue, Organisation, Party, Value,
)
from deal_extract.evaluation.gold import GoldError, find_gold_pairs, load_gold
from deal_extract.evaluation.names import normalise_name
from deal_extract.evaluation.scoring import MEASURES, PRF_FIELDS, Counts, score_article, score_corpus

TEXT = "Acme Biologics Co., Ltd. signed a licence with Beta Pharma. Gamma Labs watched."


def gold(orgs=None, deals=None) -> GoldFile:
    if orgs is None:
        orgs = [
            GoldOrganisation(name="Acme Biologics", aliases=["Acme"], country="KR"),
            GoldOrganisation(name="Beta Pharma", country="CN"),
            GoldOrganisation(name="Gamma Labs", country=None),
        ]
    return GoldFile(article="a.txt", organisations=orgs, deals=deals if deals is not None else [])


def org(name, country=None, mentions=None) -> Organisation:
    return Organisation(name=name, country=country, mentions=mentions or [])


def deal(*partners, id="d", themes=(), types=(), value=None, evidence="ev") -> Deal:
    return Deal(
        id=id, partners=[Party(name=p) for p in partners], themes=list(themes), deal_types=list(types),
        value=value, evidence=Evidence(text=evidence, start=0, end=len(evidence)), confidence=0.9,
    )


def pred(orgs=(), deals=()) -> ArticleResult:
    return ArticleResult(source="a.txt", organisations=list(orgs), deals=list(deals))


def gdeal(*partners, themes=(), types=(), value=None) -> GoldDeal:
    return GoldDeal(partners=list(partners), themes=list(themes), deal_types=list(types), value=value)


# --- names ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "a, b",
    [
        ("Samsung Biologics Co., Ltd.", "Samsung Biologics"),
        ("Samsung Biologics Co Ltd", "samsung biologics"),
        ("Engine Biosciences Pte. Ltd.", "Engine Biosciences"),
        ("Engine Biosciences Pte Ltd", "Engine Biosciences"),
        ("Pfizer Inc.", "Pfizer"),
        ("Acme Corp.", "ACME"),
        ("Acme Limited", "Acme"),
        ("Acme plc", "Acme"),
        ("Sanofi SA", "Sanofi"),
        ("Bayer AG", "Bayer"),
        ("The Hong Kong Polytechnic University", "Hong Kong Polytechnic University"),
        ("Dr. Reddy's", "Dr Reddys"),
        ("A*STAR", "A STAR"),
    ],
)
def test_normalise_name_equal(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_normalise_name_keeps_distinct_names_and_lone_words():
    assert normalise_name("DKSH") != normalise_name("DKSH Healthcare")
    assert normalise_name("AG") == "ag"  # a suffix alone is not stripped to nothing
    assert normalise_name("The") == "the"
    assert normalise_name("Theravance") == "theravance"  # 'the' only as a whole leading word


# --- counts ---------------------------------------------------------------------------

def test_counts_zero_over_zero():
    empty = Counts()
    assert (empty.precision, empty.recall, empty.f1) == (1.0, 1.0, 1.0)
    nothing_predicted = Counts(fn=3)
    assert (nothing_predicted.precision, nothing_predicted.recall, nothing_predicted.f1) == (1.0, 0.0, 0.0)
    nothing_to_find = Counts(fp=2)
    assert (nothing_to_find.precision, nothing_to_find.recall, nothing_to_find.f1) == (0.0, 1.0, 0.0)
    c = Counts(tp=3, fp=1, fn=2)
    assert c.precision == pytest.approx(0.75) and c.recall == pytest.approx(0.6)
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


# --- organisations --------------------------------------------------------------------

def test_alias_and_legal_suffix_match():
    p = pred([org("Acme", "KR"), org("Beta Pharma Co., Ltd.", "CN"), org("The Gamma Labs Inc.")])
    s = score_article(p, gold())
    assert s.counts["organisations"] == Counts(tp=3, fp=0, fn=0)
    assert s.org_matches == ["Acme Biologics", "Beta Pharma", "Gamma Labs"]


def test_duplicate_organisation_counts_once():
    p = pred([org("Acme Biologics", "KR"), org("Acme", "KR"), org("Beta Pharma", "CN")])
    s = score_article(p, gold())
    assert s.counts["organisations"] == Counts(tp=2, fp=1, fn=1)
    assert [i.name for i in s.spurious_organisations] == ["Acme"]
    assert "duplicate" in s.spurious_organisations[0].reason
    assert [i.name for i in s.missed_organisations] == ["Gamma Labs"]


def test_spurious_and_missed_organisations_with_evidence():
    start = TEXT.index("Gamma")
    p = pred([org("Acme Biologics", "KR"), org("Gamma Labs watched", mentions=[(start, start + 18)])])
    s = score_article(p, gold(), text=TEXT)
    assert [i.name for i in s.spurious_organisations] == ["Gamma Labs watched"]
    assert s.spurious_organisations[0].evidence == "Gamma Labs watched."
    assert {i.name for i in s.missed_organisations} == {"Beta Pharma", "Gamma Labs"}
    beta = next(i for i in s.missed_organisations if i.name == "Beta Pharma")
    assert beta.evidence == "Acme Biologics Co., Ltd. signed a licence with Beta Pharma."


# --- countries ------------------------------------------------------------------------

def test_country_null_costs_recall_only_wrong_costs_both():
    # Acme: right; Beta: null; Gamma: gold unknown -> not scored even when guessed
    s = score_article(pred([org("Acme", "KR"), org("Beta Pharma", None), org("Gamma Labs", "US")]), gold())
    assert s.counts["countries"] == Counts(tp=1, fp=0, fn=1)
    assert s.figures["countries"]["precision"] == 1.0
    assert s.figures["countries"]["recall"] == 0.5
    unscored = [i for i in s.country_issues if not i.counted]
    assert [(i.name, i.predicted) for i in unscored] == [("Gamma Labs", "US")]

    s = score_article(pred([org("Acme", "KR"), org("Beta Pharma", "TW")]), gold())
    assert s.counts["countries"] == Counts(tp=1, fp=1, fn=1)
    assert s.figures["countries"]["precision"] == 0.5
    assert s.figures["countries"]["recall"] == 0.5


def test_countries_only_over_matched_organisations():
    s = score_article(pred([org("Acme", "KR"), org("Nobody Inc", "US")]), gold())
    assert s.counts["countries"] == Counts(tp=1, fp=0, fn=0)


# --- deals ----------------------------------------------------------------------------

def test_deal_matches_by_partner_set_in_any_order_and_alias():
    g = gold(deals=[gdeal("Acme Biologics", "Beta Pharma", themes=["adc"], types=["licensing"])])
    p = pred(deals=[deal("Beta Pharma Co., Ltd.", "Acme", themes=["adc", "cdmo"], types=["licensing"])])
    s = score_article(p, g)
    assert s.counts["deals"] == Counts(tp=1, fp=0, fn=0)
    assert s.counts["themes"] == Counts(tp=1, fp=1, fn=0)
    assert s.counts["deal_types"] == Counts(tp=1, fp=0, fn=0)
    assert s.matched_deals[0].themes_extra == ["cdmo"]
    assert s.deal_matches == ["Acme Biologics + Beta Pharma"]


def test_duplicate_deal_predictions_count_once():
    g = gold(deals=[gdeal("Acme Biologics", "Beta Pharma")])
    p = pred(deals=[deal("Acme", "Beta Pharma", id="x"), deal("Beta Pharma", "Acme Biologics", id="x")])
    s = score_article(p, g)
    assert s.counts["deals"] == Counts(tp=1, fp=1, fn=0)
    assert "duplicate" in s.spurious_deals[0].reason


def test_deal_with_partner_not_in_gold_is_unmatched():
    g = gold(deals=[gdeal("Acme Biologics", "Beta Pharma")])
    p = pred(deals=[deal("Acme", "Beta Pharma", "Zeta Capital", evidence="Acme, Beta and Zeta agreed.")])
    s = score_article(p, g)
    assert s.counts["deals"] == Counts(tp=0, fp=1, fn=1)
    issue = s.spurious_deals[0]
    assert "Zeta Capital" in issue.reason
    assert issue.evidence == "Acme, Beta and Zeta agreed."
    assert s.missed_deals[0].partners == ["Acme Biologics", "Beta Pharma"]


def test_deal_with_wrong_partner_set():
    g = gold(deals=[gdeal("Acme Biologics", "Beta Pharma", "Gamma Labs")])
    s = score_article(pred(deals=[deal("Acme", "Beta Pharma")]), g)
    assert s.counts["deals"] == Counts(tp=0, fp=1, fn=1)
    assert s.spurious_deals[0].reason.startswith("no gold deal between")


def test_empty_gold_deal_list():
    s = score_article(pred(), gold(deals=[]))
    assert s.counts["deals"] == Counts()
    assert s.figures["deals"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    s = score_article(pred(deals=[deal("Acme", "Beta Pharma")]), gold(deals=[]))
    assert s.counts["deals"] == Counts(fp=1)
    assert s.figures["deals"]["f1"] == 0.0
    # themes are scored over matched deals only: nothing matched, nothing counted
    assert s.counts["themes"] == Counts()


def test_missed_deal_evidence_is_the_sentence_naming_its_partners():
    g = gold(deals=[gdeal("Acme", "Beta Pharma")])
    s = score_article(pred(), g, text=TEXT)
    assert s.missed_deals[0].evidence == "Acme Biologics Co., Ltd. signed a licence with Beta Pharma."


# --- values ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "predicted, ok",
    [
        (Value(amount=407_000_000, currency="USD"), True),
        (Value(amount=410_000_000, currency="USD"), True),    # within 1%
        (Value(amount=403_000_000, currency="USD"), True),    # within 1%
        (Value(amount=412_000_000, currency="USD"), False),   # outside 1%
        (Value(amount=407_000_000, currency="EUR"), False),   # wrong currency
        (None, False),
    ],
)
def test_values(predicted, ok):
    g = gold(deals=[gdeal("Acme", "Beta Pharma", value=GoldValue(amount=407_000_000, currency="USD"))])
    s = score_article(pred(deals=[deal("Acme", "Beta Pharma", value=predicted)]), g)
    assert (s.values.correct, s.values.total) == (int(ok), 1)
    assert s.figures["values"]["accuracy"] == (1.0 if ok else 0.0)


def test_values_only_over_matched_deals_with_gold_value():
    g = gold(deals=[
        gdeal("Acme", "Beta Pharma", value=None),
        gdeal("Acme", "Gamma Labs", value=GoldValue(amount=5, currency="USD")),
    ])
    # a value given where gold has none is not scored; the unmatched deal's value is not scored
    s = score_article(pred(deals=[deal("Acme", "Beta Pharma", value=Value(amount=1, currency="USD"))]), g)
    assert (s.values.correct, s.values.total) == (0, 0)
    assert s.figures["values"]["accuracy"] == 1.0


# --- corpus ---------------------------------------------------------------------------

def test_score_corpus_micro_shape_and_sums():
    g1 = gold(deals=[gdeal("Acme", "Beta Pharma")])
    g2 = GoldFile(article="b.txt", organisations=[GoldOrganisation(name="Delta", country="JP")])
    c = score_corpus([
        (pred([org("Acme", "KR")], [deal("Acme", "Beta Pharma")]), g1),
        (pred([org("Delta", "JP"), org("Omega")]), g2),
    ])
    assert set(c.articles) == {"a", "b"}
    # no gold here gives a SPEC section 6 field, so none is reported
    assert {f: set(m) for f, m in c.micro.items()} == {f: set(m) for f, m in MEASURES.items() if f in (*PRF_FIELDS, "values")}
    assert c.counts["organisations"] == Counts(tp=2, fp=1, fn=2)
    assert c.micro["organisations"]["precision"] == pytest.approx(2 / 3)
    assert c.micro["organisations"]["recall"] == pytest.approx(0.5)
    assert c.micro["deals"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


# --- files ----------------------------------------------------------------------------

def test_load_gold_errors_name_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(GoldError, match="nope.yaml: gold file not found"):
        load_gold(missing)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("article: a.txt\norganisations: [\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"bad.yaml: YAML syntax error at line \d+"):
        load_gold(bad_yaml)
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("article: a.txt\ndeals:\n  - partners: [A, B]\n", encoding="utf-8")
    with pytest.raises(GoldError, match="invalid.yaml: invalid gold file") as err:
        load_gold(invalid)
    assert "not a gold organisation" in str(err.value)
    not_mapping = tmp_path / "list.yaml"
    not_mapping.write_text("- a\n", encoding="utf-8")
    with pytest.raises(GoldError, match="list.yaml: expected a mapping"):
        load_gold(not_mapping)


def test_load_gold_ok(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(
        "article: a.txt\norganisations:\n  - {name: Acme, country: KR}\n  - {name: Beta}\n"
        "deals:\n  - partners: [Acme, Beta]\n    value: {amount: 1000, currency: USD}\n",
        encoding="utf-8",
    )
    g = load_gold(path)
    assert g.deals[0].value.amount == 1000


def test_find_gold_pairs(tmp_path):
    gold_dir, c1, c2 = tmp_path / "gold", tmp_path / "c1", tmp_path / "c2"
    for d in (gold_dir, c1, c2):
        d.mkdir()
    (gold_dir / "a.yaml").write_text("article: a.txt\n")
    (gold_dir / "b.yml").write_text("article: b.md\n")
    (gold_dir / "lonely.yaml").write_text("article: lonely.txt\n")
    (gold_dir / "LABELLING.md").write_text("not gold\n")
    (c1 / "a.txt").write_text("A")
    (c2 / "b.md").write_text("B")
    (c2 / "a.txt").write_text("A again")
    (c2 / "extra.txt").write_text("E")
    (c2 / "notes.bin").write_text("ignored")
    pairs = find_gold_pairs(gold_dir, [c1, c2])
    assert [(g.name, a.parent.name + "/" + a.name) for g, a in pairs.pairs] == [("a.yaml", "c1/a.txt"), ("b.yml", "c2/b.md")]
    assert [p.name for p in pairs.gold_without_article] == ["lonely.yaml"]
    assert [p.name for p in pairs.article_without_gold] == ["extra.txt"]
    assert any("also at" in w for w in pairs.warnings)


def test_find_gold_pairs_missing_folders(tmp_path):
    with pytest.raises(GoldError, match="gold folder not found"):
        find_gold_pairs(tmp_path / "none", [tmp_path])
    with pytest.raises(GoldError, match="corpus folder not found"):
        find_gold_pairs(tmp_path, [tmp_path / "none"])


# --- deal details (SPEC section 6) ----------------------------------------------------

def test_ended_gold_deal_is_scored_apart_from_live_deals():
    g = gold(deals=[gdeal("Acme", "Beta Pharma"), GoldDeal(partners=["Acme", "Gamma Labs"], status="ended")])
    s = score_article(pred(deals=[deal("Acme", "Beta Pharma"), deal("Acme", "Gamma Labs", id="e")]), g)
    # the live prediction of an ended deal is a false live deal, and the ended deal is missed
    assert s.counts["deals"] == Counts(tp=1, fp=1, fn=0)
    assert "ended" in s.spurious_deals[0].reason
    assert s.details["ended_deals"] == Counts(tp=0, fp=0, fn=1)


def test_no_section_6_figures_without_section_6_gold():
    s = score_article(pred(deals=[deal("Acme", "Beta Pharma")]), gold(deals=[gdeal("Acme", "Beta Pharma")]))
    assert s.details == {} and s.detail_accuracy == {}


def _second_reading(**fields) -> ArticleResult:
    from deal_extract.evaluation.agreement import gold_as_result

    return gold_as_result(gold(deals=[GoldDeal(partners=["Acme", "Beta Pharma"], **fields)]))


def test_deal_details_accuracy_and_assets():
    first = gold(deals=[GoldDeal(
        partners=["Acme Biologics", "Beta Pharma"], roles={"Acme Biologics": "licensor", "Beta Pharma": "licensee"},
        status="agreed", announced="2025-01", assets=["ABC-101", "Zeta platform"],
        upfront=GoldValue(amount=80_000_000, currency="USD"),
    )])
    second = _second_reading(roles={"Acme": "licensor", "Beta Pharma": "investor"}, status="agreed",
                             announced="2025-01-14", assets=["abc-101", "XYZ-9"],
                             upfront=GoldValue(amount=80_500_000, currency="USD"))
    s = score_article(second, first)
    acc = {f: (a.correct, a.total) for f, a in s.detail_accuracy.items()}
    assert acc == {"roles": (1, 2), "status": (1, 1), "announced": (1, 1), "upfront": (1, 1)}
    assert s.details["assets"] == Counts(tp=1, fp=1, fn=1)


@pytest.mark.parametrize("predicted, gold_date, ok", [
    ("2025-01-14", "2025-01", True), ("2025-01", "2025-01", True), ("2025", "2025-01", False),
    ("2024-12-31", "2025", False), (None, None, True), (None, "2025", False), ("2025", None, False),
])
def test_announced_matches_at_gold_precision(predicted, gold_date, ok):
    from deal_extract.evaluation.details import announced_matches

    assert announced_matches(predicted, gold_date) is ok


def test_a_detail_left_out_of_gold_is_not_scored():
    first = gold(deals=[GoldDeal(partners=["Acme", "Beta Pharma"], status="completed")])
    s = score_article(_second_reading(announced="2020", upfront=GoldValue(amount=1, currency="USD")), first)
    assert set(s.detail_accuracy) == {"status"}
    assert (s.detail_accuracy["status"].correct, s.detail_accuracy["status"].total) == (0, 1)


def test_agreement_command_scores_a_second_reading(tmp_path):
    from typer.testing import CliRunner

    from deal_extract.cli import _register, app

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    text = ("article: a.txt\norganisations:\n  - {name: Acme, country: KR}\n  - {name: Beta, country: CN}\n"
            "  - {name: Gamma}\ndeals:\n  - partners: [Acme, Beta]\n    roles: {Acme: licensor, Beta: licensee}\n")
    (first / "a.yaml").write_text(text)
    (second / "a.yaml").write_text(text.replace("licensee", "collaborator") + "  - partners: [Acme, Gamma]\n")
    (second / "b.yaml").write_text("article: b.txt\n")
    _register(["agreement"])
    r = CliRunner().invoke(app, ["agreement", str(first), str(second)])
    assert r.exit_code == 0, r.output
    assert "b: no first reading" in r.output
    lines = {line.split()[0]: line.split()[1:] for line in r.output.splitlines() if line.startswith("  ")}
    assert lines["deals"][:3] == ["0.500", "1.000", "0.667"]
    assert lines["roles"][:2] == ["accuracy", "0.500"]
