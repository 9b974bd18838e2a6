"""Reading many files in parallel, without ever losing one and without leaving workers behind.

``map_files(fn, paths, jobs)`` yields ``(index, fn(path))`` for every path, in completion order:
in this process for a few files or one job, else in a ``ProcessPoolExecutor`` (fork on Linux:
parsed formats and imported readers are shared for free) fed a few chunks at a time, so memory
stays flat. A worker that dies (a reader crash, the OOM killer) breaks the pool instead of hanging
the run: the files of the chunks in flight are read again alone, one at a time, and the one that
kills its worker again (or hangs ``FILE_TIMEOUT`` s) gets ``lost(path, hung)``.

Workers die with their parent: on Linux each asks the kernel for SIGKILL when its parent goes
(``prctl(PR_SET_PDEATHSIG)``), and on every system a watcher thread ends it when its parent
changes. Workers ignore Ctrl-C (the parent handles it and ends them); in the parent, Ctrl-C, SIGTERM
and SIGHUP (the terminal closed) raise ``interrupts.Interrupted`` while a pool runs, never inside
the fork of a worker.
"""
from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence

CHUNK_TIMEOUT = 300  # seconds without any chunk finishing: a worker hangs (a file reads in ~10 ms)
FILE_TIMEOUT = 120  # seconds for one file read alone before it is given up as hung
SERIAL_BELOW = 16  # fewer files than this: not worth starting processes
PR_SET_PDEATHSIG = 1


def _worker_init(parent: int) -> None:
    """Runs first in every worker: die with the parent, leave Ctrl-C to it."""
    import signal
    import threading
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:  # nohup: ignored as by the parent
            signal.signal(sig, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except Exception:  # noqa: BLE001 - the watcher below still works
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    import time
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _new_pool(jobs: int):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),))


def _stop_pool(pool, kill: bool = False) -> None:
    from .. import interrupts
    if kill:  # a hung worker or an interruption: end the pool's own workers (by pid, nothing else)
        with interrupts.deferred():  # every one of them, even if Ctrl-C is pressed again
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                try:
                    proc.kill()
                except Exception:  # noqa: BLE001 - already gone
                    pass
            # One killed while sending its result leaves the pool's thread reading the rest of the
            # message, and shutdown() waiting for that thread for ever: with the workers' ends of the
            # pipe gone, closing this process's own end makes the read end (as a broken pool).
            writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
            if writer is not None:
                writer.close()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_chunk(fn: Callable, chunk: list) -> list:
    """Runs in a worker process: one result per path of the chunk."""
    return [(index, fn(path)) for index, path in chunk]


def map_files(fn: Callable[[str], object], paths: Sequence[str], jobs: int | None = None, *,
              lost: Callable[[str, bool], object] | None = None, prepare: Callable[[], None] | None = None
              ) -> Iterator[tuple[int, object]]:
    """(index, fn(path)) for each path, in completion order; exactly one result per path.

    ``fn`` must never raise for a bad file (return a record saying why); ``lost(path, hung)``
    makes the result of a file whose reading killed or hung its worker. ``prepare`` runs once in
    this process before forking (parse formats, import readers)."""
    from .. import interrupts
    lost = lost or (lambda path, hung: None)
    jobs = jobs or os.cpu_count() or 1
    items = list(enumerate(paths))
    if jobs <= 1 or len(items) < SERIAL_BELOW:
        for index, path in items:
            interrupts.check()
            yield index, fn(path)
        return
    if prepare:
        prepare()
    size = max(1, min(32, len(items) // (jobs * 8)))
    queue = deque(items[i:i + size] for i in range(0, len(items), size))
    suspects: list = []
    with interrupts.guard():
        while queue:
            yield from _run_chunks(fn, queue, jobs, suspects)
        yield from _isolate(fn, suspects, lost)


def _run_chunks(fn, queue, jobs: int, suspects: list):
    """Take chunks from ``queue`` into one pool, at most ``2 * jobs`` in flight, until the queue is
    empty or the pool breaks; the items of the chunks in flight at a break go to ``suspects``."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    from .. import interrupts
    in_flight: dict = {}
    pool = _new_pool(jobs)
    kill = True  # until the loop ends normally: an interruption kills the workers
    try:
        while True:
            while queue and len(in_flight) < 2 * jobs:
                chunk = queue.popleft()
                try:
                    with interrupts.deferred():  # the first submit forks the workers: all recorded
                        in_flight[pool.submit(_run_chunk, fn, chunk)] = chunk
                except (BrokenProcessPool, RuntimeError):  # broke between two submissions
                    if in_flight:
                        queue.appendleft(chunk)  # for the next pool
                    else:  # a fresh pool that cannot take work: never loop, read these alone
                        suspects.extend(chunk)
                    break
                except OSError:  # no process could be started (fork: EAGAIN, ENOMEM): read here
                    yield from _run_chunk(fn, chunk)
            if not in_flight:
                kill = False
                return
            done, _ = wait(in_flight, timeout=CHUNK_TIMEOUT, return_when=FIRST_COMPLETED)
            if not done:  # nothing finished for minutes: a worker hangs
                for chunk in in_flight.values():
                    suspects.extend(chunk)
                return
            interrupts.check()
            broken = False
            for fut in done:
                chunk = in_flight.pop(fut)
                try:
                    yield from fut.result()
                except BrokenProcessPool:
                    broken = True
                    suspects.extend(chunk)
                except Exception:  # noqa: BLE001 - could not send or return the chunk: try alone
                    suspects.extend(chunk)
            if broken:  # every other chunk in flight is lost with the pool
                for chunk in in_flight.values():
                    suspects.extend(chunk)
                return
    finally:
        _stop_pool(pool, kill)


def _isolate(fn, suspects: list, lost) -> Iterator[tuple[int, object]]:
    """Read each suspect alone in a one-worker pool: a death or a hang now names its file."""
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    from .. import interrupts
    pool = None
    try:
        for index, path in sorted(suspects):
            interrupts.check()  # each file may take FILE_TIMEOUT: a dropped signal stops here
            pool = pool or _new_pool(1)
            try:
                with interrupts.deferred():  # forks the worker
                    future = pool.submit(_run_chunk, fn, [(index, path)])
                yield from future.result(timeout=FILE_TIMEOUT)
                continue
            except BrokenProcessPool:
                yield index, lost(path, False)
                _stop_pool(pool)
            except FutureTimeout:
                yield index, lost(path, True)
                _stop_pool(pool, kill=True)
            except Exception:  # noqa: BLE001 - never lose a file
                yield index, lost(path, False)
                _stop_pool(pool)
            pool = None
    except BaseException:
        if pool is not None:
            _stop_pool(pool, kill=True)
            pool = None
        raise
    finally:
        if pool is not None:
            _stop_pool(pool)


def _lost_check(path: str, hung: bool):
    from ..check import FileResult
    from ..errors import ReportError
    return FileResult(path, "unreadable", error=ReportError(
        "读取此文件时校验进程意外退出或超时（文件可能损坏或异常）", "the checking process died or hung on this file"))


def check_paths(paths: Sequence[str], *, previous=None, jobs: int | None = None) -> list:
    """``check.check_many`` for files already listed, in parallel (one FileResult per path, in
    order). With ``previous`` (matching last year's reports by unit) it runs in one process."""
    from ..check import check_many
    from ..check.pipeline import check_file
    from .inputs import display
    if previous or len(paths) < SERIAL_BELOW:
        results = check_many(paths, previous=previous)
    else:
        got = dict(map_files(check_file, paths, jobs, lost=_lost_check))
        results = [got[i] for i in range(len(paths))]
    for r in results:  # names in GBK bytes (a Windows zip) shown decoded, never unprintable
        r.file = display(r.file)
    return results
