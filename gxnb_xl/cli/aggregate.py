"""gxnb aggregate — sum township reports into one county report, listing what happened to every file."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import jsontext
from .common import EXIT_UNUSABLE, echo, fail
from .parsing import add_force, add_format, add_jobs, add_json, add_lang

SHOW_ALL_UP_TO = 60  # the terminal lists every file up to this many; beyond, only those not summed
SHOW_DUPLICATES = 10

HELP = """汇总多个单位（乡镇）的报告：逐格相加、重新计算合计，写出县级汇总工作簿。

INPUTS 可以是文件或文件夹（含子文件夹）。汇总多数文件的年度和格式，其余文件列出原因；
默认只汇总没有错误的报告；锁文件（~$…）和非报告文件列出后跳过。

退出码：0 全部汇总；1 有文件未汇总或有单位未报送；2 无法汇总。"""


def configure(parser):
    parser.add_argument("inputs", metavar="INPUTS", nargs="+", help="报告文件或文件夹 / report files or folders")
    parser.add_argument("-o", "--output", metavar="PATH",
                        help="汇总结果：.xlsx（官方模板 + 汇总情况表）；不能是输入文件（以前写出的汇总工作簿除外）/ the county workbook (.xlsx)")
    parser.add_argument("--unit", help="汇总单位名称，如“示范县人民政府” / the county report's unit name")
    parser.add_argument("--units", dest="units_file", metavar="PATH",
                        help="应报送单位名单（每行一个），用于列出未报送单位 / expected units, one a line")
    parser.add_argument("--previous", metavar="PATH",
                        help="上年度县级报告文件，或上年度乡镇报告文件夹（跨年度核对）/ last year's county report or township folder")
    parser.add_argument("--include-invalid", action="store_true", help="有错误的报告也计入汇总 / sum reports with errors too")
    parser.add_argument("--year", type=int, help="只汇总该年度的报告（默认：多数文件的年度）/ sum only this data year (default: most files')")
    add_format(parser, help="只汇总该格式的报告（默认：多数文件的格式）/ sum only this format (default: most files')")
    add_json(parser)
    add_force(parser)
    add_jobs(parser, "并行读取的进程数（默认 CPU 核数）/ parallel readers (default: cores)")
    add_lang(parser)


def run(args) -> int:
    from ..interrupts import guard
    with guard():  # Ctrl-C, SIGTERM, SIGHUP: workers ended, no half-written file
        return _run(args.inputs, args.output, args.unit, args.units_file, args.previous, args.include_invalid,
                    args.year, args.format_id, args.as_json, args.force, args.jobs, args.lang)


def _run(inputs, output, unit, units_file, previous, include_invalid, year, format_id, as_json, force, jobs, lang):
    from ..aggregate import aggregate, output_conflict, read_expected_units, write_output
    from ..aggregate.inputs import display
    from ..aggregate.words import say
    from ..report import ReportError

    if output:
        why = output_conflict(output, inputs)  # a folder, not .xlsx/.json, an input (but an earlier summary)
        if why:
            fail(say(why[0], lang, **why[1]))
        from ..outputs import check_output
        check_output(output, force=force)  # exists without --force, folder missing: OutputError
    if previous is not None and not (Path(previous).exists() or Path(previous).is_symlink()):
        fail(say("agg.cli.previous_missing", lang, path=display(previous)))
    expected = None
    if units_file:
        try:
            expected = read_expected_units(units_file)
        except ReportError as exc:
            fail(exc.message(lang))
    progress, stop = _progress(lang)
    try:
        result = aggregate(inputs, unit=unit, expected_units=expected, previous=previous,
                           include_invalid=include_invalid, year=year, format_id=format_id, jobs=jobs,
                           output=output, progress=progress)
    finally:
        stop()
    if result.report is not None and result.report.unit is None and output:
        name = ""
        if not as_json and sys.stdin.isatty() and sys.stdout.isatty():
            name = _ask(say("agg.cli.unit_prompt", lang))
        if not name:
            fail(say("agg.cli.need_unit", lang, path=display(output)))
        result.report.unit, result.unit_note = name, ()
    written = None
    if output and result.report is not None:
        try:
            write_output(result, output, lang)
            written = display(output)
        except PermissionError:
            fail(say("agg.cli.write_denied", lang, path=display(output)))
        except OSError as exc:
            fail(say("agg.cli.write_failed", lang, path=display(output), why=exc.strerror or str(exc)))
    if as_json:
        data = result.to_dict(lang)
        data["output"] = written
        echo(jsontext.dumps(data))
    else:
        _print_human(result, written, lang)
    return result.exit_code


def _ask(prompt: str) -> str:
    """What the user types at the terminal; nothing typed (or end of input) is the empty answer."""
    echo(f"{prompt}:", nl=False)  # on stdout (input() alone may write its prompt to stderr)
    try:
        return input(" ").strip()
    except EOFError:
        echo()
        return ""


def _progress(lang: str):
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty() or os.environ.get("GXNB_NO_PROGRESS"):
        return None, lambda: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..aggregate.words import say
    from .common import console
    bar = Progress(TextColumn(say("agg.cli.reading", lang)), BarColumn(), MofNCompleteColumn(),
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


_COLOUR = {"summed": "green", "errors": "red", "unreadable": "red", "not_report": "red", "duplicate": "yellow",
           "excluded": "yellow", "ignored": "dim"}


def _print_human(result, written, lang):
    from rich.markup import escape
    from rich.table import Table

    from ..aggregate.summary import file_reason
    from ..aggregate.words import bounded, say
    from .common import console
    out = console()
    files = result.files
    shown = files if len(files) <= SHOW_ALL_UP_TO else [f for f in files if not f.included]
    if shown:
        tab = Table(say("agg.sheet.file", lang), say("agg.sheet.unit_col", lang), say("agg.sheet.status", lang),
                    say("agg.sheet.reason", lang))
        tab.columns[3].overflow = "fold"
        for f in shown:
            colour = _COLOUR.get(f.state, "white")
            if f.state == "summed" and f.warnings:
                colour = "yellow"
            tab.add_row(escape(Path(f.file).name), escape(f.unit or "—"),
                        f"[{colour}]{say(f'agg.state.{f.state}', lang)}[/{colour}]", escape(file_reason(f, lang)))
        out.print(tab)
        for f in shown:
            problems = f.messages(lang)
            if problems and not f.included:
                out.print(f"[bold]{escape(f.file)}[/bold]")
                for m in problems:
                    out.print(f"  · {escape(m)}")
        if len(shown) < len(files):
            out.print(say("agg.cli.more_files", lang, n=len(files) - len(shown)))
    for n in result.notes:
        out.print(f"[bold]{escape(result.text(n, lang))}[/bold]")
    if result.missing_units:
        out.print("[red]" + escape(say("agg.cli.missing", lang, n=len(result.missing_units),
                                       names=bounded(result.missing_units, lang))) + "[/red]")
    for d in result.duplicates[:SHOW_DUPLICATES]:
        used = Path(d["used"]).name if d["used"] else "—"
        out.print("[yellow]" + escape(say("agg.cli.duplicate", lang, unit=d["unit"],
                                          files=bounded([Path(x).name for x in d["files"]], lang), used=used,
                                          why=result.text(d["why"], lang))) + "[/yellow]")
    if len(result.duplicates) > SHOW_DUPLICATES:
        out.print(say("agg.cli.duplicates_more", lang, n=len(result.duplicates) - SHOW_DUPLICATES))
    if result.unexpected_units:
        out.print(escape(say("agg.cli.unexpected", lang, names=bounded(result.unexpected_units, lang))))
    if result.report is None:
        out.print(f"[red]{escape(say('agg.cli.nothing', lang, why=result.text(result.refused, lang)))}[/red]")
        return
    rep = result.report
    if result.include_invalid:
        out.print(f"[yellow]{escape(say('agg.note.invalid', lang))}[/yellow]")
    if result.unit_note:
        out.print(escape(result.text(result.unit_note, lang)))
    if result.previous_error:
        out.print(f"[red]{escape(result.text(result.previous_error, lang))}[/red]")
    from ..aggregate.records import finding_text
    for f in [f for f in result.findings if f.status != "indeterminate"]:
        colour = "red" if f.severity == "error" else "yellow"
        out.print(f"[{colour}]{escape(f.instance)}[/{colour}] {escape(finding_text(f, lang))}")
    if result.previous_source and not result.previous_error and not result.cross_year:
        out.print(escape(say("agg.cli.cross_ok", lang, what=result.text(result.previous_source, lang))))
    verdict = say("agg.cli.verdict", lang, summed=len(result.included), files=len(files),
                  unit=rep.unit or say("agg.cli.no_unit", lang), year=rep.year or "", format=rep.format)
    out.print(f"[bold]{escape(verdict)}[/bold]")
    if written:
        out.print(escape(say("agg.cli.written", lang, path=written)))
    else:
        out.print(say("agg.cli.not_written", lang))


__all__ = ["HELP", "configure", "run", "EXIT_UNUSABLE"]
