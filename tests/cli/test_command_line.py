"""The command line itself (argparse): usage errors are Chinese sentences with exit code 2 (English
with --lang en), `gxnb --help` lists every command without importing one, `gxnb check` loads only what
it uses, colour only on a terminal, Chinese output under any locale, the aggregate prompt."""
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from gxnb_cli import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "county-2024"
GOOD = EXAMPLES / "01-城关镇.json"
SLIP = EXAMPLES / "06-清水镇.json"
CJK = re.compile(r"[\u4e00-\u9fff]")

USAGE_ERRORS = [  # (arguments, words of the Chinese message)
    (["check"], "缺少必需的参数：FILES"),
    (["check", GOOD, "--lang", "fr"], "--lang 的值 'fr' 无效"),
    (["check", GOOD, "--jobs", "0"], "--jobs 的值 0 超出范围"),
    (["aggregate", EXAMPLES, "--jobs", "two"], "--jobs 的值应为整数"),
    (["check", GOOD, "--bogus"], "无法识别的参数：--bogus"),
    (["check", GOOD, "--json=yes"], "--json 不接受值"),
    (["check", GOOD, "--previous"], "--previous 后面缺少一个值"),
    (["chek", GOOD], "没有这个命令：'chek'"),
    (["--lang", "zh", "check", GOOD], "无法识别的参数：--lang"),
    (["template", "--year", "2024"], "缺少必需的参数：-o/--output"),
    (["template", "-o", ROOT], "是文件夹，应为文件"),
    (["spec", "--format", "1999"], "--format 的值 '1999' 无效"),
    (["template", "--level", "village", "-o", "x.xlsx"], "--level 的值 'village' 无效"),
    (["serve", "--port", "70000"], "--port 的值 70000 超出范围"),
    (["export", GOOD, "extra.xlsx"], "无法识别的参数：extra.xlsx"),
]


@pytest.mark.parametrize("args,words", USAGE_ERRORS, ids=[" ".join(map(str, a[0]))[:40] for a in USAGE_ERRORS])
def test_usage_errors_are_chinese_with_exit_code_2(args, words):
    res = run(*args)
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    assert words in res.stderr, res.stderr
    assert "错误：" in res.stderr and "--help" in res.stderr
    assert "error:" not in res.stderr and "usage:" not in res.stderr and "Traceback" not in res.stderr


def test_usage_errors_are_english_with_lang_en():
    for args in (["check", "--lang", "en"], ["check", GOOD, "--lang", "en", "--jobs", "0"],
                 ["check", GOOD, "--lang=en", "--bogus"], ["template", "--lang", "en"]):
        res = run(*args)
        assert res.exit_code == 2 and res.stdout == "", res.output
        [line] = [x for x in res.stderr.splitlines() if x.startswith("error: ")]
        assert not CJK.search(line), line
        assert "Try 'gxnb" in res.stderr and "Traceback" not in res.stderr


def test_help_and_version():
    res = run("--help")
    assert res.exit_code == 0 and res.stderr == ""
    from gxnb_xl.cli import COMMANDS
    for name, (_, summary) in COMMANDS.items():
        assert re.search(rf"^  {name} +{re.escape(summary)}$", res.stdout, re.M), name
    res = run("check", "-h")
    assert res.exit_code == 0 and "FILES" in res.stdout and "--jobs" in res.stdout and "退出码" in res.stdout
    from gxnb_xl._version import __version__
    res = run("--version")
    assert res.exit_code == 0 and res.stdout == f"gxnb, version {__version__}\n"
    res = run()  # `gxnb` alone: the help, as a usage error
    assert res.exit_code == 2 and "check" in res.stderr and res.stdout == ""


def test_options_may_come_between_the_inputs():
    apart = run("check", GOOD, "--json", SLIP)
    together = run("check", "--json", GOOD, SLIP)
    assert apart.exit_code == together.exit_code == 1
    assert json.loads(apart.stdout) == json.loads(together.stdout)


def test_an_option_takes_the_next_word_as_its_value_even_with_a_leading_dash(tmp_path):
    # as click did: a password (or a unit name, a file name) may begin with "-"
    book = tmp_path / "w.xlsx"
    res = run("template", "--unit", "-示范县", "--password", "-pw1", "--year", "2024", "-o", book)
    assert res.exit_code == 0, res.output
    from gxnb_xl.check import check
    assert check(book).report.unit == "-示范县"
    res = run("check", GOOD, "--previous", "-nope.json")
    assert "-nope.json" in res.stdout and "缺少一个值" not in res.stderr, res.output
    res = run("check", "--", "-x.json")  # after `--`, a word with a dash is an input
    assert res.exit_code == 2 and "-x.json" in res.stdout, res.output


def test_windows_wildcards_are_expanded_as_click_did(tmp_path, monkeypatch, capsys):
    # cmd.exe passes `gxnb check 乡镇\\*.json` as typed; click expanded it (README: `gxnb import 历年年报/*.txt`)
    import shutil

    from gxnb_xl.cli import main
    for path in (GOOD, SLIP):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(sys, "argv", ["gxnb", "check", "--json", str(tmp_path / "*.json")])
    # Windows as the command line sees it (os.name itself stays: pathlib would make WindowsPaths)
    monkeypatch.setattr("gxnb_xl.cli.os", types.SimpleNamespace(name="nt"), raising=False)
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    assert exc.value.code == 1, out + err
    assert sorted(Path(r["file"]).name for r in json.loads(out)) == sorted([GOOD.name, SLIP.name])


# ── in a real process ─────────────────────────────────────────────────────────────────────────────

def _python(code: str, *args, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, timeout=120,
                          cwd=ROOT, env=env, **kw)


MODULES_AFTER = """
import sys
from gxnb_xl.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
print("MODULES", " ".join(sorted(sys.modules)), "EXIT", code, file=sys.stderr)
"""


def _modules(*args) -> tuple[set[str], int, str]:
    proc = _python(MODULES_AFTER, *args)
    err = proc.stderr.decode()
    m = re.search(r"MODULES (.*) EXIT (\d+)", err)
    assert m, err
    return set(m.group(1).split()), int(m.group(2)), proc.stdout.decode()


def test_help_lists_every_command_and_imports_none():
    from gxnb_xl.cli import COMMANDS
    modules, code, out = _modules("--help")
    assert code == 0
    assert all(name in out for name in COMMANDS)
    commands = {module for module, _ in COMMANDS.values()}
    assert not {m.split(".")[2] for m in modules if m.startswith("gxnb_xl.cli.")} & commands
    assert "click" not in modules


# what `gxnb check one.xlsx` must not pay for at start (issue 15: the process ≤ 3× a bare calamine import):
# click and rich (the command line and the tables of other commands), dataclasses and inspect (records
# are gxnb_xl.record's), typing (annotations are strings), importlib.metadata (the version is a module)
NOT_AT_START = ("click", "rich", "dataclasses", "inspect", "typing", "importlib.metadata", "hashlib", "tomllib")


def test_check_of_a_workbook_loads_only_what_it_uses(tmp_path):
    book = tmp_path / "w.xlsx"
    assert run("template", "--data", GOOD, "-o", book).exit_code == 0
    modules, code, out = _modules("check", book)
    assert code == 0 and "全部勾稽关系正确" in out
    assert not [m for m in modules if m.split(".")[0] in NOT_AT_START or m in NOT_AT_START]
    from gxnb_xl.cli import COMMANDS
    commands = {module for module, _ in COMMANDS.values()}
    assert {m.split(".")[2] for m in modules if m.startswith("gxnb_xl.cli.")} & commands == {"check"}  # only its own


def test_no_colour_codes_when_not_a_terminal():
    res = run("check", SLIP)  # errors: red words on a terminal
    assert res.exit_code == 1 and "错误" in res.output and "\x1b" not in res.output
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", "check", SLIP], capture_output=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1 and "应为 12".encode() in proc.stdout and b"\x1b" not in proc.stdout + proc.stderr


def _on_terminal(args, env=None, answer: bytes | None = None, wait_for: bytes = b"") -> tuple[int, bytes]:
    """Run gxnb with its stdin and stdout on a pseudo-terminal; type ``answer`` once ``wait_for`` is shown."""
    pty = pytest.importorskip("pty")
    import select
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gxnb_xl", *map(str, args)], stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, cwd=ROOT, env=env)
    os.close(slave)
    seen = b""
    try:
        for _ in range(1200):  # bounded: at most ~120 s
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if answer is not None and wait_for in seen:
                    os.write(master, answer)
                    answer = None
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, seen + proc.stderr.read()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, seen = _on_terminal(["check", SLIP], env=env)
    assert code == 1 and b"\x1b[31m" in seen and "应为 12".encode() in seen
    code, seen = _on_terminal(["check", SLIP], env=dict(env, NO_COLOR="1"))
    assert code == 1 and b"\x1b" not in seen and "应为 12".encode() in seen


def test_chinese_output_under_any_locale():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "PYTHONUTF8"))}
    for extra in ({"LC_ALL": "C", "PYTHONUTF8": "0"}, {"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"}):
        proc = subprocess.run([sys.executable, "-m", "gxnb_xl", "check", SLIP], capture_output=True, timeout=120,
                              cwd=ROOT, env=dict(env, **extra))
        assert proc.returncode == 1, (extra, proc.stderr.decode(errors="replace"))
        assert b"Traceback" not in proc.stderr and b"UnicodeEncodeError" not in proc.stdout + proc.stderr
        if "latin-1" not in extra.values():  # an ASCII console gets UTF-8, as click gave it
            assert "应为 12".encode() in proc.stdout, extra
        usage = subprocess.run([sys.executable, "-m", "gxnb_xl", "check"], capture_output=True, timeout=120, cwd=ROOT,
                               env=dict(env, **extra))
        assert usage.returncode == 2 and b"Traceback" not in usage.stderr
        if "latin-1" not in extra.values():
            assert "缺少必需的参数".encode() in usage.stderr, extra


def _two_townships_without_a_common_place(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for src, unit in ((GOOD, "甲镇人民政府"), (EXAMPLES / "02-东坝镇.json", "乙乡人民政府")):
        data = json.loads(src.read_text(encoding="utf-8"))
        data["unit"] = unit
        (folder / src.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pseudo-terminal")
def test_aggregate_asks_for_the_county_name_on_a_terminal(tmp_path):
    folder = _two_townships_without_a_common_place(tmp_path)
    env = dict(os.environ, GXNB_NO_PROGRESS="1")
    out = tmp_path / "county.xlsx"
    code, seen = _on_terminal(["aggregate", folder, "-o", out], env=env, answer="测试县人民政府\n".encode(),
                              wait_for="汇总单位名称".encode())
    assert code == 0, seen.decode(errors="replace")
    assert "汇总单位名称（如“示范县人民政府”）:".encode() in seen and out.exists()
    assert "测试县人民政府".encode() in seen  # the verdict names the county
    # end of input (Ctrl-D) is no name: the plain message, exit 2, nothing written
    out2 = tmp_path / "county2.xlsx"
    code, seen = _on_terminal(["aggregate", folder, "-o", out2], env=env, answer=b"\x04", wait_for="汇总单位名称".encode())
    assert code == 2 and not out2.exists() and b"Traceback" not in seen and "--unit".encode() in seen, seen.decode()


@pytest.mark.parametrize("raised,lang,words,code", [
    (ValueError("示例故障"), "zh", "内部错误：ValueError: 示例故障。请把此信息和输入文件反馈给维护者。", 2),
    (ValueError("示例故障"), "en", "internal error: ValueError: 示例故障. Please report it with the input file.", 2),
    ("report_error", "zh", "某个输入无法使用", 2),
    ("report_error", "en", "an input cannot be used", 2),
    (KeyboardInterrupt(), "zh", "已中断", 130),
    (KeyboardInterrupt(), "en", "interrupted", 130),
])
def test_failures_are_one_line_never_a_traceback(monkeypatch, raised, lang, words, code):
    """The friendly wrapper: GxnbError → its message, Ctrl-C → 130, anything else → a short internal-error line."""
    import gxnb_xl.aggregate.pool as pool
    from gxnb_xl.errors import ReportError
    if raised == "report_error":
        raised = ReportError("某个输入无法使用", "an input cannot be used")

    def broken(*args, **kwargs):
        raise raised
    monkeypatch.setattr(pool, "check_paths", broken)
    res = run("check", GOOD, "--lang", lang)
    assert res.exit_code == code and res.stderr == words + "\n" and res.stdout == ""
