"""gxnb aggregate — sum township reports into one county report, listing what happened to every file."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .common import EXIT_UNUSABLE, fail, friendly, lang_option, t

SHOW_ALL_UP_TO = 60  # the terminal lists every file up to this many; beyond, only the excluded ones


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="汇总结果：.xlsx（官方模板 + 汇总情况表）；不能是输入文件（以前写出的汇总工作簿除外）/ the county workbook (.xlsx)")
@click.option("--unit", help="汇总单位名称，如“示范县人民政府” / the county report's unit name")
@click.option("--units", "units_file", type=click.Path(dir_okay=False, path_type=str),
              help="应报送单位名单（每行一个），用于列出未报送单位 / expected units, one a line")
@click.option("--previous", type=click.Path(path_type=str),
              help="上年度县级报告文件，或上年度乡镇报告文件夹（跨年度核对）/ last year's county report or township folder")
@click.option("--include-invalid", is_flag=True, help="有错误的报告也计入汇总 / sum reports with errors too")
@click.option("--year", type=int, help="只汇总该年度的报告 / sum only reports of this data year")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON")
@click.option("--jobs", type=click.IntRange(min=1), help="并行读取的进程数（默认 CPU 核数）/ parallel readers (default: cores)")
@lang_option
@friendly()
def command(inputs, output, unit, units_file, previous, include_invalid, year, as_json, jobs, lang):
    """汇总多个单位（乡镇）的报告：逐格相加、重新计算合计，写出县级汇总工作簿。

    INPUTS 可以是文件或文件夹（含子文件夹）。默认只汇总没有错误的报告，其余列出原因；
    锁文件（~$…）和非报告文件列出后跳过。

    退出码：0 全部汇总；1 有文件未汇总或有单位未报送；2 无法汇总。
    """
    from ..aggregate import aggregate, read_expected_units, write_output
    from ..report import ReportError

    if output:
        _check_output(output, inputs, lang)
    if previous is not None and not Path(previous).exists():
        fail(t(lang, f"上年度数据不存在：{previous}（--previous 应为上年度县级报告文件，或上年度乡镇报告文件夹）",
               f"last year's data not found: {previous} (--previous takes last year's county report or township folder)"))
    expected = None
    if units_file:
        try:
            expected = read_expected_units(units_file)
        except ReportError as exc:
            fail(exc.message(lang))
    progress, stop = _progress(lang)
    try:
        result = aggregate(inputs, unit=unit, expected_units=expected, previous=previous,
                           include_invalid=include_invalid, year=year, jobs=jobs, lang=lang,
                           output=output, progress=progress)
    finally:
        stop()
    if result.report is not None and result.report.unit is None and not as_json \
            and sys.stdin.isatty() and sys.stdout.isatty():
        name = click.prompt(t(lang, "汇总单位名称（如“示范县人民政府”）", "unit name of the summed report"),
                            default="", show_default=False).strip()
        if name:
            result.report.unit, result.unit_note = name, ""
    written = None
    if output and result.report is not None:
        try:
            write_output(result, output, lang)
            written = output
        except PermissionError:
            fail(t(lang, f"无法写入 {output}：没有权限，或文件正在 Excel/WPS 中打开（请先关闭）",
                   f"cannot write {output}: permission denied, or the file is open in Excel/WPS (close it first)"))
        except OSError as exc:
            fail(t(lang, f"无法写入 {output}：{exc.strerror}", f"cannot write {output}: {exc.strerror}"))
    if as_json:
        data = result.to_dict()
        data["output"] = written
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_human(result, written, lang)
    sys.exit(result.exit_code)


def _check_output(output: str, inputs, lang: str) -> None:
    from ..aggregate import output_conflict
    why = output_conflict(output, inputs, lang)
    if why:
        fail(why)
    out = Path(output)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        fail(t(lang, f"输出文件夹不存在：{parent}", f"the output folder does not exist: {parent}"))


def _progress(lang: str):
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty() or os.environ.get("GXNB_NO_PROGRESS"):
        return None, lambda: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .common import console
    bar = Progress(TextColumn(t(lang, "读取并校验", "reading and checking")), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=console(stderr=True), transient=True)
    state = {"task": None}

    def update(done: int, total: int):
        if state["task"] is None:
            if total < 20:  # short runs: no bar
                state["task"] = False
                return
            bar.start()
            state["task"] = bar.add_task("", total=total)
        if state["task"] is not False:
            bar.update(state["task"], completed=done)

    def stop():
        if state["task"] not in (None, False):
            bar.stop()

    return update, stop


def _print_human(result, written, lang):
    from rich.table import Table

    from ..aggregate import STATUS_ZH
    from .common import console
    out = console()
    files = result.files
    n_inc = len(result.included)
    shown = files if len(files) <= SHOW_ALL_UP_TO else [f for f in files if not f.included]
    if shown:
        tab = Table(t(lang, "文件", "file"), t(lang, "单位", "unit"), t(lang, "状态", "status"),
                    t(lang, "汇总", "summed"), t(lang, "原因/说明", "reason"))
        tab.columns[4].overflow = "fold"
        for f in shown:
            colour = "green" if f.included and f.status == "ok" else "yellow" if f.included or f.status == "skipped" else "red"
            status = STATUS_ZH.get(f.status, f.status) if lang != "en" else f.status
            tab.add_row(Path(f.file).name, f.unit or "—", f"[{colour}]{status}[/{colour}]",
                        t(lang, "是", "yes") if f.included else t(lang, "否", "no"), f.reason)
        out.print(tab)
        for f in shown:
            problems = [m for m in f.messages if m != f.reason]
            if problems and not f.included:
                out.print(f"[bold]{f.file}[/bold]")
                for m in problems:
                    out.print(f"  · {m}")
        if len(shown) < len(files):
            out.print(t(lang, f"另有 {len(files) - len(shown)} 个文件已汇总（完整清单见汇总工作簿的“汇总情况”表或 --json）",
                        f"{len(files) - len(shown)} more files were summed (full list: the 汇总情况 sheet or --json)"))
    if result.missing_units:
        out.print(f"[red]{t(lang, '未报送单位', 'missing units')}（{len(result.missing_units)}）[/red]：" + "、".join(result.missing_units))
    for d in result.duplicates:
        out.print(f"[yellow]{t(lang, '重复报送', 'duplicate')}[/yellow]：{d['unit']} — " + "、".join(d["files"])
                  + (t(lang, f"；采用 {d['used']}", f"; using {d['used']}") if d["used"] else ""))
    if result.unexpected_units:
        out.print(t(lang, "不在名单上但已汇总：", "summed but not on the list: ") + "、".join(result.unexpected_units))
    if result.report is None:
        out.print(f"[red]{t(lang, '未能汇总', 'nothing summed')}[/red]：{result.refused}")
        return
    rep = result.report
    if result.include_invalid:
        out.print(f"[yellow]{t(lang, '注意：有错误的报告也已计入汇总（--include-invalid）', 'note: reports with errors were summed (--include-invalid)')}[/yellow]")
    if result.unit_note:
        out.print(result.unit_note)
    if result.previous_error:
        out.print(f"[red]{result.previous_error}[/red]")
    checked = [f for f in result.findings if f.status != "indeterminate"]
    for f in checked:
        colour = "red" if f.severity == "error" else "yellow"
        out.print(f"[{colour}]{f.instance}[/{colour}] {f.message}")
    if result.previous_source and not result.previous_error and not result.cross_year:
        out.print(t(lang, f"与上年度（{result.previous_source}）的跨年度核对全部通过",
                    f"cross-year checks against {result.previous_source} all hold"))
    verdict = t(lang, f"已汇总 {n_inc} / {len(files)} 个文件：{rep.unit or '（未指定单位）'} {rep.year or ''} 年度，{rep.format} 格式",
                f"summed {n_inc} of {len(files)} files: {rep.unit or '(no unit)'} {rep.year or ''}, format {rep.format}")
    out.print(f"[bold]{verdict}[/bold]")
    if written:
        out.print(t(lang, f"已写出：{written}", f"written: {written}"))
    elif result.report is not None:
        out.print(t(lang, "未指定 -o，未写出汇总文件", "no -o given: nothing written"))


__all__ = ["command", "EXIT_UNUSABLE"]
