"""Helpers shared by the commands: language, console output, exit codes, friendly failures."""
from __future__ import annotations

import functools
import sys

import click

from ..errors import GxnbError

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           help="输出语言 / output language")


from ..messages import t  # noqa: E402,F401  (the one zh/en helper, re-exported for the commands)
from .printing import console  # noqa: E402,F401


def fail(message: str, code: int = EXIT_UNUSABLE):
    """Print a clear message (no traceback) and exit."""
    click.echo(message, err=True)
    sys.exit(code)


def friendly(lang_arg: str = "lang"):
    """Turn any unexpected exception into a short message and exit code 2, never a traceback."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except (click.exceptions.Exit, click.ClickException, SystemExit, click.exceptions.Abort):
                raise
            except GxnbError as exc:  # unusable input or output: the message is for the user
                fail(exc.message(kwargs.get(lang_arg, "zh")), EXIT_UNUSABLE)
            except KeyboardInterrupt:
                fail(t(kwargs.get(lang_arg, "zh"), "已中断", "interrupted"), 130)
            except Exception as exc:  # a bug or an environment failure: say so plainly
                zh = f"内部错误：{type(exc).__name__}: {exc}。请把此信息和输入文件反馈给维护者。"
                en = f"internal error: {type(exc).__name__}: {exc}. Please report it with the input file."
                fail(t(kwargs.get(lang_arg, "zh"), zh, en), EXIT_UNUSABLE)
        return wrapper
    return deco


def format_option(help: str = "报告格式 / format id", **kwargs):  # noqa: A002 - click's word
    """``--format``, its choices being the formats in ``formats/*.toml``."""
    from ..spec import available_formats
    return click.option("--format", "format_id", type=click.Choice(list(available_formats())), help=help, **kwargs)


def level_option(help: str = "层级 / level", **kwargs):  # noqa: A002
    """``--level``, its choices being the levels in ``formats/levels.toml``."""
    from ..levels import codes
    return click.option("--level", type=click.Choice(list(codes())), help=help, **kwargs)
