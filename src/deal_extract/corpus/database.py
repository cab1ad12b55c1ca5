"""``OUTPUT/deals.sqlite``: the corpus deal database (SPEC section 5).

:func:`write_database` writes a :class:`~deal_extract.corpus.view.Corpus` to a new SQLite file
beside the old one and moves it into place with :func:`os.replace`, so a reader or a run
killed at any point sees the previous database or the new one, never half of one. When the
new content equals the old, the old file is left untouched. :func:`read_articles` reads the
``articles`` rows back (their sha256 and status outlive the run that processed them).

Tables (SPEC section 5, plus ``organisation_names`` and ``article_organisations``)::

    articles(source PK, title, published, sha256, status)
    organisations(org_id PK, name, country, kind)
    organisation_names(org_id, name)                      -- every spelling the articles use
    article_organisations(source, org_id, name)           -- who each article names
    deals(deal_id PK, partners, themes, deal_types, territories, value_amount, value_currency,
          value_text, first_published, last_published, n_sources,
          status, announced, assets, upfront_amount, upfront_currency, value_usd,   -- SPEC section 6
          countries, roles, year)               -- the partners' home countries and roles, the deal's year
    deal_partners(deal_id, org_id, role)
    deal_sources(deal_id, source, article_deal_id, evidence_text, evidence_start, evidence_end,
                 published, confidence)
    deals_fts(names, assets, evidence)          -- full-text search of deals; rowid = the deals row's rowid

``countries``, ``roles`` and ``year`` are there to filter and facet on (``deal-extract serve``);
``deals_fts`` indexes every name of each partner, the assets and the evidence of every source.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
from pathlib import Path
from typing import Iterator, Optional

from deal_extract.corpus.view import Corpus, CorpusArticle
from deal_extract.corpus.outputs import atomic_file

DATABASE_NAME = "deals.sqlite"
SQLITE_FULL = 13  # the result code of "database or disk is full"

SCHEMA = """
CREATE TABLE articles (
    source TEXT PRIMARY KEY, title TEXT, published TEXT, sha256 TEXT, status TEXT NOT NULL);
CREATE TABLE organisations (
    org_id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT, kind TEXT NOT NULL);
CREATE TABLE organisation_names (
    org_id TEXT NOT NULL REFERENCES organisations(org_id), name TEXT NOT NULL, PRIMARY KEY (org_id, name));
CREATE TABLE article_organisations (
    source TEXT NOT NULL REFERENCES articles(source), org_id TEXT NOT NULL REFERENCES organisations(org_id),
    name TEXT NOT NULL, PRIMARY KEY (source, org_id, name));
CREATE TABLE deals (
    deal_id TEXT PRIMARY KEY, partners TEXT NOT NULL, themes TEXT NOT NULL, deal_types TEXT NOT NULL,
    territories TEXT NOT NULL, value_amount REAL, value_currency TEXT, value_text TEXT,
    first_published TEXT, last_published TEXT, n_sources INTEGER NOT NULL,
    status TEXT NOT NULL, announced TEXT, assets TEXT NOT NULL, upfront_amount REAL, upfront_currency TEXT,
    value_usd REAL, countries TEXT NOT NULL, roles TEXT NOT NULL, year INTEGER);
CREATE TABLE deal_partners (
    deal_id TEXT NOT NULL REFERENCES deals(deal_id), org_id TEXT NOT NULL REFERENCES organisations(org_id),
    role TEXT, PRIMARY KEY (deal_id, org_id));
CREATE TABLE deal_sources (
    deal_id TEXT NOT NULL REFERENCES deals(deal_id), source TEXT NOT NULL REFERENCES articles(source),
    article_deal_id TEXT NOT NULL, evidence_text TEXT NOT NULL, evidence_start INTEGER NOT NULL,
    evidence_end INTEGER NOT NULL, published TEXT, confidence REAL,
    PRIMARY KEY (deal_id, source, article_deal_id));
CREATE INDEX deal_partners_org ON deal_partners(org_id);
CREATE INDEX deal_sources_source ON deal_sources(source);
CREATE VIRTUAL TABLE deals_fts USING fts5(names, assets, evidence, tokenize = 'unicode61 remove_diacritics 2');
"""


def _iso(value) -> Optional[str]:
    return value.isoformat() if value else None


def _json(items) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def _fill(con: sqlite3.Connection, corpus: Corpus) -> None:
    con.executescript(SCHEMA)
    con.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)",
                    [(a.source, a.title, _iso(a.published), a.sha256, a.status) for a in corpus.articles])
    con.executemany("INSERT INTO organisations VALUES (?, ?, ?, ?)",
                    [(o.org_id, o.name, o.country, o.kind) for o in corpus.organisations])
    con.executemany("INSERT INTO organisation_names VALUES (?, ?)",
                    [(o.org_id, n) for o in corpus.organisations for n in o.names])
    con.executemany("INSERT OR IGNORE INTO article_organisations VALUES (?, ?, ?)",
                    [(a.source, a.org_id, a.name) for a in corpus.article_organisations])
    names = {o.org_id: o.names for o in corpus.organisations}
    for d in corpus.deals:
        value = d.value
        row = con.execute("INSERT INTO deals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            d.deal_id, _json(p.name for p in d.partners), _json(d.themes), _json(d.deal_types), _json(d.territories),
            value.amount if value else None, value.currency if value else None, value.text if value else None,
            _iso(d.first_published), _iso(d.last_published), d.n_sources,
            d.status, d.announced, _json(d.assets), d.upfront.amount if d.upfront else None,
            d.upfront.currency if d.upfront else None, d.value_usd,
            _json(sorted({p.country for p in d.partners if p.country})), _json(sorted({p.role for p in d.partners if p.role})),
            d.year)).lastrowid
        con.execute("INSERT INTO deals_fts (rowid, names, assets, evidence) VALUES (?, ?, ?, ?)", (
            row, "\n".join(dict.fromkeys(n for p in d.partners for n in (p.name, *names.get(p.org_id, ())))),
            "\n".join(d.assets), "\n".join(dict.fromkeys(s.evidence.text for s in d.sources))))
        con.executemany("INSERT INTO deal_partners VALUES (?, ?, ?)", [(d.deal_id, p.org_id, p.role) for p in d.partners])
        con.executemany("INSERT OR IGNORE INTO deal_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            (d.deal_id, s.source, s.article_deal_id, s.evidence.text, s.evidence.start, s.evidence.end,
             _iso(s.published), s.confidence) for s in d.sources])


def _content(path: Path) -> Optional[list[str]]:
    """The database's content as SQL text, to compare; ``None`` when missing or unreadable."""
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            return list(con.iterdump())
    except sqlite3.Error:
        return None


def write_database(path: Path, corpus: Corpus) -> bool:
    """Write the corpus to ``path`` atomically, with the mode of every other output; returns
    ``False`` when the content was already there. A full disk is an :class:`OSError` naming ``path``."""
    path = Path(path)
    with atomic_file(path) as tmp:
        try:
            with contextlib.closing(sqlite3.connect(tmp)) as con:
                with con:
                    _fill(con, corpus)
        except sqlite3.Error as exc:  # SQLite's own I/O: "database or disk is full"
            code = errno.ENOSPC if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL else errno.EIO
            raise OSError(code, f"{os.strerror(code)} ({exc})", str(path)) from None
        if _content(Path(tmp)) == _content(path):
            os.unlink(tmp)  # the old file stays
            return False
    return True


def read_articles(path: Path) -> dict[str, CorpusArticle]:
    """The ``articles`` rows of an existing database (empty when there is none or it is unreadable)."""
    if not Path(path).is_file():
        return {}
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            rows = con.execute("SELECT source, title, published, sha256, status FROM articles").fetchall()
    except sqlite3.Error:
        return {}
    return {source: CorpusArticle(source=source, title=title, published=published, sha256=sha, status=status)
            for source, title, published, sha, status in rows}


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a deal database (``sqlite3.Row`` rows)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no deal database (run 'deal-extract batch' first)")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        con.row_factory = sqlite3.Row
        yield con
