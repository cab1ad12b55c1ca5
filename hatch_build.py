"""Build step: the packaged cache of parsed pattern files (``deal_extract/parsed_patterns.json``,
see ``src/deal_extract/yamlcache.py``), so that loading the packaged patterns parses no YAML.

It runs for wheels and editable installs alike. Only PyYAML is needed (a build requirement):
the two modules are loaded from the source tree without importing the package (which needs spaCy).
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CACHE = "src/deal_extract/parsed_patterns.json"


class ParsedPatternsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        yamlcache = _load_without_package(root / "src" / "deal_extract", "yamlfile", "yamlcache")
        count = yamlcache.build(root / "patterns", root / CACHE)
        self.app.display_info(f"parsed-patterns cache: {count} files in {CACHE}")


def _load_without_package(folder: Path, *names: str) -> types.ModuleType:
    """Load ``deal_extract.<name>`` for each name from ``folder``, under a stand-in package that
    runs no ``__init__``; returns the last. The stand-in is removed afterwards."""
    package = types.ModuleType("deal_extract")
    package.__path__ = [str(folder)]
    saved = {key: sys.modules.get(key) for key in ["deal_extract", *(f"deal_extract.{n}" for n in names)]}
    sys.modules["deal_extract"] = package
    try:
        for name in names:
            spec = importlib.util.spec_from_file_location(f"deal_extract.{name}", folder / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
        return module
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
