import json
import subprocess
import sys
from pathlib import Path



EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SLIP = EXAMPLES / "county-2024" / "06-清水镇.json"
GOOD = EXAMPLES / "county-2024" / "01-城关镇.json"


from gxnb_cli import run  # noqa: E402


def test_exit_codes_and_json_shape(tmp_path):
    res = run("check", "--json", GOOD)
    assert res.exit_code == 0
    [one] = json.loads(res.output)
    assert one["status"] == "ok" and one["format"] == "2021" and one["year"] == 2024 and one["findings"] == []

    res = run("check", "--json", GOOD, SLIP)
    assert res.exit_code == 1
    ok, bad = json.loads(res.output)
    assert bad["status"] == "errors"
    f = bad["findings"][0]
    assert set(f) >= {"rule", "instance", "severity", "status", "cells", "lhs", "rhs", "imbalance", "message", "suspects"}
    assert f["suspects"][0]["cell"] == "t3.granted.natural" and f["suspects"][0]["suggested"] == 12

    broken = tmp_path / "broken.json"
    broken.write_text("{oops", encoding="utf-8")
    res = run("check", "--json", GOOD, broken, SLIP)
    assert res.exit_code == 2
    files = json.loads(res.output)
    assert [f["status"] for f in files] == ["ok", "unreadable", "errors"]  # the others are still checked
    assert "JSON 格式错误" in files[1]["error"]


def test_human_output_names_cells_in_chinese():
    res = run("check", SLIP)
    assert res.exit_code == 1
    assert "表三“（一）予以公开”行“自然人”列填 21，应为 12" in res.output.replace("\n", "").replace("│", "").replace(" ", "") \
        or "应为 12" in res.output
    res = run("check", "--lang", "en", SLIP)
    assert "should be 12" in res.output.replace("\n", " ")


def test_input_file_is_not_modified(tmp_path):
    before = SLIP.read_bytes()
    run("check", "--json", SLIP)
    assert SLIP.read_bytes() == before


def test_help_lists_commands():
    # how fast it is is measured by benchmarks/check.py, not asserted here
    out = subprocess.run([sys.executable, "-m", "gxnb_xl", "--help"], capture_output=True, text=True, check=True,
                         timeout=60)
    assert "check" in out.stdout and "spec" in out.stdout


def test_every_command_is_documented():
    """sqlite-utils style: every command has help text in both languages."""
    from gxnb_xl.cli import COMMANDS
    for name, (module, summary) in COMMANDS.items():
        assert "/" in summary, name
        res = run(name, "--help")
        if res.exit_code == 2 and "No such command" in res.output:
            continue  # not built yet
        assert res.exit_code == 0, (name, res.output)


def test_empty_folder_is_reported_not_skipped(tmp_path):
    (tmp_path / "empty").mkdir()
    res = run("check", "--json", tmp_path / "empty", GOOD)
    assert res.exit_code == 2
    statuses = [(f["status"], f.get("error", "")) for f in json.loads(res.output)]
    assert statuses[0][0] == "unreadable" and "没有可读取的报告文件" in statuses[0][1]
    assert statuses[1][0] == "ok"
