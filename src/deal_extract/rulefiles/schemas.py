"""Pydantic schemas of the rule files in ``patterns/``.

Every schema forbids unknown keys. Lists may not repeat an entry (case-insensitively where
the rules read them case-insensitively), and entries that contradict each other (one word
under two countries or two kinds, a deal noun that is also a blocker) are rejected, each
with the list and the entry named.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from deal_extract.records import OrganisationEntry
from deal_extract.vocab import DealTypeId, OrgKind, ThemeId


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _once(values: list[str], fold: bool) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        key = value.casefold() if fold else value
        if key in seen:
            also = f" (as {seen[key]!r})" if seen[key] != value else ""
            raise ValueError(f"{value!r} is listed twice{also}; list each entry once")
        seen[key] = value
    return values


def _patterns_once(pattern: Any) -> Any:
    """No word twice in one ``IN`` / ``NOT_IN`` list of a token or dependency pattern."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key in ("IN", "NOT_IN") and isinstance(value, list):
                _once([v for v in value if isinstance(v, str)], fold=False)
            else:
                _patterns_once(value)
    elif isinstance(pattern, list):
        for item in pattern:
            _patterns_once(item)
    return pattern


#: a list matched as written (case matters: "NAVER" and "Naver" are two forms)
Forms = Annotated[list[str], AfterValidator(lambda v: _once(v, fold=False))]
#: a list of words the rules compare case-insensitively
Words = Annotated[list[str], AfterValidator(lambda v: _once(v, fold=True))]
TokenPattern = Annotated[list[dict[str, Any]], AfterValidator(_patterns_once)]


def _disjoint(first: str, a: list[str], second: str, b: list[str]) -> None:
    both = sorted({w.casefold() for w in a} & {w.casefold() for w in b})
    if both:
        raise ValueError(f"{', '.join(map(repr, both))} in both {first} and {second}; a word can be only one of them")


def _unique_ids(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"{kind} {ident!r} is listed twice; ids must be unique")
        seen.add(ident)


# --- organisations.yml ------------------------------------------------------------------

class OrgEntry(OrganisationEntry):
    """One curated organisation: name, aliases, home country, kind, and which of its forms are
    ambiguous (a common word, surname or place: matched only where the NER already reads an
    organisation, never by the exact-name ruler)."""

    aliases: Forms = Field(default_factory=list)
    ambiguous: Forms = Field(default_factory=list, description="forms of name/aliases matched only in a name context")
    role: Optional[Literal["exchange"]] = Field(default=None, description="'exchange': a stock exchange, an organisation of the text but never a deal partner")

    @model_validator(mode="after")
    def _name_not_an_alias(self) -> "OrgEntry":
        if self.name in self.aliases:
            raise ValueError(f"alias {self.name!r} repeats the name")
        unknown = [f for f in self.ambiguous if f != self.name and f not in self.aliases]
        if unknown:
            raise ValueError(f"ambiguous form(s) {unknown} are neither the name nor an alias")
        return self


class OrganisationsFile(Strict):
    role: Optional[Literal["exchange"]] = Field(default=None, description="the role of every entry of the file ('exchange')")
    organisations: list[OrgEntry]

    @model_validator(mode="after")
    def _entries_take_the_file_role(self) -> "OrganisationsFile":
        if self.role is not None:
            self.organisations = [e if e.role else e.model_copy(update={"role": self.role}) for e in self.organisations]
        return self


# --- countries.yml ----------------------------------------------------------------------

class CountryEntry(Strict):
    code: str = Field(pattern=r"^[A-Z]{2}$")
    names: Forms = Field(min_length=1)
    adjectives: Forms = Field(default_factory=list)
    cities: Forms = Field(default_factory=list, description="cities and provinces, for 'Seoul-based'")
    legal_forms: Forms = Field(default_factory=list, description="company-name endings used only there ('Pte. Ltd.')")
    legal_prefixes: Forms = Field(default_factory=list, description="company-name beginnings used only there ('PT')")


class RegionEntry(Strict):
    name: str = Field(min_length=1)
    aliases: Forms = Field(default_factory=list)


class CountriesFile(Strict):
    countries: list[CountryEntry]
    regions: list[RegionEntry] = Field(default_factory=list)
    group_nouns: Words = Field(default_factory=list, description="'Chinese companies such as A and B'")
    group_example_cues: Words = Field(
        default_factory=list, description="'Chinese companies such as A and B': the words that open the list")
    apposition_openers: Words = Field(
        default_factory=list, description="'X, a Chinese company': words after the comma that open a description")

    @model_validator(mode="after")
    def _one_place_per_word(self) -> "CountriesFile":
        _unique_ids("country code", [c.code for c in self.countries])
        owner: dict[str, str] = {}
        for entry in self.countries:
            for form, words in (("name", entry.names), ("adjective", entry.adjectives), ("city", entry.cities)):
                for word in words:
                    where = f"{entry.code} {form}"
                    if owner.setdefault(word, where) != where:
                        raise ValueError(f"{word!r} is both a {owner[word]} and a {where}; one word, one place")
        for region in self.regions:
            for word in [region.name, *region.aliases]:
                where = f"region {region.name!r}"
                if owner.setdefault(word, where) != where:
                    raise ValueError(f"{word!r} is both a {owner[word]} and a {where}; one word, one place")
        return self


# --- org_shapes.yml and not_organisations.yml -------------------------------------------

class ShapeEntry(Strict):
    id: str
    pattern: TokenPattern = Field(min_length=1)
    kind: OrgKind = "company"


class OrgShapesFile(Strict):
    shapes: list[ShapeEntry]

    @model_validator(mode="after")
    def _ids(self) -> "OrgShapesFile":
        _unique_ids("shape", [s.id for s in self.shapes])
        return self


class NotOrganisationsFile(Strict):
    terms: Words = Field(default_factory=list, description="exact names (case-insensitive) that are never organisations")
    words: Words = Field(default_factory=list, description="a candidate containing one of these words is no organisation (job titles, headings)")
    descriptors: Words = Field(default_factory=list, description="nouns that describe an organisation: 'start-up X', 'X, a ... developer'")
    place_nouns: Words = Field(default_factory=list, description="'Binjiang district': a name before one of these is a place")
    adviser_roles: Words = Field(default_factory=list, description="'X acted as legal adviser': X is an organisation")
    title_words: Words = Field(default_factory=list, description="job-title words: a name is cut before them ('Pfizer CEO ...')")
    short_form_stop: Words = Field(default_factory=list, description="first words that never stand alone for an organisation ('United', 'New')")
    furniture_line_starts: Words = Field(default_factory=list, description="a line beginning with one of these is page furniture ('©', '[Photo:'): no organisation is read from it")
    kind_words: dict[OrgKind, Words] = Field(default_factory=dict, description="name words that tell an organisation's kind")
    name_heads: Words = Field(default_factory=list, description="words that end a name and never start one ('Therapeutics', 'Ltd.'): an ORG starting with one takes the entity glued before it")
    drug_targets: Words = Field(default_factory=list, description="drug targets, biomarkers and disease acronyms ('VEGF', 'BCMA', 'NSCLC'): never organisations")
    drug_brands: Words = Field(default_factory=list, description="brand names of widely sold medicines and vaccines ('Keytruda', 'Ozempic'): never organisations")
    drug_nouns: Words = Field(default_factory=list, description="'VEGF bispecific', 'KRAS inhibitor': a capitalised word before one of these is a target or drug")
    product_nouns: Words = Field(default_factory=list, description="'a treatment, X,', 'brands A, B and C', 'doses of X': a name in apposition to, listed after or counted by one of these is a product")

    @model_validator(mode="after")
    def _one_kind_per_word(self) -> "NotOrganisationsFile":
        owner: dict[str, str] = {}
        for kind, words in self.kind_words.items():
            for word in words:
                if owner.setdefault(word.casefold(), kind) != kind:
                    raise ValueError(f"kind word {word!r} is listed for {owner[word.casefold()]} and {kind}; one kind per word")
        return self


# --- themes.yml and deal_types.yml ------------------------------------------------------

class CueEntry(Strict):
    id: str
    phrases: Words = Field(default_factory=list, description="matched case-insensitively on token text")
    exact: Forms = Field(default_factory=list, description="matched case-sensitively (acronyms)")
    patterns: list[TokenPattern] = Field(default_factory=list)


class ThemeCue(CueEntry):
    id: ThemeId
    modality: bool = Field(default=False, description="a kind of medicine (ADC, cell therapy, ...): a section "
                                                      "heading's modality yields to another one the deal states; "
                                                      "a theme is a modality when any of its entries says so")


class DealTypeCue(CueEntry):
    id: DealTypeId


class ThemesFile(Strict):
    cues: list[ThemeCue]


class DealTypesFile(Strict):
    cues: list[DealTypeCue]


# --- relations.yml ----------------------------------------------------------------------

class RelationEntry(Strict):
    id: str
    description: str = ""
    deal_types: list[DealTypeId] = Field(default_factory=list)
    gather: Literal["pair", "subtree"] = Field(
        default="pair", description="subtree: every organisation under the gather node joins the deal (investment rounds, lists)")
    gather_node: str = Field(default="trigger", description="the node whose subtree is gathered")
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    roles: list[str] = Field(default_factory=list, max_length=2,
                             description="[role of party_a, role of party_b] ('licensor', 'licensee'): what 'the licensee' refers back to")
    pattern: TokenPattern = Field(min_length=2)

    @field_validator("roles")
    @classmethod
    def _two_roles(cls, roles: list[str]) -> list[str]:
        if len(roles) not in (0, 2):
            raise ValueError("roles names the role of party_a and of party_b, or none")
        return roles

    @field_validator("pattern")
    @classmethod
    def _has_two_parties(cls, pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = {node.get("RIGHT_ID") for node in pattern}
        missing = {"party_a", "party_b"} - ids
        if missing:
            raise ValueError(f"a relation pattern needs nodes named party_a and party_b; missing {sorted(missing)}")
        return pattern


class Scores(Strict):
    """Confidences of the rules that are not relation patterns, and the other tuned numbers."""

    dash_pair: float = Field(ge=0.0, le=1.0, description="'the A–B deal'")
    list_item: float = Field(ge=0.0, le=1.0, description="'- A and B: ...' list items")
    deal_list: float = Field(ge=0.0, le=1.0, description="'grown by acquisitions: A, B and C': the list's owner with each")
    cooccurrence: float = Field(ge=0.0, le=1.0, description="two organisations and a deal verb in a misparsed sentence")
    implied_licence: float = Field(ge=0.0, le=1.0, description="'X took a licence' with no licensor named: from the speaker's company")
    reference_penalty: float = Field(ge=0.0, le=1.0, description="taken off when a party is a resolved reference")
    mention_bonus: float = Field(ge=0.0, le=1.0, description="added per further mention of the same deal")
    round_roster: float = Field(0.85, ge=0.0, le=1.0, description="a round's company with every investor its lead sentence and the sentences after it name")
    protagonist_min_mentions: int = Field(ge=1, description="mentions that make an organisation the article's protagonist")


class Rounds(Strict):
    """The words of a financing round told over its lead sentence and the sentences after it."""

    raise_verbs: Words = Field(default_factory=list, description="'X raised (closed, banked) ...': the subject is the company that raised the round")
    round_nouns: Words = Field(default_factory=list, description="'round', 'Series', 'financing': what a round is called")
    participation: Words = Field(default_factory=list, description="lemmas that put an investor into a round ('led', 'joined', 'took part', 'participants')")
    earlier: Words = Field(default_factory=list, description="'an earlier round', 'the original tranche': another round than the one being told")
    reach: int = Field(3, ge=0, le=10, description="sentences after the lead sentence that may name the round's investors")


class DetailWords(Strict):
    """The words of the SPEC section 6 details read from a deal's own sentences."""

    ended: Words = Field(default_factory=list, description="lemmas that say a deal is over ('terminate')")
    ended_phrasal: list[list[str]] = Field(default_factory=list, description="verb and particle that say a deal is over ('hand back')")
    completed: Words = Field(default_factory=list, description="lemmas that say a deal is done ('complete', 'close')")
    not_yet: Words = Field(default_factory=list, description="lemmas before a completion word that make it a plan ('expected to close')")
    upfront: Words = Field(default_factory=list, description="what follows an upfront payment's amount")
    milestones: Words = Field(default_factory=list, description="what follows a milestone amount")


class Pronouns(Strict):
    it: Words = Field(default_factory=list, description="stand for the last subject organisation ('it', 'its')")
    speaker: Words = Field(default_factory=list, description="stand for the protagonist ('we', 'our')")
    possessive: Words = Field(default_factory=list, description="'its partner X', 'our Series A was led by X'")
    relative: Words = Field(default_factory=list, description="'X, which bought Y': stand for the organisation their clause describes")
    plural: Words = Field(default_factory=list, description="stand for the last deal's partners ('they')")


class Determiners(Strict):
    definite: Words = Field(default_factory=list, description="'the company', 'both firms': a reference to a named organisation")
    follow_up: Words = Field(default_factory=list, description="'the deal', 'this agreement': a sentence continuing the last deal")
    plural: Words = Field(default_factory=list, description="'the two firms': the last deal's partners")
    subject: Words = Field(default_factory=list, description="'The company said': a follow-up on the last deal's party")


class Description(Strict):
    """A definite description and the organisations it may stand for: "the university" for an
    academic organisation, "the CDMO" for one the text called a CDMO."""

    nouns: Words = Field(min_length=1, description="head nouns of the description: 'university', 'cdmo'")
    kinds: list[Literal["company", "academic", "government", "hospital", "other"]] = Field(
        default_factory=list, description="organisation kinds it stands for")
    names: Words = Field(default_factory=list, description="words of an organisation's name that make it one ('capital', 'ventures')")
    strict: bool = Field(False, description="with no organisation of this description before it, it stands for no one "
                                           "(otherwise for the nearest subject, as 'the company')")


class RelationsFile(Strict):
    deal_nouns: Words = Field(default_factory=list, description="lemmas that name a deal: 'the X–Y deal'")
    blockers: Words = Field(default_factory=list, description="lemmas above a trigger that make it no deal (talks, terminate, deny)")
    references: Words = Field(default_factory=list, description="nouns that refer back to an organisation: 'the company'")
    plural_references: Words = Field(default_factory=list, description="nouns that refer back to a deal's partners: 'the two firms'")
    follow_up_nouns: Words = Field(default_factory=list, description="'the deal', 'the terms': a sentence that continues the last deal")
    founding_verbs: Words = Field(default_factory=list, description="'A and B launch X': verbs whose object is the deal's new company, not a partner")
    round_words: Words = Field(default_factory=list, description="'round', 'backers': sentences that name investors of one financing round")
    details: DetailWords = Field(default_factory=DetailWords, description="SPEC section 6 details (deals/details.py)")
    sell_verbs: Words = Field(default_factory=list, description="'Z sold Y to X': verbs whose subject is the seller of an acquisition (deals/sellers.py)")
    own_approvers: Words = Field(default_factory=list, description="'the board approved the acquisition': a company's own organs, whose approval is its decision, not a pending clearance (blocker words with one of these as subject or possessor block nothing)")
    compound_words: dict[str, Words] = Field(default_factory=dict, description="lemma -> hyphenated forms the tokenizer splits but the parser must see as one word: 'co-led' (nlp/compounds.py)")
    rounds: Rounds = Field(default_factory=Rounds, description="a round told over its lead sentence and the sentences after it (deals/rounds.py)")
    role_nouns: dict[str, Words] = Field(default_factory=dict, description="role -> nouns that name it: 'the licensee', 'the buyer' refer to the party that had that role in the last deal")
    descriptions: list[Description] = Field(default_factory=list, description="'the university', 'the CDMO': the last organisation of that description in the section")
    deal_list_openers: Words = Field(default_factory=list, description="'acquisitions: A, B', 'agreements, including one with A': words after a plural deal noun that open its list")
    stake_words: Words = Field(default_factory=list, description="'acquired a 20% stake': objects that make a purchase verb an investment")
    purchase_words: Words = Field(default_factory=list, description="'buy', 'purchase': acquisition cues only with a company or an asset bought")
    asset_words: Words = Field(default_factory=list, description="'plant', 'business': what a purchase word buys when it is an acquisition")
    control_words: Words = Field(default_factory=list, description="'a majority stake', '100%': a stake that is an acquisition after all")
    rights_words: Words = Field(default_factory=list, description="'acquired exclusive rights': objects that make a purchase verb a licence, not an acquisition")
    follow_up_types: dict[str, Words] = Field(default_factory=dict, description="deal type -> follow-up nouns that continue only a deal of that type ('the licence')")
    joint_verbs: Words = Field(default_factory=list, description="'X teamed up with A and B': one deal of all three")
    separate_deal_words: Words = Field(default_factory=list, description="'deals with both A and B', 'respectively': one deal each")
    fallback_verbs: Words = Field(default_factory=list, description="verbs that let two organisations in a misparsed sentence make a deal")
    attribution_words: Words = Field(default_factory=list, description="'according to X': a party under one of these is a source of the news, no partner")
    reporting_verbs: Words = Field(default_factory=list, description="'said': with a person in the sentence, no fallback deal")
    territory_words: Words = Field(default_factory=list, description="words before a place that make it a deal territory ('in', 'across')")
    territory_list_words: Words = Field(default_factory=list, description="words passed over between a territory word and its places")
    excluding_words: Words = Field(default_factory=list, description="'outside X', 'except X': the place is excluded from the territory (retained)")
    retaining_verbs: Words = Field(default_factory=list, description="'retains the rights in X': the place stays with that party (retained)")
    not_territory_before: Words = Field(default_factory=list, description="'based in X' is a home, not a territory")
    example_cues: Words = Field(default_factory=list, description="'such as A, B', 'companies like A': examples, not partners")
    list_connectors: Forms = Field(default_factory=list, description="words that join the organisations of one list")
    party_connectors: Forms = Field(default_factory=list, description="what may stand between partners in a list item after its label")
    pronouns: Pronouns = Field(default_factory=Pronouns)
    determiners: Determiners = Field(default_factory=Determiners)
    scores: Scores
    relations: list[RelationEntry]

    @model_validator(mode="after")
    def _no_contradictions(self) -> "RelationsFile":
        _disjoint("deal_nouns", self.deal_nouns, "blockers", self.blockers)
        _disjoint("territory_words", self.territory_words, "not_territory_before", self.not_territory_before)
        _disjoint("joint_verbs", self.joint_verbs, "separate_deal_words", self.separate_deal_words)
        _unique_ids("relation", [r.id for r in self.relations])
        return self


SCHEMAS: dict[str, type[Strict]] = {
    "organisations.yml": OrganisationsFile,
    "countries.yml": CountriesFile,
    "org_shapes.yml": OrgShapesFile,
    "not_organisations.yml": NotOrganisationsFile,
    "themes.yml": ThemesFile,
    "deal_types.yml": DealTypesFile,
    "relations.yml": RelationsFile,
}
