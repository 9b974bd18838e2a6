"""Every front door says the same: the same workbooks — saved by LibreOffice — through the Python API,
`gxnb check --json`, `gxnb export`, the Excel buttons (stand-in Book), `gxnb aggregate` of that one
file and `gxnb render --force` give the same effective values and the same finding codes.

Workbooks: the template filled by the project, one defect each written into the sheet XML the way
the file would hold it (a total's formula typed over with 999, a number typed as text, a slip, a
renamed sheet), then opened and saved as .xlsx by LibreOffice with recalculation forced.
"""
from __future__ import annotations

import json
import random
import sys
import zipfile
from pathlib import Path

import pytest

import gxnb_xl
from gxnb_cli import run
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.excel.template import write_workbook
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report
from lo import convert, soffice

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "excel_buttons"))
from fakebook import FakeBook  # noqa: E402
from make_bad_inputs import set_cells  # noqa: E402

SPEC = load_spec("2021")
LAYOUT = layout_of(SPEC)
TOTAL = "t3.total.total"  # （七）总计 / 总计: a formula in the template
TYPED = "t3.new.natural"


def _addr(cell):
    sheet, a1 = LAYOUT.cells[cell]
    return sheet, a1


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    soffice()
    src = tmp_path_factory.mktemp("src")
    rep = random_report(random.Random(7), "2021", unit="示范县城关镇人民政府", year=2024, busy=0.6)
    rep.values[TYPED] = rep.values[TYPED] or 0
    clean = src / "clean.xlsx"
    write_workbook(clean, "2021", rep)
    good = clean.read_bytes()
    slip_cell = "t3.granted.natural"
    variants = {
        "clean": good,
        "overwritten_total": set_cells(good, {_addr(TOTAL): 999}),
        "text_number": set_cells(good, {_addr(TYPED): str(rep.values[TYPED] + 87)}),
        "slip": set_cells(good, {_addr(slip_cell): (rep.values[slip_cell] or 0) + 9}),
    }
    files = []
    for name, data in variants.items():
        (src / f"{name}.xlsx").write_bytes(data)
        files.append(src / f"{name}.xlsx")
    out = tmp_path_factory.mktemp("saved-by-libreoffice")
    saved = convert(files, "xlsx", out)
    for p in saved:  # what LibreOffice wrote, not a Python library
        assert "LibreOffice" in zipfile.ZipFile(p).read("docProps/app.xml").decode("utf-8", "replace")
    return {p.stem: p for p in saved}


def _cli(*args):
    return run(*args)  # stdout and stderr kept apart


def _api(path):
    res = gxnb_xl.check(path)
    return res.report.values, sorted(f.code for f in res.findings if f.status == "fail")


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", ["clean", "overwritten_total", "text_number", "slip"])
def test_every_door_gives_the_same_values_and_codes(workbooks, case, tmp_path):
    path = workbooks[case]
    values, codes = _api(path)

    checked = json.loads(_cli("check", "--json", path).stdout)[0]
    assert sorted(f["code"] for f in checked["findings"] if f["status"] == "fail") == codes
    for f in checked["findings"]:
        assert {"code", "severity", "params", "message"} <= set(f)

    exported = _cli("export", path, "-o", tmp_path / "e.json")
    assert exported.exit_code == 0, exported.stderr
    export_values = gxnb_xl.load_report(tmp_path / "e.json").values
    assert {c: export_values.get(c) for c in SPEC.cells} == {c: values.get(c) for c in SPEC.cells}

    book_copy = tmp_path / "book" / path.name  # the button writes beside the workbook
    book_copy.parent.mkdir()
    book_copy.write_bytes(path.read_bytes())
    from gxnb_xl import excel_buttons as eb
    outcome = eb.export_book(FakeBook(book_copy))
    button_values = gxnb_xl.load_report(book_copy.with_suffix(".json")).values
    assert outcome.ok and {c: button_values.get(c) for c in SPEC.cells} == {c: values.get(c) for c in SPEC.cells}
    checked_by_button = eb.check_book(FakeBook(book_copy)).result.result
    assert sorted(f.code for f in checked_by_button.findings if f.status == "fail") == codes

    agg = _cli("aggregate", path, "--json", "--include-invalid", "--unit", "示范县人民政府", "-o", tmp_path / "c.xlsx")
    totals = json.loads(agg.stdout)["totals"]
    assert totals[TOTAL] == values[TOTAL]


@pytest.mark.libreoffice
def test_a_total_typed_over_with_999_is_100_everywhere(workbooks, tmp_path):
    """The bar of the one-pipeline issue: the stored 999 is told (D1) and never used."""
    path = workbooks["overwritten_total"]
    values, codes = _api(path)
    assert "D1" in codes and values[TOTAL] != 999
    rendered = _cli("render", path, "-o", tmp_path / "r.docx", "--force")
    assert rendered.exit_code in (0, 1), rendered.stderr
    from docx import Document
    doc = Document(tmp_path / "r.docx")
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert str(values[TOTAL]) in cells and "999" not in cells


@pytest.mark.libreoffice
def test_text_number_is_one_error_on_its_cell_not_a_changed_formula(workbooks):
    res = gxnb_xl.check(workbooks["text_number"])
    texts = [f for f in res.findings if f.rule == "R0" and f.cells == [TYPED]]
    assert len(texts) == 1 and texts[0].severity == "error"
    address = LAYOUT.address(TYPED)
    assert address.split("!")[1] in texts[0].text() and "文本" in texts[0].text()
    assert not any(f.code == "D1" for f in res.findings)  # no formula was changed
    assert texts[0].explains  # the stored totals it broke are explained by it
    assert "text" in texts[0].text("en")


@pytest.mark.libreoffice
def test_english_json_has_the_same_codes_and_params(workbooks):
    path = workbooks["slip"]
    zh = json.loads(_cli("check", "--json", path).stdout)[0]["findings"]
    en = json.loads(_cli("check", "--json", "--lang", "en", path).stdout)[0]["findings"]
    assert [(f["code"], f["params"]) for f in zh] == [(f["code"], f["params"]) for f in en]
    assert [f["message"] for f in zh] != [f["message"] for f in en]
