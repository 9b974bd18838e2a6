"""The template writer's XlsxWriter subclass (excel.template._workbook_class) writes what plain
XlsxWriter writes, with <workbookProtection/> added after <workbookPr/>: every part of the workbook
byte for byte, blank and filled, with a password, annotations and a review sheet; and every formula
it leaves unprefixed is one XlsxWriter's own prefixing leaves as it is."""
import io
import random
import re
import zipfile

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from gxnb_xl.excel import template
from gxnb_xl.excel.template import CLASSIC, build_workbook_bytes
from gxnb_xl.testing.synth import random_report


def builds():
    rep = random_report(random.Random(3), "2021", unit="示范县城关镇人民政府", year=2024)
    old = random_report(random.Random(4), "2019", unit="示范县城关镇人民政府", year=2020)
    bad = random_report(random.Random(5), "2021", unit="某镇", year=2024)
    cell = next(iter(bad.spec.input_cells))
    bad.values[cell] = -2
    return {
        "blank2021": lambda: build_workbook_bytes("2021"),
        "blank2019": lambda: build_workbook_bytes("2019"),
        "password": lambda: build_workbook_bytes("2021", password="口令abc"),
        "cover": lambda: build_workbook_bytes("2021", unit="某镇", year=2024, level="township"),
        "filled2021": lambda: build_workbook_bytes("2021", rep),
        "filled2019": lambda: build_workbook_bytes("2019", old),
        "annotated": lambda: build_workbook_bytes("2021", bad, annotations={cell: ("有误", 3)}, password="x"),
        "review": lambda: build_workbook_bytes("2021", rep, review_rows=[["a", "b", 1], ["c", 2.5, None, "d&<"], TRICKY]),
    }


# shared strings XlsxWriter escapes or marks: control characters, _xHHHH_, XML specials, rich text,
# spaces (also Unicode ones) at either end, a trailing newline
TRICKY = ["\x01a", "_x0041_", "a_x00e9_b", "<r>x</r>", "a&b", "x>y", " a", "a ", "\u3000城关镇", "镇\u00a0",
          "a\n", "a\nb", "\n", "\t", "\"quoted\"", "'", "_x12G4_", "\x1f", "\x7f", "\ufeff名"]


def parts(data: bytes) -> dict:
    z = zipfile.ZipFile(io.BytesIO(data))
    out = {}
    for name in z.namelist():
        body = z.read(name)
        if name == "docProps/core.xml":
            body = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*<", b"<T<", body)
        out[name] = body
    return out


def plain_xlsxwriter(monkeypatch, build) -> dict:
    """The same build through xlsxwriter.Workbook itself, the protection added to the saved XML."""
    made = []

    class Plain(xlsxwriter.Workbook):
        protects_while_saving = True  # the protection is added below, as the old writer did

        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(template, "_workbook_class", lambda: Plain)
    out = parts(build())
    monkeypatch.undo()
    element = made[0].protection.encode()
    assert element.startswith(b"<workbookProtection ")
    out["xl/workbook.xml"], n = re.subn(rb"(<workbookPr\b[^>]*/>)", lambda m: m.group(1) + element,
                                        out["xl/workbook.xml"], count=1)
    assert n == 1
    return out


@pytest.mark.parametrize("case", sorted(builds()))
def test_same_workbook_as_plain_xlsxwriter(case, monkeypatch):
    build = builds()[case]
    ours = parts(build())
    ref = plain_xlsxwriter(monkeypatch, build)
    assert list(ours) == list(ref)
    for name in ref:
        assert ours[name] == ref[name], name
    assert b"lockStructure=\"1\"" in ours["xl/workbook.xml"]


def test_every_formula_left_unprefixed_is_one_xlsxwriter_leaves(monkeypatch):
    sheet_class = template._workbook_class().worksheet_class
    seen = []
    original = sheet_class._prepare_formula

    def record(self, formula, expand_future_functions=False):
        seen.append((formula, expand_future_functions))
        return original(self, formula, expand_future_functions)

    monkeypatch.setattr(sheet_class, "_prepare_formula", record)
    for build in builds().values():
        build()
    monkeypatch.undo()
    assert len({f for f, _ in seen}) > 300 and any(e for _, e in seen)
    ours, theirs = sheet_class(), Worksheet()
    for formula, expand in set(seen):
        assert ours._prepare_formula(formula, expand) == theirs._prepare_formula(formula, expand), formula
    # each classic function, also right after an operator, a cell or a sheet reference
    for name in CLASSIC:
        for formula in (f"={name}(A1)", f"=A1+{name}(B2)", f"={name}('表二'!A1)*2", f"{{={name}(A1:A3)}}"):
            for expand in (False, True):
                assert ours._prepare_formula(formula, expand) == theirs._prepare_formula(formula, expand)
    # a newer function is still prefixed
    assert ours._prepare_formula("=XLOOKUP(A1,B1:B3,C1:C3)") == theirs._prepare_formula("=XLOOKUP(A1,B1:B3,C1:C3)")
    assert "_xlfn." in ours._prepare_formula("=IF(CONCAT(A1,B1)=\"\",1,0)", True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab_x0F4 \n\t\r\x00\x0b\x1f&<>\"'城\u3000\u00a0\u2028")), max_size=12),
                max_size=30))
def test_shared_strings_as_xlsxwriter_writes_them(strings):
    from xlsxwriter.sharedstrings import SharedStrings, SharedStringTable
    table = SharedStringTable()
    for text in strings + TRICKY:
        table._get_shared_string_index(text)
    table._sort_string_data()

    def xml(cls) -> str:
        sst = cls()
        sst.string_table = table
        out = io.StringIO()
        out.close = lambda: None  # read after XlsxWriter closes it
        sst._set_filehandle(out)
        sst._assemble_xml_file()
        return out.getvalue()

    assert xml(template._workbook_class().strings_class) == xml(SharedStrings)


def test_structure_protection_without_xlsxwriter_step(monkeypatch):
    """An XlsxWriter without the step the protection is written in: it is added to the saved XML."""
    build = builds()["password"]
    ours = parts(build())
    monkeypatch.setattr(template._workbook_class(), "protects_while_saving", False)
    monkeypatch.setattr(template._workbook_class(), "_write_workbook_pr", xlsxwriter.Workbook._write_workbook_pr)
    fallback = parts(build())
    assert fallback == ours
    assert b'lockStructure="1"' in fallback["xl/workbook.xml"] and b"workbookPassword=" in fallback["xl/workbook.xml"]
