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
    if counts["read"] + counts["derived"] == 0:  # not one number of the tables: not a report we can use
        key = "import.no_tables" if workbook else "import.no_numbers"
        raise ReportError(say(key, "zh", name=p.name), say(key, "en", name=p.name))
    # a cell that could not be read is a number the report does not give: such a report cannot pass, be
    # summed or published until someone fills it in (derived cells only need a look)
    severity = "error" if counts["missing"] else "warning" if counts["derived"] else "info"
    if result.kind == "workbook":
        notes = [Finding("I1", severity, params=counts)]
    else:
        notes = [Finding("I2", severity, params={**counts, "kind_zh": say(f"import.kind.{result.kind}", "zh"),
                                                 "kind_en": say(f"import.kind.{result.kind}", "en")})]
    for w in result.warnings[:MAX_NOTES]:
        notes.append(Finding("I3", "warning", cells=list(w.cells), params={"note_zh": w.zh, "note_en": w.en}))
    addresses: dict = {}
    if result.kind == "workbook":
        from .workbook import cell_addresses
        try:
            addresses = cell_addresses(p, result)
        except (ReportError, ValueError, KeyError):  # addresses are a help, never a reason to fail
            addresses = {}
    return Loaded(result.report, p, "import", addresses, computed=False,
                  template={"format": result.report.format, "source": result.kind}, notes=notes)


def prefer(template_read: Loaded, path) -> Loaded:
    """A workbook without our marker, read by the template reader (positions relocated by label):
    read it by its labels too. When both give the same value for every cell either of them read,
    keep the template reading (it knows addresses); otherwise the label reading, whose every cell
    says read / derived / missing, wins — a cell is never taken from a layout we only guessed."""
    if any(getattr(n, "key", "") == "S4.labels_disagree" or (n.code == "S4" and n.severity == "error")
           for n in template_read.notes):
        return template_read  # labels in disagreement: the table is refused, not read by another guess
    try:
        mine = load(path, workbook=True)
    except ReportError:
        return template_read
    theirs = template_read.report.values
    ours = mine.report.values
    spec = template_read.report.spec
    if mine.report.format != template_read.report.format:
        return mine
    inputs = [c for c, cell in spec.cells.items() if cell.input]  # totals are recomputed from these
    disagree = [c for c in inputs if theirs.get(c) is not None and ours.get(c) is not None and theirs[c] != ours[c]]
    more = sum(ours.get(c) is not None for c in inputs) > sum(theirs.get(c) is not None for c in inputs)
    if disagree or more:
        return mine
    return template_read
