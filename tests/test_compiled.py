"""compiled: the format's Spec, Layout and fast-reader plan kept across processes like bytecode.

Each case runs fresh ``python`` processes (the cache is about what a new process finds): the objects
loaded from the cache equal freshly built ones field by field, a second process builds nothing and
leaves the file as it was, a damaged or untrusted file is rebuilt, a changed module stamp makes a new
key (the old file removed), and ``GXNB_NO_CACHE=1``, ``PYTHONDONTWRITEBYTECODE`` or an unwritable
place turn writing off without changing any result.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import gxnb_xl
from gxnb_xl import compiled
from gxnb_xl.excel import fastpath
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.spec import load_spec

PACKAGE = Path(gxnb_xl.__file__).resolve().parent
FORMATS = os.path.abspath(PACKAGE / "formats")

# Loads the compiled format the way a command does, then builds everything afresh in the same process
# and compares; prints what was built (not loaded) and the comparisons as JSON.
CHILD = r"""
import json, sys
fmt = sys.argv[1]
from gxnb_xl import compiled, tomlcache
from gxnb_xl.spec import FORMATS_DIR, Spec, load_spec
from gxnb_xl.excel import fastpath
from gxnb_xl.excel.layout import build, layout_of

plan = fastpath._plan(fmt)
spec, lay = load_spec(fmt), layout_of(fmt)
one = (spec is plan.spec is lay.spec is layout_of(spec).spec is load_spec(fmt) and plan.layout is lay
       and fastpath._plan(fmt) is plan)
built = list(compiled.BUILT)

src = (FORMATS_DIR / f"{fmt}.toml").read_bytes()
fresh = Spec(tomlcache.loads(src), src)
fresh_layout = build(fresh)
fresh_plan = fastpath._Plan(fresh_layout)

def rule(r):
    return (r.id, r.title, r.severity, r.scope, r.kind, r.message, r.raw)

def equation(e):
    return (rule(e.rule), e.instance, e.bindings, e.labels, e.lhs, e.rhs, e.op, e.defines, e.terms, e.cells)

def spec_view(s):
    return {"id": s.id, "name": s.name, "years": (s.first_year, s.last_year), "signature": s.signature,
            "hash": s.hash, "data": s.data, "tables": s.tables, "sections": s.sections,
            "narrative_keys": s.narrative_keys, "sets": {k: (v.name, v.of, v.members) for k, v in s.sets.items()},
            "rules": [rule(r) for r in s.rules], "equations": [equation(e) for e in s.equations],
            "derivations": {k: equation(e) for k, e in s.derivations.items()}, "cells": s.cells,
            "input_cells": s.input_cells, "derived_order": s.derived_order,
            "labels": [s.label_of(v.of, m) for v in s.sets.values() for m in v.members]}

def layout_view(l):
    from gxnb_xl.record import fields
    out = {f.name: getattr(l, f.name) for f in fields(l) if f.name != "spec"}
    out["check_rows"] = [(equation(c.equation), c.row, c.title, c.blanks, c.mirror, c.place) for c in l.check_rows]
    return out

equations = {id(e) for e in spec.equations}
one = one and all(id(c.equation) in equations for c in lay.check_rows) and lay.check_rows

def plan_view(p):
    return {k: v for k, v in vars(p).items() if k not in ("spec", "layout")}

print(json.dumps({"built": built, "one": bool(one), "spec": spec_view(spec) == spec_view(fresh),
                  "layout": layout_view(lay) == layout_view(fresh_layout) and vars(lay).keys() == vars(fresh_layout).keys(),
                  "plan": plan_view(plan) == plan_view(fresh_plan) and len(plan_view(plan)) >= 10,
                  "dir": str(compiled.cache_dir())}))
"""


def _env(prefix: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GXNB_NO_CACHE")}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    env.update(extra)
    return env


def _run(prefix: Path, fmt: str = "2021", **extra) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, fmt], capture_output=True, text=True, env=_env(prefix, **extra),
                       timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["one"], "one Spec, Layout and plan per format in a process"
    assert out["spec"] and out["layout"] and out["plan"], out  # equal to what is built afresh
    return out


def _files(prefix: Path, fmt: str = "2021") -> list[Path]:
    d = Path(prefix, FORMATS.lstrip(os.sep))
    return sorted(d.glob(f"{fmt}.*.pickle")) if d.is_dir() else []


EVERYTHING = ["spec:{0}", "layout:{0}", "plan:{0}"]


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_second_process_loads_what_the_first_built(tmp_path, fmt):
    first = _run(tmp_path, fmt)
    assert first["built"] == [x.format(fmt) for x in EVERYTHING]
    assert first["dir"] == str(Path(tmp_path, FORMATS.lstrip(os.sep)))  # mirrored under the prefix, like .pyc
    [file] = _files(tmp_path, fmt)
    stamp = file.stat().st_mtime_ns, file.stat().st_size
    second = _run(tmp_path, fmt)
    assert second["built"] == []  # nothing built: all three loaded
    assert _files(tmp_path, fmt) == [file] and (file.stat().st_mtime_ns, file.stat().st_size) == stamp


def test_spec_alone_then_completed_by_a_workbook_process(tmp_path):
    code = ("import sys; from gxnb_xl import compiled; from gxnb_xl.spec import load_spec; s = load_spec('2021');"
            "print(compiled.BUILT, 'gxnb_xl.excel.layout' in sys.modules, s.hash)")
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(tmp_path),
                           timeout=300).stdout.split() for _ in range(2)]
    assert outs[0][:2] == ["['spec:2021']", "False"] and outs[1][:2] == ["[]", "False"]
    assert outs[0][2] == outs[1][2] == load_spec("2021").hash
    assert _run(tmp_path)["built"] == ["layout:2021", "plan:2021"]  # the spec from the file, the rest built
    assert _run(tmp_path)["built"] == []
    assert len(_files(tmp_path)) == 1


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_damaged_file_is_rebuilt_and_rewritten(tmp_path, damage):
    _run(tmp_path)
    [file] = _files(tmp_path)
    data = bytearray(file.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[:len(data) - 100]
    elif damage == "empty":
        data = b""
    else:
        data = b"gxnb-compiled\x01" + os.urandom(200)
    file.write_bytes(bytes(data))
    assert _run(tmp_path)["built"] == [x.format("2021") for x in EVERYTHING]  # equal to a fresh build (in _run)
    assert _run(tmp_path)["built"] == []  # and written again, whole


def test_file_others_can_write_is_not_loaded(tmp_path):
    _run(tmp_path)
    [file] = _files(tmp_path)
    file.chmod(0o666)
    assert _run(tmp_path)["built"] == [x.format("2021") for x in EVERYTHING]


def test_changed_module_stamp_is_a_new_key(tmp_path):
    _run(tmp_path)
    [old] = _files(tmp_path)
    module = PACKAGE / "excel" / "layout.py"
    st = module.stat()
    try:  # as an edit would: a new mtime (the content is left alone)
        os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert _run(tmp_path)["built"] == [x.format("2021") for x in EVERYTHING]
        [new] = _files(tmp_path)
        assert new != old and not old.exists()  # one file per format: the stale one replaced
    finally:
        os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_no_cache_switch_neither_reads_nor_writes(tmp_path):
    assert _run(tmp_path, GXNB_NO_CACHE="1")["built"] == [x.format("2021") for x in EVERYTHING]
    assert _files(tmp_path) == []
    _run(tmp_path)
    [file] = _files(tmp_path)
    stamp = file.stat().st_mtime_ns
    assert _run(tmp_path, GXNB_NO_CACHE="1")["built"] == [x.format("2021") for x in EVERYTHING]
    assert file.stat().st_mtime_ns == stamp


def test_no_bytecode_writing_means_no_file_but_reading(tmp_path):
    assert _run(tmp_path, PYTHONDONTWRITEBYTECODE="1")["built"] == [x.format("2021") for x in EVERYTHING]
    assert _files(tmp_path) == []
    _run(tmp_path)
    assert _run(tmp_path, PYTHONDONTWRITEBYTECODE="1")["built"] == []  # reads, like Python reads .pyc


def test_unwritable_place_rebuilds_silently(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")  # the cache directory can never be made under a file (even as root)
    for _ in range(2):
        assert _run(blocker / "pyc")["built"] == [x.format("2021") for x in EVERYTHING]


def test_check_from_the_cache_says_what_a_fresh_build_says(tmp_path):
    from gxnb_xl.excel.template import write_workbook
    from gxnb_xl.testing.synth import random_report
    book = write_workbook(tmp_path / "book.xlsx", report=random_report(random.Random(15), busy=0.6))
    outs = []
    for extra in ({"GXNB_NO_CACHE": "1"}, {}, {}):  # fresh, then writing the cache, then from it
        r = subprocess.run([sys.executable, "-m", "gxnb_xl", "check", "--json", str(book)], capture_output=True,
                           text=True, env=_env(tmp_path / "pyc", **extra), timeout=300, cwd=tmp_path)
        outs.append((r.returncode, r.stdout, r.stderr))
    assert len(_files(tmp_path / "pyc")) == 1
    assert outs[0] == outs[1] == outs[2] and outs[0][1]


def test_one_spec_per_format_in_this_process():
    plan = fastpath._plan("2021")
    assert load_spec("2021") is plan.spec is layout_of("2021").spec is layout_of(plan.spec).spec
    assert layout_of("2021") is plan.layout


def test_cache_place_follows_python(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "pycache_prefix", None)
    assert compiled.cache_dir() == Path(FORMATS, "__pycache__")
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    assert compiled.cache_dir() == Path(tmp_path, FORMATS.lstrip(os.sep))


READ = r"""
import json, sys
from gxnb_xl.excel import fastpath, reader
built = []
init = fastpath._Recipe.__init__
fastpath._Recipe.__init__ = lambda self, *a: (built.append(a[3]), init(self, *a))[1]
loaded = fastpath.read_fast(sys.argv[1], (reader._cover_and_narrative, reader._read_value))
print(json.dumps({"fast": loaded is not None, "calamine": "python_calamine" in sys.modules, "recipes": built,
                  "values": repr(sorted(loaded.report.values.items())) if loaded else None,
                  "problems": repr(loaded.report.problems) if loaded else None,
                  "notes": repr(loaded.notes) if loaded else None}))
"""


def _read(prefix: Path, book: Path, **extra) -> dict:
    r = subprocess.run([sys.executable, "-c", READ, str(book)], capture_output=True, text=True,
                       env=_env(prefix, **extra), timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_structure_calamine_opened_is_remembered_for_that_calamine_only(tmp_path):
    from gxnb_xl.excel.template import write_workbook
    from gxnb_xl.testing.synth import random_report
    book = write_workbook(tmp_path / "book.xlsx", report=random_report(random.Random(3), busy=0.5))
    first = _read(tmp_path / "pyc", book)
    assert first["fast"] and first["calamine"]  # asked calamine once
    [facts] = Path(tmp_path / "pyc", FORMATS.lstrip(os.sep)).glob("calamine-opens.*.txt")
    second = _read(tmp_path / "pyc", book)
    assert second == {**first, "calamine": False, "recipes": []}  # the same reading, without calamine's import
    lines = facts.read_text().split("\n")
    facts.write_text("\n".join(["another calamine", *lines[1:]]))  # another installed version
    assert _read(tmp_path / "pyc", book)["calamine"]
    facts.write_text("\n".join(lines)[:-1])  # cut short
    assert _read(tmp_path / "pyc", book)["calamine"]
    assert _read(tmp_path / "pyc", book, GXNB_NO_CACHE="1")["calamine"]
    assert not _read(tmp_path / "pyc", book)["calamine"]


def test_recipes_kept_only_for_byte_equal_skeletons(tmp_path):
    from gxnb_xl.excel.template import write_workbook
    from gxnb_xl.testing.synth import random_report
    rng = random.Random(7)
    a = write_workbook(tmp_path / "a.xlsx", report=random_report(rng, busy=0.9))
    other_report = random_report(rng, busy=0.1)
    for c in rng.sample(list(other_report.spec.input_cells), 8):
        other_report.values[c] = None  # blanks: other skeletons
    b = write_workbook(tmp_path / "b.xlsx", report=other_report)
    pyc = tmp_path / "pyc"
    fresh = {book: _read(pyc, book, GXNB_NO_CACHE="1") for book in (a, b)}
    assert fresh[a]["fast"] and fresh[b]["fast"] and len(fresh[a]["recipes"]) >= 4
    first = _read(pyc, a)  # works out every sheet's recipe and keeps them
    assert first["recipes"] == fresh[a]["recipes"]
    assert [f.suffix for f in _files_all(pyc)] == [".pickle", ".recipes", ".txt"]
    again = _read(pyc, a)
    assert again["recipes"] == [] and {**again, "recipes": 0, "calamine": 0} == {**fresh[a], "recipes": 0, "calamine": 0}
    other = _read(pyc, b)  # the sheets whose skeleton differs are worked out again; the reading is the same
    assert other["recipes"] and set(other["recipes"]) <= set(fresh[b]["recipes"])
    assert {**other, "recipes": 0, "calamine": 0} == {**fresh[b], "recipes": 0, "calamine": 0}
    [kept] = [f for f in _files_all(pyc) if f.suffix == ".recipes"]
    data = bytearray(kept.read_bytes())
    data[-5] ^= 0x10  # damaged: not used
    kept.write_bytes(bytes(data))
    assert _read(pyc, a)["recipes"] == fresh[a]["recipes"]


def _files_all(prefix: Path) -> list[Path]:
    return sorted(Path(prefix, FORMATS.lstrip(os.sep)).glob("*.*"), key=lambda p: p.suffix)


def test_a_format_id_that_is_a_path_is_never_cached(monkeypatch, tmp_path):
    from gxnb_xl import spec as spec_module
    for name in ("_ENTRIES", "_PENDING", "_KEYS"):
        monkeypatch.setattr(compiled, name, {})
    monkeypatch.setattr(compiled, "BUILT", [])
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.delenv("GXNB_NO_CACHE", raising=False)
    source = (spec_module.FORMATS_DIR / "2021.toml").read_bytes()
    built = compiled.spec("../formats/2021", source, spec_module._build, spec_module.Spec)
    assert built.id == "2021" and compiled.BUILT == ["spec:../formats/2021"]
    assert not any(tmp_path.rglob("*")) and compiled._PENDING == {}
