"""gxnb check — read reports (JSON or workbooks), explain every problem."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import jsontext
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, friendly, lang_option, t


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
    from ..aggregate.pool import check_paths
    paths, skipped = split_for_check(files)  # folders listed as aggregate lists them
    results = check_paths(paths, previous=previous, jobs=jobs)  # in parallel, like aggregate
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
        click.echo(jsontext.dumps([r.to_dict(lang) for r in results] + listed))
    else:
        from .printing import print_results
        print_results(results, lang)
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
