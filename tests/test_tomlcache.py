"""tomlcache: the parsed TOML from the cache equals tomllib's, a damaged entry is parsed again, dates are not cached."""
from __future__ import annotations

import tomllib

from gxnb_xl import tomlcache
from gxnb_xl.spec import load_spec


def test_same_data_and_damaged_entries_reparsed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = '[a]\nzh = "中文 {x:num}"\nn = 3\nf = 1.5\nlist = [1, "二"]\n'
    first = tomlcache.loads(text)
    assert first == tomllib.loads(text)
    files = list(tomlcache.cache_dir().glob("*.json"))
    assert len(files) == 1
    assert tomlcache.loads(text.encode()) == first  # from the cache
    files[0].write_bytes(b"\x80 not json")  # damaged: parsed again and rewritten
    assert tomlcache.loads(text) == first
    assert tomlcache.loads(text) == first


def test_dates_are_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = "when = 2024-01-02\n"
    assert tomlcache.loads(text) == tomllib.loads(text)
    assert not list(tomlcache.cache_dir().glob("*.json"))


def test_unwritable_cache_still_parses(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder should be
    assert tomlcache.loads('k = "v"\n') == {"k": "v"}


def test_formats_through_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    spec = load_spec("2021")
    from importlib import resources
    raw = resources.files("gxnb_xl.formats").joinpath("2021.toml").read_bytes()
    assert tomlcache.loads(raw) == tomllib.loads(raw.decode("utf-8"))
    assert spec.hash
