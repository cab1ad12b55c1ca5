"""A readable terminal view of one article's record."""

from __future__ import annotations

from deal_extract.records import ArticleResult


def _cell(values: list[str]) -> str:
    return ", ".join(values) if values else "-"


def format_table(result: ArticleResult) -> str:
    lines = [f"{result.title or result.source}", f"source: {result.source}   published: {result.published or '-'}", ""]
    lines.append(f"Organisations ({len(result.organisations)})")
    width = max([len(o.name) for o in result.organisations] + [4])
    for org in result.organisations:
        lines.append(f"  {org.name:<{width}}  {org.country or '--':<3} {org.kind:<10} {len(org.mentions)} mention(s)")
    lines.append("")
    lines.append(f"Deals ({len(result.deals)})")
    for deal in result.deals:
        partners = " + ".join(f"{p.name} ({p.country or '?'})" for p in deal.partners)
        lines.append(f"  [{deal.id}] {partners}   confidence {deal.confidence:.2f}")
        lines.append(f"      themes: {_cell(list(deal.themes))}   types: {_cell(list(deal.deal_types))}   territories: {_cell(deal.territories)}")
        if deal.value:
            lines.append(f"      value: {deal.value.text} = {deal.value.amount:,.0f} {deal.value.currency}")
        evidence = " ".join(deal.evidence.text.split())
        lines.append(f"      evidence [{deal.evidence.start}:{deal.evidence.end}]: {evidence[:200]}{'...' if len(evidence) > 200 else ''}")
    return "\n".join(lines)
