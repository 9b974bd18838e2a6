"""The layout: every cell placed once, labels from the format data, stable positions."""
from __future__ import annotations

import pytest

from gxnb_xl.excel.layout import LEVEL_CODES, LEVEL_LABELS, META_SHEET, a1, layout_of, parse_a1
from gxnb_xl.report import LEVELS
from gxnb_xl.spec import load_spec


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_every_cell_placed_once(fmt):
    spec = load_spec(fmt)
    lay = layout_of(spec)
    assert set(lay.cells) == set(spec.cells)
    places = list(lay.cells.values()) + list(lay.meta.values()) + [p for ps in lay.narrative_cells.values() for p in ps]
    places += list(lay.checks.values()) + list(lay.imbalances.values()) + list(lay.mirrors.values())
    assert len(places) == len(set(places))
    assert all(s in lay.sheets for s, _ in places)
    assert lay.sheets[-1] == META_SHEET
    assert set(lay.meta) == {"unit", "year", "level", "contact", "phone", "date"}
    assert set(lay.narrative) == set(spec.narrative_keys)
    assert lay.template_id == f"gxnb-xl/{fmt}/{spec.hash}"
    # every report-scope relation instance has a check cell
    assert set(lay.checks) == {e.instance for e in spec.equations if e.rule.scope == "report"}
    # R3.1 cannot be forced by a formula: it gets a mirror under table 三
    assert all(i in lay.mirrors for i in lay.checks if i.startswith("R3.1"))


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_anchors_are_the_official_labels(fmt):
    spec = load_spec(fmt)
    lay = layout_of(spec)
    texts = {(s, a): x for s, a, x in lay.anchors}
    t3 = spec.tables["t3"]
    for row in t3["rows"]:
        sheet, addr = lay.cells[f"t3.{row['key']}.natural"]
        r, _ = parse_a1(addr)
        assert texts[(sheet, a1(r, len(row["labels"]) - 1))] == row["labels"][-1]
    for col in t3["columns"]:
        assert col["label"] in {x for (s, _), x in texts.items() if s == "表三"}
    assert texts[("表三", "A2")] == t3["note"]
    for c in spec.cells.values():
        if c.table == "t2":
            sheet, addr = lay.cells[c.id]
            r, col = parse_a1(addr)
            assert texts[(sheet, a1(r, 0))] == c.row_labels[0]


def test_positions_are_stable():
    # other tools (reader, aggregator) rely on these: a change here is a template change
    lay = layout_of("2021")
    assert lay.cells["t2.rules.issued"] == ("表二", "B4")
    assert lay.cells["t3.new.natural"] == ("表三", "D5")
    assert lay.cells["t3.total.total"] == ("表三", "J28")
    assert lay.cells["t4.review.upheld"] == ("表四", "A5")
    assert lay.meta["unit"] == ("封面", "B4")


def test_level_labels_cover_every_level():
    assert set(LEVEL_LABELS) == set(LEVELS)
    assert len(LEVEL_CODES) == len(LEVEL_LABELS)
