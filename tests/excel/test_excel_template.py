"""The written workbook, inspected with openpyxl and python-calamine (no spreadsheet engine)."""
from __future__ import annotations

import io
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from python_calamine import CalamineWorkbook

from gxnb_xl.engine import compute_derived
from gxnb_xl.excel.layout import BLANK, CHECKS, FAIL, META_SHEET, OK, layout_of, parse_a1
from gxnb_xl.excel.template import build_workbook_bytes, split_text, write_workbook
from gxnb_xl.report import ReportError
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report

ROOT = Path(__file__).resolve().parents[2]


def _input_places(fmt):
    spec = load_spec(fmt)
    lay = layout_of(spec)
    places = {lay.cells[c] for c in spec.input_cells} | set(lay.meta.values())
    places |= {p for ps in lay.narrative_cells.values() for p in ps}
    return spec, lay, places


def _merged_followers(ws):
    out = set()
    for rng in ws.merged_cells.ranges:
        c1, r1, c2, r2 = rng.bounds
        out |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    return out


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_protection_unlocked_cells_validation_and_map(fmt, tmp_path):
    spec, lay, inputs = _input_places(fmt)
    path = write_workbook(tmp_path / "t.xlsx", fmt)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == lay.sheets
    assert wb.security is not None and wb.security.lockStructure
    unlocked = set()
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        followers = _merged_followers(ws)
        for row in ws.iter_rows():
            for cell in row:
                if not cell.protection.locked and (cell.row, cell.column) not in followers:
                    unlocked.add((ws.title, cell.coordinate))
    assert unlocked == inputs
    assert wb[META_SHEET].sheet_state == "hidden"
    # every numeric input cell has whole/decimal validation with a Chinese prompt
    for cid in spec.input_cells:
        sheet, addr = lay.cells[cid]
        dvs = [dv for dv in wb[sheet].data_validations.dataValidation if addr in dv.sqref]
        assert len(dvs) == 1, cid
        dv = dvs[0]
        assert dv.type == ("decimal" if spec.cells[cid].type == "amount" else "whole")
        assert dv.promptTitle and re.search(r"[\u4e00-\u9fff]", dv.prompt)
        if spec.cells[cid].type != "signed":
            assert dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
        else:
            assert float(dv.formula1) < 0
    # derived cells are formulas, locked
    for cid in spec.derivations:
        sheet, addr = lay.cells[cid]
        cell = wb[sheet][addr]
        assert str(cell.value).startswith("=SUM(") and cell.protection.locked
    # the hidden map, read by calamine without knowing the layout
    cwb = CalamineWorkbook.from_path(str(path))
    rows = cwb.get_sheet_by_name(META_SHEET).to_python()
    kv = {r[0]: r[1] for r in rows[:5]}
    assert kv["template_id"] == lay.template_id and kv["format"] == fmt and kv["spec_hash"] == spec.hash
    header = rows.index(["cell", "sheet", "address", "input"])
    cmap = {r[0]: (r[1], r[2], int(r[3])) for r in rows[header + 1:]}
    for cid, c in spec.cells.items():
        assert cmap[cid] == (*lay.cells[cid], int(c.input))
    # custom document properties
    with zipfile.ZipFile(path) as z:
        custom = z.read("docProps/custom.xml").decode()
    for value in (lay.template_id, spec.hash):
        assert value in custom


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_committed_template_equals_fresh_build(fmt):
    committed = ROOT / "templates" / f"template-{fmt}.xlsx"
    fresh = build_workbook_bytes(fmt)
    with zipfile.ZipFile(committed) as a, zipfile.ZipFile(io.BytesIO(fresh)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), f"{committed.name}:{name} is stale — run scripts/build_templates.py"


def test_filled_workbook_reads_back_with_calamine(tmp_path):
    spec = load_spec("2021")
    lay = layout_of(spec)
    rep = random_report(random.Random(7), "2021", unit="=1+1", year=2024, level="township")
    rep.values["t2.fees.amount"] = Decimal("12.3456")
    rep.values["t3.new.business"] = None  # a blank input stays blank
    rep.narrative = {"preamble": "@SUM(A1)", "overview": "+86 第一段\n第二段", "problems": "-无", "other_matters": "=A1"}
    rep.extra["contact"] = "-张三"
    path = write_workbook(tmp_path / "f.xlsx", report=rep)
    cwb = CalamineWorkbook.from_path(str(path))
    grids = {s: cwb.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in lay.sheets}

    def read(place):
        s, a = place
        r, c = parse_a1(a)
        return grids[s][r][c] if r < len(grids[s]) and c < len(grids[s][r]) else ""

    expected = {c: rep.values.get(c) for c in spec.input_cells}
    for d in spec.derived_order:  # the sheet's SUM: blank counts as 0
        expected[d] = sum(t.coef * (expected[t.cell] or 0) for t in spec.derivations[d].rhs)
    for cid, v in expected.items():
        got = read(lay.cells[cid])
        if v is None:
            assert got == "", cid
        else:
            assert Decimal(str(got)) == v, cid
    full = compute_derived(spec, rep.values)
    assert full["t3.new.total"] is None  # the engine says undecidable …
    assert read(lay.checks["R3.1[business]"]) == BLANK  # … and so does the check cell
    assert read(lay.meta["unit"]) == "=1+1"  # text, never a formula
    assert read(lay.meta["contact"]) == "-张三"
    assert read(lay.meta["year"]) == 2024
    assert read(lay.meta["level"]) == "乡镇（街道）"
    for k, v in rep.narrative.items():
        assert read(lay.narrative[k]) == v
    # no user text became a formula
    wb = openpyxl.load_workbook(path)
    for s, a in [lay.meta["unit"], lay.meta["contact"], *lay.narrative.values()]:
        assert wb[s][a].data_type == "s"


def test_checks_cached_results(tmp_path):
    spec = load_spec("2021")
    lay = layout_of(spec)
    rep = random_report(random.Random(3), "2021", unit="x", year=2024, level="township")
    rep.values["t3.carried_out.legal"] += 2
    path = write_workbook(tmp_path / "c.xlsx", report=rep)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CHECKS).to_python(skip_empty_area=False)
    def row(instance):
        r, _ = parse_a1(lay.checks[instance][1])
        return sheet[r]

    assert row("R3.1[legal]")[2] == FAIL and row("R3.1[legal]")[3] == -2
    assert row("R3.1[legal]")[0] == "表三“法人或其他组织 法律服务机构”列" or "R3" not in row("R3.1[legal]")[0]
    assert row("R3.1[total]")[2] == FAIL
    assert row("R3.1[natural]")[2] == OK
    assert sheet[1][1] == 2  # 错误数
    assert not any(str(r[0]).startswith(("R", "W")) for r in sheet[3:] if r and r[0])  # names, not rule ids
    cover = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("封面").to_python(skip_empty_area=False)
    assert cover[2][0] == "校验：2 处错误，见“校验”表"


def test_long_narrative_is_split_not_truncated(tmp_path):
    spec = load_spec("2021")
    lay = layout_of(spec)
    text = ("第一段。𠀀" * 9000) + "结尾"  # > 32,767 UTF-16 units, with characters outside the BMP
    pieces = split_text(text)
    assert "".join(pieces) == text and len(pieces) == 2
    assert all(len(p.encode("utf-16-le")) // 2 <= 32767 for p in pieces)
    rep = random_report(random.Random(1), "2021", unit="x", year=2024)
    rep.narrative["overview"] = text
    path = write_workbook(tmp_path / "n.xlsx", report=rep)
    wb = openpyxl.load_workbook(path)
    parts = [wb[s][a].value or "" for s, a in lay.narrative_cells["overview"]]
    assert "".join(parts) == text
    rep.narrative["overview"] = "字" * (32767 * 3 + 1)
    with pytest.raises(ReportError) as exc:
        write_workbook(tmp_path / "too-long.xlsx", report=rep)
    assert "不会被截断" in exc.value.zh
    assert not (tmp_path / "too-long.xlsx").exists()


def test_annotations_review_sheet_and_password(tmp_path):
    lay = layout_of("2021")
    rep = random_report(random.Random(5), "2021", unit="x", year=2024)
    path = write_workbook(tmp_path / "a.xlsx", report=rep, password="secret",
                          annotations={"t3.new.natural": ("表三“自然人”列不平衡", 5)},
                          review_rows=[["编号", "说明"], ["R3.1[natural]", "相差 1"]])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-2:] == ["审核报告", META_SHEET]
    assert wb["审核报告"]["B2"].value == "相差 1"
    s, a = lay.cells["t3.new.natural"]
    cell = wb[s][a]
    assert cell.fill.fgColor.rgb.endswith("FF7C80") and "建议值：5" in cell.comment.text
    assert not cell.protection.locked
    assert wb.security.workbookPassword and wb[s].protection.password


def test_tables_three_and_four_print_landscape_one_page_wide(tmp_path):
    """表三 and 表四 are wide: landscape A4, fitted to one page width, header rows repeated — in the
    template and in the county workbook (the same writer)."""
    import openpyxl
    from gxnb_cli import run
    county = tmp_path / "county.xlsx"
    res = run("aggregate", ROOT / "examples" / "county-2024", "-o", county, "--unit", "示范县人民政府")
    assert res.exit_code in (0, 1), res.output
    for path in (ROOT / "templates" / "template-2021.xlsx", county):
        wb = openpyxl.load_workbook(path)
        for name in ("表三", "表四"):
            ws = wb[name]
            assert ws.page_setup.orientation == "landscape", (path.name, name)
            # fitToWidth absent means 1 (the OOXML default); fitToHeight 0: as many pages down as needed
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), (path.name, name)
            assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows, (path.name, name)
