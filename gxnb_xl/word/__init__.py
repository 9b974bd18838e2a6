"""The publication-ready report: Word (docxtpl over a python-docx-built template), HTML, PDF.

Public API::

    render_report(report, out_path, template=None, force=False, pdf=False, html=False, result=None,
                  draft=False, overwrite=None)
    render_docx_bytes(report, template=None, result=None, context=None) -> bytes
    render_html(report) -> str
    build_template(format_id) -> bytes      # the official template, deterministic

The shipped template (or a custom one) is prepared once per process (``prepared.py``) and renders
in a bounded sandbox (``sandbox.py``); tables are drawn from ``layout.py``, the one table grid.

Exceptions: ``RenderRefused`` (error findings and no ``force``), ``DraftRefused`` (narrative
holding 【请补充】/【系统草拟】 and no ``draft``/``force``), ``OutputExists`` (``errors.OutputError``:
an output exists and no ``force``, is an input, or cannot be written), ``TemplateProblem`` (a custom template cannot be used or went
over the sandbox's limits; a ``ReportError``), ``office.OfficeError`` (no LibreOffice for PDF).
"""
from importlib import import_module

# name → module: loaded on first use (PEP 562). Reading a workbook needs only ``word.layout`` (the
# table grid); importing python-docx and Jinja for it would cost every `gxnb check` ~150 ms.
_LAZY = {"build_template": ".build", "render_html": ".html", "DRAFT_MARK": ".render", "MARK": ".render",
         "DraftRefused": ".render", "OutputExists": ".render", "RenderRefused": ".render", "Rendered": ".render",
         "TemplateProblem": ".render", "render_docx_bytes": ".render", "render_report": ".render"}

__all__ = ["build_template", "render_html", "render_report", "render_docx_bytes", "RenderRefused", "DraftRefused",
           "OutputExists", "Rendered", "TemplateProblem", "MARK", "DRAFT_MARK"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
