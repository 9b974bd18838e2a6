"""A county inbox as it really arrives (issues 13 and 16), through the real CLI.

Workbooks from the template writer, one of them re-saved by LibreOffice (``soffice --convert-to
xlsx``), a resend of one township whose 机关名称 carries invisible characters and no county
prefix, a township that typed another year, a PDF, a Word file, junk, a lock file, a FIFO, a
dangling link, a symlinked subfolder and a link loop. Asserted on the outputs: every entry listed
in exactly one state, each unit summed once, the county workbook written and printable.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from gxnb_xl.testing.synth import random_report

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
TOWNS = ["城关镇", "东坝镇", "西河乡", "南山镇", "北塬乡", "清水镇", "石桥镇", "柳林乡"]


from gxnb_cli import run  # noqa: E402


def township(rng, name, year=2024, date=None):
    rep = random_report(rng, "2021", unit=f"示范县{name}人民政府", year=year, busy=0.5)
    if date:
        rep.extra["date"] = date
    return rep


def summed(reports) -> dict:
    spec = reports[0].spec
    return {c: sum((r.values[c] for r in reports), Decimal(0) if spec.cells[c].type == "amount" else 0)
            for c in spec.input_cells}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    from gxnb_xl.excel.template import write_workbook
    root = tmp_path_factory.mktemp("inbox")
    rng = random.Random(13)
    reps = {}
    for i, name in enumerate(TOWNS):
        reps[name] = township(rng, name, date="2025年1月10日")
        write_workbook(root / f"{i:02d}-{name}.xlsx", "2021", reps[name])
    # the resend of 东坝镇: invisible characters around the name, the county prefix dropped,
    # a later 填报日期, corrected numbers — it must replace the first copy, not add to it
    resend = township(random.Random(1), "东坝镇", date="2025年1月20日")
    first = reps["东坝镇"]
    cell = [c for c in resend.spec.input_cells if resend.values[c] != first.values[c]]
    resend.unit = "\ufeff东坝镇人民政府\u200b"
    write_workbook(root / "东坝镇（修改后）.xlsx", "2021", resend)
    # a township that typed 2023
    write_workbook(root / "99-红岩乡.xlsx", "2021", township(rng, "红岩乡", year=2023))
    # one file saved by LibreOffice (what a clerk on a 信创 desktop sends)
    lo = pytest.importorskip("lo")
    src = tmp_path_factory.mktemp("lo-src") / "08-白杨镇.xlsx"
    reps["白杨镇"] = township(rng, "白杨镇", date="2025年1月12日")
    write_workbook(src, "2021", reps["白杨镇"])
    [converted] = lo.convert(src, "xlsx:Calc MS Excel 2007 XML", tmp_path_factory.mktemp("lo-out"))
    shutil.copy(converted, root / "08-白杨镇.xlsx")
    # what else arrives
    (root / "新集镇年报.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "龙泉镇年报.docx").write_bytes(b"PK\x03\x04 not really")
    (root / "junk.xlsx").write_bytes(b"not a workbook")
    (root / "~$00-城关镇.xlsx").write_bytes(b"\x00lock")
    (root / ".~lock.01-东坝镇.xlsx#").write_text("lock", encoding="utf-8")
    os.mkfifo(root / "管道.xlsx")
    os.symlink(root / "不存在.xlsx", root / "断链.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock.json"))
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    reps["柳林二"] = township(rng, "柳林二乡")
    write_workbook(elsewhere / "柳林二乡.xlsx", "2021", reps["柳林二"])
    os.symlink(elsewhere, root / "链接文件夹")
    os.symlink(root, elsewhere / "回到收件箱")  # a loop through the symlinked folder
    yield root, reps, resend, cell
    sock.close()


def test_inbox_every_entry_in_one_state_each_unit_summed_once(inbox, tmp_path):
    root, reps, resend, cell = inbox
    units = tmp_path / "名单.txt"
    units.write_text("\n".join([*TOWNS, "红岩乡", "新集镇", "龙泉镇", "柳林二乡", "金山镇"]), encoding="utf-8")
    out = tmp_path / "县汇总.xlsx"
    start = time.monotonic()
    res = run("aggregate", root, "-o", out, "--units", units, "--json", "--jobs", "2")
    assert time.monotonic() - start < 60 and "Traceback" not in res.output
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    files = {Path(f["file"]).name: f for f in data["files"]}
    states = {n: f["state"] for n, f in files.items()}
    # every entry, with its fate
    assert states["99-红岩乡.xlsx"] == "excluded" and files["99-红岩乡.xlsx"]["reason"] == "年度 2023，与其他 11 份不同，未汇总"
    assert states["新集镇年报.pdf"] == "not_report" and states["龙泉镇年报.docx"] == "not_report"
    assert states["junk.xlsx"] == "unreadable"
    assert states["~$00-城关镇.xlsx"] == "ignored" and states[".~lock.01-东坝镇.xlsx#"] == "ignored"
    assert states["管道.xlsx"] == "unreadable" and "命名管道" in files["管道.xlsx"]["reason"]
    assert states["sock.json"] == "unreadable" and "套接字" in files["sock.json"]["reason"]
    assert states["断链.xlsx"] == "unreadable" and "不存在" in files["断链.xlsx"]["reason"]
    assert states["柳林二乡.xlsx"] == "summed"  # the symlinked folder is followed once
    assert states["回到收件箱"] == "ignored" and "已经列出" in files["回到收件箱"]["reason"]
    assert set(states.values()) <= {"summed", "errors", "unreadable", "not_report", "duplicate", "excluded", "ignored"}
    # the resend replaces the first copy (later 填报日期), and the cell that differs is named
    assert states["01-东坝镇.xlsx"] == "duplicate" and states["东坝镇（修改后）.xlsx"] == "summed"
    reason = files["01-东坝镇.xlsx"]["reason"]
    assert "封面填报日期最新：2025-01-20" in reason and f"有 {len(cell)} 个单元格不同" in reason and "等" in reason
    [dup] = data["duplicates"]
    assert Path(dup["used"]).name == "东坝镇（修改后）.xlsx" and dup["differs"][0]["cells"] == cell
    # each unit summed once: the sums equal the independent sums of the townships used
    used = [reps[n] for n in TOWNS if n != "东坝镇"] + [resend, reps["柳林二"], reps["白杨镇"]]
    expected = summed(used)
    for c, v in expected.items():
        assert Decimal(str(data["totals"][c])) == v, c
    # every expected unit in exactly one state; sent-but-unusable is not "missing"
    unit_states = {u["unit"]: u["state"] for u in data["units"]}
    assert unit_states["东坝镇"] == "summed" and unit_states["红岩乡"] == "excluded"
    assert unit_states["新集镇"] == "not_report" and unit_states["龙泉镇"] == "not_report"
    assert data["missing_units"] == ["金山镇"]
    assert data["unit"] == "示范县人民政府"  # the organ, not the bare place
    assert out.exists()


def test_summary_sheet_is_printable(inbox, tmp_path):
    import openpyxl
    root, *_ = inbox
    out = tmp_path / "县汇总.xlsx"
    res = run("aggregate", root, "-o", out, "--unit", "示范县人民政府")
    assert res.exit_code == 1, res.output
    ws = openpyxl.load_workbook(out)["汇总情况"]
    head = next(r for r in ws.iter_rows() if r[0].value == "序号")[0].row
    assert ws.freeze_panes == f"A{head + 1}"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{head}:K")
    # fit to one page width (fitToWidth 1 is the default, XlsxWriter omits it), any number of pages tall
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == f"${head}:${head}"
    fills = {}
    for row in ws.iter_rows(min_row=head + 1):
        if row[5].value:
            fills[row[5].value] = row[5].fill.fgColor.rgb
            assert row[5].border.left.style == "thin"
    assert fills["已报送但无法读取"].endswith("FFC7CE") and fills["未汇总"].endswith("FFEB9C")
    assert ws.cell(head + 1, 10).alignment.wrap_text and ws.column_dimensions["J"].width >= 30


def test_english_is_english(inbox):
    root, *_ = inbox
    res = run("aggregate", root, "--lang", "en", "--unit", "Demo County", "--json")
    data = json.loads(res.output)
    reasons = {Path(f["file"]).name: f["reason"] for f in data["files"]}
    assert reasons["99-红岩乡.xlsx"] == "year 2023, unlike the other 11; not summed"
    assert reasons["新集镇年报.pdf"] == "not a report workbook (.pdf), not read; the filled Excel template is needed"
    assert "latest 填报日期 on the cover: 2025-01-20" in reasons["01-东坝镇.xlsx"]
    words = " ".join([*reasons.values(), *data["notes"]]).replace("填报日期", "").replace("东坝镇（修改后）.xlsx", "")
    assert not any(ch in words for ch in "（）：，；。") and "1 errors" not in words
    res = run("aggregate", root, "--lang", "en", "--unit", "Demo County")
    assert "summed 10 of 21: Demo County, 2024, format 2021" in res.output


def test_gbk_names_huge_numbers_and_output_folder(tmp_path):
    from gxnb_xl.excel.template import write_workbook
    folder = tmp_path / "zip"
    folder.mkdir()
    rng = random.Random(5)
    good = [township(rng, n) for n in TOWNS[:3]]
    for rep in good:  # names as GBK bytes, as a Windows zip unpacks on Linux
        raw = os.path.join(os.fsencode(folder), f"{rep.unit}.xlsx".encode("gbk"))
        write_workbook(os.fsdecode(raw), "2021", rep)
    huge = township(rng, "石桥镇")
    huge.values = {c: (10 ** 13 if c == "t3.new.natural" else v) for c, v in huge.values.items()}
    huge.save(folder / "huge.json")
    out = tmp_path / "县.xlsx"
    res = run("aggregate", folder, "-o", out, "--json")
    assert "Traceback" not in res.output and "内部错误" not in res.output
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    assert data["included"] == 3 and out.exists()
    names = {Path(f["file"]).name for f in data["files"]}
    assert {f"{r.unit}.xlsx" for r in good} <= names  # shown decoded
    row = next(f for f in data["files"] if f["file"].endswith("huge.json"))
    assert not row["included"] and "数值过大" in row["reason"]
    res = run("aggregate", folder, "-o", tmp_path)
    assert res.exit_code == 2 and "已存在的文件夹" in res.output and "Error" not in res.output


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _sighup_not_ignored() -> None:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_workers_die_with_aggregate(tmp_path, sig):
    from gxnb_xl.excel.template import build_workbook_bytes
    data = build_workbook_bytes("2021", township(random.Random(2), "城关镇"))
    for i in range(1500):
        (tmp_path / f"{i:04d}.xlsx").write_bytes(data)
    proc = subprocess.Popen([sys.executable, "-m", "gxnb_xl", "aggregate", str(tmp_path), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            preexec_fn=_sighup_not_ignored)  # as from a terminal, even under `nohup make test`
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the pool never started"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)  # read while waiting: a run that went on writes ~1 MB
    time.sleep(10)
    assert [w for w in workers if _alive(w)] == []
    if sig != signal.SIGKILL:  # SIGTERM and SIGHUP (the terminal closed) end it like Ctrl-C
        err = err.decode()
        assert proc.returncode == 128 + sig and "已中断" in err and "Traceback" not in err, err[-2000:]
        assert "已汇总" not in out.decode()


# Python drops an exception raised inside an at-fork hook ("Exception ignored in"); logging has
# one, so a signal landing while the pool forks its workers used to be lost and the run went on.
_SIGNAL_IN_FORK = ("import os, signal, sys; "
                   "os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGTERM)); "
                   "from gxnb_xl.cli import main; main(sys.argv[1:])")


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="POSIX fork hooks")
@pytest.mark.parametrize("command", ["aggregate", "check"])
def test_a_signal_while_the_pool_forks_is_not_lost(tmp_path, command):
    from gxnb_xl.excel.template import build_workbook_bytes
    data = build_workbook_bytes("2021", township(random.Random(2), "城关镇"))
    for i in range(40):
        (tmp_path / f"{i:02d}.xlsx").write_bytes(data)
    proc = subprocess.run([sys.executable, "-c", _SIGNAL_IN_FORK, command, str(tmp_path), "--jobs", "2"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 128 + signal.SIGTERM, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert "已中断" in proc.stderr and "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""  # nothing read, nothing summed or listed


def test_fifo_and_dev_zero_as_inputs_end_at_once(tmp_path):
    """A FIFO or a link to /dev/zero as check input, --units or --previous: a plain message, exit 2."""
    os.mkfifo(tmp_path / "p.xlsx")
    os.symlink("/dev/zero", tmp_path / "z.txt")
    county = ROOT / "examples" / "county-2024"
    for args, words in ((["check", tmp_path / "p.xlsx"], "命名管道"),
                        (["aggregate", county, "--units", tmp_path / "z.txt"], "设备文件"),
                        (["aggregate", county, "--previous", tmp_path / "p.xlsx", "--json"], "命名管道")):
        proc = subprocess.run([sys.executable, "-m", "gxnb_xl", *map(str, args)], capture_output=True, text=True,
                              timeout=30, cwd=ROOT)
        assert proc.returncode == 2 and words in proc.stdout + proc.stderr, (args, proc.stdout[-300:], proc.stderr)
        assert "Traceback" not in proc.stderr and "内部错误" not in proc.stdout + proc.stderr
