"""The words the judge's candidates and features read, all from the rule files of ``patterns/``.

Nothing here names an organisation: the curated list enters only as the *segment* of each
entry (the file that lists it: investors, banks and advisers, media, government, exchanges),
which says what kind of actor a name is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from deal_extract.deals.words import DealWords
from deal_extract.organisations.groups import org_key
from deal_extract.rulefiles.loader import Patterns

#: segment file of the curated list -> the actor flag it sets (files not named here set none)
SEGMENT_FLAGS = {
    "investors": "investor",
    "banks_advisers": "adviser",
    "media": "media",
    "government": "regulator",
    "international_bodies": "regulator",
    "exchanges": "exchange",
    "academic_hospitals": "institution",
    "cdmo_cro": "provider",
}
ACTOR_FLAGS = ("investor", "adviser", "media", "regulator", "exchange", "institution", "provider")

#: words around a name that make it a backer rather than a partner ("investor X", "X, a venture fund,")
INVESTOR_WORDS = frozenset({"investor", "investors", "backer", "backers", "fund", "funds", "shareholder",
                            "shareholders", "bank", "brokerage", "lender"})
#: words that tie two names into one corporate group ("X, a unit of Y", "its subsidiary X", "spun out of")
GROUP_WORDS = frozenset({"subsidiary", "subsidiaries", "affiliate", "unit", "arm", "parent", "division", "spin-off",
                         "spinout", "spin-out", "part", "member", "owner", "vehicle", "branch"})
#: modal verbs and words of intent (the deal is not made yet); the negations are the parser's "neg"
MODAL_WORDS = frozenset({"may", "might", "could", "would", "should", "plan", "intend", "aim", "expect", "seek",
                         "hope", "consider", "explore", "potential", "possible", "proposed", "planned"})


@dataclass(frozen=True)
class JudgeWords:
    deal: DealWords
    triggers: frozenset[str]            # lemmas of the relation patterns' trigger and deal nodes, deal nouns, fallback verbs
    segment_of: dict[str, str]          # org_key of a curated name or alias -> its actor flag
    curated: frozenset[str]             # org_key of every curated name and alias
    investor_name_words: frozenset[str]  # name words of funds and investors ("Capital", "Ventures"), case-folded
    regulator_name_words: frozenset[str]
    adviser_roles: frozenset[str]
    investor_words: frozenset[str]      # descriptors of investors near a name ("fund", "investor", "backer")
    group_words: frozenset[str]         # words of one corporate group ("subsidiary", "unit", "parent")

    @classmethod
    def from_patterns(cls, patterns: Patterns) -> "JudgeWords":
        deal = DealWords.from_patterns(patterns)
        relations = patterns.relations
        triggers = set(deal.deal_nouns) | set(deal.fallback_verbs)
        for entry in relations.relations:
            for node in entry.pattern:
                if node.get("RIGHT_ID") in ("trigger", "deal"):
                    triggers.update(_words(node.get("RIGHT_ATTRS", {})))
        segment_of: dict[str, str] = {}
        entries = patterns.organisations
        curated = frozenset(org_key(form) for entry in entries for form in (entry.name, *entry.aliases))
        for entry in entries:
            flag = SEGMENT_FLAGS.get(patterns.organisation_segments.get(entry.name, ""))
            if entry.role == "exchange":
                flag = "exchange"
            if flag is None:
                continue
            for form in (entry.name, *entry.aliases):
                segment_of.setdefault(org_key(form), flag)
        kinds = patterns.not_organisations.kind_words
        not_orgs = patterns.not_organisations
        return cls(
            deal=deal,
            triggers=frozenset(w for w in triggers if " " not in w),
            segment_of=segment_of,
            curated=curated,
            investor_name_words=frozenset(w.casefold() for w in kinds.get("other", [])),
            regulator_name_words=frozenset(w.casefold() for w in kinds.get("government", [])),
            adviser_roles=frozenset(w.casefold() for w in not_orgs.adviser_roles),
            investor_words=INVESTOR_WORDS,
            group_words=GROUP_WORDS,
        )

    def actor(self, name: str) -> Optional[str]:
        return self.segment_of.get(org_key(name))

    def is_curated(self, name: str) -> bool:
        return org_key(name) in self.curated


def _words(attrs: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for key in ("LEMMA", "LOWER", "ORTH"):
        value = attrs.get(key)
        if isinstance(value, str):
            out.add(value.lower())
        elif isinstance(value, dict):
            out.update(str(v).lower() for v in value.get("IN", []))
    return out
