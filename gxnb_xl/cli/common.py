"""Helpers shared by the commands: exit codes, console output, friendly failures."""
from __future__ import annotations

import sys

from ..errors import GxnbError
from ..messages import t  # noqa: F401  (the one zh/en helper, re-exported for the commands)
from .printing import console, echo  # noqa: F401

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
EXIT_INTERRUPTED = 130


def fail(message: str, code: int = EXIT_UNUSABLE):
    """Print a clear message (no traceback) and exit."""
    echo(message, err=True)
    sys.exit(code)


def friendly(command, lang: str = "zh") -> int:
    """``command()``'s exit code; any unexpected exception becomes a short message and exit code 2,
    never a traceback."""
    try:
        return command()
    except SystemExit:
        raise
    except GxnbError as exc:  # unusable input or output: the message is for the user
        fail(exc.message(lang), EXIT_UNUSABLE)
    except KeyboardInterrupt as exc:  # Ctrl-C; SIGTERM/SIGHUP inside interrupts.guard(): 128 + the signal
        fail(t(lang, "已中断", "interrupted"), getattr(exc, "exit_code", EXIT_INTERRUPTED))
    except BrokenPipeError:  # `gxnb check … | head` stopped reading: nothing more to say
        import os
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        except (OSError, ValueError):  # not a file of the process
            pass
        sys.exit(1)  # what Python's documentation advises for SIGPIPE
    except Exception as exc:  # a bug or an environment failure: say so plainly
        zh = f"内部错误：{type(exc).__name__}: {exc}。请把此信息和输入文件反馈给维护者。"
        en = f"internal error: {type(exc).__name__}: {exc}. Please report it with the input file."
        fail(t(lang, zh, en), EXIT_UNUSABLE)


def fit_streams() -> None:
    """Chinese text reaches any console: a stream set up as ASCII (a C locale without UTF-8 mode,
    PYTHONIOENCODING=ascii) writes UTF-8, and a character the console's encoding lacks becomes '?'
    instead of an error."""
    import codecs
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:  # not a text file of the process (a test's capture, None)
            continue
        try:
            ascii_only = codecs.lookup(stream.encoding or "ascii").name == "ascii"
        except LookupError:
            ascii_only = True
        if ascii_only:
            reconfigure(encoding="utf-8", errors="replace")
        elif stream.errors == "strict":
            reconfigure(errors="replace")
