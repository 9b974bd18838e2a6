"""The command line as tests call it: ``run("check", path, "--json")`` runs ``gxnb_xl.cli.main`` in
this process and returns a Result: ``exit_code``, ``stdout`` and ``stderr`` kept apart, ``output``
(both, interleaved as the user sees them) and ``exception`` (SystemExit for a non-zero exit, or
whatever escaped). One helper for every test module instead of a copy in each."""
from __future__ import annotations

import io
import sys
from dataclasses import dataclass

from gxnb_xl.cli import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    output: str
    exception: BaseException | None = None
    exc_info: tuple | None = None


class _Copy(io.BytesIO):
    """One stream's bytes, each write also copied to the record of what the user saw."""

    def __init__(self, both: io.BytesIO):
        super().__init__()
        self.both = both

    def write(self, data) -> int:
        self.both.write(data)
        return super().write(data)


def run(*args, input: str | None = None) -> Result:  # noqa: A002 - the word subprocess.run uses
    both = io.BytesIO()
    out, err = _Copy(both), _Copy(both)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    code, exception, exc_info = 0, None, None
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
        if not isinstance(code, int):  # sys.exit("message"): printed, exit code 1
            sys.stderr.write(f"{code}\n")
            code = 1
        exception = exc if code != 0 else None
    except Exception as exc:  # main lets nothing escape; if something does, the test sees it here
        code, exception, exc_info = 1, exc, sys.exc_info()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        texts = [b.getvalue().decode("utf-8", "replace") for b in (out, err, both)]
        sys.stdin, sys.stdout, sys.stderr = saved
    return Result(code, *texts, exception=exception, exc_info=exc_info)


def render(*args):
    return run("render", *args)


def option(command: str, dest: str):
    """The argparse action of one option of a command (its choices, default, type)."""
    from gxnb_xl.cli import command as build
    _, parser = build(command)
    return next(a for a in parser._actions if a.dest == dest)
