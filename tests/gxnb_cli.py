"""The command line as tests call it: ``run("check", path, "--json")`` → click's Result (stdout and
stderr kept apart). One helper for every test module instead of a copy in each."""
from __future__ import annotations

from click.testing import CliRunner

from gxnb_xl.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def render(*args):
    return run("render", *args)
