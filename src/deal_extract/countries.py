"""What the text says about an organisation's home country.

Rules, each a local linguistic pattern around one mention:

- parenthesis:   "Coreline Soft (South Korea)"; "Fangzhou and Tencent Health (China)" gives both
- possessive:    "Taiwan's NEWCL"
- based:         "Singapore-based X", "X, a Seoul-based CDMO", "X, based in Tokyo"
- apposition:    "Antengene, a Chinese biopharmaceutical company"
- premodifier:   "Chinese CDMO WuXi Biologics", "Korean biotech AbTis"
- of:            "Takeda of Japan"
- group:         "Chinese companies such as A, B and C" (one country adjective in the sentence)

A country given for a person, an office or a market ("Global Head, ..., Thailand") matches
none of these. No rule fires → the curated list decides; no guess.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional

from spacy.tokens import Doc, Span

from .places import ADJECTIVE, CITY, NAME, Place

_DETS = {"a", "an", "the"}
_GROUP_NOUNS = {"companies", "company", "firms", "firm", "players", "biotechs", "startups", "start-ups",
                "groups", "drugmakers", "pharmas", "developers", "institutions", "makers", "manufacturers",
                "cdmos", "ventures", "biopharmas", "innovators"}
_EXAMPLE_CUES = {("such", "as"), ("like",), ("including",), ("notably",), ("e.g.",)}


class CountryEvidence:
    def __init__(self, doc: Doc, places: list[Place]):
        self.doc = doc
        self.by_start = {p.start: p for p in places}
        self.by_end = {p.end: p for p in places}
        self.org_starts: dict[int, Span] = {}
        self.places = places

    def _place_at(self, i: int, forms=(NAME,)) -> Optional[Place]:
        p = self.by_start.get(i)
        return p if p is not None and p.code and p.form in forms else None

    def _tok(self, i: int) -> str:
        return self.doc[i].text if 0 <= i < len(self.doc) else ""

    def mention_evidence(self, span: Span) -> list[tuple[str, str]]:
        doc, s, e = self.doc, span.start, span.end
        found: list[tuple[str, str]] = []
        # parenthesis right after the mention
        if self._tok(e) == "(":
            p = self._place_at(e + 1)
            if p and self._tok(p.end) == ")":
                found.append((p.code, "parenthesis"))
        # possessive right before: "Taiwan's X"
        if s >= 2 and self._tok(s - 1) in ("'s", "’s"):
            p = self.by_end.get(s - 1)
            if p and p.code and p.form == NAME:
                found.append((p.code, "possessive"))
        # "Singapore-based X" (up to three descriptor words between)
        for k in range(s - 1, max(s - 6, -1), -1):
            if self._tok(k) == "based" and self._tok(k - 1) == "-":
                p = self.by_end.get(k - 1)
                if p and p.code and p.form in (NAME, CITY):
                    found.append((p.code, "based"))
                break
            if not doc[k].is_lower:
                break
        # premodifier: "Chinese CDMO X", "Korean biotech X"
        k = s - 1
        while k >= 0 and k >= s - 3 and (doc[k].is_lower or doc[k].is_upper and len(doc[k]) <= 5) and not doc[k].is_punct:
            k -= 1
        if k < s - 1 and k >= 0:
            p = self.by_end.get(k + 1)
            if p and p.code and p.form == ADJECTIVE:
                found.append((p.code, "premodifier"))
        # apposition after the mention: "X, a Chinese biopharmaceutical company" / "X, a Seoul-based ..."
        if self._tok(e) == "," and self._tok(e + 1).lower() in _DETS | {"based", "headquartered"}:
            for k in range(e + 1, min(e + 8, len(doc))):
                if doc[k].is_punct and doc[k].text not in ("-",):
                    break
                p = self.by_start.get(k)
                if p and p.code and (p.form == ADJECTIVE or (self._tok(p.end) == "-" and self._tok(p.end + 1) == "based")
                                     or self._tok(k - 1) in ("in",)):
                    found.append((p.code, "apposition"))
                    break
        # "X of Japan"
        if self._tok(e) == "of":
            p = self._place_at(e + 1)
            if p and (p.end >= len(doc) or doc[p.end].is_punct or doc[p.end].is_space):
                found.append((p.code, "of"))
        return found

    def country_for(self, spans: list[Span]) -> tuple[Optional[str], Optional[str]]:
        votes: Counter = Counter()
        how: dict[str, str] = {}
        for span in spans:
            for code, rule in self.mention_evidence(span):
                votes[code] += 1
                how.setdefault(code, rule)
        if not votes:
            return None, None
        code = votes.most_common(1)[0][0]
        return code, how[code]

    def apply_group_statements(self, orgs: list[dict]) -> None:
        """"Chinese companies such as A, B and C": A, B, C are Chinese, when the text says no other.

        Also a parenthesis after the last of "A and B (China)" gives A the same country.
        """
        token_org = {}
        for i, org in enumerate(orgs):
            for start, end in org["tokens"]:
                for t in range(start, end):
                    token_org[t] = i
        for sent in self.doc.sents:
            adjectives = [p for p in self.places if sent.start <= p.start < sent.end and p.form == ADJECTIVE
                          and p.end < len(self.doc) and self.doc[p.end].lower_ in _GROUP_NOUNS]
            if len({p.code for p in adjectives}) != 1:
                continue
            listed = self._example_list(sent, token_org)
            for i in listed:
                if orgs[i]["country_source"] in (None, "curated"):
                    orgs[i]["country"], orgs[i]["country_source"] = adjectives[0].code, "group"
        self._shared_parenthesis(orgs, token_org)

    def _example_list(self, sent: Span, token_org: dict[int, int]) -> list[int]:
        doc = self.doc
        for t in sent:
            cue = (t.lower_,) if t.lower_ != "such" else (t.lower_, self._tok(t.i + 1).lower())
            if cue not in _EXAMPLE_CUES:
                continue
            k = t.i + len(cue)
            listed: list[int] = []
            while k < sent.end:
                if k in token_org:
                    i = token_org[k]
                    if i not in listed:
                        listed.append(i)
                    k += 1
                elif doc[k].text in (",", "and", "or") or doc[k].lower_ == "and":
                    k += 1
                else:
                    break
            if listed:
                return listed
        return []

    def _shared_parenthesis(self, orgs: list[dict], token_org: dict[int, int]) -> None:
        """"A and B (China)": A takes B's parenthesised country when A has none of its own from the text."""
        for i, org in enumerate(orgs):
            for start, end in org["tokens"]:
                if self._tok(end).lower() != "and" or end + 1 not in token_org:
                    continue
                j = token_org[end + 1]
                other_end = max(e for s, e in orgs[j]["tokens"] if s == end + 1)
                if self._tok(other_end) == "(":
                    p = self._place_at(other_end + 1)
                    if p and self._tok(p.end) == ")" and org["country_source"] in (None, "curated"):
                        org["country"], org["country_source"] = p.code, "parenthesis"
