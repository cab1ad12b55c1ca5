"""Turn processed Docs (one or more chunks of an article) into an :class:`ArticleResult`."""

from __future__ import annotations

from typing import Optional

from deal_extract.text import structure
from deal_extract.text.normalise import Normalised
from deal_extract.organisations.groups import org_key
from deal_extract.text.reading import Article
from deal_extract.records import ArticleResult, Deal, Organisation
from deal_extract.deals.usd import rate_date, to_usd


def article_result(article: Article, chunks: list[tuple[int, list[dict], list[dict]]],
                   norm: Optional[Normalised] = None) -> ArticleResult:
    """Combine the chunks' organisations and deals, shifting offsets by each chunk's start.

    ``chunks`` holds ``(offset, doc._.organisations, doc._.deals)`` of each piece of the text.

    The chunks are pieces of ``norm.text`` (the normalised article text); offsets are mapped
    back through ``norm`` so that they index ``article.text``, the text as read.
    """
    norm = norm or Normalised(article.text)
    orgs: dict[str, dict] = {}
    deals: dict[str, dict] = {}
    names: dict[str, str] = {}   # normalised name -> the name first given (chunks, ticker exchanges)
    for offset, organisations, piece_deals in chunks:
        for org in organisations:
            name = names.setdefault(org_key(org["name"]), org["name"])
            merged = orgs.setdefault(name, {"name": name, "country": org["country"],
                                            "kind": org["kind"], "mentions": []})
            merged["country"] = merged["country"] or org["country"]
            merged["mentions"] += [(norm.start(s + offset), norm.end(e + offset)) for s, e in org["mentions"]]
        for deal in piece_deals:
            ident = deal["id"]  # keyed by the article's source, which the API sets on each piece
            ev = deal["evidence"]
            start, end = norm.start(ev["start"] + offset), norm.end(ev["end"] + offset)
            # the Doc saw masked markup; evidence is cut from the article text as written
            shifted = {**deal, "id": ident, "evidence": {"text": article.text[start:end], "start": start, "end": end}}
            for internal in ("rule", "retained_territories"):  # the Doc's extras, not in the SPEC record
                shifted.pop(internal, None)
            deals[ident] = _merge_deal(deals.get(ident), shifted)
    published = article.published or structure.published(norm.text)
    for deal in deals.values():
        value = deal.get("value")
        if value:
            deal["value_usd"] = to_usd(value["amount"], value["currency"], rate_date(deal.get("announced"), published))
    # one country per organisation across chunks: partners take their organisation's
    for deal in deals.values():
        partners = [{**p, "name": names.get(org_key(p["name"]), p["name"])} for p in deal["partners"]]
        deal["partners"] = [{**p, "country": orgs[p["name"]]["country"] if p["name"] in orgs else p["country"]}
                            for p in partners]
    return ArticleResult(
        source=article.source,
        title=article.title or structure.title(article.text),
        published=published,
        organisations=[Organisation(**o) for o in sorted(orgs.values(), key=lambda o: o["mentions"][0] if o["mentions"] else (0, 0))],
        deals=[Deal(**d) for d in deals.values()],
    )


def _merge_deal(old: Optional[dict], new: dict) -> dict:
    """One deal found in two chunks: union of cues, the stronger mention's evidence."""
    if old is None:
        return new
    best, other = (new, old) if new["confidence"] > old["confidence"] else (old, new)
    merged = dict(best)
    merged["themes"] = sorted(set(old["themes"]) | set(new["themes"]))
    merged["deal_types"] = sorted(set(old["deal_types"]) | set(new["deal_types"]))
    merged["territories"] = list(dict.fromkeys(old["territories"] + new["territories"]))
    merged["value"] = best["value"] or other["value"]
    return merged
