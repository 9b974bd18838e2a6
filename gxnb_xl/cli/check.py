"""gxnb check — read reports (JSON or workbooks), explain every problem."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, friendly, lang_option, t

SEVERITY_ZH = {"error": "错误", "warning": "提示", "info": "信息"}


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON")
@click.option("--previous", type=click.Path(path_type=str), help="上年度报告（工作簿或 JSON），用于跨年度核对 / last year's report")
@click.option("--annotate", type=click.Path(path_type=str),
              help="写出带批注的新工作簿；多个输入或文件夹时为输出文件夹（每份一个 + 审核意见.xlsx）/ annotated copy, or a folder for several inputs")
@click.option("--jobs", type=click.IntRange(min=1), help="并行校验的进程数（默认 CPU 核数）/ parallel checkers (default: cores)")
@lang_option
@friendly()
def command(files, as_json, previous, annotate, jobs, lang):
    """校验报告：勾稽关系、单元格内容，并指出最可能填错的单元格。

    退出码：0 无错误；1 有错误；2 有文件无法使用。
    """
    from ..aggregate.inputs import split_for_check
    paths, skipped = split_for_check(files)  # folders listed as aggregate lists them
    results = _check_all(paths, previous, jobs, lang)
    many = len(files) > 1 or any(Path(f).is_dir() for f in files)
    if annotate and (many or Path(annotate).is_dir()):
        from ..annotate import annotate_all
        copies, review = annotate_all(results, annotate, lang, skipped)
    elif annotate:
        usable = [r for r in results if r.result is not None]
        if len(files) != 1 or not usable:
            click.echo(t(lang, "--annotate 只能用于单个可读取的输入文件", "--annotate needs exactly one readable input"), err=True)
            sys.exit(EXIT_UNUSABLE)
        from ..annotate import write_annotated
        write_annotated(usable[0], annotate, lang=lang)
    if as_json:
        listed = [{"file": s.file, "status": s.status, "state": s.state, "error": s.reason(lang)} for s in skipped]
        click.echo(json.dumps([r.to_dict() for r in results] + listed, ensure_ascii=False, indent=2))
    else:
        _print_human(results, lang)
        for s in skipped:
            click.echo(f"{s.file}  {s.reason(lang)}")
        if many:
            from ..annotate import summary_line
            click.echo(summary_line(results, skipped, lang))
        if annotate and (many or Path(annotate).is_dir()):
            from ..aggregate.words import say
            click.echo(say("review.written", lang, n=len(copies), path=review))
        elif annotate:
            click.echo(t(lang, f"已写出批注工作簿：{annotate}", f"annotated workbook written: {annotate}"))
    if any(r.status == "unreadable" for r in results) or any(s.state == "unreadable" for s in skipped):
        sys.exit(EXIT_UNUSABLE)
    sys.exit(EXIT_FINDINGS if any(r.status == "errors" for r in results) else EXIT_OK)


def _check_all(paths, previous, jobs, lang):
    """Check every path, in parallel with the pool aggregate uses (one result per path, in order)."""
    from ..checking import check_files
    if previous or len(paths) < 2:
        return check_files(paths, previous=previous, lang=lang)
    from functools import partial

    from ..aggregate.pool import map_files
    from ..checking import FileResult, check_file

    def lost(path, hung):
        return FileResult(path, "unreadable", error=t(lang, "读取此文件时校验进程意外退出或超时", "the checking process died or hung on this file"))
    got = dict(map_files(partial(check_file, lang=lang), paths, jobs, lost=lost))
    return [got[i] for i in range(len(paths))]


def _where(f) -> str:
    """The addresses worth looking at: the suspects' when known, else the first cells involved."""
    cells = [x.address for x in f.suspects if x.address][:3] or [f.addresses[c] for c in f.cells if c in f.addresses][:3]
    return "、".join(dict.fromkeys(cells))


def _print_human(results, lang):
    from rich.markup import escape

    from .common import console
    out = console()
    for r in results:
        head = f"[bold]{r.file}[/bold]"
        if r.status == "unreadable":
            out.print(f"{head}  [red]{t(lang, '无法使用', 'unusable')}[/red]：{r.error}")
            continue
        rep = r.result.report
        meta = f"{rep.unit or t(lang, '（未填单位）', '(no unit)')} {rep.year or ''} · {t(lang, '格式', 'format')} {rep.format}"
        errors = sum(f.is_error for f in r.result.findings)
        warnings = sum(f.severity == "warning" for f in r.result.findings)
        colour = "red" if errors else "yellow" if warnings else "green"
        verdict = t(lang, f"{errors} 个错误，{warnings} 个提示", f"{errors} errors, {warnings} warnings") if errors or warnings \
            else t(lang, "全部勾稽关系正确", "all relations hold")
        out.print(f"{head}  {meta}  [{colour}]{verdict}[/{colour}]")
        shown = [f for f in r.result.findings if not (f.status == "indeterminate" and f.rule != "R0")]
        hidden = len(r.result.findings) - len(shown)
        blanks = [f for f in shown if f.code == "blank"]
        if len(blanks) > 5:  # a half-filled workbook: one line, not a hundred
            shown = [f for f in shown if f.code != "blank"]
            first = "、".join(x.addresses.get(x.cells[0], x.cells[0]) for x in blanks[:3])
            out.print(t(lang, f"  [red]错误[/red] R0  {len(blanks)} 个单元格未填写（{first} 等；没有发生的事项请填 0）",
                        f"  [red]error[/red] R0  {len(blanks)} cells left blank ({first} …; type 0 where nothing happened)"))
        for f in shown:
            sev = SEVERITY_ZH.get(f.severity, f.severity) if lang != "en" else f.severity
            style = "red" if f.severity == "error" else "yellow"
            where = _where(f)
            out.print(f"  [{style}]{sev}[/{style}] {escape(f.instance)}{('  ' + where) if where else ''}\n    {escape(f.message)}")
        if hidden:
            out.print(t(lang, f"另有 {hidden} 条关系因单元格未填写而无法核对（--json 可查看）",
                        f"{hidden} more relations could not be checked because cells are blank (see --json)"))
