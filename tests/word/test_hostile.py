"""Hostile templates and odd text: a custom template that loops, recurses, includes or blows up
its output ends quickly with a plain message naming the template (exit 2, never 内部错误); staff
text with control characters (Word's Shift-Enter) or docxtpl's own markers (``{_{``) prints as
typed; SIGTERM during ``render --pdf`` leaves no temporary folder behind."""
from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document

from gxnb_cli import run
from gxnb_xl.report import load_report
from gxnb_xl.word import build_template, render_html, render_report
from gxnb_xl.word.text import unjoin

ROOT = Path(__file__).resolve().parents[2]
COUNTY = ROOT / "examples" / "county-2024"


def _template(tmp_path, body: str, name: str = "我县模板.docx") -> Path:
    doc = Document(io.BytesIO(build_template("2021")))
    doc.paragraphs[0].insert_paragraph_before(body)
    path = tmp_path / name
    doc.save(str(path))
    return path


HOSTILE = {
    "include": ("{% include 'other.docx' %}", "include"),
    "import": ("{% import 'macros.docx' as m %}", "import"),
    "extends": ("{% extends 'base.docx' %}", "extends"),
    "huge_range": ("{% for i in range(10**9) %}x{% endfor %}", "range"),
    "nested_range": ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "循环"),
    "recursive_macro": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}", "沙箱限制"),
    "exponential_macro": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
                          "沙箱限制"),
    "huge_power": ("{{ 2 ** 100000000 }}", "指数"),
    "huge_repeat": ("{{ 'x' * 100000000 }}", "沙箱限制"),
    "huge_output": ("{% set s = 'x' * 900000 %}{% for i in range(1000) %}{{ s }}{% endfor %}", "输出"),
    "zero_division": ("{{ 1 / 0 }}", "模板渲染失败"),
    "unsafe": ("{{ unit.__class__.__mro__ }}", "不安全"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_template_refused_plainly(tmp_path, case):
    body, words = HOSTILE[case]
    tpl = _template(tmp_path, body)
    out = tmp_path / "x.docx"
    t = time.monotonic()
    res = run("render", str(COUNTY / "01-城关镇.json"), "-o", str(out), "--template", str(tpl))
    assert time.monotonic() - t < 20
    assert res.exit_code == 2, res.output
    assert "我县模板.docx" in res.output and words in res.output, res.output
    assert "内部错误" not in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_a_bounded_loop_in_a_template_still_renders(tmp_path):
    tpl = _template(tmp_path, "{% for i in range(3) %}{{ i }}{% endfor %}{{ 2 ** 10 }}{{ unit }}")
    res = run("render", str(COUNTY / "01-城关镇.json"), "-o", str(tmp_path / "x.docx"), "--template", str(tpl))
    assert res.exit_code == 0, res.output
    assert Document(str(tmp_path / "x.docx")).paragraphs[0].text == "0121024示范县城关镇人民政府"


def test_control_characters_and_docxtpl_markers_print_as_typed(tmp_path):
    report = load_report(COUNTY / "01-城关镇.json")
    report.unit = "示范县\x0b城关镇{_{人民}_}政府\x01"  # Shift-Enter, docxtpl's escape marker, a C0 control
    report.narrative["problems"] = "第一句\x0b第二句\x0c第三句\x1f。{_% x %_}"
    done = render_report(report, tmp_path / "r.docx", html=True)
    doc = Document(str(done.docx))
    title = unjoin(doc.paragraphs[0].text)
    assert title == f"示范县 城关镇{{_{{人民}}_}}政府{report.year}年政府信息公开工作年度报告"
    assert doc.core_properties.title == title
    texts = [unjoin(p.text) for p in doc.paragraphs]
    assert "第一句 第二句 第三句。{_% x %_}" in texts
    assert texts[-1] == "　　年　月　日" and texts[-2] == "示范县 城关镇{_{人民}_}政府"  # 落款, no date on the cover
    html = done.html.read_text(encoding="utf-8")
    assert "\x0b" not in html and "\x01" not in html and "{_{人民}_}" in html
    assert render_html(report).count("示范县 城关镇{_{人民}_}政府") >= 2  # title and 落款


def test_sigterm_during_pdf_leaves_no_temporary_folder(tmp_path):
    """A real process, a real signal: the conversion is stopped with SIGTERM while LibreOffice runs."""
    from lo import soffice
    soffice()  # skips (or fails under GXNB_REQUIRE_LIBREOFFICE=1) without LibreOffice
    src = tmp_path / "r.json"
    src.write_text(json.dumps(load_report(COUNTY / "01-城关镇.json").to_json_dict(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out" / "r.docx"
    out.parent.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "gxnb_xl", "render", str(src), "-o", str(out), "--pdf"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not out.exists() and time.monotonic() < deadline:  # the .docx is written before the PDF starts
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 or out.with_suffix(".pdf").exists()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".") or "gxnb-pdf" in p.name]
    assert leftovers == []
    assert "Traceback" not in err, err
    if proc.returncode == 128 + signal.SIGTERM:  # stopped inside the conversion (the usual case)
        assert "中断" in err, err
    import tempfile
    stale = [p for p in Path(tempfile.gettempdir()).glob("gxnb-pdf-*") if p.stat().st_mtime > time.time() - 60]
    assert stale == []
