"""The Python side of each button, driven through a stand-in for the xlwings Book.

The wrappers are thin, so what they would write to the sheets is compared with the library
and the command line run on the same saved file.
"""
from __future__ import annotations

import sys
import json

import pytest
from xlsm_helpers import needs_reader
from fakebook import FakeBook

from gxnb_xl import excel_buttons as eb
from gxnb_xl.check.pipeline import check_file
from gxnb_cli import run


def cli_check_json(path) -> list[dict]:
    res = run("check", "--json", str(path))
    assert res.exit_code in (0, 1, 2), res.output
    return json.loads(res.stdout)


def needs_word():
    word = pytest.importorskip("gxnb_xl.word")
    if not hasattr(word, "render_report"):
        pytest.skip("gxnb_xl.word.render_report not built yet")


def review_sheet(book):
    return book.sheets[eb.REVIEW_SHEET]


def test_check_result_equals_gxnb_check(slip_xlsm):
    book = FakeBook(slip_xlsm)
    outcome = eb.check_book(book)
    assert [outcome.result.to_dict()] == cli_check_json(slip_xlsm)


def test_check_writes_the_review_sheet(slip_xlsm):
    book = FakeBook(slip_xlsm)
    assert eb.REVIEW_SHEET not in book.sheets.names
    eb.check(book)  # the RunPython entry point, with the book handed in instead of Book.caller()
    assert book.sheets.names[-1] == eb.REVIEW_SHEET  # added after the last sheet
    rows = review_sheet(book).rows()
    expected = eb.review_rows(check_file(str(slip_xlsm)))
    assert [[c or "" for c in r[:7]] for r in rows[:len(expected)]] == [[c or "" for c in r] for r in expected]
    assert rows[0][:7] == list(eb.REVIEW_HEADER)
    (alert,) = book.app.alerts
    assert alert["title"] == "gxnb 政府信息公开年报"


@needs_reader
def test_check_colours_the_likely_wrong_cell_and_restores_it(slip_xlsm):
    book = FakeBook(slip_xlsm)
    result = check_file(str(slip_xlsm))
    fails = [f for f in result.result.findings if f.severity == "error" and f.status == "fail" and f.suspects]
    assert fails, "the demo township has a slip"
    suspect = fails[0].suspects[0]
    address = suspect.address or fails[0].addresses[suspect.cell]
    sheet_name, a1 = address.split("!")
    book.sheets[sheet_name].range(a1).color = (255, 255, 255)  # the white input fill before
    outcome = eb.check_book(book)
    assert not outcome.ok and "个错误" in outcome.message
    assert book.sheets[sheet_name].range(a1).color == eb.SUSPECT_FILL
    review = review_sheet(book)
    text = "\n".join(str(c) for r in review.rows() for c in r if c)
    assert address in text and fails[0].message in text
    assert str(suspect.to_dict()["suggested"]) in text
    # the record of coloured cells lets the next check give the original fill back
    marks = eb._marks(result)
    other = [a for a, fill in marks.items() if fill == eb.INVOLVED_FILL]
    eb.check_book(book)
    assert book.sheets[sheet_name].range(a1).color == eb.SUSPECT_FILL  # still wrong: still red
    records = dict(review.range("J2:K200").value[i] for i in range(len(marks)))
    assert records[address] == "#FFFFFF"
    if other:
        o_sheet, o_a1 = other[0].split("!")
        assert book.sheets[o_sheet].range(o_a1).color == eb.INVOLVED_FILL


@needs_reader
def test_check_clean_workbook(clean_xlsm):
    book = FakeBook(clean_xlsm)
    outcome = eb.check_book(book)
    assert outcome.ok and outcome.message == "校验完成：全部勾稽关系正确。"
    assert not any(s.colors for s in book.sheets._sheets)


@needs_reader
def test_locked_sheet_is_reported_not_an_error(slip_xlsm):
    book = FakeBook(slip_xlsm)
    for s in book.sheets._sheets:
        s.locked = True
    outcome = eb.check_book(book)
    assert "设有保护密码，未能标色" in outcome.message


def test_unsaved_workbook_gets_a_message(tmp_path):
    book = FakeBook(tmp_path / "未保存.xlsm", sheet_names=["封面"])
    book.fullname = "工作簿1"  # Excel's name for a book never saved
    assert eb.check(book) is None and eb.export(book) is None and eb.render(book) is None
    assert all("请先保存工作簿" in a["prompt"] and a["mode"] == "critical" for a in book.app.alerts)
    assert len(book.app.alerts) == 3


@needs_reader
def test_export_equals_the_library(slip_xlsm):
    from gxnb_xl.inputs import read_input
    book = FakeBook(slip_xlsm)
    outcome = eb.export(book)
    out = slip_xlsm.with_suffix(".json")
    assert outcome.files == [out]
    assert out.read_text(encoding="utf-8") == read_input(slip_xlsm).report.dumps()
    assert "已导出" in book.app.alerts[-1]["prompt"]
    res = run("export", str(slip_xlsm), "-o", str(slip_xlsm.with_name("cli.json")))
    if res.exit_code == 0 and slip_xlsm.with_name("cli.json").exists():  # `gxnb export` when it exists
        assert slip_xlsm.with_name("cli.json").read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_export_unreadable_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "坏文件.xlsm"
    bad.write_bytes(b"not a workbook")
    book = FakeBook(bad, sheet_names=["封面"])
    outcome = eb.export(book)
    assert outcome is not None and not outcome.ok
    assert book.app.alerts[-1]["mode"] == "critical"


@needs_reader
def test_render_asks_before_a_report_with_errors(slip_xlsm):
    needs_word()
    opened = []
    book = FakeBook(slip_xlsm, answer="no")
    assert eb.render(book) is None
    assert book.app.alerts[0]["buttons"] == "yes_no" and "个错误" in book.app.alerts[0]["prompt"]
    assert not slip_xlsm.with_suffix(".docx").exists()
    refused = eb.render_book(FakeBook(slip_xlsm), open_file=opened.append)  # without force: like gxnb render
    assert not refused.ok and refused.message.startswith("未生成 Word") and opened == []
    assert not slip_xlsm.with_suffix(".docx").exists()
    outcome = eb.render_book(FakeBook(slip_xlsm), force=True, open_file=opened.append)  # the clerk said yes
    assert not outcome.ok and "未通过校验" in outcome.message
    assert opened == [slip_xlsm.with_suffix(".docx")]


@needs_reader
def test_render_equals_gxnb_render(clean_xlsm, tmp_path):
    needs_word()
    from docx import Document
    opened = []
    outcome = eb.render_book(FakeBook(clean_xlsm), open_file=opened.append)
    assert outcome.ok, outcome.message
    docx = clean_xlsm.with_suffix(".docx")
    assert opened == [docx]
    cli_out = tmp_path / "cli.docx"
    res = run("render", str(clean_xlsm), "-o", str(cli_out))
    assert res.exit_code == 0, res.output
    text = lambda p: [para.text for para in Document(p).paragraphs]  # noqa: E731
    assert text(docx) == text(cli_out)
    polished = docx.read_bytes()
    again = eb.render_book(FakeBook(clean_xlsm), open_file=opened.append)  # a second click
    assert again.ok and opened[-1] == docx.with_name(f"{docx.stem}(2).docx")
    assert docx.read_bytes() == polished  # the first document (maybe polished by hand) is kept


def test_an_unexpected_error_is_a_message_box(slip_xlsm, monkeypatch):
    def boom(*a, **k):
        raise ValueError("示例故障")
    monkeypatch.setattr(sys.modules["gxnb_xl.check.pipeline"], "check_file", boom)
    book = FakeBook(slip_xlsm)
    assert eb.check(book) is None
    (alert,) = book.app.alerts
    assert alert["mode"] == "critical" and "出现意外错误" in alert["prompt"] and "示例故障" in alert["prompt"]
