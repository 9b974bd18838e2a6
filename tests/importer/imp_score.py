"""Scoring an import against a truth record: cells right / wrong / blank."""
from __future__ import annotations

from decimal import Decimal


def score(got_values: dict, truth: dict) -> tuple[int, list, int]:
    """(right, wrong [(cell, got, truth)], blank) of imported values against a truth record."""
    right, wrong, blank = 0, [], 0
    for cid, want in truth["values"].items():
        got = got_values.get(cid)
        if got is None:
            blank += 1
        elif Decimal(str(got)) == Decimal(str(want)):
            right += 1
        else:
            wrong.append((cid, got, want))
    for cid in truth.get("undetermined", ()):
        if got_values.get(cid) is not None:
            wrong.append((cid, got_values[cid], "undetermined"))
    return right, wrong, blank
