"""Who is who across articles: the organisation and deal identity rules of the corpus database.

Organisations (SPEC section 5): a name's *key* is its normalised form (case, punctuation,
a leading "the" and legal forms dropped; spacing ignored). A curated entry of
``organisations.yml`` and every alias of it are one organisation, shown under the curated
name. Other names are one organisation per key, joined with the short forms the articles
themselves use for them ("Hoshino Pharmaceutical Co., Ltd. ('Hoshino')": the mentions of one
organisation in one article), unless that short form stands for different organisations in
different articles; two curated entries are never joined.

Deals: one corpus deal per partner set (as organisation ids), unless an article reports two
or more deals with that same partner set: those are separate agreements, and the other
articles' deals join the one they share most themes and deal types with. Two agreements of
the same partners reported only in different articles (a licence, then a supply deal a year
later) are one corpus deal; the README states this limit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from typing import Iterable, Optional, Sequence

from deal_extract.records import OrganisationEntry, Value
from deal_extract.evaluation.names import LEGAL_SUFFIXES, normalise_name

#: Legal forms written out, beyond the abbreviations of the scoring rules.
LEGAL_WORDS = frozenset(LEGAL_SUFFIXES | {"company", "corporation", "incorporated", "limited"})
#: A short form must have at least this many characters in its key to join names.
MIN_SHORT_FORM = 2
VALUE_TOLERANCE = 0.01


def legal_words(country_legal_forms: Iterable[str] = ()) -> frozenset[str]:
    """The legal-form words: :data:`LEGAL_WORDS` plus those of the countries' legal forms ("Sdn. Bhd.")."""
    words = set(LEGAL_WORDS)
    for form in country_legal_forms:
        words.update(re.findall(r"\w+", unicodedata.normalize("NFKC", form).casefold()))
    return frozenset(words)


def name_tokens(name: str, legal: frozenset[str] = LEGAL_WORDS) -> list[str]:
    """Normalised words of a name, legal forms at the end removed (at least one word kept)."""
    tokens = normalise_name(name).split()
    while len(tokens) > 1 and tokens[-1] in legal:
        tokens.pop()
    return tokens


def name_key(name: str, legal: frozenset[str] = LEGAL_WORDS) -> str:
    """The identity key of a name: ``"Hoshino Pharmaceutical Co., Ltd."`` -> ``"hoshinopharmaceutical"``."""
    return "".join(name_tokens(name, legal))


def short_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def _slug(name: str, legal: frozenset[str]) -> str:
    return "-".join(name_tokens(name, legal)) or f"org-{short_hash(name)}"


def _majority(values: Iterable[Optional[str]]) -> Optional[str]:
    """The most frequent non-null value; ``None`` when there is none or two tie."""
    ranked = Counter(v for v in values if v).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


class OrganisationIdentity:
    """Maps every organisation name seen in the articles to one ``org_id``.

    Feed it with :meth:`observe` (one call per article organisation, with the other names
    the article uses for it), then call :meth:`resolve` once; :meth:`org_id` and
    :meth:`groups` answer afterwards. Ids are the slug of the curated name, or of the
    longest name of the group: stable across runs, and readable in SQL.
    """

    def __init__(self, curated: Sequence[OrganisationEntry] = (), legal: frozenset[str] = LEGAL_WORDS):
        self.legal = legal
        self.curated = list(curated)
        self.curated_of: dict[str, int] = {}
        for i, entry in enumerate(self.curated):
            for name in (entry.name, *entry.aliases):
                self.curated_of.setdefault(self.key(name), i)
        self.parent: dict[str, str] = {}
        self.spellings: dict[str, Counter] = defaultdict(Counter)  # key -> full names as written
        self.short_spellings: dict[str, Counter] = defaultdict(Counter)  # key -> short forms as written
        self.countries: dict[str, list[Optional[str]]] = defaultdict(list)
        self.kinds: dict[str, list[str]] = defaultdict(list)
        self.claims: dict[str, set[str]] = defaultdict(set)  # short-form key -> full-name keys
        self._groups: Optional[dict[str, "OrgGroup"]] = None

    def key(self, name: str) -> str:
        return name_key(name, self.legal) or name.casefold()

    # -- union-find, never joining two curated entries --

    def _find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def _curated_in(self, root: str) -> Optional[int]:
        return self.curated_of.get(root)

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        ca, cb = self._curated_in(ra), self._curated_in(rb)
        if ca is not None and cb is not None and ca != cb:
            return
        if cb is not None and ca is None:
            ra, rb = rb, ra
        self.parent[rb] = ra  # the curated root (if any) stays the root

    # -- feeding --

    def observe(self, name: str, country: Optional[str] = None, kind: str = "company",
                other_names: Iterable[str] = ()) -> None:
        """One organisation of one article: its name, country, kind and other names used for it there."""
        key = self.key(name)
        self._find(key)
        self.spellings[key][name] += 1
        self.countries[key].append(country)
        self.kinds[key].append(kind)
        for other in other_names:
            other_key = self.key(other)
            if other_key != key and len(other_key) >= MIN_SHORT_FORM:
                self.claims[other_key].add(key)
                self.short_spellings[other_key][other] += 1

    def resolve(self) -> dict[str, "OrgGroup"]:
        """Join curated aliases and unambiguous short forms; returns ``org_id -> OrgGroup``."""
        for i, entry in enumerate(self.curated):
            keys = [self.key(n) for n in (entry.name, *entry.aliases)]
            for key in keys:
                if key in self.parent and self.curated_of.get(key) == i:
                    self._union(self.key(entry.name), key)
        for short, fulls in sorted(self.claims.items()):
            canonical = {self._curated_root(k) for k in fulls}
            if len(canonical) == 1:  # the short form names one organisation everywhere
                self._union(next(iter(fulls)), short)
        members: dict[str, list[str]] = defaultdict(list)
        for key in sorted(set(self.parent) & (set(self.spellings) | set(self.short_spellings))):
            members[self._find(key)].append(key)
        groups = [self._group(root, keys) for root, keys in members.items()]
        self._groups = {g.org_id: g for g in sorted(groups, key=lambda g: g.org_id)}
        self._id_of = {key: g.org_id for g in groups for key in g.keys}
        return self._groups

    def _curated_root(self, key: str) -> str:
        i = self.curated_of.get(key)
        return self.key(self.curated[i].name) if i is not None else key

    def _group(self, root: str, keys: list[str]) -> "OrgGroup":
        names = Counter()
        for key in keys:
            names.update(self.spellings[key])
            names.update(self.short_spellings[key])
        i = self.curated_of.get(root)
        countries = [c for k in keys for c in self.countries[k]]
        kinds = [c for k in keys for c in self.kinds[k]]
        if i is not None:
            entry = self.curated[i]
            org_id = _slug(entry.name, self.legal)
            display, country, kind = entry.name, entry.country or _majority(countries), entry.kind
        else:
            # the longest full name (by key) identifies the group; its commonest, then shortest, spelling is shown
            main = max((k for k in keys if self.spellings[k]), key=lambda k: (len(k), k))
            spelled = self.spellings[main]
            display = min(spelled, key=lambda n: (-spelled[n], len(n), n))
            org_id = min(_slug(n, self.legal) for n in spelled)
            country, kind = _majority(countries), _majority(kinds) or "company"
        return OrgGroup(org_id=org_id, name=display, country=country, kind=kind,
                        names=sorted(names, key=lambda n: (-names[n], n)), keys=keys)

    # -- answers --

    def org_id(self, name: str) -> str:
        """The id of a name; a name never observed gets the id it would have on its own."""
        if self._groups is None:
            raise RuntimeError("call resolve() first")
        key = self.key(name)
        if key in self._id_of:
            return self._id_of[key]
        i = self.curated_of.get(key)
        return _slug(self.curated[i].name if i is not None else name, self.legal)

    def groups(self) -> dict[str, "OrgGroup"]:
        if self._groups is None:
            raise RuntimeError("call resolve() first")
        return self._groups


class OrgGroup:
    """One organisation of the corpus."""

    __slots__ = ("org_id", "name", "country", "kind", "names", "keys")

    def __init__(self, org_id: str, name: str, country: Optional[str], kind: str, names: list[str], keys: list[str]):
        self.org_id, self.name, self.country, self.kind, self.names, self.keys = org_id, name, country, kind, names, keys


# --- deals -------------------------------------------------------------------------------

def base_deal_id(org_ids: Iterable[str]) -> str:
    """The corpus deal id of a partner set."""
    return short_hash("deal", *sorted(set(org_ids)))


def split_deal_id(base: str, source: str, article_deal_id: str) -> str:
    """The id of a second (third, ...) agreement of the same partners, named by the article that shows it."""
    return short_hash(base, source, article_deal_id)


def agreement_overlap(a_labels: set[str], b_labels: set[str]) -> int:
    return len(a_labels & b_labels)


def values_agree(a: Value, b: Value) -> bool:
    return a.currency == b.currency and abs(a.amount - b.amount) <= VALUE_TOLERANCE * max(a.amount, b.amount, 1.0)


def best_supported_value(candidates: Sequence[tuple[Value, float, str]]) -> Optional[Value]:
    """The headline value of the best-supported source.

    ``candidates`` are ``(value, confidence, source)``. The value that the most sources agree
    on (same currency, amounts within 1%) wins; then the higher confidence, then the larger
    amount; within it, the value as the most confident source wrote it.
    """
    if not candidates:
        return None
    clusters: list[list[tuple[Value, float, str]]] = []
    for cand in sorted(candidates, key=lambda c: (-c[1], c[2])):
        for cluster in clusters:
            if values_agree(cluster[0][0], cand[0]):
                cluster.append(cand)
                break
        else:
            clusters.append([cand])
    best = max(clusters, key=lambda cl: (len({c[2] for c in cl}), cl[0][1], cl[0][0].amount))
    return best[0][0]
