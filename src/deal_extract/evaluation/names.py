"""How the scorer matches organisation names (SPEC section 4): case-folded, punctuation and a
leading "the" dropped, the legal suffixes of SPEC section 4 (and a few more) dropped."""

from __future__ import annotations

import re
import unicodedata
from typing import Optional, Sequence

from deal_extract.records import GoldOrganisation

#: the scorer's own suffix list: SPEC section 4's, plus pte, llc and gmbh
LEGAL_SUFFIXES = frozenset({"co", "ltd", "inc", "corp", "limited", "plc", "sa", "ag", "pte", "llc", "gmbh"})


def _name_tokens(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).casefold()
    # apostrophes join ("Reddy's" -> "reddys"); every other punctuation or symbol separates
    text = re.sub(r"['\u2019`]", "", text)
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    tokens = text.split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def normalise_name(name: str) -> str:
    """Matching key of an organisation name.

    >>> normalise_name("The Samsung Biologics Co., Ltd.")
    'samsung biologics'
    >>> normalise_name("A*STAR") == normalise_name("A STAR")
    True
    """
    return " ".join(_name_tokens(name))


def _key(name: str) -> str:
    """Like :func:`normalise_name` but ignores spacing ("Duke-NUS" = "Duke NUS" = "DukeNUS")."""
    return "".join(_name_tokens(name))


class GoldIndex:
    """Maps names (exact, then normalised) to the index of a gold organisation."""

    def __init__(self, organisations: Sequence[GoldOrganisation]):
        self.organisations = list(organisations)
        self.exact: dict[str, int] = {}
        self.normalised: dict[str, int] = {}
        for i, org in enumerate(self.organisations):
            for name in (org.name, *org.aliases):
                self.exact.setdefault(name, i)
                self.normalised.setdefault(_key(name), i)

    def lookup(self, name: str) -> Optional[int]:
        found = self.exact.get(name)
        return found if found is not None else self.normalised.get(_key(name))

    def name(self, i: int) -> str:
        return self.organisations[i].name
