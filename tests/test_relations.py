"""The relation patterns of ``patterns/relations.yml`` on hand-built parses.

Every pattern is run on a ``Doc`` whose words, heads, dependency labels, parts of speech,
lemmas and entities are written out by hand, so the patterns are tested against the parse
they were written for and a new model version cannot silently break them. Each case is a
token table, one token a row::

    word  lemma  POS  dep  head  IOB-entity

(``head`` is the absolute index of the head token). A case names the pattern it is for and
the ``(party_a, party_b)`` token indices the pattern must bind. The second half runs the
:class:`~deal_extract.deals.DealFinder` component on hand-built Docs (no statistical model):
partner expansion, blockers, references, values and evidence offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pytest
import spacy
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span

import deal_extract.nlp.components  # noqa: F401  (registers the Doc extensions)
from deal_extract.deals import DealFinder
from deal_extract.rulefiles.loader import Patterns


@dataclass(frozen=True)
class Case:
    pattern_id: str
    words: list[str]
    heads: list[int]
    deps: list[str]
    pos: list[str]
    lemmas: list[str]
    ents: list[str]
    parties: frozenset[tuple[int, int]]   # every (party_a, party_b) the pattern must bind
    tags: Optional[list[str]] = None

    def doc(self, vocab, spaces: Optional[list[bool]] = None) -> Doc:
        doc = Doc(vocab, words=self.words, spaces=spaces, heads=self.heads, deps=self.deps, pos=self.pos,
                  lemmas=self.lemmas, ents=self.ents, tags=self.tags)
        _check_tree(doc, str(self))
        return doc

    def __str__(self) -> str:
        return f"{self.pattern_id}: {' '.join(self.words)}"


def _check_tree(doc: Doc, label: str) -> None:
    """A typo in a table must fail loudly: only the ROOT heads itself, heads are as written."""
    for t in doc:
        assert (t.head.i == t.i) == (t.dep_ == "ROOT"), f"{label}: token {t.i} {t.text!r} heads itself but is {t.dep_}"


def case(pattern_id: str, table: str, *parties: tuple[int, int]) -> Case:
    """A case from a token table (word lemma POS dep head entity [tag]), one token a row; the
    fine-grained tag column is optional (all rows or none), for patterns that read TAG."""
    rows = [line.split() for line in table.strip().splitlines()]
    assert all(len(r) == 6 for r in rows) or all(len(r) == 7 for r in rows), \
        f"{pattern_id}: every row needs 6 columns (or 7 with tags)"
    words, lemmas, pos, deps, heads, ents, *tags = (list(col) for col in zip(*rows))
    return Case(pattern_id, words, [int(h) for h in heads], deps, pos, lemmas, ents, frozenset(parties),
                tags[0] if tags else None)


CASES = [
    case("verb_with_partner", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        partnered partner   VERB  ROOT  1 O
        with      with      ADP   prep  1 O
        Beta      Beta      PROPN pobj  2 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 3)),
    case("verb_object_with_partner", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        signed    sign      VERB  ROOT  1 O
        an        an        DET   det   3 O
        agreement agreement NOUN  dobj  1 O
        with      with      ADP   prep  3 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("joint_subject", """
        Acme      Acme      PROPN nsubj 3 B-ORG
        and       and       CCONJ cc    0 O
        Beta      Beta      PROPN conj  0 B-ORG
        signed    sign      VERB  ROOT  3 O
        an        an        DET   det   5 O
        agreement agreement NOUN  dobj  3 O
        .         .         PUNCT punct 3 O
    """, (0, 2)),
    case("acquire_described", """
        Alder     Alder     PROPN nsubj  1 B-ORG
        bought    buy       VERB  ROOT   1 O
        the       the       DET   det    3 O
        drugmaker drugmaker NOUN  dobj   1 O
        .         .         PUNCT punct  1 O
    """, (0, 3)),
    case("role_of", """
        Beta      Beta      PROPN nsubj  1 B-ORG
        is        be        AUX   ROOT   1 O
        a         a         DET   det    3 O
        licensee  licensee  NOUN  attr   1 O
        of        of        ADP   prep   3 O
        Acme      Acme      PROPN pobj   4 B-ORG
        .         .         PUNCT punct  1 O
    """, (0, 5)),
    case("joint_object_with", """
        Acme      Acme      PROPN nsubj  2 B-ORG
        has       have      AUX   aux    2 O
        run       run       VERB  ROOT   2 O
        joint     joint     ADJ   amod   4 O
        research  research  NOUN  dobj   2 O
        with      with      ADP   prep   2 O
        Beta      Beta      PROPN pobj   5 B-ORG
        .         .         PUNCT punct  2 O
    """, (0, 6)),
    case("take_over", """
        Acme      Acme      PROPN nsubj  1 B-ORG
        took      take      VERB  ROOT   1 O
        over      over      ADP   prt    1 O
        Beta      Beta      PROPN dobj   1 B-ORG
        .         .         PUNCT punct  1 O
    """, (0, 3)),
    case("give_rights_dative", """
        Acme      Acme      PROPN nsubj  1 B-ORG
        gave      give      VERB  ROOT   1 O
        Beta      Beta      PROPN dative 1 B-ORG
        the       the       DET   det    4 O
        rights    right     NOUN  dobj   1 O
        .         .         PUNCT punct  1 O
    """, (0, 2)),
    case("award_dative", """
        Acme      Acme      PROPN nsubj  1 B-ORG
        awarded   award     VERB  ROOT   1 O
        Beta      Beta      PROPN dative 1 B-ORG
        a         a         DET   det    4 O
        grant     grant     NOUN  dobj   1 O
        .         .         PUNCT punct  1 O
    """, (0, 2)),
    case("give_rights_to", """
        Acme      Acme      PROPN nsubj  1 B-ORG
        gave      give      VERB  ROOT   1 O
        the       the       DET   det    3 O
        rights    right     NOUN  dobj   1 O
        to        to        ADP   dative 1 O
        Beta      Beta      PROPN pobj   4 B-ORG
        .         .         PUNCT punct  1 O
    """, (0, 5)),
    case("joint_subject_run_together", """
        Orvane    Orvane    PROPN nmod     1 B-ORG
        Bio       Bio       PROPN nmod     4 I-ORG
        and       and       CCONJ cc       1 O
        Telmar    Telmar    PROPN compound 4 B-ORG
        Pharma    Pharma    PROPN nsubj    5 I-ORG
        formed    form      VERB  ROOT     5 O
        a         a         DET   det      8 O
        joint     joint     ADJ   amod     8 O
        venture   venture   NOUN  dobj     5 O
        .         .         PUNCT punct    5 O
    """, (4, 1)),
    case("joint_object", """
        Acme      Acme      PROPN nsubj 3 B-ORG
        and       and       CCONJ cc    0 O
        Beta      Beta      PROPN conj  0 B-ORG
        started   start     VERB  ROOT  3 O
        a         a         DET   det   6 O
        joint     joint     ADJ   amod  6 O
        study     study     NOUN  dobj  3 O
        .         .         PUNCT punct 3 O
    """, (0, 2)),
    case("subject_with_deals", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        was       be        AUX   ROOT  1 O
        the       the       DET   det   5 O
        most      most      ADV   advmod 4 O
        active    active    ADJ   amod  5 O
        buyer     buyer     NOUN  attr  1 O
        ,         ,         PUNCT punct 1 O
        with      with      ADP   prep  1 O
        deals     deal      NOUN  pobj  7 O
        with      with      ADP   prep  8 O
        Beta      Beta      PROPN pobj  9 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 10)),
    case("integrate_into", """
        Acme      Acme      PROPN nsubj 2 B-ORG
        will      will      AUX   aux   2 O
        integrate integrate VERB  ROOT  2 O
        its       its       PRON  poss  4 O
        platform  platform  NOUN  dobj  2 O
        into      into      ADP   prep  2 O
        Beta      Beta      PROPN poss  8 B-ORG
        's        's        PART  case  6 O
        app       app       NOUN  pobj  5 O
        .         .         PUNCT punct 2 O
    """, (0, 6)),
    case("integrate_object_of", """
        Acme      Acme      PROPN nsubj 2 B-ORG
        will      will      AUX   aux   2 O
        build     build     VERB  ROOT  2 O
        Beta      Beta      PROPN poss  5 B-ORG
        's        's        PART  case  3 O
        software  software  NOUN  dobj  2 O
        into      into      ADP   prep  2 O
        its       its       PRON  poss  8 O
        platform  platform  NOUN  pobj  6 O
        .         .         PUNCT punct 2 O
    """, (0, 3)),
    case("agreement_under_which", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        signed    sign      VERB  ROOT  1 O
        an        an        DET   det   3 O
        agreement agreement NOUN  dobj  1 O
        under     under     ADP   prep  8 O
        which     which     PRON  pobj  4 O
        Beta      Beta      PROPN nsubj 8 B-ORG
        will      will      AUX   aux   8 O
        make      make      VERB  relcl 3 O
        the       the       DET   det   10 O
        drug      drug      NOUN  dobj  8 O
        .         .         PUNCT punct 1 O
    """, (0, 6)),
    case("joint_subject_intransitive", """
        Acme      Acme      PROPN nsubj 3 B-ORG
        and       and       CCONJ cc    0 O
        Beta      Beta      PROPN conj  0 B-ORG
        partnered partner   VERB  ROOT  3 O
        .         .         PUNCT punct 3 O
    """, (0, 2)),
    case("joint_subject_intransitive_run_together", """
        Orvane    Orvane    PROPN nmod     1 B-ORG
        Bio       Bio       PROPN nmod     4 I-ORG
        and       and       CCONJ cc       1 O
        Kestrel   Kestrel   PROPN compound 4 B-ORG
        University University PROPN nsubj  6 I-ORG
        are       be        AUX   aux      6 O
        teaming   team      VERB  ROOT     6 O
        up        up        ADP   prt      6 O
        .         .         PUNCT punct    6 O
    """, (4, 1)),
    case("bring_together", """
        The       the       DET   det      1 O
        pact      pact      NOUN  nsubj    2 O
        brings    bring     VERB  ROOT     2 O
        together  together  ADV   advmod   2 O
        Acme      Acme      PROPN dobj     2 B-ORG
        and       and       CCONJ cc       4 O
        Beta      Beta      PROPN conj     4 B-ORG
        .         .         PUNCT punct    2 O
    """, (4, 6)),
    case("possessive_deal_with", """
        Acme      Acme      PROPN poss  2 B-ORG
        's        's        PART  case  0 O
        deal      deal      NOUN  nsubj 5 O
        with      with      ADP   prep  2 O
        Beta      Beta      PROPN pobj  3 B-ORG
        closed    close     VERB  ROOT  5 O
        .         .         PUNCT punct 5 O
    """, (0, 4)),
    case("possessive_tie_up_with", """
        Acme      Acme      PROPN poss  4 B-ORG
        's        's        PART  case  0 O
        tie       tie       NOUN  compound 4 O
        -         -         PUNCT punct 4 O
        up        up        NOUN  nsubj 7 O
        with      with      ADP   prep  4 O
        Beta      Beta      PROPN pobj  5 B-ORG
        expands   expand    VERB  ROOT  7 O
        .         .         PUNCT punct 7 O
    """, (0, 6)),
    case("deal_between", """
        The           the           DET   det   1 O
        collaboration collaboration NOUN  nsubj 6 O
        between       between       ADP   prep  1 O
        Acme          Acme          PROPN pobj  2 B-ORG
        and           and           CCONJ cc    3 O
        Beta          Beta          PROPN conj  3 B-ORG
        began         begin         VERB  ROOT  6 O
        .             .             PUNCT punct 6 O
    """, (3, 5)),
    case("deal_of_parties", """
        The         the         DET   det   1 O
        partnership partnership NOUN  nsubj 6 O
        of          of          ADP   prep  1 O
        Acme        Acme        PROPN pobj  2 B-ORG
        and         and         CCONJ cc    3 O
        Beta        Beta        PROPN conj  3 B-ORG
        grew        grow        VERB  ROOT  6 O
        .           .           PUNCT punct 6 O
    """, (3, 5)),
    case("license_to", """
        Acme      Acme      PROPN nsubj  1 B-ORG
        licensed  license   VERB  ROOT   1 O
        rights    right     NOUN  dobj   1 O
        to        to        ADP   dative 1 O
        Beta      Beta      PROPN pobj   3 B-ORG
        .         .         PUNCT punct  1 O
    """, (0, 4)),
    case("license_dative", """
        Acme      Acme      PROPN nsubj  1 B-ORG
        granted   grant     VERB  ROOT   1 O
        Beta      Beta      PROPN dative 1 B-ORG
        rights    right     NOUN  dobj   1 O
        .         .         PUNCT punct  1 O
    """, (0, 2)),
    case("license_from", """
        Beta      Beta      PROPN nsubj 1 B-ORG
        licensed  license   VERB  ROOT  1 O
        the       the       DET   det   3 O
        rights    right     NOUN  dobj  1 O
        from      from      ADP   prep  3 O
        Acme      Acme      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("license_passive", """
        Rights    right     NOUN  nsubjpass 2 O
        were      be        AUX   auxpass   2 O
        granted   grant     VERB  ROOT      2 O
        to        to        ADP   prep      2 O
        Beta      Beta      PROPN pobj      3 B-ORG
        by        by        ADP   agent     2 O
        Acme      Acme      PROPN pobj      5 B-ORG
        .         .         PUNCT punct     2 O
    """, (4, 6)),
    case("acquire", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        acquired  acquire   VERB  ROOT  1 O
        Beta      Beta      PROPN dobj  1 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 2)),
    case("agreed_to_acquire", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        agreed    agree     VERB  ROOT  1 O
        to        to        PART  aux   3 O
        acquire   acquire   VERB  xcomp 1 O
        Beta      Beta      PROPN dobj  3 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 4)),
    case("acquire_asset_of", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        acquired  acquire   VERB  ROOT  1 O
        Beta      Beta      PROPN poss  4 B-ORG
        's        's        PART  case  2 O
        plant     plant     NOUN  dobj  1 O
        .         .         PUNCT punct 1 O
    """, (0, 2)),
    case("agreed_to_acquire_asset_of", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        agreed    agree     VERB  ROOT  1 O
        to        to        PART  aux   3 O
        acquire   acquire   VERB  xcomp 1 O
        Beta      Beta      PROPN poss  6 B-ORG
        's        's        PART  case  4 O
        drug      drug      NOUN  dobj  3 O
        .         .         PUNCT punct 1 O
    """, (0, 4)),
    case("acquire_stake_in", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        acquired  acquire   VERB  ROOT  1 O
        a         a         DET   det   3 O
        stake     stake     NOUN  dobj  1 O
        in        in        ADP   prep  3 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("acquisition_of", """
        Acme        Acme        PROPN poss  2 B-ORG
        's          's          PART  case  0 O
        acquisition acquisition NOUN  nsubj 5 O
        of          of          ADP   prep  2 O
        Beta        Beta        PROPN pobj  3 B-ORG
        closed      close       VERB  ROOT  5 O
        .           .           PUNCT punct 5 O
    """, (0, 4)),
    case("acquisition_by", """
        The         the         DET   det   1 O
        acquisition acquisition NOUN  nsubj 6 O
        of          of          ADP   prep  1 O
        Beta        Beta        PROPN pobj  2 B-ORG
        by          by          ADP   prep  1 O
        Acme        Acme        PROPN pobj  4 B-ORG
        closed      close       VERB  ROOT  6 O
        .           .           PUNCT punct 6 O
    """, (5, 3)),
    case("acquired_by", """
        Beta      Beta      PROPN nsubjpass 2 B-ORG
        was       be        AUX   auxpass   2 O
        acquired  acquire   VERB  ROOT      2 O
        by        by        ADP   agent     2 O
        Acme      Acme      PROPN pobj      3 B-ORG
        .         .         PUNCT punct     2 O
    """, (4, 0)),
    case("distribute_products_of", """
        Beta       Beta       PROPN nsubj 2 B-ORG
        will       will       AUX   aux   2 O
        distribute distribute VERB  ROOT  2 O
        Acme       Acme       PROPN poss  5 B-ORG
        's         's         PART  case  3 O
        products   product    NOUN  dobj  2 O
        in         in         ADP   prep  2 O
        Vietnam    Vietnam    PROPN pobj  6 B-GPE
        .          .          PUNCT punct 2 O
    """, (0, 3)),
    case("distribute_for", """
        Beta       Beta       PROPN nsubj 2 B-ORG
        will       will       AUX   aux   2 O
        distribute distribute VERB  ROOT  2 O
        the        the        DET   det   4 O
        drug       drug       NOUN  dobj  2 O
        for        for        ADP   prep  2 O
        Acme       Acme       PROPN pobj  5 B-ORG
        .          .          PUNCT punct 2 O
    """, (0, 6)),
    case("invest_in", """
        Acme      Acme      PROPN nsubj    1 B-ORG
        invested  invest    VERB  ROOT     1 O
        $         $         SYM   nmod     4 B-MONEY
        30        30        NUM   compound 4 I-MONEY
        million   million   NUM   dobj     1 I-MONEY
        in        in        ADP   prep     1 O
        Beta      Beta      PROPN pobj     5 B-ORG
        .         .         PUNCT punct    1 O
    """, (0, 6)),
    case("backed_by", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        backed    back      VERB  ROOT  1 O
        Beta      Beta      PROPN dobj  1 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 2)),
    case("round_led_by", """
        Beta          Beta          PROPN nsubj    1 B-ORG
        raised        raise         VERB  ROOT     1 O
        $             $             SYM   nmod     4 B-MONEY
        50            50            NUM   compound 4 I-MONEY
        million       million       NUM   dobj     1 I-MONEY
        in            in            ADP   prep     1 O
        a             a             DET   det      7 O
        round         round         NOUN  pobj     5 O
        led           lead          VERB  acl      7 O
        by            by            ADP   agent    8 O
        Acme          Acme          PROPN pobj     9 B-ORG
        with          with          ADP   prep     8 O
        participation participation NOUN  pobj     11 O
        from          from          ADP   prep     12 O
        Gamma         Gamma         PROPN pobj     13 B-ORG
        .             .             PUNCT punct    1 O
    """, (0, 10), (0, 14)),
    case("possessive_licence_to", """
        Acme      Acme      PROPN poss  2 B-ORG
        's        's        PART  case  0 O
        licence   licence   NOUN  nsubj 6 O
        to        to        ADP   prep  2 O
        Beta      Beta      PROPN pobj  3 B-ORG
        was       be        AUX   aux   6 O
        watched   watch     VERB  ROOT  6 O
        .         .         PUNCT punct 6 O
    """, (0, 4)),
    case("verb_with_partner_clause", """
        Acme      Acme      PROPN ROOT  0 B-ORG
        ,         ,         PUNCT punct 0 O
        a         a         DET   det   3 O
        company   company   NOUN  appos 0 O
        ,         ,         PUNCT punct 0 O
        teamed    team      VERB  acl   0 O
        up        up        ADP   prt   5 O
        with      with      ADP   prep  5 O
        Beta      Beta      PROPN pobj  7 B-ORG
        .         .         PUNCT punct 0 O
    """, (0, 8)),
    case("agreed_to_be_acquired", """
        Beta       Beta       PROPN nsubj   2 B-ORG
        has        have       AUX   aux     2 O
        entered    enter      VERB  ROOT    2 O
        into       into       ADP   prep    2 O
        an         an         DET   det     5 O
        agreement  agreement  NOUN  pobj    3 O
        to         to         PART  aux     8 O
        be         be         AUX   auxpass 8 O
        acquired   acquire    VERB  relcl   5 O
        by         by         ADP   agent   8 O
        Acme       Acme       PROPN pobj    9 B-ORG
        .          .          PUNCT punct   2 O
    """, (10, 0)),
    case("verb_acquisition_of", """
        Acme        Acme        PROPN nsubj 1 B-ORG
        completes   complete    VERB  ROOT  1 O
        acquisition acquisition NOUN  dobj  1 O
        of          of          ADP   prep  2 O
        Beta        Beta        PROPN pobj  3 B-ORG
        .           .           PUNCT punct 1 O
    """, (0, 4)),
    case("led_round_in", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        led       lead      VERB  ROOT  1 O
        a         a         DET   det   4 O
        Series    Series    PROPN compound 4 O
        round     round     NOUN  dobj  1 O
        in        in        ADP   prep  4 O
        Beta      Beta      PROPN pobj  5 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 6)),
    case("round_was_led_by", """
        The       the       DET   det       1 O
        round     round     NOUN  nsubjpass 3 O
        was       be        AUX   auxpass   3 O
        led       lead      VERB  ROOT      3 O
        by        by        ADP   agent     3 O
        Acme      Acme      PROPN pobj      4 B-ORG
        .         .         PUNCT punct     3 O
    """, (1, 5)),
    case("grant_object", """
        Acme      Acme      PROPN nsubj    1 B-ORG
        granted   grant     VERB  ROOT     1 O
        Beta      Beta      PROPN dobj     1 B-ORG
        an        an        DET   det      5 O
        exclusive exclusive ADJ   amod     5 O
        licence   licence   NOUN  npadvmod 1 O
        .         .         PUNCT punct    1 O
    """, (0, 2)),
    case("license_object_to_do", """
        Acme      Acme      PROPN nsubj    1 B-ORG
        licensed  license   VERB  ROOT     1 O
        Beta      Beta      PROPN dobj     1 B-ORG
        to        to        PART  aux      4 O
        make      make      VERB  advcl    1 O
        the       the       DET   det      6 O
        vaccine   vaccine   NOUN  dobj     4 O
        .         .         PUNCT punct    1 O
    """, (0, 2)),
    case("manufacture_for", """
        Acme        Acme        PROPN nsubj 2 B-ORG
        will        will        AUX   aux   2 O
        manufacture manufacture VERB  ROOT  2 O
        the         the         DET   det   4 O
        antibody    antibody    NOUN  dobj  2 O
        for         for         ADP   prep  2 O
        Beta        Beta        PROPN pobj  5 B-ORG
        .           .           PUNCT punct 2 O
    """, (0, 6)),
    case("select_as_partner", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        selected  select    VERB  ROOT  1 O
        Beta      Beta      PROPN dobj  1 B-ORG
        as        as        ADP   prep  1 O
        its       its       PRON  poss  5 O
        CDMO      CDMO      PROPN pobj  3 O
        .         .         PUNCT punct 1 O
    """, (0, 2)),
    case("buy_asset_from", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        agreed    agree     VERB  ROOT  1 O
        to        to        PART  aux   3 O
        buy       buy       VERB  xcomp 1 O
        a         a         DET   det   5 O
        plant     plant     NOUN  dobj  3 O
        from      from      ADP   prep  3 O
        Beta      Beta      PROPN pobj  6 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 7)),
    case("bought_asset_from", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        bought    buy       VERB  ROOT  1 O
        the       the       DET   det   3 O
        business  business  NOUN  dobj  1 O
        from      from      ADP   prep  1 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("acquire_rights_from", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        acquired  acquire   VERB  ROOT  1 O
        exclusive exclusive ADJ   amod  3 O
        rights    right     NOUN  dobj  1 O
        from      from      ADP   prep  1 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("take_control_of", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        takes     take      VERB  ROOT  1 O
        control   control   NOUN  dobj  1 O
        of        of        ADP   prep  2 O
        Beta      Beta      PROPN pobj  3 B-ORG
    """, (0, 4)),
    case("develop_with", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        created   create    VERB  ROOT  1 O
        the       the       DET   det   3 O
        antibody  antibody  NOUN  dobj  1 O
        with      with      ADP   prep  1 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("rights_to_product_of", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        landed    land      VERB  ROOT  1 O
        rights    right     NOUN  dobj  1 O
        to        to        ADP   prep  2 O
        Beta      Beta      PROPN poss  6 B-ORG
        's        's        PART  case  4 O
        vaccine   vaccine   NOUN  pobj  3 O
        .         .         PUNCT punct 1 O
    """, (0, 4)),
    case("purchase_of_asset_of", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        completed complete  VERB  ROOT  1 O
        its       its       PRON  poss  3 O
        purchase  purchase  NOUN  dobj  1 O
        of        of        ADP   prep  3 O
        the       the       DET   det   7 O
        Beta      Beta      PROPN compound 7 B-ORG
        plant     plant     NOUN  pobj  4 O
        .         .         PUNCT punct 1 O
    """, (0, 6)),
    case("pay_for", """
        Acme      Acme      PROPN nsubj 2 B-ORG
        will      will      AUX   aux   2 O
        pay       pay       VERB  ROOT  2 O
        $         $         SYM   nmod  4 O
        40        40        NUM   dobj  2 O
        for       for       ADP   prep  2 O
        Beta      Beta      PROPN pobj  5 B-ORG
        .         .         PUNCT punct 2 O
    """, (0, 6)),
    case("buy_share_of", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        bought    buy       VERB  ROOT  1 O
        51        51        NUM   nummod 3 O
        %         %         NOUN  dobj  1 O
        of        of        ADP   prep  3 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("agreed_to_buy_share_of", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        agreed    agree     VERB  ROOT  1 O
        to        to        PART  aux   3 O
        buy       buy       VERB  xcomp 1 O
        100       100       NUM   nummod 5 O
        %         %         NOUN  dobj  3 O
        of        of        ADP   prep  5 O
        Beta      Beta      PROPN pobj  6 B-ORG
        from      from      ADP   prep  3 O
        Gamma     Gamma     PROPN pobj  8 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 7)),
    case("shared_subject_verb_object_with_partner", """
        Acme      Acme      PROPN nsubj 1 B-ORG NNP
        listed    list      VERB  ROOT  1 O     VBD
        shares    share     NOUN  dobj  1 O     NNS
        and       and       CCONJ cc    1 O     CC
        signed    sign      VERB  conj  1 O     VBD
        a         a         DET   det   6 O     DT
        licence   licence   NOUN  dobj  4 O     NN
        with      with      ADP   prep  6 O     IN
        Beta      Beta      PROPN pobj  7 B-ORG NNP
        .         .         PUNCT punct 1 O     .
    """, (0, 8)),
    case("investors_led_the_round", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        led       lead      VERB  ROOT  1 O
        the       the       DET   det   3 O
        round     round     NOUN  dobj  1 O
        .         .         PUNCT punct 1 O
    """, (0, 3)),
    case("sell_rights_to", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        sold      sell      VERB  ROOT  1 O
        the       the       DET   det   3 O
        rights    right     NOUN  dobj  1 O
        to        to        ADP   dative 1 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("sell_asset_to", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        sold      sell      VERB  ROOT  1 O
        its       its       PRON  poss  3 O
        plant     plant     NOUN  dobj  1 O
        to        to        ADP   dative 1 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, (0, 5)),
    case("sell_company_to", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        sold      sell      VERB  ROOT  1 O
        Gamma     Gamma     PROPN dobj  1 B-ORG
        to        to        ADP   dative 1 O
        Beta      Beta      PROPN pobj  3 B-ORG
        .         .         PUNCT punct 1 O
    """, (2, 4)),
    case("sold_to", """
        Acme      Acme      PROPN nsubjpass 2 B-ORG
        was       be        AUX   auxpass   2 O
        sold      sell      VERB  ROOT      2 O
        to        to        ADP   prep      2 O
        Beta      Beta      PROPN pobj      3 B-ORG
        .         .         PUNCT punct     2 O
    """, (4, 0)),
    # "Acme committed 12 billion won to Beta": the parser takes "won" for a verb and hangs "to" on it
    case("commit_money_to", """
        Acme      Acme      PROPN nsubj    1 B-ORG
        committed commit    VERB  ROOT     1 O
        12        12        NUM   compound 3 B-MONEY
        billion   billion   NUM   dobj     1 I-MONEY
        won       win       VERB  acl      3 O
        to        to        ADP   prep     4 O
        Beta      Beta      PROPN pobj     5 B-ORG
        .         .         PUNCT punct    1 O
    """, (0, 6)),
    case("money_from", """
        Acme      Acme      PROPN nsubj    1 B-ORG
        drew      draw      VERB  ROOT     1 O
        $         $         SYM   quantmod 4 B-MONEY
        5         5         NUM   compound 4 I-MONEY
        million   million   NUM   dobj     1 I-MONEY
        from      from      ADP   prep     1 O
        Beta      Beta      PROPN pobj     5 B-ORG
        .         .         PUNCT punct    1 O
    """, (0, 6)),
]

# A pattern must not fire when the parse lacks what it relies on.
NEGATIVE_CASES = [
    # "Acme acquired rights": the object is no organisation
    case("acquire", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        acquired  acquire   VERB  ROOT  1 O
        rights    right     NOUN  dobj  1 O
        .         .         PUNCT punct 1 O
    """),
    # "the backing of Beta": 'back' as a noun is no investment verb
    case("backed_by", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        back      back      NOUN  ROOT  1 O
        Beta      Beta      PROPN dobj  1 B-ORG
        .         .         PUNCT punct 1 O
    """),
    # "Beta will distribute the drug for patients": the beneficiary is no organisation
    case("distribute_for", """
        Beta       Beta       PROPN nsubj 2 B-ORG
        will       will       AUX   aux   2 O
        distribute distribute VERB  ROOT  2 O
        the        the        DET   det   4 O
        drug       drug       NOUN  dobj  2 O
        for        for        ADP   prep  2 O
        patients   patient    NOUN  pobj  5 O
        .          .          PUNCT punct 2 O
    """),
    # "Acme selected Beta for the study": no role word (partner, CDMO, distributor ...)
    case("select_as_partner", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        selected  select    VERB  ROOT  1 O
        Beta      Beta      PROPN dobj  1 B-ORG
        for       for       ADP   prep  1 O
        the       the       DET   det   5 O
        study     study     NOUN  pobj  3 O
        .         .         PUNCT punct 1 O
    """),
    # "Acme partnered Beta" with no 'with': not the verb_with_partner shape
    case("verb_with_partner", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        partnered partner   VERB  ROOT  1 O
        for       for       ADP   prep  1 O
        Beta      Beta      PROPN pobj  2 B-ORG
        .         .         PUNCT punct 1 O
    """),
    # "Acme 's acquisition by Beta": 'by' is no 'of'
    case("acquisition_of", """
        Acme        Acme        PROPN poss  2 B-ORG
        's          's          PART  case  0 O
        acquisition acquisition NOUN  nsubj 5 O
        by          by          ADP   prep  2 O
        Beta        Beta        PROPN pobj  3 B-ORG
        closed      close       VERB  ROOT  5 O
        .           .           PUNCT punct 5 O
    """),
    # "Acme sold 2 million doses to Beta": a supply, no asset bought
    case("sell_asset_to", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        sold      sell      VERB  ROOT  1 O
        doses     dose      NOUN  dobj  1 O
        to        to        ADP   dative 1 O
        Beta      Beta      PROPN pobj  3 B-ORG
        .         .         PUNCT punct 1 O
    """),
    # "Acme built its pipeline on Gamma, set up with Beta": a participle the parser made a conjunct
    case("shared_subject_verb_object_with_partner", """
        Acme      Acme      PROPN nsubj 1 B-ORG NNP
        built     build     VERB  ROOT  1 O     VBD
        on        on        ADP   prep  1 O     IN
        Gamma     Gamma     PROPN pobj  2 B-ORG NNP
        ,         ,         PUNCT punct 1 O     ,
        set       set       VERB  conj  1 O     VBN
        up        up        ADP   prt   5 O     RP
        with      with      ADP   prep  5 O     IN
        Beta      Beta      PROPN pobj  7 B-ORG NNP
        .         .         PUNCT punct 1 O     .
    """),
    # "Acme bought a stake from Beta": a stake is no asset (the stake patterns read it)
    case("bought_asset_from", """
        Acme      Acme      PROPN nsubj 1 B-ORG
        bought    buy       VERB  ROOT  1 O
        a         a         DET   det   3 O
        stake     stake     NOUN  dobj  1 O
        from      from      ADP   prep  1 O
        Beta      Beta      PROPN pobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """),
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


@pytest.fixture(scope="module")
def patterns() -> Patterns:
    return Patterns()


@pytest.fixture(scope="module")
def matcher(nlp, patterns) -> DependencyMatcher:
    m = DependencyMatcher(nlp.vocab)
    for entry in patterns.relations.relations:
        m.add(entry.id, [entry.pattern])
    return m


def bindings(nlp, matcher, patterns, doc: Doc) -> dict[str, set[tuple[int, int]]]:
    """pattern id -> every (party_a, party_b) token pair it binds in ``doc``."""
    entries = {e.id: e for e in patterns.relations.relations}
    out: dict[str, set[tuple[int, int]]] = {}
    for match_id, token_ids in matcher(doc):
        pid = nlp.vocab.strings[match_id]
        nodes = {node["RIGHT_ID"]: i for node, i in zip(entries[pid].pattern, token_ids)}
        out.setdefault(pid, set()).add((nodes["party_a"], nodes["party_b"]))
    return out


# --- the patterns on hand-built parses -------------------------------------------------

@pytest.mark.parametrize("c", CASES, ids=[c.pattern_id for c in CASES])
def test_pattern_binds_parties(nlp, matcher, patterns, c: Case):
    doc = c.doc(nlp.vocab)
    found = bindings(nlp, matcher, patterns, doc)
    assert c.pattern_id in found, f"{c}: pattern did not match; matched {sorted(found)}"
    expected = {(doc[a].text, doc[b].text) for a, b in c.parties}
    got = {(doc[a].text, doc[b].text) for a, b in found[c.pattern_id]}
    assert expected <= got, f"{c}: expected party (a, b) {sorted(expected)}, got {sorted(got)}"


@pytest.mark.parametrize("c", NEGATIVE_CASES, ids=[c.pattern_id for c in NEGATIVE_CASES])
def test_pattern_does_not_fire_without_its_cue(nlp, matcher, patterns, c: Case):
    doc = c.doc(nlp.vocab)
    assert c.pattern_id not in bindings(nlp, matcher, patterns, doc), str(c)


def test_every_relation_pattern_has_a_hand_built_case(patterns):
    ids = [e.id for e in patterns.relations.relations]
    missing = sorted(set(ids) - {c.pattern_id for c in CASES})
    assert not missing, f"relations.yml patterns without a case in tests/test_relations.py: {missing}"


def test_cases_name_only_existing_patterns(patterns):
    ids = {e.id for e in patterns.relations.relations}
    stale = sorted({c.pattern_id for c in CASES + NEGATIVE_CASES} - ids)
    assert not stale, f"cases for patterns no longer in relations.yml: {stale}"


def test_relation_ids_are_unique(patterns):
    ids = [e.id for e in patterns.relations.relations]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("c", CASES + NEGATIVE_CASES, ids=[c.pattern_id for c in CASES + NEGATIVE_CASES])
def test_case_tables_are_well_formed(nlp, c: Case):
    """A typo in a table (a head out of range, two roots) must fail here, not pass silently."""
    doc = c.doc(nlp.vocab)
    assert [t.head.i for t in doc] == c.heads
    assert sum(1 for t in doc if t.dep_ == "ROOT") == 1
    for a, b in c.parties:
        assert a != b and 0 <= a < len(doc) and 0 <= b < len(doc)
        assert doc[a].ent_type_ == "ORG" or doc[a].pos_ == "NOUN", f"{c}: party_a {doc[a].text!r}"


# --- the DealFinder component on hand-built Docs ----------------------------------------

@pytest.fixture(scope="module")
def finder(nlp, patterns) -> DealFinder:
    return DealFinder(nlp.vocab, patterns)


def run_finder(nlp, finder: DealFinder, table: str, spaces: Optional[list[bool]] = None) -> Doc:
    """Build a Doc from a token table, give each ORG entity (by text) an organisation, run the finder."""
    doc = case("-", table).doc(nlp.vocab, spaces=spaces)
    orgs: list[dict] = []
    index: dict[str, int] = {}
    ents = []
    for ent in doc.ents:
        if ent.label_ != "ORG":
            ents.append(ent)
            continue
        i = index.setdefault(ent.text, len(orgs))
        if i == len(orgs):
            orgs.append({"name": ent.text, "country": None, "kind": "company", "mentions": [], "tokens": []})
        orgs[i]["mentions"].append((ent.start_char, ent.end_char))
        orgs[i]["tokens"].append((ent.start, ent.end))
        ents.append(Span(doc, ent.start, ent.end, label="ORG", span_id=str(i)))
    doc.ents = ents
    doc._.organisations = orgs
    doc._.places = []
    return finder(doc)


def partner_sets(doc: Doc) -> list[frozenset[str]]:
    return [frozenset(p["name"] for p in d["partners"]) for d in doc._.deals]


def test_finder_one_deal_per_partner_on_the_b_side(nlp, finder):
    # "Acme signed deals with both Beta and Gamma ."
    doc = run_finder(nlp, finder, """
        Acme      Acme      PROPN nsubj    1 B-ORG
        signed    sign      VERB  ROOT     1 O
        deals     deal      NOUN  dobj     1 O
        with      with      ADP   prep     1 O
        both      both      DET   preconj  5 O
        Beta      Beta      PROPN pobj     3 B-ORG
        and       and       CCONJ cc       5 O
        Gamma     Gamma     PROPN conj     5 B-ORG
        .         .         PUNCT punct    1 O
    """)
    assert sorted(map(sorted, partner_sets(doc))) == [["Acme", "Beta"], ["Acme", "Gamma"]]


def test_finder_joint_subject_is_one_deal(nlp, finder):
    doc = run_finder(nlp, finder, CASES_BY_ID["joint_subject"])
    assert partner_sets(doc) == [frozenset({"Acme", "Beta"})]


def test_finder_joint_subject_with_a_third_partner_is_one_deal(nlp, finder):
    # "Acme and Beta signed an agreement with Gamma .": one three-way deal, not also Acme-Beta
    doc = run_finder(nlp, finder, """
        Acme      Acme      PROPN nsubj 3 B-ORG
        and       and       CCONJ cc    0 O
        Beta      Beta      PROPN conj  0 B-ORG
        signed    sign      VERB  ROOT  3 O
        an        an        DET   det   5 O
        agreement agreement NOUN  dobj  3 O
        with      with      ADP   prep  5 O
        Gamma     Gamma     PROPN pobj  6 B-ORG
        .         .         PUNCT punct 3 O
    """)
    assert partner_sets(doc) == [frozenset({"Acme", "Beta", "Gamma"})]


def test_finder_names_the_parser_hung_inside_the_subject_are_partners_too(nlp, finder):
    # "Acme Co and Beta Co worked with Gamma .": the parser hangs "Acme Co" inside the subject's
    # phrase (nmod) instead of coordinating it; the list is still two partners beside Gamma
    doc = run_finder(nlp, finder, """
        Acme      Acme      PROPN compound 1 B-ORG
        Co        Co        PROPN nmod     4 I-ORG
        and       and       CCONJ cc       1 O
        Beta      Beta      PROPN compound 4 B-ORG
        Co        Co        PROPN nsubj    5 I-ORG
        worked    work      VERB  ROOT     5 O
        with      with      ADP   prep     5 O
        Gamma     Gamma     PROPN pobj     6 B-ORG
        .         .         PUNCT punct    5 O
    """)
    assert partner_sets(doc) == [frozenset({"Acme Co", "Beta Co", "Gamma"})]


def test_finder_round_gathers_every_investor_into_one_deal(nlp, finder):
    doc = run_finder(nlp, finder, CASES_BY_ID["round_led_by"])
    assert partner_sets(doc) == [frozenset({"Acme", "Beta", "Gamma"})]
    deal = doc._.deals[0]
    assert "investment" in deal["deal_types"]
    assert deal["value"] == {"amount": 50_000_000.0, "currency": "USD", "text": "$ 50 million"}


@pytest.mark.parametrize("pattern_id, deal_type", [
    ("license_to", "licensing"),
    ("license_from", "licensing"),
    ("license_passive", "licensing"),
    ("acquire", "acquisition"),
    ("agreed_to_acquire", "acquisition"),
    ("acquisition_of", "acquisition"),
    ("acquired_by", "acquisition"),
    ("distribute_products_of", "commercialisation"),
    ("invest_in", "investment"),
    ("manufacture_for", "manufacturing"),
])
def test_finder_gives_the_pattern_deal_type(nlp, finder, pattern_id, deal_type):
    doc = run_finder(nlp, finder, CASES_BY_ID[pattern_id])
    assert partner_sets(doc) == [frozenset({"Acme", "Beta"})]
    assert deal_type in doc._.deals[0]["deal_types"]


def test_finder_evidence_offsets_and_value(nlp, finder):
    words = ["Acme", "invested", "$", "30", "million", "in", "Beta", "."]
    spaces = [True, True, False, True, True, True, False, False]
    doc = run_finder(nlp, finder, CASES_BY_ID["invest_in"], spaces=spaces)
    assert doc.text == "Acme invested $30 million in Beta."
    assert [t.text for t in doc] == words
    (deal,) = doc._.deals
    ev = deal["evidence"]
    assert doc.text[ev["start"]:ev["end"]] == ev["text"] == "Acme invested $30 million in Beta."
    assert deal["value"] == {"amount": 30_000_000.0, "currency": "USD", "text": "$30 million"}


@pytest.mark.parametrize("table, why", [
    ("""
        Acme      Acme      PROPN nsubj 2 B-ORG
        may       may       AUX   aux   2 O
        acquire   acquire   VERB  ROOT  2 O
        Beta      Beta      PROPN dobj  2 B-ORG
        .         .         PUNCT punct 2 O
    """, "modal 'may'"),
    ("""
        Acme      Acme      PROPN nsubj 3 B-ORG
        did       do        AUX   aux   3 O
        not       not       PART  neg   3 O
        acquire   acquire   VERB  ROOT  3 O
        Beta      Beta      PROPN dobj  3 B-ORG
        .         .         PUNCT punct 3 O
    """, "negation"),
    ("""
        Acme      Acme      PROPN nsubj 1 B-ORG
        denied    deny      VERB  ROOT  1 O
        it        it        PRON  nsubj 4 O
        would     would     AUX   aux   4 O
        acquire   acquire   VERB  ccomp 1 O
        Beta      Beta      PROPN dobj  4 B-ORG
        .         .         PUNCT punct 1 O
    """, "denial above the trigger"),
    ("""
        Acme        Acme        PROPN nsubj 1 B-ORG
        terminated  terminate   VERB  ROOT  1 O
        its         its         PRON  poss  3 O
        partnership partnership NOUN  dobj  1 O
        with        with        ADP   prep  3 O
        Beta        Beta        PROPN pobj  4 B-ORG
        .           .           PUNCT punct 1 O
    """, "terminated partnership"),
    ("""
        Acme      Acme      PROPN nsubj 2 B-ORG
        is        be        AUX   aux   2 O
        exploring explore   VERB  ROOT  2 O
        a         a         DET   det   4 O
        deal      deal      NOUN  dobj  2 O
        with      with      ADP   prep  4 O
        Beta      Beta      PROPN pobj  5 B-ORG
        .         .         PUNCT punct 2 O
    """, "exploring a deal"),
])
def test_finder_blocked_triggers_give_no_deal(nlp, finder, table, why):
    doc = run_finder(nlp, finder, table)
    assert doc._.deals == [], why


def test_finder_resolves_the_company_to_the_last_subject(nlp, finder):
    # "Acme signed a deal with Beta . The company also acquired Gamma ."
    doc = run_finder(nlp, finder, """
        Acme      Acme      PROPN nsubj  1 B-ORG
        signed    sign      VERB  ROOT   1 O
        a         a         DET   det    3 O
        deal      deal      NOUN  dobj   1 O
        with      with      ADP   prep   3 O
        Beta      Beta      PROPN pobj   4 B-ORG
        .         .         PUNCT punct  1 O
        The       the       DET   det    8 O
        company   company   NOUN  nsubj  10 O
        also      also      ADV   advmod 10 O
        acquired  acquire   VERB  ROOT   10 O
        Gamma     Gamma     PROPN dobj   10 B-ORG
        .         .         PUNCT punct  10 O
    """)
    assert sorted(map(sorted, partner_sets(doc))) == [["Acme", "Beta"], ["Acme", "Gamma"]]
    acquisition = next(d for d in doc._.deals if {p["name"] for p in d["partners"]} == {"Acme", "Gamma"})
    assert acquisition["deal_types"] == ["acquisition"]
    assert acquisition["evidence"]["text"] == "The company also acquired Gamma ."


def test_finder_attaches_a_follow_up_sentence_value(nlp, finder):
    # "Acme signed a deal with Beta . The deal is worth up to $ 300 million ."
    doc = run_finder(nlp, finder, """
        Acme      Acme      PROPN nsubj    1 B-ORG
        signed    sign      VERB  ROOT     1 O
        a         a         DET   det      3 O
        deal      deal      NOUN  dobj     1 O
        with      with      ADP   prep     3 O
        Beta      Beta      PROPN pobj     4 B-ORG
        .         .         PUNCT punct    1 O
        The       the       DET   det      8 O
        deal      deal      NOUN  nsubj    9 O
        is        be        AUX   ROOT     9 O
        worth     worth     ADJ   acomp    9 O
        up        up        ADP   quantmod 15 O
        to        to        ADP   quantmod 15 O
        $         $         SYM   nmod     15 B-MONEY
        300       300       NUM   compound 15 I-MONEY
        million   million   NUM   npadvmod 10 I-MONEY
        .         .         PUNCT punct    9 O
    """)
    (deal,) = doc._.deals
    assert deal["value"]["amount"] == 300_000_000.0 and deal["value"]["currency"] == "USD"
    assert deal["value"]["text"] == "up to $ 300 million"
    # the evidence stays the sentence that names the partners
    assert deal["evidence"]["text"] == "Acme signed a deal with Beta ."


def test_finder_no_deal_for_one_organisation(nlp, finder):
    # "Acme signed a deal with the government ."
    doc = run_finder(nlp, finder, """
        Acme       Acme       PROPN nsubj 1 B-ORG
        signed     sign       VERB  ROOT  1 O
        a          a          DET   det   3 O
        deal       deal       NOUN  dobj  1 O
        with       with       ADP   prep  3 O
        the        the        DET   det   6 O
        government government NOUN  pobj  4 O
        .          .          PUNCT punct 1 O
    """)
    assert doc._.deals == []


def test_finder_ids_are_stable_and_order_free(nlp, finder):
    first = run_finder(nlp, finder, CASES_BY_ID["acquire"])._.deals
    second = run_finder(nlp, finder, CASES_BY_ID["acquired_by"])._.deals
    assert [d["id"] for d in first] == [d["id"] for d in second]
    assert len(first[0]["id"]) == 12


def _table(c: Case) -> str:
    return "\n".join(f"{w} {l} {p} {d} {h} {e}" for w, l, p, d, h, e
                     in zip(c.words, c.lemmas, c.pos, c.deps, c.heads, c.ents))


CASES_BY_ID = {c.pattern_id: _table(c) for c in CASES}


def test_digest_heading_names_the_deal_its_paragraph_tells(extractor):
    text = ("Weekly deal digest\n\nHarrowgate Biologics x Quillon Therapeutics (12 March 2025)\n"
            "The two firms will develop a bispecific antibody for solid tumours, with $40 million upfront.\n\n"
            "Tembury Foods / Orvane Bio (14 March)\n"
            "A distribution pact for nutrition products in Vietnam.\n")
    deals = {frozenset(p.name for p in d.partners) for d in extractor.extract_text(text).deals}
    assert frozenset({"Harrowgate Biologics", "Quillon Therapeutics"}) in deals, deals
    assert frozenset({"Tembury Foods", "Orvane Bio"}) in deals, deals


def test_one_financing_round_told_in_two_sentences(extractor):
    text = ("Funding news\n\nHarrowgate Biologics raised $80 million in a Series B round led by Quillon Ventures, "
            "with participation from Tembury Capital.\nOrvane Partners and Kestle Fund also invested in Harrowgate "
            "Biologics as part of the round.\n")
    deals = [frozenset(p.name for p in d.partners) for d in extractor.extract_text(text).deals]
    assert any({"Harrowgate Biologics", "Quillon Ventures", "Orvane Partners"} <= d for d in deals), deals


def test_exchange_in_a_ticker_is_no_partner(extractor):
    text = ("Wire\n\nMUMBAI, India -- Harrowgate Pharmaceuticals Ltd. (BSE: 532296; NSE: HARROW) today announced "
            "that it has licensed its antibody to Quillon Therapeutics.\n")
    for d in extractor.extract_text(text).deals:
        assert not any(p.name in ("BSE", "NSE", "BSE Limited", "National Stock Exchange of India") for p in d.partners), d


# "Acme licensed X to Beta, and it sold a plant to Gamma": the second clause has its own subject
CROSSING_CLAUSES = case("license_to", """
    Acme      Acme      PROPN nsubj 1 B-ORG
    licensed  license   VERB  ROOT  1 O
    X         X         PROPN dobj  1 O
    to        to        ADP   prep  1 O
    Beta      Beta      PROPN pobj  3 B-ORG
    ,         ,         PUNCT punct 1 O
    and       and       CCONJ cc    1 O
    it        it        PRON  nsubj 8 O
    sold      sell      VERB  conj  1 O
    a         a         DET   det   10 O
    plant     plant     NOUN  dobj  8 O
    to        to        ADP   dative 8 O
    Gamma     Gamma     PROPN pobj  11 B-ORG
    .         .         PUNCT punct 8 O
""", (0, 4))


def test_descendant_steps_stay_in_their_clause(nlp, patterns):
    """``>>`` finds "to Gamma" under "licensed" through the conjoined clause; the relation
    matcher's :class:`ClauseMatcher` never takes that step (the clause has its own subject) and
    keeps "licensed ... to Beta"."""
    from deal_extract.deals.clauses import ClauseMatcher
    doc = CROSSING_CLAUSES.doc(nlp.vocab)
    entry = next(e for e in patterns.relations.relations if e.id == "license_to")
    found = {}
    for kind in (DependencyMatcher, ClauseMatcher):
        matcher = kind(nlp.vocab)
        matcher.add("license_to", [entry.pattern])
        found[kind] = set()
        for match_id, ids in matcher(doc):
            nodes = {node["RIGHT_ID"]: i for node, i in zip(entry.pattern, ids)}
            found[kind].add((nodes["party_a"], nodes["party_b"]))
    assert found[DependencyMatcher] == {(0, 4), (0, 12)}
    assert found[ClauseMatcher] == {(0, 4)}


@pytest.mark.parametrize("c", [*CASES, *NEGATIVE_CASES, CROSSING_CLAUSES], ids=str)
def test_clause_matcher_finds_the_stock_matches_that_stay_in_one_clause(nlp, patterns, c: Case):
    """The relation matcher (a pruned search, ``>>`` / ``<<`` in one clause) gives, in the same
    order, the stock DependencyMatcher's matches none of whose ``>>`` / ``<<`` steps passes a
    clause with a subject of its own."""
    from deal_extract.deals.clauses import ClauseMatcher, crosses_clause
    doc = c.doc(nlp.vocab)
    entries = patterns.relations.relations
    stock, bounded = DependencyMatcher(nlp.vocab), ClauseMatcher(nlp.vocab)
    for entry in entries:
        for m in (stock, bounded):
            m.add(entry.id, [entry.pattern])
    pattern_of = {nlp.vocab.strings[e.id]: e.pattern for e in entries}

    def in_one_clause(match_id: int, ids: list[int]) -> bool:
        pattern = pattern_of[match_id]
        position = {node["RIGHT_ID"]: k for k, node in enumerate(pattern)}
        for k, node in enumerate(pattern):
            upper, lower = ids[position[node.get("LEFT_ID", node["RIGHT_ID"])]], ids[k]
            if node.get("REL_OP") == "<<":
                upper, lower = lower, upper
            if node.get("REL_OP") in (">>", "<<") and crosses_clause(doc[lower], doc[upper]):
                return False
        return True

    assert bounded(doc) == [(k, ids) for k, ids in stock(doc) if in_one_clause(k, ids)]


def test_acquired_rights_is_a_licence_not_an_acquisition(extractor):
    record = extractor.extract_text(
        "Pipeline notes\n\nOrvane Bio Inc. acquired exclusive rights to the antibody from Telmar Pharma Ltd. "
        "for US$30 million.\n", source="rights.txt")
    [deal] = record.deals
    assert deal.deal_types == ["licensing"]


def test_a_plant_bought_from_a_company_is_an_acquisition_with_the_seller(extractor):
    record = extractor.extract_text(
        "Pipeline notes\n\nOrvane Bio Inc. agreed to buy a biologics plant from Telmar Pharma Ltd. "
        "for US$30 million.\n", source="plant.txt")
    [deal] = record.deals
    assert sorted(p.name for p in deal.partners) == ["Orvane Bio Inc.", "Telmar Pharma Ltd."]
    assert deal.deal_types == ["acquisition"]


def _deals(extractor, body: str) -> list[tuple[list[str], list[str]]]:
    record = extractor.extract_text("Pipeline notes\n\n" + body + "\n", source="invented.txt")
    return sorted((sorted(p.name for p in d.partners), d.deal_types) for d in record.deals)


def test_a_colon_list_of_acquisitions_pairs_the_buyer_with_each(extractor):
    deals = _deals(extractor, "Orvane Bio Ltd. has grown largely by acquisition: Delta Labs in 2015, "
                              "Kestrel Pharma Ltd in 2018 and Norvex Inc. in 2021.")
    assert [partners for partners, _ in deals] == [
        ["Delta Labs", "Orvane Bio Ltd."], ["Kestrel Pharma Ltd", "Orvane Bio Ltd."], ["Norvex Inc.", "Orvane Bio Ltd."]]
    assert all(types == ["acquisition"] for _, types in deals)


def test_earlier_agreements_including_pairs_their_owner_with_each_partner(extractor):
    deals = _deals(extractor, "The licence follows earlier agreements by Medix Bio Inc., including a research "
                              "collaboration with Amgen Inc. and a co-development pact with NextCure, Inc.")
    assert [partners for partners, _ in deals] == [["Amgen Inc.", "Medix Bio Inc."], ["Medix Bio Inc.", "NextCure, Inc."]]


def test_a_repeated_preposition_names_one_partner_each(extractor):
    deals = _deals(extractor, "Zeta Pharma Co., Ltd. signed memoranda with Sino Vaccine Co. on flu shots, with "
                              "Walvax Biotechnology on pneumococcal vaccines and with Zhifei Biological on rabies.")
    assert [partners for partners, _ in deals] == [
        ["Sino Vaccine Co.", "Zeta Pharma Co., Ltd."], ["Walvax Biotechnology", "Zeta Pharma Co., Ltd."],
        ["Zeta Pharma Co., Ltd.", "Zhifei Biological"]]


def test_a_sentence_listing_more_backers_joins_the_round(extractor):
    deals = _deals(extractor, "Kappa Therapeutics Inc. raised US$50 million in a Series B round led by Alder Capital. "
                              "Earlier backers returned: Birch Ventures and Cedar Partners. "
                              "New names on the register include Dune Investment.")
    assert deals == [(["Alder Capital", "Birch Ventures", "Cedar Partners", "Dune Investment", "Kappa Therapeutics Inc."],
                      ["investment"])]


def test_a_licence_told_beside_a_financing_takes_no_investors(extractor):
    """The licence is a deal of its two parties; the round (read since "co-led" is one word for the
    parser) is a deal of its own, with the investors."""
    deals = _deals(extractor, "Ardent Bio launched with US$90 million in Series A financing to develop drugs it "
                              "licensed from Hangzhou Pelican Biosciences. Alder Capital and Birch Ventures co-led the round.")
    assert sorted(partners for partners, _ in deals) == [["Alder Capital", "Ardent Bio", "Birch Ventures"],
                                                          ["Ardent Bio", "Hangzhou Pelican Biosciences"]]


def test_a_relative_clause_on_an_organisation_is_its_own_deal(extractor):
    deals = _deals(extractor, "Harrowgate Capital, which bought Qilin Pharma Ltd. in 2019, will exit with a large gain.")
    assert deals == [(["Harrowgate Capital", "Qilin Pharma Ltd."], ["acquisition"])]


def test_a_relative_clause_on_a_descriptor_stands_for_the_organisation(extractor):
    deals = _deals(extractor, "Kappa Health raised US$80 million. Tallis Partners, the Australian investment vehicle "
                              "that first backed Kappa Health in 2020, also took part.")
    assert ["Kappa Health", "Tallis Partners"] in [partners for partners, _ in deals]


def test_a_relative_clause_on_a_purchase_is_not_about_the_company_bought(extractor):
    deals = _deals(extractor, "The clearest precedent is Orvane Bio's acquisition of Telmar Therapeutics, a $2.4 billion "
                              "purchase that gave the Osaka company a marketed cancer portfolio.")
    assert deals == [(["Orvane Bio", "Telmar Therapeutics"], ["acquisition"])]


@pytest.mark.parametrize("body, granted, retained", [
    ("Telmar Pharma Ltd. granted Orvane Bio Inc. rights in Europe and Japan, and retains the rights in Greater China.",
     ["Europe", "JP"], ["Greater China"]),
    ("Orvane Bio Inc. licensed its antibody to Telmar Pharma Ltd. for all markets outside Korea.", [], ["KR"]),
    ("Orvane Bio Inc. licensed its antibody to Telmar Pharma Ltd. for every market except China and Japan.", [], ["CN", "JP"]),
])
def test_territories_granted_and_retained(extractor, body, granted, retained):
    """Only granted territories go in the record; the Doc's deal keeps the retained ones too."""
    doc = extractor.nlp("Pipeline notes\n\n" + body + "\n")
    [deal] = doc._.deals
    assert (deal["territories"], deal["retained_territories"]) == (granted, retained)
    [record] = extractor.extract_text("Pipeline notes\n\n" + body + "\n", source="t.txt").deals
    assert record.territories == granted


def test_a_description_naming_a_country_refers_to_an_organisation_of_that_country(extractor):
    deals = _deals(extractor, "Orvane Bio Inc. of South Korea and Telmar Pharma Co., Ltd. of Japan have been partners "
                              "since 2019. On Monday the Japanese drugmaker licensed a cancer antibody from Qilin "
                              "Therapeutics for US$40 million.")
    assert (["Qilin Therapeutics", "Telmar Pharma Co., Ltd."], ["licensing"]) in deals


def test_a_share_of_a_company_bought_from_its_owner_pairs_the_seller(extractor):
    """The named seller is a partner (SPEC section 6 role seller; LABELLING.md "Sellers are
    partners", which replaced the earlier convention that left it out)."""
    deals = _deals(extractor, "Orvane Bio Ltd. agreed to buy 100% of Telmar Serums Ltd. from Harrowgate Capital "
                              "for about US$1.6 billion.")
    assert [partners for partners, _ in deals] == [["Harrowgate Capital", "Orvane Bio Ltd.", "Telmar Serums Ltd."]]


def test_a_stock_exchange_is_never_a_partner(extractor):
    assert _deals(extractor, "Orvane Bio raises US$436m in upsized Nasdaq IPO") == []
    deals = _deals(extractor, "Orvane Bio Ltd. listed its shares on the Korea Exchange and signed a licence with "
                              "Telmar Pharma Ltd.")
    assert deals == [(["Orvane Bio Ltd.", "Telmar Pharma Ltd."], ["licensing"])]


@pytest.mark.parametrize("body, expected", [
    ("Orvane Bio Inc. licensed its eye drug to Telmar Pharma Ltd. for Japan. The licensee also signed a supply "
     "agreement with Harrowgate Labs Inc.", ["Harrowgate Labs Inc.", "Telmar Pharma Ltd."]),
    ("Orvane Bio Inc. in-licensed the antibody from Telmar Pharma Ltd. in 2021. The licensor later signed a supply "
     "agreement with Harrowgate Labs Inc.", ["Harrowgate Labs Inc.", "Telmar Pharma Ltd."]),
    ("Orvane Bio Inc. agreed to acquire Telmar Pharma Ltd. for $2 billion. The buyer signed a financing agreement "
     "with Harrowgate Bank.", ["Harrowgate Bank", "Orvane Bio Inc."]),
])
def test_a_role_noun_refers_to_the_party_with_that_role_in_the_last_deal(extractor, body, expected):
    assert expected in [partners for partners, _ in _deals(extractor, body)]


def test_the_lead_sentence_of_a_round_gives_its_amount(extractor):
    record = extractor.extract_text(
        "Pipeline notes\n\nKappa Therapeutics Inc., a Boston gene therapy developer, said on Monday it had raised "
        "US$50 million in Series B financing. The round was led by Alder Capital, with participation from Birch "
        "Ventures and Cedar Partners.\n", source="round.txt")
    [deal] = record.deals
    assert len(deal.partners) == 4 and deal.value is not None and deal.value.amount == 50e6


@pytest.mark.parametrize("first, currency", [
    ("Shanghai Orvane Biotech Co., Ltd. of China", "CNY"),
    ("Tokyo-based Orvane Pharma Co., Ltd. of Japan", "JPY"),
])
def test_a_bare_yen_sign_is_the_yuan_in_a_chinese_deal(extractor, first, currency):
    record = extractor.extract_text(f"Pipeline notes\n\n{first} licensed its antibody to Hangzhou Telmar Pharma "
                                    "Co., Ltd. of China for ¥500 million.\n", source="yuan.txt")
    [deal] = record.deals
    assert (deal.value.amount, deal.value.currency) == (500e6, currency)


@pytest.mark.parametrize("stake, types", [
    ("a 20% stake", ["investment"]),
    ("a majority stake", ["acquisition", "investment"]),
])
def test_a_stake_short_of_control_is_an_investment(extractor, stake, types):
    deals = _deals(extractor, f"Orvane Bio Ltd. acquired {stake} in Telmar Pharma Ltd. for US$9 million.")
    assert deals == [(["Orvane Bio Ltd.", "Telmar Pharma Ltd."], types)]


def test_a_source_of_the_news_is_no_partner(extractor):
    assert _deals(extractor, "Before this round, Orvane Bio had raised a little more than US$51 million, according "
                             "to data from Tallis Data Inc.") == []


def test_deals_of_a_background_list_take_no_theme_from_the_heading(extractor):
    record = extractor.extract_text(
        "Pipeline notes\n\nThe cancer drug with a checkpoint\n\nOrvane Bio Ltd. agreed to buy Telmar Oncology Inc., "
        "a developer of cancer antibodies. The purchase fits a long pattern at Orvane Bio Ltd., which has grown "
        "largely by acquisition: Delta Labs in 2015 and Norvex Inc. in 2021.\n", source="bg.txt")
    themes = {tuple(sorted(p.name for p in d.partners)): d.themes for d in record.deals}
    assert themes[("Delta Labs", "Orvane Bio Ltd.")] == [] and themes[("Norvex Inc.", "Orvane Bio Ltd.")] == []


def test_investors_who_led_the_round_join_the_company_that_raised_it(extractor):
    deals = _deals(extractor, "London-based Kappa Bio has launched with $411 million in Series A financing to develop "
                              "obesity medicines.\n\nAlder Capital and Birch Ventures led the oversubscribed round. "
                              "Cedar Capital Management, Dune Partners and Elm Capital also invested.")
    assert deals == [(["Alder Capital", "Birch Ventures", "Cedar Capital Management", "Dune Partners", "Elm Capital",
                       "Kappa Bio"], ["investment"])]


def test_a_share_price_is_no_deal_value_and_the_next_paragraph_gives_it(extractor):
    record = extractor.extract_text(
        "Orvane shares jump on licence\n\nShares in Orvane Bio rose 17 per cent to $1.70 after the company struck a "
        "partnership with Telmar Pharma over its back pain candidate.\n\nOrvane Bio stands to collect up to "
        "US$150 million in upfront and milestone payments.\n", source="price.txt")
    [deal] = record.deals
    assert (deal.value.amount, deal.value.currency) == (150e6, "USD")


@pytest.mark.parametrize("body, expected", [
    ("Orvane Bio Inc., a Seoul-based CDMO, opened a new plant in Incheon this year. Telmar Pharma Ltd. said its "
     "sales rose. On Monday the CDMO signed a ten-year supply agreement with Qilin Therapeutics.",
     ["Orvane Bio Inc.", "Qilin Therapeutics"]),
    ("Researchers at Kappa University discovered the antibody in 2018. Orvane Bio Ltd. later raised money for its "
     "trials. The university has now signed a licence agreement with Telmar Pharma Ltd.",
     ["Kappa University", "Telmar Pharma Ltd."]),
    ("The Ministry of Health said demand had doubled. Orvane Bio Ltd. opened a plant. The ministry signed a supply "
     "contract with Telmar Pharma Ltd. on Friday.", ["Ministry of Health", "Telmar Pharma Ltd."]),
])
def test_a_definite_description_refers_to_the_last_organisation_of_its_kind(extractor, body, expected):
    """"the CDMO" (what the text called it), "the university", "the ministry" (its kind): not the
    nearest subject."""
    assert [partners for partners, _ in _deals(extractor, body)] == [expected]


def test_a_strict_description_with_no_organisation_of_its_kind_refers_to_no_one(extractor):
    assert _deals(extractor, "Orvane Bio Ltd. opened a plant. The university signed a licence agreement with "
                             "Telmar Pharma Ltd.") == []


def test_a_reference_opening_a_paragraph_takes_the_most_salient_organisation_of_the_one_before(extractor):
    """Not the last sentence's subject: the organisation the paragraph before is most about."""
    deals = _deals(extractor, "Orvane Bio Ltd. licensed its eye drug to Telmar Pharma Ltd. in 2021.\n\nSales of the "
                              "drug rose last year. Orvane Bio Ltd. said its revenue doubled and Orvane Bio Ltd. hired "
                              "staff. Telmar Pharma Ltd. said little.\n\nThe company has now signed a supply deal with "
                              "Qilin Therapeutics.")
    assert ["Orvane Bio Ltd.", "Qilin Therapeutics"] in [partners for partners, _ in deals]


def test_what_the_text_calls_an_organisation(nlp):
    """Apposition, a noun before the name and a copula, on a hand-built parse."""
    from deal_extract.deals.descriptions import called
    words = ["Orvane", ",", "a", "contract", "manufacturer", ",", "met", "drugmaker", "Telmar", ".", "Qilin", "is",
             "an", "investor"]
    heads = [6, 0, 4, 4, 0, 0, 6, 8, 6, 6, 11, 11, 13, 11]
    deps = ["nsubj", "punct", "det", "compound", "appos", "punct", "ROOT", "compound", "dobj", "punct", "nsubj",
            "ROOT", "det", "attr"]
    pos = ["PROPN", "PUNCT", "DET", "NOUN", "NOUN", "PUNCT", "VERB", "NOUN", "PROPN", "PUNCT", "PROPN", "AUX", "DET",
           "NOUN"]
    lemmas = ["Orvane", ",", "a", "contract", "manufacturer", ",", "meet", "drugmaker", "Telmar", ".", "Qilin", "be",
              "an", "investor"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos, lemmas=lemmas)
    assert called(doc, {0: 0, 8: 1, 10: 2}) == {0: frozenset({"manufacturer", "contract manufacturer"}),
                                                1: frozenset({"drugmaker"}), 2: frozenset({"investor"})}


@pytest.mark.parametrize("body, types", [
    ("Orvane Bio Ltd. buys Telmar Pharma Ltd.'s India branded business for US$150 million.", ["acquisition"]),
    ("Orvane Bio Ltd. agreed to buy a shuttered Telmar Pharma Ltd. biologics plant in Ohio.", ["acquisition"]),
    ("Orvane Bio Ltd. signed a supply agreement with Telmar Pharma Ltd. to buy 14 million doses of its vaccine.",
     ["manufacturing"]),
])
def test_a_purchase_is_an_acquisition_only_of_a_company_or_an_asset(extractor, body, types):
    [(_, found)] = _deals(extractor, body)
    assert found == types



def test_an_organisation_named_in_a_description_of_an_investor_is_no_partner(extractor):
    """"X, the venture arm of Y," and "a subsidiary of Z": Y and Z describe an investor, they did not invest."""
    deals = _deals(extractor, "Kappa Health Inc. closed a US$80 million Series C round led by Alder Capital. New "
                              "investors in the round include Birch Ventures, the corporate venture arm of Telmar "
                              "Telecom, a subsidiary of Qilin Holdings Ltd., and Cedar Partners.")
    assert deals == [(["Alder Capital", "Birch Ventures", "Cedar Partners", "Kappa Health Inc."], ["investment"])]


@pytest.mark.parametrize("text, name", [
    ("PT Orvane Farma Tbk signed a supply agreement with Telmar Pharma Ltd.", "PT Orvane Farma Tbk"),
    ("Orvane Hospital Public Company Limited signed a supply agreement with Telmar Pharma Ltd.",
     "Orvane Hospital Public Company Limited"),
])
def test_a_country_legal_form_belongs_to_the_name(extractor, text, name):
    record = extractor.extract_text("Pipeline notes\n\n" + text + "\n", source="legal.txt")
    assert name in [o.name for o in record.organisations]


def test_a_round_told_in_part_under_the_headline_is_the_whole_round(extractor):
    record = extractor.extract_text(
        "Kappa Health closes US$80 million Series C\n\nBirch Ventures and Cedar Partners join as new investors\n\n"
        "Kappa Health Inc. closed a US$80 million Series C round led by Alder Capital. New investors in the round "
        "include Birch Ventures and Cedar Partners.\n", source="round.txt")
    assert [sorted(p.name for p in d.partners) for d in record.deals] == [
        ["Alder Capital", "Birch Ventures", "Cedar Partners", "Kappa Health Inc."]]


def test_the_sentence_gives_the_value_over_a_heading_and_the_money_sentence_continues_the_round(extractor):
    """"Kappa raises A$34m" (a heading) and "closed a US$23 million (A$34 million) round": the
    sentence's figure as written; "The money goes to its vaccine patch" is about the round."""
    record = extractor.extract_text(
        "Deal file\n\nKappa raises A$34m (December 2022)\nKappa Health Ltd. closed a US$23 million (A$34 million) "
        "round led by Alder Capital and Birch Ventures. The money goes to clinical work on its vaccine patch.\n",
        source="value.txt")
    [deal] = record.deals
    assert (deal.value.amount, deal.value.currency) == (23e6, "USD") and "vaccine" in deal.themes


def test_an_infinitive_trigger_takes_the_subject_of_the_verb_above(extractor):
    """"X agreed to take a stake in Y": every pattern whose first party is its trigger's subject
    also reads it from the verb above an infinitive (a generated variant of the pattern)."""
    deals = _deals(extractor, "Orvane Bio Ltd. agreed to take a 30% stake in Telmar Pharma Ltd. for US$90 million.")
    assert deals == [(["Orvane Bio Ltd.", "Telmar Pharma Ltd."], ["investment"])]
    assert _deals(extractor, "Orvane Bio Ltd. hopes to take a stake in Telmar Pharma Ltd.") == []


def test_a_described_target_refers_to_the_organisation_of_its_city(extractor):
    deals = _deals(extractor, "Telmar Generics Ltd. of the Czech Republic has been for sale since March. Orvane Capital said on Monday "
                              "it had agreed to buy the Prague-based drugmaker from Birch Partners.")
    assert [partners for partners, _ in deals] == [["Birch Partners", "Orvane Capital", "Telmar Generics Ltd."]]


def test_controlled_variants_are_built_only_for_patterns_with_the_triggers_own_subject(patterns):
    from deal_extract.deals.matching import controlled_variant
    by_id = {e.id: e for e in patterns.relations.relations}
    variant = controlled_variant(by_id["acquire_stake_in"])
    assert variant is not None and variant.pattern[0]["RIGHT_ATTRS"]["DEP"] == {"IN": ["xcomp", "acl"]}
    assert next(n for n in variant.pattern if n["RIGHT_ID"] == "party_a")["LEFT_ID"] == "controller"
    assert controlled_variant(by_id["agreed_to_acquire"]) is None   # its trigger is already an infinitive


def test_two_named_organisations_are_no_pair_when_the_sentence_is_told_of_a_third(extractor):
    """The fallback pairing of a sentence's two organisations gives way to its subject "it"
    when that stands for a third organisation."""
    deals = _deals(extractor, "Orvane Bio Ltd. has become a repeat buyer. In January it agreed terms worth up to "
                              "US$1 billion with Telmar Pharma Ltd. for a c-Met drug, and a year later it took global "
                              "rights to Qilin Therapeutics' DLL3 drug for US$80 million.")
    assert ["Qilin Therapeutics", "Telmar Pharma Ltd."] not in [partners for partners, _ in deals]


def test_the_owner_named_before_an_investor_is_no_partner(extractor):
    deals = _deals(extractor, "Kappa Health Inc. closed a US$50 million Series D round led by Alder Capital, with "
                              "participation from Qilin Holdings Ltd.'s Cedar Venture Fund.")
    assert deals == [(["Alder Capital", "Cedar Venture Fund", "Kappa Health Inc."], ["investment"])]


@pytest.mark.parametrize("body, types", [
    ("Orvane Bio Ltd. and Telmar Pharma Ltd. formed a joint venture for insulin in India.",
     ["co_development", "investment"]),
    ("Orvane Bio Ltd. worked with Telmar Pharma Ltd. on a rapid test kit.", ["co_development"]),
])
def test_a_joint_venture_and_working_together_are_joint_development(extractor, body, types):
    [(_, found)] = _deals(extractor, body)
    assert found == types


def test_the_headline_gives_the_value_when_no_sentence_does(extractor):
    record = extractor.extract_text(
        "Orvane Bio buys Telmar Pharma plant in Ohio for $36.5m\n\nOrvane Bio Ltd. has agreed to buy a biologics "
        "plant in Ohio from Telmar Pharma Ltd., the companies said on Monday.\n", source="plant.txt")
    [deal] = record.deals
    assert (deal.value.amount, deal.value.currency) == (36.5e6, "USD")



def test_an_organisation_said_to_be_a_licensee_of_another_is_its_licensee(extractor):
    assert _deals(extractor, "Telmar Pharma Ltd. is a licensee of Orvane Bio Ltd. in Japan.") == [
        (["Orvane Bio Ltd.", "Telmar Pharma Ltd."], ["licensing"])]


def test_the_evidence_is_the_sentence_that_reports_the_deal_most_completely(extractor):
    """Both partners named and an amount beat a quote that names one partner."""
    record = extractor.extract_text(
        "Pipeline notes\n\nThe chief executive said the partnership with Telmar Pharma Ltd. would make Orvane Bio "
        "a global player. Orvane Bio Ltd. signed a licence agreement with Telmar Pharma Ltd. worth up to US$500 "
        "million.\n", source="evidence.txt")
    [deal] = record.deals
    assert deal.evidence.text.startswith("Orvane Bio Ltd. signed a licence agreement")


def test_an_agreement_to_do_something_takes_the_subject_of_the_verb_that_signed_it(extractor):
    deals = _deals(extractor, "Orvane Bio Ltd. said on Monday that it signed an agreement to transfer its ADC "
                              "technology to Telmar Biotech Ltd.")
    assert deals == [(["Orvane Bio Ltd.", "Telmar Biotech Ltd."], ["licensing"])]


def test_a_sentence_telling_part_of_a_total_gives_no_value(extractor):
    record = extractor.extract_text(
        "Pipeline notes\n\nOrvane Bio Ltd. will buy a drug portfolio from Telmar Pharma Ltd. in a deal worth 332.4 "
        "billion won. Of the total, Telmar Pharma Ltd. will receive US$266 million in cash at closing.\n",
        source="part.txt")
    [deal] = record.deals
    assert (deal.value.amount, deal.value.currency) == (332.4e9, "KRW")


@pytest.mark.parametrize("body", [
    "The Food and Drug Administration granted Orvane Bio Ltd. Fast Track designation in 2020.",
    "Telmar Capital Ltd. took part again, as did Orvane Ventures Ltd.",
])
def test_a_regulators_grant_and_taking_part_are_no_deal_of_their_own(extractor, body):
    assert _deals(extractor, body) == []


@pytest.mark.parametrize("line", [
    "- Orvane Bio Ltd. and Telmar Pharma Ltd. launch Kestrel Therapeutics Ltd. to make cell therapies for others",
    "- Orvane Bio Ltd. and Telmar Pharma Ltd. formed Kestrel Therapeutics Ltd. to make cell therapies",
])
def test_the_new_company_of_a_joint_launch_is_no_partner(extractor, line):
    record = extractor.extract_text("Related articles\n" + line + "\n", source="launch.txt")
    assert [sorted(p.name for p in d.partners) for d in record.deals] == [["Orvane Bio Ltd.", "Telmar Pharma Ltd."]]


def test_a_conjugates_inn_stem_is_an_adc_and_the_portfolio_sentence_continues_its_deal(extractor):
    record = extractor.extract_text(
        "Pipeline notes\n\nTelmar Pharma Ltd. paid Orvane Bio Ltd. US$200 million for rights to disitamab vedotin "
        "outside Asia. Orvane Bio Ltd. will also sell Telmar Pharma Ltd. a portfolio of older drugs. The portfolio "
        "includes the diabetes treatments Nesina and Actos.\n", source="inn.txt")
    [deal] = record.deals
    assert {"adc", "metabolic"} <= set(deal.themes)


def test_we_in_an_interview_is_the_interviewees_company_and_a_licence_taken_is_from_it(extractor):
    """"Orvane's Kim Min-ho" names the speaker's company: "we signed" is Orvane's, and "Telmar
    took a licence" (no licensor named) is a licence from Orvane."""
    record = extractor.extract_text(
        "Orvane's Kim Min-ho on turning an enzyme into a business\n\nOrvane Bio Ltd. was founded in 2008. Harrowgate "
        "Labs Inc. and Qilin Holdings Ltd. are its largest holders.\n\nQ: What changed this year?\n\nA: In June we "
        "signed an exclusive licence with Kestrel Pharma Inc. for our enzyme.\n\nQ: Your partners are not all "
        "originators.\n\nA: Telmar Pharma Ltd. took a licence at the end of 2022 for one of its biosimilars.\n",
        source="interview.txt")
    pairs = [sorted(p.name for p in d.partners) for d in record.deals]
    assert ["Kestrel Pharma Inc.", "Orvane Bio Ltd."] in pairs and ["Orvane Bio Ltd.", "Telmar Pharma Ltd."] in pairs


def test_a_follow_up_noun_of_another_kind_does_not_continue_the_deal(extractor):
    """"The licence is worth ..." after an investment: the licence is another deal's."""
    record = extractor.extract_text(
        "Pipeline notes\n\nAlder Capital agreed to invest US$55 million in Kappa Health Inc. in January. The licence "
        "is worth up to US$1.1 billion in total.\n", source="kinds.txt")
    [deal] = record.deals
    assert (deal.value.amount, deal.value.currency) == (55e6, "USD")


def test_an_equity_value_is_no_investment(extractor):
    deals = _deals(extractor, "Orvane Pharma Co., Ltd. agreed to acquire Telmar Pharmaceuticals, Inc. for US$25.60 per "
                              "share in cash, an equity value of about US$2.4 billion.")
    assert deals == [(["Orvane Pharma Co., Ltd.", "Telmar Pharmaceuticals, Inc."], ["acquisition"])]


def test_a_manufacturing_word_describing_the_plant_bought_is_no_supply_deal(extractor):
    deals = _deals(extractor, "Orvane Pharma Co., Ltd. agreed to buy Telmar BioSolutions Inc.'s sterile fill/finish "
                              "plant in Maryland for about $30 million.")
    assert deals == [(["Orvane Pharma Co., Ltd.", "Telmar BioSolutions Inc."], ["acquisition"])]


def _partner_sets(extractor, text: str) -> list[list[str]]:
    record = extractor.extract_text(text, source="invented.txt")
    return sorted(sorted(p.name for p in d.partners) for d in record.deals)


@pytest.mark.parametrize("sentence, partners", [
    ("Orvane Bio and Kestrel University have formalised a memorandum of understanding to develop AI tools.",
     ["Kestrel University", "Orvane Bio"]),
    ("Orvane Bio and Kestrel University are teaming up to develop AI tools for eye screening.",
     ["Kestrel University", "Orvane Bio"]),
    ("The arrangement brings together Orvane Bio, Kestrel Health and Norvex Labs to deploy chest X-ray software.",
     ["Kestrel Health", "Norvex Labs", "Orvane Bio"]),
])
def test_partnership_light_verbs(extractor, sentence, partners):
    assert _partner_sets(extractor, "News\n\n" + sentence + "\n") == [partners]


def test_finder_reads_title_case_deal_words(nlp, finder):
    # "Acme and Beta signed a License Agreement ." as a press release writes it: the model tags
    # and lemmatises "License Agreement" as proper nouns ("Agreement", capitalised)
    doc = run_finder(nlp, finder, """
        Acme       Acme       PROPN nsubj    3 B-ORG
        and        and        CCONJ cc       0 O
        Beta       Beta       PROPN conj     0 B-ORG
        signed     sign       VERB  ROOT     3 O
        a          a          DET   det      6 O
        License    License    PROPN compound 6 O
        Agreement  Agreement  PROPN dobj     3 O
        .          .          PUNCT punct    3 O
    """)
    assert [d["rule"] for d in doc._.deals] == ["joint_subject"]
    assert partner_sets(doc) == [frozenset({"Acme", "Beta"})]


def test_a_partnership_between_two_names_the_parser_misreads(extractor):
    # the parser takes the unknown second name for the verb; the words alone still tell the deal
    deals = _deals(extractor, "A three-year partnership between Kelvar Health and QXInnovate to build "
                              "diagnostics with artificial intelligence (AI) was announced.")
    assert [partners for partners, _ in deals] == [["Kelvar Health", "QXInnovate"]]


def _record(extractor, body: str):
    return extractor.extract_text(body, source="invented.txt")


def test_a_theme_word_inside_a_name_in_the_headline_is_no_cue(extractor):
    record = _record(extractor, "Kelvar Bio Raises US$7.5 Million Led by Marovia Brain to Take Antibiotic Forward\n\n"
                                "Kelvar Bio said the round was led by Marovia Brain Corporation, a Japanese venture investor, "
                                "to develop antibiotics.")
    [deal] = record.deals
    assert "neurology" not in deal.themes and "infectious_disease" in deal.themes


def test_a_follow_up_that_names_only_other_organisations_continues_no_deal(extractor):
    record = _record(extractor, "Pipeline notes\n\nIn October Kelvar Therapeutics closed a US$600 million Series B led by "
                                "Marovia Capital.\n\nFor Telmar Pharma, the deal was structured to pay up to US$5 billion "
                                "in sales milestones.\n")
    [deal] = [d for d in record.deals if {p.name for p in d.partners} == {"Kelvar Therapeutics", "Marovia Capital"}]
    assert deal.value is not None and deal.value.amount == 600_000_000


def test_a_licensee_told_what_it_may_do(extractor):
    deals = _deals(extractor, "Telmar Pharma said it had licensed Kelvar Biologics to make and supply one billion doses "
                              "of its vaccine.")
    assert deals == [(["Kelvar Biologics", "Telmar Pharma"], ["licensing", "manufacturing"])]


@pytest.mark.parametrize("sentence, theme", [
    ("Kelvar Bio signed a deal with Telmar Pharma on its degrader-antibody conjugates.", "adc"),
    ("Kelvar Bio signed a deal with Telmar Pharma to test a DNA vaccine against the coronavirus.", "infectious_disease"),
])
def test_theme_words(extractor, sentence, theme):
    [deal] = _record(extractor, "Pipeline notes\n\n" + sentence + "\n").deals
    assert theme in deal.themes
