"""gxnb check — read reports (JSON or workbooks), explain every problem."""
from __future__ import annotations

from pathlib import Path

from .. import jsontext
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, echo, t
from .parsing import add_jobs, add_json, add_lang

HELP = """校验报告：勾稽关系、单元格内容，并指出最可能填错的单元格。

退出码：0 无错误；1 有错误；2 有文件无法使用。"""


def configure(parser):
    parser.add_argument("files", metavar="FILES", nargs="+",
                        help="工作簿、报告 JSON 或文件夹 / workbooks, report JSON files or folders")
    add_json(parser)
    parser.add_argument("--previous", metavar="PATH",
                        help="上年度报告（工作簿或 JSON），用于跨年度核对 / last year's report")
    parser.add_argument("--annotate", metavar="PATH",
                        help="写出带批注的新工作簿；多个输入或文件夹时为输出文件夹（每份一个 + 审核意见.xlsx）/ "
                             "annotated copy, or a folder for several inputs")
    add_jobs(parser, "并行校验的进程数（默认 CPU 核数）/ parallel checkers (default: cores)")
    add_lang(parser)


def run(args) -> int:
    files, as_json, previous, annotate, lang = args.files, args.as_json, args.previous, args.annotate, args.lang
    from ..aggregate.inputs import split_for_check
    from ..aggregate.pool import check_paths
    paths, skipped = split_for_check(files)  # folders listed as aggregate lists them
    results = check_paths(paths, previous=previous, jobs=args.jobs)  # in parallel, like aggregate
    many = len(files) > 1 or any(Path(f).is_dir() for f in files)
    if annotate and (many or Path(annotate).is_dir()):
        from ..annotate import annotate_all
        copies, review = annotate_all(results, annotate, lang, skipped)
    elif annotate:
        usable = [r for r in results if r.result is not None]
        if len(files) != 1 or not usable:
            echo(t(lang, "--annotate 只能用于单个可读取的输入文件", "--annotate needs exactly one readable input"), err=True)
            return EXIT_UNUSABLE
        from ..annotate import write_annotated
        write_annotated(usable[0], annotate, lang=lang)
    if as_json:
        listed = [{"file": s.file, "status": s.status, "state": s.state, "error": s.reason(lang)} for s in skipped]
        echo(jsontext.dumps([r.to_dict(lang) for r in results] + listed))
    else:
        from .printing import print_results
        print_results(results, lang)
        for s in skipped:
            echo(f"{s.file}  {s.reason(lang)}")
        if many:
            from ..annotate import summary_line
            echo(summary_line(results, skipped, lang))
        if annotate and (many or Path(annotate).is_dir()):
            from ..aggregate.words import say
            echo(say("review.written", lang, n=len(copies), path=review))
        elif annotate:
            echo(t(lang, f"已写出批注工作簿：{annotate}", f"annotated workbook written: {annotate}"))
    if any(r.status == "unreadable" for r in results) or any(s.state == "unreadable" for s in skipped):
        return EXIT_UNUSABLE
    return EXIT_FINDINGS if any(r.status == "errors" for r in results) else EXIT_OK
