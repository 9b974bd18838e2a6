"""gxnb render from workbooks: totals recomputed from the inputs (never the stored values),
a blank cover refused, sandbox refusals in Chinese, and a missing output folder refused."""
from __future__ import annotations

import io
import json
import random
import shutil
from pathlib import Path

import openpyxl
from docx import Document

from gxnb_cli import run as gxnb
from gxnb_xl.engine import compute_derived
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.excel.template import build_workbook_bytes
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report
from gxnb_xl.values import format_number
from gxnb_xl.word import MARK, build_template
from gxnb_xl.word.context import TITLE_SUFFIX, TO_FILL
from gxnb_xl.word.text import unjoin

from .docx_grid import table_grid
from .test_render import expected_positions

ROOT = Path(__file__).resolve().parents[2]
COUNTY = ROOT / "examples" / "county-2024"
SPEC = load_spec("2021")
LAYOUT = layout_of(SPEC)
T3_TOTAL = "t3.new.total"  # 表三 第一项 本年新收 总计


from gxnb_cli import render as run  # noqa: E402


def _report(seed=7):
    rep = random_report(random.Random(seed), "2021", unit="测试县测试局", year=2024, busy=0.7)
    assert rep.values[T3_TOTAL]  # the (二) sentence has something to say
    return rep


def _openpyxl_filled(path: Path, rep, *, unit="测试县测试局", year=2024, overrides=None) -> Path:
    """The blank template filled the way a script (or a non-Excel tool) does: input cells only,
    saved by openpyxl, so no formula carries a cached value."""
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook_bytes("2021")))
    for cid, (sheet, addr) in LAYOUT.cells.items():
        if cid not in SPEC.derivations:
            wb[sheet][addr] = rep.values.get(cid)
    for key, value in (("unit", unit), ("year", year)):
        sheet, addr = LAYOUT.meta[key]
        wb[sheet][addr] = value
    for cid, value in (overrides or {}).items():
        sheet, addr = LAYOUT.cells[cid]
        wb[sheet][addr] = value
    wb.save(path)
    return path


def _t3_grid(doc):
    return table_grid(doc.tables[1])


def test_workbook_without_cached_values_prints_recomputed_totals(tmp_path):
    rep = _report()
    src = _openpyxl_filled(tmp_path / "t.xlsx", rep)
    assert gxnb("check", str(src)).exit_code == 0
    out = tmp_path / "r.docx"
    res = run(src, "-o", out, "--html", "--draft")
    assert res.exit_code == 1, res.output  # a draft (drafted sections) is not for publishing
    doc = Document(str(out))
    full = compute_derived(SPEC, rep.values)
    grid = _t3_grid(doc)
    for cid, pos in expected_positions("2021")["t3"].items():
        assert grid[pos]["text"] == format_number(full[cid]), cid  # 总计 column and （七）总计 row included
    total_col = [cid for cid in expected_positions("2021")["t3"] if cid.endswith(".total")]
    assert all(grid[expected_positions("2021")["t3"][c]]["text"] for c in total_col)
    text = "\n".join(unjoin(p.text) for p in doc.paragraphs)
    applications = next(unjoin(p.text) for p in doc.paragraphs if p.text.startswith("（二）依申请公开"))
    assert TO_FILL not in applications
    assert f"本年度共收到政府信息公开申请{format_number(full[T3_TOTAL])}件" in text
    assert f">{format_number(full['t3.total.total'])}<" in out.with_suffix(".html").read_text(encoding="utf-8")


def test_typed_over_total_in_a_workbook_is_not_printed(tmp_path):
    rep = _report()
    true_total = compute_derived(SPEC, rep.values)[T3_TOTAL]
    src = _openpyxl_filled(tmp_path / "t.xlsx", rep, overrides={T3_TOTAL: 999})
    check = gxnb("check", str(src))
    assert "999" in check.output and str(true_total) in check.output
    out = tmp_path / "r.docx"
    res = run(src, "-o", out, "--draft")
    if res.exit_code == 1 and not out.exists():  # the stale total is an error finding: render it anyway
        res = run(src, "-o", out, "--force")
    assert res.exit_code in (0, 1) and out.exists(), res.output
    doc = Document(str(out))
    assert _t3_grid(doc)[expected_positions("2021")["t3"][T3_TOTAL]]["text"] == format_number(true_total)
    applications = next(unjoin(p.text) for p in doc.paragraphs if p.text.startswith("（二）依申请公开"))
    assert f"申请{format_number(true_total)}件" in applications and "999" not in applications


def test_json_totals_are_printed_as_typed(tmp_path):
    data = json.loads((COUNTY / "01-城关镇.json").read_text(encoding="utf-8"))
    data["values"][T3_TOTAL] = data["values"].get(T3_TOTAL, 0) + 1
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "r.docx"
    assert run(src, "-o", out).exit_code == 1 and not out.exists()  # the inconsistency is an error
    assert run(src, "-o", out, "--force").exit_code == 1
    grid = _t3_grid(Document(str(out)))
    assert grid[expected_positions("2021")["t3"][T3_TOTAL]]["text"] == str(data["values"][T3_TOTAL])


def test_blank_cover_refused_then_forced_with_placeholders(tmp_path):
    src = _openpyxl_filled(tmp_path / "t.xlsx", _report(), unit=None, year=None)
    out = tmp_path / "r.docx"
    res = run(src, "-o", out, "--draft")
    assert res.exit_code == 2 and not out.exists()
    assert "封面未填写机关名称/年度，无法生成报告标题" in res.output and "--force" in res.output
    res = run(src, "-o", out, "--force", "--html")
    assert res.exit_code == 1 and out.exists(), res.output
    doc = Document(str(out))
    text = "\n".join(unjoin(p.text) for p in doc.paragraphs)
    assert f"【机关名称】【年度】{TITLE_SUFFIX}" in text
    assert f"\n{TITLE_SUFFIX}" not in text and not text.startswith(TITLE_SUFFIX)
    assert MARK in doc.sections[0].header.paragraphs[0].text
    assert doc.core_properties.title == f"【机关名称】【年度】{TITLE_SUFFIX}"
    assert "【机关名称】【年度】" in out.with_suffix(".html").read_text(encoding="utf-8")
    assert "Traceback" not in res.output


def test_blank_year_alone_is_refused(tmp_path):
    src = _openpyxl_filled(tmp_path / "t.xlsx", _report(), year=None)
    res = run(src, "-o", tmp_path / "r.docx", "--draft")
    assert res.exit_code == 2 and "无法生成报告标题" in res.output


def test_unsafe_attribute_refused_in_chinese(tmp_path):
    doc = Document(io.BytesIO(build_template("2021")))
    doc.paragraphs[0].insert_paragraph_before("{{ unit.__class__.__mro__ }}")
    tpl = tmp_path / "evil.docx"
    doc.save(str(tpl))
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "x.docx", "--template", tpl)
    assert res.exit_code == 2 and not (tmp_path / "x.docx").exists()
    assert "模板试图访问不安全的属性，已拒绝渲染" in res.output and "__class__" in res.output
    assert "unsafe" not in res.output and "Traceback" not in res.output


def test_missing_output_folder_refused(tmp_path):
    src = tmp_path / "in.json"
    shutil.copy(COUNTY / "01-城关镇.json", src)
    out = tmp_path / "nope" / "r.docx"
    res = run(src, "-o", out, "--draft")
    assert res.exit_code == 2 and "输出文件夹不存在" in res.output
    assert not out.parent.exists()
