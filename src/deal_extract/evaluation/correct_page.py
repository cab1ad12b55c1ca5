"""The correction form of the review page (``deal-extract report --correct``): per article its
draft gold file (:func:`deal_extract.evaluation.corrections.draft`) and a button that opens the
form, and once per page the vocabularies and the script (``correct.js``) that runs the form."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from deal_extract.evaluation.corrections import draft, vocabularies
from deal_extract.evaluation.htmlparts import attr

if TYPE_CHECKING:
    from deal_extract.evaluation.report import ReportArticle

#: the element that tells a page with the correction form (``serve --corrections`` looks for it)
SCRIPT_ID = "deal-extract-correct"

CSS = """
div.correct { margin: 0.5rem 0 1rem; } .correct-editor { border: 1px solid #ccc; padding: 0.5rem 1rem; background: #fafafa; }
.correct-editor input, .correct-editor select { font-size: 0.85rem; }
fieldset.correct-deal { margin: 0.5rem 0; border: 1px solid #ddd; } fieldset.correct-deal.wrong { opacity: 0.55; }
fieldset.correct-deal.added { border-color: #dc2626; } .correct-ticks label { margin-right: 0.6rem; white-space: nowrap; }
.correct-label { font-weight: bold; } label.verdict { margin-right: 1rem; font-weight: bold; }
tr.left-out input[data-field=name] { text-decoration: line-through; } .correct-problems { color: #b91c1c; }
.correct-editor .set { outline: 2px solid #15803d; }
.correct-yaml { background: #fff; border: 1px solid #eee; padding: 0.5rem; font-size: 0.8rem; }
"""


def _json_in_html(value: Any) -> str:
    """JSON that a ``<script type="application/json">`` holds as it is: no ``</script>`` can end it early."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def correct_box(article: "ReportArticle") -> str:
    """The article's draft and the button that opens its form (hidden until the script shows it)."""
    return (f'<div class="correct" data-article="{attr(article.name)}">'
            '<button type="button" class="correct-open" hidden>Correct this article</button>'
            f'<script type="application/json" class="correct-draft">{_json_in_html(draft(article))}</script></div>')


@lru_cache(maxsize=1)
def _script() -> str:
    return resources.files("deal_extract.evaluation").joinpath("correct.js").read_text(encoding="utf-8")


def correct_scripts() -> str:
    """The vocabularies of the form and its script, once per page (after the articles)."""
    return (f'<script type="application/json" id="deal-extract-vocab">{_json_in_html(vocabularies())}</script>'
            f'<script id="{SCRIPT_ID}">{_script()}</script>')
