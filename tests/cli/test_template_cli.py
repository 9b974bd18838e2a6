"""gxnb template: blank, pre-filled, bad input → Chinese message and exit code 2."""
from __future__ import annotations

import json
import zipfile

import openpyxl

from gxnb_cli import run
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.excel.template import write_workbook


def test_blank_with_cover_fields(tmp_path):
    out = tmp_path / "t.xlsx"
    res = run("template", "--unit", "某某镇人民政府", "--year", "2024", "--level", "township", "-o", str(out))
    assert res.exit_code == 0, res.output
    lay = layout_of("2021")
    wb = openpyxl.load_workbook(out)
    s, a = lay.meta["unit"]
    assert wb[s][a].value == "某某镇人民政府"


def test_year_picks_format_and_data_prefills(tmp_path):
    out = tmp_path / "old.xlsx"
    assert run("template", "--year", "2020", "-o", str(out)).exit_code == 0
    assert "表二" in openpyxl.load_workbook(out).sheetnames
    assert layout_of("2019").template_id in zipfile.ZipFile(out).read("docProps/custom.xml").decode()
    data = tmp_path / "r.json"
    data.write_text(json.dumps({"format": "2021", "unit": "乙镇", "year": 2024, "values": {"t3.new.natural": 4}},
                               ensure_ascii=False), encoding="utf-8")
    before = data.read_bytes()
    out2 = tmp_path / "filled.xlsx"
    res = run("template", "--data", str(data), "-o", str(out2))
    assert res.exit_code == 0, res.output
    assert data.read_bytes() == before  # input untouched
    s, a = layout_of("2021").cells["t3.new.natural"]
    assert openpyxl.load_workbook(out2)[s][a].value == 4


def test_bad_inputs_are_messages_not_tracebacks(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    for args, needle in ((["--data", str(bad)], "JSON 格式错误"),
                         (["--data", str(tmp_path / "none.json")], "不存在"),
                         (["--format", "2019", "--data", str(bad)], "JSON")):
        res = run("template", *args, "-o", str(tmp_path / "x.xlsx"))
        assert res.exit_code == 2 and needle in res.output and "Traceback" not in res.output
    res = run("template", "-o", str(tmp_path / "x.txt"))
    assert res.exit_code == 2 and ".xlsx" in res.output
    res = run("template", "-o", str(tmp_path / "no" / "x.xlsx"))
    assert res.exit_code == 2 and "不存在" in res.output


def test_xlsm_with_buttons(tmp_path):
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 508)  # stands in for the real project
    out = write_workbook(tmp_path / "m.xlsm", "2021", xlsm=True, vba_project=vba, buttons=[("校验", "GxnbCheck")])
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert "xl/vbaProject.bin" in names
        assert any(n.startswith("xl/drawings/vmlDrawing") for n in names)
        assert "GxnbCheck" in "".join(z.read(n).decode("utf-8", "ignore") for n in names if n.endswith(".vml"))
