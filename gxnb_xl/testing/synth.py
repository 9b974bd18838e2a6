"""Synthetic reports that satisfy every relation — for tests, benchmarks and the demo county.

Township-like by default: most counts are 0, a few applications from natural persons, now and
then a business or a review. ``random.Random`` in, so every caller can make it reproducible.
"""
from __future__ import annotations

import random
from decimal import Decimal

from ..engine import compute_derived
from ..report import Report
from ..spec import load_spec


def _small(rng: random.Random, busy: float) -> int:
    r = rng.random()
    if r < 1 - busy:
        return 0
    return rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 7, 9, 12, 15, 23, 38, 61, 104))


def random_report(rng: random.Random, format_id: str = "2021", *, unit: str = "示例镇人民政府",
                  year: int | None = None, level: str = "township", busy: float = 0.3,
                  narrative: dict | None = None) -> Report:
    """A report whose every relation holds (derived cells computed)."""
    spec = load_spec(format_id)
    values: dict = {}
    t3, t4 = spec.tables["t3"], spec.tables["t4"]
    applicants = [c["key"] for c in t3["columns"] if c["key"] != "total"]
    outcomes = spec.sets["t3_outcomes"].members
    for col in applicants:
        col_busy = busy if col == "natural" else busy / 4
        for row in outcomes:
            values[f"t3.{row}.{col}"] = _small(rng, col_busy / 2)
        handled = sum(values[f"t3.{row}.{col}"] for row in outcomes)
        carried_out = _small(rng, col_busy / 2)
        carried_in = rng.randint(0, handled + carried_out) if rng.random() < col_busy else 0
        values[f"t3.carried_in.{col}"] = carried_in
        values[f"t3.carried_out.{col}"] = carried_out
        values[f"t3.new.{col}"] = handled + carried_out - carried_in
    for g in t4["groups"]:
        for part in spec.sets["t4_parts"].members:
            values[f"t4.{g['key']}.{part}"] = _small(rng, busy / 3)
    for cid, cell in spec.cells.items():
        if cell.table != "t2":
            continue
        if cell.type == "amount":
            values[cid] = Decimal(rng.choice((0, 0, 0, rng.randint(1, 999_999)))) / Decimal(10_000)
        elif cell.type == "signed":
            values[cid] = rng.choice((0, 0, rng.randint(-20, 40)))
        elif cell.row == "rules" and level in ("township", "county", "county_department"):
            values[cid] = 0
        else:
            values[cid] = _small(rng, busy)
    if format_id == "2019":
        for doc in ("rules", "normative"):
            if values[f"t2.{doc}.total_published"] < values[f"t2.{doc}.new_published"]:
                values[f"t2.{doc}.total_published"] = values[f"t2.{doc}.new_published"] + _small(rng, busy)
    values = compute_derived(spec, values)
    if year is None:
        year = rng.randint(2021, 2025) if format_id == "2021" else rng.choice((2019, 2020))
    return Report(format=format_id, unit=unit, year=year, level=level, values=values,
                  narrative=dict(narrative or {}))
