"""How the command line is read: the standard library's argparse, with help in both languages and
usage errors (unknown option, bad value, missing argument) in Chinese — in English with ``--lang en``
— on stderr with exit code 2. Also the argument types and the options several commands share."""
from __future__ import annotations

import argparse
import os

from .printing import echo

HELP_OPTION = "显示帮助并退出 / show this help and exit"


def wants_english(argv) -> bool:
    """``--lang en`` among the arguments: usage errors are then in English (known before parsing)."""
    return "--lang=en" in argv or any(a == "--lang" and b == "en" for a, b in zip(argv, argv[1:]))


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written (paragraphs kept); the usage line headed in both languages."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None, **kwargs):
        # the terminal's width found here: argparse would import shutil (and bz2, lzma) at every start
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width, **kwargs)

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法 / usage: " if prefix is None else prefix)


def _columns() -> int:
    """As shutil.get_terminal_size: $COLUMNS, else the terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            columns = os.get_terminal_size(1).columns  # the standard output's terminal
        except (OSError, ValueError):
            columns = 0
    return columns if columns > 0 else 80


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose headings are bilingual and whose usage errors are the user's language."""

    def __init__(self, *args, lang: str = "zh", **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        kwargs.setdefault("allow_abbrev", False)  # --js is not --json: an option is typed in full
        super().__init__(*args, add_help=False, **kwargs)
        self.lang = lang
        self._positionals.title = "参数 / arguments"
        self._optionals.title = "选项 / options"
        self.add_argument("-h", "--help", action="help", help=HELP_OPTION)

    def format_usage(self) -> str:
        # argparse's own prefix: parse_intermixed_args cuts its first 7 characters ("usage: ")
        formatter = self._get_formatter()
        formatter.add_usage(self.usage, self._actions, self._mutually_exclusive_groups, "usage: ")
        return formatter.format_help()

    def error(self, message: str):
        """A usage error: the usage line, what is wrong, where to read more; exit code 2."""
        formatter = self._get_formatter()
        en = self.lang == "en"
        formatter.add_usage(self.usage, self._actions, self._mutually_exclusive_groups,
                            "usage: " if en else "用法：")
        if en:
            text = f"error: {message}\nTry '{self.prog} --help' for help.\n"
        else:
            text = f"错误：{in_chinese(message)}\n运行 {self.prog} --help 查看帮助。\n"
        echo(formatter.format_help() + text, err=True, nl=False)
        raise SystemExit(2)


def expand_windows_args(argv: list[str]) -> list[str]:
    """What a Unix shell does before ``gxnb`` starts and cmd.exe does not: ``~``, ``%VAR%`` and
    wildcards (``乡镇\\*.xlsx``) expanded; a word matching no file is kept as typed (click's rule)."""
    import glob
    import re
    out = []
    for word in argv:
        word = os.path.expandvars(os.path.expanduser(word))
        try:
            matches = glob.glob(word, recursive=True)
        except re.error:
            matches = []
        out.extend(matches or [word])
    return out


def attach_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` with each option that takes a value joined to the next word when that word begins
    with "-" (``--password -x1`` → ``--password=-x1``): the word is the option's value, as click read
    it, where argparse would take it for an option and say the value is missing. Not after ``--``."""
    takes_value = {s for a in parser._actions if a.nargs is None for s in a.option_strings}
    out, i = [], 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return out + argv[i:]
        if word in takes_value and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{word}={argv[i + 1]}")
            i += 2
        else:
            out.append(word)
            i += 1
    return out


# argparse's English usage errors (Python 3.11–3.13) and ours from the types below, in Chinese
_CHINESE = (
    (r"argument COMMAND: invalid choice: (?P<v>.+?) \(choose from (?P<c>.+)\)", "没有这个命令：{v}（可用的命令：{c}）"),
    (r"the following arguments are required: (?P<a>.+)", "缺少必需的参数：{a}"),
    (r"unrecognized arguments: (?P<a>.+)", "无法识别的参数：{a}"),
    (r"argument (?P<a>\S+): invalid choice: (?P<v>.+?) \(choose from (?P<c>.+)\)", "{a} 的值 {v} 无效，可选：{c}"),
    (r"argument (?P<a>\S+): invalid int value: (?P<v>.+)", "{a} 的值应为整数，不能是 {v}"),
    (r"argument (?P<a>\S+): invalid \S+ value: (?P<v>.+)", "{a} 的值 {v} 无效"),
    (r"argument (?P<a>\S+): expected one argument", "{a} 后面缺少一个值"),
    (r"argument (?P<a>\S+): expected at least one argument", "{a} 后面至少需要一个值"),
    (r"argument (?P<a>\S+): expected at most one argument", "{a} 后面至多一个值"),
    (r"argument (?P<a>\S+): ignored explicit argument (?P<v>.+)", "{a} 不接受值（收到 {v}）"),
    (r"argument (?P<a>\S+): (?P<v>.+) is out of range \((?P<r>.+)\)", "{a} 的值 {v} 超出范围（{r}）"),
    (r"argument (?P<a>\S+): (?P<v>.+) is a folder, not a file", "{a}：{v} 是文件夹，应为文件"),
    (r"argument (?P<a>\S+): (?P<v>.+) is a file, not a folder", "{a}：{v} 是文件，应为文件夹"),
    (r"ambiguous option: (?P<a>\S+) could match (?P<c>.+)", "选项 {a} 不明确，可能是：{c}"),
)


def in_chinese(message: str) -> str:
    import re
    for pattern, words in _CHINESE:
        m = re.fullmatch(pattern, message, re.S)
        if m:
            return words.format(**m.groupdict())
    return f"命令行参数有误（{message}）"  # a message of a newer Python: still a Chinese sentence


# ── argument types (their English messages are translated above) ─────────────────────────────────

def int_range(low: int | None = None, high: int | None = None):
    """An integer within [low, high]; ``--jobs 0`` is a usage error, not a crash later."""
    shown = (f"{low}<=x<={high}" if low is not None and high is not None
             else f"x>={low}" if low is not None else f"x<={high}")

    def convert(value: str) -> int:
        number = int(value)  # ValueError: argparse says "invalid int value"
        if (low is not None and number < low) or (high is not None and number > high):
            raise argparse.ArgumentTypeError(f"{number} is out of range ({shown})")
        return number
    convert.__name__ = "int"  # the name argparse's message gives the type
    return convert


def file_path(value: str) -> str:
    """A file to read or write: any name, but not an existing folder."""
    if os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{value!r} is a folder, not a file")
    return value


def folder_path(value: str) -> str:
    """A folder to use or create: any name, but not an existing file."""
    if os.path.exists(value) and not os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{value!r} is a file, not a folder")
    return value


# ── options several commands share ────────────────────────────────────────────────────────────────

def add_lang(parser: Parser) -> None:
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="输出语言 / output language（默认 / default: %(default)s）")


def add_json(parser: Parser, help: str = "输出 JSON / print JSON") -> None:  # noqa: A002
    parser.add_argument("--json", dest="as_json", action="store_true", help=help)


def add_force(parser: Parser, help: str = "覆盖已存在的输出文件 / overwrite an existing output file") -> None:  # noqa: A002
    parser.add_argument("--force", action="store_true", help=help)


def add_jobs(parser: Parser, help: str) -> None:  # noqa: A002
    parser.add_argument("--jobs", type=int_range(1), metavar="N", help=help)


def add_format(parser: Parser, help: str = "报告格式 / format id", **kwargs) -> None:  # noqa: A002
    """``--format``, its choices being the formats in ``formats/*.toml``."""
    from ..spec import available_formats
    parser.add_argument("--format", dest="format_id", choices=list(available_formats()), help=help, **kwargs)


def add_level(parser: Parser, help: str = "层级 / level") -> None:  # noqa: A002
    """``--level``, its choices being the levels in ``formats/levels.toml``."""
    from ..levels import codes
    parser.add_argument("--level", choices=list(codes()), help=help)
