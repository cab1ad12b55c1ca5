"""Assemble the deal-extract pipeline on top of a base English model."""

from __future__ import annotations

from typing import Optional

from spacy.language import Language

from deal_extract.nlp.components import RulesComponent  # importing components registers the factories
from deal_extract.judge.model import JudgeModel
from deal_extract.rulefiles.loader import Patterns

#: The base model's rule components and their faster equivalents (same output, :mod:`.fastrules`).
FAST_RULES = {"attribute_ruler": "deal_extract_attribute_table", "lemmatizer": "deal_extract_lemma_memo"}


def add_components(nlp: Language, patterns: Patterns, fast: bool = True, judge: Optional[JudgeModel] = None,
                   collect: bool = False) -> Language:
    """Add the deal-extract components to ``nlp`` (which must have a parser and NER) and give
    each the validated ``patterns``. ``fast``: the base model's rule components run as
    their faster equivalents and the token vectors are dropped at the end; False keeps the
    model as published. ``judge``: a trained judge decides the deals (``deal_extract_judge``
    after the rules); ``collect``: the judge component only collects candidates (training)."""
    if fast:
        use_fast_rules(nlp)
    components = [nlp.add_pipe("deal_extract_compounds", first=True)]
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("deal_extract_line_breaks", before="parser")
    ner_anchor = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    components += [nlp.add_pipe("deal_extract_org_ruler", **ner_anchor),
                  nlp.add_pipe("deal_extract_organisations"),
                  nlp.add_pipe("deal_extract_cues"),
                  nlp.add_pipe("deal_extract_deals")]
    for component in components:
        if isinstance(component, RulesComponent):
            component.initialize(nlp=nlp, patterns=patterns)
    if judge is not None or collect:
        component = nlp.add_pipe("deal_extract_judge", config={"collect": collect})
        if judge is None:
            component.initialize_collecting(patterns=patterns)
        else:
            component.initialize(nlp=nlp, patterns=patterns, model=judge)
    if fast:
        nlp.add_pipe("deal_extract_drop_tensor")
    return nlp


def use_fast_rules(nlp: Language) -> None:
    """Replace the model's attribute ruler and rule lemmatizer by :data:`FAST_RULES`, which take
    over their patterns and tables (the pipe names stay)."""
    for name, factory in FAST_RULES.items():
        if name in nlp.component_names and nlp.get_pipe_meta(name).factory == name:
            old = nlp.get_pipe(name)
            config = {"mode": old.mode, "overwrite": old.overwrite} if name == "lemmatizer" else {}
            nlp.replace_pipe(name, factory, config=config).adopt(old)
