"""A DependencyMatcher whose ``>>`` and ``<<`` steps stay in one clause, with a pruned search.

spaCy's :class:`~spacy.matcher.DependencyMatcher` tries the Cartesian product of every token
that fits each node of a pattern and only then checks the relations; ``>>`` lists a whole
subtree and each root is found by walking every matched token's ancestors. On a long sentence
of many clauses ("A signed a licence with B; C signed ... with D; ...", a run-on line) that is
a power of the sentence's length per pattern, in C code no signal interrupts.

:class:`ClauseMatcher` finds the same matches in the same order, in time bounded by the clauses:

- a ``>>`` / ``<<`` step never passes (below its upper node) a clause head with a subject of
  its own: "X licensed A to B, and it later sold a plant to C": "to C" is not under
  "licensed" (the rule of the relation patterns, :func:`crosses_clause`);
- each node is chosen among the tokens its step reaches from the node it hangs on, in the
  order the product would give, instead of filtering the whole product;
- every step's reach is capped at :data:`MAX_REACH` tokens and a sentence's search at
  :data:`WORK_PER_TOKEN` steps per token, so that the work is linear in the text whatever its
  clauses (no sentence of the gold corpora comes near either bound).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator, Optional

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

#: Dependencies that attach a clause to another; with a subject of its own it is another statement.
CLAUSE_DEPS = frozenset({"conj", "advcl", "ccomp", "relcl", "parataxis"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
#: The most tokens one ``>>`` / ``<<`` step (or any other) may reach from its node.
MAX_REACH = 400
#: The search steps a sentence may take per token (then the matcher stops for that sentence).
WORK_PER_TOKEN = 200


def is_clause_head(token: Token) -> bool:
    """``token`` heads a clause attached to another, with a subject of its own."""
    return token.dep_ in CLAUSE_DEPS and any(c.dep_ in SUBJECT_DEPS for c in token.children)


def crosses_clause(token: Token, ancestor: Token) -> bool:
    """The path up from ``token`` to ``ancestor`` passes (below ``ancestor``) a clause head with its own subject."""
    while token.i != ancestor.i and token.head.i != token.i:
        if is_clause_head(token):
            return True
        token = token.head
    return False


class DocState:
    """What the search reads about one Doc, computed once per Doc: heads, children, clause heads,
    and the search steps left."""

    def __init__(self, doc: Doc):
        self.head = [t.head.i for t in doc]
        self.children: list[list[int]] = [[] for _ in self.head]
        for i, h in enumerate(self.head):
            if h != i:
                self.children[h].append(i)
        self.clause_head = [is_clause_head(t) for t in doc]
        self.budget = WORK_PER_TOKEN * max(len(doc), 1)
        self.work_left = self.budget
        self.reach: dict[tuple[int, str], frozenset[int]] = {}
        self._roots: Optional[list[int]] = None

    @property
    def steps(self) -> int:
        """The search steps taken so far (at most :data:`WORK_PER_TOKEN` per token)."""
        return self.budget - self.work_left

    def roots(self) -> list[int]:
        """The root of each token's tree, in one pass (once per Doc)."""
        if self._roots is None:
            self._roots = self._find_roots()
        return self._roots

    def _find_roots(self) -> list[int]:
        root = [-1] * len(self.head)
        for i in range(len(self.head)):
            path, t = [], i
            while root[t] < 0 and self.head[t] != t:
                path.append(t)
                t = self.head[t]
            r = t if root[t] < 0 else root[t]
            root[t] = r
            for p in path:
                root[p] = r
        return root

    def descendants(self, node: int) -> list[int]:
        """``>>`` in one clause: the descendants not under (or at) a clause head below ``node``."""
        out, stack = [], list(reversed(self.children[node]))
        while stack and len(out) < MAX_REACH:
            t = stack.pop()
            self.work_left -= 1
            if self.clause_head[t]:
                continue
            out.append(t)
            stack.extend(reversed(self.children[t]))
        return out

    def ancestors(self, node: int) -> list[int]:
        """``<<`` in one clause: the ancestors up to the first clause head on the way (from ``node`` itself)."""
        out, t = [], node
        while self.head[t] != t and not self.clause_head[t] and len(out) < MAX_REACH:
            t = self.head[t]
            out.append(t)
        self.work_left -= len(out)
        return out


class ClauseMatcher(DependencyMatcher):
    """A :class:`~spacy.matcher.DependencyMatcher` with the bounds of the module docstring (same
    patterns, same API, the matches of the stock matcher whose ``>>``/``<<`` steps stay in one clause)."""

    def __reduce__(self):
        return (_rebuild, (self.vocab, dict(self._raw_patterns), self._callbacks), None, None)

    def __call__(self, doclike: Doc | Span, state: Optional[DocState] = None) -> list[tuple[int, list[int]]]:
        """The stock matcher's ``(key, token indices)``. ``state``: the :class:`DocState` of
        ``doclike`` when several matchers search one Doc: they share its tree and its budget."""
        doc = doclike.as_doc() if isinstance(doclike, Span) else doclike
        self._doc = DocState(doc) if state is None else state
        return super().__call__(doc)

    @property
    def steps(self) -> int:
        """The search steps of the last call (at most :data:`WORK_PER_TOKEN` per token)."""
        state = getattr(self, "_doc", None)
        return 0 if state is None else state.steps

    def _get_keys_to_position_maps(self, doc: Doc):
        root = self._doc.roots()
        positions: dict = defaultdict(lambda: defaultdict(list))
        for match_id, start, _end in self._matcher(doc):
            positions[root[start]][match_id].append(start)
        return positions

    def _get_matches(self, cache, doc, tree, tokens_to_key, keys_to_position) -> Iterator[list[int]]:
        state = self._doc
        all_positions = [keys_to_position[key] for key in tokens_to_key]
        if not all(all_positions):
            return
        step_of = {right: (left, op) for left, steps in tree.items() for op, right in steps}
        rank = [None] * len(all_positions)   # per node: token -> its place among the node's tokens
        match = [0] * len(all_positions)

        def options(j: int) -> list[int]:
            if j == 0:
                return all_positions[0]
            left, op = step_of[j]
            reach = self._reach(state, doc, match[left], op)
            state.work_left -= len(reach) + 1   # the filtering or sorting below
            if len(all_positions[j]) <= len(reach):
                return [p for p in all_positions[j] if p in reach]
            if rank[j] is None:
                rank[j] = {p: k for k, p in enumerate(all_positions[j])}
            return sorted((p for p in reach if p in rank[j]), key=rank[j].__getitem__)

        def extend(j: int) -> Iterator[list[int]]:
            if j == len(match):
                yield list(match)
                return
            for p in options(j):
                if state.work_left <= 0:
                    return
                match[j] = p
                yield from extend(j + 1)

        yield from extend(0)

    def _reach(self, state: DocState, doc: Doc, node: int, op: str) -> frozenset[int]:
        key = (node, op)
        found = state.reach.get(key)
        if found is None:
            if op == ">>":
                found = frozenset(state.descendants(node))
            elif op == "<<":
                found = frozenset(state.ancestors(node))
            else:
                reached = self._ops[op](doc, node)
                state.work_left -= len(reached)
                found = frozenset(t.i for t in reached[:MAX_REACH])
            state.reach[key] = found
        return found


def _rebuild(vocab: Vocab, patterns: dict, callbacks: dict) -> ClauseMatcher:
    matcher = ClauseMatcher(vocab)
    for key, specs in patterns.items():
        matcher.add(key, specs, on_match=callbacks.get(key))
    return matcher
