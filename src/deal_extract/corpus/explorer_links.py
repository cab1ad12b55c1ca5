"""The Datasette plugin of ``deal-extract serve``: cells that link a deal to its evidence.

Registered by :func:`deal_extract.corpus.explorer.explorer`; it acts only where the plugin's
settings name a review page (``plugins: {deal-extract: {review_page: PATH}}`` in the metadata):

- ``deals.n_sources``: the count, then one link per report of the deal to its evidence in the
  review page (``deal-extract report --from OUTPUT``), labelled with the article's name;
- ``evidence_text`` of a row that has ``source``, ``article_deal_id`` and ``evidence_start``
  (``deal_sources``, or a query that selects them): the text, linked to the same place;
- ``deal_id`` in the results of a query: a link to the deal's row.
"""

from __future__ import annotations

from typing import Any, Optional

from datasette import hookimpl
from markupsafe import Markup, escape

from deal_extract.evaluation.htmlparts import evidence_anchor

PLUGIN = "deal-extract"
_EVIDENCE_KEYS = ("source", "article_deal_id", "evidence_start")


def review_page(datasette: Any) -> Optional[str]:
    """The review page's path on this server, from the plugin's settings; ``None``: the plugin is off."""
    return (datasette.plugin_config(PLUGIN) or {}).get("review_page")


def evidence_href(datasette: Any, page: str, source: str, article_deal_id: str, start: int) -> str:
    return f"{datasette.urls.path(page)}#{evidence_anchor(source, article_deal_id, int(start))}"


def _plain(value: Any) -> Any:
    """A cell's value: Datasette's table pages give a foreign key as ``{"value": ..., "label": ...}``."""
    return value["value"] if isinstance(value, dict) else value


def _link(href: str, text: str, title: str = "") -> str:
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<a class="evidence-link" href="{escape(href)}"{title_attr}>{escape(text)}</a>'


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    page = review_page(datasette)
    if page is None or value is None:
        return None
    keys = set(row.keys())
    if column == "evidence_text" and keys.issuperset(_EVIDENCE_KEYS):
        href = evidence_href(datasette, page, *(_plain(row[k]) for k in _EVIDENCE_KEYS))
        return Markup(_link(href, str(value), "the evidence in the review page"))
    if column == "n_sources" and table == "deals" and "deal_id" in keys:
        return _source_links(datasette, page, database, _plain(row["deal_id"]), value)
    if column == "deal_id" and table is None:
        return Markup(f'<a href="{escape(datasette.urls.row(database, "deals", str(value)))}">{escape(str(value))}</a>')
    return None


def _source_links(datasette: Any, page: str, database: str, deal_id: str, count: Any):
    async def links() -> Markup:
        found = await datasette.get_database(database).execute(
            "SELECT source, article_deal_id, evidence_start FROM deal_sources WHERE deal_id = ? "
            "ORDER BY source, evidence_start", [deal_id])
        anchors = [_link(evidence_href(datasette, page, *row), row[0].rsplit("/", 1)[-1], row[0]) for row in found.rows]
        return Markup(f"{escape(str(count))}: " + " \u00b7 ".join(anchors))

    return links
