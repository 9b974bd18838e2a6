"""How findings and results look on a terminal: one module for every command that prints them.

The header counts exactly what is listed; relations that blank cells leave uncheckable are one
line of their own, never counted as 提示.
"""
from __future__ import annotations

import os
import sys

from ..messages import label, t

MAX_BLANKS_LISTED = 5

_COLOURS = {"red": 31, "green": 32, "yellow": 33, "white": 37}


def echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """One line (or any text) to stdout or stderr, flushed. Colour codes are dropped unless the stream
    is a terminal (and NO_COLOR is unset), so a redirected or piped output is plain text."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # no console at all (pythonw)
        return
    text = f"{message}\n" if nl else str(message)
    if "\x1b" in text and not colour_on(stream):
        import re
        text = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", text)
    stream.write(text)
    stream.flush()


def colour_on(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or bare stream
        return False


def console(stderr: bool = False):
    """A rich console, for the commands that draw tables and progress bars (imported only then)."""
    from rich.console import Console
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _styled(text: str, fg: str | None = None, bold: bool = False) -> str:
    # ANSI codes always; echo drops them when the output is not a terminal (as rich does), and
    # `gxnb check` does not pay rich's ~20 ms import for a few coloured words
    return (f"\x1b[{_COLOURS[fg]}m" if fg else "") + ("\x1b[1m" if bold else "") + f"{text}\x1b[0m"


def print_results(results, lang: str = "zh") -> None:
    for r in results:
        head = _styled(r.file, bold=True)
        if r.result is None:
            echo(f"{head}  {_styled(t(lang, '无法使用', 'unusable'), 'red')}：{r.error_text(lang)}")
            continue
        res = r.result
        rep = res.report
        meta = f"{rep.unit or t(lang, '（未填单位）', '(no unit)')} {rep.year or ''} · {t(lang, '格式', 'format')} {rep.format}"
        shown = res.shown
        blanks = [f for f in shown if f.rule == "R0" and f.code == "blank"]
        listed = [f for f in shown if not (len(blanks) > MAX_BLANKS_LISTED and f in blanks)]
        errors = sum(f.is_error for f in shown)
        warnings = sum(f.severity == "warning" for f in shown)
        colour = "red" if errors else "yellow" if warnings else "green"
        echo(f"{head}  {meta}  {_styled(verdict(errors, warnings, lang), colour)}")
        if len(blanks) > MAX_BLANKS_LISTED:  # a half-filled workbook: one line, not a hundred
            first = "、".join(x.addresses.get(x.cells[0], x.cells[0]) for x in blanks[:3])
            echo(t(lang, f"  {_styled('错误', 'red')} R0  {len(blanks)} 个单元格未填写（{first} 等；没有发生的事项请填 0）",
                   f"  {_styled('error', 'red')} R0  {len(blanks)} cells left blank ({first} …; type 0 where nothing happened)"))
        for f in listed:
            style = "red" if f.severity == "error" else "yellow"
            where = "、".join(f.where()[:3])
            echo(f"  {_styled(label('severity', f.severity, lang), style)} {f.instance}"
                 f"{('  ' + where) if where else ''}\n    {f.text(lang)}")
        unchecked = len(res.unchecked)
        if unchecked:
            echo(t(lang, f"  另有 {unchecked} 条勾稽关系因单元格未填写而无法核对（--json 可查看）",
                   f"  {unchecked} more relation{'s' if unchecked != 1 else ''} could not be checked because "
                   "cells are blank (see --json)"))


def verdict(errors: int, warnings: int, lang: str = "zh") -> str:
    if not errors and not warnings:
        return t(lang, "全部勾稽关系正确", "all relations hold")
    if lang == "en":
        return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    return f"{errors} 个错误，{warnings} 个提示"
