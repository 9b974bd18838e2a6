"""The single-pass reader (excel/fastpath.py) returns exactly what the full reader returns, or declines.

Every workbook the test-suite generates goes through both readers: the bad-input corpus
(scripts/make_bad_inputs.py, LibreOffice-saved files included when LibreOffice is present), the
fuzz mutations of tests/excel/test_fuzz_reader.py, and filled templates with the contents clerks
type (blanks, text numbers, decimals, negative counts, narratives with markup characters). For each
file: the fast path declines (None), or the full reader gives an equal ``Loaded`` — values (with
their types), problems, addresses, notes' codes and parameters, cover, narrative, template — or the
full reader refuses the file and the fast path must have declined.
"""
from __future__ import annotations

import io
import random
import shutil
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gxnb_xl.excel import fastpath, reader
from gxnb_xl.excel.template import build_workbook_bytes, write_workbook
from gxnb_xl.report import ReportError
from gxnb_xl.testing.synth import random_report

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_bad_inputs  # noqa: E402
from test_fuzz_reader import MEMBERS, SETTINGS, TEMPLATE, _mutate, _op  # noqa: E402


def full_read(path: Path):
    """The full reader alone (its one call into the fast path answered with None)."""
    saved = fastpath.read_fast
    fastpath.read_fast = lambda *args: None
    try:
        return reader.read_workbook(path)
    finally:
        fastpath.read_fast = saved


def _typed(values: dict) -> dict:
    return {k: (type(v).__name__, v) for k, v in values.items()}


def _finding(f) -> tuple:
    return f.code, f.severity, f.key, repr(sorted(f.params.items()))


def _problem(p) -> tuple:
    return p.cell, type(p.raw).__name__, p.raw, p.problem, p.address


SHARED = (reader._cover_and_narrative, reader._read_value)  # what the reader hands the fast path


def read_fast(path: Path):
    return fastpath.read_fast(path, SHARED)


def same_or_declined(path: Path) -> str:
    """'declined', 'same' (asserted) — or the fast path read a file the full reader refuses: fail."""
    fast = read_fast(path)
    if fast is None:
        return "declined"
    try:
        full = full_read(path)
    except ReportError as exc:
        pytest.fail(f"{path.name}: the fast path read a file the full reader refuses ({exc.message('en')})")
    a, b = fast.report, full.report
    assert (a.format, a.unit, a.year, a.level) == (b.format, b.unit, b.year, b.level), path.name
    assert _typed(a.values) == _typed(b.values), path.name
    assert list(a.values) == list(b.values), path.name
    assert [_problem(p) for p in a.problems] == [_problem(p) for p in b.problems], path.name
    assert a.narrative == b.narrative and a.extra == b.extra, path.name
    assert fast.addresses == full.addresses, path.name
    assert [_finding(f) for f in fast.notes] == [_finding(f) for f in full.notes], path.name
    assert (fast.kind, fast.computed, fast.template, fast.path) == (full.kind, full.computed, full.template, full.path)
    return "same"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    return make_bad_inputs.make_corpus(tmp_path_factory.mktemp("fast_corpus"), soffice=binary)


def test_bad_input_corpus(corpus):
    outcomes = {}
    for case in corpus:
        if case.path.is_file():
            outcomes[case.name] = same_or_declined(case.path)
    assert outcomes["00-good.xlsx"] == "same"  # the untouched template is what the fast path is for
    assert list(outcomes.values()).count("same") >= 5, outcomes


def _filled(tmp_path: Path, name: str, report, edit=None) -> Path:
    data = build_workbook_bytes(report.format, report)
    if edit is not None:
        data = edit(data)
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_what_clerks_type(tmp_path):
    """Filled templates whose cells hold what clerks type: all read the same by both readers."""
    outcomes = []
    for seed, fmt in [(1, "2021"), (2, "2021"), (3, "2019"), (4, "2019")]:
        rep = random_report(random.Random(seed), fmt, year=2024 if fmt == "2021" else 2020, busy=0.6)
        rep.unit = f"  测试&镇<{seed}>人民政府 "
        rep.narrative = {"overview": "第一行\n第二行 & <b>粗体</b> ‘引号’ \"双引号\"", "other_matters": "  前后空格  "}
        rep.extra = {"contact": "张三", "phone": "0931-1234567", "date": "2025年1月15日"}
        inputs = [c for c in rep.spec.input_cells]
        rng = random.Random(seed)
        for c in rng.sample(inputs, 8):
            rep.values[c] = None  # blanks
        amounts = [c for c in inputs if rep.spec.cells[c].type == "amount"]
        for c in amounts[:2]:
            rep.values[c] = Decimal("12.3456789")
        outcomes.append(same_or_declined(_filled(tmp_path, f"typed-{seed}.xlsx", rep)))
        # a slip and a county-sized number
        rep.values[inputs[0]] = 1_234_567
        outcomes.append(same_or_declined(_filled(tmp_path, f"big-{seed}.xlsx", rep)))
    assert outcomes.count("same") >= 6, outcomes


def test_text_in_input_cells(tmp_path):
    """Text numbers, full-width digits, units, junk and formulas typed into input cells."""
    rep = make_bad_inputs.base_report()
    spec = rep.spec
    from gxnb_xl.excel.layout import layout_of
    lay = layout_of(spec)
    inputs = [c for c in spec.input_cells if spec.cells[c].type == "count"]
    good = build_workbook_bytes("2021", rep)
    variants = {"text": "12", "fullwidth": "１２", "unit": "4件", "junk": "见附件", "negative": -3, "fraction": 2.5,
                "space": " ", "ampersand": "A&B"}
    outcomes = {}
    for i, (name, value) in enumerate(variants.items()):
        sheet, addr = lay.cells[inputs[i * 3]]
        data = make_bad_inputs.set_cells(good, {(sheet, addr): value})
        path = tmp_path / f"cell-{name}.xlsx"
        path.write_bytes(data)
        outcomes[name] = same_or_declined(path)
    # typed numbers are read fast; text written as inline strings goes the full way (declined)
    assert outcomes["negative"] == outcomes["fraction"] == "same", outcomes
    # the same contents saved by openpyxl (shared strings, its own styles): same, or declined
    for name, value in variants.items():
        sheet, addr = lay.cells[inputs[0]]

        def fill(wb, sheet=sheet, addr=addr, value=value):
            wb[sheet][addr] = value
        path = tmp_path / f"openpyxl-{name}.xlsx"
        path.write_bytes(make_bad_inputs.with_openpyxl(good, fill))
        same_or_declined(path)


def test_written_workbooks_share_recipes(tmp_path):
    """Two files of one template: the second reuses the first's recipes and still reads the same."""
    for seed in (5, 6):
        rep = random_report(random.Random(seed), "2021", year=2024, busy=0.5)
        path = write_workbook(tmp_path / f"w{seed}.xlsx", "2021", report=rep)
        assert same_or_declined(path) == "same"
        assert read_fast(path).report.values == full_read(path).report.values


@settings(**{**SETTINGS, "max_examples": max(SETTINGS["max_examples"] // 2, 20)})
@given(ops=st.lists(_op, min_size=1, max_size=6))
def test_byte_mutations(ops, tmp_path_factory):
    path = tmp_path_factory.mktemp("fastbytes", numbered=True) / "bytes.xlsx"
    path.write_bytes(_mutate(TEMPLATE, ops))
    same_or_declined(path)


@settings(**{**SETTINGS, "max_examples": max(SETTINGS["max_examples"], 40)})
@given(member=st.sampled_from(MEMBERS), ops=st.lists(_op, min_size=1, max_size=6))
def test_xml_mutations(member, ops, tmp_path_factory):
    src = zipfile.ZipFile(io.BytesIO(TEMPLATE))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            dst.writestr(info.filename, _mutate(raw, ops) if info.filename == member else raw)
    path = tmp_path_factory.mktemp("fastxml", numbered=True) / "xml.xlsx"
    path.write_bytes(out.getvalue())
    same_or_declined(path)


def test_fuzz_template_is_read_fast(tmp_path):
    path = tmp_path / "clean.xlsx"
    path.write_bytes(TEMPLATE)
    assert same_or_declined(path) == "same"
