"""gxnb render — the publication-ready Word report (and PDF / HTML) from checked data."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, fail, friendly, lang_option, t


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="输出 Word 文件（.docx），默认与输入同名 / output .docx (default: INPUT's name)")
@click.option("--template", type=click.Path(dir_okay=False, path_type=str),
              help="自定义 Word 模板（.docx，变量见 templates/README.md）/ custom .docx template")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF / also convert to PDF with LibreOffice")
@click.option("--html", is_flag=True, help="同时生成网页版（.html）/ also write an HTML page")
@click.option("--force", is_flag=True, help="有错误也生成（文档标注“未通过校验”）/ render despite errors (marked)")
@lang_option
@friendly()
def command(input_path, output, template, pdf, html, force, lang):
    """由工作簿或报告 JSON 生成政府信息公开工作年度报告（Word，可选 PDF、网页）。

    默认拒绝生成有错误或封面未填机关名称/年度的报告；--force 仍生成，并在每页页眉和正文开头标注“未通过校验”。
    工作簿中的合计按填写的数据重新计算后生成（与 check、export 一致）。
    正文某部分为空时，按表格数据草拟并以底色标出，请核对。

    退出码：0 已生成；1 有错误（未生成，或按 --force 生成）；2 输入、模板或 PDF 转换无法完成。
    """
    from ..check import check
    from ..office import OfficeError
    from ..report import ReportError
    from ..word import RenderRefused, render_report
    src = Path(input_path)
    out = Path(output) if output else Path(src.stem + ".docx")
    if out.suffix.lower() != ".docx":
        fail(t(lang, f"{out.name}：输出文件应以 .docx 结尾（PDF、网页请用 --pdf、--html）",
               f"{out.name}: the output must end in .docx (use --pdf / --html for the others)"))
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        fail(t(lang, f"输出文件夹不存在：{parent}", f"the output folder does not exist: {parent}"))
    if src.exists() and out.exists() and out.resolve() == src.resolve():
        fail(t(lang, "输出文件不能与输入文件相同", "the output must not be the input file"))
    try:
        result = check(src)
    except ReportError as exc:
        fail(exc.message(lang))
    errors = [f for f in result.findings if f.is_error]
    if errors:
        click.echo(t(lang, f"{src.name}：{len(errors)} 处错误", f"{src.name}: {len(errors)} error(s)"), err=True)
        for f in errors:
            click.echo(f"  [{f.instance}] {f.text(lang)}", err=True)
    try:
        done = render_report(result.loaded, out, template=template, force=force, pdf=False, html=html,
                             result=result)
    except RenderRefused as exc:
        fail(exc.message(lang), EXIT_FINDINGS)
    except ReportError as exc:  # includes TemplateProblem
        fail(exc.message(lang))
    click.echo(t(lang, f"已生成：{done.docx}", f"written: {done.docx}"))
    if done.html:
        click.echo(t(lang, f"已生成：{done.html}", f"written: {done.html}"))
    spec = result.report.spec
    if done.drafted:
        names = "、".join((s.heading or t(lang, "开头段落", "opening paragraph")) for s in spec.sections if s.key in done.drafted)
        click.echo(t(lang, f"提示：以下部分为空，已按表格数据草拟（文中以底色标出），请核对：{names}",
                     f"note: empty sections drafted from the tables (shaded in the document), please review: {names}"))
    if not done.passed:
        click.echo(t(lang, "注意：已按 --force 生成，文档每页页眉和正文开头标注“未通过校验”，不得发布。",
                     "warning: rendered with --force; every page header and the first page say 未通过校验 (not checked)."),
                   err=True)
    if pdf:
        from ..office import to_pdf
        try:
            path = to_pdf(done.docx, done.docx.with_suffix(".pdf"))
        except OfficeError as exc:
            fail(t(lang, f"Word 文件已生成，但 PDF 未生成：{exc.message(lang)}",
                   f"the .docx is written, but not the PDF: {exc.message(lang)}"), EXIT_UNUSABLE)
        click.echo(t(lang, f"已生成：{path}", f"written: {path}"))
    sys.exit(EXIT_OK if done.passed else EXIT_FINDINGS)
