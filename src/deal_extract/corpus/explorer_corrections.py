"""The Datasette plugin route of ``deal-extract serve OUTPUT --corrections DIR``: the review page
saves an analyst's corrections as ``DIR/<article stem>.yaml``.

``/-/deal-extract/corrections`` is on only when the plugin's settings name the folder
(``plugins: {deal-extract: {corrections: DIR}}``, from ``serve --corrections``):

- ``GET``: ``{"folder": DIR, "csrftoken": TOKEN}``; the response also sets Datasette's CSRF
  cookie (``ds_csrftoken``);
- ``POST`` of ``{"article": STEM, "gold": {...}, "overwrite": false}`` as ``application/json``
  with the token in an ``x-csrftoken`` header: validated and written by
  :func:`deal_extract.evaluation.corrections.save_correction`; ``201 {"path", "replaced": false}``
  for a new file, ``200 {"path", "replaced": true}`` when ``overwrite`` replaced one, else
  ``{"error": ...}`` with 400, 403, 404, 409 (``"exists": true`` when the article's file is
  there and ``overwrite`` was not given) or 413.

Datasette's CSRF check (asgi-csrf) lets a POST without cookies through, as one that carries no
one's credentials; this route writes files, so it asks every POST for the token of its own
cookie in the header (a page of another site can neither read the token nor send the header
without the CORS permission Datasette does not give), for JSON and, when the browser says where
the request comes from (``Origin``), for this server's own address.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Optional
from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.utils.asgi import Response

from deal_extract.corpus.outputs import write_problem
from deal_extract.evaluation.corrections import CorrectionError, CorrectionExists, save_correction
from deal_extract.evaluation.gold import article_stem

PLUGIN = "deal-extract"
PATH = "/-/deal-extract/corrections"
CSRF_COOKIE = "ds_csrftoken"
#: the largest request body taken (a gold file is a few kilobytes)
MAX_BODY = 1_000_000


def corrections_folder(datasette: Any) -> Optional[str]:
    """The folder corrections are saved in, from the plugin's settings; ``None``: saving is off."""
    return (datasette.plugin_config(PLUGIN) or {}).get("corrections")


def _error(status: int, message: str, **extra: Any) -> Response:
    return Response.json({"error": message, **extra}, status=status)


def _refused(request: Any) -> Optional[str]:
    """Why a POST may not write (CSRF, content type, origin), or ``None``."""
    token, cookie = request.headers.get("x-csrftoken", ""), request.cookies.get(CSRF_COOKIE, "")
    if not token or not cookie or not secrets.compare_digest(token, cookie):
        return f"the request lacks the CSRF token of its {CSRF_COOKIE} cookie in an x-csrftoken header (GET {PATH} gives both)"
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return "the request is not application/json"
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return f"the request comes from {origin}, not from this server"
    return None


async def _articles(datasette: Any) -> set[str]:
    """The names of the articles of the served database (what gold files pair with)."""
    found = await datasette.get_database("deals").execute("SELECT source FROM articles")
    return {article_stem(source) for (source,) in found.rows}


async def corrections_view(request: Any, datasette: Any) -> Response:
    folder = corrections_folder(datasette)
    if folder is None:
        return _error(404, "not served with --corrections: download the YAML from the review page instead")
    if request.method == "GET":
        return Response.json({"folder": folder, "csrftoken": request.scope["csrftoken"]()})
    if request.method != "POST":
        return _error(405, "GET or POST only")
    refused = _refused(request)
    if refused:
        return _error(403, refused)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:  # said before it is read
        return _error(413, f"the request is over {MAX_BODY:,} bytes")
    body = await request.post_body()
    if len(body) > MAX_BODY:
        return _error(413, f"the request is over {MAX_BODY:,} bytes")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, f"the request is not JSON: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("overwrite", False), bool):
        return _error(400, 'the request is {"article": NAME, "gold": {...}, "overwrite": true|false}')
    try:
        saved = save_correction(folder, data.get("article"), data.get("gold"), overwrite=data.get("overwrite", False),
                                articles=await _articles(datasette))
    except CorrectionError as exc:
        return _error(exc.status, "\n".join(exc.lines), exists=isinstance(exc, CorrectionExists))
    except OSError as exc:
        return _error(500, write_problem(exc, folder))
    return Response.json({"path": str(saved.path), "replaced": saved.replaced}, status=200 if saved.replaced else 201)


@hookimpl
def register_routes(datasette):
    return [(rf"^{PATH}$", corrections_view)]
