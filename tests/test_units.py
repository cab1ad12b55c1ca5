"""Pure functions, no model: money, article structure, chunking, records, gold files, deal ids."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from deal_extract.text import structure
from deal_extract.text.chunking import split_for_model
from deal_extract.deals import deal_id
from deal_extract.records import (
    ArticleResult, Deal, Evidence, GoldDeal, GoldFile, GoldOrganisation, GoldValue, Organisation, Party, Value,
)
from deal_extract.deals.values import find_money, headline


# --- money -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, amount, currency, written", [
    ("up to $407 million", 407e6, "USD", "up to $407 million"),
    ("USD 1.05 billion", 1.05e9, "USD", "USD 1.05 billion"),
    ("US$ 25 million", 25e6, "USD", "US$ 25 million"),
    ("RMB 500 million", 500e6, "CNY", "RMB 500 million"),
    ("500 million yuan", 500e6, "CNY", "500 million yuan"),
    ("¥10 billion", 10e9, "JPY", "¥10 billion"),
    ("INR 1,200 crore", 12e9, "INR", "INR 1,200 crore"),
    ("Rs 500 crore", 5e9, "INR", "Rs 500 crore"),
    ("A$150 million", 150e6, "AUD", "A$150 million"),
    ("S$12 million", 12e6, "SGD", "S$12 million"),
    ("HK$ 300 million", 300e6, "HKD", "HK$ 300 million"),
    ("NT$1 billion", 1e9, "TWD", "NT$1 billion"),
    ("₩ 100 billion", 100e9, "KRW", "₩ 100 billion"),
    ("1.2 trillion won", 1.2e12, "KRW", "1.2 trillion won"),
    ("€50m", 50e6, "EUR", "€50m"),
    ("£12.5 million", 12.5e6, "GBP", "£12.5 million"),
    ("$3 bn", 3e9, "USD", "$3 bn"),
    ("up to $1,050 million", 1.05e9, "USD", "up to $1,050 million"),
    ("a deal worth $2 billion", 2e9, "USD", "worth $2 billion"),
    ("at a ₹25,689-crore valuation", 25689e7, "INR", "₹25,689-crore"),
    ("a $1.2-billion purchase", 1.2e9, "USD", "$1.2-billion"),
    ("a 460-billion won deal", 460e9, "KRW", "460-billion won"),
])
def test_find_money_one_amount(text, amount, currency, written):
    (m,) = find_money(text)
    assert (m.amount, m.currency, m.text) == (pytest.approx(amount), currency, written)
    assert text[m.start:m.end] == m.text
    assert not m.conversion


def test_find_money_offsets_are_shifted():
    text = "Acme will pay up to $407 million."
    (m,) = find_money(text[5:], offset=5)
    assert (m.start, m.end) == (text.index("up to"), text.index("."))
    assert text[m.start:m.end] == m.text


@pytest.mark.parametrize("text, amount, currency", [
    ("426.5 billion won ($363 million)", 426.5e9, "KRW"),
    ("500 million yuan ($70 million)", 500e6, "CNY"),
    ("$1.2 billion (¥180 billion)", 1.2e9, "USD"),
    ("426.5 billion won ( $363 million )", 426.5e9, "KRW"),
])
def test_conversion_in_parentheses_is_never_the_headline(text, amount, currency):
    found = find_money(text)
    assert [m.conversion for m in found] == [False, True]
    h = headline(found)
    assert (h.amount, h.currency) == (pytest.approx(amount), currency)


@pytest.mark.parametrize("text", [
    "426.5 billion won (about $363 million)",
    "426.5 billion won (approximately US$363 million)",
])
def test_hedged_conversion_is_never_the_headline(text):
    h = headline(find_money(text))
    assert (h.amount, h.currency) == (pytest.approx(426.5e9), "KRW")


@pytest.mark.parametrize("text, amount, currency", [
    ("$20 million upfront and up to $380 million in milestones", 380e6, "USD"),
    ("an upfront of RMB 100 million and milestones of up to RMB 1.2 billion", 1.2e9, "CNY"),
    ("$5 million now and ¥10 billion later", 10e9, "JPY"),            # ¥10bn ≈ $68m > $5m
    ("¥100 million upfront and $5 million later", 5e6, "USD"),        # ¥100m ≈ $0.7m < $5m
])
def test_headline_is_the_largest_amount_across_currencies(text, amount, currency):
    h = headline(find_money(text))
    assert (h.amount, h.currency) == (pytest.approx(amount), currency)


@pytest.mark.parametrize("text, kept", [
    ("Acme reported revenue of $5 billion and signed a $100 million deal.", [100e6]),
    ("revenues were $3 billion; the licence is worth up to $50 million.", [50e6]),
    ("Its sales of $1 billion make it a leader.", []),
    ("The market is worth $2 billion.", []),
    ("Sales reached $2 billion. Acme paid $10 million.", [10e6]),
])
def test_revenue_and_market_amounts_ignored(text, kept):
    assert [m.amount for m in find_money(text)] == kept


def test_no_currency_no_money():
    assert find_money("Acme has 500 million users and 1,200 staff in 2025.") == []
    assert headline([]) is None


@pytest.mark.parametrize("text, amount", [("a $5M seed round", 5e6), ("a $1B deal", 1e9)])
def test_upper_case_scale_letters(text, amount):
    (m,) = find_money(text)
    assert m.amount == amount


def test_money_as_dict_is_a_valid_value():
    (m,) = find_money("up to $407 million")
    assert Value(**m.as_dict()) == Value(amount=407e6, currency="USD", text="up to $407 million")


# --- structure: dates, title, lines ------------------------------------------------------------------

@pytest.mark.parametrize("text, date", [
    ("Title\n31 May 2025\nBody", dt.date(2025, 5, 31)),
    ("Title\nMay 31, 2025\n", dt.date(2025, 5, 31)),
    ("Title\n2025-05-31\n", dt.date(2025, 5, 31)),
    ("Title\nPublished: 3 Feb 2025\n", dt.date(2025, 2, 3)),
    ("Title\nPublished: Feb. 3rd, 2025\n", dt.date(2025, 2, 3)),
    ("Title\n3 Sept 2025\n", dt.date(2025, 9, 3)),
    ("Title\nBy Staff | 14 March 2024 | 5 min read\n", dt.date(2024, 3, 14)),
    ("Title\n2025-05-31 and later 1 June 2025", dt.date(2025, 5, 31)),   # the first date stated
    ("Title\n[Economy]  Translated from the Korean edition  |  2025.09.24\n", dt.date(2025, 9, 24)),
    ("Title\nSeoul, 2025/09/24\n", dt.date(2025, 9, 24)),
])
def test_published(text, date):
    assert structure.published(text) == date


@pytest.mark.parametrize("text", [
    "Title\nno date here",
    "Title\n31 February 2025\n",       # no such day
    "Title\nMay 2025\n",                # no day
    "Title\n" + "x" * 700 + " 31 May 2025",   # not near the top
])
def test_published_none(text):
    assert structure.published(text) is None


@pytest.mark.parametrize("text, title", [
    ("APAC's Alliance-Driven Biotech Boom\n\nBody.", "APAC's Alliance-Driven Biotech Boom"),
    ("\n\n  # APAC's Alliance Boom  \nbody", "APAC's Alliance Boom"),
    ("## Deals\ntext", "Deals"),
    ("", None),
    ("\n \n", None),
])
def test_title(text, title):
    assert structure.title(text) == title


LINES_TEXT = (
    "APAC Deals\n"
    "\n"
    "Digital Health\n"
    "Kelvar signed a deal with Ostrava.\n"
    "- Acme (China) and Beta (China): CDMO support\n"
    "* item two\n"
    "1. numbered item\n"
    "\n"
    "## Oncology\n"
    "Another paragraph line that ends.\n"
)


def test_lines_offsets_and_kinds():
    lines = structure.lines(LINES_TEXT)
    assert [LINES_TEXT[l.start:l.end] for l in lines] == [l.text for l in lines]
    kinds = {l.text: ("heading" if l.heading else "bullet" if l.bullet else "text") for l in lines}
    assert kinds == {
        "APAC Deals": "heading",
        "Digital Health": "heading",
        "Kelvar signed a deal with Ostrava.": "text",
        "- Acme (China) and Beta (China): CDMO support": "bullet",
        "* item two": "bullet",
        "1. numbered item": "bullet",
        "## Oncology": "heading",
        "Another paragraph line that ends.": "text",
    }


def test_lines_paragraphs():
    lines = {l.text: l.paragraph for l in structure.lines(LINES_TEXT)}
    # a heading is a paragraph of its own; a list continues the paragraph it follows
    assert lines["APAC Deals"] < lines["Digital Health"] < lines["Kelvar signed a deal with Ostrava."]
    assert lines["Kelvar signed a deal with Ostrava."] == lines["- Acme (China) and Beta (China): CDMO support"] \
        == lines["1. numbered item"]
    assert lines["1. numbered item"] < lines["## Oncology"] < lines["Another paragraph line that ends."]


@pytest.mark.parametrize("line, heading, bullet", [
    ("Strategic Drivers", True, False),
    ("# Strategic drivers of the boom", True, False),
    ("- Strategic Drivers", False, True),
    ("• Fangzhou and Tencent Health (China): digital health", False, True),
    ("Kelvar signed a deal.", False, False),
    ("Examples:", False, False),
    ("2025 in review", False, False),                       # starts with a digit
    ("This line has far too many words to be any kind of heading at all", False, False),
])
def test_heading_or_bullet(line, heading, bullet):
    (l,) = structure.lines(line + "\n")
    assert (l.heading, l.bullet) == (heading, bullet)


def test_lines_handle_crlf():
    text = "Title\r\n\r\nKelvar signed a deal.\r\n- item\r\n"
    lines = structure.lines(text)
    assert [l.text for l in lines] == ["Title", "Kelvar signed a deal.", "- item"]
    assert all(text[l.start:l.end] == l.text for l in lines)


# --- chunking -------------------------------------------------------------------------------------

PARAS = "\n\n".join(f"Paragraph {i}. " + "word " * (5 + 3 * i) for i in range(12))


@pytest.mark.parametrize("max_length", [50, 120, 300])
def test_split_for_model_offsets_exact_and_complete(max_length):
    pieces = split_for_model(PARAS, max_length)
    assert len(pieces) > 1
    assert "".join(p for _, p in pieces) == PARAS
    for offset, piece in pieces:
        assert PARAS[offset:offset + len(piece)] == piece
        assert 0 < len(piece) <= max_length


def test_split_for_model_prefers_paragraph_breaks():
    pieces = split_for_model(PARAS, 300)
    for _, piece in pieces[:-1]:
        assert piece.endswith("\n\n"), repr(piece[-10:])


def test_split_for_model_fits_whole():
    assert split_for_model("short text", 100) == [(0, "short text")]
    assert split_for_model("", 10) == [(0, "")]


def test_split_for_model_hard_cut_without_spaces():
    assert split_for_model("a" * 25, 10) == [(0, "a" * 10), (10, "a" * 10), (20, "a" * 5)]


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab .\n")), max_size=400), max_length=st.integers(1, 80))
def test_split_for_model_property(text, max_length):
    pieces = split_for_model(text, max_length)
    assert "".join(p for _, p in pieces) == text
    for offset, piece in pieces:
        assert text[offset:offset + len(piece)] == piece
        assert len(piece) <= max_length


# --- records -----------------------------------------------------------------------------------------

def a_result() -> ArticleResult:
    return ArticleResult(
        source="corpus/a.txt",
        title="APAC deals",
        published=dt.date(2025, 5, 31),
        organisations=[
            Organisation(name="WuXi XDC", country="CN", kind="company", mentions=[(10, 18), (40, 48)]),
            Organisation(name="AbTis", country="KR", mentions=[(23, 28)]),
            Organisation(name="Marovia University", country=None, kind="academic"),
        ],
        deals=[Deal(
            id=deal_id("corpus/a.txt", ["WuXi XDC", "AbTis"]),
            partners=[Party(name="WuXi XDC", country="CN"), Party(name="AbTis", country="KR")],
            themes=["adc"], deal_types=["technology_integration"], territories=["Greater China"],
            value=Value(amount=407e6, currency="USD", text="up to $407 million"),
            evidence=Evidence(text="WuXi XDC and AbTis", start=10, end=28),
            confidence=0.9,
        )],
    )


def test_article_result_json_round_trip():
    result = a_result()
    again = ArticleResult.model_validate_json(result.to_json())
    assert again == result
    data = json.loads(result.to_json())
    assert data["published"] == "2025-05-31"
    assert data["organisations"][0]["mentions"] == [[10, 18], [40, 48]]
    assert data["deals"][0]["value"] == {"amount": 407e6, "currency": "USD", "text": "up to $407 million"}


@pytest.mark.parametrize("country", ["China", "cn", "CHN", "C", ""])
def test_invalid_country_code_rejected(country):
    with pytest.raises(ValidationError):
        Organisation(name="Acme", country=country)
    with pytest.raises(ValidationError):
        Party(name="Acme", country=country)


def test_null_country_accepted():
    assert Organisation(name="Acme", country=None).country is None


def _deal(**kw) -> dict:
    base = dict(id="x", partners=[{"name": "A"}, {"name": "B"}], evidence={"text": "t", "start": 0, "end": 1},
                confidence=0.5)
    base.update(kw)
    return base


@pytest.mark.parametrize("change", [
    {"partners": [{"name": "A"}]},                                   # one partner
    {"partners": []},
    {"themes": ["oncolgy"]},                                         # not in the vocabulary
    {"deal_types": ["partnership"]},
    {"confidence": 1.5},
    {"evidence": {"text": "t", "start": 5, "end": 1}},               # end before start
    {"evidence": {"text": "t", "start": -1, "end": 1}},
    {"value": {"amount": 1, "currency": "$"}},                        # not ISO 4217
    {"value": {"amount": -1, "currency": "USD"}},
    {"extra": "field"},                                              # unknown keys forbidden
])
def test_invalid_deal_rejected(change):
    Deal.model_validate(_deal())   # the base is valid
    with pytest.raises(ValidationError):
        Deal.model_validate(_deal(**change))


def test_invalid_kind_rejected():
    with pytest.raises(ValidationError):
        Organisation(name="Acme", kind="startup")


def test_article_result_rejects_bad_date():
    with pytest.raises(ValidationError):
        ArticleResult.model_validate_json('{"source": "a", "published": "2025-02-31"}')


# --- gold files ---------------------------------------------------------------------------------------

def test_gold_file_valid_with_alias_partner():
    gold = GoldFile(
        article="a.txt",
        organisations=[GoldOrganisation(name="Henlius Biotech", aliases=["Henlius"], country="CN"),
                       GoldOrganisation(name="AbTis", country="KR")],
        deals=[GoldDeal(partners=["Henlius", "AbTis"], value=GoldValue(amount=1e6, currency="USD"))],
    )
    assert gold.deals[0].partners == ["Henlius", "AbTis"]


def test_gold_partner_not_an_organisation_rejected():
    with pytest.raises(ValidationError, match="Beta Pharma"):
        GoldFile(
            article="a.txt",
            organisations=[GoldOrganisation(name="Acme")],
            deals=[GoldDeal(partners=["Acme", "Beta Pharma"])],
        )


@pytest.mark.parametrize("bad", [
    {"article": "a.txt", "unknown": 1},
    {"article": "a.txt", "organisations": [{"name": "Acme", "country": "Korea"}]},
    {"article": "a.txt", "organisations": [{"name": ""}]},
    {"article": "a.txt", "organisations": [{"name": "A"}, {"name": "B"}], "deals": [{"partners": ["A"]}]},
    {"article": "a.txt", "organisations": [{"name": "A"}, {"name": "B"}],
     "deals": [{"partners": ["A", "B"], "themes": ["not_a_theme"]}]},
])
def test_gold_file_invalid(bad):
    with pytest.raises(ValidationError):
        GoldFile.model_validate(bad)


# --- deal ids -----------------------------------------------------------------------------------------

def test_deal_id_stable_and_order_free():
    a = deal_id("corpus/a.txt", ["WuXi XDC", "AbTis"])
    assert a == deal_id("corpus/a.txt", ["AbTis", "WuXi XDC"])
    assert a == deal_id("corpus/a.txt", ("abtis", "WUXI XDC"))          # case-folded
    assert a == deal_id("other/dir/a.txt", ["AbTis", "WuXi XDC"])      # the file name, not its folder
    assert len(a) == 12 and all(c in "0123456789abcdef" for c in a)
    # pinned: ids must not change between releases for the same article and partners
    assert a == "a6bb02f32078"


@pytest.mark.parametrize("other", [
    ("corpus/b.txt", ["WuXi XDC", "AbTis"]),
    ("corpus/a.txt", ["WuXi XDC", "AbTis", "Henlius"]),
    ("corpus/a.txt", ["WuXi XDC", "Henlius"]),
])
def test_deal_id_differs(other):
    assert deal_id("corpus/a.txt", ["WuXi XDC", "AbTis"]) != deal_id(*other)


def test_deal_id_does_not_join_names_ambiguously():
    # "a|b" + "c" must not equal "a" + "b|c"
    assert deal_id("s", ["a b", "c"]) != deal_id("s", ["a", "b c"])


def test_an_amount_after_a_comma_and_or_is_a_conversion():
    found = find_money("The deal is worth up to $1.35 billion, or about 1.96 trillion won.")
    assert [a.conversion for a in found] == [False, True] and headline(found).amount == 1.35e9


@pytest.mark.parametrize("text", [
    "Bugworks has raised US$19 million since it was founded.",
    "The company held about 150 billion won in cash before the round.",
    "The round takes total capital raised to date, which reaches US$19 million,",
    "Total capital raised reaches US$19 million.",
    "The extension lifted the total the company had raised from financings past US$65 million.",
])
def test_cash_on_hand_and_running_totals_are_no_deal_value(text):
    assert find_money(text) == []


def test_an_amount_paid_in_cash_is_a_deal_value():
    assert [m.text for m in find_money("It paid $500 million in cash for the unit.")] == ["$500 million"]
