"""The judge of deal candidates (deal_extract/judge): features, training, the model file,
the component saved with the pipeline, the train command, --judge and --min-confidence."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from deal_extract.api import Extractor
from deal_extract.cli import app
from deal_extract.judge.calibration import Isotonic, fit_isotonic
from deal_extract.judge.dataset import build_dataset
from deal_extract.judge.features import FEATURES
from deal_extract.judge.model import JudgeModel, JudgeModelError, packaged_model_path
from deal_extract.judge.select import kept
from deal_extract.judge.train import train_judge

REPO = Path(__file__).resolve().parents[1]
SMALL_GOLD = [REPO / "tests" / "gold" / "blind4", REPO / "tests" / "gold" / "blind3"]
SMALL_CORPUS = [REPO / "corpus" / "blind4", REPO / "corpus" / "blind3"]

TEXT = ("Acme Biologics signed a licensing agreement with Beta Pharma for its antibody.\n\n"
        "Zeta Labs praised the deal. Omega Therapeutics was not involved.\n")
RENAMED = ("Kappa Biologics signed a licensing agreement with Sigma Pharma for its antibody.\n\n"
           "Theta Labs praised the deal. Lambda Therapeutics was not involved.\n")


@pytest.fixture(scope="module")
def collecting():
    """The rules with the judge component collecting candidates (what training reads)."""
    return Extractor(collect=True)


@pytest.fixture(scope="module")
def small_data(collecting):
    data, _ = build_dataset(SMALL_GOLD, SMALL_CORPUS, collecting)
    return data


@pytest.fixture(scope="module")
def small_model(small_data):
    return train_judge(small_data).model


def candidates_of(extractor, text):
    pieces = next(extractor.pipe_pieces([(text, "invented.txt")]))
    return pieces.pieces[0][3]


def features_of(candidate):
    return dict(zip(FEATURES, candidate["features"]))


# --- candidates and features -----------------------------------------------------------

def test_candidates_and_features_of_an_invented_text(collecting):
    candidates = candidates_of(collecting, TEXT)
    by_partners = {tuple(c["partners"]): c for c in candidates}
    rule = by_partners[("Acme Biologics", "Beta Pharma")]
    f = features_of(rule)
    assert f["from_rules"] == 1.0 and f["rule_confidence"] == rule["record"]["confidence"]
    assert f["window_one_unit"] == 1.0 and f["subjects"] == 1 and f["prep_with"] == 1.0
    assert f["lca_is_trigger"] == 1.0 and f["path_trigger"] == 1.0 and f["cue_licensing"] == 1.0
    assert f["negations"] == 0 and f["orgs_in_window"] == 2 and f["in_title"] == 1.0
    # a pair in two adjacent units where a deal cue occurs: a candidate the rules did not read
    pair = features_of(by_partners[("Beta Pharma", "Zeta Labs")])
    assert pair["from_rules"] == 0.0 and pair["window_one_unit"] == 0.0 and math.isnan(pair["dep_path"])
    assert by_partners[("Beta Pharma", "Zeta Labs")]["record"]["rule"] == "judge"
    assert all(len(c["features"]) == len(FEATURES) for c in candidates)


def test_features_never_read_a_name(collecting):
    """The same text with other invented names gives the same rows."""
    rows = [c["features"] for c in candidates_of(collecting, TEXT)]
    renamed = [c["features"] for c in candidates_of(collecting, RENAMED)]
    assert len(rows) == len(renamed)
    for a, b in zip(rows, renamed):
        assert [x if not math.isnan(x) else "nan" for x in a] == [x if not math.isnan(x) else "nan" for x in b]


def test_a_kept_set_absorbs_the_pairs_inside_it():
    sets = [frozenset("AB"), frozenset("ABC"), frozenset("CD"), frozenset("AD")]
    assert kept(sets, [0.9, 0.6, 0.7, 0.2], threshold=0.5) == [1, 2]
    assert kept(sets, [0.9, 0.4, 0.7, 0.2], threshold=0.5) == [0, 2]


def test_isotonic_calibration_is_monotone_and_saved_as_numbers():
    iso = fit_isotonic([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 1, 0, 0, 1, 1])
    values = [iso(s) for s in (0.0, 0.1, 0.25, 0.45, 0.6, 0.9)]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 1.0
    assert Isotonic.from_dict(json.loads(json.dumps(iso.to_dict()))) == iso


# --- training and the model file --------------------------------------------------------

def test_training_reproduces_the_model_file_byte_for_byte(small_data, small_model):
    again = train_judge(small_data).model
    assert again.to_json() == small_model.to_json()
    assert small_model.features == FEATURES and 0.0 < small_model.threshold <= 1.0
    assert "pickle" not in small_model.to_json()


def test_model_file_round_trip_and_refusals(small_model, tmp_path):
    path = small_model.save(tmp_path / "judge.json")
    loaded = JudgeModel.load(path)
    assert loaded.to_json() == small_model.to_json()
    rows = [[0.0] * len(FEATURES), [1.0] * len(FEATURES)]
    assert loaded.probabilities(rows) == small_model.probabilities(rows)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    (tmp_path / "other.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(JudgeModelError, match="other features"):
        JudgeModel.load(tmp_path / "other.json")
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(JudgeModelError, match="not a deal-extract judge model"):
        JudgeModel.load(tmp_path / "bad.json")


def test_the_packaged_model_loads():
    model = JudgeModel.load(packaged_model_path())
    assert model.trained_on["articles"] >= 100 and model.features == FEATURES


# --- the component in a pipeline -------------------------------------------------------

def test_component_saves_and_reloads_with_the_pipeline(small_model, tmp_path):
    extractor = Extractor(judge=small_model)
    text = (REPO / "corpus" / "blind4").glob("*.txt").__next__().read_text(encoding="utf-8")
    doc = extractor.nlp(text)
    extractor.nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "deal_extract_judge" / "judge.json").read_text(encoding="utf-8") == small_model.to_json()
    nlp = spacy.load(tmp_path / "pipeline")
    assert "deal_extract_judge" in nlp.pipe_names
    again = nlp(text)
    assert again._.deals == doc._.deals
    assert all(d["confidence"] == round(d["confidence"], 3) for d in again._.deals)


def test_the_judge_decides_the_records(small_model):
    rules = Extractor(judge=False).extract_text(TEXT, source="t.txt")
    judged = Extractor(judge=small_model).extract_text(TEXT, source="t.txt")
    assert {d.id for d in judged.deals} <= {c for c in _candidate_ids(TEXT)}
    assert rules.deals  # the rules read the licence
    for deal in judged.deals:
        assert deal.confidence >= small_model.threshold


def _candidate_ids(text):
    from deal_extract.deals.record import deal_id

    return {deal_id("t.txt", c["partners"]) for c in candidates_of(Extractor(collect=True), text)}


# --- command line -----------------------------------------------------------------------

def test_train_command_writes_a_model_and_metrics(small_model, tmp_path):
    from deal_extract.cli import train  # noqa: F401  (registers the command)

    args = ["train", *[a for g in SMALL_GOLD for a in ("--gold", str(g))],
            *[a for c in SMALL_CORPUS for a in ("--corpus", str(c))], "-o", str(tmp_path / "m.json")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("m.json")
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == small_model.to_json()
    metrics = json.loads((tmp_path / "m.metrics.json").read_text(encoding="utf-8"))
    assert metrics["articles"] == 26 and set(metrics["batches"]) == {"blind3", "blind4"}
    assert 0.0 <= metrics["out_of_fold"]["deals"]["f1"] <= 1.0 and metrics["threshold"] == small_model.threshold


def test_min_confidence_keeps_only_confident_deals(tmp_path):
    from deal_extract.cli import extract  # noqa: F401  (registers the command)
    from deal_extract.cli import batch  # noqa: F401

    article = tmp_path / "corpus" / "a.txt"
    article.parent.mkdir()
    article.write_text(TEXT, encoding="utf-8")
    runner = CliRunner()
    everything = json.loads(runner.invoke(app, ["extract", str(article)]).stdout)
    top = max(d["confidence"] for d in everything["deals"])
    assert top < 0.99
    some = json.loads(runner.invoke(app, ["extract", str(article), "--min-confidence", str(top)]).stdout)
    assert some["deals"] == [d for d in everything["deals"] if d["confidence"] >= top] != []
    none = json.loads(runner.invoke(app, ["extract", str(article), "--min-confidence", "0.99"]).stdout)
    assert none["deals"] == [] and none["organisations"] == everything["organisations"]
    result = runner.invoke(app, ["batch", str(article.parent), "-o", str(tmp_path / "out"), "-q", "--min-confidence", "0.99"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "articles" / "a.txt.json").read_text(encoding="utf-8"))
    assert record["deals"] == []
    # report --from a batch's output: the deals below the minimum are left out of the page
    from deal_extract.cli import report  # noqa: F401

    assert runner.invoke(app, ["batch", str(article.parent), "-o", str(tmp_path / "all"), "-q"]).exit_code == 0
    for minimum, deals in (("0", len(everything["deals"])), ("0.99", 0)):
        page = tmp_path / f"report{minimum}.html"
        result = runner.invoke(app, ["report", "--from", str(tmp_path / "all"), "-o", str(page), "--min-confidence", minimum])
        assert result.exit_code == 0, result.output
        assert f"(1 article(s), {deals} deal(s))" in result.output


def test_a_bad_judge_model_is_a_usage_error(tmp_path):
    from deal_extract.cli import extract  # noqa: F401

    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(article), "--judge", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "cannot read judge model" in result.output
