"""The mentions of one organisation, grouped under its fullest name.

A mention's group is its curated entry or its normalised name (:func:`org_key`: case, punctuation,
a leading "the" and legal forms aside); a short form ("Henlius") or an acronym ("EDDC") then joins
the one longer group it can stand for, never a subsidiary named after its parent.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from spacy.tokens import Doc, Span

from deal_extract.organisations.entities import LEGAL_SUFFIXES, SUBSIDIARY


def token_organisations(orgs: list[dict]) -> dict[int, int]:
    """Token index -> index of the organisation (in ``doc._.organisations``) it names."""
    return {t: i for i, org in enumerate(orgs) for start, end in org["tokens"] for t in range(start, end)}


def org_key(name: str) -> str:
    """Normalised form used to merge mentions: case-folded, no punctuation or legal suffix."""
    words = re.sub(r"[^\w\s*&]", " ", name.casefold()).split()
    while words and words[0] == "the":
        words = words[1:]
    while words and words[-1] in LEGAL_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


@dataclass
class Mention:
    span: Span
    source: str            # "curated", "shape" or "ner"
    curated: Optional[str]  # canonical curated name


@dataclass
class OrgGroup:
    mentions: list[Mention] = field(default_factory=list)
    curated: Optional[str] = None

    @property
    def forms(self) -> list[str]:
        return [m.span.text for m in self.mentions]

    def name(self) -> str:
        """The fullest name the text uses: the longest form (ties: the most frequent, then first)."""
        counts = Counter(self.forms)
        return max(self.forms, key=lambda f: (len(org_key(f).split()), len(f), counts[f]))


def initials(words: list[str]) -> str:
    """The first letters of the capitalised words: "MH" of "Ministry of Health"."""
    return "".join(w[0] for w in words if w[:1].isupper())


def merge_same_names(groups: list[OrgGroup]) -> list[OrgGroup]:
    """Groups that ended under the same name (a split a later step made, such as a name in a
    Title Case headline) are one organisation: the first keeps the others' mentions."""
    by_key: dict[str, OrgGroup] = {}
    out: list[OrgGroup] = []
    for g in groups:
        key = org_key(g.name())
        first = by_key.get(key)
        if first is not None and key and (first.curated == g.curated or not first.curated or not g.curated):
            first.mentions.extend(g.mentions)
            first.curated = first.curated or g.curated
            continue
        by_key.setdefault(key, g)
        out.append(g)
    return out


def merge_short_forms(groups: list[OrgGroup], doc: Doc) -> list[OrgGroup]:
    """Merge a group into a longer one when it is its leading words or its acronym.

    "Henlius" joins "Henlius Biotech"; "EDDC" joins "Experimental Drug Development Centre".
    Curated groups are merged only with non-curated ones, and only when unambiguous.
    """
    keys = {id(g): org_key(g.name()) for g in groups}
    by_prefix: dict[str, list[OrgGroup]] = {}
    by_initials: dict[str, list[OrgGroup]] = {}
    for g in groups:
        words = keys[id(g)].split()
        for n in range(1, min(len(words), 4)):
            by_prefix.setdefault(" ".join(words[:n]), []).append(g)
        for n in range(2, min(len(words), 5)):  # "Qiantang NeuroMedical" in "Hangzhou Qiantang NeuroMedical Technology"
            by_prefix.setdefault(" ".join(words[1:n]), []).append(g)
        initials_of = initials(g.name().split()).casefold()
        if len(initials_of) >= 2:
            by_initials.setdefault(initials_of, []).append(g)
    absorbed: set[int] = set()
    for short in groups:
        sk = keys[id(short)]
        if not sk:
            continue
        candidates = list(by_prefix.get(sk, []))
        if sk.isalpha() and short.name().isupper() and len(sk) >= 2:
            candidates += by_initials.get(sk, [])
        targets = []
        for long in candidates:
            if (long is short or id(long) in absorbed or len(keys[id(long)]) <= len(sk)
                    or (short.curated and long.curated) or long in targets
                    or any(m.span.id_ == SUBSIDIARY for m in long.mentions)):  # "Pfizer" is not "Pfizer Japan"
                continue
            targets.append(long)
        if len(targets) == 1:
            target = targets[0]
            target.mentions.extend(short.mentions)
            target.curated = target.curated or short.curated
            absorbed.add(id(short))
    return [g for g in groups if id(g) not in absorbed]


def curated_by_key(entries) -> dict:
    """The curated entries by the normalised form (:func:`org_key`) of their name and every alias;
    the first entry wins a form two share."""
    out: dict = {}
    for entry in entries:
        for form in (entry.name, *entry.aliases):
            out.setdefault(org_key(form), entry)
    return out
