"""Every rule on hand-made cases, and the seed reports as published."""
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from engine_only import relations_only as check_report
from gxnb_xl.report import load_report
from gxnb_xl.testing.synth import random_report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def valid(fmt="2021", seed=1, **kw):
    return random_report(random.Random(seed), fmt, busy=0.6, **kw)


def failing(result):
    """Every failing relation instance, also those folded into the finding of the slip that explains them."""
    return {i for f in result.findings if f.status == "fail" for i in (f.instance, *f.explains)}


def test_valid_reports_have_no_findings():
    for seed in range(50):
        for fmt in ("2021", "2019"):
            assert check_report(valid(fmt, seed)).findings == []


def test_r31_column_balance():
    r = valid()
    r.values["t3.carried_out.natural"] += 2  # carried_out is not derived: only R3.1 notices
    res = check_report(r)
    assert failing(res) == {"R3.1[natural]", "R3.3[carried_out]"}
    f = next(f for f in res.findings if f.instance == "R3.1[natural]")
    assert f.imbalance == -2 and f.lhs == f.rhs - 2
    assert f.message.startswith("表三“自然人”列：第一项加第二项之和")
    assert "相差 2" in f.message


def test_r32_total_row_equals_sum_of_outcomes():
    r = valid()
    r.values["t3.total.business"] += 1
    res = check_report(r)
    assert failing(res) == {"R3.2[business]", "R3.1[business]", "R3.3[total]"}


def test_r33_total_column_equals_sum_of_applicants():
    r = valid()
    r.values["t3.granted.total"] += 3
    res = check_report(r)
    assert failing(res) == {"R3.3[granted]", "R3.2[total]"}
    [f] = [f for f in res.findings if f.status == "fail"]  # one slip, one finding
    assert "R3.3[granted]" in (f.instance, *f.explains) and "“（一）予以公开”行" in f.message


@pytest.mark.parametrize("group,instance", [("review", "R4.1"), ("suit_direct", "R4.2"), ("suit_after_review", "R4.3")])
def test_r4_groups(group, instance):
    r = valid()
    r.values[f"t4.{group}.pending"] += 1
    res = check_report(r)
    assert failing(res) == {instance}
    assert {s.cell for s in res.findings[0].suspects} >= {f"t4.{group}.pending", f"t4.{group}.total"}


def test_r0_types_and_blank_makes_relations_indeterminate():
    r = valid()
    r.values["t3.new.natural"] = None
    r.values["t3.new.business"] = -1
    res = check_report(r)
    indeterminate = {f.instance for f in res.findings if f.status == "indeterminate"}
    assert {"R3.1[natural]", "R3.3[new]"} <= indeterminate
    assert res.status == "errors"  # the negative count fails R3.1[business]


def test_blank_is_not_passed():
    from gxnb_xl.report import Report
    res = check_report(Report(format="2021"))
    assert not any(f.status == "fail" for f in res.findings)
    assert all(f.status == "indeterminate" for f in res.findings)
    assert len(res.findings) == len(res.report.spec.equations) - 7 - 2 - 3  # minus X1, X2, W2.1 (no level)


def test_w21_only_for_units_that_cannot_make_rules():
    r = valid(level="township")
    r.values["t2.rules.issued"] = 1
    res = check_report(r)
    assert failing(res) == {"W2.1[issued]"} and res.status == "warnings"
    r.level = "province"
    assert check_report(r).findings == []


def test_w22_total_published_not_below_new_published():
    r = valid("2019")
    r.values["t2.normative.total_published"] = 0
    r.values["t2.normative.new_published"] = 5
    assert "W2.2[normative]" in failing(check_report(r))


def test_amounts_compare_exactly():
    r = valid()
    r.values["t2.fees.amount"] = Decimal("0.1") + Decimal("0.2")
    assert check_report(r).findings == []


def test_cross_year_x1_x2():
    last = valid(seed=3, year=2023)
    this = valid(seed=4, year=2024)
    res = check_report(this, previous=last)
    x1 = {f.instance for f in res.findings if f.rule == "X1"}
    expected = {f"X1[{c}]" for c in ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")
                if this.values[f"t3.carried_in.{c}"] != last.values[f"t3.carried_out.{c}"]}
    assert x1 == expected
    for doc in ("rules", "normative"):
        this.values[f"t2.{doc}.in_force"] = (last.values[f"t2.{doc}.in_force"] + this.values[f"t2.{doc}.issued"]
                                            - this.values[f"t2.{doc}.repealed"])
    this.values["t2.normative.in_force"] += 1
    res = check_report(this, previous=last)
    assert {f.instance for f in res.findings if f.rule == "X2"} == {"X2[normative]"}
    assert all(f.severity == "warning" for f in res.findings if f.rule.startswith("X"))


def test_cross_year_2019_rules_and_format_change():
    last = valid("2019", seed=5, year=2019)
    this = valid("2019", seed=6, year=2020)
    this.values["t2.licensing.prev_items"] = last.values["t2.licensing.prev_items"] + last.values["t2.licensing.change"] + 1
    this.values["t2.rules.total_published"] = last.values["t2.rules.total_published"] + this.values["t2.rules.new_published"]
    res = check_report(this, previous=last)
    rules = {f.instance for f in res.findings if f.rule in ("X3", "X4")}
    assert "X3[licensing]" in rules and "X4[rules]" not in rules
    # 2020 (format 2019) → 2021: X1 still applies, X2 needs last year's in_force, which 2019 lacks
    new = valid("2021", seed=7, year=2021)
    res = check_report(new, previous=last)
    assert not any(f.rule == "X2" for f in res.findings)
    assert any(f.rule == "X1" for f in res.findings) or all(
        new.values[f"t3.carried_in.{c}"] == last.values[f"t3.carried_out.{c}"] for c in ("natural", "total"))


def test_english_messages():
    r = valid()
    r.values["t3.carried_out.natural"] += 2
    res = check_report(r)
    f = next(f for f in res.findings if f.instance == "R3.1[natural]")
    assert f.text("en").startswith("Table III column “natural”: new + carried in")


@pytest.mark.parametrize("path", sorted((EXAMPLES / "seeds").glob("*.json")), ids=lambda p: p.stem)
def test_seed_reports_as_published(path):
    """The five published reports: every number as printed; all five happen to add up."""
    report = load_report(path)
    res = check_report(report)
    assert res.findings == []
    assert report.values["t3.new.total"] == report.values["t3.total.total"] + report.values["t3.carried_out.total"] \
        - report.values["t3.carried_in.total"]


def test_seed_numbers_match_published_values():
    data = json.loads((EXAMPLES / "seeds" / "002-tiaodeng-2024.json").read_text(encoding="utf-8"))
    assert data["values"]["t3.new.natural"] == 4 and data["values"]["t4.review.corrected"] == 1
    data = json.loads((EXAMPLES / "seeds" / "003-shuanglong-2020.json").read_text(encoding="utf-8"))
    assert data["values"]["t2.procurement.amount"] == "326.8" and data["values"]["t2.licensing.change"] == 32


def test_demo_county_slip_is_caught_and_located():
    report = load_report(EXAMPLES / "county-2024" / "06-清水镇.json")
    res = check_report(report)
    assert res.status == "errors"
    suspects = {(s.cell, s.suggested) for f in res.errors for s in f.suspects}
    assert suspects == {("t3.granted.natural", 12)}
    others = [load_report(p) for p in sorted((EXAMPLES / "county-2024").glob("*.json")) if "清水镇" not in p.name]
    assert len(others) >= 10 and all(check_report(r).findings == [] for r in others)
