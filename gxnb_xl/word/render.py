"""Render a checked report into the publication-ready Word document (and PDF / HTML).

``render_report(report, out_path, …)`` checks the report first and refuses one with
error-severity findings unless ``force=True``; a forced document says 未通过校验 in every page
header and in a red banner above the title. Templates render with docxtpl in a Jinja
``SandboxedEnvironment`` with autoescape; a custom template is linted first (unknown variables,
syntax errors → a Chinese message). Staff text reaches the template only through context
variables, escaped as literal text (``text.py``).
"""
from __future__ import annotations

import datetime as _dt
import io
import re
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from ..errors import OutputError, Refused
from ..messages import say
from ..outputs import check_output, write_bytes_atomic
from ..record import field, record
from ..report import Report, ReportError
from . import style as S
from .build import build_template
from .context import (
    KNOWN_VARIABLES,
    TITLE_MISSING,
    TITLE_MISSING_EN,
    build_context,
    docx_context,
    placeholder_findings,
    title_missing,
)
from .prepared import Marks, NotADocx, prepare
from .sandbox import LimitExceeded
from .text import clean, clean_line, xml_literal

MARK = "未通过校验"
DRAFT_MARK = "草稿"
MAX_TEMPLATE_BYTES = 20_000_000


class RenderRefused(Refused):
    """The report has error-severity findings and ``force`` was not given."""

    def __init__(self, result, errors=None):
        self.result = result
        self.errors = errors if errors is not None else [f for f in result.findings if f.is_error]
        super().__init__(self.message("zh"), self.message("en"))

    def message(self, lang: str = "zh") -> str:
        n = len(self.errors)
        if lang == "en":
            return f"not rendered: the report has {n} error(s); fix them, or use --force to render it marked “{MARK}”"
        return f"未生成：报告存在 {n} 处错误，请先更正；如确需生成，请加 --force（文档将标注“{MARK}”）"


class DraftRefused(Refused):
    """The narrative still holds 【请补充】/【系统草拟】 (or gxnb would draft an empty section) and
    neither ``draft`` nor ``force`` was given. ``sections``: the headings concerned."""

    def __init__(self, sections: list[str]):
        self.sections = sections  # headings as printed; the opening paragraph has none
        super().__init__(self.message("zh"), self.message("en"))

    def message(self, lang: str = "zh") -> str:
        opening = say("render.opening_paragraph", "zh")
        names = [say("render.opening_paragraph", lang) if s == opening else s for s in self.sections]
        return say("render.placeholders", lang, sections=("、" if lang != "en" else ", ").join(names))


OutputExists = OutputError  # an output exists (``--force`` overwrites), is the input, or cannot be written


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


def _security_problem(exc: SecurityError, name: str = "模板") -> TemplateProblem:
    """The sandbox's English message, said in Chinese."""
    text = str(exc)
    m = _UNSAFE.search(text)
    what = f"{m.group(2)} 对象的 {m.group(1)} 属性" if m else text
    return TemplateProblem(f"{name}：模板试图访问不安全的属性，已拒绝渲染：{what}。模板只能使用 templates/README.md 中列出的变量。",
                           f"{name}: the template tried to reach an unsafe attribute; rendering refused: {text}")


@record
class Rendered:
    """What a render wrote, and whether the report passed."""

    docx: Path
    pdf: Path | None = None
    html: Path | None = None
    passed: bool = True
    drafted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    result: object = field(default=None, repr=False)
    draft: bool = False  # holds 【请补充】/【系统草拟】 (rendered with --draft or --force), marked 草稿
    placeholder_sections: list[str] = field(default_factory=list)


# ── templates ───────────────────────────────────────────────────────────────────────────
def _template_name(template) -> str:
    return "模板" if template is None or isinstance(template, (bytes, bytearray)) else Path(template).name


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
            if not p.is_file():
                raise FileNotFoundError
            if p.stat().st_size > MAX_TEMPLATE_BYTES:
                raise TemplateProblem(f"{name}：模板文件过大（超过 {MAX_TEMPLATE_BYTES // 1_000_000} MB）",
                                      f"{name}: the template is too large (over {MAX_TEMPLATE_BYTES // 1_000_000} MB)")
            data = p.read_bytes()
        except FileNotFoundError:
            raise TemplateProblem(f"{name}：模板文件不存在", f"{name}: no such template file") from None
        except OSError as exc:
            raise TemplateProblem(f"{name}：无法读取模板（{exc.strerror}）", f"{name}: cannot read the template ({exc.strerror})") from None
    return data


def _prepared(data: bytes, name: str):
    try:
        return prepare(data, name)
    except NotADocx:
        raise TemplateProblem(f"{name}：不是有效的 Word（.docx）文件", f"{name}: not a valid Word (.docx) file") from None
    except Exception as exc:  # a broken package inside a zip
        raise TemplateProblem(f"{name}：无法读取模板（{type(exc).__name__}）",
                              f"{name}: cannot read the template ({type(exc).__name__}: {exc})") from None


def lint_template(data: bytes, name: str = "模板") -> None:
    """Refuse a template with syntax errors, include/import/extends, or variables the renderer
    does not provide."""
    prepared = _prepared(data, name)
    try:
        names, bad = prepared.variables()
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"{name}：模板语法错误（{exc.message}）。请检查 {{{{ }}}} 与 {{% %}} 是否成对、拼写是否正确。",
                              f"{name}: template syntax error ({exc.message}); check that {{{{ }}}} and {{% %}} are balanced") from None
    if bad:
        raise TemplateProblem(f"{name}：模板使用了 {'、'.join(bad)}，不受支持（模板须是一个完整的文件，不能引用其他模板）",
                              f"{name}: the template uses {', '.join(bad)}, which is not supported (a template is one self-contained file)")
    unknown = sorted(set(names) - KNOWN_VARIABLES)
    if unknown:
        known = "、".join(sorted(KNOWN_VARIABLES))
        raise TemplateProblem(
            f"{name}：模板使用了未知的变量：{'、'.join(unknown)}。可用变量：{known}（说明见 templates/README.md）",
            f"{name}: the template uses unknown variables: {', '.join(unknown)}. Known: {', '.join(sorted(KNOWN_VARIABLES))} "
            f"(see templates/README.md)")


# ── rendering ───────────────────────────────────────────────────────────────────────────
def _red_run(p, text, size):
    r = p.add_run(text)
    r.font.bold = True
    r.font.size = Pt(size)
    r.font.color.rgb = RGBColor.from_string(S.MARK_COLOR)
    rfonts = r._r.get_or_add_rPr().get_or_add_rFonts()
    for a in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{a}"), S.FONT_H1)


def _mark(doc, header_line: str, banner: list[str], keyword: str) -> None:
    """A red line in every page header and a red banner above the title: impossible to overlook."""
    for sec in doc.sections:
        headers = [sec.header, sec.even_page_header]
        if sec.different_first_page_header_footer:
            headers.append(sec.first_page_header)
        for h in headers:
            h.is_linked_to_previous = False
            paras = h.paragraphs
            p = paras[0].insert_paragraph_before() if paras else h.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Pt(0)
            _red_run(p, header_line, 12)
    first = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    for i, msg in enumerate(banner):
        p = first.insert_paragraph_before()
        p.paragraph_format.first_line_indent = Pt(0)
        _red_run(p, clean(msg), 14 if i == 0 else 12)
    cp = doc.core_properties
    cp.subject = keyword if not cp.subject else f"{cp.subject} {keyword}"
    cp.keywords = keyword if not cp.keywords else f"{cp.keywords} {keyword}"


def _mark_unchecked(doc, errors: list[str]) -> None:
    _mark(doc, f"{MARK}：本报告数据存在{len(errors)}处错误，不得发布",
          [f"【{MARK}】本报告数据存在{len(errors)}处错误，不得发布，请更正后重新生成："]
          + [f"{i}. {m}" for i, m in enumerate(errors, 1)], MARK)


def _mark_draft(doc, sections: list[str]) -> None:
    _mark(doc, say("render.draft_header"), [say("render.draft_banner", sections="、".join(sections))], DRAFT_MARK)


def _mark_paragraph(text: str, size_pt: int) -> str:
    font = S.FONT_H1
    return (f'<w:p><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr>'
            f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/><w:b/>'
            f'<w:color w:val="{S.MARK_COLOR}"/><w:sz w:val="{size_pt * 2}"/><w:szCs w:val="{size_pt * 2}"/></w:rPr>'
            f'<w:t xml:space="preserve">{xml_literal(text)}</w:t></w:r></w:p>')


def _banner_paragraph(text: str, size_pt: int) -> str:
    return _mark_paragraph(text, size_pt).replace('<w:jc w:val="center"/>', "")


def _marks(ctx: dict) -> Marks | None:
    """The same marks as ``_mark_unchecked``/``_mark_draft``, as XML for ``Prepared.render``."""
    header, banner = "", ""
    if not ctx["passed"]:
        n = len(ctx["errors"])
        header += _mark_paragraph(f"{MARK}：本报告数据存在{n}处错误，不得发布", 12)
        banner += _banner_paragraph(f"【{MARK}】本报告数据存在{n}处错误，不得发布，请更正后重新生成：", 14)
        banner += "".join(_banner_paragraph(f"{i}. {m}", 12) for i, m in enumerate(ctx["errors"], 1))
    if ctx.get("draft_sections"):
        header += _mark_paragraph(say("render.draft_header"), 12)
        banner += _banner_paragraph(say("render.draft_banner", sections="、".join(ctx["draft_sections"])), 14)
    return Marks(header, banner) if header else None


def _limit_problem(exc: LimitExceeded, name: str) -> TemplateProblem:
    return TemplateProblem(say("template.limit", "zh", name=name, reason=exc.zh),
                           say("template.limit", "en", name=name, reason=exc.en))


def render_docx_bytes(report: Report, *, template=None, result=None, context: dict | None = None,
                      lint: bool = True) -> bytes:
    """The rendered .docx as bytes (no checking here: see ``render_report``).

    The template (the shipped one, or ``template``) is prepared once per process
    (``prepared.py``); a forced or draft document is then marked through python-docx."""
    ctx = context or build_context(report, result=result)
    if template is None:
        data, name = build_template(report.format), f"report-{report.format}.docx"
    else:
        data, name = read_template(template), _template_name(template)
        if lint:
            lint_template(data, name)
    prepared = _prepared(data, name)
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    core = {"title": clean_line(ctx["title"]), "creator": clean_line(report.unit or "") or "gxnb-xl",
            "lastModifiedBy": "gxnb-xl", "created": now, "modified": now}
    marks = _marks(ctx)
    fast_marks = marks is not None and prepared.header_complete
    if fast_marks:
        words = ([MARK] if not ctx["passed"] else []) + ([DRAFT_MARK] if ctx.get("draft_sections") else [])
        core["subject"] = core["keywords"] = " ".join(reversed(words))
    try:
        out = prepared.render(docx_context(ctx), core=core, marks=marks if fast_marks else None)
    except LimitExceeded as exc:
        raise _limit_problem(exc, name) from None
    except SecurityError as exc:
        raise _security_problem(exc, name) from None
    except (TemplateError, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError, OverflowError) as exc:
        detail = f"{type(exc).__name__}: {exc}"[:300]
        raise TemplateProblem(say("template.failed", "zh", name=name, detail=detail),
                              say("template.failed", "en", name=name, detail=detail)) from None
    if marks is None or fast_marks:
        return out
    from docx import Document
    doc = Document(io.BytesIO(out))
    if ctx.get("draft_sections"):
        _mark_draft(doc, ctx["draft_sections"])
    if not ctx["passed"]:
        _mark_unchecked(doc, ctx["errors"])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ── outputs ─────────────────────────────────────────────────────────────────────────────
def check_outputs(paths: list[Path], *, inputs=(), overwrite: bool = False) -> None:
    """May these outputs be written (``outputs.check_output``: never over an input, never over an
    existing file unless ``overwrite``, the folder must exist)? Checked all before any is written."""
    for p in paths:
        check_output(p, inputs=[i for i in inputs if i], force=overwrite)


def render_report(report, out_path, template=None, force: bool = False, pdf: bool = False, html: bool = False,
                  result=None, draft: bool = False, overwrite: bool | None = None) -> Rendered:
    """Check, then write ``out_path`` (.docx), and optionally the PDF and HTML beside it.

    ``report``: a ``Report``, a ``Loaded`` (from ``inputs.read_input``) or a path to any input.
    Refuses (before writing anything) with ``TitleMissing`` (blank cover unit/year),
    ``RenderRefused`` (error findings), ``DraftRefused`` (narrative holding 【请补充】/【系统草拟】,
    or empty and drafted, without ``draft``), ``OutputExists`` (an output exists; ``overwrite``,
    default ``force``, allows it); ``force`` renders despite all of these, marked 未通过校验 /
    草稿. Raises ``ReportError``/``TemplateProblem`` (unusable input, template or output: disk
    full, read-only) and ``office.OfficeError`` (``pdf`` without LibreOffice; the .docx and HTML
    are written first). The document is Chinese, its marks too.

    A workbook's totals are formulas (``Loaded.computed``): the document prints them recomputed
    from the inputs, as check/export/aggregate use them, never the stored (possibly stale or
    typed-over) values. A JSON report's totals are what it says (check reports a mismatch).
    """
    from ..check import check
    source = report if isinstance(report, (str, Path)) else getattr(report, "path", None)
    result = result or check(report)  # the one door: effective values, every finding
    if source is None and result.loaded is not None:
        source = result.loaded.path
    report = result.report
    if title_missing(report) and not force:
        raise TitleMissing()
    drafts = placeholder_findings(report, result)
    errors = [f for f in result.findings if f.is_error and (force or f not in drafts)]
    if errors and not force:
        raise RenderRefused(result, errors)
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".docx":
        raise ReportError(f"{out_path.name}：输出文件应以 .docx 结尾", f"{out_path.name}: the output must end in .docx")
    ctx = build_context(report, result=result, errors=[f.message for f in errors])
    sections = ctx["draft_sections"]
    if sections and not (draft or force):
        raise DraftRefused(sections)
    outputs = [out_path] + ([out_path.with_suffix(".html")] if html else []) + ([out_path.with_suffix(".pdf")] if pdf else [])
    check_outputs(outputs, inputs=[source] if source else (), overwrite=force if overwrite is None else overwrite)
    write_bytes_atomic(out_path, render_docx_bytes(report, template=template, context=ctx))
    done = Rendered(out_path, passed=ctx["passed"], drafted=list(ctx["drafted"]), errors=list(ctx["errors"]),
                    result=result, draft=bool(sections), placeholder_sections=sections)
    if html:
        from .html import render_html
        done.html = out_path.with_suffix(".html")
        write_bytes_atomic(done.html, render_html(report, context=ctx).encode("utf-8"))
    if pdf:
        from ..office import to_pdf
        done.pdf = to_pdf(out_path, out_path.with_suffix(".pdf"))
    return done
