"""Faster equivalents of the base model's two rule components, with the same output.

- :class:`AttributeTable` does what the model's ``attribute_ruler`` does. spaCy's Matcher tries
  every pattern at every token; most of the ruler's patterns are one token with a fixed TAG
  and/or LOWER ("the tag map"), which a dictionary answers. Only the other patterns (several
  tokens, DEP, regular expressions) go through a Matcher; the rules are then applied in the
  ruler's order (a later rule wins), as the ruler does.
- :class:`LemmaMemo` does what the model's rule ``lemmatizer`` does, remembering each
  (word, POS, morphology)'s lemma instead of computing it again for every token.

Both wrap the model's own component (and save and load as it does), so the patterns and
tables stay the model's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Union

import numpy
from spacy.attrs import LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc

_ARRAY_ATTRS = (TAG, POS, MORPH, LEMMA)   # what the tag-map rules set, written back in one array
_KEYS = {"TAG": TAG, "LOWER": LOWER}


def _values(value) -> list[str]:
    """A pattern value that is a plain string or ``{"IN": [...]}``; [] for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return list(value["IN"])
    return []


class AttributeTable:
    """The model's attribute ruler, with its one-token TAG/LOWER rules looked up in a table."""

    def __init__(self, ruler: AttributeRuler):
        self.adopt(ruler)

    def adopt(self, ruler: AttributeRuler) -> None:
        """Take over the rules of ``ruler`` (the model's own attribute ruler)."""
        self.ruler = ruler
        self.rebuild()

    def rebuild(self) -> None:
        ruler = self.ruler
        strings = ruler.vocab.strings
        self.table: dict[tuple[int, int], list[int]] = {}   # (LOWER or 0, TAG or 0) -> rule ids
        self.matcher = Matcher(ruler.vocab, validate=False)
        self.writes_array = []
        for rule in range(len(ruler.attrs)):
            alternatives = ruler.matcher.get(str(rule))[1]
            keys = [self._table_keys(alt, strings) for alt in alternatives] if ruler.indices[rule] in (0, -1) else [None]
            if any(k is None for k in keys):
                self.matcher.add(str(rule), alternatives)
            else:
                for key in (k for found in keys for k in found):
                    self.table.setdefault(key, []).append(rule)
            self.writes_array.append(set(ruler.attrs[rule]) <= set(_ARRAY_ATTRS))

    @staticmethod
    def _table_keys(pattern: list[dict], strings) -> "list[tuple[int, int]] | None":
        """The (LOWER, TAG) keys a one-token pattern of plain TAG/LOWER values matches; None otherwise."""
        if len(pattern) != 1 or not pattern[0] or set(pattern[0]) - set(_KEYS):
            return None
        spec = pattern[0]
        lowers = _values(spec["LOWER"]) if "LOWER" in spec else [None]
        tags = _values(spec["TAG"]) if "TAG" in spec else [None]
        if not lowers or not tags:
            return None
        return [(strings.add(lo) if lo is not None else 0, strings.add(tag) if tag is not None else 0)
                for lo in lowers for tag in tags]

    def __call__(self, doc: Doc) -> Doc:
        ruler = self.ruler
        rows = doc.to_array([LOWER, TAG]).tolist()
        found: dict[int, list[int]] = {}
        for i, (lower, tag) in enumerate(rows):
            rules = self.table.get((0, tag), []) + self.table.get((lower, 0), []) + self.table.get((lower, tag), [])
            if rules:
                found[i] = rules
        for match_id, start, end in self.matcher(doc, allow_missing=True):
            rule = int(doc.vocab.strings[match_id])
            i = doc[start:end][ruler.indices[rule]].i
            found.setdefault(i, []).append(rule)
        values = doc.to_array(list(_ARRAY_ATTRS))
        others: list[tuple[int, dict]] = []
        for i, rules in found.items():
            for rule in sorted(rules):   # a later rule wins, as in the ruler
                attrs = ruler.attrs[rule]
                if self.writes_array[rule]:
                    for col, attr in enumerate(_ARRAY_ATTRS):
                        if attr in attrs:
                            values[i, col] = attrs[attr]
                else:
                    others.append((i, attrs))
        doc.from_array(list(_ARRAY_ATTRS), values)
        for i, attrs in others:   # rules that set more than the array holds, in the ruler's order
            _set_token_attrs(doc[i], attrs)
        return doc

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        self.ruler.to_disk(path, exclude=exclude)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "AttributeTable":
        self.ruler.from_disk(path, exclude=exclude)
        self.rebuild()
        return self


def _set_token_attrs(token, attrs: dict) -> None:
    from spacy.tokens._retokenize import set_token_attrs
    set_token_attrs(token, attrs)


class LemmaMemo:
    """The model's rule lemmatizer, its result remembered per (ORTH, POS, MORPH)."""

    def __init__(self, lemmatizer: Lemmatizer):
        self.adopt(lemmatizer)

    def adopt(self, lemmatizer: Lemmatizer) -> None:
        """Take over the tables and settings of ``lemmatizer`` (the model's own)."""
        self.lemmatizer = lemmatizer
        self.memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        lemmatizer, memo = self.lemmatizer, self.memo
        overwrite = lemmatizer.overwrite
        array = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = array[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(array.tolist()):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                value = doc.vocab.strings.add(lemmatizer.lemmatize(doc[i])[0])
                memo[key] = value
            lemmas[i] = value
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=array.dtype).reshape(-1, 1))
        return doc

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        self.lemmatizer.to_disk(path, exclude=exclude)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "LemmaMemo":
        self.lemmatizer.from_disk(path, exclude=exclude)
        self.adopt(self.lemmatizer)
        return self
