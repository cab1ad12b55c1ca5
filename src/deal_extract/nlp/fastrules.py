"""Faster equivalents of the base model's two rule components, with the same output.

- :class:`AttributeTable` does what the model's ``attribute_ruler`` does. spaCy's Matcher tries
  every pattern at every token in Python-level steps; most of the ruler's patterns are one token
  with a fixed TAG, LOWER, DEP or IS_SPACE ("the tag map"), which numpy tests on the Doc's
  columns at once. Only the other patterns (several tokens, regular expressions) go through a
  Matcher; the rules are then applied in the ruler's order (a later rule wins), as the ruler does.
- :class:`LemmaMemo` does what the model's rule ``lemmatizer`` does, remembering each
  (word, POS, morphology)'s lemma instead of computing it again for every token.

Both wrap the model's own component (and save and load as it does), so the patterns and
tables stay the model's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Union

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs   # what the attribute ruler uses

_ARRAY_ATTRS = (TAG, POS, MORPH, LEMMA)   # what the tag-map rules set, written back in one array
_COLUMNS = {"TAG": TAG, "LOWER": LOWER, "ORTH": ORTH, "DEP": DEP, "IS_SPACE": IS_SPACE}


Test = tuple  # (attr, "IN" | "NOT_IN", ids) or (attr, "REGEX", a Matcher of that one-token pattern)
_STRING_COLUMNS = {"LOWER", "ORTH"}   # a REGEX on these is tested on the Doc's distinct strings


def _token_tests(spec: dict, vocab) -> "list[Test] | None":
    """One token's pattern as tests on the Doc's columns; None when it uses anything else
    (an operator, another attribute, another predicate)."""
    if not spec:
        return None
    tests: list[Test] = []
    for key, value in spec.items():
        if key not in _COLUMNS:
            return None
        if isinstance(value, dict) and len(value) == 1 and set(value) <= {"IN", "NOT_IN"}:
            how, listed = next(iter(value.items()))
        elif isinstance(value, dict) and set(value) == {"REGEX"} and key in _STRING_COLUMNS:
            probe = Matcher(vocab, validate=False)   # the Matcher's own REGEX, run on distinct strings
            probe.add("REGEX", [[{key: value}]])
            tests.append((_COLUMNS[key], "REGEX", probe))
            continue
        elif isinstance(value, (str, bool)):
            how, listed = "IN", [value]
        else:
            return None
        ids = [int(v) if isinstance(v, bool) else vocab.strings.add(v) for v in listed]
        tests.append((_COLUMNS[key], how, numpy.asarray(ids, dtype=numpy.uint64)))
    return tests


def _passes(columns: dict, tests: list[Test], vocab) -> numpy.ndarray:
    """Which tokens pass every test (a regular expression by a Matcher over the column's distinct
    strings, each a token of its own)."""
    hit = None
    for attr, how, wanted in tests:
        column = columns[attr]
        if how == "REGEX":
            values = numpy.unique(column)
            probe = Doc(vocab, words=[vocab.strings[v] for v in values.tolist()])
            wanted = values[[start for _, start, _ in wanted(probe)]] if len(values) else values
        found = column == wanted[0] if len(wanted) == 1 else numpy.isin(column, wanted)
        if how == "NOT_IN":
            found = ~found
        hit = found if hit is None else hit & found
    return hit


class _Wrapper:
    """Holds the model's own component (``self.wrapped``), saved and loaded as it is."""

    def __init__(self, wrapped):
        self.adopt(wrapped)

    def adopt(self, wrapped) -> None:
        """Take over the rules or tables of ``wrapped`` (the model's own component)."""
        self.wrapped = wrapped
        self.rebuild()

    def rebuild(self) -> None:
        raise NotImplementedError

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        self.wrapped.to_disk(path, exclude=exclude)

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "_Wrapper":
        self.wrapped.from_disk(path, exclude=exclude)
        self.rebuild()
        return self


class AttributeTable(_Wrapper):
    """The model's attribute ruler, its rules tested on whole columns of the Doc at once."""

    @property
    def ruler(self) -> AttributeRuler:
        return self.wrapped

    def rebuild(self) -> None:
        ruler = self.ruler
        self.matcher = Matcher(ruler.vocab, validate=False)   # rules of several tokens, from where they may start
        self.tests: dict[int, list[list[Test]]] = {}        # one-token rules: rule -> alternatives
        self.starts: list[list[Test]] = []                   # the first token of each Matcher pattern
        self.longest: Optional[int] = 1   # tokens a Matcher rule spans at most (None: no bound)
        for rule in range(len(ruler.attrs)):
            alternatives = ruler.matcher.get(str(rule))[1]
            single = [_token_tests(alt[0], ruler.vocab) if len(alt) == 1 else None for alt in alternatives]
            if ruler.indices[rule] in (0, -1) and all(t is not None for t in single):
                self.tests[rule] = single
                continue
            firsts = [_token_tests(alt[0], ruler.vocab) for alt in alternatives]
            if any(f is None for f in firsts):
                firsts = [[]]   # may start anywhere
            self.starts += firsts
            variable = any("OP" in spec for alt in alternatives for spec in alt)
            self.longest = None if variable or self.longest is None else max([self.longest] + [len(alt) for alt in alternatives])
            self.matcher.add(str(rule), alternatives)
        self.columns = sorted({t[0] for alts in self.tests.values() for tests in alts for t in tests}
                              | {t[0] for tests in self.starts for t in tests})

    def __call__(self, doc: Doc) -> Doc:
        ruler = self.ruler
        columns = dict(zip(self.columns, doc.to_array(self.columns).T)) if self.columns else {}
        where: dict[int, list[int]] = {}
        for rule, alternatives in self.tests.items():
            hits = numpy.zeros(len(doc), dtype=bool)
            for tests in alternatives:
                hits |= _passes(columns, tests, doc.vocab)
            if hits.any():
                where[rule] = numpy.flatnonzero(hits).tolist()
        for rule, i in self._longer_matches(doc, columns):
            where.setdefault(rule, []).append(i)
        values = doc.to_array(list(_ARRAY_ATTRS))
        others: list[tuple[int, dict]] = []
        for rule in sorted(where):   # a later rule wins, as in the ruler
            rows = numpy.asarray(where[rule], dtype=int)
            attrs = ruler.attrs[rule]
            for col, attr in enumerate(_ARRAY_ATTRS):
                if attr in attrs:
                    values[rows, col] = attrs[attr]
            rest = {k: v for k, v in attrs.items() if k not in _ARRAY_ATTRS}
            if rest:
                others += [(int(i), rest) for i in rows]
        doc.from_array(list(_ARRAY_ATTRS), values)
        for i, attrs in others:   # what the array does not hold (DEP), in the ruler's order
            set_token_attrs(doc[i], attrs)   # as the ruler sets them
        return doc

    def _longer_matches(self, doc: Doc, columns: dict) -> list[tuple[int, int]]:
        """(rule, token the rule sets) of the Matcher's rules, run only from where one may start."""
        if not len(self.matcher) or not len(doc):
            return []
        starts = numpy.zeros(len(doc), dtype=bool)
        for tests in self.starts:
            starts |= _passes(columns, tests, doc.vocab) if tests else True
        found: set[tuple[int, int]] = set()
        for start in numpy.flatnonzero(starts).tolist():
            end = len(doc) if self.longest is None else start + self.longest
            for span in self.matcher(doc[start:end], as_spans=True, allow_missing=True):
                rule = int(span.label_)
                found.add((rule, span[self.ruler.indices[rule]].i))
        return sorted(found)


class LemmaMemo(_Wrapper):
    """The model's rule lemmatizer, its result remembered per (ORTH, POS, MORPH)."""

    @property
    def lemmatizer(self) -> Lemmatizer:
        return self.wrapped

    def rebuild(self) -> None:
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
