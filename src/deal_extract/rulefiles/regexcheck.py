"""Refuse regular expressions that can backtrack catastrophically.

Python's ``re`` backtracks, so a repetition inside a repetition (``(?:[A-Z]\\w+\\s?)+``)
can take exponential time on a string that almost matches, and a backreference makes
matching NP-hard in general. :func:`regex_problem` looks at the parsed expression and names
either; the built-in expressions and every ``REGEX`` in a pattern file must have none.

An optional group (``(?:...)?``) is no repetition; a bounded repetition of a single
character (``\\d{3}``) is counted as a repetition too, so ``(?:,\\d{3})+`` is refused
(write ``(?:,\\d\\d\\d)+``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

try:  # Python 3.11+
    from re import _constants as _sre_constants, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
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
    return _walk(list(parsed), inside_repeat=False)


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
