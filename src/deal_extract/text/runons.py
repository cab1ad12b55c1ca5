"""Sentence starts that cut a run-on stretch of text, set before the parser.

The deal rules read each sentence as a whole (its clauses, its tree, its organisations), so a
sentence of thousands of words ("A signed a licence with B; C signed ... with D; ..." on one
line) costs them a power of its length. A stretch of more than :data:`MAX_RUN_TOKENS` tokens
with no line break and no token ending in ``.``, ``!`` or ``?`` is cut into pieces no longer
than that: after its last ``;`` in the second half of the piece, else after its last ``,``,
else hard. No stretch in the gold corpora is half as long (the longest is 82 tokens), so
ordinary text is parsed as before.
"""

from __future__ import annotations

from spacy.tokens import Doc

#: The longest stretch of tokens without a sentence end that is parsed as it is.
MAX_RUN_TOKENS = 200
_ENDS = (".", "!", "?")
_CUT_AFTER = (";", ",")


def run_on_starts(doc: Doc, starts: dict[int, int], max_run: int = MAX_RUN_TOKENS) -> None:
    """Add to ``starts`` (token index -> 1 starts a sentence, -1 does not) the starts that cut
    every over-long stretch of ``doc``; the starts already there are kept."""
    run_start = 0
    last_cut = {mark: -1 for mark in _CUT_AFTER}   # the latest token after each mark in the run
    for tok in doc:
        i = tok.i
        if i > run_start and starts.get(i) == 1:
            run_start, last_cut = i, dict.fromkeys(_CUT_AFTER, -1)
        if i - run_start >= max_run:
            half = run_start + max_run // 2
            cut = next((k for k in (last_cut[m] for m in _CUT_AFTER) if k > half and starts.get(k) != -1), i)
            starts[cut] = 1
            run_start, last_cut = cut, dict.fromkeys(_CUT_AFTER, -1)
        if tok.text in _CUT_AFTER and i + 1 < len(doc):
            last_cut[tok.text] = i + 1
        if tok.text.endswith(_ENDS) or "\n" in tok.text:
            run_start, last_cut = i + 1, dict.fromkeys(_CUT_AFTER, -1)
