"""The spaCy side: a saved pipeline reloads in a fresh process with the same deals, the
components declare what they read and write, and one deal id whichever route."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from deal_extract.rulefiles.loader import PatternError, Patterns, default_patterns_dir

TEXT = (
    "Hanbit Bio signs licence with Kestrel Therapeutics\n\n"
    "Hanbit Bio, a Korean biotech, signed an exclusive licence agreement with Kestrel Therapeutics "
    "for its ADC platform in Greater China. The deal is worth up to $407 million.\n\n"
    "Separately, Samsung Biologics and Pfizer entered into a manufacturing agreement.\n"
)


def test_saved_pipeline_reloads_in_a_fresh_process_with_the_same_deals(extractor, tmp_path):
    custom = tmp_path / "custom"  # a custom rule set, removed before the reload
    shutil.copytree(default_patterns_dir(), custom)
    from deal_extract import load

    loaded = load(model=extractor.model_name, patterns=custom)
    saved = tmp_path / "pipeline"
    loaded.nlp.to_disk(saved)
    shutil.rmtree(custom)
    expected = loaded.nlp(TEXT)._.deals
    assert expected, "the text must give deals for the comparison to mean anything"

    script = textwrap.dedent(f"""
        import json, sys, spacy
        nlp = spacy.load({str(saved)!r})
        doc = nlp(sys.stdin.read())
        print(json.dumps(doc._.deals))
    """)
    run = subprocess.run([sys.executable, "-c", script], input=TEXT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == json.loads(json.dumps(expected))
    assert str(custom) not in (saved / "config.cfg").read_text(encoding="utf-8")
    assert (saved / "deal_extract_deals" / "relations.yml").is_file()


def test_analyze_pipes_reports_no_problems(extractor):
    analysis = extractor.nlp.analyze_pipes(pretty=False)
    assert all(not missing for missing in analysis["problems"].values()), analysis["problems"]


def test_components_added_by_hand_use_the_packaged_rules(extractor):
    import spacy

    nlp = spacy.load(extractor.model_name)
    nlp.add_pipe("deal_extract_compounds", first=True)
    nlp.add_pipe("deal_extract_line_breaks", before="parser")
    nlp.add_pipe("deal_extract_org_ruler", before="ner")
    nlp.add_pipe("deal_extract_organisations")
    nlp.add_pipe("deal_extract_cues")
    nlp.add_pipe("deal_extract_deals")
    by_hand = nlp(TEXT)._.deals
    assert by_hand == extractor.nlp(TEXT)._.deals


def test_one_deal_id_whichever_route(extractor):
    """The API's record and the component's dict carry the same id when the Doc names its source."""
    result = extractor.extract_text(TEXT, source="corpus/note.txt")
    doc = extractor.nlp.make_doc(TEXT)
    doc._.source = "corpus/note.txt"
    doc = extractor.nlp(doc)
    assert sorted(d.id for d in result.deals) == sorted(d["id"] for d in doc._.deals)


# --- the rule set: partial folders, organisations folder, extra organisation files -----

def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_a_patterns_folder_may_hold_only_the_files_it_changes(tmp_path):
    folder = tmp_path / "mine"
    write(folder / "themes.yml", """
        cues:
          - id: "vaccine"
            phrases: ["jab"]
    """)
    patterns = Patterns(folder).validate_all()
    assert [c.id for c in patterns.themes] == ["vaccine"]
    assert patterns.path("relations.yml") == default_patterns_dir() / "relations.yml"
    assert len(patterns.organisations) == len(Patterns().organisations)


def test_organisations_folder_is_merged_and_repeats_across_files_name_both(tmp_path):
    folder = tmp_path / "mine"
    write(folder / "organisations.yml", """
        organisations:
          - name: "Zyxor Biologics"
            country: "KR"
    """)
    write(folder / "organisations" / "a.yml", """
        organisations:
          - name: "Qorvane Pharma"
            country: "JP"
    """)
    assert [o.name for o in Patterns(folder).organisations] == ["Zyxor Biologics", "Qorvane Pharma"]
    write(folder / "organisations" / "b.yml", """
        organisations:
          - name: "Velmora Labs"
            country: "SG"
          - name: "Qorvane"
            aliases: ["Qorvane Pharma"]
            country: "JP"
    """)
    with pytest.raises(PatternError) as info:
        Patterns(folder).organisations
    message = str(info.value)
    assert message.startswith(f"{folder / 'organisations' / 'b.yml'}: organisations, entry 2 (Qorvane)"), message
    assert f"is already {folder / 'organisations' / 'a.yml'}, entry 1 (Qorvane Pharma" in message


def test_extra_organisations_overlay_the_packaged_list(tmp_path):
    extra = write(tmp_path / "mine.yml", """
        organisations:
          - name: "Zyxor Biologics"
            aliases: ["Zyxor"]
            country: "KR"
    """)
    patterns = Patterns(organisations=[extra])
    names = [o.name for o in patterns.organisations]
    assert names[-1] == "Zyxor Biologics" and len(names) == len(Patterns().organisations) + 1


def test_extra_organisations_conflicting_with_the_packaged_list_name_file_and_entry(tmp_path):
    packaged = Patterns().organisations[0]
    extra = write(tmp_path / "mine.yml", f"""
        organisations:
          - name: "Zyxor Biologics"
            country: "KR"
          - name: "{packaged.name} Group"
            aliases: ["{packaged.name}"]
            country: "KR"
    """)
    with pytest.raises(PatternError) as info:
        Patterns(organisations=[extra]).organisations
    message = str(info.value)
    assert message.startswith(f"{extra}: organisations, entry 2 ({packaged.name} Group)"), message
    assert f"academic_hospitals.yml, entry 1 ({packaged.name}" in message


def test_extra_organisations_are_validated_like_the_packaged_list(tmp_path):
    extra = write(tmp_path / "mine.yml", """
        organisations:
          - name: "Zyxor Biologics"
            country: "Korea"
    """)
    with pytest.raises(PatternError, match=r"mine\.yml: invalid pattern file\n  organisations, entry 1 \(Zyxor Biologics\), field 'country'"):
        Patterns(organisations=[extra]).organisations


def test_saved_rule_set_is_the_same_set(tmp_path):
    extra = write(tmp_path / "extra" / "mine.yaml", """
        organisations:
          - name: "Zyxor Biologics"
            country: "KR"
    """)
    patterns = Patterns(organisations=[extra]).validate_all()
    patterns.save(tmp_path / "saved")
    again = Patterns(tmp_path / "saved").validate_all()
    assert [o.name for o in again.organisations] == [o.name for o in patterns.organisations]
    assert all(again.path(name).parent == tmp_path / "saved" for name in ("relations.yml", "themes.yml"))


def test_extract_cli_takes_extra_organisations(tmp_path):
    from typer.testing import CliRunner

    from deal_extract import cli

    cli._register()
    extra = write(tmp_path / "mine.yml", """
        organisations:
          - name: "Zyxor Biologics"
            country: "NO"
    """)
    article = write(tmp_path / "a.txt", "Zyxor Biologics signed a licence agreement with Pfizer.\n")
    result = CliRunner().invoke(cli.app, ["extract", str(article), "--organisations", str(extra)])
    assert result.exit_code == 0, result.output
    orgs = {o["name"]: o["country"] for o in json.loads(result.stdout)["organisations"]}
    assert orgs.get("Zyxor Biologics") == "NO"
    bad = write(tmp_path / "bad.yml", "organisations: [{name: Zyxor, colour: red}]\n")
    result = CliRunner().invoke(cli.app, ["extract", str(article), "--organisations", str(bad)])
    assert result.exit_code == 2 and "bad.yml: invalid pattern file" in result.stderr
