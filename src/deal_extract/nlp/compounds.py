"""Hyphenated words the tokenizer splits but the parser must see whole: "co-led", "co-invested".

spaCy's English tokenizer splits a word at an inner hyphen ("co", "-", "led"); the parser then
takes "co" for a noun, often the subject ("Forbion and General Atlantic co-led the round": no
subject of "led" is left), and the organisation layer takes it for the legal form "Co". The
words listed in ``relations.yml`` ``compound_words`` (lemma -> its forms) are joined back into
one token, with that lemma, before the tagger and parser run.
"""

from __future__ import annotations

from spacy.tokens import Doc

#: hyphens that join the halves of a compound word ("co-led"): where a listed compound is split,
#: and what a name never ends glued to (organisations/boundaries.py)
HYPHENS = frozenset({"-", "\u2010", "\u2011"})


class CompoundWords:
    """Joins the listed compounds of a Doc into one token each, with their lemma."""

    def __init__(self, compounds: dict[str, list[str]]):
        self.lemma_of = {form.lower(): lemma for lemma, forms in compounds.items() for form in [lemma, *forms]}
        self.firsts = frozenset(form.split("-", 1)[0] for form in self.lemma_of if "-" in form)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        k = 0
        while k + 2 < len(doc):
            first, hyphen, rest = doc[k], doc[k + 1], doc[k + 2]
            if (first.lower_ in self.firsts and hyphen.text in HYPHENS and not first.whitespace_
                    and not hyphen.whitespace_ and (k == 0 or doc[k - 1].whitespace_ or doc[k - 1].text not in HYPHENS)):
                lemma = self.lemma_of.get(f"{first.lower_}-{rest.lower_}")
                if lemma is not None and (k + 3 == len(doc) or doc[k + 2].whitespace_ or doc[k + 3].text not in HYPHENS):
                    spans.append((doc[k:k + 3], lemma))
                    k += 3
                    continue
            k += 1
        if spans:
            with doc.retokenize() as retokenizer:
                for span, lemma in spans:
                    retokenizer.merge(span, attrs={"LEMMA": lemma})
        return doc
