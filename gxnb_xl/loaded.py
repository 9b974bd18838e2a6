"""What reading an input gives: the report, where each cell lives, and what was stored.

``Loaded.report.values`` are the *effective* values: for a workbook whose totals are formulas
(``computed``), every derived cell recomputed from the typed inputs, as the template would. The
totals the file stored are kept aside in ``stored``, only for the finding that they disagree (D1).
"""
from __future__ import annotations

from pathlib import Path

from .record import field, record
from .report import Report


@record
class Loaded:
    """A source read: its report, where it came from and where each cell was."""

    report: Report
    path: Path | None
    kind: str  # json | workbook | import | report
    addresses: dict[str, str] = field(default_factory=dict)  # cell id → sheet!A1
    computed: bool = False  # derived cells are formulas: recompute them, never trust stored totals
    template: dict = field(default_factory=dict)  # template id / format / version when a workbook
    notes: list = field(default_factory=list)  # structural remarks (protection removed, …) as findings
    stored: dict = field(default_factory=dict)  # derived cell → value the file stored (computed sources)
    effective: bool = False  # report.values already hold the recomputed totals

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else (self.report.unit or "")


def make_effective(loaded: Loaded) -> Loaded:
    """The one place where totals are recomputed from inputs: stored totals move aside."""
    if loaded.computed and not loaded.effective:
        from .engine import compute_derived
        report = loaded.report
        spec = report.spec
        loaded.stored = {d: report.values.get(d) for d in spec.derived_order}
        report.values = compute_derived(spec, report.values)
    loaded.effective = True
    return loaded


def from_report(report: Report, *, computed: bool = False, path=None, kind: str = "report") -> Loaded:
    """A report built in memory (a county sum, an import) as a checkable source; ``computed``
    recomputes its totals from its inputs."""
    return make_effective(Loaded(report, Path(path) if path is not None else None, kind, computed=computed))
