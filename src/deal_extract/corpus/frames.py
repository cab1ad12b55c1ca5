"""pandas DataFrames of records, for analysts (pandas is optional: ``pip install pandas``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

if TYPE_CHECKING:
    from deal_extract.records import ArticleResult

DEAL_COLUMNS = ("source", "published", "title", "id", "partners", "partner_countries", "themes", "deal_types",
                "territories", "value_amount", "currency", "value_text", "confidence", "evidence")


def to_frame(rows: Sequence[dict[str, Any]], index: Optional[str] = None, columns: Sequence[str] = ()):
    """A DataFrame of flat rows; list values stay lists. ``ImportError`` with the fix when pandas is missing."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_frame() needs pandas: pip install pandas (or pip install 'deal-extract[pandas]')") from None
    frame = pd.DataFrame(list(rows), columns=list(columns) or None)
    return frame.set_index(index) if index and index in frame.columns else frame


def deals_frame(results: Iterable["ArticleResult"]):
    """One row per deal of the article records (lists stay lists); ``ArticleResult.to_frame()``."""
    rows = []
    for result in results:
        for deal in result.deals:
            value = deal.value
            rows.append({
                "source": result.source, "published": result.published, "title": result.title, "id": deal.id,
                "partners": [p.name for p in deal.partners], "partner_countries": [p.country for p in deal.partners],
                "themes": list(deal.themes), "deal_types": list(deal.deal_types), "territories": list(deal.territories),
                "value_amount": value.amount if value else None, "currency": value.currency if value else None,
                "value_text": value.text if value else None, "confidence": deal.confidence, "evidence": deal.evidence.text,
            })
    return to_frame(rows, columns=DEAL_COLUMNS)
