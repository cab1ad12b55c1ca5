"""Deals: who partnered with whom, from dependency patterns, list items and references.

The ``deal_extract_deals`` component, one module per step:

- :mod:`.units`: text units (a sentence, or a sentence piece on one line) and their lines;
- :mod:`.facts`: what the rules know about a Doc (organisations by token, cues, places);
- :mod:`.matching`: the relation patterns as DependencyMatchers, run per sentence;
- :mod:`.rules`: the rules that find deal mentions, strongest first;
- :mod:`.rounds`: a financing round told over its lead sentence and the sentences after it;
- :mod:`.sellers`: the named seller of an acquisition joins its partners;
- :mod:`.references`: what "it", "the company", "the two firms" and "we" stand for;
- :mod:`.merge`: mentions of one partner set as one deal, and the units that continue it;
- :mod:`.attributes`: themes, deal types, territories and amounts;
- :mod:`.record`: the plain record in ``doc._.deals`` and the deal id;
- :mod:`.words`: the words and numbers the rules read from ``patterns/``.
"""

from __future__ import annotations

from spacy.tokens import Doc
from spacy.vocab import Vocab

from deal_extract.nlp import extensions  # noqa: F401  (registers doc._.source, doc._.deals, ...)
from deal_extract.rulefiles.loader import Patterns
from deal_extract.deals.facts import doc_facts
from deal_extract.deals.matching import RelationMatcher
from deal_extract.deals.mentions import by_unit, drop_subsumed, without_exchanges
from deal_extract.deals.merge import merge
from deal_extract.deals.record import deal_id, deal_record
from deal_extract.deals.rounds import round_mentions
from deal_extract.deals.sellers import with_sellers
from deal_extract.deals.rules import (cooccurrence_mentions, dash_mentions, deal_list_mentions, heading_mentions,
                    implied_licence_mentions, list_mentions, pattern_mentions)
from deal_extract.deals.words import DealWords

__all__ = ["DealFinder", "deal_id"]


class DealFinder:
    """Sets ``doc._.deals`` from ``doc._.organisations``, ``doc._.places``, the cue spans and the parse."""

    def __init__(self, vocab: Vocab, patterns: Patterns):
        self.words = DealWords.from_patterns(patterns)
        self.relations = RelationMatcher(vocab, patterns.relations.relations)

    def __call__(self, doc: Doc) -> Doc:
        facts = doc_facts(doc)
        words = self.words
        matches = self.relations.matches(facts, words)
        mentions = pattern_mentions(facts, words, self.relations, matches, references=False) + dash_mentions(facts, words)
        mentions += pattern_mentions(facts, words, self.relations, matches, references=True, earlier=mentions)
        mentions += list_mentions(facts, words, mentions)
        mentions += heading_mentions(facts, words, mentions)
        mentions += implied_licence_mentions(facts, words, mentions)
        mentions += deal_list_mentions(facts, words, mentions)
        mentions += round_mentions(facts, words, mentions)
        mentions += cooccurrence_mentions(facts, words, mentions)
        mentions = drop_subsumed(without_exchanges(facts, with_sellers(facts, words, mentions)))
        unit_mentions = by_unit(mentions)
        single_deal = len({m.partners for m in mentions}) == 1
        source = doc._.source or ""
        doc._.deals = [deal_record(facts, words, draft, unit_mentions, single_deal, source)
                       for draft in merge(facts, words, mentions)]
        return doc
