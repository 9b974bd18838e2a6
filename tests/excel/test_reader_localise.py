"""Localisation on workbooks: findings name the column, the imbalance and the cells, by A1 address.

(a) a template workbook with an input slip breaking R3.1 — the typed cells of that column are the
    candidates, each with its sheet!A1 (also after rows were inserted: the addresses follow);
(b) a stored total overwritten with a number — D1 with the total's address;
(c) a report JSON whose totals were typed — a slip is pinned to one cell with its right value.
"""
from __future__ import annotations

import io
import json
import random
import re

import openpyxl

from gxnb_xl.check.pipeline import check_file
from gxnb_cli import run
from gxnb_xl.engine import compute_derived
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.excel.template import build_workbook_bytes
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report

SPEC = load_spec("2021")
LAYOUT = layout_of(SPEC)
A1 = re.compile(r"^表[二三四]![A-Z]+[1-9]\d*$")


def _report(seed=5):
    rep = random_report(random.Random(seed), "2021", year=2024, busy=0.7)
    rep.narrative = {"overview": "2024年……", "other_matters": "未收取信息处理费。"}
    return rep


def _slipped_workbook(tmp_path, cell="t3.granted.natural", delta=10, *, insert_rows=0):
    rep = _report()
    original = rep.values[cell]
    rep.values[cell] = original + delta
    rep.values = compute_derived(SPEC, rep.values)  # the template's formulas recompute the totals
    data = build_workbook_bytes("2021", rep)
    if insert_rows:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        wb["表三"].insert_rows(6, insert_rows)
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    path = tmp_path / f"slip{insert_rows}.xlsx"
    path.write_bytes(data)
    return path, original


def test_input_slip_breaks_r31_and_names_column_imbalance_and_candidate_addresses(tmp_path):
    path, original = _slipped_workbook(tmp_path)
    res = check_file(path)
    assert res.status == "errors"
    [f] = [f for f in res.result.findings if f.instance == "R3.1[natural]" and f.status == "fail"]
    assert "自然人" in f.message and "相差 10" in f.message
    assert abs(f.imbalance) == 10
    # every cell of the relation has its address; the typed candidates are suspects with addresses
    assert set(f.addresses) == set(f.cells) and all(A1.match(a) for a in f.addresses.values())
    assert f.suspects and all(s.address and A1.match(s.address) for s in f.suspects)
    assert all(SPEC.cells[s.cell].input for s in f.suspects)  # totals are formulas: never suspects
    mine = [s for s in f.suspects if s.cell == "t3.granted.natural"]
    assert mine and mine[0].suggested == original
    assert mine[0].address == "表三!" + LAYOUT.cells["t3.granted.natural"][1]
    if mine[0] in f.suspects[:5]:
        assert mine[0].address in f.message  # the clerk reads where to look
    assert all(s.address in f.message for s in f.suspects[:5])
    # the same through the CLI, in JSON
    out = run("check", "--json", str(path))
    assert out.exit_code == 1
    [r] = json.loads(out.stdout)
    [jf] = [x for x in r["findings"] if x["instance"] == "R3.1[natural]" and x["status"] == "fail"]
    assert any(s["cell"] == "t3.granted.natural" and s["address"] == mine[0].address and s["suggested"] == original
               for s in jf["suspects"])


def test_addresses_follow_inserted_rows(tmp_path):
    path, original = _slipped_workbook(tmp_path, insert_rows=2)
    res = check_file(path)
    assert any(f.rule == "S4" for f in res.result.findings)
    [f] = [f for f in res.result.findings if f.instance == "R3.1[natural]" and f.status == "fail"]
    sheet, addr = LAYOUT.cells["t3.granted.natural"]
    row = int(re.sub(r"\D", "", addr))
    moved = f"{sheet}!{re.sub(r'[0-9]', '', addr)}{row + 2}"
    assert res.loaded.addresses["t3.granted.natural"] == moved
    # rows above the insertion keep their address, rows below move down by two
    assert f.addresses["t3.new.natural"] == "表三!" + LAYOUT.cells["t3.new.natural"][1] == "表三!D5"
    assert f.addresses["t3.carried_in.natural"] == "表三!D8" != "表三!" + LAYOUT.cells["t3.carried_in.natural"][1]
    assert any(s.cell == "t3.granted.natural" and s.address == moved and s.suggested == original for s in f.suspects)


def test_tampered_total_is_d1_with_its_address(tmp_path):
    rep = _report()
    data = build_workbook_bytes("2021", rep)
    wb_total = "t3.total.total"
    sheet, addr = LAYOUT.cells[wb_total]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[sheet][addr] = (rep.values[wb_total] or 0) + 7  # the formula overwritten by a typed number
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "tampered.xlsx"
    path.write_bytes(buf.getvalue())
    res = check_file(path)
    assert res.status == "errors"
    d1 = [f for f in res.result.findings if f.rule == "D1"]
    [f] = [f for f in d1 if f.cells == [wb_total]]
    assert f.addresses == {wb_total: f"{sheet}!{addr}"}
    assert f.lhs - f.rhs == 7 and "不一致" in f.message
    # recomputed values are used for the relations: the tampering does not invent other errors
    assert not [f for f in res.result.findings if f.rule.startswith("R3") and f.status == "fail"]
    out = run("check", str(path))
    assert out.exit_code == 1 and f"{sheet}!{addr}" in out.output


def test_json_with_typed_totals_pins_a_slip_to_one_cell(tmp_path):
    rep = _report()
    cell = "t3.granted.natural"
    original = rep.values[cell]
    slipped = original + 9 if original < 10 else int(str(original)[::-1]) if str(original)[::-1] != str(original) \
        else original + 9
    rep.values[cell] = slipped  # typed totals (from the published text) keep the right sums
    path = tmp_path / "typed.json"
    path.write_text(rep.dumps(), encoding="utf-8")
    res = check_file(path)
    assert res.status == "errors"
    failing = [f for f in res.result.findings if f.status == "fail" and f.rule.startswith("R3")]
    # its column and its row: one slip, one finding, the other relation named as explained by it
    assert {i.split("[")[0] for f in failing for i in (f.instance, *f.explains)} >= {"R3.2", "R3.3"}
    for f in failing:
        [top] = [s for s in f.suspects if not s.tied][:1] or [None]
        assert top is not None and top.cell == cell and top.suggested == original, f.message
        assert not any(s.tied for s in f.suspects[:1])
    out = run("check", "--json", str(path))
    [r] = json.loads(out.stdout)
    tops = {x["suspects"][0]["cell"] for x in r["findings"] if x["status"] == "fail" and x["suspects"]}
    assert tops == {cell}
