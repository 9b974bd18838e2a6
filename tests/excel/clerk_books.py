"""Workbooks as a township clerk saves them: LibreOffice fills the committed template through UNO.

``clerk_books`` (session-scoped) runs ``uno_clerk.py`` under the system Python (python3-uno) once
for every scenario and format; the files are cached under the temp folder, keyed by the template,
the harness and the scenarios, so a rerun costs nothing. Skips when LibreOffice or python3-uno is
absent, unless ``GXNB_REQUIRE_LIBREOFFICE=1`` (then it fails).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from gxnb_xl.excel.layout import LEVEL_LABELS, layout_of
from gxnb_xl.report import load_report

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
FORMATS = ("xlsx", "ods", "xls")
SEED = ROOT / "examples" / "county-2024" / "01-城关镇.json"


def require_libreoffice_uno() -> None:
    missing = []
    if not shutil.which("soffice"):
        missing.append("LibreOffice (soffice)")
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode != 0:
        missing.append("python3-uno")
    if missing:
        if os.environ.get("GXNB_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"{' and '.join(missing)} required (GXNB_REQUIRE_LIBREOFFICE=1) but not installed")
        pytest.skip(f"{' and '.join(missing)} not installed")


@dataclass
class Scenario:
    """What the clerk did, and what a truthful checker must say about it."""

    name: str
    ops: list = field(default_factory=list)
    cell: str | None = None  # the cell id the defect sits in
    address: str | None = None  # where the checker must point (sheet!A1)
    true_value: object = None  # for a slip: the value the clerk meant


def _fill_ops(report, lay) -> list:
    ops = []
    for cid, v in report.values.items():
        if v is None or cid not in report.spec.input_cells:
            continue
        s, a = lay.cells[cid]
        ops.append({"op": "value", "sheet": s, "cell": a, "value": float(v) if isinstance(v, Decimal) else v})
    cover = {"unit": report.unit, "level": LEVEL_LABELS[report.level], "contact": "张三"}
    for key, text in cover.items():
        s, a = lay.meta[key]
        ops.append({"op": "string", "sheet": s, "cell": a, "text": text})
    s, a = lay.meta["year"]
    ops.append({"op": "value", "sheet": s, "cell": a, "value": report.year})
    # typed with the keyboard into the text-formatted cover cells
    for key, text in (("phone", "09311234567"), ("date", "2025-01-15")):
        s, a = lay.meta[key]
        ops.append({"op": "input", "sheet": s, "cell": a, "text": text})
    for key, text in report.narrative.items():
        s, a = lay.narrative_cells[key][0]
        ops.append({"op": "string", "sheet": s, "cell": a, "text": text})
    return ops


def scenarios() -> tuple[object, dict[str, Scenario]]:
    report = load_report(SEED)
    lay = layout_of(report.format)
    base = _fill_ops(report, lay)

    def at(cid):
        return lay.cells[cid]

    def typed(name, cid, op, **kw):
        s, a = at(cid)
        return Scenario(name, base + [{"op": op, "sheet": s, "cell": a, **kw}], cid, f"{s}!{a}")

    out = [Scenario("clean", list(base)),
           typed("text_number", "t3.new.natural", "string", text="87"),
           typed("fullwidth", "t3.new.nonprofit", "string", text="９"),
           typed("trailing_space", "t3.denied_safety.natural", "string", text="61 "),
           typed("slip", "t3.unable_unclear.natural", "value", value=21),
           typed("blank", "t3.new.other_org", "clear"),
           typed("decimal", "t3.ignored_mass.nonprofit", "value", value=9.5),
           typed("formula_in_input", "t3.new.natural", "input", text="=80+7"),
           typed("div_zero", "t3.new.other_org", "input", text="=4/0")]
    out[4].true_value = report.values["t3.unable_unclear.natural"]
    s, a = at("t3.new.total")
    out.append(Scenario("overwritten_formula", base + [{"op": "unprotect", "sheet": s},
                                                      {"op": "value", "sheet": s, "cell": a, "value": 101}],
                        "t3.new.total", f"{s}!{a}"))
    s, a = at("t3.ignored_publication.natural")
    row = int("".join(ch for ch in a if ch.isdigit()))
    out.append(Scenario("deleted_row", base + [{"op": "unprotect", "sheet": s},
                                              {"op": "delete_row", "sheet": s, "row": row}],
                        "t3.ignored_publication.natural", f"{s}!{a}"))
    out.append(Scenario("renamed_sheet", base + [{"op": "unprotect_book"}, {"op": "rename", "sheet": s, "to": "表3"}]))
    s, a = lay.meta["year"]
    ds, da = lay.meta["date"]  # a date that arrives as a number (API/paste), not as typed text
    out.append(Scenario("cover_year", base + [{"op": "value", "sheet": s, "cell": a, "value": report.year - 1},
                                              {"op": "parse", "sheet": ds, "cell": da, "text": "2025-01-15"}],
                        None, f"{s}!{a}"))
    return report, {sc.name: sc for sc in out}


def _build(outdir: Path, cases: dict[str, Scenario]) -> None:
    job = {"template": str(ROOT / "templates" / "template-2021.xlsx"), "outdir": str(outdir),
           "formats": list(FORMATS), "scenarios": {n: sc.ops for n, sc in cases.items()}}
    job_path = outdir / "job.json"
    job_path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ)
    env.setdefault("HOME", tempfile.gettempdir())
    proc = subprocess.run([SYSTEM_PYTHON, str(HERE / "uno_clerk.py"), str(job_path)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, f"uno_clerk failed: {proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


@pytest.fixture(scope="session")
def clerk_books():
    """(seed report, {scenario: Scenario}, {scenario: {fmt: path}}) — written once, cached by content."""
    require_libreoffice_uno()
    report, cases = scenarios()
    key = hashlib.sha256()
    for part in (ROOT / "templates" / "template-2021.xlsx", HERE / "uno_clerk.py"):
        key.update(part.read_bytes())
    key.update(json.dumps({n: sc.ops for n, sc in cases.items()}, sort_keys=True, ensure_ascii=False).encode())
    cache = Path(tempfile.gettempdir()) / "gxnb-clerk-books" / key.hexdigest()[:20]
    files = {n: {f: cache / f"{n}.{f}" for f in FORMATS} for n in cases}
    if not all(p.exists() for fs in files.values() for p in fs.values()):
        work = cache.with_name(cache.name + f".tmp{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        _build(work, cases)
        shutil.rmtree(cache, ignore_errors=True)
        work.rename(cache)
    return report, cases, files
