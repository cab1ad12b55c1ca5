"""Small pieces of the HTML report shared by its article and corpus views."""

from __future__ import annotations

from html import escape
from typing import Optional, Sequence

from deal_extract.corpus.identity import short_hash

#: the review page's name in a batch's output folder (``report --from OUTPUT``), where ``serve`` links to it
REVIEW_PAGE = "report.html"


def attr(value: str) -> str:
    return escape(value, quote=True)


def chips(values: Sequence[str], missing: Sequence[str] = (), extra: Sequence[str] = ()) -> str:
    parts = [f'<span class="chip{" spurious" if v in extra else ""}">{escape(v)}</span>' for v in values]
    parts += [f'<span class="chip missed" title="in gold, not predicted">{escape(v)}</span>' for v in missing]
    return " ".join(parts)


def partners(names: Sequence[tuple[str, Optional[str]]]) -> str:
    return "<br>".join(
        f'<span class="partner" data-org="{attr(n)}">{escape(n)} <span class="cc">{escape(c or "?")}</span></span>'
        for n, c in names
    )


def evidence_anchor(source: str, article_deal_id: str, start: int) -> str:
    """The id of a deal's evidence in the review page: the same for the same article, deal id and
    evidence offset on every run, so that other pages (``deal-extract serve``) can link to it."""
    return f"ev-{short_hash(source, article_deal_id, str(start))}"
