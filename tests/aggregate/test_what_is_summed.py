"""What `gxnb aggregate` sums and what it refuses, on real files (the example county, generated
workbooks): the output never overwrites an input, an earlier county summary is never summed again,
a stray year names the --year fix, 汇总情况 counts what was read, a report without unit or year is
not summed, a missing --previous is refused. Checked through --json, exit codes, file hashes and
the 汇总情况 sheet read back with python-calamine."""
import hashlib
import json
import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from gxnb_xl.aggregate import SUMMARY_SHEET, has_summary_sheet
from gxnb_xl.report import load_report
from gxnb_xl.testing.synth import random_report

pytest.importorskip("python_calamine")
from python_calamine import CalamineWorkbook  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "county-2024"
COUNTY = "示范县人民政府"
SUMMARY_REASON = "这是汇总结果（含“汇总情况”工作表），不作为乡镇报告汇总"


from gxnb_cli import run  # noqa: E402


def hashes(root: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def county_copy(tmp_path: Path, name: str = "c") -> Path:
    dst = tmp_path / name
    shutil.copytree(EXAMPLES, dst)
    return dst


def rows_of(workbook: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(SUMMARY_SHEET).to_python()


def file_rows(workbook: Path) -> dict:
    """The 汇总情况 sheet's file rows by file name: [序号, 文件, 单位, 年度, 格式, 状态, 错误, 提示, 汇总, 原因, 问题]."""
    return {Path(r[1]).name: r for r in rows_of(workbook)
            if len(r) > 9 and isinstance(r[0], (int, float)) and isinstance(r[1], str) and r[1]}


def as_dec(totals: dict) -> dict:
    return {k: (None if v is None else Decimal(str(v))) for k, v in totals.items()}


# 1 ─ the output never overwrites an input ─────────────────────────────────────────────────
def test_output_that_is_an_input_is_refused(tmp_path):
    from gxnb_xl.excel.template import write_workbook
    c = county_copy(tmp_path)
    # a township sent as a workbook too (another file name, same unit as 01: a duplicate)
    write_workbook(c / "13-城关镇.xlsx", "2021", load_report(c / "01-城关镇.json"))
    before = hashes(c)
    for target in (c / "01-城关镇.json", c / "13-城关镇.xlsx"):
        res = run("aggregate", c, "-o", target)
        assert res.exit_code == 2, res.output
        assert "不能覆盖" in res.output and "汇总情况" in res.output and "Traceback" not in res.output
        assert hashes(c) == before
    # an input given by name (outside any input folder) is refused as well
    single = tmp_path / "城关镇.json"
    shutil.copy(c / "01-城关镇.json", single)
    res = run("aggregate", c, single, "-o", single, "--json")
    assert res.exit_code == 2 and "不能覆盖" in res.output
    assert hashlib.sha256(single.read_bytes()).hexdigest() == before[str(c / "01-城关镇.json")]
    # not a workbook name: said clearly
    res = run("aggregate", c, "-o", tmp_path / "县汇总.txt")
    assert res.exit_code == 2 and ".xlsx" in res.output and not (tmp_path / "县汇总.txt").exists()
    assert hashes(c) == before

    # an earlier county summary (it has a 汇总情况 sheet) may be written again, and only that file
    out = c / "县汇总.xlsx"
    res = run("aggregate", c, "-o", out, "--unit", COUNTY, "--json")
    assert res.exit_code == 1, res.output  # 06-清水镇 has an error, 13 duplicates 01
    first = json.loads(res.output)
    assert has_summary_sheet(out) and not has_summary_sheet(c / "13-城关镇.xlsx")
    assert {k: v for k, v in hashes(c).items() if k != str(out)} == before
    res = run("aggregate", c, "-o", out, "--unit", COUNTY, "--json")
    assert res.exit_code == 2 and "--force" in res.output  # never overwritten without --force
    res = run("aggregate", c, "-o", out, "--unit", COUNTY, "--json", "--force")
    assert res.exit_code == 1, res.output
    second = json.loads(res.output)
    assert second["output"] == str(out) and second["totals"] == first["totals"]
    row = next(f for f in second["files"] if f["file"] == str(out))
    assert row["status"] == "skipped" and not row["included"]
    now = hashes(c)
    assert {k: v for k, v in now.items() if k != str(out)} == before  # every input untouched
    assert file_rows(out)["县汇总.xlsx"][8] == "否"


# 2 ─ an earlier summary in the input folder is not summed again ───────────────────────────
def test_earlier_summary_in_the_folder_is_not_summed_again(tmp_path):
    c3 = county_copy(tmp_path, "c3")
    res = run("aggregate", c3, "-o", c3 / "县汇总.xlsx", "--unit", COUNTY, "--json")
    first = json.loads(res.output)
    assert res.exit_code == 1 and first["included"] == 11
    # a county JSON from elsewhere (level county) and a report naming the county itself
    county_json = load_report(c3 / "01-城关镇.json")
    county_json.level = "county"
    county_json.unit = "示范县（旧汇总）"
    county_json.save(c3 / "旧汇总.json")
    own = load_report(c3 / "02-东坝镇.json")
    own.unit = COUNTY
    own.save(c3 / "本级.json")
    before = hashes(c3)

    out = tmp_path / "县2.xlsx"
    res = run("aggregate", c3, "-o", out, "--unit", COUNTY, "--json")
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    files = {Path(f["file"]).name: f for f in data["files"]}
    assert files["县汇总.xlsx"]["status"] == "skipped" and not files["县汇总.xlsx"]["included"]
    assert files["县汇总.xlsx"]["reason"] == SUMMARY_REASON
    assert not files["旧汇总.json"]["included"] and "层级" in files["旧汇总.json"]["reason"]
    assert not files["本级.json"]["included"] and "汇总单位" in files["本级.json"]["reason"]
    assert data["included"] == 11 and data["totals"] == first["totals"]  # not doubled
    rows = file_rows(out)
    assert rows["县汇总.xlsx"][9] == SUMMARY_REASON and rows["县汇总.xlsx"][8] == "否"
    assert "层级" in rows["旧汇总.json"][9] and "汇总单位" in rows["本级.json"][9]
    assert hashes(c3) == before


# 3 ─ one stray year never stops the county ──────────────────────────────────────────────
def test_stray_year_is_listed_and_the_rest_summed(tmp_path):
    from gxnb_xl.excel.template import write_workbook
    rng = random.Random(14)
    reps = []
    for i in range(14):
        rep = random_report(rng, "2021", unit=f"测试县第{i}镇人民政府", year=2024, busy=0.5)
        write_workbook(tmp_path / f"{i:02d}.xlsx", "2021", rep)
        reps.append(rep)
    odd = random_report(rng, "2021", unit="测试县旧镇人民政府", year=2023, busy=0.5)
    write_workbook(tmp_path / "旧.xlsx", "2021", odd)
    before = hashes(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-县.xlsx"
    res = run("aggregate", tmp_path, "-o", out, "--json", "--unit", COUNTY)
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    assert out.exists() and data["included"] == 14 and data["year"] == 2024
    row = next(f for f in data["files"] if f["file"].endswith("旧.xlsx"))
    assert not row["included"] and row["reason"] == "年度 2023，与其他 14 份不同，未汇总"
    assert data["notes"] == ["汇总 2024 年度、2021 版格式的 14 份报告（多数文件的年度和格式）；另有 1 份年度或格式不同，列为未汇总"]
    rows = file_rows(out)
    assert rows["旧.xlsx"][5] == "未汇总" and rows["旧.xlsx"][9] == row["reason"]
    res = run("aggregate", tmp_path, "--year", "2023", "--json")
    data = json.loads(res.output)
    assert res.exit_code == 1 and data["included"] == 1 and data["year"] == 2023
    assert hashes(tmp_path) == before


# 4 ─ 汇总情况 counts only what was read ──────────────────────────────────────────────────
def test_summary_sheet_counts_unreadable_files_as_not_read(tmp_path):
    c = county_copy(tmp_path)  # 12 readable (11 summed, 清水镇 has an error)
    (c / "broken.json").write_text("{oops", encoding="utf-8")
    (c / "empty.xlsx").write_bytes(b"")
    (c / "junk.xlsx").write_bytes(b"not a workbook")
    (c / "~$01.xlsx").write_bytes(b"\x00lock")
    (c / "说明.pdf").write_bytes(b"%PDF-1.4")
    before = hashes(c)
    out = tmp_path / "县.xlsx"
    res = run("aggregate", c, "-o", out, "--unit", COUNTY, "--json")
    data = json.loads(res.output)
    assert res.exit_code == 1 and len(data["files"]) == 17 and data["included"] == 11
    text = "\n".join(" ".join(str(x) for x in r if x not in (None, "")) for r in rows_of(out))
    assert "共 17 个文件，读取 12 个，汇总 11 个，无法读取 3 个，跳过 2 个" in text
    assert hashes(c) == before


# 5 ─ no unit or no year on the cover: not summed ─────────────────────────────────────────
def test_report_without_unit_or_year_is_not_summed(tmp_path):
    from gxnb_xl.excel.template import write_workbook
    c = county_copy(tmp_path)
    res = run("aggregate", c, "--json", "--unit", COUNTY)
    base = json.loads(res.output)
    blank = load_report(c / "03-西河乡.json")
    blank.unit = None
    for name in ("无名甲.xlsx", "无名乙.xlsx"):  # the same report sent twice without a unit
        write_workbook(c / name, "2021", blank)
    undated = load_report(c / "04-南山镇.json")
    undated.unit, undated.year = "示范县无年度镇人民政府", None
    undated.save(c / "无年度.json")
    before = hashes(c)
    out = tmp_path / "县.xlsx"
    res = run("aggregate", c, "--json", "--unit", COUNTY, "-o", out)
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    files = {Path(f["file"]).name: f for f in data["files"]}
    for name in ("无名甲.xlsx", "无名乙.xlsx", "无年度.json"):
        assert not files[name]["included"] and "封面未填写机关名称/年度" in files[name]["reason"], files[name]
    assert data["included"] == base["included"] and as_dec(data["totals"]) == as_dec(base["totals"])
    rows = file_rows(out)
    assert all(rows[n][8] == "否" and "封面未填写机关名称/年度" in rows[n][9] for n in ("无名甲.xlsx", "无年度.json"))
    assert hashes(c) == before


# 6 ─ --previous that does not exist ──────────────────────────────────────────────────────
def test_previous_missing_or_unusable_exits_2(tmp_path):
    c = county_copy(tmp_path)
    before = hashes(c)
    out = tmp_path / "县.xlsx"
    res = run("aggregate", c, "--previous", tmp_path / "nothere", "-o", out)
    assert res.exit_code == 2 and "上年度数据不存在" in res.output and "Traceback" not in res.output
    assert not out.exists()
    (tmp_path / "prev.json").write_text("{", encoding="utf-8")
    res = run("aggregate", c, "--previous", tmp_path / "prev.json", "--json")
    assert res.exit_code == 2
    assert "上年度数据无法使用" in json.loads(res.output)["previous_error"]
    assert hashes(c) == before
