"""Fixtures for the Excel-button tests; helpers live in xlsm_helpers.py (a unique module name)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xlsm_helpers import CLEAN, SLIP, load_build_vba, make_xlsm  # noqa: E402


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
