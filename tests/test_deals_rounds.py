"""deals/rounds.py: a financing round told over its lead sentence and roster sentences is one
deal of the company and every investor named (invented names and sentences)."""

from __future__ import annotations


def _partner_sets(extractor, body: str) -> list[list[str]]:
    record = extractor.extract_text("Funding news\n\n" + body + "\n", source="invented.txt")
    return sorted(sorted(p.name for p in d.partners) for d in record.deals)


LEAD = ("Orvane Biotherapeutics, a Busan developer of gene therapies, said on Thursday it had raised "
        "$46 million by extending its Series B round, with Kestrel Ventures again taking the lead.")


def test_lead_with_a_pronoun_subject_and_roster_sentences_are_one_round(extractor):
    body = (LEAD + "\n\nHealthcare specialists Norvex Capital, Tembury Partners and Alder Fund joined the extension, "
            "the company said. Two more investors also came in: Bramble Ventures and Quill Capital.")
    assert ["Alder Fund", "Bramble Ventures", "Kestrel Ventures", "Norvex Capital", "Orvane Biotherapeutics",
            "Quill Capital", "Tembury Partners"] in _partner_sets(extractor, body)


def test_an_investor_described_by_its_owner_brings_no_owner(extractor):
    body = LEAD + " Alder Fund, the venture arm of Norvex Holdings, also took part."
    sets = _partner_sets(extractor, body)
    assert ["Alder Fund", "Kestrel Ventures", "Orvane Biotherapeutics"] in sets
    assert not any("Norvex Holdings" in s for s in sets)


def test_an_earlier_round_ends_the_roster(extractor):
    body = LEAD + " Alder Fund also took part. Bramble Ventures led an earlier Series A round in 2020."
    sets = _partner_sets(extractor, body)
    assert ["Alder Fund", "Kestrel Ventures", "Orvane Biotherapeutics"] in sets
    assert not any("Bramble Ventures" in s and "Alder Fund" in s for s in sets)


def test_a_headline_clause_with_its_own_subject_is_no_part_of_the_round(extractor):
    sets = _partner_sets(extractor, "Orvane Biotherapeutics has raised US$38m in a Series B round; Tembury Foods "
                                    "will distribute Norvex Medical's scanners in Japan. The round was led by Kestrel Ventures.")
    assert ["Kestrel Ventures", "Orvane Biotherapeutics"] in sets
    assert not any("Orvane Biotherapeutics" in s and "Tembury Foods" in s for s in sets)


def test_a_running_total_of_funding_is_no_round_value(extractor):
    record = extractor.extract_text(
        "Funding news\n\nOrvane Biotherapeutics has closed a Series C round of 2.83 billion yen led by Kestrel "
        "Ventures. The new cash brings the company's total funding since its founding to 4.5 billion yen, or "
        "roughly US$33 million.\n", source="invented.txt")
    (deal,) = record.deals
    assert (deal.value.amount, deal.value.currency) == (2_830_000_000, "JPY")


def test_a_history_of_rounds_is_no_round(extractor):
    sets = _partner_sets(extractor, "Since its founding, Orvane Biotherapeutics has completed several rounds of "
                                    "private financing. Its shareholders include Kestrel Ventures, Alder Fund and Quill Capital.")
    assert ["Alder Fund", "Kestrel Ventures", "Orvane Biotherapeutics", "Quill Capital"] not in sets


def test_ophthalmology_words_of_the_cornea():
    from deal_extract.rulefiles.loader import Patterns

    words = {w for c in Patterns().themes if c.id == "ophthalmology" for w in c.phrases}
    assert {"cornea", "corneal", "cataract"} <= words


def test_a_month_named_may_blocks_no_roster_sentence(extractor):
    """"7 May" is a date, not the modal "may" that makes a sentence no deal."""
    body = LEAD + " The extension, disclosed on 7 May, was also joined by Alder Fund and Bramble Ventures."
    assert ["Alder Fund", "Bramble Ventures", "Kestrel Ventures", "Orvane Biotherapeutics"] in _partner_sets(extractor, body)


def test_a_name_introduced_by_a_descriptor_is_a_roster_item(extractor):
    """"private investment firm Quill Capital": the noun introduces the name, it does not describe another."""
    body = LEAD + " Alder Fund, private investment firm Quill Capital and Bramble Ventures also returned."
    assert ["Alder Fund", "Bramble Ventures", "Kestrel Ventures", "Orvane Biotherapeutics",
            "Quill Capital"] in _partner_sets(extractor, body)


def test_the_two_companies_continue_a_deal_of_two_not_the_round_before(extractor):
    """"The two companies" after a round of four starts another deal's story, not the round's."""
    body = (LEAD + " Alder Fund and Bramble Ventures also took part.\n\nKestrel Ventures has long known Quill "
            "Bio. The two companies signed a research pact in 2019 that was valued at more than $1 billion.")
    rounds = [d for d in extractor.extract_text("Funding news\n\n" + body + "\n", source="invented.txt").deals
              if "Orvane Biotherapeutics" in {p.name for p in d.partners}]
    assert rounds and all(d.value is None or d.value.amount == 46_000_000 for d in rounds)
