"""The exact-name ruler of the curated organisation list, placed before spaCy's NER.

It does what spaCy's EntityRuler does with phrase patterns and ``overwrite_ents`` (longest
match first, then the earliest; a match replaces the entities it overlaps), but it looks the
names up as strings, keyed by their first word, and keeps a match only where it starts and
ends on token boundaries. With thousands of names this loads in milliseconds, where
tokenizing every name into a PhraseMatcher adds tens of thousands of lexemes to the vocab.
Forms marked ambiguous are left out (see :func:`deal_extract.organisations.resolve.with_ambiguous_names`).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from deal_extract.rulefiles.loader import Patterns

ORG = "ORG"
CURATED_PREFIX = "curated:"
_TRAILING = ",.;:!?)]}\"'’”"
_WORD = re.compile(r"\S+")


class CuratedNames:
    def __init__(self, patterns: Patterns):
        self.by_first: dict[str, list[tuple[str, str]]] = {}
        for entry in patterns.organisations:
            for form in (entry.name, *entry.aliases):
                if form not in entry.ambiguous and form.strip():
                    first = form.split()[0]
                    self.by_first.setdefault(first, []).append((form, CURATED_PREFIX + entry.name))
        for forms in self.by_first.values():
            forms.sort(key=lambda f: -len(f[0]))

    def matches(self, doc: Doc) -> list[Span]:
        text = doc.text
        word_ends = {m.start(): m.end() for m in _WORD.finditer(text)}
        found: dict[tuple[int, int], Span] = {}
        for tok in doc:
            if tok.is_space:
                continue
            keys = {tok.text}
            if tok.idx in word_ends:
                word = text[tok.idx:word_ends[tok.idx]]
                keys.update((word, word.rstrip(_TRAILING)))
            for key in keys:
                for form, ident in self.by_first.get(key, ()):
                    if text.startswith(form, tok.idx):
                        span = doc.char_span(tok.idx, tok.idx + len(form), label=ORG, span_id=ident)
                        if span is not None and (span.start, span.end) not in found:
                            found[(span.start, span.end)] = span
        return list(found.values())

    def __call__(self, doc: Doc) -> Doc:
        entities = list(doc.ents)
        new: list[Span] = []
        seen: set[int] = set()
        for span in sorted(self.matches(doc), key=lambda s: (s.end - s.start, -s.start), reverse=True):
            if span.start in seen or span.end - 1 in seen:
                continue
            new.append(span)
            entities = [e for e in entities if not (e.start < span.end and e.end > span.start)]
            seen.update(range(span.start, span.end))
        doc.ents = entities + new
        return doc
