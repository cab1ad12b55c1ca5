"""An analyst's corrections from the review page, as gold files (SPEC section 3).

The review page of ``deal-extract report --correct`` holds, per article, a draft of its gold file
made from the extraction (:func:`draft`): the extracted organisations (each with the other
spellings the article uses as aliases) and deals. In the browser (``correct.js``) the analyst
marks each deal right or wrong, fixes it and adds the deals the extractor missed; the page
downloads the gold file, or posts it to ``deal-extract serve OUTPUT --corrections DIR``, where
:func:`save_correction` validates it with the gold model and writes ``DIR/<article stem>.yaml``,
never anywhere else, and never over an existing file unless the request says so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

from deal_extract.corpus.outputs import atomic_write_text
from deal_extract.evaluation.gold import GOLD_SUFFIXES, GoldError, article_stem, gold_yaml, parse_gold
from deal_extract.vocab import DEAL_STATUSES, DEAL_TYPES, ORG_KINDS, ROLES, THEMES

if TYPE_CHECKING:
    from deal_extract.evaluation.report import ReportArticle

#: the longest article name a correction is saved under (a file name stays well under the usual 255 bytes)
MAX_STEM = 150
_NOT_IN_A_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class CorrectionError(ValueError):
    """A correction that is not saved; ``status``: the HTTP status that says why (400 unusable,
    404 no such article, 409 a file is there already); ``lines``: the message."""

    def __init__(self, status: int, *lines: str):
        super().__init__("\n".join(lines))
        self.status = status
        self.lines = list(lines)


class CorrectionExists(CorrectionError):
    """The article's gold file is there already, and the request did not say to replace it."""

    def __init__(self, *lines: str):
        super().__init__(409, *lines)


@dataclass(frozen=True)
class SavedCorrection:
    path: Path
    replaced: bool


def vocabularies() -> dict[str, tuple[str, ...]]:
    """The closed vocabularies the correction form offers (SPEC sections 2 and 6)."""
    return {"themes": THEMES, "deal_types": DEAL_TYPES, "kinds": ORG_KINDS, "roles": ROLES, "statuses": DEAL_STATUSES}


def gold_article_name(source: str) -> str:
    """A gold file's ``article``: the article's file name (``feed.jsonl#id`` for a line of a feed)."""
    return Path(source).name


def draft(article: "ReportArticle") -> dict[str, Any]:
    """The gold file the extraction of ``article`` would be, as the correction form starts from it.

    ``organisations``: the extracted ones (name, aliases, country, kind), a deal's partner that
    is none of them added; the aliases are the other spellings of the organisation's mentions in
    the text (not a spelling that is another organisation's name or an earlier one's alias). ``deals``: each extracted
    deal's gold fields with its ``id``, and its SPEC section 6 details as extracted.
    """
    result, text = article.result, article.text or ""
    orgs: dict[str, dict[str, Any]] = {}
    said: dict[str, list[str]] = {}
    for org in result.organisations:
        orgs.setdefault(org.name, {"name": org.name, "aliases": [], "country": org.country, "kind": org.kind})
        said.setdefault(org.name, []).extend(" ".join(text[start:end].split()) for start, end in org.mentions)
    for deal in result.deals:
        for party in deal.partners:
            orgs.setdefault(party.name, {"name": party.name, "aliases": [], "country": party.country, "kind": "company"})
    owner: dict[str, str] = {name: name for name in orgs}
    for name, spellings in said.items():
        for spelling in spellings:
            if spelling and owner.setdefault(spelling, name) == name and spelling != name \
                    and spelling not in orgs[name]["aliases"]:
                orgs[name]["aliases"].append(spelling)
    deals = [{
        "id": deal.id,
        "partners": [p.name for p in deal.partners],
        "themes": list(deal.themes),
        "deal_types": list(deal.deal_types),
        "territories": list(deal.territories),
        "value": deal.value.model_dump() if deal.value else None,
        "roles": {p.name: p.role for p in deal.partners},
        "status": deal.status,
        "announced": deal.announced,
        "assets": list(deal.assets),
    } for deal in result.deals]
    return {
        "stem": article.name,
        "article": gold_article_name(result.source),
        "published": result.published.isoformat() if result.published else None,
        "title": result.title,
        "organisations": list(orgs.values()),
        "deals": deals,
    }


def correction_path(folder: Path | str, stem: str) -> Path:
    """Where the gold file of the article ``stem`` goes in ``folder``: ``folder/<stem>.yaml``, or
    the gold file of that stem already there. :class:`CorrectionError` (400) for a name that
    would lead anywhere else or is no file name, (409) for a link or a non-file in the way."""
    if not isinstance(stem, str) or not stem or len(stem) > MAX_STEM or stem.startswith(".") \
            or stem != stem.strip() or _NOT_IN_A_NAME.search(stem):
        raise CorrectionError(400, f"{stem!r} is not an article name: a file stem of at most {MAX_STEM} "
                                   "characters, without '/', '\\', control characters or a leading '.'")
    folder = Path(folder).resolve()
    candidates = [folder / f"{stem}{suffix}" for suffix in GOLD_SUFFIXES]
    if any(c.parent != folder for c in candidates):  # not reached with the checks above; kept as the rule itself
        raise CorrectionError(400, f"{stem!r} would be saved outside {folder}")
    for path in candidates:
        if path.is_symlink():
            raise CorrectionError(409, f"{path} is a symbolic link; not written through")
        if path.exists() and not path.is_file():
            raise CorrectionError(409, f"{path} exists and is not a file")
    return next((c for c in candidates if c.exists()), candidates[0])


def save_correction(folder: Path | str, stem: str, gold: Any, overwrite: bool = False,
                    articles: Optional[Iterable[str]] = None) -> SavedCorrection:
    """Validate ``gold`` (the content of a gold file, as JSON gives it) with the gold model and
    write it as ``folder/<stem>.yaml``; ``articles``: the article names that may be saved (those
    of the served output folder). An existing gold file of the article is replaced only when
    ``overwrite``; else :class:`CorrectionExists` (409) and the file stays as it was."""
    path = correction_path(folder, stem)
    if articles is not None and stem not in set(articles):
        raise CorrectionError(404, f"{stem!r} is no article of this output folder")
    try:
        parsed = parse_gold(gold, f"{stem}: corrections")
    except GoldError as exc:
        raise CorrectionError(400, *exc.lines) from None
    if article_stem(parsed.article) != stem:
        raise CorrectionError(400, f"{stem}: the gold file is of article {parsed.article!r}, not {stem!r}")
    text = gold_yaml(parsed)
    if overwrite and path.exists():
        atomic_write_text(path, text)
        return SavedCorrection(path, replaced=True)
    try:
        handle = open(path, "x", encoding="utf-8")
    except FileExistsError:
        raise CorrectionExists(f"{path} exists: it is replaced only when the request says overwrite") from None
    try:
        with handle:
            handle.write(text)
    except OSError:
        os.unlink(path)  # no half-written gold file
        raise
    return SavedCorrection(path, replaced=False)
