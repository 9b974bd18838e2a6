"""A township clerk at LibreOffice, driven through UNO: open the template, type, edit, save.

Run with the system Python that has python3-uno (``/usr/bin/python3``), never the venv::

    /usr/bin/python3 tests/excel/uno_clerk.py JOB.json

JOB.json: ``{"template": path, "outdir": path, "formats": ["xlsx", "ods", "xls"],
"scenarios": {name: [op, ...]}}``. One private soffice (its own pipe and throw-away profile) serves
every scenario: each opens the template, applies its operations in order and is saved once per
format as ``outdir/name.ext``. Operations arrive the way keystrokes and pastes do:

* ``{"op": "value", "sheet", "cell", "value"}`` — a number typed into a number cell (setValue)
* ``{"op": "string", "sheet", "cell", "text"}`` — text as pasted or typed with a leading ' (setString)
* ``{"op": "input", "sheet", "cell", "text"}`` — typed and Enter pressed (.uno:EnterString): the
  cell's number format decides, so a text-formatted cell keeps ``09311234567``; ``=…`` is a formula
* ``{"op": "parse", "sheet", "cell", "text"}`` — content set through the API (setFormula), which
  recognises numbers and dates whatever the cell's format (how other tools and pastes arrive)
* ``{"op": "clear", "sheet", "cell"}`` — Delete key
* ``{"op": "unprotect", "sheet"}`` — Tools ▸ Protect Sheet off (the template has no password)
* ``{"op": "unprotect_book"}`` — Tools ▸ Protect Spreadsheet Structure off
* ``{"op": "delete_row", "sheet", "row"}`` (1-based, like the row header) — Delete Rows
* ``{"op": "rename", "sheet", "to"}`` — Rename Sheet

Prints one JSON line ``{"written": [...], "errors": {...}}``; exit 0 when every file was written.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uno  # noqa: F401 - python3-uno: the system interpreter only
from com.sun.star.beans import PropertyValue

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}


def _props(**kw):
    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def _start(profile: Path, pipe: str):
    binary = os.environ.get("GXNB_SOFFICE", "soffice")
    proc = subprocess.Popen(
        [binary, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 60
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001 - NoConnectException until soffice listens
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("soffice did not start")
            time.sleep(0.25)
    _REMOTE["ctx"] = ctx
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def _cell(doc, op):
    return doc.Sheets.getByName(op["sheet"]).getCellRangeByName(op["cell"])


_REMOTE = {}  # the remote component context, once connected


def _dispatch(doc, command, **args):
    ctx = _REMOTE["ctx"]
    helper = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    helper.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, _props(**args))


def _apply(doc, op):
    kind = op["op"]
    if kind == "value":
        _cell(doc, op).setValue(float(op["value"]))
    elif kind == "string":
        _cell(doc, op).setString(op["text"])
    elif kind == "input":  # Enter in the cell: the cell's number format decides (text cells keep text)
        controller = doc.getCurrentController()
        controller.setActiveSheet(doc.Sheets.getByName(op["sheet"]))
        controller.select(_cell(doc, op))
        _dispatch(doc, ".uno:EnterString", StringName=op["text"])
    elif kind == "parse":
        _cell(doc, op).setFormula(op["text"])
    elif kind == "clear":
        _cell(doc, op).setString("")
    elif kind == "unprotect":
        doc.Sheets.getByName(op["sheet"]).unprotect("")
    elif kind == "unprotect_book":
        doc.unprotect("")
    elif kind == "delete_row":
        doc.Sheets.getByName(op["sheet"]).Rows.removeByIndex(int(op["row"]) - 1, 1)
    elif kind == "rename":
        doc.Sheets.getByName(op["sheet"]).setName(op["to"])
    else:
        raise ValueError(f"unknown op {kind!r}")


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    template = Path(job["template"]).resolve()
    outdir = Path(job["outdir"]).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    formats = job.get("formats", ["xlsx", "ods", "xls"])
    profile = Path(tempfile.gettempdir()) / f"gxnb-uno-{uuid.uuid4().hex}"
    pipe = f"gxnb_clerk_{uuid.uuid4().hex[:12]}"
    proc, desktop = _start(profile, pipe)
    written, errors = [], {}
    try:
        for name, ops in job["scenarios"].items():
            doc = desktop.loadComponentFromURL(template.as_uri(), "_blank", 0, _props(Hidden=True))
            try:
                for op in ops:
                    _apply(doc, op)
                doc.calculateAll()
                for fmt in formats:
                    out = outdir / f"{name}.{fmt}"
                    doc.storeToURL(out.as_uri(), _props(FilterName=FILTERS[fmt], Overwrite=True))
                    written.append(str(out))
            except Exception as exc:  # noqa: BLE001 - report per scenario, keep going
                errors[name] = f"{type(exc).__name__}: {exc}"
            finally:
                doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge drops as soffice exits
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        subprocess.run(["rm", "-rf", str(profile)], check=False)
    print(json.dumps({"written": written, "errors": errors}, ensure_ascii=False))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
