"""Read a YAML mapping safely, with errors that name the file, the line and the cause.

An alias (``*name``) repeats the node its anchor names without copying it; every later step
(validation, the JSON cache, messages) writes the repeats out, so a few hundred bytes of
aliases of aliases can stand for billions of nodes. A file whose aliases add more than
:data:`MAX_ALIAS_NODES` nodes, or that contains itself, is refused as it is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import yaml


#: Deepest nesting of lists and mappings accepted (the rule files need five levels).
MAX_DEPTH = 100
#: The most nodes aliases may add to a file by repeating what they name (the packaged relations.yml: 528).
MAX_ALIAS_NODES = 100_000


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (libyaml's parser where PyYAML has it: the curated list is thousands of
    entries) that refuses a key given twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            # plain scalar keys (all of ours) compare by their resolved tag and text; others are built
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str":
                key = key_node.value
            else:
                key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_mapping(path: Path, error: type[Exception], what: str) -> dict[str, Any]:
    """Safe loading of ``path`` (no key twice), which must hold a mapping; problems raise ``error``.

    ``what`` names the kind of file in messages ("pattern file", "gold file").
    """
    return parse_mapping(path, read_text(path, error, what), error)


def read_text(path: Path, error: type[Exception], what: str) -> str:
    """The text of ``path`` (UTF-8); a missing or unreadable file raises ``error``."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from None


def parse_mapping(path: Path, text: str, error: type[Exception]) -> dict[str, Any]:
    """The mapping ``text`` (read from ``path``, named in messages) holds; problems raise ``error``."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise error(f"{path}: YAML syntax error at {where}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: YAML error: {exc}") from None
    except RecursionError:
        raise error(f"{path}: YAML nested more than {MAX_DEPTH} levels deep") from None
    if _deeper_than(data, MAX_DEPTH):  # later steps (validation, messages) recurse through it
        raise error(f"{path}: YAML nested more than {MAX_DEPTH} levels deep")
    added = alias_nodes(data)
    if added is None or added > MAX_ALIAS_NODES:
        raise error(f"{path}: YAML aliases (*name) " + ("repeat a node inside itself" if added is None else
                    f"add {added:,} nodes, more than {MAX_ALIAS_NODES:,}") + ": refused")
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and mappings nest more than ``limit`` levels (walked without recursion, each
    node once: aliases may share a node many times)."""
    stack = [(data, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (list, dict)) and id(node) not in seen:
            if depth > limit:
                return True
            seen.add(id(node))
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def alias_nodes(data: Any) -> Optional[int]:
    """How many more nodes ``data`` has written out than as read (each use of an alias repeats
    the whole node it names), or None when a node contains itself. Each list and mapping is
    visited once."""
    expanded: dict[int, int] = {}   # id -> nodes once written out (itself included)
    written = 1
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (list, dict)):
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if done:
            expanded[id(node)] = 1 + sum(expanded.get(id(c), 1) for c in children)
            continue
        if id(node) in expanded:
            if expanded[id(node)] < 0:
                return None  # reached again while its own children are being counted
            continue
        expanded[id(node)] = -1
        written += len(children)
        stack.append((node, True))
        stack.extend((child, False) for child in children)
    return expanded.get(id(data), 1) - written
