"""A deal's value in US dollars at the European Central Bank's reference rate of its date.

The rates are the ECB's daily history shipped inside the ``CurrencyConverter`` package (offline;
``currency_converter.ECB_URL`` names the source). The date is the deal's ``announced`` (a year or
a month stands for its first day), else the article's ``published``, else the latest rate the
installed data holds; a date outside the data takes the nearest rate.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Optional


@lru_cache(maxsize=1)
def _converter():
    from currency_converter import CurrencyConverter  # loaded on the first value: start-up time

    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def rate_date(announced: Optional[str], published: Optional[dt.date]) -> Optional[dt.date]:
    """The date whose rate converts: announced (partial dates at their first day), else published."""
    if announced:
        parts = [int(p) for p in announced.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])
    return published


def to_usd(amount: float, currency: str, when: Optional[dt.date]) -> Optional[float]:
    """``amount`` of ``currency`` in US dollars, rounded to the dollar; None for a currency the
    ECB does not quote."""
    if currency == "USD":
        return round(amount)
    converter = _converter()
    if currency not in converter.currencies:
        return None
    return round(converter.convert(amount, currency, "USD", date=when))
