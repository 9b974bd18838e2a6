"""gxnb export: a filled workbook → report JSON (REPORT-JSON.md), totals recomputed from the inputs."""
from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl

from gxnb_xl.engine import compute_derived
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.excel.template import build_workbook_bytes, write_workbook
from gxnb_xl.report import load_report, report_from_dict
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report

SPEC = load_spec("2021")
LAYOUT = layout_of(SPEC)


from gxnb_cli import run  # noqa: E402


def _report(seed=3, fmt="2021"):
    rep = random_report(random.Random(seed), fmt, year=2024 if fmt == "2021" else 2020, busy=0.7)
    rep.narrative = {"overview": "第一段\n第二段", "other_matters": "未收取信息处理费。"}
    rep.extra.update(contact="张三", phone="09301234567")
    return rep


def test_round_trip_to_stdout_equals_the_report(tmp_path):
    for fmt in ("2021", "2019"):
        rep = _report(fmt=fmt)
        path = write_workbook(tmp_path / f"r{fmt}.xlsx", fmt, report=rep)
        res = run("export", path)
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        assert list(data)[:5] == ["format", "unit", "year", "level", "values"]
        back = report_from_dict(data)
        assert back.format == fmt and back.unit == rep.unit and back.year == rep.year and back.level == rep.level
        assert back.values == {k: v for k, v in rep.values.items()}
        assert back.narrative == rep.narrative
        assert data["contact"] == "张三" and data["phone"] == "09301234567"
        # REPORT-JSON: counts are integers, amounts decimal strings, blanks absent
        assert all(isinstance(v, int) for k, v in data["values"].items() if SPEC.cells.get(k) and SPEC.cells[k].type != "amount")
        amounts = [k for k in data["values"] if k in SPEC.cells and SPEC.cells[k].type == "amount"]
        assert all(isinstance(data["values"][k], str) and Decimal(data["values"][k]) == rep.values[k] for k in amounts)
        assert res.stderr == ""  # nothing to say about a clean workbook


def test_output_file_totals_recomputed_and_warnings_on_stderr(tmp_path):
    rep = _report()
    data = build_workbook_bytes("2021", rep)
    total = "t3.total.total"
    cell = "t3.new.natural"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[LAYOUT.cells[total][0]][LAYOUT.cells[total][1]] = 99999  # a tampered total
    wb[LAYOUT.cells[cell][0]][LAYOUT.cells[cell][1]] = f"{rep.values[cell]}件"  # a count with its unit
    buf = io.BytesIO()
    wb.save(buf)
    src = tmp_path / "in.xlsx"
    src.write_bytes(buf.getvalue())
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "out.json"
    res = run("export", src, "-o", out)
    assert res.exit_code == 0
    assert res.stdout == ""
    assert "带有单位" in res.stderr and "表三!" + LAYOUT.cells[cell][1] in res.stderr
    assert "99999" in res.stderr and "不一致" in res.stderr  # D1 told
    assert "已导出" in res.stderr and "Traceback" not in res.output
    exported = load_report(out)
    assert exported.values[total] == compute_derived(SPEC, rep.values)[total] != 99999
    assert exported.values[cell] == rep.values[cell]
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    # English
    res = run("export", "--lang", "en", src, "-o", tmp_path / "en.json")
    assert res.exit_code == 0 and "carries a unit" in res.stderr


def test_blank_inputs_leave_totals_blank_and_say_so(tmp_path):
    rep = _report()
    rep.values["t3.new.natural"] = None
    path = write_workbook(tmp_path / "blank.xlsx", "2021", report=rep)
    res = run("export", path)
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert "t3.new.natural" not in data["values"] and "t3.new.total" not in data["values"]
    assert "未填写" in res.stderr


def test_relation_errors_are_pointed_to_check(tmp_path):
    rep = _report()
    rep.values["t3.granted.natural"] += 10
    rep.values = compute_derived(SPEC, rep.values)
    path = write_workbook(tmp_path / "slip.xlsx", "2021", report=rep)
    res = run("export", path, "-o", tmp_path / "slip.json")
    assert res.exit_code == 0
    assert "勾稽关系不成立" in res.stderr and "gxnb check slip.xlsx" in res.stderr


def test_unusable_inputs_exit_2_with_chinese_message(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"%PDF-1.4 nonsense")
    res = run("export", bad, "-o", tmp_path / "x.json")
    assert res.exit_code == 2 and "PDF" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x.json").exists()
    res = run("export", tmp_path / "missing.xlsx")
    assert res.exit_code == 2 and "文件不存在" in res.output
    res = run("export", tmp_path)  # a folder
    assert res.exit_code == 2 and "文件夹" in res.output


def test_never_overwrites_the_input_and_output_folder(tmp_path):
    rep = _report()
    path = write_workbook(tmp_path / "w.xlsx", "2021", report=rep)
    before = path.read_bytes()
    res = run("export", path, "-o", path)
    assert res.exit_code == 2 and "就是输入文件" in res.output
    assert path.read_bytes() == before
    outdir = tmp_path / "out"
    outdir.mkdir()
    res = run("export", path, "-o", outdir)
    assert res.exit_code == 0 and (outdir / "w.json").exists()
    res = run("export", path, "-o", tmp_path / "nope" / "x.json")
    assert res.exit_code == 2 and "不存在" in res.output


def test_real_process(tmp_path):
    path = write_workbook(tmp_path / "p.xlsx", "2021", report=_report())
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", "export", str(path)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0 and json.loads(proc.stdout)["format"] == "2021"
