"""Error localisation, property-tested: perturb one cell of a valid report, find it again."""
import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_only import relations_only as check_report
from gxnb_xl.locate import plausibility
from gxnb_xl.spec import load_spec
from gxnb_xl.testing.synth import random_report

RELATED = {fmt: [c for c in load_spec(fmt).cells if c.startswith(("t3.", "t4."))] for fmt in ("2021", "2019")}


def slip(rng: random.Random, value: int) -> int:
    """A typical typing slip of a count."""
    kind = rng.choice(("digit", "transpose", "times_ten", "delta", "sign"))
    s = str(value)
    if kind == "digit":
        i = rng.randrange(len(s))
        return int(s[:i] + rng.choice([d for d in "0123456789" if d != s[i]]) + s[i + 1:])
    if kind == "transpose" and len(s) >= 2 and s[0] != s[1]:
        return int(s[1] + s[0] + s[2:])
    if kind == "times_ten":
        return value * 10 if value else 10
    if kind == "sign" and value:
        return -value
    return value + rng.choice((-3, -2, -1, 1, 2, 3, 5, 10))


def perturbed(seed: int, fmt: str, cell: str):
    rng = random.Random(seed)
    report = random_report(rng, fmt, busy=rng.choice((0.1, 0.4, 0.8)))
    original = report.values[cell]
    new = slip(rng, original)
    while new == original:
        new = slip(rng, original)
    report.values[cell] = new
    return report, original, new


settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


@given(st.integers(0, 10**6), st.sampled_from(["2021", "2019"]), st.data())
def test_single_slip_in_table3_is_pinned_to_its_cell(seed, fmt, data):
    cell = data.draw(st.sampled_from([c for c in RELATED[fmt] if c.startswith("t3.")]))
    report, original, new = perturbed(seed, fmt, cell)
    res = check_report(report)
    errors = [f for f in res.findings if f.severity == "error" and f.status == "fail" and f.rule != "R0"]
    assert errors, "a slip in table 三 must break a relation"
    for f in errors:
        assert [(s.cell, s.suggested, s.tied) for s in f.suspects] == [(cell, original, False)]


@given(st.integers(0, 10**6), st.sampled_from(["2021", "2019"]), st.data())
def test_single_slip_in_table4_is_among_tied_suspects(seed, fmt, data):
    cell = data.draw(st.sampled_from([c for c in RELATED[fmt] if c.startswith("t4.")]))
    report, original, new = perturbed(seed, fmt, cell)
    res = check_report(report)
    errors = [f for f in res.findings if f.rule.startswith("R4") and f.status == "fail"]
    assert len(errors) == 1
    assert (cell, original) in {(s.cell, s.suggested) for s in errors[0].suspects}


@given(st.integers(0, 10**6), st.sampled_from(["2021", "2019"]), st.data())
def test_two_slips_are_reported_never_silent(seed, fmt, data):
    cells = data.draw(st.lists(st.sampled_from([c for c in RELATED[fmt] if c.startswith("t3.")]),
                               min_size=2, max_size=2, unique=True))
    rng = random.Random(seed)
    report = random_report(rng, fmt, busy=0.5)
    for cell in cells:
        report.values[cell] = report.values[cell] + rng.choice((1, 2, 7, 10))
    res = check_report(report)
    assert res.status == "errors"
    suggested = {(s.cell, s.suggested) for f in res.errors for s in f.suspects}
    # where the pair is identified, the originals are suggested
    if suggested:
        assert all(c in {x for x, _ in suggested} for c in cells) or len(suggested) > 2


def test_slips_in_computed_workbooks_name_the_typed_cells():
    """Totals computed by formula: the finding names the column and the input cells that could hold the slip."""
    report = random_report(random.Random(9), "2021", busy=0.6)
    report.values["t3.granted.natural"] += 10
    values_stored = dict(report.values)
    from gxnb_xl.engine import compute_derived
    report.values = compute_derived(report.spec, values_stored)  # totals follow the slip, as formulas do
    res = check_report(report, computed=True)
    f = next(f for f in res.findings if f.instance == "R3.1[natural]")
    cells = {s.cell for s in f.suspects}
    assert "t3.granted.natural" in cells and all(c.endswith(".natural") for c in cells)
    assert all(not report.spec.cells[c].input is False for c in cells)


def test_plausibility_ranks_typical_slips():
    spec = load_spec("2021")
    cell = "t3.granted.natural"
    assert plausibility(spec, cell, 21, 12, False)[1] == "transposition"
    assert plausibility(spec, cell, 15, 12, False)[1] == "digit_typo"
    assert plausibility(spec, cell, 120, 12, False)[1] == "times_ten"
    assert plausibility(spec, cell, -12, 12, False)[1] == "sign"
    assert plausibility(spec, cell, 1234, 124, False)[1] == "digit_count"
    assert plausibility(spec, "t3.total.natural", 0, 37, False)[1] == "total_not_updated"
    assert plausibility(spec, "t2.fees.amount", Decimal("12.5"), Decimal("1.25"), False)[1] == "times_ten"
