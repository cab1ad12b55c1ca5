"""``deal-extract serve OUTPUT``: a batch's deal database in Datasette, on this machine.

Datasette (the optional ``datasette`` extra) serves ``OUTPUT/deals.sqlite`` read-only, with the
metadata the project ships in ``explorer.yml`` (table and column descriptions, facets, canned
queries), and the output folder as static files under ``/output/``: the review page that
``deal-extract report --from OUTPUT`` writes there (``OUTPUT/report.html``) is where each deal's
evidence links lead (:mod:`deal_extract.corpus.explorer_links`). ``serve`` writes nothing.

The plugin's settings (:func:`metadata`, under ``plugins: {deal-extract: ...}``) are where a later
writing feature names its folder (corrections posted from the review page) and the plugin module
where it adds its route (Datasette's ``register_routes`` hook).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from deal_extract.corpus.database import DATABASE_NAME
from deal_extract.evaluation.htmlparts import REVIEW_PAGE

PLUGIN = "deal-extract"
#: where the output folder is served: /output/report.html, /output/articles/...
MOUNT = "output"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
#: the first page to open: the deals table
START_PATH = "/deals/deals"


class ExplorerError(RuntimeError):
    """Datasette missing, or no usable deal database; ``str()`` is the one line to print."""


@dataclass
class Explorer:
    datasette: Any
    warnings: list[str] = field(default_factory=list)


def require() -> None:
    """Raise :class:`ExplorerError`, saying which extra to install, when Datasette cannot be imported."""
    try:
        import datasette  # noqa: F401
    except ImportError as exc:
        raise ExplorerError(f"serve needs Datasette, which cannot be imported ({exc}): install the 'datasette' "
                            "extra: pip install 'deal-extract[datasette]'") from None


def metadata() -> dict:
    """The shipped Datasette metadata (``explorer.yml``), with the plugin's settings."""
    data = yaml.safe_load(resources.files("deal_extract.corpus").joinpath("explorer.yml").read_text(encoding="utf-8"))
    data["plugins"] = {PLUGIN: {"review_page": f"/{MOUNT}/{REVIEW_PAGE}"}}
    return data


def _check_database(path: Path, output: Path) -> None:
    if not path.is_file():
        raise ExplorerError(f"{path} not found: run 'deal-extract batch CORPUS -o {output}' first")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise ExplorerError(f"{path}: not a readable SQLite database ({exc})") from None
    if "deals_fts" not in tables:
        raise ExplorerError(f"{path} was written by an older deal-extract (it has no search index): run "
                            f"'deal-extract batch CORPUS -o {output}' again to update it")


def _review_warnings(output: Path, database: Path) -> list[str]:
    page = output / REVIEW_PAGE
    if not page.is_file():
        return [f"{page} not found: the deals' evidence links lead there once "
                f"'deal-extract report --from {output}' has written it"]
    if page.stat().st_mtime < database.stat().st_mtime:
        return [f"{page} is older than {database}: run 'deal-extract report --from {output}' again, "
                "so that every evidence link finds its deal"]
    return []


def explorer(output: Path | str) -> Explorer:
    """The Datasette instance of an output folder, and warnings about its review page.

    Raises :class:`ExplorerError` when Datasette is missing, or the folder or its database is.
    """
    require()
    from datasette.app import Datasette
    from datasette.plugins import pm

    from deal_extract.corpus import explorer_links

    output = Path(output)
    if not output.is_dir():
        raise ExplorerError(f"{output}: output folder not found")
    database = output / DATABASE_NAME
    _check_database(database, output)
    if pm.get_plugin(PLUGIN) is None:
        pm.register(explorer_links, name=PLUGIN)
    datasette = Datasette(files=[str(database)], metadata=metadata(),
                          static_mounts=[(MOUNT, str(output.resolve()))])
    return Explorer(datasette=datasette, warnings=_review_warnings(output, database))


def run(found: Explorer, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(found.datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
