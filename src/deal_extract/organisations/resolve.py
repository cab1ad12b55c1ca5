"""Organisations: from the repaired entities to the article's organisations.

:class:`OrganisationResolver` runs after the NER (the curated names are set before it, by
:mod:`.curated`; the entities are repaired and completed by :mod:`.entities`): it drops what is
tagged ORG but is no organisation, trims possessives and a leading "the", merges the mentions
of one organisation under its fullest name, and assigns each organisation a home country
(text first, curated list second) and a kind.
"""

from __future__ import annotations

import re
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc, Span

from deal_extract.text import structure
from deal_extract.organisations.boundaries import split_at_and, trimmed_edges
from deal_extract.organisations.countries import CountryEvidence, CountryWords, country_in_name, country_of_legal_form, dateline_countries
from deal_extract.organisations.curated import CURATED_PREFIX, ORG
from deal_extract.organisations.entities import (
    LEGAL_SUFFIXES, SHAPE_PREFIX, SUBSIDIARY, ambiguous_matcher, legal_tail, repaired_entities, shape_matcher, subsidiaries,
    with_ambiguous_names, with_hyphen_names, with_legal_forms, with_shapes,
)
from deal_extract.text.markup import MARKUP_TOKENS
from deal_extract.organisations.groups import (Mention, OrgGroup, curated_by_key, initials, merge_same_names, merge_short_forms,
                        org_key, token_organisations)
from deal_extract.rulefiles.loader import Patterns
from deal_extract.organisations.places import ADJECTIVE, CITY, NAME, PlaceFinder
from deal_extract.deals.values import find_money

_CODE = re.compile(r"^(?:[A-Z]{1,6}-?\d[\w-]*|[A-Z]+\d+[A-Z]\d*)$")
_SHORT_CAPS = re.compile(r"^[A-Z]{1,3}$")
_ORG_HEAD_NOUNS = {"company", "firm", "biotech", "developer", "maker", "manufacturer", "unit", "subsidiary", "affiliate",
                   "group", "provider", "startup", "start-up", "cdmo", "cro", "fund", "investor", "bank", "distributor"}
_POSSESSIVES = {"its", "their", "our", "his", "her", "own"}
_NAME_FUNCTION_WORDS = {"of", "and", "for", "the", "de", "du", "la", "von", "van", "&", "in", "on", "at"}
LIST_VERBS = frozenset({"include", "comprise", "feature", "span"})
MAX_LIST_LOOKBACK = 16   # tokens walked back over a list's earlier items to its head word
_QUOTES = {"\"", "“", "”", "'", "‘", "’"}
_TRIM_LEFT = {"the", "The", "THE", "About", "ABOUT", "-", "*", "•", "–", "—", "(", "\"", "'", "“", "‘", ":"}
_TRIM_RIGHT = {"'s", "’s", "'", "’", ",", ".", ":", ";", "-", "–", "—", ")", "\"", "”", "’", "and", "or", "with"}

class OrganisationResolver:
    def __init__(self, nlp: Language, patterns: Patterns):
        self.patterns = patterns
        self.places = PlaceFinder(nlp, patterns.countries)
        self.curated = {e.name: e for e in patterns.organisations}
        self.curated_names = {n for e in patterns.organisations for n in [e.name, *e.aliases]}
        self.curated_by_key = curated_by_key(patterns.organisations)
        noise = patterns.not_organisations
        self.noise_terms = {t.casefold() for t in [*noise.terms, *noise.drug_targets, *noise.drug_brands]}
        self.noise_words = {w.casefold() for w in noise.words}
        self.kind_words = {w.casefold(): kind for kind, words in noise.kind_words.items() for w in words}
        self.shape_kinds = {s.id: s.kind for s in patterns.shapes}
        self.country_words = self.places.words()
        self.country_rule_words = CountryWords.from_file(patterns.countries)
        countries = patterns.countries.countries
        self.legal_endings = sorted({tuple(t.lower_ for t in nlp.make_doc(form)) for c in countries for form in c.legal_forms},
                                    key=len, reverse=True)
        self.legal_prefixes = {p for c in countries for p in c.legal_prefixes}
        self.place_codes = self.places.codes(NAME, CITY)
        self.adjective_words = self.places.words(ADJECTIVE)
        self.short_form_stop = {w.casefold() for w in noise.short_form_stop} | self.noise_terms
        self.title_words = {w.casefold() for w in noise.title_words}
        self.descriptors = {w.casefold() for w in noise.descriptors}
        self.place_nouns = {w.casefold() for w in noise.place_nouns}
        self.adviser_roles = {w.casefold() for w in noise.adviser_roles}
        self.shapes = shape_matcher(nlp.vocab, patterns)
        self.ambiguous = ambiguous_matcher(nlp, patterns)
        self.name_heads = {w.casefold() for w in noise.name_heads}
        self.drug_nouns = {w.casefold() for w in noise.drug_nouns}
        self.product_nouns = {w.casefold() for w in noise.product_nouns}
        self.furniture_starts = tuple(noise.furniture_line_starts)

    # -- cleaning ---------------------------------------------------------------------

    def _trim(self, span: Span, source: str) -> Optional[Span]:
        if source == "curated" and span.text in self.curated_names:
            return span
        start, end = trimmed_edges(span, self.name_heads, self.country_words)
        doc = span.doc
        start = _after_dateline(doc, start, end)
        while start < end and (doc[start].text in _TRIM_LEFT or doc[start].is_space):
            start += 1
        while end > start and (doc[end - 1].text in _TRIM_RIGHT or doc[end - 1].is_space):
            if doc[end - 1].text == "." and end - 2 >= start and doc[end - 2].lower_ in LEGAL_SUFFIXES:
                break  # keep the abbreviation's dot: "Pte. Ltd."
            end -= 1
        if start >= end:
            return None
        amounts = find_money(doc[start:end].text)
        if amounts:  # an amount glued to a name: "Nestlé India ₹705.6", or an amount alone: "S$38.1bn"
            cut = doc[start].idx + amounts[0].start
            while end > start and doc[end - 1].idx >= cut:
                end -= 1
            while end > start and doc[end - 1].text in _TRIM_RIGHT:
                end -= 1
            if start >= end:
                return None
        return Span(doc, start, end, label=span.label, span_id=span.id)

    def _is_noise(self, span: Span, source: str, text_info: tuple[str, int]) -> bool:
        """``text_info``: the Doc's text and where its title line ends (computed once per Doc)."""
        doc_text, title_end = text_info
        text = span.text
        folded = text.casefold()
        if "\n" in text or folded in self.noise_terms or folded in self.country_words:
            return True
        if source == "curated":
            return False
        words = [t.text.casefold() for t in span]
        if any(w in self.noise_words for w in words):
            return True
        if (span.start > 1 and span.doc[span.start - 1].text == "-" and not span.doc[span.start - 1].whitespace_
                and not span.doc[span.start - 2].ent_type_ == "ORG"):
            return True  # the tail of a hyphenated compound: "Alliance-Driven Biotech"
        if source == "ner" and any(t.is_lower and t.is_alpha and t.lower_ not in _NAME_FUNCTION_WORDS
                                   and not _hyphen_joined(t) for t in span):
            return True  # "Al for novel drug discovery", but "F-star Therapeutics"
        if not org_key(text):
            return True  # a legal suffix alone: "Ltd."
        nxt = span.doc[span.end] if span.end < len(span.doc) else None
        if nxt is not None and nxt.is_title and nxt.lower_ in self.noise_words:
            return True  # the start of an event or unit name: "Singapore Biotech Partnering Summit"
        if nxt is not None and len(span) == 1 and nxt.like_num and "." in nxt.text:
            return True  # a drug target with its number: "Claudin 18.2"
        if all(t.text.casefold() in self.adjective_words or t.text.casefold() in self.noise_terms for t in span):
            return True  # "Korean CDMO"
        if source != "curated" and (span[-1].is_digit or _apposition_is_person_or_product(span)
                                    or self._product_context(span)):
            return True  # "ISU 106", "ISU 106, its immunotherapy candidate", "Maki Umemura, a historian at", "Merck's Keytruda"
        prev = span.doc[span.start - 1] if span.start > 0 else None
        if prev is not None and prev.lower_ in _POSSESSIVES:
            return True  # "its own KRAS program", "their X platform": a thing the organisation has
        in_parentheses = prev is not None and prev.text == "(" and _closes_parenthesis(span)
        if in_parentheses and span.start > 1 and span.doc[span.start - 2].is_lower and span.doc[span.start - 2].is_alpha:
            return True  # an acronym defined by lowercase words: "amyotrophic lateral sclerosis (ALS)"
        if any(_CODE.match(t.text) for t in span) or (source == "ner" and len(span) == 1 and _SHORT_CAPS.match(text)
                                                     and not in_parentheses):
            return True  # drug and target codes: "HER3", "KRAS G12C", "CO-19B", "CT", "GIP"
        if source == "ner" and len(span) == 1 and span[0].pos_ not in ("PROPN",):
            return True  # a capitalised common word: "Radiologists", "Securing"
        if not span[0].text[:1].isupper() and not span[0].text[:1].isdigit():
            return True
        if len(span) > 8 or all(t.is_stop or t.is_punct for t in span):
            return True
        if span.start_char < title_end and len(text) >= 0.6 * title_end:
            return True
        if source == "ner" and structure.is_heading(structure.line_at(doc_text, span.start_char, span.end_char)):
            return True
        return False

    def _product_context(self, span: Span) -> bool:
        """A brand, a target, a portfolio or a person, not an organisation: "Merck's Keytruda",
        "Keytruda (pembrolizumab)", "brands such as Celevida", "sold as AWcorna", "under the Mounjaro
        brand", "VEGF bispecific", "Minister of Science", "President Joko Widodo"."""
        doc, s, e = span.doc, span.start, span.end
        named = any(t.lower_ in self.name_heads or t.lower_ in LEGAL_SUFFIXES or t.text.casefold() in self.kind_words
                    for t in span)
        if not named and s >= 2 and doc[s - 1].text in ("'s", "’s") and doc[s - 2].ent_type_ == ORG:
            return True
        if _generic_name_after(doc, e):
            return True
        before = [t.lower_ for t in doc[max(0, s - 3):s]]
        if "brand" in before or "brands" in before or before[-2:] == ["sold", "as"] or (e < len(doc) and doc[e].lower_ in ("brand", "brands")):
            return True
        if not named and (self._product_list_or_apposition(doc, s) or self._listed_by_product_noun(span)):
            return True
        if s > 1 and doc[s - 1].lower_ in ("of", "for") and doc[s - 2].lower_ in self.title_words:
            return True  # a portfolio: "Minister of Science, Technology and Innovation"
        if len(span) == 1 and e < len(doc) and doc[e].lower_ in self.drug_nouns:
            return True  # a target or a drug: "VEGF bispecific", "KRAS inhibitor"
        if s > 1 and doc[s - 1].text == "," and doc[s - 2].lower_ in self.title_words and not named:
            return True  # a person in apposition to a title: "Verdiva's chief executive, Khurem Farooq,"
        return s > 0 and doc[s - 1].lower_ in self.title_words

    def _product_list_or_apposition(self, doc: Doc, s: int) -> bool:
        """"a treatment, TEMCELL,", "14 million doses of CoronaVac", "brands Rebalanz, Celevida,
        Antoxid and Becozinc": the words before the name, past the earlier items of its list, are
        a product noun (with "of" only for a count: "doses of")."""
        k = s - 1
        while k >= 0 and s - k <= MAX_LIST_LOOKBACK and (doc[k].text in (",", "&", "-") or doc[k].lower_ == "and"
                                                         or doc[k].text[:1].isupper()):
            if doc[k].text[:1].isupper() and doc[k].lower_ in self.product_nouns:
                break
            k -= 1
        if k < 0:
            return False
        word = doc[k].lower_
        if word in self.product_nouns:
            return True
        return word == "of" and k > 0 and doc[k - 1].lower_ in self.product_nouns and doc[k - 1].lower_.startswith(("dose", "vial", "shot"))

    def _listed_by_product_noun(self, span: Span) -> bool:
        """"brands to be licensed include Nature's Bounty, Optifast and Peptamen", "products such as
        X": the name is an item of a list that a product noun introduces."""
        tok = span.root
        while tok.dep_ in ("conj", "appos") and tok.head.i != tok.i:
            tok = tok.head
        head = tok.head
        if head.lemma_.lower() in LIST_VERBS:
            return any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in self.product_nouns for c in head.children)
        if tok.dep_ == "pobj" and head.lower_ in ("including", "as") and head.head.i != head.i:
            owner = head.head if head.lower_ == "including" else head.head.head
            return owner.lower_ in self.product_nouns
        return False

    def candidates(self, doc: Doc, text_info: tuple[str, int]) -> list[Mention]:
        # "Endo said": a person's surname the NER took for an organisation
        surnames = {e[-1].text.casefold() for e in doc.ents if e.label_ == "PERSON" and len(e) >= 2}
        out: list[Mention] = []
        for ent in doc.ents:
            if ent.label_ != ORG:
                continue
            ident = ent.id_ or ""
            source = "curated" if ident.startswith(CURATED_PREFIX) else "shape" if ident.startswith(SHAPE_PREFIX) else "ner"
            for piece in self._pieces(ent, source):
                span = self._trim(piece, source)
                if span is None or self._is_noise(span, source, text_info) or span.text.casefold() in surnames:
                    continue
                curated = ident[len(CURATED_PREFIX):] if source == "curated" else None
                if curated is None:
                    entry = self.curated_by_key.get(org_key(span.text))
                    curated = entry.name if entry else None
                out.append(Mention(span, source, curated))
        return out

    def _pieces(self, ent: Span, source: str) -> list[Span]:
        """Split "Sarvodaya / Kinabalu" at slashes; cut "Hyeonam Chief Executive Yoon" before the job title."""
        if source == "curated":
            return [ent]
        doc = ent.doc
        end = next((t.i for t in ent if t.lower_ in self.title_words and t.i > ent.start), ent.end)
        pieces, start = [], ent.start
        for t in doc[ent.start:end]:
            if t.text in ("/", "|") or (t.text in ("–", "—") and t.whitespace_):
                pieces.append(doc[start:t.i])
                start = t.i + 1
        pieces.append(doc[start:end])
        return [Span(doc, s, e, label=ent.label, span_id=ent.id)
                for p in pieces if len(p) for s, e in split_at_and(p) if e > s]

    def weak_candidates(self, doc: Doc, places: list, found: list[Mention], text_info: tuple[str, int]) -> list[Mention]:
        """Names the NER missed or called a person or place, kept when the text frames them as an
        organisation: "Genobay (South Korea)", "Japan's Tanaka Seiyaku", "Seoul-based Arum Bio",
        "Malaysian digital health start-up KlinikKu Digital", or the longer form of a known name."""
        taken = {t for m in found for t in range(m.span.start, m.span.end)}
        place_tokens = {t for p in places for t in range(p.start, p.end)}
        place_end = {p.end: p for p in places}
        place_start = {p.start: p for p in places}
        known_first = {m.span[0].text for m in found if len(m.span) == 1}
        out: list[Mention] = []
        for start, end in _capitalised_runs(doc, taken | place_tokens):
            end = next((t.i for t in doc[start:end] if t.lower_ in self.title_words and t.i > start), end)
            span = doc[start:end]
            before = start - 1
            while before >= 0 and (doc[before].text in MARKUP_TOKENS or doc[before].is_space):
                before -= 1
            after = end
            while after < len(doc) and (doc[after].text in MARKUP_TOKENS or doc[after].is_space):
                after += 1
            framed = (
                (after + 1 < len(doc) and doc[after].text == "(" and (p := place_start.get(after + 1)) is not None
                 and p.code and p.end < len(doc) and doc[p.end].text.startswith(")"))
                or (before >= 1 and doc[before].text in ("'s", "’s") and (p := place_end.get(before)) is not None and p.code)
                or (before >= 1 and doc[before].lower_ == "based" and doc[before - 1].text == "-")
                or (before >= 0 and (doc[before].lower_ in self.descriptors or doc[max(0, before - 2):before + 1].text.lower() in self.descriptors))
                or _apposition_descriptor(doc, after, self.descriptors)
                or _adviser_role(doc, after, self.adviser_roles)
                or (span[0].text in known_first and len(span) > 1)
            )
            if after < len(doc) and doc[after].lower_ in self.place_nouns:
                continue  # "Hangzhou's Binjiang district"
            if framed and not self._is_noise(span, "weak", text_info):
                out.append(Mention(span, "weak", None))
        return out

    # -- merging ----------------------------------------------------------------------

    def group(self, doc: Doc, mentions: list[Mention]) -> list[OrgGroup]:
        groups: dict[str, OrgGroup] = {}
        for m in mentions:
            key = "c:" + m.curated if m.curated else "k:" + org_key(m.span.text)
            g = groups.setdefault(key, OrgGroup(curated=m.curated))
            g.mentions.append(m)
        merged = merge_short_forms(list(groups.values()), doc)
        return sorted(merged, key=lambda g: min(m.span.start for m in g.mentions))

    # -- the component ----------------------------------------------------------------

    def _drop_title_only(self, text: str, title_end: int, groups: list[OrgGroup]) -> list[OrgGroup]:
        """The headline is text too, but a Title Case headline's capitalised words make false
        names: there, a name found only in the headline is kept when curated or ending in a legal
        form, and a headline form longer than every form the body gives is dropped; a
        sentence-case headline is read like the body."""
        if not _is_title_case(text[:title_end]):
            return groups
        kept = [g for g in groups if g.curated or any(m.span.start_char >= title_end for m in g.mentions)
                or any(m.span[-1].lower_ in LEGAL_SUFFIXES for m in g.mentions)]
        for g in kept:
            body = [m for m in g.mentions if m.span.start_char >= title_end]
            longest = max((len(org_key(m.span.text).split()) for m in body), default=0)
            if body and not g.curated:
                # "Nestlé India Capitalise Nutrition Joint Venture": the headline's words glued to a
                # name the body gives whole are no part of it
                g.mentions = [m for m in g.mentions if m.span.start_char >= title_end
                              or len(org_key(m.span.text).split()) <= longest or m.span[-1].lower_ in LEGAL_SUFFIXES]
        return kept

    def _add_defined_aliases(self, doc: Doc, groups: list[OrgGroup], places: list) -> list[OrgGroup]:
        """A short form defined in brackets right after a name, 'LegoChem Biosciences, Inc. ("LCB")',
        'Experimental Drug Development Centre (EDDC)', is that organisation wherever the text uses
        it; a group the NER made of the short form joins it."""
        place_tokens = {t for p in places for t in range(p.start, p.end)}
        defined: dict[str, OrgGroup] = {}
        for g in groups:
            for m in g.mentions:
                alias = self._alias_after(doc, m.span.end, m.span.text)
                if alias is not None and alias not in defined:
                    defined[alias] = g
        if not defined:
            return groups
        absorbed: set[int] = set()
        for g in groups:
            owner = defined.get(g.name())
            if owner is not None and owner is not g:
                owner.mentions.extend(g.mentions)
                absorbed.add(id(g))
        groups = [g for g in groups if id(g) not in absorbed]
        taken = {t for g in groups for m in g.mentions for t in range(m.span.start, m.span.end)} | place_tokens
        for tok in doc:
            owner = defined.get(tok.text)
            if owner is not None and tok.i not in taken:
                owner.mentions.append(Mention(doc[tok.i:tok.i + 1], "alias", owner.curated))
        return groups

    def _alias_after(self, doc: Doc, k: int, name: str = "") -> Optional[str]:
        """The one-word short form in brackets at token ``k``: quoted ('("LCB")'), in capitals
        ('(EDDC)'), or an acronym whose capitals are the initials of ``name`` ('Ministry of
        Health (MoH)')."""
        k = legal_tail(doc, k)   # 'Bravo Biosciences, Inc. ("BBI")' when the name stops before its legal form
        if k + 2 >= len(doc) or doc[k].text != "(":
            return None
        quoted = doc[k + 1].text in _QUOTES
        word = doc[k + 2] if quoted else doc[k + 1]
        close = word.i + 1 + quoted
        if close >= len(doc) or doc[close].text != ")" or (quoted and doc[word.i + 1].text not in _QUOTES):
            return None
        text = word.text
        capitals = "".join(c for c in text if c.isupper())
        initialism = text.isalpha() and len(capitals) >= 2 and capitals == initials(name.split())
        if not (text[:1].isupper() and len(text) >= 2 and (quoted or (text.isupper() and text.isalpha()) or initialism)):
            return None
        folded = text.casefold()
        if folded in self.country_words or folded in self.short_form_stop:
            return None
        return text

    def _add_short_forms(self, doc: Doc, groups: list[OrgGroup], places: list) -> None:
        """Later bare mentions of a name's distinctive first word: "Deepview" for "Deepview Medical"."""
        taken = {t for g in groups for m in g.mentions for t in range(m.span.start, m.span.end)}
        taken |= {t for p in places for t in range(p.start, p.end)}
        firsts: dict[str, list[OrgGroup]] = {}
        for g in groups:
            words = g.name().split()
            if len(words) > 2 and words[0] in self.legal_prefixes:
                words = words[1:]  # "PT Etana Biotechnologies" is "Etana" for short
            while len(words) > 2 and words[0].casefold() in self.country_words:
                words = words[1:]  # "Shanghai Henlius Biotech" is "Henlius" for short
            if len(words) >= 2:
                firsts.setdefault(words[0], []).append(g)
        positions: dict[str, list[int]] = {}
        for tok in doc:
            if tok.text in firsts and tok.i not in taken:
                positions.setdefault(tok.text, []).append(tok.i)
        for word, owners in firsts.items():
            if (len(owners) != 1 or len(word) < 3 or not word[0].isupper() or not word.isalpha()
                    or word.casefold() in self.short_form_stop or word.casefold() in self.country_words):
                continue
            for i in positions.get(word, []):
                if not (i + 1 < len(doc) and doc[i + 1].is_title and not doc[i + 1].is_sent_start):
                    owners[0].mentions.append(Mention(doc[i:i + 1], "short", owners[0].curated))

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        text_info = (text, structure.title_end(text))
        headline_end = _token_at(doc, text_info[1]) if _is_title_case(text[:text_info[1]]) else 0
        places = self.places(doc)
        ents = subsidiaries(doc, repaired_entities(doc, self.name_heads, self.country_words), places)
        ents = with_ambiguous_names(doc, self.ambiguous, ents, places, headline_end)
        doc.ents = with_hyphen_names(doc, with_legal_forms(doc, with_shapes(doc, self.shapes, ents, headline_end),
                                                           self.legal_endings, self.legal_prefixes))
        mentions = self.candidates(doc, text_info)
        mentions += self.weak_candidates(doc, places, mentions, text_info)
        furniture = structure.furniture_lines(text, self.furniture_starts)
        if furniture:
            mentions = [m for m in mentions if not any(s <= m.span.start_char < e for s, e in furniture)]
        groups = self._drop_title_only(text, text_info[1], self.group(doc, mentions))
        groups = self._add_defined_aliases(doc, groups, places)
        self._add_short_forms(doc, groups, places)
        groups = merge_same_names(groups)
        evidence = CountryEvidence(doc, places, self.country_rule_words)
        orgs: list[dict] = []
        org_spans: list[Span] = []
        for index, g in enumerate(groups):
            name = g.name()
            entry = self.curated.get(g.curated) if g.curated else None
            spans = [m.span for m in g.mentions]
            country, how = evidence.country_for(spans)
            if country is None and (legal := country_of_legal_form(name, self.country_rule_words)):
                country, how = legal, "name"
            if country is None and entry is not None:
                country, how = entry.country, "curated"
            if (country is None and entry is None and any(m.span.id_ == SUBSIDIARY for m in g.mentions)
                    and (parent := self._curated_prefix(name)) is not None
                    and not country_in_name(name, self.country_rule_words, self.place_codes)):
                country, how = parent.country, "curated"  # "Fosun Health Capital": Fosun's unit (not "Sanofi Korea")
            orgs.append({
                "name": name,
                "country": country,
                "country_source": how,
                "exchange": entry is not None and entry.role == "exchange",
                "kind": entry.kind if entry else self._kind(g),
                "mentions": sorted({(s.start_char, s.end_char) for s in spans}),
                "tokens": sorted({(s.start, s.end) for s in spans}),
            })
            for s in spans:
                org_spans.append(Span(doc, s.start, s.end, label=ORG, span_id=str(index)))
        for org in orgs:
            if org["country"] is None:
                org["country"] = country_in_name(org["name"], self.country_rule_words, self.place_codes)
                org["country_source"] = "name" if org["country"] else None
        token_org = token_organisations(orgs)
        evidence.apply_group_statements(orgs, token_org)
        dateline_countries(doc, orgs, token_org, self.place_codes)
        doc._.organisations = orgs
        doc._.places = [(p.start, p.end, p.code, p.form, p.text) for p in places]
        others = [e for e in doc.ents if e.label_ != ORG]
        doc.ents = _non_overlapping(org_spans + others)
        return doc

    def _curated_prefix(self, name: str):
        """The curated entry whose name or alias opens ``name`` as whole words and is followed by
        more of it ("Fosun" in "Fosun Health Capital"), the longest; None when none does."""
        words = org_key(name).split()
        for n in range(len(words) - 1, 0, -1):
            entry = self.curated_by_key.get(" ".join(words[:n]))
            if entry is not None:
                return entry
        return None

    def _kind(self, group: OrgGroup) -> str:
        """Kind from the name's words ("University", "Agency"), else from the shape that found it."""
        for form in group.forms:
            for word in reversed(form.split()):
                kind = self.kind_words.get(word.casefold().strip(".,"))
                if kind:
                    return kind
        for m in group.mentions:
            if m.source == "shape":
                kind = self.shape_kinds.get(m.span.id_[len(SHAPE_PREFIX):]) if m.span.id_ else None
                if kind and kind != "company":
                    return kind
        return "company"

def _apposition_descriptor(doc: Doc, i: int, descriptors: set[str]) -> bool:
    """", a Kuala Lumpur-based diagnostics chain" / ", an Osaka-based developer of ...": an organisation."""
    if i + 1 >= len(doc) or doc[i].text != "," or doc[i + 1].lower_ not in ("a", "an"):
        return False
    for tok in doc[i + 2:i + 9]:
        if tok.text in (",", ".", ";", ":") or "\n" in tok.text:
            return False
        if tok.lower_ in descriptors:
            return True
    return False

def _apposition_is_person_or_product(span: Span) -> bool:
    """", its immunotherapy candidate" (a product) / ", a historian at Cardiff University" (a person)."""
    doc, i = span.doc, span.end
    if i + 1 >= len(doc) or doc[i].text != ",":
        return False
    if doc[i + 1].lower_ in _POSSESSIVES:
        return True
    if doc[i + 1].lower_ not in ("a", "an", "the"):
        return False
    for tok in doc[i + 2:i + 6]:
        if tok.lower_ in ("at", "with") and tok.i > i + 2:
            return True
        if not (tok.is_lower and tok.is_alpha) or tok.lower_ in _ORG_HEAD_NOUNS:
            return False
    return False

def _adviser_role(doc: Doc, i: int, roles: set[str]) -> bool:
    """"X acted as legal adviser", "X served as financial adviser", "with X advising": an organisation."""
    window = [t.lower_ for t in doc[i:i + 5]]
    if window[:1] == ["advising"] or window[:1] == ["advised"]:
        return True
    return len(window) >= 3 and window[0] in ("acted", "acts", "served", "serves") and window[1] == "as" \
        and any(w in roles for w in window[2:])

_DASHES = frozenset({"-", "--", "\u2013", "\u2014"})


def _after_dateline(doc: Doc, start: int, end: int) -> int:
    """"March 4, 2025 - Orvane Bio Ltd.": a name the NER ran together with the dateline before
    it starts after the dateline's dash (a number before a spaced dash)."""
    for k in range(start + 1, end - 1):
        if (doc[k].text in _DASHES and doc[k - 1].whitespace_ and doc[k].whitespace_
                and any(t.like_num for t in doc[start:k])):
            return k + 1
    return start


def _capitalised_runs(doc: Doc, skip: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of capitalised proper-noun tokens (not sentence-initial words alone)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(doc):
        tok = doc[i]
        if i in skip or not (tok.text[:1].isupper() and (tok.pos_ == "PROPN" or tok.is_title and not tok.is_sent_start)):
            i += 1
            continue
        j = i
        while j < len(doc) and j not in skip and doc[j].text[:1].isupper() and doc[j].pos_ in ("PROPN", "NOUN", "ADJ") and "\n" not in doc[j].text:
            j += 1
        if j > i:
            runs.append((i, j))
        i = max(j, i + 1)
    return runs

def _token_at(doc: Doc, char: int) -> int:
    """Index of the first token starting at or after character ``char``."""
    return next((t.i for t in doc if t.idx >= char), len(doc))

def _hyphen_joined(tok) -> bool:
    """The token is glued by a hyphen to the word before it: "star" in "F-star"."""
    doc = tok.doc
    return tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 2].whitespace_ and not doc[tok.i - 1].whitespace_

def _generic_name_after(doc: Doc, e: int) -> bool:
    """A bracket of one to three lower-case words after the name: a brand and its generic name,
    "Keytruda (pembrolizumab)", "Insugen (human insulin)"."""
    if e >= len(doc) or doc[e].text != "(":
        return False
    words = doc[e + 1:e + 5]
    close = next((t.i for t in words if t.text == ")"), None)
    return close is not None and close > e + 1 and all(t.is_lower and t.is_alpha for t in doc[e + 1:close])


def _closes_parenthesis(span: Span) -> bool:
    return span.end < len(span.doc) and span.doc[span.end].text.startswith(")")

def _non_overlapping(spans: list[Span]) -> list[Span]:
    taken: set[int] = set()
    out = []
    for s in sorted(spans, key=lambda s: (s.label_ != ORG, s.start)):
        if taken.isdisjoint(range(s.start, s.end)):
            out.append(s)
            taken.update(range(s.start, s.end))
    return sorted(out, key=lambda s: s.start)

#: a first line of at least this many words that ends in a full stop is the lede sentence of a
#: text without a headline, however many names it holds, not a Title Case headline
LEDE_WORDS = 12


def _is_title_case(line: str) -> bool:
    """Most of the line's longer words (after the first) are capitalised: "Japan's Takeda, Amgen Reach Deal"."""
    found = re.findall(r"[^\W\d_][\w'’.-]*", line)
    if len(found) >= LEDE_WORDS and line.rstrip().endswith("."):
        return False
    words = [w for w in found[1:] if len(w) >= 4]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
