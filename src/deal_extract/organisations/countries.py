"""What the text says about an organisation's home country.

Rules, each a local linguistic pattern around one mention:

- parenthesis:   "Coreline Soft (South Korea)"; "Fangzhou and Tencent Health (China)" gives both
- possessive:    "Taiwan's NEWCL"
- based:         "Singapore-based X", "X, a Seoul-based CDMO", "X, based in Tokyo"
- apposition:    "Antengene, a Chinese biopharmaceutical company"
- premodifier:   "Chinese CDMO WuXi Biologics", "Korean biotech AbTis"
- of:            "Takeda of Japan"
- group:         "Chinese companies such as A, B and C" (one country adjective in the sentence)
- dateline:      "TOKYO and BOSTON, June 3, 2025 -- A Co., Ltd. and B, Inc. today announced"
- name:          a legal form used in one country ("Pte. Ltd."), a place in the name ("Monetary
                 Authority of Singapore")

A country given for a person, an office or a market ("Global Head, ..., Thailand") matches
none of these. No rule fires → the curated list decides; no guess.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc, Span

from deal_extract.text.markup import MARKUP_TOKENS
from deal_extract.organisations.places import ADJECTIVE, CITY, NAME, Place
from deal_extract.rulefiles.schemas import CountriesFile

#: ", which is based in Tokyo": the verbs of a relative clause that states a home
_HOME_VERBS = {"based", "headquartered", "located", "incorporated"}


@dataclass(frozen=True)
class CountryWords:
    """The words of ``countries.yml`` the country rules read, besides the places themselves."""

    group_nouns: frozenset[str]                  # "Chinese companies such as ..."
    example_cues: frozenset[tuple[str, ...]]     # "such as", "like"
    apposition_openers: frozenset[str]           # "X, a Chinese company"
    legal_forms: tuple[tuple[str, tuple[str, ...]], ...]   # (ISO code, name endings used only there)

    @classmethod
    def from_file(cls, countries: CountriesFile) -> "CountryWords":
        return cls(
            group_nouns=frozenset(w.casefold() for w in countries.group_nouns),
            example_cues=frozenset(tuple(cue.lower().split()) for cue in countries.group_example_cues),
            apposition_openers=frozenset(w.lower() for w in countries.apposition_openers),
            legal_forms=tuple((c.code, tuple(c.legal_forms)) for c in countries.countries if c.legal_forms),
        )


def _descriptor_follows(doc: Doc, i: int) -> bool:
    """A lowercase noun follows within a few tokens: "a Singapore CAR-T developer", "a US company"."""
    for tok in doc[i:i + 5]:
        if tok.is_punct and tok.text != "-":
            return False
        if tok.is_lower and tok.is_alpha and tok.pos_ in ("NOUN", "PROPN"):
            return True
    return False


class CountryEvidence:
    def __init__(self, doc: Doc, places: list[Place], words: CountryWords):
        self.doc = doc
        self.words = words
        self.group_nouns = words.group_nouns
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
        relative = self._tok(k + 1).lower() in ("which", "that")
        if relative and not any(t.lower_ in _HOME_VERBS for t in doc[k + 2:k + 5]):
            relative = None  # "which makes drugs for patients in Japan": a market, not a home
        if self._tok(k) == "," and self._tok(k + 1).lower() in self.words.apposition_openers and relative is not None:
            for j in range(k + 1, min(k + 20, len(doc))):
                if doc[j].text in (",", ".", ";", ":") or "\n" in doc[j].text:
                    break
                if doc[j].is_punct and doc[j].text not in ("-", "(", ")") or j > k + 8 and self._tok(j - 1) != "in":
                    continue
                p = self.by_start.get(j)
                if p and p.code and (p.form == ADJECTIVE
                                     or (self._tok(p.end) == "-" and self._tok(p.end + 1) == "based")
                                     or self._tok(j - 1) in ("in",)
                                     or (self._tok(j - 1) == "the" and self._tok(j - 2) == "in")
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
        if self._tok(e) in ("of", "from"):
            p = self._place_at(e + 2 if self._tok(e + 1).lower() == "the" else e + 1, (NAME, CITY))
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

    def apply_group_statements(self, orgs: list[dict], token_org: dict[int, int]) -> None:
        """"Chinese companies such as A, B and C" / "Japanese firms like A": the listed are Chinese
        (Japanese), unless the text gives them a country of their own. Also "A and B (China)".
        ``token_org``: token index -> index in ``orgs``."""
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
        self._group_in_place(orgs, token_org)
        self._definite_description(orgs, token_org)
        self._shared_parenthesis(orgs, token_org)

    def _definite_description(self, orgs: list[dict], token_org: dict[int, int]) -> None:
        """"Quillon Pharma won a tender. The Vietnamese firm will ...": a sentence opening with "the
        <adjective> <company noun>" speaks of the one organisation the sentence before names, when
        the text gives it no country; with two or more named there, of none."""
        doc = self.doc
        for p in self.places:
            if (p.form != ADJECTIVE or not p.code or p.start == 0 or self._tok(p.start - 1).lower() != "the"
                    or p.start in token_org or self._tok(p.end).lower() not in self.group_nouns):
                continue
            sent = doc[p.start].sent
            if sent.start != p.start - 1 or sent.start == 0:
                continue  # only a sentence that opens with it: "The Vietnamese firm will ..."
            named = {token_org[t] for t in range(doc[sent.start - 1].sent.start, sent.start) if t in token_org}
            open_ = [i for i in named if orgs[i]["country_source"] in (None, "curated")]
            if len(named) == 1 and len(open_) == 1:
                orgs[open_[0]]["country"], orgs[open_[0]]["country_source"] = p.code, "reference"

    def _group_in_place(self, orgs: list[dict], token_org: dict[int, int]) -> None:
        """"Local companies in Malaysia that make insulin include A, B and C": the listed are
        Malaysian, unless the text gives them a country of their own."""
        doc = self.doc
        for p in self.places:
            if p.form != NAME or not p.code or p.start < 2 or self._tok(p.start - 1).lower() not in ("in", "from"):
                continue
            if not any(self._tok(i).lower() in self.group_nouns for i in range(max(p.start - 3, 0), p.start - 1)):
                continue
            sentence_end = doc[p.start].sent.end
            for k in range(p.end, min(p.end + 12, sentence_end)):
                if k in token_org:
                    break  # a name before the cue: not a statement over a list
                listed = self._example_list(k, token_org)
                if listed:
                    for i in listed:
                        if orgs[i]["country_source"] in (None, "curated"):
                            orgs[i]["country"], orgs[i]["country_source"] = p.code, "group"
                    break

    def _example_list(self, k: int, token_org: dict[int, int]) -> list[int]:
        """Organisations listed right after "such as" / "like" / "including" at token ``k``."""
        doc = self.doc
        cue = (self._tok(k).lower(),) if self._tok(k).lower() != "such" else ("such", self._tok(k + 1).lower())
        if cue not in self.words.example_cues:
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


def dateline_countries(doc: Doc, orgs: list[dict], token_org: dict[int, int], place_codes: dict[str, str]) -> None:
    """A press release's dateline names the issuers' home cities, in order:
    "TOKYO and BOSTON, June 3, 2025 -- A Co., Ltd. and B, Inc. today announced ...".
    One city gives the first subject its country; as many cities as subjects give one each.
    Only for organisations the text and the curated list leave without a country.
    ``token_org``: token index -> index in ``orgs``; ``place_codes``: city or country name -> ISO code."""
    codes: list[str] = []
    dateline_end = 0
    for tok in doc[:80]:
        if tok.text in ("--", "—", "–", "/") or tok.text.startswith("/") or (codes and tok.i in token_org):
            dateline_end = tok.i
            break
        code = place_codes.get(tok.text.title()) if tok.is_upper and len(tok) > 1 else None
        if code and (not codes or codes[-1] != code):
            codes.append(code)
    if not codes:
        return
    subjects: list[int] = []
    start = next((t for t in sorted(token_org) if dateline_end <= t < dateline_end + 120), None)
    if start is None:
        return
    for tok in doc[start].sent:
        i = token_org.get(tok.i)
        if i is not None and i not in subjects and (tok.dep_ in ("nsubj", "nsubjpass") or tok.head.dep_ in ("nsubj", "nsubjpass")
                                                    or tok.dep_ == "conj" and tok.head.i in token_org):
            subjects.append(i)
    pairs = list(zip(subjects, codes)) if len(codes) == len(subjects) else (
        [(subjects[0], codes[0])] if len(codes) == 1 and subjects else [])
    for i, code in pairs:
        if orgs[i]["country"] is None:
            orgs[i]["country"], orgs[i]["country_source"] = code, "dateline"


def country_of_legal_form(name: str, words: CountryWords) -> Optional[str]:
    """A legal form used in one country only ends the name ("Pte. Ltd.", "Sdn. Bhd."): the
    entity is incorporated there, whatever the curated list says of a namesake."""
    for code, forms in words.legal_forms:
        if any(name.endswith(form) for form in forms):
            return code
    return None


def country_in_name(name: str, words: CountryWords, place_codes: dict[str, str]) -> Optional[str]:
    """The name itself: a legal form used in one country ("Pte. Ltd."), or a country or city in
    it ("Hangzhou First People's Hospital", "Monetary Authority of Singapore"); the last one wins."""
    code = country_of_legal_form(name, words)
    if code:
        return code
    name_words = [w.strip("()[],") for w in name.split()]
    found = None
    for size in (3, 2, 1):
        for i in range(len(name_words) - size + 1):
            code = place_codes.get(" ".join(name_words[i:i + size]))
            if code and (found is None or i > found[0]):
                found = (i, code)
        if found:
            return found[1]
    return None
