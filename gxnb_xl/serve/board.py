"""The board: one row per expected unit with its state, computed from the store.

States (stable English codes in the API, Chinese on the page):
``missing`` 未报送 · ``ok`` 通过 · ``warnings`` 有提示 · ``errors`` 有错误 · ``unreadable`` 无法读取 ·
``returned`` 已退回 · ``late`` 逾期 (nothing received and the deadline has passed).

The active submission of a unit is its newest version. It is ``returned`` while a return
decision is in force on it; a submission whose every warning is accepted counts as ``ok``.
A submission received after the deadline keeps its state and is flagged ``late``.
"""
from __future__ import annotations

import datetime as _dt

STATES = ("missing", "ok", "warnings", "errors", "unreadable", "returned", "late")


def deadline_passed(deadline: str | None, today: _dt.date | None = None) -> bool:
    d = parse_date(deadline)
    return d is not None and (today or _dt.date.today()) > d


def parse_date(text: str | None) -> _dt.date | None:
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def submission_state(sub, decisions: dict, warning_ids: list[int]) -> str:
    """The state of one submission given its decisions in force."""
    returned = decisions.get("submission") is not None and decisions["submission"]["decision"] == "return"
    returned = returned or any(d["decision"] == "return" for d in decisions.get("findings", {}).values())
    if returned:
        return "returned"
    if sub["status"] == "warnings" and warning_ids and all(
            (d := decisions.get("findings", {}).get(fid)) is not None and d["decision"] == "accept" for fid in warning_ids):
        return "ok"
    return sub["status"]


def board(store, collection, today: _dt.date | None = None) -> dict:
    """{"units": [row…], "counts": {state: n}, "unmatched": [...], "county": [...]}."""
    cid = collection["id"]
    units = store.units(cid)
    latest = store.latest_by_unit(cid)
    versions = store.version_counts(cid)
    decisions = store.current_decisions(collection_id=cid)
    warnings = store.warning_findings(cid)
    due = parse_date(collection["deadline"])
    passed = deadline_passed(collection["deadline"], today)
    counts = {s: 0 for s in STATES}
    rows = []
    empty = {"findings": {}, "submission": None}
    for u in units:
        sub = latest.get(u["id"])
        if sub is None:
            state = "late" if passed else "missing"
            row = {"unit": u["name"], "unit_id": u["id"], "state": state, "submission_id": None, "errors": 0,
                   "warnings": 0, "accepted": 0, "version": None, "versions": 0, "received_at": None,
                   "late": passed, "file": None, "note": ""}
        else:
            dec = decisions.get(sub["id"], empty)
            wids = warnings.get(sub["id"], [])
            state = submission_state(sub, dec, wids)
            accepted = sum(1 for fid in wids if (d := dec["findings"].get(fid)) is not None and d["decision"] == "accept")
            note = ""
            if state == "returned":
                ret = [d for d in [dec["submission"], *dec["findings"].values()] if d is not None and d["decision"] == "return"]
                note = "；".join(d["note"] for d in ret if d["note"])
            late = due is not None and parse_date(sub["received_at"]) is not None and parse_date(sub["received_at"]) > due
            row = {"unit": u["name"], "unit_id": u["id"], "state": state, "submission_id": sub["id"],
                   "errors": sub["errors"], "warnings": sub["warnings"], "accepted": accepted,
                   "version": sub["version"], "versions": versions.get(u["id"], 0), "received_at": sub["received_at"],
                   "late": late, "file": sub["filename"], "note": note, "status": sub["status"]}
        counts[state] += 1
        rows.append(row)
    unmatched = [{"submission_id": s["id"], "file": s["filename"], "status": s["status"], "unit": s["report_unit"],
                  "role": s["role"], "received_at": s["received_at"]} for s in store.unmatched(cid)]
    return {"units": rows, "counts": counts, "total": len(rows),
            "unmatched": [s for s in unmatched if s["role"] == "unit"],
            "county": [s for s in unmatched if s["role"] == "county"]}
