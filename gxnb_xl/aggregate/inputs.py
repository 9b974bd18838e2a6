"""Listing the inputs: every entry under the given paths, each with its fate, nothing dropped.

A folder is walked with ``os.scandir`` (sorted, bounded in depth and count). Every entry comes back:
a regular file to read, or a record saying why it is not read — a lock file, OS litter, a file
that is not a report, a dangling link, a FIFO/socket/device (reading one would block or never
end), an unreadable subfolder, a symlinked folder already listed (loops end), a file too large.
Links are resolved first: only regular files are ever opened. File names that are not valid UTF-8
(GBK bytes from a Windows zip) are kept for opening and shown decoded for people.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator

from ..inputs import WORKBOOK_SUFFIXES
from .files import SUMMARY_SHEET, display, has_summary_sheet  # noqa: F401  (re-exported)
from .records import (SKIP_LITTER, SKIP_LOCK, SKIP_OUTPUT, SKIP_TYPE, FileRecord, STATE_IGNORED, STATE_NOT_REPORT,
                      STATE_UNREADABLE)

REPORT_SUFFIXES = WORKBOOK_SUFFIXES + (".json",)
_LITTER = {"thumbs.db", "desktop.ini", ".ds_store"}
MAX_DEPTH = 32
MAX_ENTRIES = 200_000
MAX_BYTES = 50 * 1024 * 1024  # a filled template is ~30 KB, a report JSON a few KB


def expand(inputs: Iterable, *, output: str | os.PathLike | None = None) -> Iterator[tuple[str, FileRecord | None]]:
    """(path, None) for each regular file to read, (path, record) for every other entry."""
    out_id = _identity(output) if output else None
    seen_dirs: set = set()
    budget = [MAX_ENTRIES]
    for item in inputs:
        p = os.fspath(item)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if os.path.islink(p):
                yield p, _rec(p, STATE_UNREADABLE, "agg.why.link_dangling", target=display(os.readlink(p)))
            else:
                yield p, _rec(p, STATE_UNREADABLE, "agg.why.missing_file")
            continue
        except OSError as exc:
            yield p, _rec(p, STATE_UNREADABLE, "agg.why.failed", error=exc.strerror or str(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(p, st, 0, seen_dirs, out_id, budget, top=True)
        else:
            yield p, _fate(p, st, out_id)


def _identity(path) -> tuple | None:
    try:
        st = os.stat(path)
        return st.st_dev, st.st_ino
    except OSError:
        return None


def _walk(folder: str, st, depth: int, seen: set, out_id, budget: list, top: bool = False):
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return
    seen.add(key)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield folder, _rec(folder, STATE_UNREADABLE, "agg.why.folder_unreadable", error=exc.strerror or str(exc))
        return
    if not entries:
        yield folder, _rec(folder, STATE_IGNORED, "agg.why.empty_folder", skip="empty")
        return
    for e in entries:
        if budget[0] <= 0:
            yield folder, _rec(folder, STATE_IGNORED, "agg.why.too_many", n=MAX_ENTRIES, skip="bound")
            return
        budget[0] -= 1
        path = e.path
        try:
            is_link = e.is_symlink()
            st_e = os.stat(path)  # follows links: a link is judged by what it points at
        except FileNotFoundError:
            target = display(os.readlink(path)) if os.path.islink(path) else ""
            yield path, _rec(path, STATE_UNREADABLE, "agg.why.link_dangling", target=target)
            continue
        except OSError as exc:
            if exc.errno == 40:  # ELOOP: a link that points at itself, in a loop
                yield path, _rec(path, STATE_IGNORED, "agg.why.link_loop", skip="link")
            else:
                yield path, _rec(path, STATE_UNREADABLE, "agg.why.failed", error=exc.strerror or str(exc))
            continue
        if stat.S_ISDIR(st_e.st_mode):
            if (st_e.st_dev, st_e.st_ino) in seen:
                yield path, _rec(path, STATE_IGNORED, "agg.why.link_seen" if is_link else "agg.why.link_loop",
                                 target=display(os.path.realpath(path)), skip="link")
                continue
            if depth + 1 > MAX_DEPTH:
                yield path, _rec(path, STATE_IGNORED, "agg.why.too_deep", depth=MAX_DEPTH, skip="bound")
                continue
            yield from _walk(path, st_e, depth + 1, seen, out_id, budget)
        else:
            yield path, _fate(path, st_e, out_id)


def _fate(path: str, st, out_id) -> FileRecord | None:
    """None when ``path`` is a regular file to read; else the record of why it is not read."""
    name = os.path.basename(path)
    if out_id is not None and (st.st_dev, st.st_ino) == out_id:
        return _rec(path, STATE_IGNORED, "agg.why.output", skip=SKIP_OUTPUT)
    if not stat.S_ISREG(st.st_mode):
        kind = ("fifo" if stat.S_ISFIFO(st.st_mode) else "socket" if stat.S_ISSOCK(st.st_mode)
                else "device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "other")
        return _rec(path, STATE_UNREADABLE, "agg.why.special", kind_key=(f"agg.kind.{kind}",))
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return _rec(path, STATE_IGNORED, "agg.why.lock", skip=SKIP_LOCK)
    if name.lower() in _LITTER or name.startswith("."):
        return _rec(path, STATE_IGNORED, "agg.why.litter", skip=SKIP_LITTER)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in REPORT_SUFFIXES:
        kind = {"kind": suffix} if suffix else {"kind_key": ("agg.why.no_extension",)}
        return _rec(path, STATE_NOT_REPORT, "agg.why.not_report", skip=SKIP_TYPE, **kind)
    if st.st_size > MAX_BYTES:
        return _rec(path, STATE_UNREADABLE, "agg.why.too_large", mb=st.st_size // (1024 * 1024))
    return None


def _rec(path: str, state: str, why: str, skip: str = "", **params) -> FileRecord:
    status = "unreadable" if state == STATE_UNREADABLE else "skipped"
    return FileRecord(display(path), status, path=path, state=state, why=why, params=params, skip=skip)


def regular_file(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> FileRecord | None:
    """None when ``path`` is a regular file (after links) no larger than ``max_bytes``; else why not
    (for ``--units`` and ``--previous``, which must never block on a FIFO or read /dev/zero)."""
    p = os.fspath(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return _rec(p, STATE_UNREADABLE, "agg.why.missing_file")
    except OSError as exc:
        return _rec(p, STATE_UNREADABLE, "agg.why.failed", error=exc.strerror or str(exc))
    if stat.S_ISDIR(st.st_mode):
        return None
    fate = _fate(p, st, None)
    if fate is not None and fate.state == STATE_UNREADABLE:
        return fate
    if st.st_size > max_bytes:
        return _rec(p, STATE_UNREADABLE, "agg.why.too_large", mb=st.st_size // (1024 * 1024))
    return None


def read_capped(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` (a file growing while read is cut)."""
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(27, "File too large")
    return data


def split_for_check(files: Iterable) -> tuple[list[str], list[FileRecord]]:
    """For ``gxnb check``: (paths to check, records of entries not checked). Files named on the
    command line are checked (the reader says what is wrong with them) except lock files and litter,
    listed as ``aggregate`` lists them; inside folders the
    listing decides, as for ``aggregate``: lock files, litter and non-report files are listed,
    not read; FIFOs, dangling links and unreadable folders are listed as unreadable."""
    paths: list[str] = []
    skipped: list[FileRecord] = []
    for item in files:
        if os.path.isdir(item):
            before = len(paths)
            for path, fate in expand([item]):
                if fate is None:
                    paths.append(path)
                elif fate.why != "agg.why.empty_folder" or path != os.fspath(item):
                    skipped.append(fate)
            if len(paths) == before:  # no report in it: the reader says so (exit 2)
                paths.append(os.fspath(item))
        else:
            fate = regular_file(item)
            if fate is not None and fate.why == "agg.why.special":
                skipped.append(fate)  # a FIFO named on the command line would block the reader
                continue
            listed = next(iter(expand([item])), (None, None))[1]
            if listed is not None and listed.state == STATE_IGNORED:
                skipped.append(listed)  # a lock file or litter: listed as aggregate lists it, not an error
            else:
                paths.append(os.fspath(item))  # anything else: the reader says what it is
    return paths, skipped
