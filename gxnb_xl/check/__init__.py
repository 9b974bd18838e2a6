"""The one door to checking a report.

``check(source, previous=None)`` — ``source`` is a path (workbook, report JSON), a ``Loaded`` or a
``Report`` — reads it once, takes the effective values (totals recomputed from a workbook's inputs;
stored totals kept aside for D1), and runs every kind of check: workbook structure (S*), cover
(M*), previous report (P*), cell contents (R0), stored totals (D1), relations (R*, with the likely
wrong cell), narrative (T*). The CLI, export, render, aggregate (each township and the county
sum), import, --annotate, the Excel buttons and the workbench all come through here.
"""
from .pipeline import check, check_many, load
from .result import CheckResult, FileResult

__all__ = ["check", "check_many", "load", "CheckResult", "FileResult"]
