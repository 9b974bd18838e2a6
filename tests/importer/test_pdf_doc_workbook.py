"""PDF files, old Word files and workbooks the project did not lay out, made by LibreOffice."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from imp_score import score
from gxnb_xl.importer import import_file
from gxnb_xl.report import ReportError

pytestmark = pytest.mark.libreoffice
ROOT = Path(__file__).resolve().parents[2]


def _gxnb(*args):
    return subprocess.run([sys.executable, "-m", "gxnb_xl", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_pdfs_have_no_wrong_cell(lo_files):
    pdfs = lo_files["pdf"]
    assert len(pdfs) >= 20
    total = right = 0
    for path, truth in pdfs:
        got = import_file(path).report.to_json_dict()
        assert (got["format"], got["year"], got["unit"]) == (truth["format"], truth["year"], truth["unit"]), path.name
        r, wrong, blank = score(got["values"], truth)
        assert wrong == [], (path.name, wrong)
        if not path.stem.startswith("bare-"):  # tables with cell borders: rebuilt from the rulings
            total += len(truth["values"])
            right += r
    assert right / total >= 0.98


def test_pdf_tables_come_from_rulings(lo_files):
    path = next(p for p, _ in lo_files["pdf"] if p.stem == "word-003")
    from gxnb_xl.importer.sources import read_source
    text, kind = read_source(path)
    assert kind == "pdf"
    # a row of the official table as cells, merged label cells once, page numbers gone
    assert "（一）予以公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0" in text
    assert "— 1 —" not in text
    res = import_file(path)
    assert all(s.status == "read" for s in res.cell_status.values())


def test_row_cut_by_a_page_break_is_joined(lo_files):
    path = next(p for p, _ in lo_files["pdf"] if p.stem == "grid-16")
    r = import_file(path)
    assert r.cell_status["t3.granted.natural"].status == "read"


def test_scanned_pdf_is_refused(tmp_path):
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(buf.getvalue())
    with pytest.raises(ReportError) as err:
        import_file(scan)
    assert "扫描件，没有文字层，无法读取；请提供 Word 或网页版本" in err.value.message()
    res = _gxnb("import", scan)
    assert res.returncode == 2 and "扫描件" in res.stderr + res.stdout and "Traceback" not in res.stderr
    res = _gxnb("check", scan)
    assert res.returncode == 2 and "扫描件" in res.stderr + res.stdout


def test_old_word_files(lo_files):
    docs = lo_files["doc"]
    assert docs
    for path, truth in docs:
        assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # really Word 97–2003
        res = import_file(path)
        assert res.kind == "doc"
        right, wrong, blank = score(res.report.to_json_dict()["values"], truth)
        assert wrong == [] and right >= 0.98 * len(truth["values"]), path.name


def test_web_page_saved_as_workbook_is_read_by_labels(lo_files, tmp_path):
    books = lo_files["xlsx"]
    assert len(books) == 7
    for path, truth in books:
        res = import_file(path)
        right, wrong, blank = score(res.report.to_json_dict()["values"], truth)
        assert wrong == [], (path.name, wrong)
        assert right >= 0.98 * len(truth["values"]), path.name
    path, truth = books[1]
    res = _gxnb("check", path, "--json")
    assert res.returncode in (0, 1), res.stderr
    data = json.loads(res.stdout)
    rec = data[0] if isinstance(data, list) else data
    assert "找不到表二" not in res.stdout
    out = tmp_path / "out.json"
    res = _gxnb("export", path, "-o", out)
    assert res.returncode in (0, 1), res.stderr + res.stdout
    exported = json.loads(out.read_text("utf-8"))
    assert exported["unit"] == truth["unit"] and exported["year"] == truth["year"]
    assert rec


def test_workbook_without_tables_is_still_refused(tmp_path):
    import xlsxwriter
    p = tmp_path / "随便.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Sheet1")
    ws.write(0, 0, "购物清单")
    ws.write(1, 0, "苹果")
    ws.write(1, 1, 3)
    wb.close()
    res = _gxnb("check", p)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "找不到表二、表三、表四" in res.stdout + res.stderr or "不是政府信息公开年度报告填报模板" in res.stdout


def test_county_own_workbook_with_table_sheets(lo_files):
    """Sheets named 表二/表三/表四 but not our template (title rows, offsets, merged headers), saved by
    LibreOffice as .xls: check reads it by its labels, with no wrong cell."""
    from gxnb_xl.inputs import read_input
    books = lo_files["xls"]
    assert len(books) == 7
    total = right = 0
    for path, truth in books:
        loaded = read_input(path)
        r, wrong, blank = score(loaded.report.values, truth)
        assert wrong == [], (path.name, wrong)
        assert (loaded.report.unit, loaded.report.year) == (truth["unit"], truth["year"])
        total += len(truth["values"])
        right += r
    assert right / total >= 0.98
    res = _gxnb("check", books[0][0])
    assert res.returncode in (0, 1) and "Traceback" not in res.stderr


def test_text_extracted_from_pdfs_by_poppler(lo_files, tmp_path):
    """PDF-layout text as people get it (``pdftotext -layout``, and plain ``pdftotext`` which prints a
    table column by column): never a wrong cell; the layout text of ordinary tables nearly complete."""
    import shutil
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) not installed")
    total = right = 0
    for path, truth in lo_files["pdf"]:
        for mode in ("-layout", "-raw", None):
            out = tmp_path / f"{path.stem}{mode or ''}.txt"
            subprocess.run(["pdftotext", *([mode] if mode else []), str(path), str(out)], check=True, timeout=60)
            got = import_file(out).report.to_json_dict()
            r, wrong, blank = score(got["values"], truth)
            assert wrong == [], (out.name, wrong)
            assert (got["format"], got["year"]) == (truth["format"], truth["year"]), out.name
            if mode == "-layout" and path.stem.split("-")[0] in ("html", "word", "txt"):
                total += len(truth["values"])
                right += r
    assert right / total >= 0.95


def test_column_by_column_text_is_not_split_by_guess():
    from gxnb_xl.importer import import_text
    text = ("某某县某某局2020年度政府信息公开工作年度报告\n一、总体情况\n概述。\n二、主动公开政府信息情况\n第二十条第（八）项\n信息内容\n"
            "上一年项目数量\n行政事业性收费\n15\n第二十条第（九）项\n信息内容\n本年增/减\n-15\n")
    r = import_text(text)
    assert r.report.values["t2.fees.prev_items"] is None and r.report.values["t2.fees.change"] is None
    assert "粘连" in r.cell_status["t2.fees.prev_items"].reason_zh or "无法" in r.cell_status["t2.fees.prev_items"].reason_zh


def test_workbook_cells_read_by_label_carry_their_addresses(lo_files):
    """Findings on a county's own workbook name the cell (表三!E7), found again by label and value."""
    from gxnb_xl.inputs import read_input
    from python_calamine import CalamineWorkbook
    path, truth = lo_files["xls"][0]
    loaded = read_input(path)
    assert len(loaded.addresses) >= 0.95 * len(truth["values"])
    wb = CalamineWorkbook.from_path(str(path))
    for cid, where in list(loaded.addresses.items())[::17]:
        sheet, a1 = where.split("!")
        col = ord(a1[0]) - 65
        row = int(a1[1:]) - 1
        value = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)[row][col]
        assert float(value) == float(loaded.report.values[cid]), (cid, where)
