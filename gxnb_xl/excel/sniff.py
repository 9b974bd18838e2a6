"""Is this file a workbook we may open? Decided from its bytes before any parser sees it.

The file is read once into memory (never written) and recognised by content, not by extension:
empty files, broken zips, Word/PowerPoint/PDF/HTML/CSV renamed to a spreadsheet extension,
password-encrypted workbooks and zip bombs become a ReportError with a plain Chinese reason. What
would make calamine abort the whole process rather than raise (an absurd shared-string count) is
refused here too; ``guarded`` turns calamine's own errors and Rust panics into return values.
"""
from __future__ import annotations

import io
import zlib
from pathlib import Path

from .. import lazyre
from ..errors import ReportError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms at every start)
if TYPE_CHECKING:  # annotations only: zipfile is imported where it is used
    import zipfile

MAX_FILE_BYTES = 50 * 1024 * 1024  # a filled template is ~30 KB; anything this big is not one


MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # zip bombs: refuse before any parser inflates them


MAX_RATIO = 200


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def refuse(name: str, zh: str, en: str, kind=ReportError) -> ReportError:
    return kind(f"{name}：{zh}", f"{name}: {en}")


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-le")


def sniff(path: Path) -> tuple[bytes, str, zipfile.ZipFile | None]:
    """The file's bytes, kind (ooxml | ods | xlsb | ole) and open zip, or ReportError for what is not a workbook.

    The file is read once, here; nothing else opens it (and nothing ever writes it).
    """
    import zipfile  # here: zipfile (with shutil, lzma, bz2) costs ~2 ms at start-up; the fast path never needs it
    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
        if size > MAX_FILE_BYTES:
            raise refuse(name, f"文件过大（{size // 1024 // 1024} MB），不像是填报模板，已拒绝读取",
                       f"file too large ({size // 1024 // 1024} MB) for a filled template; refused")
        data = path.read_bytes()
    except FileNotFoundError:
        raise refuse(name, "文件不存在", "no such file") from None
    except IsADirectoryError:
        raise refuse(name, "是文件夹，不是工作簿", "is a folder, not a workbook") from None
    except OSError as exc:
        raise refuse(name, f"无法读取（{exc.strerror}）", f"cannot be read ({exc.strerror})") from None
    if not data:
        raise refuse(name, "文件为空（0 字节），可能没有保存成功，请重新导出", "the file is empty (0 bytes)")
    head = data[:8]
    if head.startswith(b"PK"):
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            infos = z.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            raise refuse(name, "文件已损坏（压缩包结构不完整），无法打开，请重新保存后报送",
                       "the file is corrupt (broken zip structure); save it again") from None
        if total > MAX_UNZIPPED_BYTES or total / packed > MAX_RATIO:
            raise refuse(name, "文件解压后异常巨大（疑似压缩炸弹），已拒绝读取",
                       "the file inflates to an absurd size (zip bomb?); refused")
        if "word/document.xml" in names:
            raise refuse(name, "这是 Word 文档（被改成了表格扩展名），不是填报工作簿",
                       "this is a Word document renamed to a spreadsheet extension, not a workbook")
        if "ppt/presentation.xml" in names:
            raise refuse(name, "这是 PowerPoint 文件，不是填报工作簿", "this is a PowerPoint file, not a workbook")
        if "xl/workbook.xml" in names:
            _check_shared_strings(z, name)
            return data, "ooxml", z
        if "xl/workbook.bin" in names:
            return data, "xlsb", None
        if "content.xml" in names:
            return data, "ods", None
        raise refuse(name, "这是一个压缩包，但不是 Excel/WPS 工作簿", "a zip archive but not a spreadsheet")
    if head == OLE_MAGIC:
        if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
            # an OOXML file inside an OLE container is an encrypted (password-to-open) workbook
            raise refuse(name, "工作簿设置了打开密码（已加密），无法读取；请取消打开密码后重新报送",
                       "the workbook is password-encrypted; remove the open password and send it again")
        if _utf16("WordDocument") in data:
            raise refuse(name, "这是旧版 Word 文档（.doc），不是填报工作簿", "this is a Word .doc document, not a workbook")
        if _utf16("PowerPoint Document") in data:
            raise refuse(name, "这是 PowerPoint 文件，不是填报工作簿", "this is a PowerPoint file, not a workbook")
        return data, "ole", None
    if head.startswith(b"%PDF"):
        raise refuse(name, "这是 PDF 文件，不是填报工作簿；请报送 Excel/WPS 表格", "this is a PDF, not a workbook")
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<head")) or b"<html" in start[:512]:
        raise refuse(name, "这是网页（HTML）文件，只是扩展名为表格（常见于系统“导出 Excel”）；请在 Excel/WPS 中打开后另存为 .xlsx",
                   "this is a web page (HTML) with a spreadsheet extension; open it in Excel/WPS and save as .xlsx")
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        raise refuse(name, "这是 Excel 2003 XML 表格格式，请在 Excel/WPS 中另存为 .xlsx 后报送",
                   "this is an Excel 2003 XML spreadsheet; save it as .xlsx")
    if b"\0" not in data[:4096] and _decodes(data[:4096]):
        raise refuse(name, "不是 Excel/WPS 工作簿（这是纯文本文件，可能是改了扩展名的 CSV/TXT 文件）",
                   "not a spreadsheet (plain text, perhaps a renamed CSV/TXT file)")
    raise refuse(name, "不是 Excel/WPS 工作簿（文件内容无法识别）", "not a spreadsheet (unrecognised content)")


_UNIQUE_COUNT = lazyre.compile(rb"<(?:\w+:)?sst\b[^>]*?\suniqueCount\s*=\s*[\"']\s*(\d+)")


def _check_shared_strings(z: zipfile.ZipFile, name: str) -> None:
    """calamine reserves memory for the declared number of shared strings before reading them: a
    corrupt count (billions) aborts the whole process. No real table declares more strings than bytes."""
    import zipfile
    try:
        info = z.getinfo("xl/sharedStrings.xml")
        with z.open(info) as f:
            head = f.read(4096)
    except KeyError:
        return
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        raise refuse(name, "文件已损坏（压缩包内容无法解压），无法打开，请重新保存后报送",
                   "the file is corrupt (a part cannot be decompressed); save it again") from None
    m = _UNIQUE_COUNT.search(head)
    if m and int(m.group(1)) > max(info.file_size, 1024):
        raise refuse(name, "文件已损坏（共享字符串表的计数异常），无法打开，请在 Excel/WPS 中重新保存后报送",
                   "the file is corrupt (absurd shared-string count); save it again")


def _decodes(chunk: bytes) -> bool:
    for enc in ("utf-8", "gb18030"):
        try:
            chunk.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False


def guarded(fn, *args, **kwargs):
    """Call into calamine; its Rust panics arrive as BaseException (pyo3 PanicException)."""
    try:
        return fn(*args, **kwargs), None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own types, panics included
        return None, exc
