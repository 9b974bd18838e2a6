"""The Python side of the Excel buttons 校验 / 生成Word / 导出JSON (optional, needs xlwings).

The VBA macros in ``macros/gxnb.bas`` save the workbook and call, through xlwings' open-source
``RunPython``::

    import gxnb_xl.excel_buttons as gxnb_buttons; gxnb_buttons.check()    # 校验
    ...                                           gxnb_buttons.render()   # 生成Word
    ...                                           gxnb_buttons.export()   # 导出JSON

Those three entry points are the only place xlwings is imported (lazily: the core package never
imports it). Each gets the calling workbook with ``xlwings.Book.caller()`` and hands it to
``check_book`` / ``render_book`` / ``export_book``, which take any object shaped like an xlwings
Book (``book.fullname``, ``book.sheets[name].range("A1").value``/``.color``,
``book.sheets.add(name, after=…)``, ``book.app.alert(…)``) — so tests drive them with a small
stand-in that records what would be written.

They are thin: the work is ``checking.check_file`` on the saved file (the same result as
``gxnb check``), ``Report.save`` (``gxnb export``) and ``word.render_report`` (``gxnb render``).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .excel.layout import col_letter
from .messages import label
from .record import field, record

REVIEW_SHEET = "审核报告"
# (caption, macro) for the cover sheet; the macro names are Subs in macros/gxnb.bas
BUTTONS = (("校验", "GxnbCheck"), ("生成Word", "GxnbRender"), ("导出JSON", "GxnbExport"))

SUSPECT_FILL = (255, 199, 206)  # the cell most likely wrong: light red
INVOLVED_FILL = (255, 235, 156)  # the other cells of a failed relation: light yellow
REVIEW_HEADER = ("序号", "级别", "规则", "位置", "说明", "最可能填错的单元格", "建议值")
MARK_COLUMN = 9  # column J of the review sheet lists the cells we coloured, to restore them next time
MARK_HEADER = "已标色的单元格（再次校验时恢复原底色，请勿修改）"


def vba_project_path() -> Path:
    """The vbaProject.bin that ``gxnb template --xlsm`` embeds (built from macros/ by scripts/build_vba.py)."""
    return Path(__file__).resolve().parent / "resources" / "vbaProject.bin"


class ButtonError(Exception):
    """A button cannot do its job (workbook never saved, output file locked …); message in Chinese."""


@record
class Outcome:
    """What a button did: a message for the clerk and the files it wrote."""

    message: str
    ok: bool = True
    files: list[Path] = field(default_factory=list)
    result: object = None  # the FileResult / Report behind it


# ── helpers ──────────────────────────────────────────────────────────────────────────────
def _saved_path(book) -> Path:
    path = Path(book.fullname)  # an unsaved book is just "工作簿1": no such file
    if not path.is_file():
        raise ButtonError("请先保存工作簿（另存为“启用宏的工作簿 .xlsm”），再按按钮。")
    return path


def _sheet(book, name):
    try:
        return book.sheets[name]
    except Exception:  # noqa: BLE001 - KeyError here, a COM/AppleScript error in xlwings
        return None


def _split(address: str) -> tuple[str, str]:
    sheet, _, a1 = address.rpartition("!")
    return sheet.strip("'"), a1


def review_rows(file_result) -> list[list[str]]:
    """The 审核报告 table for one checked file: header, then one row per finding a clerk must see."""
    rows = [list(REVIEW_HEADER)]
    if file_result.result is None:
        rows.append(["1", "错误", "", "", f"无法读取：{file_result.error_text()}", "", ""])
        return rows
    shown = [f for f in file_result.result.findings if not (f.status == "indeterminate" and f.rule != "R0")]
    for i, f in enumerate(shown, 1):
        where = "、".join(f.addresses[c] for c in f.cells if f.addresses.get(c))
        suspects = [s for s in f.suspects if s.address or f.addresses.get(s.cell)]
        sus = "、".join((s.address or f.addresses.get(s.cell)) + ("（并列）" if s.tied else "") for s in suspects)
        sug = "、".join("" if s.suggested is None else str(s.to_dict()["suggested"]) for s in suspects)
        rows.append([str(i), label("severity", f.severity), f.instance, where, f.text(), sus, sug])
    hidden = len(file_result.result.findings) - len(shown)
    if not shown:
        rows.append(["", "", "", "", "全部勾稽关系正确。", "", ""])
    if hidden:
        rows.append(["", "", "", "", f"另有 {hidden} 条关系因单元格未填写而无法核对。", "", ""])
    return rows


def _marks(file_result) -> dict[str, tuple]:
    """address → fill for the cells to colour: suspects red, other cells of failed relations yellow."""
    marks: dict[str, tuple] = {}
    if file_result.result is None:
        return marks
    for f in file_result.result.findings:
        if not (f.severity == "error" and f.status == "fail"):
            continue
        for s in f.suspects:
            addr = s.address or f.addresses.get(s.cell)
            if addr:
                marks[addr] = SUSPECT_FILL
        for c in f.cells:
            addr = f.addresses.get(c)
            if addr and addr not in marks:
                marks[addr] = INVOLVED_FILL
    return marks


def _restore_marks(book, review) -> None:
    """Give back the original fill of the cells the previous check coloured."""
    col = col_letter(MARK_COLUMN)
    values = review.range(f"{col}2:{col_letter(MARK_COLUMN + 1)}2000").value or []
    for row in values:
        if not row or not row[0]:
            continue
        address, colour = row[0], row[1]
        sheet_name, a1 = _split(str(address))
        sheet = _sheet(book, sheet_name)
        if sheet is None:
            continue
        try:
            sheet.range(a1).color = _parse_colour(colour)
        except Exception:  # noqa: BLE001 - a protected sheet: nothing to restore there
            pass


def _parse_colour(text):
    text = str(text or "").strip()
    if not text.startswith("#") or len(text) != 7:
        return None  # "无": the cell had no fill
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


def _format_colour(colour) -> str:
    # "#RRGGBB", never "255,255,255": Excel would read that as the number 255255255
    return "无" if colour is None else "#" + "".join(f"{int(x):02X}" for x in colour)


# ── the three buttons, on an xlwings-like Book ───────────────────────────────────────────
def check_book(book, lang: str = "zh") -> Outcome:
    """校验: check the saved workbook file, write 审核报告, colour the cells of failed relations."""
    from .check.pipeline import check_file

    path = _saved_path(book)
    result = check_file(str(path))
    review = _sheet(book, REVIEW_SHEET)
    if review is None:
        last = book.sheets[len(book.sheets) - 1] if len(book.sheets) else None
        review = book.sheets.add(REVIEW_SHEET, after=last) if last is not None else book.sheets.add(REVIEW_SHEET)
    else:
        _restore_marks(book, review)
        review.clear_contents()
    rows = review_rows(result)
    review.range("A1").value = rows

    marks = _marks(result)
    locked: set[str] = set()
    record = [[MARK_HEADER, "原底色"]]
    for address, fill in marks.items():
        sheet_name, a1 = _split(address)
        sheet = _sheet(book, sheet_name)
        if sheet is None:
            continue
        try:
            rng = sheet.range(a1)
            before = rng.color
            rng.color = fill
        except Exception:  # noqa: BLE001 - protected with a password: say so instead of failing
            locked.add(sheet_name)
            continue
        record.append([address, _format_colour(before)])
    review.range(f"{col_letter(MARK_COLUMN)}1").value = record

    if result.result is None:
        return Outcome(f"无法校验：{result.error_text(lang)}", ok=False, result=result)
    errors = sum(f.is_error for f in result.result.findings)
    warnings = sum(f.severity == "warning" for f in result.result.findings)
    if errors or warnings:
        msg = f"校验完成：{errors} 个错误，{warnings} 个提示。详见“{REVIEW_SHEET}”工作表；最可能填错的单元格已标为红色。"
    else:
        msg = "校验完成：全部勾稽关系正确。"
    if locked:
        msg += f"\n（{'、'.join(sorted(locked))} 设有保护密码，未能标色。）"
    return Outcome(msg, ok=not errors, result=result)


def export_book(book, lang: str = "zh") -> Outcome:
    """导出JSON: the report JSON (REPORT-JSON.md) next to the workbook, same as ``gxnb export``."""
    from .check import check
    from .report import ReportError

    path = _saved_path(book)
    try:
        result = check(path)  # the same door as `gxnb export`: effective values, totals recomputed
    except ReportError as exc:
        return Outcome(f"无法导出：{exc.message(lang)}", ok=False)
    out = path.with_suffix(".json")
    try:
        result.report.save(out)
    except PermissionError:
        raise ButtonError(f"无法写入 {out.name}（文件可能正被其他程序打开）。") from None
    return Outcome(f"已导出：{out}", files=[out], result=result.report)


def render_book(book, lang: str = "zh", *, force: bool = False, open_file=None) -> Outcome:
    """生成Word: the Word report next to the workbook (as ``gxnb render``), then open it.

    Refuses a report with errors unless ``force`` (the document is then marked 未通过校验).
    """
    from .check import check
    from .errors import GxnbError
    from .report import ReportError
    try:
        from .word import render_report
    except ImportError:
        return Outcome("此版本尚不包含生成 Word 的功能，请升级 gxnb-xl。", ok=False)

    path = _saved_path(book)
    try:
        result = check(path)
    except ReportError as exc:
        return Outcome(f"无法生成：{exc.message(lang)}", ok=False)
    out = _free_name(path.with_suffix(".docx"))  # a second click never writes over a polished document
    try:
        done = render_report(result.loaded, out, force=force, draft=force, result=result)
    except GxnbError as exc:  # refused (errors, placeholders), unusable template or output
        return Outcome(f"未生成 Word：{exc.message(lang)}", ok=False, result=result)
    except PermissionError:
        raise ButtonError(f"无法写入 {out.name}：请先在 Word 中关闭它，再按一次按钮。") from None
    msg = f"已生成：{done.docx}"
    if done.drafted:
        msg += "\n提示：正文有空缺部分，已按表格数据草拟（文中以底色标出），请核对。"
    if not done.passed:
        msg += "\n注意：报告有错误，文档每页页眉和正文开头标注“未通过校验”，不得发布。"
    (open_file or open_document)(done.docx)
    return Outcome(msg, ok=done.passed, files=[done.docx], result=result)


def _free_name(path: Path, most: int = 99) -> Path:
    """``城关镇.docx``, else ``城关镇(2).docx`` …: the first name not taken (bounded)."""
    if not path.exists():
        return path
    for i in range(2, most + 1):
        candidate = path.with_name(f"{path.stem}({i}){path.suffix}")
        if not candidate.exists():
            return candidate
    raise ButtonError(f"{path.parent} 中已有 {most} 份 {path.stem} 的 Word 报告，请先整理后再生成。")


def open_document(path: Path) -> None:
    """Open a file with its default program (Word), on the clerk's Windows or macOS machine."""
    if sys.platform.startswith("win"):
        os.startfile(str(path))  # type: ignore[attr-defined]  # noqa: S606
    elif sys.platform == "darwin":
        subprocess.Popen(["open", str(path)])  # noqa: S603,S607
    else:
        subprocess.Popen(["xdg-open", str(path)])  # noqa: S603,S607


# ── RunPython entry points (Microsoft Excel only) ────────────────────────────────────────
def _caller():
    import xlwings as xw  # only here: the optional [excel] extra
    return xw.Book.caller()


TITLE = "gxnb 政府信息公开年报"


def _run(action, book=None):
    book = book if book is not None else _caller()
    try:
        outcome = action(book)
    except ButtonError as exc:
        book.app.alert(str(exc), title=TITLE, mode="critical")
        return None
    except Exception as exc:  # noqa: BLE001 - a bug: a readable box instead of a bare traceback
        import traceback
        tail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
        book.app.alert(f"出现意外错误，请把以下信息发给技术支持：\n{tail}", title=TITLE, mode="critical")
        return None
    if outcome is not None:
        book.app.alert(outcome.message, title=TITLE, mode="info" if outcome.ok else "critical")
    return outcome


def check(book=None):
    """RunPython entry point of the 校验 button."""
    return _run(check_book, book)


def export(book=None):
    """RunPython entry point of the 导出JSON button."""
    return _run(export_book, book)


def render(book=None):
    """RunPython entry point of the 生成Word button; asks before rendering a report with errors."""
    return _run(_render_asking, book)


def _render_asking(book):
    from .check.pipeline import check_file
    result = check_file(str(_saved_path(book)))
    errors = sum(f.is_error for f in result.result.findings) if result.result is not None else 0
    if errors:
        answer = book.app.alert(f"报告还有 {errors} 个错误（请先按“校验”查看）。仍要生成 Word 吗？",
                                title=TITLE, buttons="yes_no", mode="critical")
        if answer != "yes":
            return None
    return render_book(book, force=bool(errors))
