"""gxnb check — read reports (JSON or workbooks), explain every problem."""
from __future__ import annotations

import json
import sys

import click

from .common import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, friendly, lang_option, t


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON")
@click.option("--previous", type=click.Path(path_type=str), help="上年度报告（工作簿或 JSON），用于跨年度核对 / last year's report")
@click.option("--annotate", type=click.Path(path_type=str), help="写出带批注的新工作簿（仅限一个输入）/ write an annotated copy")
@lang_option
@friendly()
def command(files, as_json, previous, annotate, lang):
    """校验报告：勾稽关系、单元格内容，并指出最可能填错的单元格。

    退出码：0 无错误；1 有错误；2 有文件无法使用。
    """
    from ..check import check_many
    results = check_many(files, previous=previous)
    if annotate:
        usable = [r for r in results if r.result is not None]
        if len(files) != 1 or not usable:
            click.echo(t(lang, "--annotate 只能用于单个可读取的输入文件", "--annotate needs exactly one readable input"), err=True)
            sys.exit(EXIT_UNUSABLE)
        from ..annotate import write_annotated
        write_annotated(usable[0], annotate, lang=lang)
    if as_json:
        click.echo(json.dumps([r.to_dict(lang) for r in results], ensure_ascii=False, indent=2))
    else:
        from .printing import print_results
        print_results(results, lang)
        if annotate:
            click.echo(t(lang, f"已写出批注工作簿：{annotate}", f"annotated workbook written: {annotate}"))
    if any(r.status == "unreadable" for r in results):
        sys.exit(EXIT_UNUSABLE)
    sys.exit(EXIT_FINDINGS if any(r.status == "errors" for r in results) else EXIT_OK)
