"""Exchanges named in stock tickers ("(KOSDAQ: 196170)", "(ASX: NXS)") are organisations of the
text. The tickers are blanked before the NLP (they confuse the parser), so their exchanges are
added to the article's organisations here, from the text itself; they are never deal partners.
"""

from __future__ import annotations

from deal_extract.text.markup import ticker_exchanges
from deal_extract.organisations.groups import curated_by_key, org_key
from deal_extract.rulefiles.loader import Patterns


class Exchanges:
    """The curated list by normalised name, to give a ticker's exchange its country and kind."""

    def __init__(self, patterns: Patterns):
        self.by_key = curated_by_key(patterns.organisations)

    def organisations(self, text: str) -> list[dict]:
        """One organisation per exchange named in the text's tickers, with every ticker mention."""
        found: dict[str, dict] = {}
        for start, end in ticker_exchanges(text):
            name = text[start:end]
            entry = self.by_key.get(org_key(name))
            org = found.setdefault(org_key(name), {"name": name, "country": entry.country if entry else None,
                                                   "kind": entry.kind if entry else "company", "mentions": []})
            org["mentions"].append((start, end))
        return list(found.values())
