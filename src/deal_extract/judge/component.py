"""What the ``deal_extract_judge`` component does to one Doc (the factory is in
:mod:`deal_extract.nlp.components`): candidates, their features, and with a model the judged
deals in ``doc._.deals``.

``collect``: also keep every candidate, its features and its record in ``doc._.deal_candidates``
(plain data; what training and the leave-one-batch-out measurement read).
"""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from spacy.tokens import Doc

from deal_extract.deals.facts import doc_facts
from deal_extract.judge.candidates import find_candidates
from deal_extract.judge.features import feature_rows
from deal_extract.judge.view import DocView, TokenTable
from deal_extract.judge.model import JudgeModel
from deal_extract.judge.select import candidate_record, kept, with_confidence
from deal_extract.judge.words import JudgeWords
from deal_extract.nlp import extensions  # noqa: F401  (registers doc._.deal_candidates)
from deal_extract.rulefiles.loader import Patterns


class JudgeRules:
    def __init__(self, patterns: Patterns, model: Optional[JudgeModel], collect: bool):
        self.words = JudgeWords.from_patterns(patterns)
        self.model = model
        self.collect = collect

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        """Judge a batch of Docs with one call to the model."""
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._judge(batch)
                batch = []
        if batch:
            yield from self._judge(batch)

    def _judge(self, docs: list[Doc]) -> list[Doc]:
        prepared = []
        rows: list[list[float]] = []
        for doc in docs:
            facts = doc_facts(doc)
            tokens = TokenTable.of(doc)
            is_trigger = tokens.flags(self.words.triggers)
            candidates = find_candidates(facts, self.words, doc._.deals or [], is_trigger)
            view = DocView(facts, self.words, [(c.partners, c.record) for c in candidates if c.record is not None],
                           tokens, is_trigger)
            doc_rows = feature_rows(view, candidates)
            prepared.append((doc, view, candidates, len(rows), len(doc_rows)))
            rows += doc_rows
            if self.collect:
                source = doc._.source or ""
                doc._.deal_candidates = [
                    {"partners": sorted(facts.orgs[i]["name"] for i in c.partners), "features": row,
                     "record": candidate_record(view, c, source, single_deal=False)}
                    for c, row in zip(candidates, doc_rows)]
        if self.model is None:
            return docs
        probabilities = self.model.probabilities(rows)
        for doc, view, candidates, start, n in prepared:
            probs = probabilities[start:start + n]
            chosen = kept([c.partners for c in candidates], probs, self.model.threshold)
            source = doc._.source or ""
            doc._.deals = [with_confidence(candidate_record(view, candidates[i], source, single_deal=len(chosen) == 1),
                                           probs[i]) for i in chosen]
        return docs
