"""interrupts: Ctrl-C, SIGTERM and SIGHUP become one exception inside a guard, and none is lost.

Real signals sent to this process (pytest runs tests in the main thread, where Python's handlers
run). The end-to-end case, a signal while the pool forks, is in tests/aggregate/test_inbox.py."""
import os
import signal
import threading

import pytest

from gxnb_xl import interrupts
from gxnb_xl.interrupts import Interrupted, check, deferred, guard

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")


@pytest.fixture(autouse=True)
def _sighup_not_ignored():
    """`nohup make test` ignores SIGHUP, and a guard leaves an ignored signal alone: these tests
    send SIGHUP, so it gets a handler of its own (that still does nothing outside a guard)."""
    old = signal.signal(signal.SIGHUP, lambda signum, frame: None)
    yield
    signal.signal(signal.SIGHUP, old)


def _send(sig):
    os.kill(os.getpid(), sig)
    for _ in range(1000):  # the handler runs at the next bytecode; never reached when it raises
        pass


class _RaisesInDel:
    """Sends ``sig`` from ``__del__``, where Python prints and drops the exception the handler raises."""

    def __init__(self, sig):
        self.sig = sig

    def __del__(self):
        _send(self.sig)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_each_signal_raises_interrupted_with_its_exit_code(sig):
    before = signal.getsignal(sig)
    with pytest.raises(Interrupted) as caught:
        with guard():
            _send(sig)
            pytest.fail("the run went on after the signal")
    assert caught.value.signum == sig and caught.value.exit_code == 128 + sig
    assert isinstance(caught.value, KeyboardInterrupt)  # every `except KeyboardInterrupt` still applies
    assert signal.getsignal(sig) is before  # handlers restored


def test_a_signal_inside_deferred_is_raised_when_the_section_ends():
    done = []
    with pytest.raises(Interrupted) as caught:
        with guard():
            with deferred():
                _send(signal.SIGTERM)
                done.append("section finished")
            done.append("after the section")
    assert done == ["section finished"] and caught.value.signum == signal.SIGTERM


def test_a_dropped_interruption_is_raised_by_check(monkeypatch):
    dropped = []
    monkeypatch.setattr("sys.unraisablehook", lambda u: dropped.append(u.exc_type))

    went_on = []
    with pytest.raises(Interrupted):
        with guard():
            _RaisesInDel(signal.SIGTERM)  # freed at once: Python prints and drops the exception raised in __del__
            went_on.append(True)
            check()
            went_on.append(False)
    assert dropped == [Interrupted] and went_on == [True]


def test_a_dropped_interruption_is_raised_when_the_guard_ends(monkeypatch):
    monkeypatch.setattr("sys.unraisablehook", lambda u: None)

    with pytest.raises(Interrupted) as caught:
        with guard():
            _RaisesInDel(signal.SIGHUP)
    assert caught.value.signum == signal.SIGHUP


def test_an_ignored_signal_stays_ignored():
    """`nohup gxnb aggregate …`: the terminal closing must not stop the run."""
    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with guard():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
            _send(signal.SIGHUP)
            check()
    finally:
        signal.signal(signal.SIGHUP, old)


def test_nested_guards_share_the_outer_handlers_and_nothing_carries_over():
    with pytest.raises(Interrupted):
        with guard():
            with guard():
                _send(signal.SIGTERM)
    with guard():  # a new run starts clean
        check()
    assert interrupts._State.count == 0 and not interrupts._State.active


def test_outside_the_main_thread_nothing_is_installed():
    seen = []

    def work():
        with guard():
            seen.append(signal.getsignal(signal.SIGTERM))
            with deferred():
                check()

    t = threading.Thread(target=work)
    t.start()
    t.join(10)
    assert seen == [signal.SIG_DFL]



def _signal_after(monkeypatch, sig, installing: bool, send):
    """signal.signal that sends ``send`` to this process right after it installs (or restores) the
    handler of ``sig``: a signal landing between two of the guard's ``signal.signal`` calls."""
    real = signal.signal
    fired = []

    def signal_then_send(s, handler):
        old = real(s, handler)
        if s == sig and (handler is interrupts._handler) == installing and not fired:
            fired.append(send)
            _send(send)
        return old

    monkeypatch.setattr(signal, "signal", signal_then_send)
    return fired


def test_a_signal_while_the_guard_installs_its_handlers_leaves_none_behind(monkeypatch):
    """Ctrl-C right after the guard took SIGINT, before the others: it interrupts the run, and
    no handler of ours stays installed (the process may run on: tests, a notebook)."""
    before = {s: signal.getsignal(s) for s in interrupts._SIGNALS}
    try:
        fired = _signal_after(monkeypatch, signal.SIGINT, True, signal.SIGINT)
        with pytest.raises(Interrupted) as caught:
            with guard():
                pytest.fail("the run went on after the signal")
        monkeypatch.undo()
        assert fired == [signal.SIGINT] and caught.value.signum == signal.SIGINT
        assert {s: signal.getsignal(s) for s in interrupts._SIGNALS} == before
        assert not interrupts._State.active and interrupts._State.count == 0
    finally:  # the next tests start clean whatever happened
        monkeypatch.undo()
        for s, h in before.items():
            signal.signal(s, h)
        interrupts._State.active, interrupts._State.deferring, interrupts._State.count = False, 0, 0


def test_a_signal_while_the_guard_restores_the_handlers_goes_to_the_restored_one(monkeypatch):
    """SIGTERM right after the guard gave SIGINT back, before SIGTERM: the guard is over, so it
    is the program's own SIGTERM handler that gets it; ours must not stay installed, nor the guard
    stay marked active (every later guard would then be 'nested' and install nothing, and every
    later check() raise)."""
    got = []
    own = signal.signal(signal.SIGTERM, lambda s, f: got.append(("own handler", s)))
    try:
        before = {s: signal.getsignal(s) for s in interrupts._SIGNALS}
        fired = _signal_after(monkeypatch, signal.SIGINT, False, signal.SIGTERM)
        try:
            with guard():
                got.append("body")
        except Interrupted as exc:
            got.append(("Interrupted", exc.signum))
        monkeypatch.undo()
        assert fired == [signal.SIGTERM]
        assert {s: signal.getsignal(s) for s in interrupts._SIGNALS} == before
        assert not interrupts._State.active and interrupts._State.count == 0
        with guard():  # the next run is guarded again
            assert signal.getsignal(signal.SIGTERM) is interrupts._handler
        assert got == ["body", ("own handler", signal.SIGTERM)]
    finally:  # the next tests start clean whatever happened
        monkeypatch.undo()
        for s, h in before.items():
            signal.signal(s, h)
        signal.signal(signal.SIGTERM, own)
        interrupts._State.active, interrupts._State.deferring, interrupts._State.count = False, 0, 0


def _dies(path):  # runs in a pool worker: a reader crash that kills it outright
    os._exit(3)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_dropped_interruption_stops_the_reading_of_files_alone(monkeypatch):
    """Files whose chunk killed its worker are read again alone, each up to FILE_TIMEOUT: a signal
    dropped meanwhile (in a weakref callback when a pool is freed, say) is raised before the next
    file, not after all of them."""
    from gxnb_xl.aggregate.pool import map_files
    dropped = []
    monkeypatch.setattr("sys.unraisablehook", lambda u: dropped.append(u.exc_type))

    lost = []

    def on_lost(path, hung):
        lost.append(path)
        if len(lost) == 1:
            _RaisesInDel(signal.SIGTERM)  # the signal is printed and dropped; the reading goes on
        return path

    paths = [f"{i:02d}" for i in range(16)]
    with pytest.raises(Interrupted):
        for _ in map_files(_dies, paths, 2, lost=on_lost):
            pass
    assert Interrupted in dropped  # (breaking pools may drop other things; not this test's concern)
    assert lost == ["00"], lost  # not one more file read after the signal


def _sighup_ignored(path):  # runs in a pool worker
    return signal.getsignal(signal.SIGHUP) is signal.SIG_IGN


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_under_nohup_the_pool_workers_ignore_sighup_too():
    """`nohup gxnb aggregate …`: the terminal closing sends SIGHUP to the whole process group; the
    workers must ignore it as their parent does, or the pool breaks and its files are read again."""
    from gxnb_xl.aggregate.pool import map_files
    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        got = dict(map_files(_sighup_ignored, [str(i) for i in range(16)], 2))
    finally:
        signal.signal(signal.SIGHUP, old)
    assert len(got) == 16 and set(got.values()) == {True}
