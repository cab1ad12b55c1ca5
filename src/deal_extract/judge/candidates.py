"""Deal candidates: every partner set the judge decides on.

- the rules' deals, every one (their record, with the rule that read it and its confidence);
  among them the rules' multi-party sets (a financing round, a consortium);
- every pair of organisations named in one text unit (a sentence, or a sentence piece on one
  line), or in two adjacent units, where a deal cue occurs: a deal-type cue span of
  ``doc.spans["deal_cues"]``, or a word of the relation patterns' triggers, a deal noun or a
  fallback verb (:attr:`JudgeWords.triggers`).

A candidate is one partner set per Doc: a pair found in several places, or a pair the rules
read too, is one candidate with all its windows. Stock exchanges are never partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Optional, Sequence

from deal_extract.deals.cues import TYPE_PREFIX
from deal_extract.deals.facts import DocFacts
from deal_extract.judge.words import JudgeWords

Window = tuple[int, int]   # first and last unit (equal for one unit, consecutive for two)


@dataclass
class Candidate:
    partners: frozenset[int]                      # indices into doc._.organisations
    record: Optional[dict] = None                 # the rules' deal of this partner set, if any
    windows: list[Window] = field(default_factory=list)

    @property
    def is_set(self) -> bool:
        return len(self.partners) > 2


def cue_units(facts: DocFacts, words: JudgeWords, is_trigger: Sequence[bool]) -> set[int]:
    """Units that hold a deal cue: a deal-type cue span, or a token that ``is_trigger`` (a
    trigger word, a deal noun, a fallback verb)."""
    found = {facts.unit_of[s.start] for s in facts.cue_spans
             if s.label_.startswith(TYPE_PREFIX) and s.start in facts.unit_of}
    found.update(facts.unit_of[i] for i, trigger in enumerate(is_trigger) if trigger and i in facts.unit_of)
    return found


def unit_organisations(facts: DocFacts) -> list[list[int]]:
    """Per unit, the organisations it names (no stock exchange), in order, once each."""
    exchanges = {i for i, org in enumerate(facts.orgs) if org.get("exchange")}
    out: list[list[int]] = [[] for _ in facts.units]
    for t, o in sorted(facts.token_org.items()):
        u = facts.unit_of.get(t)
        if u is not None and o not in exchanges and o not in out[u]:
            out[u].append(o)
    return out


def find_candidates(facts: DocFacts, words: JudgeWords, rule_deals: list[dict], is_trigger: Sequence[bool]
                    ) -> list[Candidate]:
    """The candidates of one Doc: the rules' deals first (in their order), then the new pairs in
    the order of their first window. ``is_trigger``: per token, whether it is a deal cue word."""
    index = {org["name"]: i for i, org in enumerate(facts.orgs)}
    by_set: dict[frozenset[int], Candidate] = {}
    for record in rule_deals:
        if not all(p["name"] in index for p in record["partners"]):
            continue
        partners = frozenset(index[p["name"]] for p in record["partners"])
        if len(partners) >= 2 and partners not in by_set:
            by_set[partners] = Candidate(partners, record=record)
    orgs_of = unit_organisations(facts)
    cued = cue_units(facts, words, is_trigger)
    for u in range(len(facts.units)):
        windows = [(u, u)] + ([(u, u + 1)] if u + 1 < len(facts.units) else [])
        for window in windows:
            if not any(k in cued for k in range(window[0], window[1] + 1)):
                continue
            members = list(dict.fromkeys(o for k in range(window[0], window[1] + 1) for o in orgs_of[k]))
            for a, b in combinations(members, 2):
                if window[0] != window[1] and any(k in cued and a in orgs_of[k] and b in orgs_of[k] for k in window):
                    continue  # a pair inside one cued unit of the two has that unit as its window
                pair = frozenset((a, b))
                candidate = by_set.setdefault(pair, Candidate(pair))
                if window not in candidate.windows:
                    candidate.windows.append(window)
    return list(by_set.values())

