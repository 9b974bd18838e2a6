"""Helpers for the workbench tests: township workbooks from the project's generators and a
real ``gxnb serve`` process on a free port (fixtures in conftest.py)."""
from __future__ import annotations

import functools
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gxnb_xl.excel.template import build_workbook_bytes
from gxnb_xl.testing.synth import random_report

TOKEN = "test-admin-token-0123456789"
COUNTY = "测试县人民政府"
TOWNS = ["城关镇", "东坝镇", "西河乡", "南山镇", "北塬乡", "清水镇"]


def full(town: str) -> str:
    return f"测试县{town}人民政府"


def report(town: str, seed: int, *, year: int = 2024):
    return random_report(random.Random(seed), "2021", unit=full(town), year=year, busy=0.6)


def slipped(town: str, seed: int):
    """A typing slip in a typed cell of 表三 (R3.1 no longer holds): an error."""
    rep = report(town, seed)
    rep.values["t3.new.natural"] = (rep.values["t3.new.natural"] or 0) + 9
    return rep


def warned(town: str, seed: int):
    """A township that reports 规章 in force (W2.1): a warning, not an error."""
    rep = report(town, seed)
    rep.values["t2.rules.in_force"] = 2
    return rep


def workbook(rep) -> bytes:
    return build_workbook_bytes("2021", rep)


@functools.lru_cache(maxsize=None)
def good(town: str, seed: int) -> bytes:
    """A filled workbook of ``report(town, seed)``, made once per session."""
    return workbook(report(town, seed))


@functools.lru_cache(maxsize=None)
def warned_wb(town: str, seed: int) -> bytes:
    return workbook(warned(town, seed))


@functools.lru_cache(maxsize=None)
def _scenario_files() -> tuple:
    """Made once per test session (the template writer takes a while per workbook)."""
    return tuple({
        "城关镇.xlsx": good("城关镇", 1),
        "东坝镇-填报.xlsx": workbook(slipped("东坝镇", 2)),
        "南山镇.xlsx": warned_wb("南山镇", 3),
        "西河乡.xlsx": b"PK\x03\x04 this is a truncated workbook",
        "北塬乡.xlsx": workbook(report("北塬乡", 5)),
        "北塬乡(1).xlsx": workbook(report("北塬乡", 6)),  # the same unit twice: the later one counts
    }.items())


@pytest.fixture
def township_files(tmp_path):
    """The key scenario's files as written on disk: good, slipped, warned, unreadable, duplicate."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = dict(_scenario_files())
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder, files


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gxnb serve --data D --port P --no-browser`` with GXNB_TOKEN, as a real process."""

    def __init__(self, data: Path, host: str = "127.0.0.1"):
        self.data, self.host = data, host
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        env = dict(os.environ, GXNB_TOKEN=TOKEN, PYTHONUNBUFFERED="1")
        gxnb = Path(sys.executable).with_name("gxnb")
        cmd = [str(gxnb)] if gxnb.exists() else [sys.executable, "-m", "gxnb_xl"]
        self.proc = subprocess.Popen(cmd + ["serve", "--data", str(self.data), "--host", self.host,
                                            "--port", str(self.port), "--no-browser"],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.proc.stderr.read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not start")

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def server_factory(tmp_path):
    started = []

    def make(data: Path | None = None, host: str = "127.0.0.1") -> Server:
        s = Server(data or tmp_path / "data", host)
        started.append(s)
        return s.start()

    yield make
    for s in started:
        s.stop()
