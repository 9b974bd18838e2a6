"""LibreOffice headless for tests: find it (or skip), convert files in one batch.

``soffice()`` returns the binary, or skips the test when LibreOffice is absent — unless
``GXNB_REQUIRE_LIBREOFFICE=1`` (CI), where a missing LibreOffice fails the test instead.

``convert(src, fmt, outdir)`` runs one ``soffice --convert-to`` over one file or a list of files
(batch them: each call costs a LibreOffice start). It uses a fresh throw-away profile whose
settings force formula recalculation on load (``OOXMLRecalcMode``/``ODFRecalcMode`` = always),
so cached values in the input never leak into the output, and ``FONTCONFIG_FILE`` pointing at
the package's ``resources/fonts.conf`` (Windows Chinese font names → Noto CJK / AR PL UKai).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

FONTS_CONF = Path(__file__).resolve().parents[1] / "gxnb_xl" / "resources" / "fonts.conf"

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    """Path of the LibreOffice binary; skip (or fail under GXNB_REQUIRE_LIBREOFFICE=1) when absent."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("GXNB_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail("LibreOffice (soffice) is required (GXNB_REQUIRE_LIBREOFFICE=1) but not installed")
    pytest.skip("LibreOffice (soffice) not installed")


def lo_env() -> dict:
    env = dict(os.environ)
    if FONTS_CONF.exists():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    env.setdefault("HOME", tempfile.gettempdir())
    return env


def convert(src, fmt: str, outdir, timeout: int = 180) -> list[Path]:
    """Convert one file or a list of files to ``fmt`` (e.g. ``xlsx``, ``pdf``) into ``outdir``.

    Returns the output paths in the order of the inputs. Raises AssertionError (with LibreOffice's
    output) when a file was not produced.
    """
    binary = soffice()
    sources = [Path(s) for s in (src if isinstance(src, (list, tuple)) else [src])]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    try:
        proc = subprocess.run(
            [binary, "--headless", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation={profile.as_uri()}", "--convert-to", fmt, "--outdir", str(outdir),
             *map(str, sources)],
            capture_output=True, text=True, timeout=timeout, env=lo_env())
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    outs = [outdir / f"{s.stem}.{ext}" for s in sources]
    missing = [o for o in outs if not o.exists()]
    assert not missing, f"LibreOffice did not produce {missing}: {proc.stdout}\n{proc.stderr}"
    return outs
