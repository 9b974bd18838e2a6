"""Summing: the summed reports' input cells added exactly (ints and Decimals), totals re-derived.

Only input cells are added; derived cells (totals) are recomputed from the sums, so a stale or
tampered total in one file cannot reach the county report. A cell blank in every summed report
stays blank; blank in some counts as nothing (and is counted for the summary).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..report import ReportError
from ..spec import load_spec

# a county sum beyond this is no real count; it would overflow the workbook's numbers (and float)
MAX_SUM = Decimal(10) ** 15


def sum_values(format_id: str, rows: list[tuple]) -> tuple[dict, int]:
    """(cell id → summed value with totals recomputed, number of cells blank in some row)."""
    from ..engine import compute_derived
    spec = load_spec(format_id)
    cells = spec.input_cells
    total: list = [0] * len(cells)
    blank = [0] * len(cells)
    for values in rows:
        for i, v in enumerate(values):
            if v is None:
                blank[i] += 1
            else:
                total[i] += v
    values = {}
    for c, v, b in zip(cells, total, blank):
        if b == len(rows):
            values[c] = None
        elif isinstance(v, Decimal):
            values[c] = v.normalize() if v == v.to_integral_value() else v
        elif spec.cells[c].type == "amount":
            values[c] = Decimal(v)
        else:
            values[c] = v
    try:
        derived = compute_derived(spec, values)
    except (OverflowError, InvalidOperation):
        derived = None
    too_big = [c for c, v in (derived or values).items() if v is not None and abs(v) >= MAX_SUM]
    if derived is None or too_big:
        name = spec.cells[too_big[0]].name() if too_big else ""
        raise ReportError(f"汇总数过大（{name} 超过 10 的 15 次方），不是真实的件数或金额；请检查各单位报告中异常大的数",
                          f"a summed value is too large ({too_big[0] if too_big else ''} ≥ 10^15); "
                          "check the reports for absurd numbers")
    return derived, sum(1 for b in blank if b)
