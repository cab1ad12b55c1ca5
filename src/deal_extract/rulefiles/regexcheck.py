"""Refuse regular expressions that can backtrack catastrophically.

Python's ``re`` backtracks, so a repetition inside a repetition (``(?:[A-Z]\\w+\\s?)+``)
can take exponential time on a string that almost matches, and a backreference makes
matching NP-hard in general. So can a repetition whose body matches one string in two ways:
overlapping alternatives (``(\\w|\\w\\w)+``: 42 characters, 73 s) or an optional part that
what follows it may also match (``(?:\\w?\\w)+``). :func:`regex_problem` looks at the parsed
expression and names any of these; the built-in expressions and every ``REGEX`` in a pattern
file must have none.

Inside a repetition, every choice (between alternatives, or whether to take an optional part)
must be decided by the next character: the characters each way can start with (including what
follows a way that may match nothing, the next round of the repetition too) must not overlap.
(Alternatives of one character each, ``(?:[a-z]|x)+``, are one class: no choice.)

An optional group (``(?:...)?``) is no repetition; a bounded repetition of a single
character (``\\d{3}``) is counted as a repetition too, so ``(?:,\\d{3})+`` is refused
(write ``(?:,\\d\\d\\d)+``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

try:  # Python 3.11+
    from re import _compiler as _sre_compile, _constants as _sre_constants, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(_sre_constants, "POSSESSIVE_REPEAT", None)
if _POSSESSIVE is not None:
    _REPEATS.add(_POSSESSIVE)
_BACKREFERENCES = {_sre_constants.GROUPREF, _sre_constants.GROUPREF_EXISTS}
_BACKREFERENCES |= {op for op in (getattr(_sre_constants, "GROUPREF_IGNORE", None),
                                  getattr(_sre_constants, "GROUPREF_LOC_IGNORE", None),
                                  getattr(_sre_constants, "GROUPREF_UNI_IGNORE", None)) if op is not None}
_ZERO_WIDTH = {_sre_constants.AT, _sre_constants.ASSERT, _sre_constants.ASSERT_NOT}
_ATOMIC = getattr(_sre_constants, "ATOMIC_GROUP", None)
#: The characters a choice is tested on: ASCII and a few others each class may or may not hold.
_SAMPLE = [chr(i) for i in range(128)] + list("\u00a0\u00c9\u00df\u00e9\u017f\u0663\u2028\u212a\u4e2d\U0001f600")
OVERLAP = ("overlapping choices inside a repetition (such as (\\w|\\w\\w)+ or (?:\\w?\\w)+: two ways to match "
           "the same text) can take exponential time")


def regex_problem(pattern: str | re.Pattern) -> Optional[str]:
    """Why ``pattern`` may take super-linear time (nested repetition, backreference), or ``None``."""
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0
    if isinstance(source, bytes):
        source = source.decode("latin-1")
    try:
        parsed = _sre_parse.parse(source, flags & ~re.UNICODE)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    return _walk(list(parsed), inside_repeat=False) or _Choices(parsed.state).problem(list(parsed))


def _walk(items: Iterable[tuple[Any, Any]], inside_repeat: bool) -> Optional[str]:
    for op, arg in items:
        if op in _BACKREFERENCES:
            return "a backreference (\\1, (?P=name), (?(1)...)) can take exponential time; use a token pattern instead"
        if op in _REPEATS:
            low, high, body = arg
            repeats = high > 1
            if repeats and inside_repeat:
                return "a repetition inside a repetition (such as (a+)+ or (?:\\w+\\s?)*) can take exponential time"
            problem = _walk(list(body), inside_repeat or repeats)
        else:
            problem = _walk(_children(op, arg), inside_repeat)
        if problem:
            return problem
    return None


def _children(op: Any, arg: Any) -> list[tuple[Any, Any]]:
    """The sub-expressions of one parsed node (groups, alternatives, lookarounds, conditionals)."""
    if op is _sre_constants.SUBPATTERN:
        return list(arg[-1])
    if op is _sre_constants.BRANCH:
        return [node for branch in arg[1] for node in branch]
    if op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
        return list(arg[1])
    atomic = getattr(_sre_constants, "ATOMIC_GROUP", None)
    if atomic is not None and op is atomic:
        return list(arg)
    return []


class _Choices:
    """Finds a choice inside a repetition that the next character does not decide."""

    def __init__(self, state: Any):
        self.state = state
        self._chars: dict[str, frozenset[str]] = {}

    def problem(self, items: list[tuple[Any, Any]]) -> Optional[str]:
        """The first repetition (of more than one round) with an undecided choice, anywhere in ``items``."""
        for op, arg in items:
            if op in _REPEATS and arg[1] > 1:
                body = list(arg[2])
                if self._undecided(body, self.first(body)[0]):
                    return OVERLAP
            elif self.problem(_children(op, arg)):
                return OVERLAP
        return None

    def _undecided(self, items: list[tuple[Any, Any]], follow: frozenset[str]) -> bool:
        """A choice in the sequence ``items`` (followed by characters in ``follow``) is undecided."""
        for k, (op, arg) in enumerate(items):
            after, empty = self.first(items[k + 1:])
            after = after | follow if empty else after
            if op is _sre_constants.BRANCH:
                starts = [self._start(list(alt), after) for alt in arg[1]]
                if any(a & b for i, a in enumerate(starts) for b in starts[i + 1:]):
                    return True
                if any(self._undecided(list(alt), after) for alt in arg[1]):
                    return True
            elif op in _REPEATS:  # at most one round here (a repetition inside one is refused before)
                if self._start(list(arg[2]), after) & after or self._undecided(list(arg[2]), after):
                    return True
            elif self._undecided(_children(op, arg), after):
                return True
        return False

    def _start(self, items: list[tuple[Any, Any]], follow: frozenset[str]) -> frozenset[str]:
        first, empty = self.first(items)
        return first | follow if empty else first

    def first(self, items: list[tuple[Any, Any]]) -> tuple[frozenset[str], bool]:
        """The characters ``items`` can start with, and whether they can match nothing."""
        found: frozenset[str] = frozenset()
        for op, arg in items:
            if op in _ZERO_WIDTH:
                continue
            if op is _sre_constants.BRANCH:
                ways = [self.first(list(alt)) for alt in arg[1]]
                chars, empty = frozenset().union(*(w[0] for w in ways)), any(w[1] for w in ways)
            elif op in _REPEATS:
                chars, empty = self.first(list(arg[2]))
                empty = empty or arg[0] == 0
            elif op is _sre_constants.SUBPATTERN or (_ATOMIC is not None and op is _ATOMIC):
                chars, empty = self.first(_children(op, arg))
            else:
                chars, empty = self._one(op, arg), False
            found |= chars
            if not empty:
                return found, False
        return found, True

    def _one(self, op: Any, arg: Any) -> frozenset[str]:
        """The sample characters one character-matching node (literal, class, any) matches."""
        key = repr((op, arg))
        if key not in self._chars:
            matcher = _sre_compile.compile(_sre_parse.SubPattern(self.state, [(op, arg)]), self.state.flags)
            self._chars[key] = frozenset(c for c in _SAMPLE if matcher.match(c))
        return self._chars[key]


def pattern_regexes(node: Any) -> Iterable[str]:
    """Every ``REGEX`` value in a token or DependencyMatcher pattern (nested dicts and lists)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "REGEX" and isinstance(value, str):
                yield value
            else:
                yield from pattern_regexes(value)
    elif isinstance(node, list):
        for value in node:
            yield from pattern_regexes(value)
