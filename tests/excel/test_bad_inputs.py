"""The bad-input corpus (scripts/make_bad_inputs.py) through the real CLI.

For every case: the exit code of ``gxnb check`` (2 unusable, 1 errors, 0 only when the reading was
certain and the data consistent), a Chinese message naming the problem, the expected finding
codes, never a traceback, and the input's bytes unchanged. ``gxnb export`` agrees: unusable files
exit 2 with the same message, every other file gives a report JSON.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gxnb_cli import run
from gxnb_xl.report import report_from_dict

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import make_bad_inputs  # noqa: E402


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None and os.environ.get("GXNB_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail("LibreOffice (soffice) is required (GXNB_REQUIRE_LIBREOFFICE=1) for the .xls/.ods cases")
    out = tmp_path_factory.mktemp("bad_inputs")
    cases = make_bad_inputs.make_corpus(out, soffice=binary)
    return cases


def _digest(p: Path):
    if p.is_file():
        return hashlib.sha256(p.read_bytes()).hexdigest()
    return "dir" if p.is_dir() else None


def _flat(text: str) -> str:
    return "".join(text.split())


def _run(*args):
    return run(*args)


def test_corpus_has_at_least_30_kinds(corpus):
    assert len(corpus) >= 30, [c.name for c in corpus]
    assert len({c.name for c in corpus}) == len(corpus)
    kinds = {c.exit for c in corpus}
    assert kinds == {0, 1, 2}


def test_every_case_through_check(corpus):
    failures = []
    for case in corpus:
        if case.command != "check":
            continue
        before = _digest(case.path)
        human = _run("check", case.path)
        as_json = _run("check", "--json", case.path)
        after = _digest(case.path)
        problems = []
        for res in (human, as_json):
            if "Traceback" in res.output or res.exception and not isinstance(res.exception, SystemExit):
                problems.append(f"traceback/exception {res.exception!r}")
            if res.exit_code != case.exit:
                problems.append(f"exit {res.exit_code} != {case.exit}")
        if case.message and _flat(case.message) not in _flat(human.output):
            problems.append(f"message {case.message!r} not in {human.output[:300]!r}")
        try:
            results = json.loads(as_json.stdout)
        except ValueError:
            problems.append(f"--json output not JSON: {as_json.output[:200]!r}")
            results = []
        codes = {x for r in results for f in r.get("findings", []) for x in (f["rule"], f.get("code", ""))}
        missing = set(case.codes) - codes
        if missing:
            problems.append(f"codes {sorted(missing)} not among {sorted(c for c in codes if c)}")
        if case.exit == 2 and results and not all("：" in r.get("error", "：") for r in results):
            problems.append("unusable without a Chinese reason")
        if before != after:
            problems.append("input bytes changed")
        if problems:
            failures.append(f"{case.name}: {'; '.join(problems)}")
    assert not failures, "\n".join(failures)


def test_every_case_through_export(corpus, tmp_path):
    failures = []
    for case in corpus:
        before = _digest(case.path)
        target = tmp_path / f"{case.path.stem}.json"
        res = _run("export", case.path, "-o", target, "--force")  # .ods and .xlsx of one case share a stem
        problems = []
        if "Traceback" in res.output or res.exception and not isinstance(res.exception, SystemExit):
            problems.append(f"traceback/exception {res.exception!r}")
        expected = case.export_exit if case.export_exit is not None else 2 if case.exit == 2 else 0
        if res.exit_code != expected:
            problems.append(f"exit {res.exit_code} != {expected}: {res.output[:200]!r}")
        if expected == 2:
            if case.message and _flat(case.message) not in _flat(res.output):
                problems.append(f"message {case.message!r} not in {res.output[:200]!r}")
            if target.exists():
                problems.append("wrote a JSON for an unusable input")
        else:
            try:
                rep = report_from_dict(json.loads(target.read_text(encoding="utf-8")), source=target.name)
                assert rep.format in ("2019", "2021")
            except Exception as exc:  # noqa: BLE001 - collected into the failure list
                problems.append(f"exported JSON unusable: {exc!r}")
        if _digest(case.path) != before:
            problems.append("input bytes changed")
        if problems:
            failures.append(f"{case.name}: {'; '.join(problems)}")
    assert not failures, "\n".join(failures)


def test_whole_corpus_in_one_real_process(corpus):
    """The installed entry point over every file at once: one bad file never stops the others."""
    files = [str(c.path) for c in corpus if c.command == "check"]
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", "check", "--json", *files],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 2
    results = json.loads(proc.stdout)
    by_file = {Path(r["file"]).name: r for r in results}
    for case in corpus:
        if case.command != "check":
            continue
        r = by_file[case.path.name]
        assert (r["status"] == "unreadable") == (case.exit == 2), (case.name, r["status"])
        if case.exit == 1:
            assert r["status"] == "errors", case.name
        if case.exit == 0:  # read and passed, or listed and skipped (a lock file) — never unusable
            assert r["status"] in ("ok", "warnings") or r.get("state") == "ignored", case.name


def test_libreoffice_copies_read_like_the_original(corpus):
    """.xls / .ods saved by LibreOffice give the same values as the template they came from."""
    lo = [c for c in corpus if c.name.startswith("60-libreoffice-good")]
    if not lo:
        pytest.skip("LibreOffice not installed")
    from gxnb_xl.inputs import read_input
    original = read_input(next(c.path for c in corpus if c.name == "00-good.xlsx"))
    for case in lo:
        copy = read_input(case.path)
        assert copy.report.values == original.report.values, case.name
        assert (copy.report.unit, copy.report.year, copy.report.level) == \
            (original.report.unit, original.report.year, original.report.level)
        assert copy.report.narrative == original.report.narrative
        assert copy.template["template_id"] == original.template["template_id"]


def test_warnings_are_said_even_when_exit_is_0(corpus):
    """A certain reading with a conversion exits 0, but the clerk is told what was converted, where."""
    for case in corpus:
        if case.exit != 0 or not case.codes:
            continue
        res = _run("check", "--json", case.path)
        [r] = json.loads(res.stdout)
        assert r["status"] == "warnings", case.name
        hits = [f for f in r["findings"] if f["rule"] in case.codes or f.get("code") in case.codes]
        assert hits and all(f["severity"] == "warning" for f in hits), case.name
        cell_hits = [f for f in hits if f["rule"] == "R0"]
        for f in cell_hits:
            assert f["addresses"], case.name  # names the cell: sheet!A1


def test_hostile_folder_every_entry_listed(tmp_path):
    """Issue 16: a folder with FIFOs, sockets, /dev/zero, dangling links, link loops, a symlinked
    folder, GBK names, a huge number, a duplicate JSON key and one township sent three times under
    names that are one unit. aggregate and check end within seconds, list every entry with its fate,
    sum 甲镇 once, and never say 内部错误."""
    root, entries = make_bad_inputs.make_bad_folder(tmp_path)
    out = tmp_path / "县.xlsx"
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", "aggregate", str(root), "--json", "-o", str(out),
                           "--jobs", "2"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stdout + proc.stderr
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    listed = {str(Path(f["file"]).relative_to(root)): f for f in data["files"]}
    for e in entries:
        assert e.name in listed, (e.name, sorted(listed))
        f = listed[e.name]
        assert f["state"] == e.state and e.message in f["reason"], (e.name, f["state"], f["reason"])
    assert len(listed) == len(entries) and out.exists()
    summed = [f for f in data["files"] if f["included"]]
    assert len([f for f in summed if "甲镇" in f["file"]]) == 1  # one unit, summed once
    # check lists the same folder the same way, in time, without an internal error
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", "check", str(root), "--json"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2 and "内部错误" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    shown = {str(Path(r["file"]).relative_to(root)) for r in json.loads(proc.stdout)}
    assert {e.name for e in entries} <= shown
