"""The template's formulas, recalculated by a real spreadsheet engine (LibreOffice headless,
forced recalculation), agree with the Python rule engine.

Random valid and random broken reports are typed into the committed blank template's input
cells (openpyxl: values only, so no cached result can hide a wrong formula), one soffice call
converts them all, python-calamine reads the results back.
"""
from __future__ import annotations

import copy
import os
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from engine_only import relations_only as check_report
from gxnb_xl.engine import compute_derived
from gxnb_xl.loaded import from_report
from gxnb_xl.excel.layout import BLANK, CHECKS, FAIL, LEVEL_LABELS, NA, OK, WARN, layout_of, parse_a1
from gxnb_xl.report import Report
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report

from lo import convert

ROOT = Path(__file__).resolve().parents[2]


def _cases(fmt: str, rng: random.Random) -> list[Report]:
    spec = load_spec(fmt)
    inputs = list(spec.input_cells)
    out = []
    for i in range(6):
        level = rng.choice(["township", "city", None])
        rep = random_report(rng, fmt, unit=f"测试{i}", year=2024 if fmt == "2021" else 2020, level=level,
                            busy=rng.random() < 0.5)
        kind = i % 3
        if kind == 1:  # broken: a few typed cells off by a few
            for cid in rng.sample(inputs, 3) + [rng.choice([c for c in inputs if c.startswith("t3.carried_out")])]:
                cell = spec.cells[cid]
                v = rep.values[cid] or 0
                if cell.type == "amount":
                    rep.values[cid] = v + Decimal("0.25")
                elif cell.type == "signed":
                    rep.values[cid] = v - rng.randint(1, 5)
                else:
                    rep.values[cid] = v + rng.randint(1, 9)
            rep.values[f"t2.rules.{spec.tables['t2']['blocks'][0]['columns'][0]['key']}"] = 1  # W2.1 for townships
        elif kind == 2:  # some cells left blank
            for cid in rng.sample(inputs, 4):
                rep.values[cid] = None
        for d in spec.derivations:  # a typed workbook never holds the totals: the sheet computes them
            rep.values[d] = None
        out.append(rep)
    return out


def _fill(template: Path, rep: Report, path: Path):
    lay = layout_of(rep.format)
    wb = openpyxl.load_workbook(template)
    for cid in rep.spec.input_cells:
        v = rep.values.get(cid)
        if v is not None:
            s, a = lay.cells[cid]
            wb[s][a] = float(v) if isinstance(v, Decimal) else v
    s, a = lay.meta["level"]
    wb[s][a] = LEVEL_LABELS.get(rep.level) if rep.level else None
    s, a = lay.meta["year"]
    wb[s][a] = rep.year
    wb.save(path)


def _jobs(tmp_path):
    rng = random.Random(20240501)
    jobs = []
    for fmt in ("2021", "2019"):
        for i, rep in enumerate(_cases(fmt, rng)):
            path = tmp_path / f"in-{fmt}-{i}.xlsx"
            _fill(ROOT / "templates" / f"template-{fmt}.xlsx", rep, path)
            jobs.append((rep, path))
    return jobs


def _assert_engine_agrees(jobs, outs):
    seen = {OK: 0, FAIL: 0, WARN: 0, BLANK: 0, NA: 0}
    for (rep, _), out in zip(jobs, outs):
        spec, lay = rep.spec, layout_of(rep.format)
        cwb = CalamineWorkbook.from_path(str(out))
        grids = {s: cwb.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in lay.sheets}

        def read(place):
            s, a = place
            r, c = parse_a1(a)
            return grids[s][r][c]

        derived = compute_derived(spec, rep.values)
        for d in spec.derived_order:
            got = read(lay.cells[d])
            if derived[d] is not None:
                assert Decimal(str(got)) == derived[d], (out.name, d)
        result = check_report(from_report(copy.deepcopy(rep), computed=True).report, computed=True)
        fails = {i: f for f in result.findings if f.status == "fail" for i in (f.instance, *f.explains)}
        blanks = {f.instance for f in result.findings if f.status == "indeterminate"}
        for eq in spec.equations:
            if eq.rule.scope != "report":
                continue
            status = read(lay.checks[eq.instance])
            seen[status] += 1
            levels = eq.rule.raw.get("when_level")
            if levels and rep.level not in levels:
                assert status == NA, (out.name, eq.instance)
                assert eq.instance not in fails
            elif eq.instance in blanks:
                assert status == BLANK, (out.name, eq.instance)
            elif eq.instance in fails:
                assert status == (FAIL if eq.rule.severity == "error" else WARN), (out.name, eq.instance)
                assert Decimal(str(read(lay.imbalances[eq.instance]))) == fails[eq.instance].imbalance
            else:
                assert status == OK, (out.name, eq.instance)
            if eq.instance in lay.mirrors:
                assert read(lay.mirrors[eq.instance]) == status
        # never an error value on the 校验 sheet (calamine shows those as empty strings)
        assert all(isinstance(read(p), float) for p in lay.summary.values()), out.name
        assert all(r[2] != "" for r in grids[CHECKS][3:] if len(r) > 2 and r[0]), out.name
    # the random cases exercised every outcome
    assert all(seen.values()), seen


@pytest.mark.libreoffice
def test_formulas_and_checks_agree_with_the_engine(tmp_path):
    """LibreOffice (headless, forced recalculation)."""
    jobs = _jobs(tmp_path)
    outs = convert([p for _, p in jobs], "xlsx", tmp_path / "out")
    _assert_engine_agrees(jobs, outs)


@pytest.mark.gnumeric
def test_formulas_and_checks_agree_in_gnumeric(tmp_path):
    """A second, independent engine: Gnumeric's ssconvert --recalc, read back from what Gnumeric saves."""
    ssconvert = shutil.which("ssconvert")
    if ssconvert is None:
        if os.environ.get("GXNB_REQUIRE_GNUMERIC") == "1":
            pytest.fail("Gnumeric (ssconvert) is required (GXNB_REQUIRE_GNUMERIC=1) but not installed")
        pytest.skip("Gnumeric (ssconvert) not installed")
    jobs = _jobs(tmp_path)
    outs = []
    (tmp_path / "gnm").mkdir()
    for _, path in jobs:
        out = tmp_path / "gnm" / path.name
        proc = subprocess.run([ssconvert, "--recalc", str(path), str(out)], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "HOME": str(tmp_path)})
        assert out.exists(), proc.stderr[-2000:]
        outs.append(out)
    _assert_engine_agrees(jobs, outs)
    # and what Gnumeric saves is read back by the reader: the same typed values, nothing lost
    from gxnb_xl.inputs import read_input
    for (rep, _), out in zip(jobs, outs):
        loaded = read_input(out)
        typed = {c: v for c, v in rep.values.items() if c in rep.spec.input_cells}
        assert {c: loaded.report.values.get(c) for c in typed} == typed, out.name


@pytest.mark.libreoffice
def test_lo_helper_forces_recalculation(tmp_path):
    """A stale cached result (999) must not survive: tests/lo.py forces recalculation on load."""
    import xlsxwriter
    src = tmp_path / "stale.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("s")
    ws.write_number(0, 0, 2)
    ws.write_number(0, 1, 3)
    ws.write_formula(0, 2, "=SUM(A1:B1)", None, 999)
    wb.close()
    out = convert(src, "xlsx", tmp_path / "out")[0]
    assert CalamineWorkbook.from_path(str(out)).get_sheet_by_name("s").to_python() == [[2.0, 3.0, 5.0]]
