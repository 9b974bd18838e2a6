"""Word 97–2003 (.doc), WPS (.wps) and RTF files, through LibreOffice headless → .docx.

The conversion runs in a private temporary profile and folder (never next to the user's file,
which is only read), with a time limit; the .docx it writes is read like any other.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ReportError

TIMEOUT = 120  # seconds for one conversion


def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def doc_to_docx(path: Path, data: bytes) -> bytes:
    name = path.name
    exe = soffice()
    if exe is None:
        raise ReportError(f"{name}：读取旧版 Word（.doc）需要安装 LibreOffice；也可在 Word/WPS 中另存为 .docx 后再导入",
                          f"{name}: reading an old Word file (.doc) needs LibreOffice; or save it as .docx in Word/WPS")
    with tempfile.TemporaryDirectory(prefix="gxnb-doc-") as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / ("input" + (path.suffix.lower() or ".doc"))
        src.write_bytes(data)
        profile = (tmp_path / "profile").as_uri()
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"), str(src)]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT,
                           env={**os.environ, "HOME": tmp}, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"{name}：LibreOffice 转换超时（{TIMEOUT} 秒），文件可能已损坏",
                              f"{name}: LibreOffice conversion timed out ({TIMEOUT} s); the file may be damaged") from None
        except OSError as exc:
            raise ReportError(f"{name}：无法启动 LibreOffice（{exc.strerror}）",
                              f"{name}: cannot start LibreOffice ({exc.strerror})") from None
        out = tmp_path / "out" / "input.docx"
        if not out.exists() or out.stat().st_size == 0:
            raise ReportError(f"{name}：LibreOffice 无法打开此文件，可能不是 Word 文档或已损坏",
                              f"{name}: LibreOffice cannot open this file; not a Word document, or damaged")
        return out.read_bytes()
