import json

import pytest

from gxnb_cli import run
from gxnb_xl.spec import format_for_year, load_spec


@pytest.mark.parametrize("fmt,t2,t3,t4", [("2021", 10, 175, 15), ("2019", 22, 161, 15)])
def test_cell_counts_per_table(fmt, t2, t3, t4):
    spec = load_spec(fmt)
    assert [len(spec.table_cells(t)) for t in ("t2", "t3", "t4")] == [t2, t3, t4]


@pytest.mark.parametrize("fmt,t2,t3,t4", [("2021", 10, 175, 15), ("2019", 22, 161, 15)])
def test_spec_json_lists_cells_and_rules(fmt, t2, t3, t4):
    res = run("spec", "--format", fmt, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    tables = [c["table"] for c in data["cells"]]
    assert (tables.count("t2"), tables.count("t3"), tables.count("t4")) == (t2, t3, t4)
    rules = {r["id"]: r for r in data["rules"]}
    assert {"R3.1", "R3.2", "R3.3", "R4", "R0", "X1", "T1", "T2"} <= rules.keys()
    assert [i["instance"] for i in rules["R3.1"]["instances"]][:2] == ["R3.1[natural]", "R3.1[business]"]
    assert [i["instance"] for i in rules["R4"]["instances"]] == ["R4.1", "R4.2", "R4.3"]


def test_vector_rules_expand_per_column_and_row():
    spec = load_spec("2021")
    by_rule = {}
    for eq in spec.equations:
        by_rule.setdefault(eq.rule.id, []).append(eq)
    assert len(by_rule["R3.1"]) == 7 and len(by_rule["R3.2"]) == 7 and len(by_rule["R3.3"]) == 25
    r32 = next(eq for eq in by_rule["R3.2"] if eq.instance == "R3.2[natural]")
    assert r32.lhs[0].cell == "t3.total.natural"
    assert [t.cell for t in r32.rhs] == [f"t3.{row}.natural" for row in spec.sets["t3_outcomes"].members]
    assert len(r32.rhs) == 21  # 2021: （一）…（六）3 = 21 outcome rows
    assert len(next(eq for eq in load_spec("2019").equations if eq.instance == "R3.2[natural]").rhs) == 19


def test_derived_cells_are_the_totals():
    spec = load_spec("2021")
    derived = set(spec.derivations)
    assert {f"t3.total.{c}" for c in ("natural", "business", "total")} <= derived
    assert "t3.new.total" in derived and "t4.review.total" in derived
    assert "t3.carried_out.natural" not in derived  # R3.1 is a check, not a formula
    assert not any(c.startswith("t2.") for c in derived)
    assert len(spec.input_cells) == 200 - 34


def test_labels_are_verbatim():
    spec = load_spec("2021")
    assert spec.cells["t3.denied_safety.natural"].row_labels[-1] == "3.危及“三安全一稳定”"
    assert spec.cells["t2.fees.amount"].col_labels == ("本年收费金额（单位：万元）",)
    assert spec.cells["t2.fees.amount"].type == "amount"
    assert load_spec("2019").cells["t2.licensing.change"].type == "signed"


def test_format_by_year():
    assert format_for_year(2020) == "2019" and format_for_year(2021) == "2021" and format_for_year(None) == "2021"
