"""The publication-ready report: Word (docxtpl over a python-docx-built template), HTML, PDF.

Public API::

    render_report(report, out_path, template=None, force=False, pdf=False, html=False, lang="zh")
    render_html(report) -> str
    build_template(format_id) -> bytes      # the official template, deterministic

Exceptions: ``RenderRefused`` (error findings and no ``force``), ``TemplateProblem`` (a custom
template cannot be used; a ``ReportError``), ``office.OfficeError`` (no LibreOffice for PDF).
"""
from .build import build_template
from .html import render_html
from .render import MARK, RenderRefused, Rendered, TemplateProblem, render_docx_bytes, render_report

__all__ = ["build_template", "render_html", "render_report", "render_docx_bytes", "RenderRefused", "Rendered",
           "TemplateProblem", "MARK"]
