"""The lemmas the relation patterns read.

The model lemmatises a proper noun as itself, so a press release's Title Case deal words
("a License Agreement", "signed a Memorandum of Understanding", "X Signs Deal With Y") keep
their capitals, and plural or third-person forms ("Agreements", "Acquires") stay unreduced;
the patterns' LEMMA tests, written in lower case, then never match them. A proper noun whose
lower-case form (or that form less a final "s") is one of the patterns' words is read as that
word; every other token keeps the model's lemma.
"""

from __future__ import annotations

from typing import AbstractSet

from spacy.tokens import Token


def pattern_lemma(token: Token, known: AbstractSet[str]) -> str:
    """``token``'s lemma as the relation patterns should see it (``known``: their words)."""
    lemma = token.lemma_
    if token.pos_ != "PROPN":
        return lemma
    lower = token.lower_
    if lower in known:
        return lower
    if lower.endswith("s") and lower[:-1] in known:
        return lower[:-1]
    return lemma
