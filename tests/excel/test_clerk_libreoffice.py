"""What a township clerk saves, as LibreOffice writes it (UNO, see conftest.py), read back truthfully.

Every scenario is one template filled and edited in LibreOffice, saved as .xlsx, .ods and .xls: each
file is readable, the defect is reported on its exact cell, and the template's own 校验 sheet, as
LibreOffice recalculated it, shows no error value and agrees with the checker.
"""
from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from gxnb_xl.check import check as check_loaded
from gxnb_xl.excel.layout import BLANK, BROKEN, CHECKS, COVER, FAIL, NA, OK, WARN, layout_of, parse_a1
from gxnb_xl.inputs import read_input

from clerk_books import FORMATS, clerk_books  # noqa: F401 - the session fixture

pytestmark = pytest.mark.libreoffice


def _problems(loaded):
    return {p.address: p for p in loaded.report.problems}


def _check_sheet(path):
    """(错误数, 未填完数, [(place, status)], cover verdict) as LibreOffice computed and saved them."""
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(CHECKS).to_python(skip_empty_area=False)
    cover = wb.get_sheet_by_name(COVER).to_python(skip_empty_area=False)
    statuses = [(r[0], r[2]) for r in rows[3:] if len(r) > 2 and r[0]]
    return rows[1][1], rows[1][3], statuses, cover[2][0]


def test_every_file_is_readable_and_the_clean_one_reads_identically(clerk_books):
    seed, cases, files = clerk_books
    for name, by_fmt in files.items():
        for fmt, path in by_fmt.items():
            loaded = read_input(path)  # a ReportError here is the exit 2 a clerk must never get
            assert loaded.report.format == "2021", (name, fmt)
    clean = [read_input(files["clean"][f]).report for f in FORMATS]
    for rep in clean:
        assert {k: v for k, v in rep.values.items() if k in seed.spec.input_cells} == \
               {k: v for k, v in seed.values.items() if k in seed.spec.input_cells}
        assert rep.narrative == seed.narrative and rep.unit == seed.unit and rep.year == seed.year
        # typed into the text-formatted cover cells: the leading zero and the date as typed
        assert rep.extra["phone"] == "09311234567" and rep.extra["date"] == "2025-01-15"
        assert not rep.problems
    assert clean[0].values == clean[1].values == clean[2].values


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_defect_is_named_on_its_cell(clerk_books, fmt):
    seed, cases, files = clerk_books

    def load(name):
        return read_input(files[name][fmt])

    for name, raw, code in (("text_number", "87", "text_number"), ("fullwidth", "９", "fullwidth"),
                            ("trailing_space", "61 ", "text_number")):
        sc = cases[name]
        p = _problems(load(name))[sc.address]
        assert p.cell == sc.cell and p.raw == raw and p.problem.code == code, (name, fmt)
        assert load(name).report.values[sc.cell] == seed.values[sc.cell]  # read by value, never dropped
    for name, code in (("blank", "blank"), ("decimal", "fraction"), ("div_zero", "error_value"),
                       ("formula_in_input", "formula_in_input"), ("deleted_row", "unlocatable")):
        sc = cases[name]
        p = _problems(load(name)).get(sc.address)
        assert p is not None and p.cell == sc.cell and p.problem.code == code, (name, fmt, _problems(load(name)))
    assert "#DIV/0!" in _problems(load("div_zero"))[cases["div_zero"].address].problem.text("zh")
    assert "3.要求提供公开出版物" in _problems(load("deleted_row"))[cases["deleted_row"].address].problem.text("zh")

    # a renamed sheet is found by its labels and read whole; the finding names both names
    renamed = load("renamed_sheet")
    assert renamed.report.values == read_input(files["clean"][fmt]).report.values
    s3 = [n for n in renamed.notes if n.rule == "S3"]
    assert s3 and s3[0].severity == "error" and "表3" in s3[0].message and "表三" in s3[0].message
    assert renamed.addresses["t3.new.natural"] == "表3!D5"

    # a total typed over: the stored total differs (D1) and the removed protection is seen in every format
    over = load("overwritten_formula")
    result = check_loaded(over)
    d1 = [f for f in result.findings if f.rule == "D1"]
    assert d1 and d1[0].addresses.get(cases["overwritten_formula"].cell) == cases["overwritten_formula"].address
    assert any(n.rule == "S6" for n in over.notes), fmt

    # a slip: one cell explains it, and the first suggestion is the value the clerk meant
    slip = check_loaded(load("slip"))
    firsts = [f.suspects[0] for f in slip.findings if f.is_error and f.suspects]
    assert firsts and all(s.address == cases["slip"].address and s.suggested == cases["slip"].true_value
                          for s in firsts)

    cover = load("cover_year")
    assert cover.report.year == seed.year - 1 and cover.report.extra["date"] == "2025-01-15"  # serial → ISO date
    t2 = [f for f in check_loaded(cover).findings if f.rule == "T2"]
    assert t2 and t2[0].message.startswith(f"封面年度 {seed.year - 1} 与正文中的 {seed.year} 年不一致"), t2
    assert t2[0].is_error and t2[0].where() == [cases["cover_year"].address]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_check_sheet_never_shows_an_error_value_and_agrees(clerk_books, fmt):
    seed, cases, files = clerk_books
    allowed = {OK, FAIL, WARN, BLANK, NA, BROKEN}
    verdicts = {}
    for name, by_fmt in files.items():
        errors, blanks, statuses, cover = _check_sheet(by_fmt[fmt])
        assert isinstance(errors, float) and isinstance(blanks, float), (name, fmt, errors, blanks)
        assert {s for _, s in statuses} <= allowed, (name, fmt, {s for _, s in statuses} - allowed)
        assert cover.startswith("校验："), (name, fmt, cover)
        assert (errors == 0) == (cover == "校验：全部正确"), (name, fmt, cover)
        verdicts[name] = {place for place, status in statuses if status != OK}
    assert verdicts["clean"] == set()
    for name in ("text_number", "fullwidth", "trailing_space"):  # the cell, not a relation nor a total
        assert verdicts[name] == {"表三填写区"}, (name, fmt, verdicts[name])
    assert verdicts["renamed_sheet"] == {"工作表名称"}
    assert verdicts["overwritten_formula"] == {"表三合计"}
    assert "表三填写区" in verdicts["blank"] and "表三填写区" in verdicts["decimal"]
    assert verdicts["slip"] and "表三填写区" not in verdicts["slip"]


def test_same_findings_in_every_format_and_no_stored_total_blamed_unless_typed_over(clerk_books):
    """The three formats LibreOffice saves give the same findings; D1 (a stored total that differs)
    appears only where a total was typed over — never for a text number, a deleted row or a slip."""
    seed, cases, files = clerk_books
    for name, by_fmt in files.items():
        seen = []
        for fmt in FORMATS:
            result = check_loaded(read_input(by_fmt[fmt]))
            seen.append(sorted((f.rule, f.instance, f.severity, tuple(f.where())) for f in result.findings))
        assert seen[0] == seen[1] == seen[2], (name, seen)
        d1 = [x for x in seen[0] if x[0] == "D1"]
        assert bool(d1) == (name == "overwritten_formula"), (name, d1)
