"""``gxnb`` — a thin command line over the library, on the standard library's argparse.

Commands load lazily (``gxnb --help`` must start fast): the table below lists them for the help,
and only the chosen command's module is imported. Each module of this package holds one command:
``HELP`` (its description), ``configure(parser)`` (its arguments) and ``run(args) -> int`` (its exit
code: 0 ok, 1 findings, 2 unusable input or usage error, 128 + the signal when interrupted: 130 Ctrl-C).
"""
from __future__ import annotations

import os
import sys

# name → (module, one-line help shown by `gxnb --help` without importing the module)
COMMANDS = {
    "spec": ("spec", "列出报告格式的单元格与勾稽关系 / list a format's cells and relations"),
    "check": ("check", "校验报告（工作簿或 JSON）/ check reports (workbooks or JSON)"),
    "template": ("template", "生成 Excel 填报模板 / build the Excel template"),
    "export": ("export", "把工作簿导出为报告 JSON / export a workbook as report JSON"),
    "aggregate": ("aggregate", "汇总多个乡镇报告 / sum township reports into a county report"),
    "render": ("render", "生成 Word 年度报告 / render the Word report"),
    "import": ("importer", "从已发布的报告导入数据 / import published reports"),
    "serve": ("serve", "启动网页审核台 / start the browser workbench"),
}

DESCRIPTION = "gxnb — 政府信息公开工作年度报告工具（模板、校验、汇总、生成 Word、导入）。"


def main(argv=None):
    """Run ``gxnb`` with ``argv`` (default: ``sys.argv[1:]``); ends in SystemExit with the exit code."""
    if argv is None:
        argv = sys.argv[1:]
        if os.name == "nt":  # cmd.exe passes `*.xlsx` as typed: expanded here, as click did
            from .parsing import expand_windows_args
            argv = expand_windows_args(argv)
    else:
        argv = [str(a) for a in argv]
    from .common import fit_streams, friendly
    from .parsing import wants_english
    fit_streams()
    lang = "en" if wants_english(argv) else "zh"
    if not argv or argv[0] not in COMMANDS:
        _group(argv, lang)  # the help, the version or a usage error: exits
    sys.exit(friendly(lambda: _run(argv[0], argv[1:], lang), lang))


def command(name: str, lang: str = "zh"):
    """(module, parser) of one command: its module imported, its parser built (nothing else)."""
    import importlib

    from .parsing import Parser
    module = importlib.import_module(f"{__name__}.{COMMANDS[name][0]}")
    parser = Parser(prog=f"gxnb {name}", description=module.HELP, lang=lang)
    module.configure(parser)
    return module, parser


def _run(name: str, argv: list[str], lang: str) -> int:
    from .parsing import attach_values
    module, parser = command(name, lang)
    argv = attach_values(parser, argv)
    args, rest = parser.parse_known_args(argv)
    if rest:  # options between the inputs (`gxnb check a.xlsx --json b.xlsx`), or an unknown one:
        args = parser.parse_intermixed_args(argv)  # argparse's slower way (it formats the usage first)
    return module.run(args)


def _group(argv: list[str], lang: str):
    """What comes before a command: -h/--help, --version; anything else is a usage error."""
    top = _group_parser(lang)
    if not argv:  # `gxnb` alone: the help, as a usage error
        top.print_help(sys.stderr)
        sys.exit(2)
    at = next((i for i, a in enumerate(argv) if not a.startswith("-")), len(argv))
    known = [a for a in argv[:at] if a in ("-h", "--help", "--version")]
    if known or not at:
        top.parse_args(known or argv[:1])  # the help, the version; an unknown command: exits
    top.error(f"unrecognized arguments: {' '.join(argv[:at])}")  # `gxnb --lang en check`: options follow the command


def _group_parser(lang: str):
    from .._version import __version__
    from .parsing import Parser
    width = max(map(len, COMMANDS)) + 2
    listing = "\n".join(f"  {name.ljust(width)}{summary}" for name, (_, summary) in COMMANDS.items())
    top = Parser(prog="gxnb", usage="%(prog)s [-h] [--version] COMMAND [ARGS]...", description=DESCRIPTION,
                 epilog=f"命令 / Commands:\n{listing}\n\n每个命令的用法 / each command's options: gxnb COMMAND --help",
                 lang=lang)
    top.add_argument("--version", action="version", version=f"gxnb, version {__version__}",
                     help="显示版本并退出 / show the version and exit")
    top.add_argument("command", metavar="COMMAND", choices=list(COMMANDS), help="命令（见下）/ the command (below)")
    return top


def _exists(module: str) -> bool:
    """Whether a command's module is present (scripts/demo.py skips the steps of absent ones)."""
    import importlib.util
    return importlib.util.find_spec(f"{__name__}.{module}") is not None
