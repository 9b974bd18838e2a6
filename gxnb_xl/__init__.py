"""gxnb-xl — 政府信息公开工作年度报告 toolkit: template, check, aggregate, render, import.

The curated public face (heavy parts load on first use, so ``import gxnb_xl`` stays fast)::

    import gxnb_xl
    result = gxnb_xl.check("城关镇.xlsx")          # one door: effective values, every finding
    result.status, result.findings[0].text("en")
    gxnb_xl.load("报告.json")                      # read only: a Loaded with effective values
    gxnb_xl.aggregate(["乡镇/"], unit="示范县人民政府")
    gxnb_xl.write_template("2021", "模板.xlsx")
    gxnb_xl.render(result.loaded, "报告.docx")
    gxnb_xl.import_file("2023年报.docx")

Errors: every exception gxnb raises on purpose is a ``GxnbError`` (see ``errors``).
"""
from __future__ import annotations

from importlib import import_module

from .errors import GxnbError, OutputError, Refused, ReportError
# Eager on purpose: the subpackage ``gxnb_xl.check`` would otherwise replace the function of the same
# name on this package the first time anything imports it.
from .check import CheckResult, FileResult, check, check_many, load

# name → (module, attribute): resolved on first access (PEP 562)
_LAZY = {
    "Finding": ("gxnb_xl.findings", "Finding"),
    "Suspect": ("gxnb_xl.findings", "Suspect"),
    "Report": ("gxnb_xl.report", "Report"),
    "load_report": ("gxnb_xl.report", "load_report"),
    "load_spec": ("gxnb_xl.spec", "load_spec"),
    "aggregate": ("gxnb_xl.aggregate", "aggregate"),
    "write_template": ("gxnb_xl.excel.template", "write_workbook"),
    "render": ("gxnb_xl.word.render", "render_report"),
    "import_file": ("gxnb_xl.importer", "import_file"),
    "say": ("gxnb_xl.messages", "say"),
}

__all__ = ["__version__", "GxnbError", "ReportError", "OutputError", "Refused", "check", "check_many", "load",
           "CheckResult", "FileResult", *_LAZY]


def __getattr__(name: str):
    if name == "__version__":
        from ._version import __version__
        return __version__
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'gxnb_xl' has no attribute {name!r}") from None
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
