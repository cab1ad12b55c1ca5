"""Assemble the deal-extract pipeline on top of a base English model."""

from __future__ import annotations

from spacy.language import Language

from .components import RulesComponent  # importing components registers the factories
from .patterns import Patterns


def add_components(nlp: Language, patterns: Patterns) -> Language:
    """Add the deal-extract components to ``nlp`` (which must have a parser and NER) and give
    each the validated ``patterns``."""
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("deal_extract_line_breaks", before="parser")
    ner_anchor = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    components = [nlp.add_pipe("deal_extract_org_ruler", **ner_anchor),
                  nlp.add_pipe("deal_extract_organisations"),
                  nlp.add_pipe("deal_extract_cues"),
                  nlp.add_pipe("deal_extract_deals")]
    for component in components:
        if isinstance(component, RulesComponent):
            component.initialize(nlp=nlp, patterns=patterns)
    return nlp
