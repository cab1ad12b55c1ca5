"""Pydantic records: the output contract (SPEC section 1) and gold files (SPEC section 3).

These models are the only way JSON leaves the tool, so what is printed always validates.
Inside spaCy, components keep plain dicts on ``Doc._`` (picklable for ``n_process > 1``);
:func:`deal_extract.extract.article_result` turns them into these records.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from deal_extract.vocab import DealStatus, DealTypeId, OrgKind, Role, ThemeId

_ISO2 = re.compile(r"^[A-Z]{2}$")
_ISO4217 = re.compile(r"^[A-Z]{3}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_country(value: Optional[str]) -> Optional[str]:
    if value is not None and not _ISO2.match(value):
        raise ValueError(f"country must be an ISO 3166-1 alpha-2 code such as 'CN', got {value!r}")
    return value


Country = Annotated[Optional[str], AfterValidator(_check_country)]
Offsets = Annotated[tuple[int, int], Field(description="[start, end) character offsets")]


class Organisation(_Strict):
    name: str = Field(min_length=1)
    country: Country = None
    kind: OrgKind = "company"
    mentions: list[Offsets] = Field(default_factory=list)


class Party(_Strict):
    name: str = Field(min_length=1)
    country: Country = None
    role: Optional[Role] = Field(default=None, description="SPEC section 6: what the partner is to the deal, or null")


class Value(_Strict):
    amount: float = Field(ge=0)
    currency: str
    text: str = ""

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if not _ISO4217.match(v):
            raise ValueError(f"currency must be an ISO 4217 code such as 'USD', got {v!r}")
        return v


class Evidence(_Strict):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> "Evidence":
        if self.end < self.start:
            raise ValueError("evidence end is before its start")
        return self


class Terms(_Strict):
    """SPEC section 6: the upfront, milestone and total figures of a deal (money objects or null)."""

    upfront: Optional[Value] = None
    milestones: Optional[Value] = None
    total: Optional[Value] = None


class Deal(_Strict):
    id: str
    partners: list[Party] = Field(min_length=2)
    themes: list[ThemeId] = Field(default_factory=list)
    deal_types: list[DealTypeId] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    value: Optional[Value] = None
    evidence: Evidence
    confidence: float = Field(ge=0.0, le=1.0)
    # SPEC section 6
    status: DealStatus = "agreed"
    announced: Optional[str] = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD, as the text gives it")
    assets: list[str] = Field(default_factory=list)
    terms: Terms = Field(default_factory=Terms)
    value_usd: Optional[float] = Field(default=None, description="value in US dollars at the ECB reference rate of the announced (else published) date")


class ArticleResult(_Strict):
    source: str
    title: Optional[str] = None
    published: Optional[dt.date] = None
    organisations: list[Organisation] = Field(default_factory=list)
    deals: list[Deal] = Field(default_factory=list)

    def to_json(self, indent: Optional[int] = 2) -> str:
        return self.model_dump_json(indent=indent)

    def to_frame(self):
        """The deals as a pandas DataFrame, one row per deal with the article's source, title and date."""
        from deal_extract.corpus.frames import deals_frame

        return deals_frame([self])


def keep_confident(result: ArticleResult, min_confidence: float) -> ArticleResult:
    """``result`` with only the deals whose confidence is at or above ``min_confidence``."""
    if min_confidence <= 0.0:
        return result
    return result.model_copy(update={"deals": [d for d in result.deals if d.confidence >= min_confidence]})


# --- gold files (SPEC section 3) -------------------------------------------------------

class OrganisationEntry(_Strict):
    """An organisation with every name it goes by: the shape of gold and curated entries."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    country: Country = None
    kind: OrgKind = "company"


class GoldOrganisation(OrganisationEntry):
    """A gold organisation (SPEC section 3)."""


class GoldValue(_Strict):
    amount: float = Field(ge=0)
    currency: str
    text: str = ""


_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _partial_date(value: object) -> Optional[str]:
    """SPEC section 6 ``announced``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (YAML may give a date or an int)."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if not _PARTIAL_DATE.match(text):
        raise ValueError(f"announced must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    return text


class GoldDeal(_Strict):
    """A gold deal. The SPEC section 6 fields left out (``None``) are not scored for it."""

    partners: list[str] = Field(min_length=2)
    themes: list[ThemeId] = Field(default_factory=list)
    deal_types: list[DealTypeId] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    value: Optional[GoldValue] = None
    roles: Optional[dict[str, Optional[Role]]] = None
    status: Optional[DealStatus] = None
    announced: Optional[str] = None
    assets: Optional[list[str]] = None
    upfront: Optional[GoldValue] = None
    milestones: Optional[GoldValue] = None
    note: Optional[str] = None

    @field_validator("announced", mode="before")
    @classmethod
    def _announced(cls, value: object) -> Optional[str]:
        return _partial_date(value)

    @model_validator(mode="after")
    def _roles_of_partners(self) -> "GoldDeal":
        for name in self.roles or {}:
            if name not in self.partners:
                raise ValueError(f"roles: {name!r} is not one of the deal's partners {self.partners}")
        return self


class GoldFile(_Strict):
    article: str
    published: Optional[dt.date] = None
    title: Optional[str] = None
    style: Optional[str] = Field(default=None, description="register of the article: press_release, roundup, trade, newsletter, distractors, wire, web_page, newspaper, digest, feature, quarterly, ...")
    sources: list[str] = Field(default_factory=list, description="addresses of the public pages whose facts the article was written from")
    domain: Optional[str] = Field(default=None, description="what the article's deals are mostly about: rounds, acquisitions, institutions, medtech_dx, services, licensing ...")
    organisations: list[GoldOrganisation] = Field(default_factory=list)
    deals: list[GoldDeal] = Field(default_factory=list)

    @model_validator(mode="after")
    def _partners_known(self) -> "GoldFile":
        known: set[str] = set()
        for org in self.organisations:
            known.add(org.name)
            known.update(org.aliases)
        for i, deal in enumerate(self.deals):
            for p in deal.partners:
                if p not in known:
                    raise ValueError(f"deals[{i}]: partner {p!r} is not a gold organisation name or alias")
        return self
