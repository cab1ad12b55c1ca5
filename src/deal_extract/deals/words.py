"""The words and numbers the deal rules read, from ``relations.yml`` and ``themes.yml``."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from deal_extract.rulefiles.loader import Patterns
from deal_extract.rulefiles.schemas import Description, DetailWords, Rounds, Scores


@dataclass(frozen=True)
class RoundWords:
    """``rounds:`` of ``relations.yml``, as sets (deals/rounds.py)."""

    raise_verbs: frozenset[str]
    round_nouns: frozenset[str]
    participation: frozenset[str]
    earlier: frozenset[str]
    reach: int

    @classmethod
    def from_file(cls, r: Rounds) -> "RoundWords":
        return cls(frozenset(r.raise_verbs), frozenset(r.round_nouns), frozenset(r.participation),
                   frozenset(r.earlier), r.reach)


@dataclass(frozen=True)
class DealWords:
    deal_nouns: frozenset[str]
    blockers: frozenset[str]
    own_approvers: frozenset[str]
    references: frozenset[str]
    plural_references: frozenset[str]
    follow_up_nouns: frozenset[str]
    type_of_follow_up: dict[str, str]     # "licence" -> "licensing"
    round_words: frozenset[str]
    rounds: RoundWords
    sell_verbs: frozenset[str]
    details: DetailWords
    founding_verbs: frozenset[str]
    role_of_noun: dict[str, str]
    descriptions: dict[str, Description]   # head noun (or "compound noun") -> its description
    rights_words: frozenset[str]
    stake_words: frozenset[str]
    purchase_words: frozenset[str]
    asset_words: frozenset[str]
    control_words: frozenset[str]
    deal_list_openers: frozenset[str]
    joint_verbs: frozenset[str]
    separate_deal_words: frozenset[str]
    fallback_verbs: frozenset[str]
    reporting_verbs: frozenset[str]
    attribution_words: frozenset[str]
    territory_words: frozenset[str]
    territory_list_words: frozenset[str]
    not_territory_before: frozenset[str]
    excluding_words: frozenset[str]
    retaining_verbs: frozenset[str]
    example_cues: frozenset[tuple[str, ...]]
    list_connectors: frozenset[str]
    party_connectors: frozenset[str]
    it_pronouns: frozenset[str]
    speaker_pronouns: frozenset[str]
    possessive_pronouns: frozenset[str]
    relative_pronouns: frozenset[str]
    plural_pronouns: frozenset[str]
    definite: frozenset[str]
    follow_up_determiners: frozenset[str]
    plural_determiners: frozenset[str]
    subject_determiners: frozenset[str]
    modalities: frozenset[str]
    scores: Scores

    def blocks(self, tok: Token) -> bool:
        """``tok`` is a word that blocks a deal ("talks", "terminated", modal "may"); never a
        word of a date ("7 May", "the end of March"), nor an approval by the company's own
        organs ("the board approved", "shareholder approval")."""
        return ((tok.lemma_.lower() in self.blockers or tok.lower_ in self.blockers) and tok.ent_type_ != "DATE"
                and not any(c.dep_ in ("nsubj", "poss", "compound") and c.lemma_.lower() in self.own_approvers
                            for c in tok.children))

    @classmethod
    def from_patterns(cls, patterns: Patterns) -> "DealWords":
        r = patterns.relations
        return cls(
            deal_nouns=frozenset(n.lower() for n in r.deal_nouns),
            blockers=frozenset(r.blockers),
            own_approvers=frozenset(r.own_approvers),
            references=frozenset(r.references) | frozenset(n for d in r.descriptions for n in d.nouns if " " not in n),
            plural_references=frozenset(r.plural_references),
            follow_up_nouns=frozenset(r.follow_up_nouns),
            type_of_follow_up={noun: kind for kind, nouns in r.follow_up_types.items() for noun in nouns},
            round_words=frozenset(r.round_words),
            rounds=RoundWords.from_file(r.rounds),
            sell_verbs=frozenset(r.sell_verbs),
            details=r.details,
            founding_verbs=frozenset(r.founding_verbs),
            role_of_noun={noun.lower(): role for role, nouns in r.role_nouns.items() for noun in nouns},
            descriptions={noun.lower(): d for d in r.descriptions for noun in d.nouns},
            rights_words=frozenset(r.rights_words),
            stake_words=frozenset(r.stake_words),
            purchase_words=frozenset(r.purchase_words),
            asset_words=frozenset(r.asset_words),
            control_words=frozenset(r.control_words),
            deal_list_openers=frozenset(r.deal_list_openers),
            joint_verbs=frozenset(r.joint_verbs),
            separate_deal_words=frozenset(r.separate_deal_words),
            fallback_verbs=frozenset(r.fallback_verbs),
            reporting_verbs=frozenset(r.reporting_verbs),
            attribution_words=frozenset(r.attribution_words),
            territory_words=frozenset(r.territory_words),
            territory_list_words=frozenset(r.territory_list_words),
            not_territory_before=frozenset(r.not_territory_before),
            excluding_words=frozenset(r.excluding_words),
            retaining_verbs=frozenset(r.retaining_verbs),
            example_cues=frozenset(tuple(cue.lower().split()) for cue in r.example_cues),
            list_connectors=frozenset(r.list_connectors),
            party_connectors=frozenset(r.party_connectors),
            it_pronouns=frozenset(r.pronouns.it),
            speaker_pronouns=frozenset(r.pronouns.speaker),
            possessive_pronouns=frozenset(r.pronouns.possessive),
            relative_pronouns=frozenset(r.pronouns.relative),
            plural_pronouns=frozenset(r.pronouns.plural),
            definite=frozenset(r.determiners.definite),
            follow_up_determiners=frozenset(r.determiners.follow_up),
            plural_determiners=frozenset(r.determiners.plural),
            subject_determiners=frozenset(r.determiners.subject),
            modalities=frozenset(c.id for c in patterns.themes if c.modality),
            scores=r.scores,
        )
