"""spaCy components of deal-extract, registered as factories (and via ``spacy_factories``).

Add them to your own English pipeline (one with a parser and NER)::

    nlp = spacy.load("en_core_web_sm")
    nlp.add_pipe("deal_extract_line_breaks", before="parser")
    nlp.add_pipe("deal_extract_org_ruler", before="ner")
    nlp.add_pipe("deal_extract_organisations")
    nlp.add_pipe("deal_extract_cues")
    nlp.add_pipe("deal_extract_deals")
    doc = nlp(text)
    doc._.organisations, doc._.deals      # plain JSON-able dicts

Each factory takes ``patterns_dir`` (default: the patterns shipped with the package).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

from spacy.language import Language
from spacy.pipeline import EntityRuler, SpanRuler
from spacy.tokens import Doc

from .cues import SPANS_KEY, span_ruler_patterns
from .deals import DealFinder
from .linebreaks import LineBreaks
from .orgs import OrganisationResolver, ruler_patterns
from .patterns import Patterns

for _name in ("organisations", "deals", "places"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def patterns_key(directory: Optional[str | Path] = None) -> str:
    """The ``patterns_dir`` config value for a folder: its resolved path, or "" for the packaged one."""
    return str(Path(directory).resolve()) if directory else ""


def load_patterns(directory: Optional[str | Path] = None) -> Patterns:
    """Validated patterns of ``directory`` (default: packaged), loaded once per process and folder."""
    return _patterns(patterns_key(directory))


@lru_cache(maxsize=8)
def _patterns(directory: str) -> Patterns:
    return Patterns(directory or None).validate_all()


@Language.factory("deal_extract_line_breaks", assigns=["token.is_sent_start"])
def make_line_breaks(nlp: Language, name: str) -> LineBreaks:
    """Sentence starts at headings, list items and paragraphs (place it before "parser")."""
    return LineBreaks()


@Language.factory(
    "deal_extract_org_ruler",
    default_config={"patterns_dir": ""},
    assigns=["doc.ents"],
)
def make_org_ruler(nlp: Language, name: str, patterns_dir: str) -> EntityRuler:
    """Curated organisations and organisation shapes, as an EntityRuler (place it before "ner")."""
    ruler = EntityRuler(nlp, name=name, phrase_matcher_attr="ORTH", validate=False, overwrite_ents=True)
    with nlp.select_pipes(enable=[p for p in ("tagger", "attribute_ruler", "lemmatizer") if p in nlp.pipe_names]):
        ruler.add_patterns(ruler_patterns(_patterns(patterns_dir)))
    return ruler


@Language.factory(
    "deal_extract_organisations",
    default_config={"patterns_dir": ""},
    requires=["doc.ents"],
    assigns=["doc.ents", "doc._.organisations", "doc._.places"],
)
def make_organisations(nlp: Language, name: str, patterns_dir: str) -> OrganisationResolver:
    """Clean and merge ORG entities; give each organisation a country and a kind."""
    return OrganisationResolver(nlp, _patterns(patterns_dir))


@Language.factory(
    "deal_extract_cues",
    default_config={"patterns_dir": ""},
    assigns=["doc.spans"],
)
def make_cues(nlp: Language, name: str, patterns_dir: str) -> SpanRuler:
    """Theme and deal-type cues as overlapping spans in ``doc.spans["deal_cues"]``."""
    ruler = SpanRuler(nlp, name=name, spans_key=SPANS_KEY, phrase_matcher_attr="LOWER", validate=False, overwrite=True)
    tokenize = lambda text: [t.text for t in nlp.make_doc(text)]  # noqa: E731
    ruler.add_patterns(span_ruler_patterns(_patterns(patterns_dir), tokenize))
    return ruler


@Language.factory(
    "deal_extract_deals",
    default_config={"patterns_dir": ""},
    requires=["doc.ents", "token.dep", "doc._.organisations"],
    assigns=["doc._.deals"],
)
def make_deals(nlp: Language, name: str, patterns_dir: str) -> DealFinder:
    """Deal records (partners, themes, types, territories, value, evidence) in ``doc._.deals``."""
    return DealFinder(nlp, _patterns(patterns_dir))


COMPONENTS = ("deal_extract_line_breaks", "deal_extract_org_ruler", "deal_extract_organisations", "deal_extract_cues", "deal_extract_deals")
