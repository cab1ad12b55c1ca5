"""Money amounts in text: "up to $407 million", "426.5 billion won ($363 million)", "INR 1,200 crore".

The headline value of a deal is its largest amount (compared through rough exchange rates),
in the currency as written; an amount in parentheses right after another is a conversion and
never the headline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Optional

_PREFIX = {
    "US$": "USD", "USD": "USD", "$": "USD", "A$": "AUD", "AU$": "AUD", "AUD": "AUD", "S$": "SGD",
    "SGD": "SGD", "HK$": "HKD", "HKD": "HKD", "NT$": "TWD", "TWD": "TWD", "RMB": "CNY", "CNY": "CNY",
    "¥": "JPY", "JPY": "JPY", "JP¥": "JPY", "₩": "KRW", "KRW": "KRW", "€": "EUR", "EUR": "EUR",
    "£": "GBP", "GBP": "GBP", "Rs.": "INR", "Rs": "INR", "INR": "INR", "₹": "INR", "CHF": "CHF",
    "C$": "CAD", "CAD": "CAD", "NZ$": "NZD", "NZD": "NZD", "MYR": "MYR", "RM": "MYR", "THB": "THB",
    "VND": "VND", "PHP": "PHP", "IDR": "IDR", "Rp": "IDR",
}
_SUFFIX = {
    "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "yen": "JPY", "won": "KRW", "rupees": "INR",
    "rupee": "INR", "euros": "EUR", "euro": "EUR", "dollars": "USD", "ringgit": "MYR", "baht": "THB",
    "dong": "VND", "pesos": "PHP", "rupiah": "IDR", "francs": "CHF",
}
_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "mln": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "crore": 1e7, "crores": 1e7, "lakh": 1e5, "lakhs": 1e5,
}
# rough USD per unit, only to compare amounts in different currencies
_USD_RATE = {
    "USD": 1.0, "EUR": 1.1, "GBP": 1.3, "CHF": 1.15, "JPY": 0.0068, "KRW": 0.00072, "CNY": 0.14,
    "INR": 0.012, "AUD": 0.66, "SGD": 0.75, "HKD": 0.13, "TWD": 0.031, "CAD": 0.73, "NZD": 0.6,
    "MYR": 0.22, "THB": 0.028, "VND": 0.00004, "PHP": 0.018, "IDR": 0.000062,
}

_prefixes = "|".join(re.escape(p) for p in sorted(_PREFIX, key=len, reverse=True))
_suffixes = "|".join(sorted(_SUFFIX, key=len, reverse=True))
_scales = "|".join(sorted(_SCALE, key=len, reverse=True))
# a number starts only where no digit or comma precedes it: every run of digits is tried
# once, not once per digit (linear time); "1,000" groups are spelt out (no repetition in a repetition);
# a scale may follow a hyphen: "a ₹25,689-crore valuation", "a $1.2-billion deal"
_NUMBER = r"(?<![\d,])(?:\d{1,3}(?:,\d\d\d)+(?:\.\d+)?|\d+(?:\.\d+)?)"
MONEY = re.compile(
    rf"(?:(?P<qual>up to|as much as|a total of|total of|worth|valued at|more than|over)\s+)?"
    rf"(?:(?P<pre>{_prefixes})\s?(?P<n1>{_NUMBER})(?:[\s-]?(?P<s1>{_scales})\b)?(?:\s(?P<w1>{_suffixes})\b)?"
    rf"|(?P<n2>{_NUMBER})[\s-]?(?P<s2>{_scales})?\s(?P<w2>{_suffixes})\b)",
    re.IGNORECASE,
)
# "revenue of $5 billion", "a market worth $2 billion": amounts that are no deal's value
_EXCLUDE_BEFORE = re.compile(
    r"\b(revenues?|sales|turnover|profits?|loss(es)?|market( size| value)?|valuation|spending|budget|capitalisation|capitalization)"
    r"\s+(of|were|was|reached|totall?ed|hit|at|to|worth|is|are|topped|exceeded|near)\s+(?:(about|around|roughly|nearly|over|more than|some|almost)\s*)?$",
    re.I)

# "brings its total funding since 2019 to 4.5 billion yen", "total capital raised reaches US$19
# million": a running total of several rounds,
# no one deal's value ("milestones that bring the total to 21 billion yen" is the deal's own)
_CUMULATIVE = re.compile(
    r"\b(total|cumulative|overall|aggregate)\s+(funding|financing|fundraising|capital|investment|raised|amount)\b"
    r"[^.;$\u20ac\u00a3\u00a5\u20a9]{0,60}\b(to|reach(es|ed)?|hits?|stands at|stood at)\s+"
    r"(?:(about|around|roughly|nearly|over|more than|some|almost)\s+)?$", re.I)

# "lifted the total the company had raised past US$65 million": a total passing a mark (with the
# words "total" and a funding word in the window before the amount)
_PAST = re.compile(r"\b(past|above|beyond)\s+$")
_FUNDING_WORDS = ("raised", "funding", "financing", "capital")

# "has raised US$19 million since it was founded": a running total told by its starting point
_SINCE = re.compile(r"^\s*(in total\s+)?since\s+(it was (founded|set up|established|launched)|(its\s+)?(founding|inception|launch)|(19|20)\d\d)\b", re.I)
# "held about 150 billion won in cash before the round": cash on hand, not a payment ("paid $5m in cash" is one)
_HELD = re.compile(r"\b(held|holds|holding|had|has|have|with)\s+(?:(about|around|roughly|nearly|over|more than|some|almost)\s+)?$", re.I)
_IN_CASH = re.compile(r"^\s*(in|of)\s+cash\b", re.I)

_BEFORE_WINDOW = 80
_HEDGE = re.compile(r"\b(about|approximately|approx\.?|around|roughly|some|or|i\.e\.|c\.|ca\.|nearly|almost|equivalent to)$", re.I)


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    amount: float
    currency: str
    text: str
    conversion: bool = False

    @property
    def usd(self) -> float:
        return self.amount * _USD_RATE.get(self.currency, 1.0)

    def as_dict(self) -> dict:
        return {"amount": self.amount, "currency": self.currency, "text": self.text}


def _currency(pre: Optional[str], word: Optional[str]) -> Optional[str]:
    if word:
        return _SUFFIX[word.lower()]
    if pre:
        return _PREFIX.get(pre) or _PREFIX.get(pre.upper())
    return None


#: what stands between an amount and the same amount in another currency: "$1.35 billion (1.96
#: trillion won)", "$1.35 billion, or about 1.96 trillion won" (hedges already removed)
_CONVERSION_MARK = re.compile(r"(?:\(|,? or)$")


def find_money(text: str, offset: int = 0) -> list[Money]:
    """All money amounts in ``text``; offsets are shifted by ``offset``."""
    found: list[Money] = []
    excluded_end = -1   # end of the last amount left out: its conversion is left out too
    for m in MONEY.finditer(text):
        number = m.group("n1") or m.group("n2")
        scale = m.group("s1") or m.group("s2")
        currency = _currency(m.group("pre"), m.group("w1") or m.group("w2"))
        if currency is None:
            continue
        amount = float(number.replace(",", "")) * (_SCALE[scale.lower()] if scale else 1.0)
        window = max(0, m.start() - _BEFORE_WINDOW)  # not the whole text before every amount
        before = _HEDGE.sub("", text[window: m.start()].rstrip()).rstrip()
        marker = _CONVERSION_MARK.search(before)
        if marker is not None and excluded_end >= window + marker.start() - 3:
            continue
        before, after = text[max(0, m.start() - 60): m.start()], text[m.end(): m.end() + 40]
        if (amount <= 0 or _EXCLUDE_BEFORE.search(before) or _running_total(text[window: m.start()])
                or _SINCE.search(after) or (_IN_CASH.search(after) and _HELD.search(before))):
            excluded_end = m.end()
            continue
        conversion = bool(found) and marker is not None and found[-1].end - offset >= window + marker.start() - 3
        found.append(Money(offset + m.start(), offset + m.end(), round(amount, 2), currency, m.group(0), conversion))
    return found


def _running_total(before: str) -> bool:
    """The words before an amount make it a running total of several rounds (:data:`_CUMULATIVE`,
    :data:`_PAST`)."""
    if _CUMULATIVE.search(before):
        return True
    lowered = before.lower()
    return bool(_PAST.search(lowered)) and "total" in lowered and any(w in lowered for w in _FUNDING_WORDS)


#: the countries whose currency "¥" writes when no "JP¥", "yen" or "JPY" says otherwise
YUAN_COUNTRIES = frozenset({"CN", "HK"})


def yen_or_yuan(money: Money, countries: set[str]) -> Money:
    """A bare "¥" is the yen, except in a deal of Chinese parties and no Japanese one: the yuan."""
    if (money.currency == "JPY" and "¥" in money.text and "JP¥" not in money.text
            and countries & YUAN_COUNTRIES and "JP" not in countries):
        return replace(money, currency="CNY")
    return money


#: below this (in US dollars, roughly) an amount is a price, never a deal's value
MIN_DEAL_USD = 100_000


def headline(amounts: list[Money], in_heading: Callable[[int], bool] = lambda start: False) -> Optional[Money]:
    """The largest non-conversion amount, or None. Amounts within 3% of the largest are the same
    figure in two currencies ("1.2 trillion won" and later "$870 million"): the first written in
    a sentence wins, one in a heading (``in_heading`` of its start) only when no sentence gives it
    ("Vaxxas raises A$34m" over "closed a US$23 million (A$34 million) round": the sentence).
    Amounts under :data:`MIN_DEAL_USD` are prices, not deal values ("shares rose to $1.70",
    "$40.00 a share")."""
    candidates = [a for a in amounts if not a.conversion and a.usd >= MIN_DEAL_USD]
    if not candidates:
        return None
    top = max(a.usd for a in candidates)
    return min((a for a in candidates if a.usd >= 0.97 * top), key=lambda a: (in_heading(a.start), a.start))
