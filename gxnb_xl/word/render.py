"""Render a checked report into the publication-ready Word document (and PDF / HTML).

``render_report(report, out_path, …)`` checks the report first and refuses one with
error-severity findings unless ``force=True``; a forced document says 未通过校验 in every page
header and in a red banner above the title. Templates render with docxtpl in a Jinja
``SandboxedEnvironment`` with autoescape; a custom template is linted first (unknown variables,
syntax errors → a Chinese message). Staff text reaches the template only through context
variables, escaped as literal text (``text.py``).
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ..report import Report, ReportError, write_bytes_atomic
from . import style as S
from .build import build_template
from .context import KNOWN_VARIABLES, TITLE_MISSING, TITLE_MISSING_EN, build_context, title_missing

MARK = "未通过校验"


class RenderRefused(Exception):
    """The report has error-severity findings and ``force`` was not given."""

    def __init__(self, result):
        self.result = result
        self.errors = [f for f in result.findings if f.is_error]
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        n = len(self.errors)
        if lang == "en":
            return f"not rendered: the report has {n} error(s); fix them, or use --force to render it marked “{MARK}”"
        return f"未生成：报告存在 {n} 处错误，请先更正；如确需生成，请加 --force（文档将标注“{MARK}”）"


class TemplateProblem(ReportError):
    """A custom template cannot be used (not a .docx, bad syntax, unknown variables)."""


class TitleMissing(ReportError):
    """The cover's 机关名称 or 年度 is blank and ``force`` was not given: no title can be made."""

    def __init__(self):
        super().__init__(f"未生成：{TITLE_MISSING}。请在封面填写后重新生成；如确需生成，请加 --force"
                         f"（标题将显示“【机关名称】”“【年度】”，文档标注“{MARK}”）",
                         f"not rendered: {TITLE_MISSING_EN}. Fill them in, or use --force "
                         f"(placeholders in the title, the document marked “{MARK}”)")


_UNSAFE = re.compile(r"access to attribute '([^']*)' of '([^']*)' object is unsafe")


def _security_problem(exc: SecurityError) -> TemplateProblem:
    """The sandbox's English message, said in Chinese."""
    text = str(exc)
    m = _UNSAFE.search(text)
    what = f"{m.group(2)} 对象的 {m.group(1)} 属性" if m else text
    return TemplateProblem(f"模板试图访问不安全的属性，已拒绝渲染：{what}。模板只能使用 templates/README.md 中列出的变量。",
                           f"the template tried to reach an unsafe attribute; rendering refused: {text}")


@dataclass
class Rendered:
    docx: Path
    pdf: Path | None = None
    html: Path | None = None
    passed: bool = True
    drafted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    result: object = field(default=None, repr=False)


class _Env(SandboxedEnvironment):
    """Sandboxed, autoescaping, and caching compiled templates by source (the same template
    source is compiled once per process, which keeps a render well under 100 ms)."""

    _cache: OrderedDict

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002
        key = (source, self.autoescape)
        cache = self.__dict__.setdefault("_cache", OrderedDict())
        tpl = cache.get(key)
        if tpl is None:
            tpl = super().from_string(source, globals, template_class)
            cache[key] = tpl
            if len(cache) > 16:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return tpl


_ENV = _Env(autoescape=True)


def jinja_env() -> SandboxedEnvironment:
    return _ENV


# ── templates ───────────────────────────────────────────────────────────────────────────
def read_template(template) -> bytes:
    """Bytes of a custom template (path or bytes), after checking it is a .docx at all."""
    if isinstance(template, (bytes, bytearray)):
        data, name = bytes(template), "模板"
    else:
        p = Path(template)
        name = p.name
        if p.suffix.lower() in (".dotx", ".doc", ".wps", ".odt"):
            raise TemplateProblem(f"{name}：模板须为 .docx 文件（请在 Word/WPS 中另存为 .docx）",
                                  f"{name}: the template must be a .docx file (save it as .docx in Word/WPS)")
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise TemplateProblem(f"{name}：模板文件不存在", f"{name}: no such template file") from None
        except OSError as exc:
            raise TemplateProblem(f"{name}：无法读取模板（{exc.strerror}）", f"{name}: cannot read the template ({exc.strerror})") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "word/document.xml" not in z.namelist():
                raise zipfile.BadZipFile
    except zipfile.BadZipFile:
        raise TemplateProblem(f"{name}：不是有效的 Word（.docx）文件", f"{name}: not a valid Word (.docx) file") from None
    return data


def lint_template(data: bytes, name: str = "模板") -> None:
    """Refuse a template with syntax errors or variables the renderer does not provide."""
    from docxtpl import DocxTemplate
    tpl = DocxTemplate(io.BytesIO(data))
    try:
        names = tpl.get_undeclared_template_variables(jinja_env=SandboxedEnvironment(autoescape=True))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"{name}：模板语法错误（{exc.message}）。请检查 {{{{ }}}} 与 {{% %}} 是否成对、拼写是否正确。",
                              f"{name}: template syntax error ({exc.message}); check that {{{{ }}}} and {{% %}} are balanced") from None
    except Exception as exc:  # a broken package inside a zip
        raise TemplateProblem(f"{name}：无法读取模板（{exc}）", f"{name}: cannot read the template ({exc})") from None
    unknown = sorted(set(names) - KNOWN_VARIABLES)
    if unknown:
        known = "、".join(sorted(KNOWN_VARIABLES))
        raise TemplateProblem(
            f"{name}：模板使用了未知的变量：{'、'.join(unknown)}。可用变量：{known}（说明见 templates/README.md）",
            f"{name}: the template uses unknown variables: {', '.join(unknown)}. Known: {', '.join(sorted(KNOWN_VARIABLES))} "
            f"(see templates/README.md)")


# ── rendering ───────────────────────────────────────────────────────────────────────────
def _mark_unchecked(doc, errors: list[str]) -> None:
    """未通过校验 in every header and a red banner above the title: impossible to overlook."""
    line = f"{MARK}：本报告数据存在{len(errors)}处错误，不得发布"

    def red_run(p, text, size):
        r = p.add_run(text)
        r.font.bold = True
        r.font.size = Pt(size)
        r.font.color.rgb = RGBColor.from_string(S.MARK_COLOR)
        rfonts = r._r.get_or_add_rPr().get_or_add_rFonts()
        for a in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{a}"), S.FONT_H1)

    def prepend(container, text, size):
        paras = container.paragraphs
        p = paras[0].insert_paragraph_before() if paras else container.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        red_run(p, text, size)
        return p

    for sec in doc.sections:
        headers = [sec.header, sec.even_page_header]
        if sec.different_first_page_header_footer:
            headers.append(sec.first_page_header)
        for h in headers:
            h.is_linked_to_previous = False
            prepend(h, line, 12)
    # banner: the mark, then each error, above everything else in the body
    first = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    for msg in [f"【{MARK}】本报告数据存在{len(errors)}处错误，不得发布，请更正后重新生成："] + [f"{i}. {m}" for i, m in enumerate(errors, 1)]:
        p = first.insert_paragraph_before()
        p.paragraph_format.first_line_indent = Pt(0)
        red_run(p, msg, 14 if msg.startswith("【") else 12)
    cp = doc.core_properties
    cp.subject = MARK
    cp.keywords = MARK


def render_docx_bytes(report: Report, *, template=None, result=None, context: dict | None = None,
                      lint: bool = True) -> bytes:
    """The rendered .docx as bytes (no checking here: see ``render_report``)."""
    from docxtpl import DocxTemplate
    ctx = context or build_context(report, result=result)
    if template is None:
        data = build_template(report.format)
    else:
        data = read_template(template)
        name = Path(template).name if not isinstance(template, (bytes, bytearray)) else "模板"
        if lint:
            lint_template(data, name)
    tpl = DocxTemplate(io.BytesIO(data))
    try:
        tpl.render(ctx, jinja_env=_ENV, autoescape=True)
    except SecurityError as exc:
        raise _security_problem(exc) from None
    except TemplateError as exc:
        raise TemplateProblem(f"模板渲染失败：{exc}", f"template rendering failed: {exc}") from None
    doc = tpl.docx
    if not ctx["passed"]:
        # docxtpl swaps header parts behind python-docx's back: mark a reopened copy instead
        buf = io.BytesIO()
        tpl.save(buf)
        buf.seek(0)
        from docx import Document
        doc = Document(buf)
        _mark_unchecked(doc, ctx["errors"])
    cp = doc.core_properties
    cp.title = ctx["title"]
    cp.author = report.unit or "gxnb-xl"
    cp.last_modified_by = "gxnb-xl"
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    cp.created = cp.modified = now
    buf = io.BytesIO()
    (doc if not ctx["passed"] else tpl).save(buf)
    return buf.getvalue()


def render_report(report, out_path, template=None, force: bool = False, pdf: bool = False, html: bool = False,
                  result=None) -> Rendered:
    """Check, then write ``out_path`` (.docx), and optionally the PDF and HTML beside it.

    ``report``: a ``Report``, a ``Loaded`` (from ``inputs.read_input``) or a path to any input.
    Raises ``TitleMissing`` (blank cover unit/year, no ``force``; a ``ReportError``),
    ``RenderRefused`` (errors, no ``force``), ``ReportError``/``TemplateProblem`` (unusable
    input, template or output folder) and ``office.OfficeError`` (``pdf`` without LibreOffice;
    the .docx and HTML are written first).

    A workbook's totals are formulas (``Loaded.computed``): the document prints them recomputed
    from the inputs, as check/export/aggregate use them, never the stored (possibly stale or
    typed-over) values. A JSON report's totals are what it says (check reports a mismatch).
    """
    from ..check import check
    result = result or check(report)  # the one door: effective values, every finding
    report = result.report
    if title_missing(report) and not force:
        raise TitleMissing()
    if any(f.is_error for f in result.findings) and not force:
        raise RenderRefused(result)
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".docx":
        raise ReportError(f"{out_path.name}：输出文件应以 .docx 结尾", f"{out_path.name}: the output must end in .docx")
    if not out_path.parent.is_dir():
        raise ReportError(f"输出文件夹不存在：{out_path.parent}", f"the output folder does not exist: {out_path.parent}")
    ctx = build_context(report, result=result)
    write_bytes_atomic(out_path, render_docx_bytes(report, template=template, context=ctx))
    done = Rendered(out_path, passed=ctx["passed"], drafted=list(ctx["drafted"]), errors=list(ctx["errors"]),
                    result=result)
    if html:
        from .html import render_html
        done.html = out_path.with_suffix(".html")
        write_bytes_atomic(done.html, render_html(report, context=ctx).encode("utf-8"))
    if pdf:
        from ..office import to_pdf
        done.pdf = to_pdf(out_path, out_path.with_suffix(".pdf"))
    return done
