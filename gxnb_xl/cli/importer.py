"""gxnb import — turn published reports (web pages, Word files, PDF text) back into data."""
from __future__ import annotations

import json
from pathlib import Path

from ..messages import label, table_name
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, echo, fail, t
from .parsing import add_force, add_format, add_json, add_lang

MAX_NOTES = 12

HELP = """从已发布的年度报告导入数据，并校验。

可读：.pdf（有文字层；扫描件会说明无法读取）、.docx、.doc（需 LibreOffice）、.html/.htm 网页、
.txt（网页或 PDF 复制的文本，整页一行、数字粘连也可；UTF-8/UTF-16/GBK/Big5 自动识别）、
以及存有官方表格但不是本工具模板的工作簿（.xlsx/.xls/.ods）。

每个单元格都标明“读取”“推出（附理由）”或“缺失”，不会悄悄猜测。

退出码：0 导入完整且无错误；1 有缺失单元格或校验错误；2 有文件无法使用。"""


def configure(parser):
    parser.add_argument("sources", metavar="SOURCES", nargs="+",
                        help="已发布的报告文件 / published report files")
    parser.add_argument("-o", "--output", metavar="PATH",
                        help="输出文件 OUT.json 或 OUT.xlsx（多个输入时为文件夹）/ output OUT.json or OUT.xlsx (a folder for several inputs)")
    add_json(parser, help="输出 JSON（报告、导入记录与校验结果）/ print JSON")
    add_format(parser, help="指定报告格式（默认自动识别）/ force the format")
    parser.add_argument("--year", type=int, help="指定数据年度（默认从标题识别）/ force the data year")
    add_force(parser, help="覆盖已存在的输出文件 / overwrite existing output files")
    add_lang(parser)


def run(args) -> int:
    sources, output, as_json, format_id, year, lang, force = (args.sources, args.output, args.as_json, args.format_id,
                                                              args.year, args.lang, args.force)
    from ..importer import import_file
    from ..report import ReportError

    out_dir = None
    if output and len(sources) > 1:
        out_dir = Path(output)
        if out_dir.exists() and not out_dir.is_dir():
            fail(t(lang, f"多个输入时 -o 应为文件夹：{output}", f"with several inputs -o must be a folder: {output}"))
        out_dir.mkdir(parents=True, exist_ok=True)
    elif output:
        if Path(output).suffix.lower() not in (".json", ".xlsx"):
            fail(t(lang, f"输出文件应为 .json 或 .xlsx：{output}", f"the output must be .json or .xlsx: {output}"))
        for s in sources:
            if Path(s).resolve() == Path(output).resolve():
                fail(t(lang, "输出文件不能覆盖输入文件", "the output would overwrite an input"))

    targets = _targets(sources, out_dir)
    records = []
    unusable = problems = False
    for src in sources:
        try:
            result = import_file(src, format_id=format_id, year=year)
        except ReportError as exc:
            unusable = True
            records.append({"file": src, "status": "unreadable", "error": exc.message(lang)})
            if not as_json:
                echo(f"{src}  {t(lang, '无法使用', 'unusable')}：{exc.message(lang)}", err=True)
            continue
        from ..check import check as check_report
        from ..loaded import from_report
        check = check_report(from_report(result.report, path=src, kind="import"))
        written = None
        if output:
            target = Path(output) if out_dir is None else targets[src]
            if target.exists() and not force:
                fail(t(lang, f"文件已存在：{target}。为防止覆盖已有内容，请换一个文件名，或加 --force 覆盖",
                       f"{target} exists; choose another name or pass --force"))
            written = _write(result, target, lang)
        if result.missing or check.status == "errors":
            problems = True
        rec = {"file": src, "status": check.status, "output": str(written) if written else None,
               "report": result.report.to_json_dict(),
               "findings": [f.to_dict(lang) for f in check.findings]}
        records.append(rec)
        if not as_json:
            _print_human(src, result, check, written, lang)
    if as_json:
        echo(json.dumps(records if len(sources) > 1 else records[0], ensure_ascii=False, indent=2))
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_FINDINGS if problems else EXIT_OK


def _targets(sources, out_dir) -> dict:
    """One output name per input, never two inputs on one name (2023/报告.txt and 2024/报告.txt become
    2023-报告.json and 2024-报告.json; a name still taken gets -2, -3, …)."""
    if out_dir is None:
        return {}
    stems: dict[str, int] = {}
    for src in sources:
        stems[Path(src).stem] = stems.get(Path(src).stem, 0) + 1
    out, used = {}, set()
    for src in sources:
        p = Path(src)
        name = p.stem if stems[p.stem] == 1 else f"{p.resolve().parent.name}-{p.stem}"
        candidate, k = name, 2
        while candidate in used:
            candidate, k = f"{name}-{k}", k + 1
        used.add(candidate)
        out[src] = Path(out_dir) / (candidate + ".json")
    return out


def _write(result, target: Path, lang: str) -> Path:
    if target.suffix.lower() == ".xlsx":
        try:
            from ..excel.template import write_workbook
        except ImportError:
            fail(t(lang, "本版本尚不能写出工作簿，请用 -o OUT.json", "this version cannot write workbooks yet; use -o OUT.json"))
        write_workbook(target, result.report.format, report=result.report)
    else:
        result.report.save(target)
    return target


def _print_human(src, result, check, written, lang):
    from ..check import FileResult
    from .printing import console, print_results
    out = console()
    rep = result.report
    print_results([FileResult(src, check.status, check)], lang)
    parts = []
    for tid, c in result.confidence.items():
        name = table_name(rep.spec, tid, lang)
        level = label("confidence", c["level"], lang)
        if lang == "en":
            parts.append(f"{name}: {c['read']} read, {c['derived']} derived, {c['missing']} missing "
                         f"(relations {c['relations_holding']}/{c['relations_checked']}; confidence {level})")
        else:
            parts.append(f"{name}：读取 {c['read']}，推出 {c['derived']}，缺失 {c['missing']}"
                         f"（勾稽关系 {c['relations_holding']}/{c['relations_checked']} 成立；可信度{level}）")
    out.print(t(lang, "导入：", "import: ") + ("；" if lang != "en" else "; ").join(parts))
    if not rep.unit or not rep.year:
        out.print(t(lang, "[yellow]单位名称或年度未识别，请用 --year 指定或在输出中补填[/yellow]",
                    "[yellow]unit or year not found; pass --year or fill it in the output[/yellow]"))
    shown = result.warnings[:MAX_NOTES]
    for w in shown:
        out.print(f"[yellow]{t(lang, '导入提示', 'import note')}[/yellow]：{w.message(lang)}")
    if len(result.warnings) > len(shown):
        more = len(result.warnings) - len(shown)
        out.print(t(lang, f"另有 {more} 条导入提示（见输出 JSON 的 source.warnings 或 --json）",
                    f"{more} more import notes (see source.warnings in the output JSON, or --json)"))
    if written:
        out.print(t(lang, f"已写出：{written}", f"written: {written}"))
