"""A candidate's label: 1 when its partner set, mapped to gold organisations by the scorer's
name matching (:class:`deal_extract.evaluation.names.GoldIndex`), equals a gold deal's partner
set; gold deals with ``status: ended`` are no positives (SPEC section 6 scores them apart)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from deal_extract.evaluation.details import is_ended
from deal_extract.evaluation.names import GoldIndex
from deal_extract.records import GoldFile


@dataclass
class GoldDeals:
    index: GoldIndex
    live: set[frozenset[int]]

    @classmethod
    def of(cls, gold: GoldFile) -> "GoldDeals":
        index = GoldIndex(gold.organisations)
        live = {frozenset(index.lookup(p) for p in deal.partners) for deal in gold.deals if not is_ended(deal)}
        return cls(index, live)

    def key(self, names: Iterable[str]) -> Optional[frozenset[int]]:
        """The gold organisations a partner set names, or None when one is no gold organisation."""
        mapped = [self.index.lookup(name) for name in names]
        return None if None in mapped else frozenset(mapped)

    def label(self, names: Iterable[str]) -> int:
        key = self.key(names)
        return int(key is not None and key in self.live)
