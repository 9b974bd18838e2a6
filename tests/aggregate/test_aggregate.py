"""gxnb aggregate on generated folders: sums against independent sums, every file accounted for."""
import json
import os
import random
import time
from decimal import Decimal
from pathlib import Path

import pytest

from gxnb_xl.aggregate import aggregate, choose_unit, summary_rows
from gxnb_xl.check import check as check_report
from gxnb_xl.report import Report, load_report
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "county-2024"
TOWNS = ["城关镇", "东坝镇", "西河乡", "南山镇", "北塬乡", "清水镇", "石桥镇", "柳林乡", "白杨镇", "红岩乡"]


from gxnb_cli import run  # noqa: E402


def town_name(i: int) -> str:
    return f"测试县{TOWNS[i % len(TOWNS)]}{i // len(TOWNS) or ''}人民政府"


def make_folder(root: Path, n: int, *, seed: int = 7, year: int = 2024, fmt: str = "2021", sub: bool = True):
    """n valid township reports as JSON (some in a sub-folder); returns the reports."""
    rng = random.Random(seed)
    reports = []
    for i in range(n):
        rep = random_report(rng, fmt, unit=town_name(i), year=year, busy=0.5)
        folder = root / ("乙片区" if sub and i % 3 == 0 else "")
        folder.mkdir(parents=True, exist_ok=True)
        rep.save(folder / f"{i:03d}.json")
        reports.append(rep)
    return reports


def slipped_cell(spec) -> str:
    """An input cell in an error-severity equality: changing it makes the report wrong."""
    return next(c for eq in spec.equations_for("report") if eq.rule.severity == "error" and eq.op == "=="
                for c in eq.cells if c in spec.input_cells)


def independent_sum(reports) -> dict:
    """Every cell (inputs and totals) summed as each file states it: valid reports' totals add up."""
    spec = reports[0].spec
    out = {}
    for cid, cell in spec.cells.items():
        total = sum((r.values[cid] for r in reports), Decimal(0) if cell.type == "amount" else 0)
        out[cid] = format(total.normalize(), "f") if cell.type == "amount" else int(total)
    return out


def normal(totals: dict) -> dict:
    return {k: (format(Decimal(v).normalize(), "f") if isinstance(v, str) else v) for k, v in totals.items()}


def test_generated_folder_sums_and_lists_every_file(tmp_path):
    good = make_folder(tmp_path, 40)
    # a report with a typing slip, a broken JSON, a lock file, a PDF, an empty file
    slip = random_report(random.Random(99), "2021", unit="测试县错误镇人民政府", year=2024, busy=0.5)
    spec = slip.spec
    cell = slipped_cell(spec)
    slip.values[cell] = (slip.values[cell] or 0) + 7
    slip.save(tmp_path / "slip.json")
    (tmp_path / "broken.json").write_text("{oops", encoding="utf-8")
    (tmp_path / "~$001.xlsx").write_bytes(b"\x00lock")
    (tmp_path / "乙片区" / "城关镇年报.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "empty.json").write_bytes(b"")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    res = run("aggregate", tmp_path, "--json", "--jobs", "2", "--unit", "测试县人民政府")
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    files = {Path(f["file"]).name: f for f in data["files"]}
    assert len(data["files"]) == len(before)  # nothing silently dropped
    assert sum(f["included"] for f in data["files"]) == 40
    assert files["slip.json"]["status"] == "errors" and not files["slip.json"]["included"]
    assert "错误" in files["slip.json"]["reason"] and files["slip.json"]["messages"]
    assert files["broken.json"]["status"] == "unreadable" and "JSON" in files["broken.json"]["reason"]
    assert files["~$001.xlsx"]["status"] == "skipped" and "锁文件" in files["~$001.xlsx"]["reason"]
    assert files["城关镇年报.pdf"]["status"] == "skipped" and ".pdf" in files["城关镇年报.pdf"]["reason"]
    assert files["empty.json"]["status"] == "unreadable"
    assert set(data) >= {"files", "totals", "missing_units", "duplicates"}
    assert data["unit"] == "测试县人民政府" and data["year"] == 2024 and data["format"] == "2021"
    assert normal(data["totals"]) == independent_sum(good)
    # inputs untouched
    assert {p: p.read_bytes() for p in before} == before


def test_amounts_sum_exactly_and_counts_stay_integers(tmp_path):
    spec = load_spec("2021")
    amount = next(c for c, cell in spec.cells.items() if cell.type == "amount")
    reps = make_folder(tmp_path, 3, sub=False)
    for rep, v in zip(reps, ("0.1", "0.2", "1234567.000001")):
        rep.values[amount] = Decimal(v)
        rep.save(tmp_path / f"{rep.unit}.json")
    for p in tmp_path.glob("0*.json"):
        p.unlink()
    result = aggregate([tmp_path], jobs=1)
    assert result.report.values[amount] == Decimal("1234567.300001")
    assert result.totals_json()[amount] == "1234567.300001"
    counts = [v for c, v in result.totals.items() if spec.cells[c].type != "amount"]
    assert all(type(v) is int for v in counts)


def test_include_invalid_sums_errors_and_says_so(tmp_path):
    good = make_folder(tmp_path, 5, sub=False)
    slip = random_report(random.Random(5), "2021", unit="测试县错误镇人民政府", year=2024, busy=0.5)
    cell = slipped_cell(slip.spec)
    slip.values[cell] += 4
    slip.save(tmp_path / "slip.json")
    res = run("aggregate", tmp_path, "--json", "--include-invalid")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["include_invalid"] is True
    row = next(f for f in data["files"] if f["file"].endswith("slip.json"))
    assert row["included"] and "--include-invalid" in row["reason"]
    expected = independent_sum(good)
    assert data["totals"][cell] == expected[cell] + slip.values[cell]
    res = run("aggregate", tmp_path, "--json")
    assert json.loads(res.output)["totals"][cell] == expected[cell]


def test_odd_format_never_stops_the_county(tmp_path):
    """One 2019-format report among 2021 ones: the majority is summed, the odd one listed with its
    own reason, a note says so, the workbook is written, exit 1 (something not summed)."""
    good = make_folder(tmp_path / "a", 3, year=2024)
    old = random_report(random.Random(3), "2019", unit="测试县旧格式镇人民政府", year=2020)
    old.save(tmp_path / "old.json")
    out = tmp_path.parent / f"{tmp_path.name}-county.xlsx"
    res = run("aggregate", tmp_path, "--json", "-o", out, "--unit", "测试县人民政府")
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    assert out.exists() and data["format"] == "2021" and data["year"] == 2024 and data["included"] == 3
    assert normal(data["totals"]) == independent_sum(good)
    row = next(f for f in data["files"] if f["file"].endswith("old.json"))
    assert not row["included"] and row["state"] == "excluded"
    assert row["reason"] == "年度 2020、2019 版格式，与其他 3 份不同，未汇总"
    assert any("多数文件的年度和格式" in n for n in data["notes"])
    # --format/--year override the majority
    res = run("aggregate", tmp_path, "--json", "--format", "2019")
    data = json.loads(res.output)
    assert res.exit_code == 1 and data["format"] == "2019" and data["included"] == 1
    assert all("不是本次汇总的 2019 版" in f["reason"] for f in data["files"] if not f["included"])
    # English is English
    res = run("aggregate", tmp_path, "--lang", "en")
    assert "unlike the other 3" in res.output and "，" not in res.output.split("unlike")[1].split("\n")[0]


def test_mixed_years_sum_the_majority(tmp_path):
    make_folder(tmp_path / "a", 3, year=2024)
    make_folder(tmp_path / "b", 1, year=2023, seed=8)
    result = aggregate([tmp_path], jobs=1)
    assert result.report.year == 2024 and len(result.included) == 3 and result.exit_code == 1
    [odd] = [f for f in result.files if f.year == 2023]
    assert odd.reason("zh") == "年度 2023，与其他 3 份不同，未汇总"
    assert odd.reason("en") == "year 2023, unlike the other 3; not summed"
    result = aggregate([tmp_path], jobs=1, year=2023)
    assert result.report.year == 2023 and len(result.included) == 1


def test_duplicates_use_newest_file_and_sum_once(tmp_path):
    reps = make_folder(tmp_path, 4, sub=False)
    newer = random_report(random.Random(42), "2021", unit=reps[1].unit, year=2024, busy=0.5)
    newer.save(tmp_path / "001-修改版.json")
    old = tmp_path / "001.json"
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    result = aggregate([tmp_path], jobs=1)
    assert result.exit_code == 1
    [dup] = result.duplicates
    assert dup["used"].endswith("001-修改版.json") and len(dup["files"]) == 2
    # why that one: a sentence in every output (terminal, JSON, 汇总情况 sheet), never a catalogue key
    assert result.text(dup["why"], "zh") == "文件修改时间最新（文件本身未写明日期）"
    assert result.to_dict("en")["duplicates"][0]["why"] == "newest file time (the files state no date)"
    old_row = next(f for f in result.files if f.file.endswith("001.json"))
    assert not old_row.included and "同一单位" in old_row.reason("zh") and old_row.state == "duplicate"
    assert normal(result.totals_json()) == independent_sum([reps[0], newer, reps[2], reps[3]])


def test_expected_units_missing_and_unexpected(tmp_path):
    make_folder(tmp_path / "in", 3, sub=False)
    units = tmp_path / "units.txt"
    # short names, a full name, a missing one; saved as GBK like Windows Notepad may
    units.write_bytes("# 应报送单位\n城关镇\n测试县东坝镇人民政府\n\n龙泉镇\n".encode("gbk"))
    res = run("aggregate", tmp_path / "in", "--units", units, "--json")
    data = json.loads(res.output)
    assert res.exit_code == 1
    assert data["missing_units"] == ["龙泉镇"]
    assert data["unexpected_units"] == [town_name(2)]
    res = run("aggregate", tmp_path / "in", "--units", tmp_path / "nope.txt")
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_previous_cross_year_against_county_file_and_folder(tmp_path):
    make_folder(tmp_path / "2024", 4, sub=False)
    now = aggregate([tmp_path / "2024"], jobs=1)
    county = now.report
    # last year's county report solving every cross-year relation: no X finding
    spec = county.spec
    prev_values = {}
    for eq in spec.equations_for("cross_year"):
        [p] = [t for t in eq.terms if t.is_prev]
        rest = sum(t.coef * county.values[t.cell] for t in eq.terms if not t.is_prev)
        prev_values[p.cell.removeprefix("prev.")] = -rest // p.coef if isinstance(rest, int) else -rest / p.coef
    prev = Report("2021", "测试县", 2023, "county", {c: prev_values.get(c, 0) for c in spec.cells})
    prev.save(tmp_path / "prev.json")
    result = aggregate([tmp_path / "2024"], previous=tmp_path / "prev.json", jobs=1)
    assert result.cross_year == [] and result.text(result.previous_source).endswith("prev.json")
    # one column off by 3: exactly that X1 instance is reported
    x1 = next(eq for eq in spec.equations_for("cross_year") if eq.rule.id == "X1")
    prev_cell = next(t.cell for t in x1.terms if t.is_prev).removeprefix("prev.")
    prev.values[prev_cell] += 3
    prev.save(tmp_path / "prev.json")
    result = aggregate([tmp_path / "2024"], previous=tmp_path / "prev.json", jobs=1)
    assert [f.instance for f in result.cross_year] == [x1.instance]
    # a folder of last year's townships: checked against their sum
    last = make_folder(tmp_path / "2023", 3, year=2023, seed=11, sub=False)
    result = aggregate([tmp_path / "2024"], previous=tmp_path / "2023", jobs=1)
    summed = Report("2021", "x", 2023, "county", {c: v for c, v in zip(spec.cells, [
        sum(r.values[c] for r in last) for c in spec.cells])})
    expected = [f.instance for f in check_report(county, previous=summed).findings if f.rule.startswith("X")]
    assert [f.instance for f in result.cross_year] == expected and "3 份" in result.text(result.previous_source)
    rows = summary_rows(result)
    assert any("上年度" in " ".join(map(str, r)) for r in rows)
    # unusable previous: said, not fatal
    result = aggregate([tmp_path / "2024"], previous=tmp_path / "missing.json", jobs=1)
    assert result.report is not None and "上年度" in result.text(result.previous_error)


def test_parallel_equals_serial(tmp_path):
    make_folder(tmp_path, 40, seed=3)
    (tmp_path / "bad.json").write_text("[]", encoding="utf-8")
    a = aggregate([tmp_path], jobs=1)
    b = aggregate([tmp_path], jobs=2)
    assert a.totals == b.totals
    assert [(f.file, f.status, f.included) for f in a.files] == [(f.file, f.status, f.included) for f in b.files]


def test_json_output_is_a_valid_report_and_outputs_are_safe(tmp_path):
    make_folder(tmp_path / "in", 5)
    out = tmp_path / "county.json"
    res = run("aggregate", tmp_path / "in", "-o", out)
    assert res.exit_code == 0, res.output
    assert "已写出" in res.output
    county = load_report(out)
    assert county.unit == "测试县人民政府" and county.level == "county"
    assert check_report(county).status == "ok"
    assert json.loads(out.read_text(encoding="utf-8"))["aggregate"]["included"] == 5
    # writing the JSON into the input folder, then again: the existing JSON is an input now and
    # only a county summary workbook (汇总情况 sheet) may be rewritten, so the rerun is refused
    inside = tmp_path / "in" / "county.json"
    assert run("aggregate", tmp_path / "in", "-o", inside).exit_code == 0
    written = inside.read_bytes()
    res = run("aggregate", tmp_path / "in", "-o", inside, "--json", "--force")
    assert res.exit_code == 2 and "不能覆盖" in res.output and inside.read_bytes() == written
    res = run("aggregate", tmp_path / "in", "-o", out)  # an existing output: refused without --force
    assert res.exit_code == 2 and "--force" in res.output
    # into another file: that county JSON (level county) is listed, not summed
    res = run("aggregate", tmp_path / "in", "-o", tmp_path / "county2.json", "--json")
    data = json.loads(res.output)
    row = next(f for f in data["files"] if f["file"].endswith("in/county.json"))
    assert not row["included"] and "层级" in row["reason"] and res.exit_code == 1
    assert data["included"] == 5
    inside.unlink()
    # an input given as the output is refused, and the input is untouched
    one = next((tmp_path / "in").glob("0*.json"))
    before = one.read_bytes()
    res = run("aggregate", tmp_path / "in", one, "-o", one)
    assert res.exit_code == 2 and "输入文件" in res.output and one.read_bytes() == before
    res = run("aggregate", tmp_path / "in", "-o", tmp_path / "no" / "such" / "c.xlsx")
    assert res.exit_code == 2 and "不存在" in res.output
    # no leftovers from atomic writes
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_nothing_to_aggregate_exits_2(tmp_path):
    (tmp_path / "a.json").write_text("{", encoding="utf-8")
    (tmp_path / "~$b.xlsx").write_bytes(b"")
    res = run("aggregate", tmp_path, "--json", "-o", tmp_path / "c.xlsx")
    assert res.exit_code == 2
    data = json.loads(res.output)
    assert len(data["files"]) == 2 and data["totals"] == {} and not (tmp_path / "c.xlsx").exists()
    res = run("aggregate", tmp_path / "nothing-here")
    assert res.exit_code == 2 and "不存在" in res.output


def test_unit_name_choice():
    assert choose_unit("示范县人民政府", [])[0] == "示范县人民政府"
    assert choose_unit(None, ["示范县城关镇人民政府", "示范县东坝镇人民政府"])[0] == "示范县人民政府"
    assert choose_unit(None, ["甲镇人民政府", "乙乡人民政府"])[0] is None


def test_example_county():
    result = aggregate([EXAMPLES], jobs=1)
    by_name = {Path(f.file).name: f for f in result.files}
    assert not by_name["06-清水镇.json"].included
    assert len(result.included) == len(by_name) - 1
    assert result.report.year == 2024 and result.report.unit == "示范县人民政府"


def test_county_workbook_official_template_with_summary_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from gxnb_xl.aggregate import SUMMARY_SHEET
    from gxnb_xl.excel.layout import layout_of
    good = make_folder(tmp_path / "in", 12)
    (tmp_path / "in" / "~$000.xlsx").write_bytes(b"")
    (tmp_path / "in" / "bad.json").write_text("{", encoding="utf-8")
    out = tmp_path / "county.xlsx"
    res = run("aggregate", tmp_path / "in", "-o", out, "--unit", "测试县人民政府")
    assert res.exit_code == 1, res.output
    spec = load_spec("2021")
    where = layout_of(spec).cells
    expected = independent_sum(good)
    cached = openpyxl.load_workbook(out, data_only=True)
    formulas = openpyxl.load_workbook(out)
    for cid, cell in spec.cells.items():
        sheet, address = where[cid]
        v = cached[sheet][address].value
        if cell.type == "amount":
            assert Decimal(repr(v)).quantize(Decimal("0.000001")) == Decimal(expected[cid]).quantize(Decimal("0.000001")), cid
        else:
            assert v == expected[cid], cid
        f = formulas[sheet][address].value
        assert (isinstance(f, str) and f.startswith("=")) == (not cell.input), cid  # totals are formulas
    rows = [[x for x in r] for r in formulas[SUMMARY_SHEET].iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(x) for x in r if x not in (None, "")) for r in rows)
    for p in (tmp_path / "in").rglob("*"):
        if p.is_file():
            assert str(p) in text  # every input has its row
    assert "锁文件" in text and "无法读取" in text and "测试县人民政府" in text
    assert formulas.sheetnames.count(SUMMARY_SHEET) == 1 and "审核报告" not in formulas.sheetnames
    assert not [p for p in tmp_path.glob(".*")]  # no temporary leftovers


def test_2019_format_sums_signed_and_amount_cells(tmp_path):
    good = make_folder(tmp_path, 20, fmt="2019", year=2020, seed=19)
    result = aggregate([tmp_path], jobs=2)
    assert result.exit_code == 0 and result.report.format == "2019"
    assert normal(result.totals_json()) == independent_sum(good)
    assert check_report(result.report).status == "ok"
