"""Build step: the packaged cache of parsed pattern files (``deal_extract/parsed_patterns.json``,
see ``src/deal_extract/rulefiles/cache.py``), so that loading the packaged patterns parses no YAML.

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
        yamlcache = _load_without_package(root / "src" / "deal_extract", "rulefiles.yamlfile", "rulefiles.cache")
        count = yamlcache.build(root / "patterns", root / CACHE)
        self.app.display_info(f"parsed-patterns cache: {count} files in {CACHE}")


def _load_without_package(folder: Path, *names: str) -> types.ModuleType:
    """Load ``deal_extract.<name>`` for each dotted name from ``folder``, under stand-in packages
    that run no ``__init__``; returns the last. The stand-ins are removed afterwards."""
    packages = {"deal_extract": folder}
    for name in names:
        parts = name.split(".")[:-1]
        for i in range(1, len(parts) + 1):
            packages["deal_extract." + ".".join(parts[:i])] = folder.joinpath(*parts[:i])
    saved = {key: sys.modules.get(key) for key in [*packages, *(f"deal_extract.{n}" for n in names)]}
    for key, path in packages.items():
        package = types.ModuleType(key)
        package.__path__ = [str(path)]
        sys.modules[key] = package
    try:
        for name in names:
            path = folder.joinpath(*name.split(".")).with_suffix(".py")
            spec = importlib.util.spec_from_file_location(f"deal_extract.{name}", path)
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
