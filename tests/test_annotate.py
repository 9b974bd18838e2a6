import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from gxnb_xl.cli import main

SLIP = Path(__file__).resolve().parent.parent / "examples" / "county-2024" / "06-清水镇.json"


def test_annotate_writes_a_new_workbook_with_highlights_and_review(tmp_path):
    out = tmp_path / "审核.xlsx"
    before = SLIP.read_bytes()
    res = CliRunner().invoke(main, ["check", str(SLIP), "--annotate", str(out)])
    assert res.exit_code == 1, res.output
    assert SLIP.read_bytes() == before
    wb = CalamineWorkbook.from_path(str(out))
    assert "审核报告" in wb.sheet_names
    rows = wb.get_sheet_by_name("审核报告").to_python()
    assert rows[0][:2] == ["级别", "规则"]
    assert any(r[1] == "R3.2[natural]" and r[5] == "表三!D7 → 12" for r in rows[1:])
    cell = openpyxl.load_workbook(out)["表三"]["D7"]
    assert cell.value == 21 and "建议值：12" in cell.comment.text and cell.fill.fgColor.rgb.endswith("7C80")
    # the annotated copy is itself a readable template workbook with the same finding
    res = CliRunner().invoke(main, ["check", "--json", str(out)])
    [one] = json.loads(res.output)
    assert one["template"]["format"] == "2021"
    assert any(s["cell"] == "t3.granted.natural" and s["suggested"] == 12 and s["address"] == "表三!D7"
               for f in one["findings"] for s in f["suspects"])


def test_annotate_refuses_to_overwrite_the_input(tmp_path):
    copy = tmp_path / "in.json"
    copy.write_bytes(SLIP.read_bytes())
    res = CliRunner().invoke(main, ["check", str(copy), "--annotate", str(copy)])
    assert res.exit_code == 2 and copy.read_bytes() == SLIP.read_bytes()
