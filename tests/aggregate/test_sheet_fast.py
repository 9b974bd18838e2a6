"""The review sheets' fast drawing (aggregate.sheet.draw) writes the very workbook the plain drawing
(draw_reference: one XlsxWriter call per cell, set_row per tall row) writes: every part of the .xlsx
byte for byte (sheet XML, shared strings, styles), for generated tables of every shape, for a whole
county workbook of a varied run, and for tables the fast writer leaves to XlsxWriter (NaN, text
longer than XlsxWriter keeps)."""
import io
import random
import re
import unicodedata
import zipfile
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from gxnb_xl.aggregate import aggregate, sheet, summary
from gxnb_xl.aggregate.sheet import FILLS, Table, draw, draw_reference
from gxnb_xl.testing.synth import random_report

KINDS = ["title", "note", "blank", "head", "section", "row"]


def parts(data: bytes) -> dict:
    z = zipfile.ZipFile(io.BytesIO(data))
    out = {}
    for name in z.namelist():
        body = z.read(name)
        if name == "docProps/core.xml":  # the time the workbook was made
            body = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*<", b"<T<", body)
        out[name] = body
    return out


def book(table: Table, drawer, widths=(6, 28, 18, 6), wrap=frozenset({1, 2}), head=None, end=None) -> bytes:
    """A workbook with a sheet before and after the drawn one (styles and shared strings of other
    sheets come first and last, as in the county workbook)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": datetime(2021, 1, 1, tzinfo=timezone.utc)})
    before = wb.add_worksheet("前")
    bold = wb.add_format({"bold": True, "font_name": "宋体"})
    before.write_string(0, 0, "共用的字", bold)
    before.write_number(1, 0, 3, wb.add_format({"font_size": 10, "font_name": "宋体", "valign": "top"}))
    ws = wb.add_worksheet("审核")
    drawer(wb, ws, table, widths=list(widths), wrap=set(wrap), main_head=head, filter_end=end)
    after = wb.add_worksheet("后")
    after.write_string(0, 0, "已汇总", bold)
    after.write_string(1, 0, "只在后面", wb.add_format({"italic": True}))
    wb.close()
    return buf.getvalue()


def same(table: Table, **kw) -> None:
    fast, ref = parts(book(table, draw, **kw)), parts(book(table, draw_reference, **kw))
    assert list(fast) == list(ref)
    for name in ref:
        assert fast[name] == ref[name], name


cell_values = st.one_of(
    st.just(""), st.none(), st.integers(-10 ** 6, 10 ** 17), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False), st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.text(alphabet=st.sampled_from("ab \n<&>\"'城关镇人民政府，。…Ａ１\t\x01é"), max_size=60))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(sorted(FILLS)),
                          st.lists(cell_values, max_size=6)), max_size=40),
       st.booleans())
def test_fast_drawing_writes_the_reference_workbook(rows, with_head):
    tab = Table()
    for kind, fill, cells in rows:
        tab.add(cells, kind, fill)
    head = next((i for i, (k, _) in enumerate(tab.kinds) if k == "head"), None) if with_head else None
    same(tab, head=head, end=len(tab.rows) - 1 if head is not None else None)


def test_spans_blocks_and_tall_rows():
    """Rows of several widths across 16-row blocks, tall rows of CJK and ASCII text, a sparse note
    row in the middle of a block, an empty table."""
    rng = random.Random(5)
    tab = Table()
    tab.add(["标题"], "title")
    tab.add(["", "说明"], "note")
    tab.add([], "blank")
    tab.add(["序号", "文件", "单位", "年度"], "head")
    for i in range(70):
        text = "".join(rng.choice("城关镇人民政府abc/、\n") for _ in range(rng.randint(0, 90)))
        tab.add([i + 1, text, "示范县" * rng.randint(0, 8), 2024 if i % 5 else ""][: rng.randint(1, 4)],
                "row", rng.choice(sorted(FILLS)))
        if i % 23 == 7:
            tab.add(["", "", "", f"{i}"], "section")
    same(tab, head=3, end=70)
    same(Table())
    empty_note = Table()
    empty_note.add(["", None], "note")
    same(empty_note)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "字" * 20000, "a" * 40000])
def test_values_left_to_xlsxwriter(value):
    """NaN and infinity (XlsxWriter refuses them without its option) and text XlsxWriter truncates
    are drawn the reference way: the same workbook, or the same error."""
    tab = Table()
    tab.add(["序号", "文件"], "head")
    tab.add([1, value], "row")
    try:
        ref = parts(book(tab, draw_reference))
    except TypeError as exc:
        with pytest.raises(TypeError, match=re.escape(str(exc))):
            book(tab, draw)
        return
    assert parts(book(tab, draw)) == ref


def test_display_width_without_lookup_matches_unicodedata():
    """The characters measured without unicodedata are all wide or full-width."""
    for lo, hi in ((0x3001, 0x303E), (0x4E00, 0x9FFF), (0xFF01, 0xFF60)):
        for cp in range(lo, hi + 1):
            assert unicodedata.east_asian_width(chr(cp)) in "WF", hex(cp)
    rng = random.Random(1)
    alphabet = "abc 城关镇，。、…Ａé“”（）：\u3000\u303f\u2026\U00020000"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert sheet._display_width(text) == sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_county_workbook_of_a_varied_run(tmp_path, monkeypatch):
    """A run with duplicates, a report with errors, a broken file, an earlier summary's level, a unit
    list with missing and unexpected units: the county workbook drawn fast equals the reference."""
    rng = random.Random(11)
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        rep = random_report(rng, "2021", unit=f"测试县第{i % 34}镇人民政府", year=2024, busy=0.5)
        rep.extra["date"] = f"2025-01-{1 + i % 20:02d}"
        if i % 13 == 5:
            rep.values[next(iter(rep.spec.input_cells))] = -3
        rep.save(folder / f"{i:03d}.json")
    random_report(rng, "2021", unit="测试县", year=2024, busy=0.5, level="county").save(folder / "county.json")
    (folder / "broken.json").write_text("{oops", encoding="utf-8")
    result = aggregate([folder], unit="测试县人民政府", jobs=1,
                       expected_units=[f"测试县第{i}镇人民政府" for i in range(0, 40, 2)] + ["测试县不在镇"])
    assert result.duplicates and result.missing_units and result.unexpected_units
    for lang in ("zh", "en"):
        fast = tmp_path / f"fast-{lang}.xlsx"
        summary.write_output(result, fast, lang)
        monkeypatch.setattr(summary, "draw", draw_reference)
        ref = tmp_path / f"ref-{lang}.xlsx"
        summary.write_output(result, ref, lang)
        monkeypatch.undo()
        assert parts(fast.read_bytes()) == parts(ref.read_bytes())


def test_cells_written_after_the_drawing_are_not_lost_silently():
    tab = Table()
    tab.add(["序号", "文件"], "head")
    tab.add([1, "a.xlsx"], "row")
    wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    ws = wb.add_worksheet("审核")
    draw(wb, ws, tab, widths=[6, 28], wrap={1})
    ws.write_string(5, 0, "后来写的")
    with pytest.raises(RuntimeError, match="after its rows were drawn"):
        wb.close()
