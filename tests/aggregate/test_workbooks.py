"""gxnb aggregate on a generated folder of real .xlsx workbooks, read through the calamine reader.

The folder: 150 filled templates (write_workbook from random valid reports, some in a
sub-folder), one workbook with a typing slip, a broken file, a truncated workbook and an
Excel lock file. The sums must equal sums computed here from the generated reports, and every
file must be listed, both in ``--json`` and in the 汇总情况 sheet of the county workbook (read
back with python-calamine). Also: a worker process that dies or hangs on one file costs only
that file.
"""
import json
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import gxnb_xl.aggregate.pool as pool
import gxnb_xl.aggregate.records as records
from gxnb_xl.aggregate import SUMMARY_SHEET, aggregate
from gxnb_cli import run
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report

pytest.importorskip("python_calamine")
from python_calamine import CalamineWorkbook  # noqa: E402

N = 150
TOWNS = ["城关镇", "东坝镇", "西河乡", "南山镇", "北塬乡", "清水镇", "石桥镇", "柳林乡", "白杨镇", "红岩乡"]


def town(i: int) -> str:
    return f"测试县{TOWNS[i % len(TOWNS)]}{i // len(TOWNS) or ''}人民政府"


def slipped_cell(spec) -> str:
    """An input cell of 表三's balance (新收 + 上年结转 = 办理结果总计 + 结转下年度): a workbook's
    totals are recomputed from its inputs, so the slip must break a relation between inputs."""
    eq = next(eq for eq in spec.equations_for("report") if eq.rule.id == "R3.1")
    return next(c for c in eq.cells if c in spec.input_cells)


def independent_sum(reports) -> dict:
    """Every cell (inputs and totals) summed as each generated report states it."""
    spec = reports[0].spec
    out = {}
    for cid, cell in spec.cells.items():
        total = sum((r.values[cid] for r in reports), Decimal(0) if cell.type == "amount" else 0)
        out[cid] = total.normalize() if cell.type == "amount" else int(total)
    return out


def as_decimal(v) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.000001"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """(folder, the good reports, the slipped cell) — built once for the module."""
    from gxnb_xl.excel.template import write_workbook
    root = tmp_path_factory.mktemp("townships")
    (root / "乙片区").mkdir()
    rng = random.Random(2024)
    good = []
    for i in range(N):
        rep = random_report(rng, "2021", unit=town(i), year=2024, busy=0.5)
        sub = root / ("乙片区" if i % 4 == 0 else "")
        write_workbook(sub / f"{i:03d}-{TOWNS[i % len(TOWNS)]}.xlsx", "2021", rep)
        good.append(rep)
    slip = random_report(random.Random(99), "2021", unit="测试县错误镇人民政府", year=2024, busy=0.5)
    cell = slipped_cell(slip.spec)
    slip.values[cell] = (slip.values[cell] or 0) + 7
    write_workbook(root / "错误镇.xlsx", "2021", slip)
    (root / "broken.xlsx").write_bytes(b"this is not a workbook")
    whole = (root / "001-东坝镇.xlsx").read_bytes()
    (root / "乙片区" / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    (root / "~$x.xlsx").write_bytes(b"\x06\x00\x00\x00" + "王某".encode("utf-16-le") + b"\x00" * 40)
    return root, good, cell


def snapshot(root: Path) -> dict:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_workbook_folder_sums_and_every_file_listed(folder, tmp_path):
    root, good, cell = folder
    before = snapshot(root)
    out = tmp_path / "county.xlsx"
    res = run("aggregate", str(root), "--json", "--jobs", "2", "-o", str(out), "--unit", "测试县人民政府")
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    data = json.loads(res.output)

    # --json: every file on disk once, with what happened to it
    listed = [f["file"] for f in data["files"]]
    assert sorted(listed) == sorted(str(p) for p in before) and len(set(listed)) == len(listed)
    by_name = {Path(f["file"]).name: f for f in data["files"]}
    assert sum(f["included"] for f in data["files"]) == N
    assert all(f["included"] and f["status"] == "ok" for n, f in by_name.items() if n[:3].isdigit())
    slip = by_name["错误镇.xlsx"]
    assert slip["status"] == "errors" and not slip["included"] and "错误" in slip["reason"] and slip["messages"]
    for name in ("broken.xlsx", "truncated.xlsx"):
        assert by_name[name]["status"] == "unreadable" and not by_name[name]["included"], name
        assert by_name[name]["reason"] and "Traceback" not in by_name[name]["reason"]
    assert by_name["~$x.xlsx"]["status"] == "skipped" and "锁文件" in by_name["~$x.xlsx"]["reason"]
    assert data["unit"] == "测试县人民政府" and data["year"] == 2024 and data["format"] == "2021"

    # sums: every cell (totals recomputed from the summed inputs) equals the independent sums
    spec = load_spec("2021")
    expected = independent_sum(good)
    for cid, c in spec.cells.items():
        got = data["totals"][cid]
        if c.type == "amount":
            assert Decimal(got) == expected[cid], cid
        else:
            assert got == expected[cid], cid

    # the county workbook, read back with calamine: the same sums and the 汇总情况 sheet
    from gxnb_xl.excel.layout import layout_of, parse_a1
    wb = CalamineWorkbook.from_path(str(out))
    where = layout_of(spec).cells
    sheets = {}
    for cid, c in spec.cells.items():
        sheet, address = where[cid]
        if sheet not in sheets:
            sheets[sheet] = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        r, col = parse_a1(address)
        v = sheets[sheet][r][col]
        if c.type == "amount":
            assert as_decimal(v) == as_decimal(expected[cid]), cid
        else:
            assert v == expected[cid], cid
    assert wb.sheet_names.count(SUMMARY_SHEET) == 1
    rows = wb.get_sheet_by_name(SUMMARY_SHEET).to_python()
    file_rows = {r[1]: r for r in rows if len(r) > 9 and isinstance(r[1], str) and r[1] in before_names(before)}
    assert set(file_rows) == before_names(before)  # every input has its row
    assert file_rows[str(root / "~$x.xlsx")][9].find("锁文件") >= 0
    assert file_rows[str(root / "broken.xlsx")][5] == "已报送但无法读取"
    assert file_rows[str(root / "错误镇.xlsx")][5] == "有错误未汇总" and file_rows[str(root / "错误镇.xlsx")][8] == "否"
    assert sum(r[8] == "是" for r in file_rows.values()) == N
    # 序号, 年度, 错误数, 提示数 are numbers in the sheet (sortable), not text
    assert sorted(int(r[0]) for r in file_rows.values()) == list(range(1, len(before) + 1))
    assert all(isinstance(r[0], (int, float)) and isinstance(r[6], (int, float)) for r in file_rows.values())
    assert file_rows[str(root / "错误镇.xlsx")][6] == 1 and file_rows[str(root / "错误镇.xlsx")][3] == 2024
    text = "\n".join(" ".join(str(x) for x in r) for r in rows)
    assert f"汇总 {N} 个" in text and "测试县人民政府" in text

    # inputs untouched (content and modification time), no temporary leftovers
    assert snapshot(root) == before
    assert not [p for p in tmp_path.rglob(".*")]


def before_names(before: dict) -> set:
    return {str(p) for p in before}


def test_workbook_folder_parallel_equals_serial(folder):
    root, good, _ = folder
    a = aggregate([root], jobs=1)
    b = aggregate([root], jobs=2)
    assert a.totals == b.totals and len(a.included) == N
    assert [(f.file, f.status, f.included, f.reason()) for f in a.files] == \
        [(f.file, f.status, f.included, f.reason()) for f in b.files]


# ── a worker that dies or hangs ──────────────────────────────────────────────────────────
needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the stand-in reader reaches the workers through fork")


def json_folder(root: Path, n: int) -> list:
    reps = []
    rng = random.Random(5)
    for i in range(n):
        rep = random_report(rng, "2021", unit=town(i), year=2024, busy=0.5)
        rep.save(root / f"{i:03d}.json")
        reps.append(rep)
    return reps


@needs_fork
def test_worker_death_marks_only_that_file(tmp_path, monkeypatch):
    good = json_folder(tmp_path, 80)
    real = records.read_one
    (tmp_path / "crash.json").write_text("{}", encoding="utf-8")

    def reader(path):
        if path.endswith("crash.json"):
            os._exit(3)  # a reader crash kills the worker process outright
        return real(path)

    monkeypatch.setattr(records, "read_one", reader)
    result = aggregate([tmp_path], jobs=2)
    assert len(result.files) == 81 and len(result.included) == 80
    [dead] = [f for f in result.files if f.file.endswith("crash.json")]
    assert dead.status == "unreadable" and "意外退出" in dead.reason() and not dead.included
    expected = independent_sum(good)
    assert all(Decimal(str(result.totals[c])) == Decimal(str(expected[c])) for c in expected)
    assert result.exit_code == 1


@needs_fork
def test_worker_hang_times_out_and_marks_that_file(tmp_path, monkeypatch):
    import time
    json_folder(tmp_path, 40)
    real = records.read_one
    (tmp_path / "hang.json").write_text("{}", encoding="utf-8")

    def reader(path):
        if path.endswith("hang.json"):
            time.sleep(600)
        return real(path)

    monkeypatch.setattr(records, "read_one", reader)
    monkeypatch.setattr(pool, "CHUNK_TIMEOUT", 2)
    monkeypatch.setattr(pool, "FILE_TIMEOUT", 2)
    start = time.monotonic()
    result = aggregate([tmp_path], jobs=2)
    assert time.monotonic() - start < 60
    [hung] = [f for f in result.files if f.file.endswith("hang.json")]
    assert hung.status == "unreadable" and "超时" in hung.reason()
    assert len(result.included) == 40 and len(result.files) == 41


# A worker killed while it sends its result leaves the pool's reader thread waiting for the rest of
# the message; stopping the pool then waited for that thread for ever (seen as a hung SIGTERM test).
_KILLED_MID_SEND = """
import os, struct, sys, time
from gxnb_xl.aggregate import pool as P
p = P._new_pool(1)
def half_a_result(_):
    os.write(p._result_queue._writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 10)
    time.sleep(600)
p.submit(half_a_result, None)
time.sleep(2)  # the reader thread has the header and waits for the other 1 MB
P._stop_pool(p, kill=True)
print("stopped")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork")
def test_a_worker_killed_while_sending_its_result_does_not_hang_the_stop():
    import subprocess
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_SEND], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0 and proc.stdout.strip() == "stopped", proc.stderr[-2000:]
