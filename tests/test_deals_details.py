"""deals/details.py and deals/usd.py: the SPEC section 6 details of a deal, read from its own
sentences (invented names and sentences)."""

from __future__ import annotations

import datetime as dt

import pytest

LICENCE = ("Deal news\n\nSEOUL, March 4, 2025 - Orvane Bio Ltd. said on Tuesday it had granted Kestrel Pharma Inc. "
           "an exclusive licence to ORV-301 for $80 million upfront and up to $590 million in milestones, "
           "a total of up to $670 million.\n")


@pytest.fixture(scope="module")
def licence(extractor):
    (deal,) = extractor.extract_text(LICENCE, source="invented.txt").deals
    return deal


def test_roles_come_from_the_pattern_that_read_the_deal(licence):
    assert {p.name: p.role for p in licence.partners} == {"Orvane Bio Ltd.": "licensor", "Kestrel Pharma Inc.": "licensee"}


def test_a_dateline_is_no_part_of_the_name_after_it(licence):
    assert "Orvane Bio Ltd." in {p.name for p in licence.partners}


def test_announced_resolves_a_weekday_against_the_articles_date(licence):
    assert licence.announced == "2025-03-04"


def test_assets_and_terms(licence):
    assert licence.assets == ["ORV-301"]
    assert (licence.terms.upfront.amount, licence.terms.milestones.amount, licence.terms.total.amount) == (
        80_000_000, 590_000_000, 670_000_000)
    assert licence.value_usd == 670_000_000


@pytest.mark.parametrize("sentence, status", [
    ("In May 2023, Orvane Bio Ltd. completed the acquisition of Norvex Labs from Alder Capital for 12 billion won.", "completed"),
    ("Orvane Bio Ltd. agreed to acquire Norvex Labs; the deal is expected to close in June.", "agreed"),
    ("Orvane Bio Ltd. signed a licence agreement with Norvex Labs in 2019. Norvex Labs handed back the rights "
     "last month.", "ended"),
])
def test_status(extractor, sentence, status):
    deals = extractor.extract_text("Deal news\n\n" + sentence + "\n", source="invented.txt").deals
    assert [d.status for d in deals] == [status]


def test_month_precision_and_a_value_in_us_dollars_at_that_months_rate(extractor):
    (deal,) = extractor.extract_text("Deal news\n\nIn May 2023, Orvane Bio Ltd. completed the acquisition of Norvex "
                                     "Labs from Alder Capital for 12 billion won.\n", source="invented.txt").deals
    assert deal.announced == "2023-05"
    assert {p.name: p.role for p in deal.partners}["Alder Capital"] == "seller"
    assert 8_000_000 < deal.value_usd < 10_000_000


@pytest.mark.parametrize("text, published, expected", [
    ("May 2023", None, "2023-05"), ("2021", None, "2021"), ("June 6, 2022", None, "2022-06-06"),
    ("Tuesday", dt.date(2025, 3, 4), "2025-03-04"), ("Tuesday", None, None), ("last week", dt.date(2025, 3, 4), None),
    ("Oct 19", None, None), ("Oct 19", dt.date(2023, 11, 2), "2023-10-19"),
])
def test_parse_date_at_the_precision_written(text, published, expected):
    from deal_extract.deals.details import parse_date

    assert parse_date(text, published) == expected


def test_usd_of_a_currency_the_ecb_does_not_quote_is_none():
    from deal_extract.deals.usd import to_usd

    assert to_usd(100.0, "VND", dt.date(2024, 1, 2)) is None
    assert to_usd(100.0, "USD", None) == 100
