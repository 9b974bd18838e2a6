"""gxnb export — a filled workbook (or any readable report) as report JSON (REPORT-JSON.md).

Derived cells (totals) are recomputed from the typed inputs, exactly as the template's formulas
would; stored totals that disagree, cells read with a conversion and structural changes are
told on stderr (Chinese by default). The JSON goes to ``-o`` (written atomically, never over the
input) or to stdout. Exit 0 when the JSON was written, 2 when the input cannot be used.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .common import EXIT_OK, EXIT_UNUSABLE, fail, friendly, lang_option, t

SEVERITY_ZH = {"error": "错误", "warning": "提示", "info": "信息"}


@click.command()
@click.argument("workbook", type=click.Path(path_type=str))
@click.option("-o", "--output", type=click.Path(path_type=str), help="写出的报告 JSON（缺省输出到屏幕）/ output JSON (default: stdout)")
@lang_option
@friendly()
def command(workbook, output, lang):
    """把填好的工作簿导出为报告 JSON（合计按填写数重新计算）。

    退出码：0 已导出（有提示时写在标准错误输出）；2 文件无法使用。
    """
    from ..checking import check_loaded
    from ..engine import compute_derived
    from ..inputs import read_input
    from ..report import Report, ReportError, write_text_atomic

    if Path(workbook).is_dir():
        fail(t(lang, f"{Path(workbook).name}：是文件夹，不是工作簿；请指定一个填好的工作簿文件",
               f"{Path(workbook).name}: is a folder, not a workbook; name one filled workbook"), EXIT_UNUSABLE)
    try:
        loaded = read_input(workbook, lang=lang)
    except ReportError as exc:
        fail(exc.message(lang), EXIT_UNUSABLE)
    target = _target(workbook, output, lang)

    report = loaded.report
    spec = report.spec
    values = compute_derived(spec, report.values) if loaded.computed else dict(report.values)
    out = Report(format=report.format, unit=report.unit, year=report.year, level=report.level,
                 values=values, narrative=dict(report.narrative), extra=dict(report.extra))
    text = out.dumps()

    result = check_loaded(loaded, lang=lang)
    told = [f for f in result.findings if f.rule in ("R0", "D1") or f.rule.startswith("S")]
    relation_errors = [f for f in result.findings if f.is_error and f not in told and f.status == "fail"]
    for f in told:
        sev = SEVERITY_ZH.get(f.severity, f.severity) if lang != "en" else f.severity
        click.echo(f"{sev}：{f.message}" if lang != "en" else f"{sev}: {f.message}", err=True)
    if relation_errors:
        click.echo(t(lang, f"另有 {len(relation_errors)} 处勾稽关系不成立，请用 gxnb check {Path(workbook).name} 查看并定位",
                     f"{len(relation_errors)} relations do not hold; run gxnb check {Path(workbook).name} to locate them"),
                   err=True)

    if target is None:
        click.echo(text, nl=False)
    else:
        try:
            write_text_atomic(target, text)
        except OSError as exc:
            fail(t(lang, f"无法写出 {target}：{exc.strerror or exc}", f"cannot write {target}: {exc.strerror or exc}"),
                 EXIT_UNUSABLE)
        click.echo(t(lang, f"已导出报告 JSON：{target}", f"report JSON written: {target}"), err=True)
    sys.exit(EXIT_OK)


def _target(workbook: str, output: str | None, lang: str) -> Path | None:
    """Where to write: None for stdout; a folder gets <workbook stem>.json; never the input itself."""
    if output is None or output == "-":
        return None
    target = Path(output)
    if target.is_dir():
        target = target / f"{Path(workbook).stem}.json"
    try:
        same = target.exists() and os.path.samefile(target, workbook)
    except OSError:
        same = False
    if same or target.resolve() == Path(workbook).resolve():
        fail(t(lang, f"输出文件 {target} 就是输入文件，已拒绝覆盖；请换一个文件名",
               f"the output {target} is the input file; refusing to overwrite it"), EXIT_UNUSABLE)
    if not target.parent.exists():
        fail(t(lang, f"输出文件夹 {target.parent} 不存在", f"output folder {target.parent} does not exist"), EXIT_UNUSABLE)
    return target

