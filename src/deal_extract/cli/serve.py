"""``deal-extract serve OUTPUT_DIR``: browse, filter, facet and search a batch's deal database in Datasette.

Prints the address on stdout and serves until Ctrl-C; warnings (no review page yet) on stderr.
Exit 2 when Datasette is not installed (one line naming the extra), the folder has no database
or the ``--corrections`` folder cannot be written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from deal_extract.cli import command, fail, say
from deal_extract.cli.messages import printable
from deal_extract.corpus.explorer import DEFAULT_HOST, DEFAULT_PORT, START_PATH, ExplorerError, explorer, run


@command("serve")
def serve_command(
    output_dir: Annotated[Path, typer.Argument(metavar="OUTPUT_DIR", help="A batch's output folder (deal-extract batch CORPUS -o OUTPUT_DIR).")],
    host: Annotated[str, typer.Option("--host", metavar="HOST", help="Address to listen on; the default serves this machine only.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, metavar="PORT", help="Port to listen on.")] = DEFAULT_PORT,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the deals table in the web browser.")] = False,
    corrections: Annotated[Optional[Path], typer.Option("--corrections", metavar="DIR", help="Folder (created if need be) where the review page's correction form (report --from OUTPUT_DIR --correct) saves each article's gold file, DIR/<article>.yaml.")] = None,
) -> None:
    """Explore OUTPUT_DIR/deals.sqlite in Datasette: facets, search, canned queries, links to the evidence; needs 'deal-extract[datasette]'."""
    try:
        found = explorer(output_dir, corrections=corrections)
    except ExplorerError as exc:
        raise fail("serve", exc) from None
    for warning in found.warnings:
        say(f"warning: {warning}")
    url = f"http://{host}:{port}{START_PATH}"
    typer.echo(printable(url))
    if corrections is not None:
        say(f"deal-extract serve: corrections from the review page are saved in {corrections}")
    say("deal-extract serve: serving until Ctrl-C")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    run(found, host=host, port=port)
