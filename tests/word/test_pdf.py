"""LibreOffice converts rendered reports to PDF (A4, Chinese text, page numbers with dashes), and
in ``pdftotext -layout`` of those PDFs no number is split across a line: not a digit run, not a
document number (〔2020〕109号), not a count with its measure word (39件).

One LibreOffice start for all documents (batched: each start costs ~1 s)."""
from __future__ import annotations

import random
import re
import shutil
import subprocess

import pytest

from gxnb_xl.report import load_report
from gxnb_xl.testing.synth import random_report
from gxnb_xl.word import MARK, render_report
from lo import convert

pytestmark = pytest.mark.libreoffice


def _text(pdf, page=None):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


# numbers as the narrative writes them; each sentence is printed behind 0…29 filler characters,
# so every seam of every token meets a line end in some paragraph
TOKENS = ("〔2020〕109号", "39件", "100件", "0元", "43.919万元", "12月", "31日", "1234567件", "2024年")
SENTENCE = "依据国办函〔2020〕109号，上年结转39件，本年度共收到申请100件，收取信息处理费0元，收费43.919万元，统计至12月31日，累计1234567件，2024年。"
SWEEP = 30


def _sweep_report():
    report = load_report("examples/county-2024/01-城关镇.json")
    lines = ["本" * k + SENTENCE for k in range(SWEEP)]
    report.narrative = dict(report.narrative, problems="\n".join(lines))
    report.extra["date"] = "2025-01-15"
    return report


def _splits(text: str, token: str) -> list[str]:
    """Occurrences of ``token`` broken by a line end (spaces pdftotext adds are ignored)."""
    flat = re.sub(r"[ \u3000]+", "", text)
    return [f"{token[:i]}⏎{token[i:]}" for i in range(1, len(token)) if f"{token[:i]}\n{token[i:]}" in flat]


def test_rendered_reports_convert_to_pdf(tmp_path):
    docs = []
    ok = render_report(load_report("examples/county-2024/01-城关镇.json"), tmp_path / "r2021.docx")
    docs.append(ok.docx)
    docs.append(render_report(random_report(random.Random(3), "2019", busy=0.5), tmp_path / "r2019.docx", draft=True).docx)
    docs.append(render_report(load_report("examples/county-2024/06-清水镇.json"), tmp_path / "forced.docx",
                              force=True).docx)
    docs.append(render_report(_sweep_report(), tmp_path / "sweep.docx").docx)
    drafted = [random_report(random.Random(seed), "2021", busy=0.9) for seed in range(3)]
    for i, rep in enumerate(drafted):
        rep.narrative = {}
        docs.append(render_report(rep, tmp_path / f"drafted{i}.docx", draft=True).docx)
    pdfs = convert(docs, "pdf", tmp_path)
    # 1. no number split across a line
    sweep = _text(pdfs[3])
    flat = re.sub(r"[ \u3000]+", "", sweep)
    for token in TOKENS:
        assert _splits(sweep, token) == [], token
        assert flat.count(token) >= SWEEP, (token, flat.count(token))  # every one printed whole
    for i, rep in enumerate(drafted):
        text = _text(pdfs[4 + i])
        words = set(re.findall(r"[〔]?\d+(?:\.\d+)?[〕]?\d*[件元号年月日万项]?", "".join(
            p.raw for paras in _context_paragraphs(rep).values() for p in paras)))
        for token in words:
            if len(token) > 1:
                assert _splits(text, token) == [], (token, i)
    # 2. the 落款 from the cover ends the report, right-aligned below the text
    last = [ln for ln in sweep.splitlines() if ln.strip()]
    assert last[-3].strip() == "示范县城关镇人民政府" and last[-2].replace(" ", "") == "2025年1月15日"
    assert last[-3].startswith(" " * 12) and last[-2].startswith(" " * 12)  # right, not at the margin
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
    # 3. 表三's header rows on every page it spans; its labels unbroken inside words
    pages = [page for page in _text(pdfs[0]).split("\f") if page.strip()]
    t3_pages = [page for page in pages if "勾稽关系" in page.replace(" ", "")]
    assert len(t3_pages) >= 2, t3_pages
    for page in t3_pages:
        assert "申请人情况" in page and "自然人" in page and "法人或其他组织" in page


def _context_paragraphs(report):
    from gxnb_xl.word.context import build_context
    return build_context(report)["paragraphs"]
