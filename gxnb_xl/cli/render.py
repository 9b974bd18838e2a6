"""gxnb render — the publication-ready Word report (and PDF / HTML) from checked data."""
from __future__ import annotations

from pathlib import Path

from .common import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, echo, fail, t
from .parsing import add_lang, file_path

HELP = """由工作簿或报告 JSON 生成政府信息公开工作年度报告（Word，可选 PDF、网页）。

默认拒绝生成有错误或封面未填机关名称/年度的报告；--force 仍生成，并在每页页眉和正文开头标注“未通过校验”。
正文仍含【请补充】【系统草拟】（或某部分为空、需按表格数据草拟）时拒绝生成并列出这些部分；--draft 生成草稿，
每页标注“草稿”，草拟文字以底色标出。输出文件已存在时不覆盖，需加 --force。
工作簿中的合计按填写的数据重新计算后生成（与 check、export 一致）。

退出码：0 已生成；1 有错误或含待补充内容（未生成，或按 --force/--draft 生成）；2 输入、输出、模板或 PDF 转换无法完成。"""


def configure(parser):
    parser.add_argument("input_path", metavar="INPUT", help="工作簿或报告 JSON / a workbook or report JSON")
    parser.add_argument("-o", "--output", metavar="PATH",
                        help="输出 Word 文件（.docx），默认与输入同名 / output .docx (default: INPUT's name)")
    parser.add_argument("--template", type=file_path, metavar="FILE",
                        help="自定义 Word 模板（.docx，变量见 templates/README.md）/ custom .docx template")
    parser.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF / also convert to PDF with LibreOffice")
    parser.add_argument("--html", action="store_true", help="同时生成网页版（.html）/ also write an HTML page")
    parser.add_argument("--draft", action="store_true",
                        help="正文含【请补充】【系统草拟】时仍生成草稿（每页标注“草稿”）/ render a draft despite placeholders (marked)")
    parser.add_argument("--force", action="store_true",
                        help="覆盖已存在的输出；有错误也生成（文档标注“未通过校验”）/ overwrite outputs; render despite errors (marked)")
    add_lang(parser)


def run(args) -> int:
    input_path, output, template, pdf, html, draft, force, lang = (args.input_path, args.output, args.template, args.pdf,
                                                                    args.html, args.draft, args.force, args.lang)
    from ..check import check
    from ..office import OfficeError
    from ..errors import GxnbError
    from ..report import ReportError
    from ..word import DraftRefused, RenderRefused, render_report
    src = Path(input_path)
    out = Path(output) if output else Path(src.stem + ".docx")
    if out.suffix.lower() != ".docx":
        fail(t(lang, f"{out.name}：输出文件应以 .docx 结尾（PDF、网页请用 --pdf、--html）",
               f"{out.name}: the output must end in .docx (use --pdf / --html for the others)"))
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        fail(t(lang, f"输出文件夹不存在：{parent}", f"the output folder does not exist: {parent}"))
    if out.is_dir():
        fail(t(lang, f"输出路径是一个文件夹：{out}", f"the output path is a folder: {out}"))
    if src.exists() and out.exists() and out.resolve() == src.resolve():
        fail(t(lang, "输出文件不能与输入文件相同", "the output must not be the input file"))
    if pdf:  # refused before anything is written
        from ..errors import OutputError
        from ..outputs import check_output
        try:
            check_output(out.with_suffix(".pdf"), force=force)
        except OutputError as exc:
            fail(exc.message(lang))
    try:
        result = check(src)
    except ReportError as exc:
        fail(exc.message(lang))
    errors = [f for f in result.findings if f.is_error]
    if errors:
        echo(t(lang, f"{src.name}：{len(errors)} 处错误", f"{src.name}: {len(errors)} error(s)"), err=True)
        for f in errors:
            echo(f"  [{f.instance}] {f.text(lang)}", err=True)
    try:
        done = render_report(result.loaded, out, template=template, force=force, pdf=False, html=html,
                             result=result, draft=draft)
    except (RenderRefused, DraftRefused) as exc:
        fail(exc.message(lang), EXIT_FINDINGS)
    except GxnbError as exc:  # unusable input, template (TemplateProblem) or output (OutputError)
        fail(exc.message(lang))
    echo(t(lang, f"已生成：{done.docx}", f"written: {done.docx}"))
    if done.html:
        echo(t(lang, f"已生成：{done.html}", f"written: {done.html}"))
    spec = result.report.spec
    if done.drafted:
        names = "、".join((s.heading or t(lang, "开头段落", "opening paragraph")) for s in spec.sections if s.key in done.drafted)
        echo(t(lang, f"提示：以下部分为空，已按表格数据草拟（文中以底色标出），请核对：{names}",
               f"note: empty sections drafted from the tables (shaded in the document), please review: {names}"))
    if done.draft:
        echo(t(lang, "注意：正文仍含待补充内容，已生成草稿（每页标注“草稿”），不得发布。",
               "warning: the narrative still holds text to be completed; a draft marked 草稿 was written."),
             err=True)
    if not done.passed:
        echo(t(lang, "注意：已按 --force 生成，文档每页页眉和正文开头标注“未通过校验”，不得发布。",
               "warning: rendered with --force; every page header and the first page say 未通过校验 (not checked)."),
             err=True)
    if pdf:
        from ..interrupts import Interrupted
        from ..office import to_pdf
        pdf_path = done.docx.with_suffix(".pdf")
        try:
            path = to_pdf(done.docx, pdf_path)
        except Interrupted as exc:
            from ..messages import say
            fail(say("pdf.interrupted", lang), exc.exit_code)
        except OfficeError as exc:
            fail(t(lang, f"Word 文件已生成，但 PDF 未生成：{exc.message(lang)}",
                   f"the .docx is written, but not the PDF: {exc.message(lang)}"), EXIT_UNUSABLE)
        echo(t(lang, f"已生成：{path}", f"written: {path}"))
    return EXIT_OK if done.passed and not done.draft else EXIT_FINDINGS
