"""gxnb render on the command line: exit codes, refusal, --force, templates, Chinese messages."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

from docx import Document

from gxnb_cli import run as gxnb
from gxnb_xl.word import MARK, build_template

ROOT = Path(__file__).resolve().parents[2]
COUNTY = ROOT / "examples" / "county-2024"


from gxnb_cli import render as run  # noqa: E402


def test_clean_report_renders(tmp_path):
    src = tmp_path / "城关镇.json"
    shutil.copy(COUNTY / "01-城关镇.json", src)
    before = src.read_bytes()
    res = run(src, "-o", tmp_path / "out.docx", "--html")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out.docx").exists() and (tmp_path / "out.html").exists()
    assert "已生成" in res.output
    assert src.read_bytes() == before  # input never modified


def test_errors_refused_then_forced(tmp_path):
    out = tmp_path / "qs.docx"
    res = run(COUNTY / "06-清水镇.json", "-o", out)
    assert res.exit_code == 1 and not out.exists()
    assert "未生成" in res.output and "--force" in res.output and "R3.2" in res.output
    res = run(COUNTY / "06-清水镇.json", "-o", out, "--force")
    assert res.exit_code == 1 and out.exists()
    assert MARK in res.output
    assert MARK in Document(str(out)).sections[0].header.paragraphs[0].text


def test_unusable_inputs_exit_2(tmp_path):
    res = run(tmp_path / "missing.json", "-o", tmp_path / "x.docx")
    assert res.exit_code == 2 and "不存在" in res.output
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "x.pdf")
    assert res.exit_code == 2 and ".docx" in res.output
    bad = tmp_path / "bad.docx"
    bad.write_text("not a docx")
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "x.docx", "--template", bad)
    assert res.exit_code == 2 and "不是有效的 Word" in res.output
    assert "Traceback" not in res.output


def _custom_template(tmp_path, extra_header: str = "示范县人民政府办公室", body_extra: str = "") -> Path:
    doc = Document(io.BytesIO(build_template("2021")))
    doc.sections[0].header.paragraphs[0].text = extra_header
    if body_extra:
        doc.paragraphs[0].insert_paragraph_before(body_extra)
    path = tmp_path / "letterhead.docx"
    doc.save(str(path))
    return path


def test_custom_letterhead_template(tmp_path):
    tpl = _custom_template(tmp_path, body_extra="{{ unit }}（{{ format_name }}）")
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "x.docx", "--template", tpl)
    assert res.exit_code == 0, res.output
    doc = Document(str(tmp_path / "x.docx"))
    assert doc.sections[0].header.paragraphs[0].text == "示范县人民政府办公室"
    assert doc.paragraphs[0].text == "示范县城关镇人民政府（国办公开办函〔2021〕30号）"


def test_custom_template_lint_and_sandbox(tmp_path):
    tpl = _custom_template(tmp_path, body_extra="{{ contact_phone }} {{ unit }}")
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "x.docx", "--template", tpl)
    assert res.exit_code == 2 and "未知的变量" in res.output and "contact_phone" in res.output
    assert not (tmp_path / "x.docx").exists()
    tpl = _custom_template(tmp_path, body_extra="{% if unit %}")
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "x.docx", "--template", tpl)
    assert res.exit_code == 2 and "语法错误" in res.output
    tpl = _custom_template(tmp_path, body_extra="{{ unit.__class__.__mro__ }}")
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "x.docx", "--template", tpl)
    assert res.exit_code == 2 and "模板试图访问不安全的属性" in res.output and "unsafe" not in res.output


def test_english(tmp_path):
    res = gxnb("render", str(COUNTY / "06-清水镇.json"), "-o", str(tmp_path / "x.docx"), "--lang", "en")
    assert res.exit_code == 1 and "not rendered" in res.output
