"""The .xlsm carries a VBA project built from macros/, with buttons bound to macros that exist."""
from __future__ import annotations

import re
import struct
import subprocess
import sys
import zipfile

import pytest
from xlsm_helpers import ROOT

from gxnb_xl import excel_buttons

MACROS = ROOT / "macros"


def bas_text(name="gxnb.bas") -> str:
    return (MACROS / name).read_text(encoding="ascii")


def public_subs() -> set[str]:
    subs = set()
    for p in MACROS.glob("*.bas"):
        subs |= set(re.findall(r"^Public Sub (\w+)\(\)", p.read_text(encoding="ascii"), re.M))
    return subs


def test_committed_vba_project_is_built_from_the_sources(build_vba):
    # deterministic build: the committed binary is exactly what macros/ gives today
    assert excel_buttons.vba_project_path().read_bytes() == build_vba.build(), \
        "vbaProject.bin is out of date: run python scripts/build_vba.py"


def test_sources_are_ascii_and_messages_decode_to_chinese():
    for p in list(MACROS.glob("*.bas")) + list((MACROS / "vendor").glob("*")):
        p.read_bytes().decode("ascii")  # raises on any non-ASCII byte
    src = bas_text()
    literals = re.findall(r'Zh\(("(?:[^"]|"")*"(?:\s*&\s*_?\s*"(?:[^"]|"")*")*)\)', src)
    decoded = ["".join(re.findall(r'"((?:[^"]|"")*)"', lit)) for lit in literals]
    decoded = [re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), d) for d in decoded]
    text = "\n".join(decoded)
    assert "未找到 Python" in text and "未安装 gxnb-xl" in text and "请先保存工作簿" in text
    assert "“校验”工作表" in text  # points the clerk at the in-sheet checks when Python is missing
    assert "政府信息公开年报" in text


def test_buttons_call_macros_that_exist():
    subs = public_subs()
    assert [m for _, m in excel_buttons.BUTTONS] == ["GxnbCheck", "GxnbRender", "GxnbExport"]
    assert {m for _, m in excel_buttons.BUTTONS} <= subs
    assert [c for c, _ in excel_buttons.BUTTONS] == ["校验", "生成Word", "导出JSON"]


def test_every_python_function_a_macro_calls_exists():
    src = bas_text()
    module = re.search(r'PY_MODULE As String = "([\w.]+)"', src).group(1)
    assert module == excel_buttons.__name__
    assert 'RunPython "import " & PY_MODULE & " as gxnb_buttons; gxnb_buttons." & action & "()"' in src
    actions = re.findall(r'RunGxnb "(\w+)"', src)
    assert sorted(actions) == ["check", "export", "render"]
    for a in actions:
        assert callable(getattr(excel_buttons, a))
    # Python is tested for before RunPython is called
    body = src[src.index("Private Sub RunGxnb"):]
    assert body.index("PythonReady()") < body.index("RunPython ")


def test_xlsm_contains_the_project_and_buttons(blank_xlsm):
    z = zipfile.ZipFile(blank_xlsm)
    assert z.read("xl/vbaProject.bin") == excel_buttons.vba_project_path().read_bytes()
    types = z.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()
    vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml) == [m for _, m in excel_buttons.BUTTONS]
    for caption, _ in excel_buttons.BUTTONS:
        assert caption in vml


def test_olevba_reads_the_same_source_as_macros(blank_xlsm, build_vba):
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(blank_xlsm))
    found = {name: code for _, _, name, code in parser.extract_macros()}
    expected = {f"{m.name}.{'cls' if m.kind != 'module' else 'bas'}": m.source for m in build_vba.modules()}
    assert set(found) == set(expected)
    for name, code in found.items():
        norm = lambda s: s.replace("\r\n", "\n").rstrip("\n")  # noqa: E731
        assert norm(code) == norm(expected[name]), name
    # and those sources are the files in macros/ (a .cls export header is not stored in a project)
    assert norm(found["gxnb.bas"]) == norm(bas_text())
    assert norm(found["xlwings.bas"]) == norm(bas_text("vendor/xlwings.bas"))


def test_project_records(blank_xlsm, build_vba):
    olefile = pytest.importorskip("olefile")
    ole = olefile.OleFileIO(excel_buttons.vba_project_path().read_bytes())
    assert ole.openstream("VBA/_VBA_PROJECT").read()[:4] == bytes.fromhex("CC61FFFF")  # no p-code: compile from source
    project = ole.openstream("PROJECT").read().decode("cp1252")
    for line in ("Document=ThisWorkbook/&H00000000", "Module=gxnb", "Module=xlwings", "Class=Dictionary"):
        assert line in project.splitlines()
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    assert build_vba.decrypt(values["CMG"]) == bytes(4)  # not protected
    assert build_vba.decrypt(values["DPB"]) == b"\0"  # no password
    assert build_vba.decrypt(values["GC"]) == b"\xff"  # visible
    pid = re.search(r'^ID="(\{[^"]+\})"', project, re.M).group(1)
    raw = bytes.fromhex(values["GC"])
    assert raw[0] ^ raw[2] == sum(pid.encode()) & 0xFF  # project key from the project id ([MS-OVBA] 2.4.3)
    # every module stream decompresses to its source
    for m in build_vba.modules():
        stream = ole.openstream(f"VBA/{m.name}").read()
        assert build_vba.decompress(stream).decode("cp1252") == m.source


def test_compression_round_trip_and_oletools_agree(build_vba):
    data = (ROOT / "macros" / "vendor" / "xlwings.bas").read_bytes() + bytes(range(256)) * 20 + b"a" * 5000
    packed = build_vba.compress(data)
    assert len(packed) < len(data)
    assert build_vba.decompress(packed) == data
    olevba = pytest.importorskip("oletools.olevba")
    assert bytes(olevba.decompress_stream(bytearray(packed))) == data
    header = struct.unpack_from("<H", packed, 1)[0]
    assert header & 0x7000 == 0x3000  # chunk signature


def test_core_never_imports_xlwings():
    code = ("import sys, gxnb_xl, gxnb_xl.check, gxnb_xl.excel_buttons, gxnb_xl.cli.template, gxnb_xl.cli.check;"
            "from gxnb_xl.cli import main;"
            "assert 'xlwings' not in sys.modules, 'xlwings imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    for p in (ROOT / "gxnb_xl").rglob("*.py"):
        if p.name == "excel_buttons.py":
            continue
        assert not re.search(r"^\s*(import|from)\s+xlwings", p.read_text(encoding="utf-8"), re.M), p


def _vba_concat(expr: str, env: dict) -> str:
    """Evaluate a VBA string expression made of literals and variables joined by &."""
    out = ""
    tokens = re.findall(r'"(?:[^"]|"")*"|[A-Za-z_]\w*|&', expr)
    for tok in tokens:
        if tok == "&":
            continue
        out += tok[1:-1].replace('""', '"') if tok.startswith('"') else env[tok]
    return out


def _cmd_c(line: str) -> list[str]:
    """What cmd.exe /C runs: with more than two quotes it strips the first and the last quote."""
    import shlex
    rest = line.split("/C ", 1)[1]
    if rest.startswith('"'):
        rest = rest[1:rest.rindex('"')] + rest[rest.rindex('"') + 1:]
    return shlex.split(rest, posix=True)


@pytest.mark.parametrize("interpreter", ["python", '"C:\\Program Files\\Python312\\python.exe"'])
def test_python_probe_command_lines(interpreter):
    src = bas_text()
    runs = re.findall(r'CreateObject\("WScript\.Shell"\)\.Run\((.*), 0, True\)', src)
    assert len(runs) == 2
    env = {"interpreter": interpreter, "PY_MODULE": excel_buttons.__name__}
    exe = interpreter.strip('"').replace("\\", "/")
    probes = [[a.replace("\\", "/") for a in _cmd_c(_vba_concat(r, env).replace("\\", "/"))] for r in runs]
    assert probes[0] == [exe, "-c", "import sys"]
    assert probes[1] == [exe, "-c", f"import xlwings, {excel_buttons.__name__}"]
