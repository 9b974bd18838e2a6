"""What the workbench hands out: the county workbook and Word report (the library's aggregation
and Word writer over the active versions), feedback for townships, pre-filled templates, the
hierarchy check and the dashboard's figures. Bytes in memory; nothing here writes the store."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from .board import board
from .checkdoor import annotated
from .text import say

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(name: str, fallback: str = "unit") -> str:
    """A unit name fit for a zip member or a download name (never a path on this disk)."""
    s = _UNSAFE.sub("_", name or "").strip(" .")[:80]
    return s or fallback


def active_files(store, collection) -> list[dict]:
    """The newest version of every expected unit: {"unit", "submission", "path"}."""
    units = {u["id"]: u for u in store.units(collection["id"])}
    out = []
    for uid, sub in sorted(store.latest_by_unit(collection["id"]).items(), key=lambda kv: units[kv[0]]["position"]):
        out.append({"unit": units[uid]["name"], "submission": sub, "path": store.blob_path(sub["sha256"])})
    return out


def county_sum(store, collection, *, include_invalid: bool = False, lang: str = "zh"):
    """``gxnb aggregate`` of the active versions (the library's ``aggregate()``, same inclusion
    rules and exact sums); the 汇总情况 rows name unit, version and uploaded file, and carry the
    reviewer's 说明 of accepted warnings. Returns the library's AggregateResult."""
    from ..aggregate import aggregate
    files = active_files(store, collection)
    by_path = {str(f["path"]): f for f in files}
    decisions = store.current_decisions([f["submission"]["id"] for f in files])
    with _previous_folder(store, collection) as (previous, prev_year, n_prev):
        result = aggregate([str(f["path"]) for f in files], unit=collection["unit"], include_invalid=include_invalid,
                           year=collection["year"], jobs=1 if len(files) < 400 else None, previous=previous)
    if previous and not result.previous_error:  # name last year's collection, not a temporary folder
        result.previous_source = ("serve_previous_source", {"year": prev_year, "n": n_prev})
    for rec in result.files:
        f = by_path.get(rec.path) or by_path.get(rec.file)
        if f is None:
            continue
        sub = f["submission"]
        stored, shown = f["path"].name, sub["filename"].replace("\\", "/").rsplit("/", 1)[-1]
        rec.params = {k: v.replace(stored, shown) if isinstance(v, str) else v for k, v in rec.params.items()}
        rec.file = say("serve_version_label", lang, unit=f["unit"], version=sub["version"], file=sub["filename"])
        dec = decisions.get(sub["id"], {"findings": {}, "submission": None})
        notes = [d["note"] for d in dec["findings"].values() if d["decision"] == "accept" and d["note"]]
        returned = [d for d in [dec["submission"], *dec["findings"].values()] if d is not None and d["decision"] == "return"]
        extra = []
        if notes:
            rec.notes.append(("serve_accepted_notes", {"notes": "；".join(dict.fromkeys(notes))}))
        if returned:
            rec.notes.append(("serve_returned_mark", {}))
    # every expected unit in one state, by the collection's own matching (an unreadable file
    # still counts as sent by the unit it was filed for)
    rec_of = {str(f["path"]): r for r in result.files for f in [by_path.get(r.path) or by_path.get(r.file)] if f}
    active = {f["unit"]: f for f in files}
    result.unit_states, result.missing_units = [], []
    for u in store.units(collection["id"]):
        f = active.get(u["name"])
        rec = rec_of.get(str(f["path"])) if f else None
        if rec is None:
            result.missing_units.append(u["name"])
            result.unit_states.append({"unit": u["name"], "state": "missing", "files": []})
        else:
            result.unit_states.append({"unit": u["name"], "state": rec.state, "files": [rec.file]})
    return result


@contextlib.contextmanager
def _previous_folder(store, collection):
    """Last year's collection as ``gxnb aggregate --previous`` takes it: a folder holding its
    active versions (hard links, or copies, in the store's tmp/), so the county sums are checked
    across years (X1 …) with the same code. Yields (folder or None, year, number of files)."""
    prev = store.collection(collection["previous_id"]) if collection["previous_id"] else None
    files = active_files(store, prev) if prev is not None else []
    if not files:
        yield None, None, 0
        return
    folder = Path(tempfile.mkdtemp(dir=store.root / "tmp"))
    try:
        for i, f in enumerate(files):
            target = folder / f"{i:05d}{f['path'].suffix}"
            try:
                os.link(f["path"], target)
            except OSError:
                shutil.copyfile(f["path"], target)
        yield str(folder), prev["year"], len(files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def aggregate_xlsx(store, collection, *, include_invalid: bool = False, lang: str = "zh") -> tuple[bytes, object]:
    from ..aggregate import write_output
    result = county_sum(store, collection, include_invalid=include_invalid, lang=lang)
    with tempfile.TemporaryDirectory(dir=store.root / "tmp") as tmp:
        out = Path(tmp) / "county.xlsx"
        write_output(result, out, lang)  # raises AggregateError (a ReportError) when nothing is summed
        return out.read_bytes(), result


def report_docx(store, collection, *, include_invalid: bool = False) -> bytes:
    from ..word import render_docx_bytes
    result = county_sum(store, collection, include_invalid=include_invalid)
    if result.report is None:
        from ..aggregate import AggregateError
        raise AggregateError(result.text(result.refused, "zh") or "没有可以汇总的报告",
                             result.text(result.refused, "en") or "nothing to sum")
    return render_docx_bytes(result.report)


def report_pdf(store, collection, *, include_invalid: bool = False) -> bytes:
    from ..office import to_pdf
    data = report_docx(store, collection, include_invalid=include_invalid)
    with tempfile.TemporaryDirectory(dir=store.root / "tmp") as tmp:
        docx = Path(tmp) / "report.docx"
        docx.write_bytes(data)
        return to_pdf(docx, Path(tmp) / "report.pdf").read_bytes()


def templates_zip(collection, units) -> bytes:
    """The blank template pre-filled with each unit's name and the year, one workbook per unit."""
    from ..excel.template import build_workbook_bytes
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, u in enumerate(units, 1):
            data = build_workbook_bytes(collection["format"], unit=u["name"], year=collection["year"], level="township")
            z.writestr(f"{i:02d}-{safe_name(u['name'])}.xlsx", data)
    return buf.getvalue()


def template_for(collection, unit_name: str) -> bytes:
    from ..excel.template import build_workbook_bytes
    return build_workbook_bytes(collection["format"], unit=unit_name, year=collection["year"], level="township")


# ── feedback for a township ────────────────────────────────────────────────────────────
def review_text(store, collection, sub, unit_name: str, lang: str = "zh") -> str:
    """审核意见: what to fix, in a clerk's words (errors with cells and suggested values, the
    reviewer's notes, accepted warnings with their 说明)."""
    findings = store.findings(sub["id"])
    dec = store.current_decisions([sub["id"]])[sub["id"]]
    lines = [say("serve_review_title", lang, county=collection["unit"], year=collection["year"]), "",
             say("serve_review_unit", lang, unit=unit_name),
             say("serve_review_file", lang, file=sub["filename"], version=sub["version"] or "-",
                 at=sub["received_at"][:16].replace("T", " "))]
    returns = [d for d in [dec["submission"], *dec["findings"].values()] if d is not None and d["decision"] == "return"]
    if returns:
        lines.append(say("serve_review_returned", lang))
        lines += [f"  · {d['note']}" for d in returns if d["note"]]
    if sub["status"] == "unreadable":
        lines += ["", say("serve_review_unreadable", lang, why=sub["message_zh"] if lang != "en" else sub["message_en"])]
    fix = [f for f in findings if f["severity"] == "error"]
    warn = [f for f in findings if f["severity"] == "warning"]
    if fix:
        lines += ["", say("serve_review_fix", lang)]
        for i, f in enumerate(fix, 1):
            lines.append(f"{i}. {_finding_line(f, lang)}")
    open_warn = [f for f in warn if dec["findings"].get(f["id"]) is None or dec["findings"][f["id"]]["decision"] != "accept"]
    if open_warn:
        lines += ["", say("serve_review_check", lang)]
        for i, f in enumerate(open_warn, 1):
            lines.append(f"{i}. {_finding_line(f, lang)}")
    accepted = [f for f in warn if f not in open_warn]
    if accepted:
        lines += ["", say("serve_review_accepted", lang)]
        for i, f in enumerate(accepted, 1):
            d = dec["findings"][f["id"]]
            lines.append(f"{i}. {f['message_en'] if lang == 'en' else f['message_zh']} —— {say('serve_note', lang)}{d['note']}")
    if not (fix or warn or returns) and sub["status"] != "unreadable":
        lines += ["", say("serve_review_none", lang)]
    return "\r\n".join(lines) + "\r\n"


def _finding_line(f, lang: str) -> str:
    detail = json.loads(f["detail"] or "{}")
    text = f["message_en"] if lang == "en" else f["message_zh"]
    addrs = [a.split("!")[-1] for a in (detail.get("addresses") or {}).values()][:4]
    sugg = [f"{s.get('address', s['cell']).split('!')[-1]} → {s['suggested']}" for s in detail.get("suspects") or []
            if s.get("suggested") is not None][:3]
    extra = ""
    if addrs and not sugg:
        extra = say("serve_review_cells", lang, cells="、".join(addrs))
    if sugg:
        extra = say("serve_review_suggest", lang, s="；".join(sugg))
    return text + extra


def feedback_files(store, collection, sub, unit_name: str, lang: str = "zh") -> dict[str, bytes]:
    name = safe_name(unit_name)
    out = {f"{name}-{say('serve_review_name', lang)}.txt": ("\ufeff" + review_text(store, collection, sub, unit_name, lang)).encode("utf-8")}
    path = store.blob_path(sub["sha256"])
    if sub["status"] != "unreadable" and path is not None:
        data = annotated(path, lang=lang)
        if data:
            out[f"{name}-{say('serve_annotated_name', lang)}.xlsx"] = data
    return out


def feedback_zip(store, collection, *, states=("returned",), lang: str = "zh") -> bytes:
    """One folder per unit in ``states`` (default: returned) with its 审核意见 and annotated workbook."""
    b = board(store, collection)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for row in b["units"]:
            if row["state"] not in states or row["submission_id"] is None:
                continue
            sub = store.submission(row["submission_id"])
            for fname, data in feedback_files(store, collection, sub, row["unit"], lang).items():
                z.writestr(f"{safe_name(row['unit'])}/{fname}", data)
        if not z.namelist():
            z.writestr(say("serve_feedback_empty_name", lang) + ".txt", ("\ufeff" + say("serve_feedback_empty", lang)).encode("utf-8"))
    return buf.getvalue()


# ── hierarchy check and dashboard ──────────────────────────────────────────────────────
def hierarchy(store, collection, lang: str = "zh") -> dict:
    """The county's own filed report (the newest uploaded) against the sum of its townships."""
    from ..spec import load_spec
    county = [s for s in store.unmatched(collection["id"]) if s["role"] == "county" and s["values_json"]]
    result = county_sum(store, collection, lang=lang)
    out = {"county_submission": county[-1]["id"] if county else None, "differences": [],
           "missing_units": list(result.missing_units),
           "not_summed": [{"file": r.file, "reason": r.reason(lang)} for r in result.files if not r.included]}
    if not county or result.report is None:
        return out
    values = json.loads(county[-1]["values_json"])
    spec = load_spec(result.report.format)
    for cid, cell in spec.cells.items():
        a, b = values.get(cid), result.totals.get(cid)
        if a is None and b is None:
            continue
        if a is None or b is None or Decimal(str(a)) != Decimal(str(b)):
            out["differences"].append({"cell": cid, "name": cell.name(lang), "county": a,
                                       "sum": _plain(b)})
    return out


def _plain(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else str(v)
    return v


def dashboard(store, collection, lang: str = "zh") -> dict:
    """Figures for the charts: applications per unit, outcome shares, last year, errors by rule."""
    from ..spec import load_spec
    spec = load_spec(collection["format"])
    files = active_files(store, collection)
    per_unit = []
    outcome_rows = [r for r in spec.sets["t3_outcomes"].members] if "t3_outcomes" in spec.sets else []
    groups: dict[str, Decimal] = {}
    for f in files:
        vals = json.loads(f["submission"]["values_json"] or "{}")
        per_unit.append((f["unit"], _int(vals.get("t3.new.total"))))
        for row in outcome_rows:
            cell = spec.cells.get(f"t3.{row}.total")
            if cell is None:
                continue
            label = cell.row_labels[1] if len(cell.row_labels) > 1 else cell.row_labels[0]
            label = re.sub(r"（[^（）]*不计[^（）]*）$", "", label)
            groups[label] = groups.get(label, 0) + _int(vals.get(f"t3.{row}.total"))
    prev_total = None
    if collection["previous_id"]:
        prev = store.collection(collection["previous_id"])
        if prev is not None:
            prev_total = sum(_int(json.loads(f["submission"]["values_json"] or "{}").get("t3.new.total"))
                             for f in active_files(store, prev))
    by_rule: dict[str, int] = {}
    for f in files:
        for r in store.findings(f["submission"]["id"]):
            if r["severity"] == "error":
                by_rule[r["rule"]] = by_rule.get(r["rule"], 0) + 1
    return {"applications": per_unit, "outcomes": list(groups.items()),
            "total": sum(v for _, v in per_unit), "previous_total": prev_total,
            "errors_by_rule": sorted(by_rule.items(), key=lambda kv: -kv[1])}


def _int(v) -> int:
    try:
        return int(Decimal(str(v))) if v is not None else 0
    except Exception:  # noqa: BLE001
        return 0
