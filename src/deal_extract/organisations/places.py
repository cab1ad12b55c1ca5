"""Country and region mentions in a Doc, from ``countries.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from deal_extract.rulefiles.schemas import CountriesFile

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
        self.by_word: dict[str, tuple[Optional[str], str]] = {}
        make = nlp.make_doc
        for entry in countries.countries:
            for form, words in ((NAME, entry.names), (ADJECTIVE, entry.adjectives), (CITY, entry.cities)):
                for word in words:
                    self._add(make, word, entry.code, form)
        for region in countries.regions:
            for word in [region.name, *region.aliases]:
                self._add(make, word, None, REGION)

    def _add(self, make, word: str, code: Optional[str], form: str) -> None:
        key = f"{form}:{code or word}:{word}"
        self.entries[key] = (code, form)
        self.by_word.setdefault(word, (code, form))
        self.matcher.add(key, [make(word)])

    def words(self, *forms: str) -> set[str]:
        """Every place word of the given forms (all forms when none is given), case-folded."""
        return {w.casefold() for w, (_, form) in self.by_word.items() if not forms or form in forms}

    def codes(self, *forms: str) -> dict[str, str]:
        """Place word as written -> ISO code, for the given forms."""
        return {w: code for w, (code, form) in self.by_word.items() if code and form in forms}

    def __call__(self, doc: Doc) -> list[Place]:
        matches = [(s, e, doc.vocab.strings[mid]) for mid, s, e in self.matcher(doc)]
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
