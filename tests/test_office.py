from gxnb_xl.office import fonts_conf


def test_fonts_conf_ships_with_the_package():
    path = fonts_conf()
    assert path is not None and path.is_file()
    assert "仿宋_GB2312" in path.read_text(encoding="utf-8")


def _group_alive(pgid: int) -> list[int]:
    """Processes of a process group that still run (not zombies)."""
    from pathlib import Path
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def test_a_signal_while_libreoffice_starts_does_not_leave_it_running(tmp_path, monkeypatch):
    """SIGTERM landing while Popen starts LibreOffice is raised when Popen returns: the conversion
    is interrupted and LibreOffice (in its own session, out of reach of the terminal) is killed."""
    import os
    import signal
    import subprocess
    import sys

    import pytest
    from docx import Document

    from gxnb_xl.interrupts import Interrupted
    from gxnb_xl.office import to_pdf
    from lo import soffice
    if not sys.platform.startswith("linux"):
        pytest.skip("/proc")
    soffice()  # skips (or fails under GXNB_REQUIRE_LIBREOFFICE=1) without LibreOffice
    started = []

    class SignalledWhileStarting(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self.pid)
            os.kill(os.getpid(), signal.SIGTERM)  # as if it came during the exec wait
            for _ in range(1000):  # the handler runs at the next bytecode
                pass

    monkeypatch.setattr(subprocess, "Popen", SignalledWhileStarting)
    docx = tmp_path / "r.docx"
    Document().save(docx)
    try:
        with pytest.raises(Interrupted) as caught:
            to_pdf(docx, tmp_path / "r.pdf")
        assert caught.value.signum == signal.SIGTERM and len(started) == 1
        assert _group_alive(started[0]) == [], "LibreOffice left running"
        assert not (tmp_path / "r.pdf").exists()
    finally:
        for pid in started:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
