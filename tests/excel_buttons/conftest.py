from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "county-2024"
SLIP = EXAMPLES / "06-清水镇.json"  # the demo township with a transposed-digit slip
CLEAN = EXAMPLES / "01-城关镇.json"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def load_build_vba():
    spec = importlib.util.spec_from_file_location("build_vba", ROOT / "scripts" / "build_vba.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reader_available() -> bool:
    return importlib.util.find_spec("gxnb_xl.excel.reader") is not None


needs_reader = pytest.mark.skipif(not reader_available(), reason="workbook reader (gxnb_xl.excel.reader) not built yet")


def make_xlsm(path: Path, data: Path | None = None) -> Path:
    from click.testing import CliRunner

    from gxnb_xl.cli import main
    args = ["template", "--xlsm", "-o", str(path)] + (["--data", str(data)] if data else [])
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return path


@pytest.fixture(scope="session")
def build_vba():
    return load_build_vba()


@pytest.fixture(scope="session")
def blank_xlsm(tmp_path_factory):
    return make_xlsm(tmp_path_factory.mktemp("blank") / "模板.xlsm")


@pytest.fixture
def slip_xlsm(tmp_path):
    return make_xlsm(tmp_path / "清水镇.xlsm", SLIP)


@pytest.fixture
def clean_xlsm(tmp_path):
    return make_xlsm(tmp_path / "城关镇.xlsm", CLEAN)
