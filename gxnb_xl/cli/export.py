"""gxnb export — a filled workbook (or any readable report) as report JSON (REPORT-JSON.md).

The JSON holds the effective values (totals recomputed from the typed inputs, as the template's
formulas would); what reading noticed is told on stderr. Exit 0 when written, 2 when unusable.
"""
from __future__ import annotations

from pathlib import Path

from .common import EXIT_OK, EXIT_UNUSABLE, echo, fail, t
from .parsing import add_force, add_lang

# told on stderr by export: what reading noticed (cell contents, stored totals, workbook structure)
TOLD = ("R0", "D1", "S1", "S2", "S3", "S4", "S5", "S6", "S7")


HELP = """把填好的工作簿导出为报告 JSON（合计按填写数重新计算）。

退出码：0 已导出（有提示时写在标准错误输出）；2 文件无法使用。"""


def configure(parser):
    parser.add_argument("workbook", metavar="WORKBOOK", help="填好的工作簿 / the filled workbook")
    parser.add_argument("-o", "--output", metavar="PATH",
                        help="写出的报告 JSON（缺省输出到屏幕）/ output JSON (default: stdout)")
    add_force(parser, help="覆盖已存在的输出文件 / overwrite an existing output")
    add_lang(parser)


def run(args) -> int:
    workbook, output, force, lang = args.workbook, args.output, args.force, args.lang
    from ..check import check
    from ..messages import label
    from ..outputs import check_output, write_text_atomic

    if Path(workbook).is_dir():
        fail(t(lang, f"{Path(workbook).name}：是文件夹，不是工作簿；请指定一个填好的工作簿文件",
               f"{Path(workbook).name}: is a folder, not a workbook; name one filled workbook"), EXIT_UNUSABLE)
    result = check(workbook)
    target = None
    if output is not None and output != "-":
        target = Path(output)
        if target.is_dir():
            target = target / f"{Path(workbook).stem}.json"
        check_output(target, inputs=[workbook], force=force)

    told = [f for f in result.findings if f.rule in TOLD]
    relation_errors = [f for f in result.findings if f.is_error and f.status == "fail" and f.rule not in TOLD]
    for f in told:
        echo(f"{label('severity', f.severity, lang)}{t(lang, '：', ': ')}{f.text(lang)}", err=True)
    if relation_errors:
        echo(t(lang, f"另有 {len(relation_errors)} 处勾稽关系不成立，请用 gxnb check {Path(workbook).name} 查看并定位",
               f"{len(relation_errors)} relation(s) do not hold; run gxnb check {Path(workbook).name} to locate them"),
             err=True)
    text = result.report.dumps()
    if target is None:
        echo(text, nl=False)
    else:
        write_text_atomic(target, text)
        echo(t(lang, f"已导出报告 JSON：{target}", f"report JSON written: {target}"), err=True)
    return EXIT_OK
