"""Home countries from what the text says (countries.py, orgs.py), through the real pipeline.

Every text gets a one-line headline first: the first line of an article is its title, and
names that occur only in the title are dropped unless curated. Invented company names are
used wherever the curated list (patterns/organisations.yml) must not decide.
"""

from __future__ import annotations

from typing import Optional

import pytest

TITLE = "Weekly roundup.\n\n"


def countries(extractor, body: str) -> dict[str, Optional[str]]:
    result = extractor.extract_text(TITLE + body + "\n")
    return {o.name: o.country for o in result.organisations}


def assert_countries(got: dict[str, Optional[str]], expected: dict[str, Optional[str]], text: str) -> None:
    missing = sorted(set(expected) - set(got))
    assert not missing, f"{text!r}: organisations {missing} not found; found {got}"
    wrong = {n: (c, got[n]) for n, c in expected.items() if got[n] != c}
    assert not wrong, f"{text!r}: (expected, got) countries {wrong}"


@pytest.fixture(scope="module")
def curated(extractor) -> dict[str, Optional[str]]:
    return {e.name: e.country for e in extractor.patterns.organisations}


# --- the rules, each on its own -----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # parenthesis
    ("Dorvan Pharma (Japan) and Kelso Biotech (South Korea) signed an agreement.",
     {"Dorvan Pharma": "JP", "Kelso Biotech": "KR"}),
    ("Coreline Soft (South Korea) and Zorvana Health signed an agreement.",
     {"Coreline Soft": "KR", "Zorvana Health": None}),
    # shared parenthesis: "A and B (China)" gives both
    ("Grovix Bio and Lantern Therapeutics (China) signed an agreement.",
     {"Grovix Bio": "CN", "Lantern Therapeutics": "CN"}),
    ("- Grovix Bio and Lantern Therapeutics (China): End-to-end CDMO support for ADCs.",
     {"Grovix Bio": "CN", "Lantern Therapeutics": "CN"}),
    ("- Fangzhou and Tencent Health (China): digital health cooperation on chronic disease care.",
     {"Fangzhou": "CN", "Tencent Health": "CN"}),
    # possessive
    ("Taiwan's NEWCL signed a deal with Brivanto Therapeutics.", {"NEWCL": "TW", "Brivanto Therapeutics": None}),
    ("Taiwan's Brevara Biotech signed a deal with Strand Labs.", {"Brevara Biotech": "TW", "Strand Labs": None}),
    ("Korea's Pyxis Biologics partnered with Strand Labs.", {"Pyxis Biologics": "KR", "Strand Labs": None}),
    # -based
    ("Seoul-based Arum Bio partnered with Quellix Therapeutics.", {"Arum Bio": "KR", "Quellix Therapeutics": None}),
    ("Singapore-based Pelion Therapeutics signed a deal with Marlow Biotech.",
     {"Pelion Therapeutics": "SG", "Marlow Biotech": None}),
    ("Strand Labs signed a deal with Beijing-based Corvex Biotech.", {"Strand Labs": None, "Corvex Biotech": "CN"}),
    ("Opella Biotech, based in Tokyo, partnered with Ruvex Therapeutics.",
     {"Opella Biotech": "JP", "Ruvex Therapeutics": None}),
    # apposition
    ("Antengene, a Chinese biopharmaceutical company, signed a licence with Veltaro Therapeutics.",
     {"Antengene": "CN", "Veltaro Therapeutics": None}),
    ("Veltaro Therapeutics, a Chinese biopharmaceutical company, signed a licence with Nexor Biotech.",
     {"Veltaro Therapeutics": "CN", "Nexor Biotech": None}),
    # "X of Japan"
    ("Tamsin Pharma of Japan partnered with Strand Labs.", {"Tamsin Pharma": "JP"}),
    # "X is based in ..."
    ("Nuvaxa Bio is based in Seongnam, South Korea.", {"Nuvaxa Bio": "KR"}),
    ("Zelmar Bio is headquartered in Osaka.", {"Zelmar Bio": "JP"}),
    # group statement
    ("Japanese firms such as Kirova Pharma and Mensho Biotech expanded in Vietnam.",
     {"Kirova Pharma": "JP", "Mensho Biotech": "JP"}),
    # premodifier
    ("Korean biotech Selvo Therapeutics signed a deal with Ardent Pharma.",
     {"Selvo Therapeutics": "KR", "Ardent Pharma": None}),
    ("Chinese CDMO Luminex Biologics signed a deal with Strand Labs.",
     {"Luminex Biologics": "CN", "Strand Labs": None}),
])
def test_country_from_the_text(extractor, text, expected):
    assert_countries(countries(extractor, text), expected, text)


def test_premodifier_over_several_descriptor_words(extractor):
    text = "Malaysian digital health start-up KlinikKu Digital partnered with Halvex Pharma."
    got = countries(extractor, text)
    klinikku = [name for name in got if name.startswith("KlinikKu")]
    assert klinikku, f"no KlinikKu organisation in {got}"
    assert got[klinikku[0]] == "MY"
    assert got.get("Halvex Pharma", "missing") is None


def test_premodifier_keeps_the_full_name(extractor):
    got = countries(extractor, "Malaysian digital health start-up KlinikKu Digital partnered with Halvex Pharma.")
    assert got.get("KlinikKu Digital") == "MY", got


def test_text_beats_the_curated_list(extractor, curated):
    """An explicit statement wins over the curated country (here: a deliberately different one)."""
    assert curated["NEWCL"] == "TW"
    got = countries(extractor, "Japan's NEWCL signed a deal with Brivanto Therapeutics.")
    assert got["NEWCL"] == "JP"


def test_curated_country_when_the_text_says_nothing(extractor, curated):
    got = countries(extractor, "Coreline Soft signed a deal with Strand Labs.")
    assert got["Coreline Soft"] == curated["Coreline Soft"] == "KR"
    assert got["Strand Labs"] is None


# --- what must not give a country -----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # a person's / an office's country is not the organisation's
    ('"We are proud," said Bijay Singh, DKSH\'s Global Head, Healthcare Business Unit, Thailand.',
     {"DKSH": "CH"}),
    ('"We are proud," said Bijay Singh, Norvell Pharma\'s Global Head, Healthcare Business Unit, Thailand.',
     {"Norvell Pharma": None}),
    ("Zanith Biotech's head of Asia, based in Japan, said the company is growing.", {"Zanith Biotech": None}),
    ("Kellan Biotech chief executive Mei Tanaka, a Japanese citizen, said the deal closed.", {"Kellan Biotech": None}),
    ("Kellan Biotech said its Japanese subsidiary will sell the drug.", {"Kellan Biotech": None}),
    # a market is not a home country
    ("Quorvan Therapeutics sells in Japan.", {"Quorvan Therapeutics": None}),
    ("Kellan Biotech, which sells in Japan and Korea, signed a deal with Strand Labs.",
     {"Kellan Biotech": None, "Strand Labs": None}),
    ("Kellan Biotech plans to expand in Vietnam, the company said.", {"Kellan Biotech": None}),
    ("The market in Japan is growing, said Kellan Biotech.", {"Kellan Biotech": None}),
    # nothing stated: no guess
    ("Velmora Biotech partnered with Strand Labs.", {"Velmora Biotech": None, "Strand Labs": None}),
])
def test_no_country_from_people_offices_or_markets(extractor, text, expected):
    assert_countries(countries(extractor, text), expected, text)


def test_dksh_is_not_thai(extractor):
    got = countries(extractor, '"We are proud," said Bijay Singh, DKSH\'s Global Head, Healthcare Business Unit, Thailand.')
    assert got["DKSH"] != "TH"


# The premodifier rule (countries.CountryEvidence.mention_evidence) walks back over up to five
# lowercase tokens of any kind, verbs and prepositions included, to a country name: a market,
# an office or another organisation's country just before "... <verb> <prep> X" becomes X's.
@pytest.mark.parametrize("text, name", [
    ("Quorvan Therapeutics sells its products in Japan through Kexin Pharma.", "Kexin Pharma"),
    ("Revana Biotech launched its drug in Singapore with Hollin Pharma.", "Hollin Pharma"),
    ("Helix Biotech has an office in Thailand and signed a deal with Corvel Pharma.", "Corvel Pharma"),
    ("Tamsin Pharma of Japan signed a deal with Brolix Biotech.", "Brolix Biotech"),
    ("China's NMPA approved Kelvar Therapeutics's antibody for lung cancer.", "Kelvar Therapeutics"),
])
def test_country_before_a_verb_is_not_the_next_organisations(extractor, text, name):
    got = countries(extractor, text)
    assert name in got, got
    assert got[name] is None, f"{text!r}: {name} got {got[name]}"


def test_countries_are_iso_codes(extractor):
    result = extractor.extract_text(TITLE + "Dorvan Pharma (Japan) and Kelso Biotech (South Korea) signed an agreement.\n")
    for org in result.organisations:
        assert org.country is None or (len(org.country) == 2 and org.country.isupper())


def test_deal_partners_carry_the_organisations_country(extractor):
    result = extractor.extract_text(TITLE + "Dorvan Pharma (Japan) and Kelso Biotech (South Korea) signed an agreement.\n")
    by_name = {o.name: o.country for o in result.organisations}
    (deal,) = result.deals
    assert {p.name: p.country for p in deal.partners} == {"Dorvan Pharma": "JP", "Kelso Biotech": "KR"}
    assert all(by_name[p.name] == p.country for p in deal.partners)


@pytest.mark.parametrize("text, name, code", [
    ("Terumo bought U.K. organ transplant company OrganOx in August.", "OrganOx", "GB"),
    ("Otsuka acquired Massachusetts-based autoimmune and rare disease company Jnana Therapeutics.", "Jnana Therapeutics", "US"),
    ("The licence went to Czech-based clinical-stage immune-oncology company SOTIO Biotech.", "SOTIO Biotech", "CZ"),
    ("US manufacturer Access Bio signed a supply deal.", "Access Bio", "US"),
])
def test_country_before_descriptor_run(extractor, text, name, code):
    assert_countries(countries(extractor, text), {name: code}, text)


def test_verb_between_place_and_name_gives_no_country(extractor):
    text = "Companies in Japan acquired Foobar Therapeutics last year."
    assert_countries(countries(extractor, text), {"Foobar Therapeutics": None}, text)


def test_a_curated_name_inside_a_longer_name_gives_no_country(extractor):
    """"Luminex" is curated (US); "Luminex Biologics" is another organisation, placed by the text only."""
    text = "Strand Labs licensed its platform to Luminex Biologics last week."
    got = countries(extractor, text)
    assert "Luminex Biologics" in got and got["Luminex Biologics"] is None, got


@pytest.mark.parametrize("text, name, code", [
    ("Quillon Therapeutics, based in the United Arab Emirates, signed a deal with Tembury Bio.", "Quillon Therapeutics", "AE"),
    ("Quillon Therapeutics, which is headquartered in Tokyo, signed a deal with Tembury Bio.", "Quillon Therapeutics", "JP"),
    ("The licence went to Quillon Therapeutics from the U.S. last week.", "Quillon Therapeutics", "US"),
    ("Local companies in Malaysia that make insulin include Quillon Biologics, Tembury Bio and Orvane Pharma.", "Orvane Pharma", "MY"),
])
def test_country_from_relative_clauses_from_and_statements_over_lists(extractor, text, name, code):
    assert_countries(countries(extractor, text), {name: code}, text)


def test_a_market_in_a_relative_clause_is_no_home(extractor):
    text = "Quillon Therapeutics, which makes antibodies for patients in Japan, signed a deal with Tembury Bio."
    assert_countries(countries(extractor, text), {"Quillon Therapeutics": None}, text)


def test_a_definite_description_opening_the_next_sentence_gives_the_country(extractor):
    text = "Quillon Pharma won a tender last week. The Vietnamese firm will supply vaccines to Hanoi hospitals."
    assert_countries(countries(extractor, text), {"Quillon Pharma": "VN"}, text)


def test_a_definite_description_with_two_candidates_gives_none(extractor):
    text = "Harrowgate Biologics signed with Quillon Pharma. The Vietnamese firm will distribute the drug."
    assert_countries(countries(extractor, text), {"Harrowgate Biologics": None, "Quillon Pharma": None}, text)
