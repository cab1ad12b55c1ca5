"""Country and region mentions in a Doc, from ``countries.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .patterns import CountriesFile

NAME, ADJECTIVE, CITY, REGION = "name", "adjective", "city", "region"


@dataclass(frozen=True)
class Place:
    start: int          # token offsets
    end: int
    code: Optional[str]  # ISO code, None for a region
    form: str           # NAME, ADJECTIVE, CITY or REGION
    text: str


class PlaceFinder:
    """Finds country names, adjectives, cities and region words (longest match wins)."""

    def __init__(self, nlp: Language, countries: CountriesFile):
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.entries: dict[str, tuple[Optional[str], str]] = {}
        make = nlp.make_doc
        for entry in countries.countries:
            for form, words in ((NAME, entry.names), (ADJECTIVE, entry.adjectives), (CITY, entry.cities)):
                for word in words:
                    self._add(make, word, entry.code, form)
        for region in countries.regions:
            for word in [region.name, *region.aliases]:
                self._add(make, word, None, REGION)
        self.code_by_text = {k: v[0] for k, v in self.entries.items() if v[0]}

    def _add(self, make, word: str, code: Optional[str], form: str) -> None:
        key = f"{form}:{code or word}:{word}"
        self.entries[key] = (code, form)
        self.matcher.add(key, [make(word)])

    def __call__(self, doc: Doc) -> list[Place]:
        matches = [(s, e, self.nlp_key(doc, mid)) for mid, s, e in self.matcher(doc)]
        matches.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        places: list[Place] = []
        last_end = -1
        for start, end, key in matches:
            if start < last_end:
                continue
            code, form = self.entries[key]
            places.append(Place(start, end, code, form, doc[start:end].text))
            last_end = end
        return places

    @staticmethod
    def nlp_key(doc: Doc, match_id: int) -> str:
        return doc.vocab.strings[match_id]

    def code_for(self, text: str) -> Optional[str]:
        """ISO code for a country name or adjective given as plain text, else None."""
        for key, (code, form) in self.entries.items():
            if code and form in (NAME, ADJECTIVE) and key.rsplit(":", 1)[1] == text:
                return code
        return None
