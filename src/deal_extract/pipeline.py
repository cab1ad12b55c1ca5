"""Assemble the deal-extract pipeline on top of a base English model."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from spacy.language import Language

from .components import patterns_key  # importing components registers the factories


def add_components(nlp: Language, patterns_dir: Optional[Path] = None) -> Language:
    """Add the deal-extract components to ``nlp`` (which must have a parser and NER)."""
    config = {"patterns_dir": patterns_key(patterns_dir)}
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("deal_extract_line_breaks", before="parser")
    ner_anchor = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    nlp.add_pipe("deal_extract_org_ruler", config=config, **ner_anchor)
    nlp.add_pipe("deal_extract_organisations", config=config)
    nlp.add_pipe("deal_extract_cues", config=config)
    nlp.add_pipe("deal_extract_deals", config=config)
    return nlp
