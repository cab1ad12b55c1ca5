"""The cache of parsed pattern files (start-up): the same patterns as the YAML read the slow
way, rebuilt when stale or corrupt, written only where the user opted in."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest

from deal_extract.rulefiles import cache as yamlcache
from deal_extract.rulefiles.loader import PatternError, Patterns, default_patterns_dir
from deal_extract.rulefiles.cache import CACHE_ENV, CACHE_FILE, ParsedYaml

ATTRIBUTES = ("organisations", "countries", "shapes", "not_organisations", "themes", "deal_types", "relations")


def loaded(directory=None, organisations=()) -> dict:
    patterns = Patterns(directory, organisations=organisations).validate_all()
    return {name: getattr(patterns, name) for name in ATTRIBUTES}


@pytest.fixture
def slow(monkeypatch):
    """Read the YAML the slow way: no packaged cache, no cache folder."""
    def read(directory=None, organisations=()):
        with monkeypatch.context() as m:
            m.delenv(CACHE_ENV, raising=False)
            m.setattr(yamlcache, "PACKAGED", Path("/nonexistent/parsed_patterns.json"))
            return loaded(directory, organisations)
    return read


@pytest.fixture
def no_parsing(monkeypatch):
    """Turn on to fail the test if any YAML is parsed."""
    def forbid():
        def parse(path, text, error):
            raise AssertionError(f"{path} was parsed, not read from the cache")
        monkeypatch.setattr(yamlcache, "parse_mapping", parse)
    return forbid


def test_cached_patterns_equal_the_yaml_read_the_slow_way(tmp_path, monkeypatch, slow, no_parsing):
    expected = slow()
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(yamlcache, "PACKAGED", Path("/nonexistent/parsed_patterns.json"))
    assert loaded() == expected          # parses, writes the cache
    assert (tmp_path / "cache" / CACHE_FILE).is_file()
    no_parsing()
    assert loaded() == expected          # every file from the cache


def test_packaged_cache_when_built_equals_the_slow_way(monkeypatch, slow):
    if not yamlcache.PACKAGED.is_file():
        pytest.skip("no packaged cache in this install (it is written when the package is built)")
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert loaded() == slow()


def test_a_changed_file_is_parsed_again_not_read_stale(tmp_path, monkeypatch, slow):
    folder = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), folder)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    first = loaded(folder)
    themes = folder / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("phrases: [", 'phrases: ["zz cue", ', 1), encoding="utf-8")
    second = loaded(folder)
    phrases = [{p for c in got["themes"] for p in c.phrases} for got in (first, second)]
    assert "zz cue" in phrases[1] and "zz cue" not in phrases[0]
    assert second == slow(folder)
    stored = json.loads((tmp_path / "cache" / CACHE_FILE).read_text(encoding="utf-8"))["entries"]
    assert len(stored) == len(Patterns(folder).files())  # the old themes entry is dropped


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b'{"format": "other", "entries": {}}', b"[]",
                                     b'{"format": null}', b"[" * 100_000])
def test_a_corrupt_cache_is_rebuilt(tmp_path, monkeypatch, slow, content):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_FILE).write_bytes(content)
    monkeypatch.setenv(CACHE_ENV, str(cache))
    monkeypatch.setattr(yamlcache, "PACKAGED", Path("/nonexistent/parsed_patterns.json"))
    with pytest.warns(UserWarning) if content.startswith((b"{n", b"\xff", b"[[")) else contextlib.nullcontext():
        assert loaded() == slow()
    stored = json.loads((cache / CACHE_FILE).read_text(encoding="utf-8"))
    assert stored["format"] == yamlcache.FORMAT and len(stored["entries"]) == len(Patterns().files())


def test_a_corrupt_entry_is_parsed_again(tmp_path, monkeypatch, slow):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    loaded()
    stored = json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))
    stored["entries"] = {key: "not a mapping" for key in stored["entries"]}
    (tmp_path / CACHE_FILE).write_text(json.dumps(stored), encoding="utf-8")
    assert loaded() == slow()


def test_errors_are_never_cached(tmp_path, monkeypatch):
    folder = tmp_path / "patterns"
    folder.mkdir()
    (folder / "themes.yml").write_text("cues: []\ncues: []\n", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    for _ in range(2):
        with pytest.raises(PatternError, match="duplicate key 'cues'"):
            Patterns(folder).validate_all()
    (folder / "themes.yml").write_text("cues:\n" + "  " + "[" * 150 + "]" * 150 + "\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(PatternError, match="nested more than 100 levels"):
            Patterns(folder).validate_all()


def test_data_json_would_change_is_not_cached(tmp_path):
    parsed = ParsedYaml(tmp_path)
    assert parsed.mapping(Path("x.yml"), "when: 2024-01-02\n", PatternError)["when"].year == 2024
    assert parsed.mapping(Path("y.yml"), "1: one\n", PatternError) == {1: "one"}
    parsed.save()
    assert not (tmp_path / CACHE_FILE).exists()


def test_nothing_is_written_without_the_opt_in(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    parsed = ParsedYaml.from_environment()
    assert parsed.file is None
    parsed.mapping(Path("x.yml"), "a: 1\n", PatternError)
    parsed.save()
    assert list(tmp_path.iterdir()) == []

