"""deals/facts.py: what the deal rules know of a Doc; here, the news credits no rule may pair."""

from __future__ import annotations

import pytest


def _partner_sets(extractor, text: str) -> list[list[str]]:
    record = extractor.extract_text(text, source="invented.txt")
    return sorted(sorted(p.name for p in d.partners) for d in record.deals)


@pytest.mark.parametrize("opening", [
    "SEOUL, May 20 (Yonhap) - ",
    "SEOUL (Yonhap) -- ",
    "OSLO, March 3, 2025 /PRNewswire/ -- ",
])
def test_a_news_credit_is_never_a_party(extractor, opening):
    """The agency of a dateline is an organisation of the text, but no party (it was paired
    with the licensee in place of the subject before)."""
    text = (f"Orvane signs licence\n\n{opening}Orvane Bio Ltd said on Monday it signed a licensing "
            "agreement with Kestrel Pharma Inc. for its kinase inhibitor.\n\n(Reporting by Yonhap staff)\n")
    assert _partner_sets(extractor, text) == [["Kestrel Pharma Inc.", "Orvane Bio Ltd"]]


def test_a_bracketed_short_form_after_a_name_is_no_credit(extractor):
    text = ("Deals\n\nOrvane Bio Ltd (Orvane) - a Busan drugmaker - signed a licensing agreement with "
            "Kestrel Pharma Inc. for its kinase inhibitor.\n")
    assert _partner_sets(extractor, text) == [["Kestrel Pharma Inc.", "Orvane Bio Ltd"]]


def test_partners_listed_with_slashes_in_a_heading_are_no_wire_credit(extractor):
    text = ("Digest\n\nOrvane / Kestrel / Norvex (22 April)\nOrvane Bio Ltd, Kestrel Pharma Inc. and Norvex "
            "Holdings signed a master agreement to set up a joint venture.\n")
    assert ["Kestrel Pharma Inc.", "Norvex Holdings", "Orvane Bio Ltd"] in _partner_sets(extractor, text)

