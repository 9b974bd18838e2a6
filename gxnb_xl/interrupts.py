"""Ctrl-C, SIGTERM and SIGHUP (the terminal closed) end a run one way, and are never lost.

Inside ``guard()`` the three signals raise ``Interrupted``, a KeyboardInterrupt that carries the
signal, so ``finally`` clauses run: the pool ends its workers, LibreOffice is killed, temporary
files go; the command exits with 128 + the signal's number. A signal ignored when the guard starts
(``nohup`` ignores SIGHUP) stays ignored. Only the main thread receives Python's signal handlers:
in any other thread the guard and ``deferred()`` do nothing.

A handler's exception can be lost. Python raises it at the next bytecode, which may be inside an
at-fork hook (logging has one), a ``__del__`` or a weakref callback; there it is printed and
dropped ("Exception ignored in …"), and the run goes on as if never asked to stop. Or it lands
between a fork and the pool's record of the new worker, and the exit then waits for that worker
forever. So each signal is also counted: inside ``deferred()`` (starting a process) it is only
counted and raised when the section ends, and ``check()``, called between units of work and when
the guard ends, raises one that was dropped.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP arrived inside ``guard()``."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(int(signum))
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # what a shell reports for a process ended by that signal


class _State:
    active = False  # the outermost guard of the main thread holds the handlers
    deferring = 0  # deferred() sections entered
    count = 0  # signals received inside the outermost guard
    last = None  # the last of them


def _handler(signum, frame):
    _State.count += 1
    _State.last = signum
    if not _State.deferring:
        raise Interrupted(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def check() -> None:
    """Raise ``Interrupted`` if a signal arrived inside the guard and the run still goes on (its
    exception was dropped). Cheap: call it between units of work."""
    if _State.count and not _State.deferring and _main_thread():
        raise Interrupted(_State.last)


@contextmanager
def guard():
    """Within the block, Ctrl-C, SIGTERM and SIGHUP raise ``Interrupted``; handlers restored after."""
    if not _main_thread():
        yield
        return
    if _State.active:  # nested: the outermost guard holds the handlers
        yield
        check()
        return
    old = {}
    # While the handlers are put in place or given back, a signal is only counted: raised once all
    # are ours, or sent again to the handler given back; never one of ours left behind, nor the
    # guard left marked active (every later guard would install nothing and check() raise).
    _State.active, _State.deferring, _State.count, _State.last = True, 1, 0, None
    try:
        for sig in _SIGNALS:
            current = signal.getsignal(sig)
            if current in (signal.SIG_IGN, None):  # ignored (nohup), or handled outside Python: left so
                continue
            if sig == signal.SIGINT and current is not signal.default_int_handler:  # someone's own Ctrl-C
                continue
            try:
                old[sig] = signal.signal(sig, _handler)
            except (ValueError, OSError):  # pragma: no cover - a signal this system will not let us catch
                pass
        _State.deferring = 0
        check()
        yield
        check()
    finally:
        _State.deferring += 1
        before = _State.count
        for sig, h in old.items():
            signal.signal(sig, h)
        late = _State.last if _State.count != before else None
        _State.active, _State.deferring, _State.count, _State.last = False, 0, 0, None
        if late is not None:  # it came after the guard's end: as if a moment later
            signal.raise_signal(late)


@contextmanager
def deferred():
    """A section that must run whole (a fork and the record of its child): a signal inside is
    raised when it ends."""
    if not (_State.active and _main_thread()):
        yield
        return
    before = _State.count
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
    if _State.count != before and not _State.deferring:
        raise Interrupted(_State.last)
