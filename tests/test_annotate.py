import json
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from gxnb_cli import run

SLIP = Path(__file__).resolve().parent.parent / "examples" / "county-2024" / "06-清水镇.json"


def test_annotate_writes_a_new_workbook_with_highlights_and_review(tmp_path):
    out = tmp_path / "审核.xlsx"
    before = SLIP.read_bytes()
    res = run("check", str(SLIP), "--annotate", str(out))
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
    res = run("check", "--json", str(out))
    [one] = json.loads(res.output)
    assert one["template"]["format"] == "2021"
    assert any(s["cell"] == "t3.granted.natural" and s["suggested"] == 12 and s["address"] == "表三!D7"
               for f in one["findings"] for s in f["suspects"])


def test_annotate_refuses_to_overwrite_the_input(tmp_path):
    copy = tmp_path / "in.json"
    copy.write_bytes(SLIP.read_bytes())
    res = run("check", str(copy), "--annotate", str(copy))
    assert res.exit_code == 2 and copy.read_bytes() == SLIP.read_bytes()


def test_check_folder_annotate_outdir(tmp_path):
    """One annotated copy per readable input (named after the unit) + 审核意见.xlsx; the summary line;
    lock files and non-report files listed the way aggregate lists them; nothing overwritten."""
    import shutil
    inbox = tmp_path / "inbox"
    shutil.copytree(SLIP.parent, inbox)
    (inbox / "~$01-城关镇.xlsx").write_bytes(b"\x00lock")
    (inbox / "新集镇年报.pdf").write_bytes(b"%PDF-1.4")
    (inbox / "broken.json").write_text("{", encoding="utf-8")
    before = {p: p.read_bytes() for p in inbox.iterdir()}
    out = tmp_path / "审核"
    res = run("check", str(inbox), "--annotate", str(out), "--jobs", "2")
    assert res.exit_code == 2, res.output  # broken.json is unusable
    assert "15 份：11 份通过，1 份有错误，1 份无法读取，1 份非报告文件，1 个已跳过" in res.output
    copies = sorted(p.name for p in out.glob("*-审核.xlsx"))
    assert len(copies) == 12 and "示范县清水镇人民政府-审核.xlsx" in copies
    review = CalamineWorkbook.from_path(str(out / "审核意见.xlsx")).get_sheet_by_index(0).to_python()
    text = "\n".join(" ".join(str(x) for x in r if x != "") for r in review)
    assert "表三!D7 应为 12" in text and "通过，无需修改" in text and "请报送填好的 Excel 填报模板" in text
    assert "broken.json" in text and "新集镇年报.pdf" in text
    ws = openpyxl.load_workbook(out / "示范县清水镇人民政府-审核.xlsx")["审核报告"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:F")
    assert ws.page_setup.orientation == "landscape" and ws["A2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert {p: p.read_bytes() for p in inbox.iterdir()} == before
    again = run("check", str(inbox), "--annotate", str(out))
    assert again.exit_code == 2 and "未覆盖" in again.output
