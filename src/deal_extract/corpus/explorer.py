"""``deal-extract serve OUTPUT``: a batch's deal database in Datasette, on this machine.

Datasette (the optional ``datasette`` extra) serves ``OUTPUT/deals.sqlite`` read-only, with the
metadata the project ships in ``explorer.yml`` (table and column descriptions, facets, canned
queries), and the output folder as static files under ``/output/``: the review page that
``deal-extract report --from OUTPUT`` writes there (``OUTPUT/report.html``) is where each deal's
evidence links lead (:mod:`deal_extract.corpus.explorer_links`). ``serve`` writes nothing, unless
given a corrections folder: then the review page's correction form (``report --from OUTPUT
--correct``) saves gold files there through the plugin's route
(:mod:`deal_extract.corpus.explorer_corrections`), named in the plugin's settings
(:func:`metadata`, under ``plugins: {deal-extract: {corrections: DIR}}``).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import yaml

from deal_extract.corpus.database import DATABASE_NAME
from deal_extract.corpus.outputs import check_writable
from deal_extract.evaluation.correct_page import SCRIPT_ID
from deal_extract.evaluation.htmlparts import REVIEW_PAGE

PLUGIN = "deal-extract"
#: the plugin module with the corrections route, registered apart from the links
CORRECTIONS_PLUGIN = "deal-extract-corrections"
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


def metadata(corrections: Optional[Path] = None) -> dict:
    """The shipped Datasette metadata (``explorer.yml``), with the plugin's settings: the review
    page, and the folder corrections are saved in (none: saving is off)."""
    data = yaml.safe_load(resources.files("deal_extract.corpus").joinpath("explorer.yml").read_text(encoding="utf-8"))
    data["plugins"] = {PLUGIN: {"review_page": f"/{MOUNT}/{REVIEW_PAGE}"}}
    if corrections is not None:
        data["plugins"][PLUGIN]["corrections"] = str(Path(corrections).resolve())
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


def _review_warnings(output: Path, database: Path, corrections: bool = False) -> list[str]:
    page = output / REVIEW_PAGE
    again = f"'deal-extract report --from {output}{' --correct' if corrections else ''}'"
    if not page.is_file():
        return [f"{page} not found: the deals' evidence links lead there once {again} has written it"]
    if page.stat().st_mtime < database.stat().st_mtime:
        return [f"{page} is older than {database}: run {again} again, so that every evidence link finds its deal"]
    if corrections and f'id="{SCRIPT_ID}"' not in page.read_text(encoding="utf-8", errors="replace"):
        return [f"{page} has no correction form: run {again} to add it"]
    return []


def _corrections_folder(folder: Path) -> None:
    try:
        check_writable(folder)
    except OSError as exc:
        raise ExplorerError(f"--corrections: cannot write in {folder}: {exc.strerror or exc}") from None


def explorer(output: Path | str, corrections: Optional[Path | str] = None) -> Explorer:
    """The Datasette instance of an output folder, and warnings about its review page.
    ``corrections``: the folder (created if need be) where the review page saves gold files.

    Raises :class:`ExplorerError` when Datasette is missing, or the folder or its database is,
    or the corrections folder cannot be written.
    """
    require()
    from datasette.app import Datasette
    from datasette.plugins import pm

    from deal_extract.corpus import explorer_corrections, explorer_links

    output = Path(output)
    if not output.is_dir():
        raise ExplorerError(f"{output}: output folder not found")
    database = output / DATABASE_NAME
    _check_database(database, output)
    if corrections is not None:
        _corrections_folder(Path(corrections))
    for module, name in ((explorer_links, PLUGIN), (explorer_corrections, CORRECTIONS_PLUGIN)):
        if pm.get_plugin(name) is None:
            pm.register(module, name=name)
    datasette = Datasette(files=[str(database)], metadata=metadata(Path(corrections) if corrections is not None else None),
                          static_mounts=[(MOUNT, str(output.resolve()))])
    return Explorer(datasette=datasette, warnings=_review_warnings(output, database, corrections is not None))


def run(found: Explorer, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(found.datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
