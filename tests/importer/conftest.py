"""Shared fixtures of the importer tests: the real corpus, and LibreOffice-made files (built once
per session in five batched LibreOffice calls; skipped when LibreOffice is absent unless
GXNB_REQUIRE_LIBREOFFICE=1)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def lo_files(tmp_path_factory):
    from lo import soffice
    soffice()  # skip (or fail under GXNB_REQUIRE_LIBREOFFICE=1) when absent
    from pdf_corpus import build, build_office
    folder = tmp_path_factory.mktemp("lo-files")
    pdfs = build(folder)
    office = build_office(folder)
    return {"pdf": pdfs, **office}
