"""What the judge's features read of one Doc, computed once per Doc: the organisations' mention
heads, salience, actor flags and name shapes, the trigger words, the money and cue spans per unit,
and the rules' deals with the unit of their evidence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, IS_SPACE, LEMMA, LOWER, ORTH, SENT_START, TAG
from spacy.tokens import Doc, Token

from deal_extract.deals.facts import DocFacts
from deal_extract.deals.values import find_money
from deal_extract.judge.candidates import unit_organisations
from deal_extract.judge.words import JudgeWords
from deal_extract.organisations.groups import org_key

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


@dataclass(frozen=True)
class TokenTable:
    """The token attributes the judge reads, as plain lists (one spaCy Token object per token,
    once, instead of one per reading)."""

    lemma: list[str]      # lower-cased lemma
    lower: list[str]
    text: list[str]
    tag: list[str]
    dep: list[str]
    ent_type: list[str]
    ent_begins: list[bool]
    is_space: list[bool]
    sentence: list[int]   # the index of the token's sentence

    @classmethod
    def of(cls, doc: Doc) -> "TokenTable":
        if not len(doc):
            return cls([], [], [], [], [], [], [], [], [])
        columns = doc.to_array([LEMMA, LOWER, ORTH, TAG, DEP, ENT_TYPE, ENT_IOB, IS_SPACE, SENT_START]).T.tolist()
        strings = doc.vocab.strings
        seen: dict[int, str] = {}

        def text_of(values: list[int]) -> list[str]:
            out = []
            for v in values:
                s = seen.get(v)
                if s is None:
                    s = seen[v] = strings[v] if v else ""
                out.append(s)
            return out

        lemma, lower, text, tag, dep, ent_type = (text_of(c) for c in columns[:6])
        sentence, k = [], -1
        for i, start in enumerate(columns[8]):   # SENT_START 1: a sentence starts at the token
            k += start == 1 or i == 0
            sentence.append(k)
        return cls([w.lower() for w in lemma], lower, text, tag, dep, ent_type,
                   [v == 3 for v in columns[6]], [bool(v) for v in columns[7]], sentence)   # ENT_IOB 3 is "B"

    def has(self, i: int, words: frozenset[str]) -> bool:
        """The token's lemma or its lower-cased form is one of ``words``."""
        return self.lemma[i] in words or self.lower[i] in words

    def flags(self, words: frozenset[str]) -> list[bool]:
        """Per token, :meth:`has`."""
        return [lemma in words or lower in words for lemma, lower in zip(self.lemma, self.lower)]


@dataclass
class DocView:
    """What the features read of one Doc, computed once."""

    facts: DocFacts
    words: JudgeWords
    rule_records: list[tuple[frozenset[int], dict]]   # the rules' deals: partner set, record
    tokens: TokenTable
    is_trigger: list[bool]                            # per token: a deal cue word (JudgeWords.triggers)
    windows: dict = field(default_factory=dict)       # window -> its window-level features (a cache)
    _evidence: dict = field(default_factory=dict)     # id of a record -> the unit of its evidence (a cache)

    @property
    def rule_deals(self) -> list[frozenset[int]]:
        return [partners for partners, _ in self.rule_records]

    @cached_property
    def orgs_of(self) -> list[list[int]]:
        return unit_organisations(self.facts)

    @cached_property
    def heads(self) -> list[list[Token]]:
        """Per organisation, the root token of each of its mentions."""
        doc = self.facts.doc
        return [[doc[s:e].root for s, e in org["tokens"]] for org in self.facts.orgs]

    @cached_property
    def mention_counts(self) -> list[int]:
        return [len(org["tokens"]) for org in self.facts.orgs]

    @cached_property
    def ranks(self) -> list[int]:
        order = sorted(range(len(self.facts.orgs)), key=lambda i: -self.mention_counts[i])
        rank = [0] * len(order)
        for r, i in enumerate(order):
            rank[i] = r + 1
        return rank

    @cached_property
    def subject_counts(self) -> list[int]:
        return [sum(h.dep_ in SUBJECT_DEPS for h in heads) for heads in self.heads]

    @cached_property
    def title_counts(self) -> list[int]:
        title = self.facts.title_line
        units = self.facts.units
        return [sum(1 for s, _ in org["tokens"] if s in self.facts.unit_of and units[self.facts.unit_of[s]].line == title)
                for org in self.facts.orgs]

    @cached_property
    def first_unit(self) -> list[int]:
        unit_of = self.facts.unit_of
        return [min((unit_of[s] for s, _ in org["tokens"] if s in unit_of), default=0) for org in self.facts.orgs]

    @cached_property
    def actors(self) -> list[Optional[str]]:
        out = []
        words = self.words
        for org in self.facts.orgs:
            actor = "exchange" if org.get("exchange") else words.actor(org["name"])
            name_words = {w.casefold() for w in org["name"].split()}
            if actor is None and name_words & words.investor_name_words:
                actor = "investor"
            if actor is None and name_words & words.regulator_name_words:
                actor = "regulator"
            out.append(actor)
        return out

    @cached_property
    def curated(self) -> list[bool]:
        return [self.words.is_curated(org["name"]) for org in self.facts.orgs]

    @cached_property
    def name_shapes(self) -> list["NameShape"]:
        keys = [org_key(org["name"]).split() for org in self.facts.orgs]
        out = []
        for i, words in enumerate(keys):
            name = self.facts.orgs[i]["name"]
            inside = any(j != i and len(other) > len(words) and _contains(other, words) for j, other in enumerate(keys))
            related = sum(1 for j, other in enumerate(keys) if j != i and words and other and other[0] == words[0])
            out.append(NameShape(tuple(words), name.isupper() and len(name.replace(".", "")) <= 6, inside, related))
        return out

    @cached_property
    def rule_deal_counts(self) -> Counter:
        return Counter(o for deal in self.rule_deals for o in deal)

    def unit_money(self, unit: int) -> int:
        """How many money amounts the unit states (read once per unit, when asked)."""
        key = ("money", unit)
        if key not in self.windows:
            u = self.facts.units[unit]
            self.windows[key] = len(find_money(self.facts.doc[u.start:u.end].text))
        return self.windows[key]

    @cached_property
    def cue_tokens(self) -> list[list[tuple[str, int, int]]]:
        """Per unit, its cue spans as (label, first token, end token)."""
        out: list[list[tuple[str, int, int]]] = [[] for _ in self.facts.units]
        for span in self.facts.cue_spans:
            u = self.facts.unit_of.get(span.start)
            if u is not None:
                out[u].append((span.label_, span.start, span.end))
        return out

    @cached_property
    def cues_of(self) -> list[list[str]]:
        return [[label for label, _, _ in unit] for unit in self.cue_tokens]

    @cached_property
    def rule_units(self) -> list[tuple[frozenset[int], Optional[int]]]:
        """The rules' deals with the unit of their evidence."""
        return [(partners, evidence_unit(self, record)) for partners, record in self.rule_records]


@dataclass(frozen=True)
class NameShape:
    """The shape of an organisation's name, never the name: its words (normalised), whether it
    is an acronym, whether it lies inside another organisation's name of the text ("Global" in
    "Point Biopharma Global"), how many other organisations share its first word."""

    words: tuple[str, ...]
    acronym: bool
    inside_other: bool
    related: int


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[k:k + n] == shorter for k in range(len(longer) - n + 1))


def evidence_unit(view: DocView, record: dict) -> Optional[int]:
    """The unit of a record's evidence (its first token's)."""
    key = id(record)
    if key not in view._evidence:
        doc = view.facts.doc
        span = doc.char_span(record["evidence"]["start"], record["evidence"]["end"], alignment_mode="expand")
        view._evidence[key] = next((view.facts.unit_of[t.i] for t in span or () if t.i in view.facts.unit_of), None)
    return view._evidence[key]
