"""Odd inputs and outputs on the command line: dates and any JSON value in a cell are findings, a missing
unit or year is an error, output mistakes are plain messages, nothing is overwritten silently, a previous
folder is matched by unit, a free-text level is flagged."""
import datetime
import json
from pathlib import Path

import openpyxl


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "county-2024"
GOOD = EXAMPLES / "01-城关镇.json"


from gxnb_cli import run  # noqa: E402


def filled(tmp_path, name="w.xlsx", src=GOOD):
    out = tmp_path / name
    assert run("template", "--data", src, "-o", out).exit_code == 0
    return out


def test_a_date_in_a_count_cell_is_a_finding_not_a_crash(tmp_path):
    wb_path = filled(tmp_path)
    wb = openpyxl.load_workbook(wb_path)
    wb["表三"]["E5"] = datetime.date(2024, 1, 2)  # a clerk typed 1-2 and Excel made it a date
    wb.save(tmp_path / "date.xlsx")
    res = run("check", "--json", tmp_path / "date.xlsx", GOOD)
    assert res.exit_code == 1 and "Traceback" not in res.output
    dated, ok = json.loads(res.output)
    assert ok["status"] == "ok"
    assert any(f["code"] == "date" and "日期" in f["message"] and "表三!E5" in f["message"] for f in dated["findings"])


def test_json_values_of_any_type_are_findings(tmp_path):
    p = tmp_path / "odd.json"
    p.write_text(json.dumps({"format": "2021", "unit": "某镇", "year": 2024,
                             "values": {"t3.new.natural": [1], "t3.new.business": {"a": 1}}}), encoding="utf-8")
    res = run("check", "--json", p)
    assert res.exit_code == 1
    codes = {f["cells"][0]: f["code"] for f in json.loads(res.output)[0]["findings"] if f["rule"] == "R0"}
    assert codes["t3.new.natural"] == "not_number" and codes["t3.new.business"] == "not_number"


def test_missing_unit_and_year_are_errors(tmp_path):
    p = tmp_path / "anon.json"
    data = json.loads(GOOD.read_text(encoding="utf-8"))
    data["unit"], data["year"] = None, None
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = run("check", "--json", p)
    rules = {f["rule"] for f in json.loads(res.output)[0]["findings"]}
    assert res.exit_code == 1 and {"M1", "M2"} <= rules


def test_output_mistakes_are_plain_messages(tmp_path):
    res = run("check", GOOD, "--annotate", tmp_path / "nope" / "a.xlsx")
    assert res.exit_code == 2 and "输出文件夹不存在" in res.output and "内部错误" not in res.output
    copy = tmp_path / "in.json"
    copy.write_bytes(GOOD.read_bytes())
    res = run("check", copy, "--annotate", copy)
    assert res.exit_code == 2 and "内部错误" not in res.output


def test_template_never_overwrites_silently(tmp_path):
    out = filled(tmp_path)
    before = out.read_bytes()
    res = run("template", "-o", out)
    assert res.exit_code == 2 and "文件已存在" in res.output and out.read_bytes() == before
    assert run("template", "--force", "-o", out).exit_code == 0


def test_template_format_must_suit_the_year(tmp_path):
    res = run("template", "--format", "2021", "--year", "2019", "-o", tmp_path / "x.xlsx")
    assert res.exit_code == 2 and "2019 年格式" in res.output
    assert not (tmp_path / "x.xlsx").exists()


def test_previous_folder_is_matched_by_unit_and_year_is_checked(tmp_path):
    last = tmp_path / "2023"
    last.mkdir()
    for p in sorted(EXAMPLES.glob("0[1-3]-*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        data["year"] = 2023
        (last / p.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = run("check", "--json", *sorted(EXAMPLES.glob("0[1-3]-*.json")), "--previous", last)
    files = json.loads(res.output)
    for f in files:  # each township compared with its own last year: same text → T4, no P2
        rules = {x["rule"] for x in f["findings"]}
        assert "T4" in rules and "P2" not in rules and "P1" not in rules
    res = run("check", "--json", GOOD, "--previous", EXAMPLES / "02-东坝镇.json")
    rules = {x["rule"] for x in json.loads(res.output)[0]["findings"]}
    assert {"P1", "P2"} <= rules and "T4" not in rules  # same year: not compared


def test_rule_instances_are_printed_literally():
    res = run("check", EXAMPLES / "06-清水镇.json")
    assert "R3.2[natural]" in res.output


def test_a_free_text_level_is_flagged(tmp_path):
    wb_path = filled(tmp_path)
    wb = openpyxl.load_workbook(wb_path)
    wb["封面"]["B6"] = "县级政府"
    wb.save(tmp_path / "lvl.xlsx")
    res = run("check", "--json", tmp_path / "lvl.xlsx")
    [one] = json.loads(res.output)
    assert one["level"] == "other"
    assert any(f["rule"] == "S7" and "县级政府" in f["message"] for f in one["findings"])
