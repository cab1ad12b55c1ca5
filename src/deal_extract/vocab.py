"""The closed vocabularies of ../shared/SPEC.md section 2, in one place."""

from typing import Literal, get_args

ThemeId = Literal[
    "adc", "antibody", "cell_therapy", "gene_therapy", "nucleic_acid", "vaccine",
    "small_molecule", "biosimilar", "exosome", "cdmo", "biomanufacturing", "ai",
    "digital_health", "diagnostics", "medtech", "oncology", "ophthalmology",
    "immunology", "neurology", "infectious_disease", "metabolic",
]
DealTypeId = Literal[
    "licensing", "co_development", "manufacturing", "commercialisation",
    "technology_integration", "acquisition", "investment",
]
OrgKind = Literal["company", "academic", "government", "hospital", "other"]
# SPEC section 6: what each partner is to the deal, and whether the deal still stands
Role = Literal[
    "licensor", "licensee", "acquirer", "target", "seller", "investor", "investee",
    "provider", "client", "collaborator",
]
DealStatus = Literal["agreed", "completed", "ended"]

THEMES: tuple[str, ...] = get_args(ThemeId)
DEAL_TYPES: tuple[str, ...] = get_args(DealTypeId)
ORG_KINDS: tuple[str, ...] = get_args(OrgKind)
ROLES: tuple[str, ...] = get_args(Role)
DEAL_STATUSES: tuple[str, ...] = get_args(DealStatus)
