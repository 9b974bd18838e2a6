"""LibreOffice converts rendered reports to PDF (A4, Chinese text, page numbers with dashes).

One LibreOffice start for both formats and the forced report (batched: each start costs ~1 s)."""
from __future__ import annotations

import random
import shutil
import subprocess

import pytest

from gxnb_xl.report import load_report
from gxnb_xl.synth import random_report
from gxnb_xl.word import MARK, render_report
from lo import convert

pytestmark = pytest.mark.libreoffice


def _text(pdf, page=None):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_rendered_reports_convert_to_pdf(tmp_path):
    docs = []
    ok = render_report(load_report("examples/county-2024/01-城关镇.json"), tmp_path / "r2021.docx")
    docs.append(ok.docx)
    docs.append(render_report(random_report(random.Random(3), "2019", busy=0.5), tmp_path / "r2019.docx", draft=True).docx)
    docs.append(render_report(load_report("examples/county-2024/06-清水镇.json"), tmp_path / "forced.docx",
                              force=True).docx)
    pdfs = convert(docs, "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdfs[0])], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    if info:
        assert "595.3" in info and "841.8" in info  # A4 in points
    text = _text(pdfs[0])
    assert "示范县城关镇人民政府2024年政府信息公开工作年度报告" in text.replace(" ", "").replace("\n", "")
    for heading in ("一、总体情况", "三、收到和处理政府信息公开申请情况", "六、其他需要报告的事项"):
        assert heading in text.replace(" ", "")
    assert "—1—" in _text(pdfs[0], 1).replace(" ", "")
    assert "—2—" in _text(pdfs[0], 2).replace(" ", "")
    assert "政府集中采购" in _text(pdfs[1]).replace(" ", "")  # a 2019-format table label
    forced = _text(pdfs[2])
    assert forced.count(MARK) >= 2  # banner + every page header
