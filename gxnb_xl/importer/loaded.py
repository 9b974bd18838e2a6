"""A published report or a non-template workbook as a ``Loaded`` input for check/export/aggregate.

The importer's provenance travels along: the report JSON keeps ``source`` (every cell read /
derived with its reason / missing), and the check shows one note saying how the file was read
(I1/I2) plus the importer's own notes (I3: a split taken, a row not found), so a reviewer sees
what to verify. Totals are *not* recomputed: a published report's totals are what it printed.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ReportError
from ..findings import Finding
from ..loaded import Loaded
from ..messages import say

MAX_NOTES = 20


def load(path, *, workbook: bool = False) -> Loaded:
    """Import ``path`` and wrap it for the checker. ``workbook``: a workbook that our template reader
    refused; when no table is found by label either, it stays refused."""
    from . import import_file
    p = Path(path)
    result = import_file(p)
    conf = result.confidence
    counts = {k: sum(c[k] for c in conf.values()) for k in ("read", "derived", "missing")}
    if workbook and counts["read"] + counts["derived"] == 0:
        raise ReportError(say("import.no_tables", "zh", name=p.name), say("import.no_tables", "en", name=p.name))
    severity = "warning" if counts["derived"] or counts["missing"] else "info"
    if result.kind == "workbook":
        notes = [Finding("I1", severity, params=counts)]
    else:
        notes = [Finding("I2", severity, params={**counts, "kind_zh": say(f"import.kind.{result.kind}", "zh"),
                                                 "kind_en": say(f"import.kind.{result.kind}", "en")})]
    for w in result.warnings[:MAX_NOTES]:
        notes.append(Finding("I3", "warning", cells=list(w.cells), params={"note_zh": w.zh, "note_en": w.en}))
    return Loaded(result.report, p, "import", {}, computed=False,
                  template={"format": result.report.format, "source": result.kind}, notes=notes)
