"""deals/sellers.py: the named seller of an acquisition is a partner (SPEC section 6 role
"seller"); invented names and sentences."""

from __future__ import annotations

import pytest


def _partner_sets(extractor, body: str) -> list[list[str]]:
    record = extractor.extract_text("Deal news\n\n" + body + "\n", source="invented.txt")
    return sorted(sorted(p.name for p in d.partners) for d in record.deals)


@pytest.mark.parametrize("body, partners", [
    ("Orvane Bio Ltd. agreed to buy 100% of Kestrel Pharma Inc. from Norvex Capital at an enterprise value of $2 billion.",
     ["Kestrel Pharma Inc.", "Norvex Capital", "Orvane Bio Ltd."]),
    ("The sale came days after Orvane Bio Ltd. agreed to take a majority stake in Kestrel Pharma Inc. from Norvex "
     "Capital and Alder Partners.",
     ["Alder Partners", "Kestrel Pharma Inc.", "Norvex Capital", "Orvane Bio Ltd."]),
    ("Orvane Bio Ltd. agreed in 2019 to take control of Kestrel Pharma Inc., buying out the minority investors "
     "Norvex Capital and Alder Partners.",
     ["Alder Partners", "Kestrel Pharma Inc.", "Norvex Capital", "Orvane Bio Ltd."]),
])
def test_the_seller_named_in_the_clause_is_a_partner(extractor, body, partners):
    assert partners in _partner_sets(extractor, body)


def test_a_seller_named_in_a_later_sentence_joins_the_acquisition(extractor):
    sets = _partner_sets(extractor, "Orvane Bio Ltd. has agreed to acquire Kestrel Pharma Inc. for $300 million. "
                                    "The seller is Norvex Holdings.")
    assert sets == [["Kestrel Pharma Inc.", "Norvex Holdings", "Orvane Bio Ltd."]]


def test_the_same_acquisition_told_without_its_seller_is_one_deal(extractor):
    sets = _partner_sets(extractor, "Orvane Bio Ltd. agreed to buy 100% of Kestrel Pharma Inc. from Norvex Capital. "
                                    "Analysts said Orvane Bio Ltd.'s acquisition of Kestrel Pharma Inc. would lift its margins.")
    assert sets == [["Kestrel Pharma Inc.", "Norvex Capital", "Orvane Bio Ltd."]]
