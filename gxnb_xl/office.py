"""LibreOffice headless, for converting rendered documents (docx → pdf) — optional at run time.

``find_soffice()`` looks on PATH and in the usual install folders; ``convert(src, fmt, outdir)``
runs one conversion with a private, throw-away profile (so it works while the user has
LibreOffice open, and never touches their settings) and, on Linux, the package's fontconfig
alias file so 仿宋_GB2312 / 方正小标宋简体 / 黑体 / 楷体_GB2312 fall back to Noto CJK / AR PL UKai
instead of a Latin font. A missing LibreOffice raises ``OfficeError`` with a Chinese message.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
)


class OfficeError(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


def find_soffice() -> str | None:
    env = os.environ.get("GXNB_SOFFICE")
    if env and Path(env).exists():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for c in _CANDIDATES:
        if Path(c).exists():
            return c
    return None


def fonts_conf() -> Path | None:
    # a plain path next to this module: resources/ is data, not a package (importlib.resources
    # hands out a MultiplexedPath for it under some editable installs, which str() cannot take)
    p = Path(__file__).resolve().parent / "resources" / "fonts.conf"
    return p if p.exists() else None


def office_env() -> dict:
    env = dict(os.environ)
    conf = fonts_conf()
    if conf is not None and sys.platform.startswith("linux") and "FONTCONFIG_FILE" not in env:
        env["FONTCONFIG_FILE"] = str(conf)
    env.setdefault("HOME", tempfile.gettempdir())
    return env


def convert(src, fmt: str, outdir, *, timeout: int = 180) -> list[Path]:
    """Convert one file or a list of files (one LibreOffice start) into ``outdir``."""
    binary = find_soffice()
    if binary is None:
        raise OfficeError("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice 后重试，"
                          "或用 Word/WPS 打开 .docx 另存为 PDF。",
                          "LibreOffice (soffice) not found: cannot make the PDF. Install LibreOffice, "
                          "or open the .docx in Word/WPS and save it as PDF.")
    sources = [Path(s) for s in (src if isinstance(src, (list, tuple)) else [src])]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.gettempdir()) / f"lo-gxnb-{uuid.uuid4().hex}"
    args = [binary, "--headless", "--norestore", "--nologo", "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}", "--convert-to", fmt, "--outdir", str(outdir),
            *map(str, sources)]
    posix = os.name == "posix"
    try:
        # its own process group: soffice starts soffice.bin, and an interrupted run stops both;
        # started whole (an interruption between the fork and Popen's return would orphan it)
        from .interrupts import deferred
        proc = None
        try:
            with deferred():
                proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=office_env(), start_new_session=posix)
            stdout, stderr = proc.communicate(timeout=timeout)
        except BaseException:  # a timeout or a signal (one while it started too): it must not outlive us
            if proc is not None:
                _kill(proc, posix)
            raise
        finally:
            if proc is not None:
                with proc:  # its pipes closed; after _kill it has ended, so this never waits on it
                    pass
        proc.stdout, proc.stderr = stdout, stderr
    except subprocess.TimeoutExpired:
        raise OfficeError(f"LibreOffice 转换超时（{timeout} 秒）", f"LibreOffice timed out ({timeout} s)") from None
    except OSError as exc:
        raise OfficeError(f"无法启动 LibreOffice：{exc}", f"cannot start LibreOffice: {exc}") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    outs = [outdir / f"{s.stem}.{ext}" for s in sources]
    missing = [o.name for o in outs if not o.exists()]
    if missing:
        detail = (proc.stderr or proc.stdout or "").strip()[-400:]
        raise OfficeError(f"LibreOffice 未能生成 {'、'.join(missing)}：{detail}",
                          f"LibreOffice did not produce {', '.join(missing)}: {detail}")
    return outs


def _kill(proc, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except Exception:
        pass


def to_pdf(docx: Path, pdf: Path) -> Path:
    """Convert one document to ``pdf``, written atomically: LibreOffice works in a private folder
    under the system's temporary directory (never beside the output), the result is copied to a
    temporary file beside ``pdf`` and renamed. Interrupted (Ctrl-C, SIGTERM, SIGHUP), it leaves
    nothing behind and re-raises (``interrupts.Interrupted``)."""
    pdf = Path(pdf)
    from .interrupts import guard
    from .outputs import write_bytes_atomic
    with guard():
        tmp = Path(tempfile.mkdtemp(prefix="gxnb-pdf-"))
        try:
            staged = tmp / f"{pdf.stem}{Path(docx).suffix}"
            shutil.copyfile(docx, staged)
            (out,) = convert(staged, "pdf", tmp)
            write_bytes_atomic(pdf, out.read_bytes())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return pdf
