"""Stored totals against the effective ones (D1), and the one cause a clerk can act on.

A number typed as text (``'87``, a pasted number, full-width ``９``) is skipped by the template's
SUM, so the stored total falls short by exactly that amount. That is not a changed formula: the
cell's own finding becomes the error ("填的是文本…，合计没有计入") and names the totals it broke;
only a stored total that text does not explain remains a D1.
"""
from __future__ import annotations

from ..engine import compute_derived
from ..findings import Finding

# cell contents a spreadsheet stores as text (its SUM skips them) although we read a number
TEXT_KINDS = ("text_number", "fullwidth", "unit_suffix", "unit_converted")


def stored_total_findings(loaded, cell_findings: list[Finding]) -> list[Finding]:
    if not loaded.computed or not loaded.stored:
        return []
    report = loaded.report
    spec = report.spec
    values = report.values
    differ = [d for d in spec.derived_order
              if loaded.stored.get(d) is not None and values.get(d) is not None and loaded.stored[d] != values[d]]
    if not differ:
        return []
    texts = {f.cells[0]: f for f in cell_findings if f.rule == "R0" and f.code in TEXT_KINDS}
    as_sheet = compute_derived(spec, {**values, **{c: 0 for c in texts}}) if texts else {}
    out = []
    for d in differ:
        stored = loaded.stored[d]
        if texts and as_sheet.get(d) == stored:
            for c in _contributors(spec, d, texts):
                f = texts[c]
                f.severity, f.key = "error", "R0.text_not_summed"
                f.params.setdefault("totals", []).append(d)
                f.explains.append(f"D1[{d}]")
            continue
        out.append(Finding("D1", "error", "fail", [d], {"cell": d, "stored": stored, "fresh": values[d]},
                           lhs=stored, rhs=values[d], imbalance=stored - values[d], instance=f"D1[{d}]",
                           format=report.format, addresses={d: loaded.addresses[d]} if d in loaded.addresses else {},
                           values={d: stored}))
    return out


def _contributors(spec, total: str, cells) -> list[str]:
    """The cells among ``cells`` that ``total`` adds up, through the derivations."""
    seen, stack, out = set(), [total], []
    while stack:
        c = stack.pop()
        if c in seen:
            continue
        seen.add(c)
        if c in cells:
            out.append(c)
        eq = spec.derivations.get(c)
        if eq is not None:
            stack.extend(t.cell for t in eq.rhs)
    return sorted(out)
