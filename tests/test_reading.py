"""Reading inputs: formats, encodings, binary and empty files, the size limit."""

from __future__ import annotations

import codecs
import json
import os
import re
from pathlib import Path

import pytest

from deal_extract.text.reading import (
    DEFAULT_MAX_CHARS,
    InputError,
    decode,
    iter_items,
    read_article,
    read_articles,
)

TEXT = "Samsung Biologics signed a manufacturing agreement with Pfizer.\nThe deal is worth $400 million.\n"
ACCENTED = "Société Générale and Nestlé Health Science agreed a deal – worth €5 million.\n"

HTML = """<!doctype html><html><head><title>Big Deal Inked | Example News</title>
<meta property="article:published_time" content="2025-03-04T10:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<article><h1>Big Deal Inked</h1>
<p>Samsung Biologics signed a manufacturing agreement with Pfizer worth up to $400 million,
the companies said on Monday in Seoul, in a statement released to the press.</p>
<p>The deal covers biosimilars across Asia. It is the second such pact this year for the South
Korean contract manufacturer, which also expanded its plant in Incheon.</p>
</article><footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>
"""


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- formats ----------------------------------------------------------------------------

def test_txt(tmp_path):
    article = read_article(write(tmp_path, "a.txt", TEXT.encode()))
    assert article.text == TEXT
    assert article.source == str(tmp_path / "a.txt")
    assert (article.encoding, article.warnings, article.title) == ("utf-8", [], None)


def test_txt_universal_newlines_like_text_mode(tmp_path):
    path = write(tmp_path, "crlf.txt", TEXT.replace("\n", "\r\n").encode())
    article = read_article(path)
    assert article.text == TEXT
    assert article.text == path.read_text(encoding="utf-8")


def test_md_title_from_first_heading(tmp_path):
    body = "Intro line\n\n# Hanbit licenses KS-101 to Kestrel #\n\n" + TEXT
    article = read_article(write(tmp_path, "note.md", body.encode()))
    assert article.text == body
    assert article.title == "Hanbit licenses KS-101 to Kestrel"


def test_html_main_text_title_and_date(tmp_path):
    article = read_article(write(tmp_path, "page.html", HTML.encode()), source="page.html")
    assert "Samsung Biologics signed a manufacturing agreement" in article.text
    assert "All rights reserved" not in article.text and "About us" not in article.text
    assert article.title and "Big Deal Inked" in article.title
    assert article.published == "2025-03-04"
    assert article.source == "page.html"


def test_htm_without_main_text_fails(tmp_path):
    path = write(tmp_path, "empty.htm", b"<html><head><title>Nothing</title><script>var x = 1;</script></head><body><div> </div></body></html>")
    with pytest.raises(InputError, match=r"empty\.htm: no main text found"):
        read_article(path)


def test_html_of_navigation_links_only_fails(tmp_path):
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(100))
    page = f"<html><head><title>News</title></head><body><nav><ul>{nav}</ul></nav><div>{nav}</div></body></html>"
    with pytest.raises(InputError, match=r"nav\.html: no main text found in the HTML \(only navigation links\)"):
        read_article(write(tmp_path, "nav.html", page.encode()))


def test_json_fields(tmp_path):
    obj = {"id": "x1", "text": TEXT, "title": "A deal", "published": "2025-05-31T08:00:00Z"}
    article = read_article(write(tmp_path, "a.json", json.dumps(obj).encode()))
    assert (article.text, article.title, article.published) == (TEXT, "A deal", "2025-05-31")


@pytest.mark.parametrize("content, reason", [
    (b"[1, 2]", "expected a JSON object"),
    (b'{"title": "no text"}', "no 'text' string field"),
    (b'{"text": 5}', "no 'text' string field"),
    (b'{"text": ', "invalid JSON"),
    (b'{"text": "   "}', "empty article"),
])
def test_json_problems(tmp_path, content, reason):
    with pytest.raises(InputError, match=reason) as info:
        read_article(write(tmp_path, "bad.json", content))
    assert "bad.json" in str(info.value)
    assert not re.search(r"\b(\w+) \1\b", str(info.value))  # reads cleanly: no 'at at'


def test_json_bad_date_is_a_warning(tmp_path):
    article = read_article(write(tmp_path, "a.json", json.dumps({"text": TEXT, "published": "last Monday"}).encode()))
    assert article.published is None
    assert any("not an ISO date" in w for w in article.warnings)


def test_jsonl_sources_by_id_or_line(tmp_path):
    lines = [
        json.dumps({"id": "deal-1", "text": TEXT}),
        "",
        json.dumps({"text": ACCENTED, "title": "Second"}),
        "{not json",
        json.dumps({"id": "deal-1", "text": TEXT}),
        json.dumps({"id": 7, "text": "   "}),
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines).encode())
    items = list(iter_items(path, "feed.jsonl"))
    assert [i.source for i in items] == ["feed.jsonl#deal-1", "feed.jsonl#3", "feed.jsonl#4", "feed.jsonl#5", "feed.jsonl#7"]
    assert items[0].sha256 == items[3].sha256 != items[1].sha256  # the hash of the line's bytes
    assert items[0].load().text == TEXT
    assert items[1].load().title == "Second"
    with pytest.raises(InputError, match=r"feed\.jsonl, line 4: invalid JSON"):
        items[2].load()
    with pytest.raises(InputError, match=r"line 5: duplicate id 'deal-1' \(first on line 1\)"):
        items[3].load()
    with pytest.raises(InputError, match="empty article"):
        items[4].load()


def test_jsonl_keeps_line_separator_characters_inside_strings(tmp_path):
    text = "First part\u2028second part of one article about Pfizer."
    path = write(tmp_path, "feed.jsonl", (json.dumps({"text": text}, ensure_ascii=False) + "\n").encode())
    assert [a.text for a in read_articles(path)] == [text]


def test_read_article_refuses_several_jsonl_articles(tmp_path):
    path = write(tmp_path, "feed.jsonl", b'{"text": "one article"}\n{"text": "another"}\n')
    with pytest.raises(InputError, match="holds 2 articles"):
        read_article(path)


def test_unsupported_suffix(tmp_path):
    with pytest.raises(InputError, match="unsupported file type '.pdf'"):
        read_article(write(tmp_path, "a.pdf", b"%PDF-1.4"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"pipe\.txt: not a regular file"):
        read_article(fifo)  # would block forever if it opened the FIFO


def test_folder_is_refused(tmp_path):
    (tmp_path / "x.txt").mkdir()
    with pytest.raises(InputError, match=r"x\.txt: is a folder"):
        read_article(tmp_path / "x.txt")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_article(tmp_path / "missing.txt")


# --- encodings --------------------------------------------------------------------------

@pytest.mark.parametrize("data, encoding", [
    (ACCENTED.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + ACCENTED.encode("utf-8"), "utf-8-sig"),
    (codecs.BOM_UTF16_LE + ACCENTED.encode("utf-16-le"), "utf-16-le"),
    (codecs.BOM_UTF16_BE + ACCENTED.encode("utf-16-be"), "utf-16-be"),
])
def test_unicode_encodings(tmp_path, data, encoding):
    article = read_article(write(tmp_path, "a.txt", data))
    assert article.text == ACCENTED  # no BOM left in the text
    assert (article.encoding, article.warnings) == (encoding, [])


def test_cp1252_fallback_is_flagged(tmp_path):
    article = read_article(write(tmp_path, "a.txt", ACCENTED.encode("cp1252")))
    assert article.text == ACCENTED
    assert article.encoding == "cp1252"
    assert len(article.warnings) == 1 and "not valid UTF-8" in article.warnings[0] and "cp1252" in article.warnings[0]


def test_latin1_fallback_when_cp1252_cannot_decode(tmp_path):
    data = "Caf\xe9 deal with Nestl\xe9".encode("latin-1") + b" \x81 control byte"
    text, encoding, warnings = decode(data, "x.txt")
    assert encoding == "latin-1" and text.startswith("Café deal") and warnings


def test_utf16_jsonl(tmp_path):
    data = codecs.BOM_UTF16_LE + (json.dumps({"id": "a", "text": ACCENTED}) + "\n").encode("utf-16-le")
    [article] = read_articles(write(tmp_path, "f.jsonl", data))
    assert (article.text, article.encoding, article.source) == (ACCENTED, "utf-16-le", f"{tmp_path / 'f.jsonl'}#a")


@pytest.mark.parametrize("data, reason", [
    (b"PK\x03\x04\x00\x00binary zip member", "binary file"),
    (ACCENTED.encode("utf-16-le"), "UTF-16 text needs a byte-order mark"),
    (bytes(range(1, 32)) * 20, "control characters"),
    (codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "not decodable as utf-16-le"),
])
def test_binary_fails(tmp_path, data, reason):
    with pytest.raises(InputError, match=reason) as info:
        read_article(write(tmp_path, "blob.txt", data))
    assert "blob.txt" in str(info.value)


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "])
def test_empty_fails(tmp_path, content):
    with pytest.raises(InputError, match=r"e\.txt: empty article"):
        read_article(write(tmp_path, "e.txt", content))


# --- size limit -------------------------------------------------------------------------

def test_size_limit(tmp_path):
    path = write(tmp_path, "big.txt", b"word " * 30)
    assert len(read_article(path, max_chars=150).text) == 150
    with pytest.raises(InputError, match=r"big\.txt: article has 150 characters, over the limit of 149"):
        read_article(path, max_chars=149)


def test_size_limit_checks_bytes_before_decoding(tmp_path):
    path = write(tmp_path, "huge.txt", b"x" * 1000)
    with pytest.raises(InputError, match="file has 1,000 bytes"):
        read_article(path, max_chars=100)


def test_size_limit_applies_to_json_text(tmp_path):
    path = write(tmp_path, "a.json", json.dumps({"text": "y" * 50}).encode())
    with pytest.raises(InputError, match="over the limit of 10"):
        read_article(path, max_chars=10)


def test_default_limit():
    assert DEFAULT_MAX_CHARS == 5_000_000
