"""The .xlsm opens in LibreOffice headless, its formulas compute as in the .xlsx, and
LibreOffice's own VBA importer finds our modules in the embedded project."""
from __future__ import annotations

import zipfile

import pytest
from lo import convert
from python_calamine import CalamineWorkbook
from xlsm_helpers import SLIP, make_xlsm

from gxnb_xl.excel.template import write_workbook
from gxnb_xl.report import load_report

pytestmark = pytest.mark.libreoffice


def sheets(path):
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def test_xlsm_recalculates_like_the_xlsx(tmp_path):
    xlsm = make_xlsm(tmp_path / "按钮版.xlsm", SLIP)
    xlsx = tmp_path / "普通版.xlsx"
    write_workbook(xlsx, report=load_report(SLIP))
    out_xlsm, out_xlsx = convert([xlsm, xlsx], "xlsx", tmp_path / "lo")  # recalculation forced on load
    a, b = sheets(out_xlsm), sheets(out_xlsx)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    # and the recalculated values are what the generator cached (nothing left stale)
    cached = sheets(xlsm)
    for name in ("表三", "校验"):
        assert a[name] == cached[name], name


def test_libreoffice_imports_the_vba_modules(tmp_path, blank_xlsm):
    (ods,) = convert(blank_xlsm, "ods", tmp_path)
    z = zipfile.ZipFile(ods)
    names = set(z.namelist())
    for module in ("gxnb", "xlwings", "Dictionary", "ThisWorkbook"):
        assert f"Basic/VBAProject/{module}.xml" in names, sorted(n for n in names if n.startswith("Basic"))
    gxnb = z.read("Basic/VBAProject/gxnb.xml").decode("utf-8")
    for sub in ("GxnbCheck", "GxnbRender", "GxnbExport", "PythonReady"):
        assert sub in gxnb
