"""The README against the code: the command-line synopsis names every command and option, the
Dask section's commands work outside a checkout, and the record contract's place in the repository.
"""

from __future__ import annotations

import re
from typing import get_args
from pathlib import Path

import pytest
import typer.main

from deal_extract.cli import _register, app

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The README's text under the heading that starts with ``title``, up to the next heading of its level or above."""
    match = re.search(rf"^(#+) {re.escape(title)}.*$", README, re.MULTILINE)
    assert match, f"README has no heading {title!r}"
    level = len(match.group(1))
    rest = README[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[:end.start()] if end else rest


def synopsis() -> dict[str, str]:
    """Command name -> its synopsis (the indented ``deal-extract NAME ...`` lines and their continuations)."""
    entries: dict[str, str] = {}
    name = None
    for line in section("Command line").split("\n\n")[1].splitlines():
        words = line.split()
        if words[:1] == ["deal-extract"] and len(words) > 1 and not words[1].startswith("-"):
            name = words[1]
            entries[name] = line
        elif name is not None and line.startswith("     "):
            entries[name] += " " + line.strip()
    return entries


def commands() -> dict:
    _register()
    return typer.main.get_command(app).commands


def test_synopsis_names_every_command():
    assert set(synopsis()) == set(commands())


@pytest.mark.parametrize("name", sorted(commands()))
def test_synopsis_names_every_option_of_a_command(name):
    written = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", synopsis()[name]))
    options = [p for p in commands()[name].params if p.param_type_name == "option"]
    missing = [p.opts[-1] for p in options if not set(p.opts) & written]
    assert not missing, f"README synopsis of {name} lacks {missing}"
    assert written <= {o for p in options for o in p.opts}, f"README synopsis of {name} names options it has not"


def test_synopsis_writes_floors_as_the_command_takes_them():
    evaluate = synopsis()["evaluate"]
    assert "--min FIELD.MEASURE=VALUE" in evaluate and "--min FIELD=VALUE" not in README


def test_dask_install_and_start_commands_work_outside_a_checkout():
    dask = section("More than one machine")
    commands_shown = [line.split("#")[0].strip() for line in dask.splitlines() if line.startswith("    ")]
    installs = [c for c in commands_shown if c.startswith("pip install")]
    assert installs and all(" -e " not in c and "'.[" not in c for c in installs), installs
    assert any(re.fullmatch(r"pip install '\S+\.whl\[dask\]'", c) for c in installs)
    assert any(c.startswith("pip wheel ") for c in commands_shown)
    assert any(c.startswith("dask scheduler") for c in commands_shown)
    assert any(c.startswith("dask worker tcp://") for c in commands_shown)
    assert any(c.startswith("deal-extract batch ") and "--dask local" in c for c in commands_shown)


# --- the record contract, inside the repository -------------------------------------------------

def test_the_readme_points_at_the_record_contract_in_docs():
    assert "[`docs/records.md`](docs/records.md)" in README.split("## Quick start")[0]


def test_docs_name_every_record_field_and_every_id_and_their_gold_example_validates():
    import yaml

    from deal_extract import vocab
    from deal_extract.records import ArticleResult, Deal, GoldDeal, GoldFile, Organisation, Party

    docs = (REPO / "docs" / "records.md").read_text(encoding="utf-8")
    written = set(re.findall(r"`([a-z_]+)`", docs))
    for model in (ArticleResult, Organisation, Party, Deal):
        assert set(model.model_fields) <= written, f"docs/records.md lacks {set(model.model_fields) - written} of {model.__name__}"
    ids = (*vocab.THEMES, *vocab.DEAL_TYPES, *vocab.ORG_KINDS, *get_args(vocab.Role), *get_args(vocab.DealStatus))
    assert set(ids) <= written, f"docs/records.md lacks {set(ids) - written}"
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", docs, re.DOTALL).group(1))
    GoldFile.model_validate(example)
    assert set(example["deals"][0]) == set(GoldDeal.model_fields)  # the example shows every key a gold deal may have
