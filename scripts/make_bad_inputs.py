"""A corpus of bad inputs for the workbook reader: what clerks (and their tools) really send.

``make_corpus(outdir)`` writes one file per case and returns the cases: the file, the exit code
``gxnb check`` must give (0 only when the reading was certain and the data consistent, 1 when the
data hold errors, 2 when the file cannot be used), a Chinese substring the output must contain
and/or finding codes (rule or cell-problem code) that must be reported.

Every workbook starts from the official template filled with a valid synthetic report; the
damage is then done the way it happens: bytes cut, cell XML edited inside the zip (a number typed
as text, a formula, an error value …), openpyxl row/column insertion, LibreOffice "save as" .xls /
.ods, msoffcrypto-tool encryption. Cases that need LibreOffice or msoffcrypto-tool are left out
(and named in ``skipped``) when those are not installed.

    python scripts/make_bad_inputs.py OUTDIR     # writes the files and prints the table
"""
from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from gxnb_xl.excel.layout import META_SHEET, layout_of
from gxnb_xl.excel.template import build_workbook_bytes
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report


@dataclass
class Case:
    name: str
    path: Path
    exit: int  # expected exit code of `gxnb check`
    message: str = ""  # a substring of the expected Chinese output
    codes: tuple[str, ...] = ()  # rule ids or cell-problem codes expected among the findings
    note: str = ""
    command: str = "check"  # the gxnb command the expectation is about (check, or export)
    export_exit: int | None = None  # `gxnb export`'s exit when it differs from check's (a lock file: listed vs unusable)


@dataclass
class Corpus:
    cases: list[Case] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# helpers: a base workbook and edits inside its zip
# ---------------------------------------------------------------------------------------------

def base_report(fmt: str = "2021", year: int = 2024, seed: int = 7):
    rep = random_report(random.Random(seed), fmt, year=year, busy=0.7, unit="测试镇人民政府")
    rep.narrative = {"overview": f"{year}年，本机关认真贯彻落实《政府信息公开条例》。",
                     "other_matters": "本年度未收取信息处理费。"}
    return rep


def _parts(z: zipfile.ZipFile) -> dict[str, str]:
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = {rid: t for rid, t in re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    targets.update({rid: t for t, rid in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    return {name: "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
            for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb)}


def rezip(data: bytes, edit) -> bytes:
    """Rewrite an .xlsx: ``edit(name, bytes, parts) -> bytes | None`` (None drops the member)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = _parts(src)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = edit(info.filename, src.read(info.filename), parts)
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


def _cell_xml(addr: str, style: str, value) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{addr}"{s}/>'
    if isinstance(value, tuple) and value[0] == "formula":
        return f'<c r="{addr}"{s}><f>{value[1]}</f><v>{value[2]}</v></c>'
    if isinstance(value, tuple) and value[0] == "error":
        return f'<c r="{addr}"{s} t="e"><v>{value[1]}</v></c>'
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{addr}"{s} t="inlineStr"><is><t>{text}</t></is></c>'
    return f'<c r="{addr}"{s}><v>{value}</v></c>'


def set_cells(data: bytes, changes: dict[tuple[str, str], object]) -> bytes:
    """Replace cells ((sheet, A1) → value) in the sheet XML, keeping their style."""
    by_part: dict[str, dict[str, object]] = {}
    parts = _parts(zipfile.ZipFile(io.BytesIO(data)))
    for (sheet, addr), v in changes.items():
        by_part.setdefault(parts[sheet], {})[addr] = v

    def edit(name, raw, _):
        if name not in by_part:
            return raw
        xml = raw.decode("utf-8")
        for addr, v in by_part[name].items():
            pat = re.compile(rf'<c r="{addr}"(?: s="(\d+)")?[^>]*?(?:/>|>.*?</c>)', re.S)
            m = pat.search(xml)
            assert m, f"cell {addr} not in {name}"
            xml = xml[:m.start()] + _cell_xml(addr, m.group(1) or "", v) + xml[m.end():]
        return xml.encode("utf-8")

    return rezip(data, edit)


def edit_sheet(data: bytes, sheet: str, fn) -> bytes:
    def edit(name, raw, parts):
        return fn(raw.decode("utf-8")).encode("utf-8") if name == parts[sheet] else raw
    return rezip(data, edit)


def with_openpyxl(data: bytes, fn) -> bytes:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    fn(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        p = shutil.which(name)
        if p:
            return p
    return None


def lo_convert(binary: str, sources: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """One LibreOffice batch conversion with a throw-away profile (formulas recalculated on load)."""
    profile = Path(tempfile.gettempdir()) / f"lo-bad-{uuid.uuid4().hex}"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        '<value>0</value></prop></item></oor:items>', encoding="utf-8")
    env = dict(os.environ)
    env.setdefault("HOME", tempfile.gettempdir())
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([binary, "--headless", "--norestore", "--nologo", "--nodefault",
                        f"-env:UserInstallation={profile.as_uri()}", "--convert-to", fmt, "--outdir", str(outdir),
                        *map(str, sources)], capture_output=True, text=True, timeout=240, env=env)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    return [outdir / f"{s.stem}.{ext}" for s in sources]


# ---------------------------------------------------------------------------------------------
# the corpus
# ---------------------------------------------------------------------------------------------

def make_corpus(outdir, *, soffice: str | None | bool = True) -> list[Case]:
    """Write every case into ``outdir``; returns the cases (``make_corpus.skipped`` after a call)."""
    corpus = build(outdir, soffice=soffice)
    make_corpus.skipped = corpus.skipped
    return corpus.cases


make_corpus.skipped = []


def build(outdir, *, soffice: str | None | bool = True) -> Corpus:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus()
    cases = corpus.cases

    def add(name, data: bytes | None, exit_code, message="", codes=(), note="", command="check", export_exit=None):
        p = out / name
        if data is not None:
            p.write_bytes(data)
        cases.append(Case(name, p, exit_code, message, tuple(codes), note, command, export_exit))
        return p

    rep = base_report()
    spec = load_spec("2021")
    lay = layout_of(spec)
    good = build_workbook_bytes("2021", rep)
    add("00-good.xlsx", good, 0, "全部勾稽关系正确", note="control: the untouched filled template")

    # an input cell with a known non-zero value, and a total cell
    cid = next(c for c in spec.input_cells if c.startswith("t3.") and 0 < (rep.values[c] or 0) < 1000)
    v = rep.values[cid]
    where = lay.cells[cid]
    total = "t3.new.total"
    twhere = lay.cells[total]

    # --- files that are not workbooks at all -------------------------------------------------
    add("01-empty.xlsx", b"", 2, "文件为空")
    add("02-corrupt-zip.xlsx", good[: len(good) // 2], 2, "已损坏")
    add("03-pdf-renamed.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", 2, "PDF")
    add("04-text-renamed.xlsx", "单位,年度\n测试镇,2024\n".encode("gbk"), 2, "不是 Excel/WPS 工作簿")
    add("05-html-saved-as.xls", "<html><body><table><tr><td>表三</td></tr></table></body></html>".encode(), 2,
        "网页")
    docx = io.BytesIO()
    import docx as python_docx  # python-docx ships with the package
    d = python_docx.Document()
    d.add_paragraph("政府信息公开工作年度报告")
    d.save(docx)
    add("06-word-renamed.xlsx", docx.getvalue(), 2, "Word 文档")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "hello")
    add("07-plain-zip.xlsx", zbuf.getvalue(), 2, "不是 Excel/WPS 工作簿")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    add("08-zip-bomb.xlsx", bomb.getvalue(), 2, "压缩炸弹")
    lock = bytes([4]) + "张三".encode("utf-16-le") + b"\x00" * (165 - 9)
    # check lists a lock file and skips it, as aggregate does; export has nothing to export (exit 2)
    add("~$09-lock-file.xlsx", lock, 0, "临时锁文件", export_exit=2)
    # published text the importer reads (issue: run-together rows that once never finished, Notepad's UTF-16):
    # each ends at once; a row it cannot cut is left blank with a note — with no number read at all the text is
    # not a usable report (exit 2); Notepad's UTF-16 is decoded and its missing cells are errors (exit 1)
    t4 = "\n".join(["某某县某某局2023年政府信息公开工作年度报告", "一、总体情况", "概述。",
                    "四、政府信息公开行政复议、行政诉讼情况",
                    "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计", "{row}",
                    "五、存在的主要问题及改进情况", "问题。"])
    add("70-t4-row-60-digits.txt", t4.replace("{row}", "1" * 60).encode("utf-8"), 2, "没有读出")
    add("71-t4-row-39-digits.txt", t4.replace("{row}", "101202103104510111120130140501150160170").encode("utf-8"), 2,
        "没有读出")
    notepad = ("某某镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n我镇认真落实条例。\n"
               "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3\n"
               "五、存在的主要问题及改进情况\n无。\n")
    add("72-notepad-utf16.txt", notepad.encode("utf-16"), 1, "某某镇人民政府")
    dir_case = out / "10-folder.xlsx"
    dir_case.mkdir(exist_ok=True)
    add("10-folder.xlsx", None, 2, "文件夹", command="export",
        note="gxnb check expands folders (an empty one gives no result); export needs a file")
    add("11-missing.xlsx", None, 2, "文件不存在")
    add("12-unsupported.csv", "a,b\n1,2\n".encode(), 2, "不支持的文件类型")

    # --- encrypted workbook (msoffcrypto-tool) ------------------------------------------------
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
        enc = io.BytesIO()
        OOXMLFile(io.BytesIO(good)).encrypt("123456", enc)
        add("13-encrypted.xlsx", enc.getvalue(), 2, "密码")
    except ImportError:
        corpus.skipped.append("13-encrypted.xlsx (msoffcrypto-tool not installed)")

    # --- damaged packages -----------------------------------------------------------------------
    add("14-sheet-part-missing.xlsx", rezip(good, lambda n, b, p: None if n == p["表三"] else b), 2, "无法")
    add("15-broken-sheet-xml.xlsx", edit_sheet(good, "表三", lambda x: x[: len(x) // 2]), 2, "无法")
    unrelated = io.BytesIO()
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = "工资表"
    for i in range(1, 50):
        wb.active.append([f"员工{i}", 3000 + i, "=B{0}*12".format(i)])
    wb.save(unrelated)
    add("16-unrelated-workbook.xlsx", unrelated.getvalue(), 2, "不是政府信息公开年度报告填报模板")

    # --- the template, with cells typed the way people type ---------------------------------------
    add("20-text-number.xlsx", set_cells(good, {where: str(v)}), 0, "以文本形式填写", ("text_number",))
    fw = str(v).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    add("21-fullwidth-digits.xlsx", set_cells(good, {where: fw}), 0, "全角", ("fullwidth",))
    add("22-unit-suffix.xlsx", set_cells(good, {where: f"{v}件"}), 0, "带有单位", ("unit_suffix",))
    add("23-blank-input.xlsx", set_cells(good, {where: None}), 1, "未填写", ("blank",))
    add("24-negative.xlsx", set_cells(good, {where: -v}), 1, "负数", ("negative",))
    add("25-decimal-count.xlsx", set_cells(good, {where: v + 0.5}), 1, "含小数", ("fraction",))
    add("26-formula-in-input.xlsx", set_cells(good, {where: ("formula", f"{v - 1}+1", v)}), 0, "公式",
        ("formula_in_input",))
    add("27-ref-error.xlsx", set_cells(good, {where: ("error", "#REF!")}), 1, "#REF!", ("error_value",))
    add("28-formula-as-text.xlsx", set_cells(good, {where: f"={v}"}), 1, "公式文本", ("formula_text",))
    add("29-absurd-magnitude.xlsx", set_cells(good, {where: 10 ** 12}), 1, "异常大", ("absurd",))
    add("30-junk-text.xlsx", set_cells(good, {where: "见附件"}), 1, "不是数字", ("not_number",))
    add("31-tampered-total.xlsx", set_cells(good, {twhere: (rep.values[total] or 0) + 5}), 1, twhere[1], ("D1",),
        note="a total's formula overwritten with a typed number")
    add("32-stale-total.xlsx",
        edit_sheet(good, twhere[0], lambda x: re.sub(
            rf'(<c r="{twhere[1]}"[^>]*><f>[^<]*</f><v>)[^<]*(</v>)', rf"\g<1>{(rep.values[total] or 0) + 3}\g<2>", x)),
        1, "不一致", ("D1",), note="formula kept, cached result stale (saved without recalculation)")
    add("33-protection-removed.xlsx",
        rezip(good, lambda n, b, p: re.sub(rb"<sheetProtection[^>]*/>", b"", b) if n.startswith("xl/worksheets/") else b),
        0, "保护已被取消", ("S6",))

    # merged input cells: the second cell of a merge is hidden, whatever it held is lost
    sheet, addr = where
    row = re.sub(r"[A-Z]+", "", addr)
    col = re.sub(r"\d+", "", addr)
    nxt = chr(ord(col) + 1) + row
    add("34-merged-inputs.xlsx", edit_sheet(good, sheet, lambda x: re.sub(
        r'<mergeCells count="(\d+)">', lambda m: f'<mergeCells count="{int(m.group(1)) + 1}"><mergeCell ref="{addr}:{nxt}"/>',
        x)), 1, "合并", ("merged",))

    # --- structure changed -------------------------------------------------------------------------
    add("40-inserted-rows.xlsx", with_openpyxl(good, lambda wb: wb["表三"].insert_rows(8, 2)), 0, "已按标签重新定位",
        ("S4",))
    add("41-inserted-column.xlsx", with_openpyxl(good, lambda wb: wb["表三"].insert_cols(5)), 0, "已按标签重新定位",
        ("S4",))

    # hostile parts (issue 16): every scan linear, every expansion bounded, labels that disagree refused
    add("35-formula-token-flood.xlsx", edit_sheet(good, "表三", lambda x: x.replace(
        "</worksheet>", "<extLst><ext uri='x'>" + "<f " * 400_000 + "</ext></extLst></worksheet>")), 0,
        "全部勾稽关系正确", note="400 k stray <f tokens: a backwards search per token took ~245 s")
    merges = "".join(f'<mergeCell ref="K{100 + 3 * i}:DZ{101 + 3 * i}"/>' for i in range(30_000))
    add("36-merged-range-bomb.xlsx", edit_sheet(good, "表三", lambda x: re.sub(
        r"<mergeCells\b.*?</mergeCells>", lambda _: f'<mergeCells count="30000">{merges}</mergeCells>', x, flags=re.S)),
        0, "全部勾稽关系正确", note="30,000 merges of 9,000 cells: expansion capped")

    def two_headers(wb):
        del wb[META_SHEET]
        ws = wb["表三"]
        ws.unmerge_cells("D3:D4")
        ws["D4"], ws["E4"] = "商业企业", "自然人"  # a second header row typed in another order
    add("37-two-header-rows.xlsx", with_openpyxl(good, two_headers), 1, "互相矛盾", ("S4",),
        note="headers that disagree would read a column twice: the table is refused")

    def drop_sheet(name):
        def fn(wb):
            del wb[name]
        return fn

    add("42-deleted-sheet.xlsx", with_openpyxl(good, drop_sheet("表四")), 1, "被删除或改名", ("S3",))
    add("43-deleted-meta-sheet.xlsx", with_openpyxl(good, drop_sheet(META_SHEET)), 0, "缺少模板标识", ("S1",))

    def rename(wb):
        wb["表三"].title = "Sheet3"
    add("44-renamed-sheet.xlsx", with_openpyxl(good, rename), 1, "被改名为", ("S3",))
    add("45-all-tables-deleted.xlsx",
        with_openpyxl(good, lambda wb: [wb.remove(wb[s]) for s in ("表二", "表三", "表四")]), 2, "找不到表二、表三、表四")

    rep19 = base_report("2019", year=2024)
    add("46-old-template-new-year.xlsx", build_workbook_bytes("2019", rep19), 1, "往年模板", ("S5",),
        note="2019 template filled for 2024: must be refilled in the 2021 format")
    far = edit_sheet(good, "表三", lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'))
    add("47-stray-far-cell.xlsx", far, 2, "范围异常大", note="a stray value in XFD1048576 makes the sheet 17 billion cells")

    def big_sheet(wb):
        ws = wb.create_sheet("附表")
        for i in range(60_000):
            ws.append([i, f"明细{i}", i * 2, i * 3])
    add("48-huge-extra-sheet.xlsx", with_openpyxl(good, big_sheet), 0, "全部勾稽关系正确",
        note="a big pasted table on an extra sheet does not stop the reading")

    # --- JSON ----------------------------------------------------------------------------------
    add("50-json-wrong-types.json", json.dumps({"format": 2021, "year": "2024年", "values": [1, 2, 3]}).encode(), 2,
        "values 应为对象")
    jrep = json.loads(rep.dumps())
    jrep["values"][cid] = "四"
    jrep["values"]["t3.new.total"] = True
    add("51-json-bad-values.json", json.dumps(jrep, ensure_ascii=False).encode(), 1, "不是数字", ("not_number",))
    add("52-json-unknown-format.json", json.dumps({"format": "2030", "values": {}}).encode(), 2, "未知的报告格式")
    add("53-json-gbk.json", json.dumps(jrep, ensure_ascii=False).encode("gbk"), 2, "不是 UTF-8")
    # issue 16: hostile JSON — refused or named per cell, never a hang or an internal error
    body = rep.dumps()
    add("54-json-duplicate-unit-key.json",
        body.replace('"unit": ', '"unit": "示范县另一镇人民政府", "unit": ', 1).encode(), 2, "键“unit”出现了两次")
    add("55-json-huge-exponent.json", re.sub(rf'("{cid}": )\d+', r"\g<1>1e999999999", body).encode(), 1, "超出范围",
        ("not_number",))
    add("56-json-5000-digits.json", re.sub(rf'("{cid}": )\d+', lambda m: m.group(1) + "9" * 5000, body).encode(), 1,
        "超出范围", ("not_number",))
    add("57-json-infinity.json", re.sub(rf'("{cid}": )\d+', r"\g<1>Infinity", body).encode(), 1, "超出范围",
        ("not_number",))
    add("58-json-deep-nesting.json", ("[" * 100_000 + "]" * 100_000).encode(), 2, "嵌套超过")
    add("59-json-unit-not-text.json", body.replace('"unit": ', '"unit": 12345, "x_unit": ', 1).encode(), 2,
        "应为文本")

    # --- LibreOffice "save as" --------------------------------------------------------------------
    binary = find_soffice() if soffice is True else (soffice or None)
    if binary:
        tmp = out / "_lo_src"
        tmp.mkdir(exist_ok=True)
        slip = base_report()
        slip.values[cid] = v + 9  # a typed slip: R3 relations fail, the stored totals recomputed by LO
        srcs = [tmp / "60-libreoffice-good.xlsx", tmp / "61-libreoffice-slip.xlsx"]
        srcs[0].write_bytes(good)
        srcs[1].write_bytes(build_workbook_bytes("2021", slip))
        xls = lo_convert(binary, srcs, "xls", out)
        ods = lo_convert(binary, srcs, "ods", out)
        x2 = lo_convert(binary, [srcs[0]], "xlsx:Calc MS Excel 2007 XML", tmp / "lo")
        shutil.move(x2[0], out / "62-libreoffice-resaved.xlsx")
        shutil.rmtree(tmp, ignore_errors=True)
        for p, code, msg, codes in ((xls[0], 0, "2024 · 格式 2021  全部勾稽关系正确", ()),
                                    (xls[1], 1, f"相差 9", ("R3.1",)),
                                    (ods[0], 0, "2024 · 格式 2021  全部勾稽关系正确", ()),
                                    (ods[1], 1, "相差 9", ("R3.1",)),
                                    (out / "62-libreoffice-resaved.xlsx", 0, "全部勾稽关系正确", ())):
            if p.exists():
                add(p.name, None, code, msg, codes)
            else:
                corpus.skipped.append(f"{p.name} (LibreOffice did not produce it)")
    else:
        corpus.skipped.append("LibreOffice .xls/.ods cases (soffice not installed)")
    return corpus


# ---------------------------------------------------------------------------------------------
# a hostile county folder (issue 16): entries that must each be listed with their fate by
# `gxnb aggregate` and `gxnb check`, ending within seconds, never an internal error
# ---------------------------------------------------------------------------------------------

@dataclass
class Entry:
    name: str  # path relative to the folder, as listed (GBK names decoded)
    state: str  # the aggregate state expected (summed, unreadable, ignored, not_report, excluded, duplicate)
    message: str = ""  # a substring of its Chinese reason


def make_bad_folder(outdir) -> tuple[Path, list[Entry]]:
    """Write a folder of township reports with every odd entry a Linux disk can hold; returns the
    folder and the expected entries. The township 甲镇 is sent three times under names that are
    one unit (invisible characters, no county prefix): it must be summed once."""
    import socket
    root = Path(outdir) / "bad-folder"
    root.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []

    def report(unit, seed, date=""):
        rep = random_report(random.Random(seed), "2021", year=2024, busy=0.5, unit=unit)
        if date:
            rep.extra["date"] = date
        return rep

    (root / "01-甲镇.json").write_text(report("示范县甲镇人民政府", 1, "2025-01-05").dumps(), encoding="utf-8")
    (root / "02-甲镇-重发.json").write_text(report("\ufeff示范县甲镇人民政府\u200b", 2, "2025-01-09").dumps(), encoding="utf-8")
    (root / "03-甲镇-无县名.json").write_text(report("甲镇人民政府", 3, "2025-01-20").dumps(), encoding="utf-8")
    entries += [Entry("01-甲镇.json", "duplicate", "同一单位"), Entry("02-甲镇-重发.json", "duplicate", "同一单位"),
                Entry("03-甲镇-无县名.json", "summed")]
    # a name in GBK bytes (a Windows zip unpacked on Linux)
    gbk = os.path.join(os.fsencode(root), "04-乙乡.json".encode("gbk"))
    with open(gbk, "wb") as f:
        f.write(report("示范县乙乡人民政府", 4).dumps().encode("utf-8"))
    entries.append(Entry("04-乙乡.json", "summed"))
    # a huge but self-consistent number
    huge = report("示范县丙镇人民政府", 5)
    huge.values = {c: (10 ** 13 if c == "t3.new.natural" else v) for c, v in huge.values.items()}
    (root / "05-丙镇.json").write_text(huge.dumps(), encoding="utf-8")
    entries.append(Entry("05-丙镇.json", "excluded", "数值过大"))
    # a duplicate "unit" key: refused, not given to another township
    dup = report("示范县丁镇人民政府", 6).dumps().replace('"unit": ', '"unit": "示范县戊镇人民政府", "unit": ', 1)
    (root / "06-丁镇.json").write_text(dup, encoding="utf-8")
    entries.append(Entry("06-丁镇.json", "unreadable", "出现了两次"))
    # special files and links
    os.mkfifo(root / "07-管道.xlsx")
    entries.append(Entry("07-管道.xlsx", "unreadable", "命名管道"))
    os.symlink("/dev/zero", root / "08-零设备.json")
    entries.append(Entry("08-零设备.json", "unreadable", "设备文件"))
    os.symlink(root / "不存在.xlsx", root / "09-断链.xlsx")
    entries.append(Entry("09-断链.xlsx", "unreadable", "不存在"))
    sock_path = root / "10-套接字.json"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    sock.close()  # the socket file stays on disk
    entries.append(Entry("10-套接字.json", "unreadable", "套接字"))
    other = Path(outdir) / "bad-folder-elsewhere"
    other.mkdir(exist_ok=True)
    (other / "己镇.json").write_text(report("示范县己镇人民政府", 7).dumps(), encoding="utf-8")
    os.symlink(other, root / "11-链接文件夹")
    entries.append(Entry("11-链接文件夹/己镇.json", "summed"))
    os.symlink(root, other / "回到上级")  # a loop
    entries.append(Entry("11-链接文件夹/回到上级", "ignored", "已经列出"))
    os.symlink(root / "12-自环", root / "12-自环")
    entries.append(Entry("12-自环", "ignored", "循环"))
    locked = root / "13-锁住的文件夹"
    locked.mkdir()
    (locked / "庚镇.json").write_text(report("示范县庚镇人民政府", 8).dumps(), encoding="utf-8")
    if os.geteuid() != 0:  # root reads any folder: the case needs an ordinary user
        locked.chmod(0)
        entries.append(Entry("13-锁住的文件夹", "unreadable", "无法打开"))
    else:
        entries.append(Entry("13-锁住的文件夹/庚镇.json", "summed"))
    (root / "~$01-甲镇.xlsx").write_bytes(b"\x00lock")
    entries.append(Entry("~$01-甲镇.xlsx", "ignored", "锁文件"))
    (root / ".~lock.01-甲镇.xlsx#").write_text("lock", encoding="utf-8")
    entries.append(Entry(".~lock.01-甲镇.xlsx#", "ignored", "锁文件"))
    (root / "14-辛镇年报.pdf").write_bytes(b"%PDF-1.4\n")
    entries.append(Entry("14-辛镇年报.pdf", "not_report", "不是报告工作簿"))
    return root, entries


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "bad_inputs")
    corpus = build(out)
    for c in corpus.cases:
        print(f"{c.exit}  {c.name:40} {c.message or ''} {' '.join(c.codes)}")
    for s in corpus.skipped:
        print(f"skipped: {s}")
    print(f"{len(corpus.cases)} cases in {out}")


if __name__ == "__main__":
    main()
