"""Helpers for the Excel-button tests (paths, building .xlsm files, the VBA builder)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "county-2024"
SLIP = EXAMPLES / "06-清水镇.json"  # the demo township with a transposed-digit slip
CLEAN = EXAMPLES / "01-城关镇.json"


def load_build_vba():
    spec = importlib.util.spec_from_file_location("build_vba", ROOT / "scripts" / "build_vba.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reader_available() -> bool:
    return importlib.util.find_spec("gxnb_xl.excel.reader") is not None


needs_reader = pytest.mark.skipif(not reader_available(), reason="workbook reader (gxnb_xl.excel.reader) not built yet")


def make_xlsm(path: Path, data: Path | None = None) -> Path:
    from gxnb_cli import run
    args = ["template", "--xlsm", "-o", str(path)] + (["--data", str(data)] if data else [])
    res = run(*args)
    assert res.exit_code == 0, res.output
    return path


