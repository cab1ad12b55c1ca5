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

from .markup import MARKUP_TOKENS
from .places import ADJECTIVE, CITY, NAME, Place

_DETS = {"a", "an", "the"}


def _descriptor_follows(doc: Doc, i: int) -> bool:
    """A lowercase noun follows within a few tokens: "a Singapore CAR-T developer", "a US company"."""
    for tok in doc[i:i + 5]:
        if tok.is_punct and tok.text != "-":
            return False
        if tok.is_lower and tok.is_alpha and tok.pos_ in ("NOUN", "PROPN"):
            return True
    return False
_EXAMPLE_CUES = {("such", "as"), ("like",), ("including",), ("notably",), ("e.g.",)}


class CountryEvidence:
    def __init__(self, doc: Doc, places: list[Place], group_nouns: set[str]):
        self.doc = doc
        self.group_nouns = group_nouns
        self.by_start = {p.start: p for p in places}
        self.by_end = {p.end: p for p in places}
        self.places = places

    def _place_at(self, i: int, forms=(NAME,)) -> Optional[Place]:
        p = self.by_start.get(i)
        return p if p is not None and p.code and p.form in forms else None

    def _tok(self, i: int) -> str:
        return self.doc[i].text if 0 <= i < len(self.doc) else ""

    def _descriptor_word(self, k: int, s: int) -> bool:
        """Token ``k`` can stand in the descriptor run before a name starting at ``s``: "organ",
        "clinical-stage", "-based", "CDMO"; "and" only between descriptor words."""
        tok = self.doc[k]
        if tok.text == "-" or tok.lower_ == "based" and self._tok(k - 1) == "-":
            return True
        if tok.lower_ == "and":
            return k + 1 < s and self.doc[k + 1].is_lower
        if tok.is_lower and tok.is_alpha:
            return tok.pos_ in ("NOUN", "ADJ", "PROPN") or "-" in (self._tok(k - 1), self._tok(k + 1))
        return tok.pos_ in ("NOUN", "ADJ", "PROPN") and tok.is_upper and len(tok) <= 5

    def mention_evidence(self, span: Span) -> list[tuple[str, str]]:
        doc, s, e = self.doc, span.start, span.end
        # look past Markdown emphasis around a name: "Beijing's **Yanshan CellTech**"
        while s > 0 and (doc[s - 1].text in MARKUP_TOKENS or doc[s - 1].is_space):
            s -= 1
        while e < len(doc) and (doc[e].text in MARKUP_TOKENS or doc[e].is_space):
            e += 1
        found: list[tuple[str, str]] = []
        # parenthesis right after the mention
        if self._tok(e) == "(":
            p = self._place_at(e + 1)
            if p and self._tok(p.end).startswith(")"):
                found.append((p.code, "parenthesis"))
        # possessive right before: "Taiwan's X", "Seoul's X"
        if s >= 2 and self._tok(s - 1) in ("'s", "’s"):
            p = self.by_end.get(s - 1)
            if p and p.code and p.form in (NAME, CITY):
                found.append((p.code, "possessive"))
        # "Singapore-based X", "Massachusetts-based autoimmune and rare disease company X",
        # "U.K. organ transplant company X", "Chinese CDMO X", "Malaysian digital health start-up X":
        # walking back over descriptor words (lowercase, hyphens, short acronyms), the first place
        # that ends the walk gives the country
        k = s - 1
        while k >= 0 and k >= s - 10:
            p = self.by_end.get(k + 1)
            if p is not None and p.code and k + 1 < s:
                if self._tok(k + 1) == "-" and self._tok(k + 2) == "based" and p.form in (NAME, CITY):
                    found.append((p.code, "based"))
                elif p.form == ADJECTIVE or p.form in (NAME, CITY) and self._tok(k + 1) not in ("-", ","):
                    found.append((p.code, "premodifier"))
                break
            if not self._descriptor_word(k, s):
                break
            k -= 1
        # apposition after the mention, past an alias in parentheses:
        # "X, a Chinese biopharmaceutical company", 'X ("X"), an Osaka-based ...', "X, a US company"
        k = e
        if self._tok(k) == "(":
            while k < len(doc) and self._tok(k) != ")" and k < e + 6:
                k += 1
            k += 1
        if self._tok(k) == "," and self._tok(k + 1).lower() in _DETS | {"based", "headquartered", "one"}:
            for j in range(k + 1, min(k + 20, len(doc))):
                if doc[j].text in (",", ".", ";", ":") or "\n" in doc[j].text:
                    break
                if doc[j].is_punct and doc[j].text not in ("-", "(", ")") or j > k + 8 and self._tok(j - 1) != "in":
                    continue
                p = self.by_start.get(j)
                if p and p.code and (p.form == ADJECTIVE
                                     or (self._tok(p.end) == "-" and self._tok(p.end + 1) == "based")
                                     or self._tok(j - 1) in ("in",)
                                     or (p.form in (NAME, CITY) and _descriptor_follows(doc, p.end))
                                     or (p.form == NAME and self._tok(j - 1) == "of" and self._tok(p.end) in ("'s", "’s"))):
                    found.append((p.code, "apposition"))
                    break
        # "X is based in Seongnam, South Korea" / "X is headquartered in Tokyo"
        if self._tok(e).lower() in ("is", "was", "remains") and self._tok(e + 1).lower() in ("based", "headquartered", "located"):
            for j in range(e + 2, min(e + 8, len(doc))):
                p = self.by_start.get(j)
                if p and p.code and p.form in (NAME, CITY):
                    found.append((p.code, "based"))
                    break
                if doc[j].is_punct and doc[j].text != ",":
                    break
        # "X of Japan", "Bora Gene Therapeutics of South Korea to produce ...", "X of Kyoto, Japan"
        if self._tok(e) == "of":
            p = self._place_at(e + 1, (NAME, CITY))
            if p and (p.end >= len(doc) or not (doc[p.end].is_title or doc[p.end].text in ("'s", "’s"))):
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
        """"Chinese companies such as A, B and C" / "Japanese firms like A": the listed are Chinese
        (Japanese), unless the text gives them a country of their own. Also "A and B (China)"."""
        token_org = {}
        for i, org in enumerate(orgs):
            for start, end in org["tokens"]:
                for t in range(start, end):
                    token_org[t] = i
        doc = self.doc
        for p in self.places:
            if p.form != ADJECTIVE or p.end >= len(doc):
                continue
            k = p.end
            while k < min(p.end + 3, len(doc)) and doc[k].is_lower and doc[k].lower_ not in self.group_nouns:
                k += 1  # "Korean platform companies"
            if k >= len(doc) or doc[k].lower_ not in self.group_nouns:
                continue
            for i in self._example_list(k + 1, token_org):
                if orgs[i]["country_source"] in (None, "curated"):
                    orgs[i]["country"], orgs[i]["country_source"] = p.code, "group"
        self._shared_parenthesis(orgs, token_org)

    def _example_list(self, k: int, token_org: dict[int, int]) -> list[int]:
        """Organisations listed right after "such as" / "like" / "including" at token ``k``."""
        doc = self.doc
        cue = (self._tok(k).lower(),) if self._tok(k).lower() != "such" else ("such", self._tok(k + 1).lower())
        if cue not in _EXAMPLE_CUES:
            return []
        k += len(cue)
        listed: list[int] = []
        while k < len(doc):
            if k in token_org:
                if token_org[k] not in listed:
                    listed.append(token_org[k])
            elif not (doc[k].text in (",", "and", "or") or doc[k].text in MARKUP_TOKENS):
                break
            k += 1
        return listed

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
                    if p and self._tok(p.end).startswith(")") and org["country_source"] in (None, "curated"):
                        org["country"], org["country_source"] = p.code, "parenthesis"
