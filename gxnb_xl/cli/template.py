"""gxnb template — the official Excel template, blank or pre-filled from a report JSON."""
from __future__ import annotations

from pathlib import Path

from .common import EXIT_OK, EXIT_UNUSABLE, echo, fail, t
from .parsing import add_force, add_format, add_lang, add_level, file_path

HELP = """生成 Excel 填报模板 / build the Excel template.

白色单元格填写，灰色为公式自动计算，“校验”工作表显示每条勾稽关系是否成立。"""


def configure(parser):
    add_format(parser, help="报告格式（默认按年度，见各格式的适用年度）/ format id (default: by data year)")
    parser.add_argument("--unit", help="机关名称 / reporting body")
    parser.add_argument("--year", type=int, help="数据年度 / data year")
    add_level(parser, help="层级 / level (township = 乡镇/街道)")
    parser.add_argument("--data", dest="data_path", type=file_path, metavar="FILE",
                        help="报告 JSON：生成已填好的工作簿 / pre-fill from a report JSON")
    parser.add_argument("--password", help="工作表与工作簿结构保护密码（默认无密码，仅防误改）/ protection password (default: none)")
    parser.add_argument("-o", "--output", dest="out", type=file_path, metavar="FILE", required=True,
                        help="输出 .xlsx 文件 / output workbook")
    parser.add_argument("--xlsm", action="store_true",
                        help="生成启用宏的 .xlsm，封面带“校验”“生成Word”“导出JSON”按钮（需 Microsoft Excel 与 Python，"
                             "WPS 请用 .xlsx）/ macro-enabled workbook with buttons (Microsoft Excel only)")
    add_force(parser)
    add_lang(parser)


def run(args) -> int:
    format_id, unit, year, level, data_path = args.format_id, args.unit, args.year, args.level, args.data_path
    password, out, lang, xlsm, force = args.password, args.out, args.lang, args.xlsm, args.force
    from ..report import ReportError, load_report
    from ..spec import format_for_year
    from ..excel.template import write_workbook

    out_path = Path(out)
    suffix = ".xlsm" if xlsm else ".xlsx"
    if out_path.suffix.lower() != suffix:
        fail(t(lang, f"输出文件应以 {suffix} 结尾：{out}", f"the output must end in {suffix}: {out}"), EXIT_UNUSABLE)
    if not out_path.parent.exists():
        fail(t(lang, f"输出文件夹不存在：{out_path.parent}", f"no such folder: {out_path.parent}"), EXIT_UNUSABLE)
    if out_path.exists() and not force:
        fail(t(lang, f"文件已存在：{out}。为防止覆盖已填写的内容，请换一个文件名，或加 --force 覆盖",
               f"{out} exists; to protect what was typed into it, choose another name or pass --force"), EXIT_UNUSABLE)
    report = None
    try:
        if data_path:
            if Path(data_path).resolve() == out_path.resolve():
                fail(t(lang, "输出文件不能覆盖输入的报告文件", "the output must not overwrite the input"), EXIT_UNUSABLE)
            report = load_report(data_path)
            if format_id and format_id != report.format:
                fail(t(lang, f"报告 JSON 的格式是 {report.format}，与 --format {format_id} 不一致",
                       f"the report is format {report.format}, not {format_id}"), EXIT_UNUSABLE)
            unusable = [p for p in report.problems if p.problem.code != "blank"]
            if unusable:
                names = "、".join(p.cell for p in unusable[:5]) + (" 等" if len(unusable) > 5 else "")
                echo(t(lang, f"注意：报告中 {len(unusable)} 个数值无法识别（{names}），这些单元格留空，请用 gxnb check 查看",
                       f"note: {len(unusable)} values cannot be read ({names}); those cells are left blank"),
                     err=True)
        fmt = format_id or (report.format if report else format_for_year(year))
        data_year = year if year is not None else report.year if report else None
        if data_year is not None and format_for_year(data_year) != fmt:
            fail(t(lang, f"{data_year} 年度的报告应使用 {format_for_year(data_year)} 年格式（--format {format_for_year(data_year)}），"
                         f"不能用 {fmt} 年格式", f"data year {data_year} needs format {format_for_year(data_year)}, not {fmt}"),
                 EXIT_UNUSABLE)
        macros = {}
        if xlsm:  # the optional Excel buttons (issue 8): see macros/README.md
            from ..excel_buttons import BUTTONS, vba_project_path
            macros = {"xlsm": True, "vba_project": str(vba_project_path()), "buttons": list(BUTTONS)}
        write_workbook(out_path, fmt, report, unit=unit, year=year, level=level, password=password, **macros)
    except ReportError as exc:
        fail(exc.message(lang), EXIT_UNUSABLE)
    except PermissionError:
        fail(t(lang, f"无法写入 {out}（文件可能正在 Excel/WPS 中打开）", f"cannot write {out} (is it open in Excel/WPS?)"),
             EXIT_UNUSABLE)
    echo(t(lang, f"已生成 {out}（格式 {fmt}）", f"wrote {out} (format {fmt})"))
    return EXIT_OK
