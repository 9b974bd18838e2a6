"""What a listed file is, before reading it: its name as people read it, and whether it is a
county summary this tool wrote (never summed again)."""
from __future__ import annotations

import os
import re
from pathlib import Path

SUMMARY_SHEET = "汇总情况"


def display(path: str | os.PathLike) -> str:
    """A path as people read it: bytes that are not UTF-8 (GBK names from a Windows zip) decoded
    as GB18030, anything else undecodable replaced — never a string that cannot be printed."""
    s = os.fspath(path)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        raw = os.fsencode(s)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


_SEEN: dict[bytes, bool] = {}  # xl/workbook.xml → has a 汇总情况 sheet


def has_summary_sheet(path: str | os.PathLike) -> bool:
    """True when the workbook has a 汇总情况 sheet: a county summary this tool wrote. Never raises.

    An .xlsx/.xlsm is a zip whose xl/workbook.xml names the sheets (read without opening the
    sheets); other workbook kinds are asked through calamine."""
    import zipfile

    from ..excel.fastpath import member
    xml = member(path, "xl/workbook.xml")  # the reader's own zip parse: the file is read once for both
    if xml is not None and len(xml) <= 5 * 1024 * 1024:
        known = _SEEN.get(xml)  # files of one template share this part: its sheet names are read once
        if known is None:
            names = re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', xml.decode("utf-8", "replace"))
            known = SUMMARY_SHEET in {n.replace("&amp;", "&") for n in names}
            if len(_SEEN) >= 64:
                _SEEN.clear()
            _SEEN[xml] = known
        return known
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > 5 * 1024 * 1024:
                return False
            xml = z.read(info).decode("utf-8", "replace")
        names = re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', xml)
        return SUMMARY_SHEET in {n.replace("&amp;", "&") for n in names}
    except (zipfile.BadZipFile, KeyError):
        pass
    except Exception:  # noqa: BLE001 - unreadable: the reader says why
        return False
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return False
    try:
        from python_calamine import CalamineWorkbook
        return SUMMARY_SHEET in CalamineWorkbook.from_path(os.fspath(path)).sheet_names
    except Exception:  # noqa: BLE001
        return False
