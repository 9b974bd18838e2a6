"""Shared fixtures of the importer tests: the real corpus, and LibreOffice-made files (built once
per session in four batched LibreOffice calls; skipped when LibreOffice is absent unless
GXNB_REQUIRE_LIBREOFFICE=1)."""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


def score(got_values: dict, truth: dict) -> tuple[int, list, int]:
    """(right, wrong [(cell, got, truth)], blank) of imported values against a truth record."""
    right, wrong, blank = 0, [], 0
    for cid, want in truth["values"].items():
        got = got_values.get(cid)
        if got is None:
            blank += 1
        elif Decimal(str(got)) == Decimal(str(want)):
            right += 1
        else:
            wrong.append((cid, got, want))
    for cid in truth.get("undetermined", ()):
        if got_values.get(cid) is not None:
            wrong.append((cid, got_values[cid], "undetermined"))
    return right, wrong, blank


@pytest.fixture(scope="session")
def lo_files(tmp_path_factory):
    from lo import soffice
    soffice()  # skip (or fail under GXNB_REQUIRE_LIBREOFFICE=1) when absent
    from pdf_corpus import build, build_office
    folder = tmp_path_factory.mktemp("lo-files")
    pdfs = build(folder)
    office = build_office(folder)
    return {"pdf": pdfs, **office}
