"""The publication-ready report: Word (docxtpl over a python-docx-built template), HTML, PDF.

Public API::

    render_report(report, out_path, template=None, force=False, pdf=False, html=False, lang="zh",
                  draft=False, overwrite=None)
    render_html(report) -> str
    build_template(format_id) -> bytes      # the official template, deterministic

Exceptions: ``RenderRefused`` (error findings and no ``force``), ``DraftRefused`` (narrative
holding 【请补充】/【系统草拟】 and no ``draft``/``force``), ``OutputExists`` (an output exists and
no ``force``; a ``ReportError``), ``TemplateProblem`` (a custom template cannot be used or went
over the sandbox's limits; a ``ReportError``), ``office.OfficeError`` (no LibreOffice for PDF).
"""
from .build import build_template
from .html import render_html
from .render import (DRAFT_MARK, MARK, DraftRefused, OutputExists, RenderRefused, Rendered, TemplateProblem,
                     render_docx_bytes, render_report)

__all__ = ["build_template", "render_html", "render_report", "render_docx_bytes", "RenderRefused", "DraftRefused",
           "OutputExists", "Rendered", "TemplateProblem", "MARK", "DRAFT_MARK"]
