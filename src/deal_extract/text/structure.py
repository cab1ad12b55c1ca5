"""Article structure from the raw text: lines, headings, list items, paragraphs, title, date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

_BULLET_MARK = r"[-*•–—▪●]|\d{1,2}[.)]"        # "- ", "• ", "1. ", "2) "
_MD_HEADING_MARK = r"#{1,6}"                        # "## "
_BULLET = re.compile(rf"^\s*(?:{_BULLET_MARK})\s+")
_MD_HEADING = re.compile(rf"^\s*{_MD_HEADING_MARK}\s+")
_LINE_MARK = re.compile(rf"^(?:{_BULLET_MARK}|{_MD_HEADING_MARK})$")
HEADING_MAX_WORDS = 10
#: month names, full and short ("sep", "sept"), lower-case, to their numbers
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
_MON = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = [
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON},?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)[./](?P<m>\d\d)[./](?P<d>\d\d)\b"),   # "2025.09.24", "2025/09/24"
]


@dataclass(frozen=True)
class Line:
    start: int          # character offsets of the stripped line
    end: int
    text: str
    paragraph: int
    heading: bool
    bullet: bool


def lines(text: str) -> list[Line]:
    out: list[Line] = []
    paragraph = 0
    pos = 0
    blank_before = True
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if not stripped:
            paragraph += 0 if blank_before else 1
            blank_before = True
            pos += len(raw)
            continue
        start = pos + (len(raw) - len(raw.lstrip()))
        bullet = is_bullet(raw)
        heading = is_heading(stripped)
        if heading and not blank_before:
            paragraph += 1
        out.append(Line(start, start + len(stripped), stripped, paragraph, heading, bullet))
        if heading:
            paragraph += 1
        blank_before = heading
        pos += len(raw)
    return out


NAVIGATION_MIN_ITEMS = 4
NAVIGATION_MAX_WORDS = 4


def furniture_lines(text: str, starts: tuple[str, ...]) -> list[tuple[int, int]]:
    """Character ranges of page furniture lines: navigation ("Home | News | Biotech | Subscribe":
    four or more short items between bars) and lines that begin with one of ``starts``
    ("©", "[Photo:", "Credit:")."""
    out: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        line = raw.strip()
        items = [item.strip() for item in line.split("|")]
        navigation = (len(items) >= NAVIGATION_MIN_ITEMS
                      and all(0 < len(item.split()) <= NAVIGATION_MAX_WORDS for item in items))
        if line and (navigation or line.startswith(starts)):
            out.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    return out


def is_bullet(line: str) -> bool:
    """A list item: "- A and B", "• JV: A x B", "1. A licenses B"."""
    return bool(_BULLET.match(line))


def is_line_mark(token: str) -> bool:
    """A token that opens a list item or a Markdown heading: "-", "•", "1.", "##"."""
    return bool(_LINE_MARK.match(token))


def is_heading(line: str) -> bool:
    """A heading line: a Markdown heading, or a short line (up to :data:`HEADING_MAX_WORDS`
    words) that is no list item and ends without sentence punctuation."""
    line = line.strip()
    if not line:
        return False
    if _MD_HEADING.match(line):
        return True
    if is_bullet(line) or len(line.split()) > HEADING_MAX_WORDS:
        return False
    return line[-1] not in ".!?:;,\"”)’'" and not line[0].isdigit()


def line_at(text: str, start: int, end: int) -> str:
    """The line of ``text`` holding the characters [start, end)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start: line_end if line_end >= 0 else len(text)]


def title(text: str) -> Optional[str]:
    for raw in text.splitlines():
        stripped = _MD_HEADING.sub("", raw.strip()).strip()
        if stripped:
            return stripped
    return None


def title_end(text: str) -> int:
    """Character offset where the first non-empty line (the title) ends; 0 when the text is one line."""
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    if not rest.strip():
        return 0
    return len(text) - len(stripped) + len(first)


def published(text: str, head_chars: int = 600) -> Optional[dt.date]:
    """The first date stated near the top of the article ("31 May 2025", "May 31, 2025", "2025-05-31")."""
    head = text[:head_chars]
    best: Optional[tuple[int, dt.date]] = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(head):
            date = _to_date(m)
            if date and (best is None or m.start() < best[0]) and not _a_term(head, m.start()):
                best = (m.start(), date)
    return best[1] if best else None


#: words before a date that make it a term or a deadline ("will run until Dec. 31, 2037")
_TERM_WORDS = frozenset({"until", "through", "till", "to", "by", "before", "from", "since"})


def _a_term(head: str, start: int) -> bool:
    words = head[max(0, start - 12):start].split()
    return bool(words) and words[-1].lower() in _TERM_WORDS


def _to_date(m: re.Match) -> Optional[dt.date]:
    groups = m.groupdict()
    month = int(groups["m"]) if groups.get("m") else MONTHS.get(groups["mon"].lower())
    if not month:
        return None
    try:
        return dt.date(int(groups["y"]), month, int(groups["d"]))
    except ValueError:
        return None
