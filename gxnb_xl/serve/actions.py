"""What requests do to the store, shared by the JSON API and the pages: create a collection,
record a decision, describe a submission."""
from __future__ import annotations

import json

from starlette.requests import Request

from . import intake
from .store import Store
from .text import say
from .web import ApiError

FORMATS = ("2021", "2019")


def parse_units(text: str) -> list[str]:
    names = []
    for line in (text or "").replace("，", "\n").replace("、", "\n").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and line not in names:
            names.append(line)
    return names


def create_collection(store: Store, data: dict) -> int:
    """Validate a collection's settings (JSON or form) and create it; ApiError when unusable."""
    from ..spec import format_for_year
    try:
        year = int(str(data.get("year", "")).strip())
    except ValueError:
        raise ApiError(400, "serve_bad_year") from None
    if not 2000 <= year <= 2100:
        raise ApiError(400, "serve_bad_year")
    fmt = str(data.get("format") or "").strip() or format_for_year(year)
    if fmt not in FORMATS:
        raise ApiError(400, "serve_bad_format", format=fmt)
    if fmt != format_for_year(year):
        raise ApiError(400, "serve_format_year", year=year, format=fmt, expected=format_for_year(year))
    unit = str(data.get("unit") or "").strip()
    if not unit:
        raise ApiError(400, "serve_no_unit")
    units = data.get("units")
    names = parse_units("\n".join(map(str, units))) if isinstance(units, list) else parse_units(str(units or ""))
    previous_id = data.get("previous") or data.get("previous_id")
    previous_id = int(previous_id) if str(previous_id or "").strip().isdigit() else None
    if previous_id is not None and store.collection(previous_id) is None:
        raise ApiError(400, "serve_no_collection")
    if previous_id is not None and (not names or data.get("units_from_previous") in ("1", "on", True)):
        names = names or [u["name"] for u in store.units(previous_id)]
    if not names:
        raise ApiError(400, "serve_no_units")
    if len(names) > 20000:
        raise ApiError(400, "serve_too_many_units")
    seen, pairs = {}, []
    for n in names:
        k = intake.unit_key(n, unit)
        if not k:
            continue
        if k in seen:
            raise ApiError(400, "serve_duplicate_unit", a=seen[k], b=n)
        seen[k] = n
        pairs.append((n[:200], k))
    deadline = str(data.get("deadline") or "").strip() or None
    if deadline is not None:
        from .board import parse_date
        if parse_date(deadline) is None:
            raise ApiError(400, "serve_bad_deadline", deadline=deadline)
        deadline = deadline[:10]
    if previous_id is None:  # last year's collection, when there is one, serves as --previous
        prev = [c for c in store.collections() if c["year"] == year - 1]
        previous_id = prev[0]["id"] if prev else None
    return store.create_collection(year=year, format_id=fmt, unit=unit, units=pairs, deadline=deadline,
                                   previous_id=previous_id)


def collection_json(c) -> dict:
    return {"id": c["id"], "year": c["year"], "format": c["format"], "unit": c["unit"], "deadline": c["deadline"],
            "previous": c["previous_id"], "created_at": c["created_at"]}


def submission_json(store: Store, sub, lang: str = "zh") -> dict:
    dec = store.current_decisions([sub["id"]])[sub["id"]]
    unit = store.unit(sub["unit_id"]) if sub["unit_id"] else None
    findings = []
    for f in store.findings(sub["id"]):
        d = dec["findings"].get(f["id"])
        detail = json.loads(f["detail"] or "{}")
        findings.append({
            "id": f["id"], "code": f["code"] or f["rule"], "rule": f["rule"], "instance": f["instance"],
            "severity": f["severity"], "status": f["status"], "cells": json.loads(f["cells"]),
            "addresses": detail.get("addresses") or {}, "suspects": detail.get("suspects") or [],
            "message": f["message_en"] if lang == "en" else f["message_zh"],
            "decision": _decision_json(d)})
    from .board import submission_state
    warn_ids = [f["id"] for f in findings if f["severity"] == "warning" and f["status"] == "fail"]
    state = submission_state(sub, dec, warn_ids)
    history = []
    if sub["unit_id"]:
        history = [{"submission_id": v["id"], "version": v["version"], "status": v["status"], "file": v["filename"],
                    "received_at": v["received_at"]} for v in store.versions(sub["unit_id"])]
    return {"id": sub["id"], "unit": unit["name"] if unit else None, "unit_id": sub["unit_id"],
            "collection_id": sub["collection_id"], "role": sub["role"], "version": sub["version"],
            "status": sub["status"], "state": state, "file": sub["filename"], "received_at": sub["received_at"],
            "source": sub["source"], "sha256": sub["sha256"],
            "report": {"unit": sub["report_unit"], "year": sub["report_year"], "format": sub["report_format"],
                       "level": sub["report_level"]},
            "message": (sub["message_en"] if lang == "en" else sub["message_zh"]) or None,
            "errors": sub["errors"], "warnings": sub["warnings"], "findings": findings,
            "decision": _decision_json(dec["submission"]), "history": history}


def _decision_json(d) -> dict | None:
    if d is None:
        return None
    out = {"decision": d["decision"], "note": d["note"], "by": d["by"], "at": d["at"]}
    if d["carried_from"]:
        out["carried_from"] = d["carried_from"]
    return out


def decide(request: Request, sub, fid: int | None, data: dict) -> dict:
    store: Store = request.app.state.store
    decision = data.get("decision")
    decision = "clear" if decision in (None, "", "clear", "none") else decision
    if decision not in ("accept", "return", "clear"):
        raise ApiError(400, "serve_bad_decision")
    note = str(data.get("note") or "").strip()[:2000]
    if fid is not None:
        f = store.one("SELECT * FROM findings WHERE id=? AND submission_id=?", (fid, sub["id"]))
        if f is None:
            raise ApiError(404, "serve_no_finding")
        if decision == "accept" and f["severity"] == "error":
            raise ApiError(400, "serve_accept_error")
    elif decision == "accept":
        raise ApiError(400, "serve_bad_decision")
    by = str(data.get("by") or "").strip()[:100] or say("serve_reviewer", "zh")
    return store.decide(sub["id"], fid, decision, note, by)
