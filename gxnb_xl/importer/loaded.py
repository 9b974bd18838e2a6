"""A published report or a non-template workbook as a ``Loaded`` input for check/export/aggregate.

The importer's provenance travels along: the report JSON keeps ``source`` (every cell read /
derived with its reason / missing), and the check shows one note saying how the file was read
plus the importer's own notes (a split taken, a row not found), so a reviewer sees what to verify.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from ..findings import Finding
from ..inputs import Loaded
from ..report import ReportError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_NOTES = 20


@lru_cache(maxsize=1)
def _catalogue() -> dict:
    path = Path(__file__).resolve().parent.parent / "messages" / "importer.toml"
    return tomllib.loads(path.read_text("utf-8"))


def say(key: str, lang: str = "zh", **params) -> str:
    entry = _catalogue()[key]
    return entry["en" if lang == "en" else "zh"].format(**params)


def load(path, lang: str = "zh", *, workbook: bool = False) -> Loaded:
    """Import ``path`` and wrap it for the checker. ``workbook``: a workbook that our template reader
    refused; when no table is found by label either, it stays refused."""
    from . import import_file
    p = Path(path)
    result = import_file(p)
    conf = result.confidence
    found = sum(c["read"] + c["derived"] for c in conf.values())
    if workbook and found == 0:
        raise ReportError(say("no_tables", "zh", name=p.name), say("no_tables", "en", name=p.name))
    counts = {k: sum(c[k] for c in conf.values()) for k in ("read", "derived", "missing")}
    if result.kind == "workbook":
        sheets = "、".join(s for s in result.detected.get("sheets", [])) or p.name
        text = say("read_by_labels", lang, sheets=sheets, **counts)
    else:
        text = say("imported_source", lang, kind=say(f"kind_{result.kind}", lang), **counts)
    notes = [Finding("S8", "S8", "warning" if counts["derived"] or counts["missing"] else "info", "fail", text,
                     code="imported")]
    for w in result.warnings[:MAX_NOTES]:
        notes.append(Finding("S9", "S9", "warning", "fail", say("import_note", lang, text=w.message(lang)),
                             cells=list(w.cells), code="import_note"))
    return Loaded(result.report, p, "import", {}, computed=False,
                  template={"format": result.report.format, "source": result.kind}, notes=notes)
