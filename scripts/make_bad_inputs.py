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
from gxnb_xl.synth import random_report


@dataclass
class Case:
    name: str
    path: Path
    exit: int  # expected exit code of `gxnb check`
    message: str = ""  # a substring of the expected Chinese output
    codes: tuple[str, ...] = ()  # rule ids or cell-problem codes expected among the findings
    note: str = ""
    command: str = "check"  # the gxnb command the expectation is about (check, or export)


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

    def add(name, data: bytes | None, exit_code, message="", codes=(), note="", command="check"):
        p = out / name
        if data is not None:
            p.write_bytes(data)
        cases.append(Case(name, p, exit_code, message, tuple(codes), note, command))
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
    add("~$09-lock-file.xlsx", lock, 2, "临时锁文件")
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
