"""From judged candidates to deal records: which candidates are kept, and their records.

Kept: every candidate whose calibrated probability is at or above the model's threshold; a
kept multi-party set absorbs the kept candidates inside it (a round's investor pairs are the
round). A kept candidate's record is the rules' record when the rules read it, else one made
by the rules' own record builder from the candidate's window; its ``confidence`` is the
calibrated probability.
"""

from __future__ import annotations

from typing import Sequence

from deal_extract.deals.merge import DealDraft
from deal_extract.deals.mentions import Mention
from deal_extract.deals.record import deal_record
from deal_extract.judge.candidates import Candidate
from deal_extract.judge.view import DocView
from deal_extract.judge.windows import best_window

#: the ``rule`` of a record the judge made from a pair or set the rules did not read
JUDGE_RULE = "judge"


def kept(partner_sets: Sequence[frozenset], probabilities: Sequence[float], threshold: float) -> list[int]:
    """Indices of the kept candidates, in their order (see the module doc)."""
    above = [i for i, p in enumerate(probabilities) if p >= threshold]
    sets = [partner_sets[i] for i in above if len(partner_sets[i]) > 2]
    return [i for i in above if not any(partner_sets[i] < s for s in sets)]


def with_confidence(record: dict, probability: float) -> dict:
    return {**record, "confidence": round(float(probability), 3)}


def candidate_record(view: DocView, candidate: Candidate, source: str, single_deal: bool) -> dict:
    """The rules' record of the candidate, else one built from its best window."""
    if candidate.record is not None:
        return candidate.record
    window, _ = best_window(view, candidate)
    first, last = window if window is not None else (0, 0)
    mention = Mention(candidate.partners, first, 0.0, JUDGE_RULE)
    draft = DealDraft(candidate.partners, [mention], [last] if last != first else [])
    return deal_record(view.facts, view.words.deal, draft, {}, single_deal, source)
