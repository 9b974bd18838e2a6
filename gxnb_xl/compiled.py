"""The compiled format — its ``Spec``, workbook ``Layout`` and the fast reader's plan — kept across
processes the way Python keeps bytecode.

Building them from ``formats/<id>.toml`` costs ~10 ms at every start; loading them pickled costs ~1 ms.
A pickle runs code when loaded, so it lives where Python's own ``.pyc`` files live and under the same
trust: ``formats/__pycache__/`` beside the format file, or under ``sys.pycache_prefix`` mirroring that
path (``PYTHONPYCACHEPREFIX``) — never in a user cache directory. A file is used only when it belongs to
this user (or root) and nobody else can write it. It is not written when Python writes no bytecode
(``PYTHONDONTWRITEBYTECODE``) or the directory is not writable, and ``GXNB_NO_CACHE=1`` turns it off.

The file name carries a key of everything a rebuilt object depends on: the format file's content, the
Python version, the package version and the (mtime, size) stamps of every module that builds or defines
these objects and of the data files they read (as a ``.pyc`` is keyed by its source's stamp). The
content is CRC-checked; a missing, damaged or unreadable file, or any error while loading it, means
the objects are built again and the file rewritten (atomically, replacing the format's older file).

One pickle stream of three objects: the spec, the layout, the plan, each unpickled when first asked
for, so a process that needs only the spec does not import the workbook modules. They share one memo,
so the process holds one object of each: what ``load_spec(id)`` returns is ``layout_of(id).spec`` and
``plan.spec``. Each is pickled right after it is built, before anything else can attach state to it.
A process that builds only the spec writes the file with the spec alone; the first process that also
needs the layout and plan loads that spec, builds the rest and writes the file whole.

Beside it, under the same key (``side``): what the fast reader worked out from a format's workbooks
(sheet recipes, excel/fastpath.py); and plain-text ``facts`` such as the package structures calamine
opened (keyed by the installed calamine's own file stamps).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .tomlcache import digest, store  # the project's content digest and quiet atomic cache writer

_MAGIC = b"gxnb-compiled\x01"
_KEY_LEN = 32
_HEAD_LEN = len(_MAGIC) + _KEY_LEN + 4 * 4  # magic, key, crc32 of the body, the three parts' lengths
_PACKAGE = Path(__file__).parent
_CODE_DIRS = ("", "excel", "word")  # the modules that build or define what is pickled
SECTIONS = ("spec", "layout", "plan")

_ENTRIES: dict[str, "_Entry"] = {}  # format id → the sections of its loaded file
_PENDING: dict[str, dict] = {}  # format id → where to write, and the sections pickled so far
_KEYS: dict[str, str] = {}  # format id → the key of its compiled file (when the cache is on)
BUILT: list[str] = []  # the objects built (not loaded) in this process, e.g. "spec:2021" (tests read it)


def enabled() -> bool:
    return os.environ.get("GXNB_NO_CACHE") != "1"


def _stamps() -> bytes:
    """The (mtime_ns, size) of every module that builds or defines the cached objects, and of the
    data files beside the formats (levels.toml is read while drawing the layout)."""
    out = [sys.version, sys.implementation.cache_tag]
    from ._version import __version__
    out.append(__version__)
    for sub in (*_CODE_DIRS, "formats"):
        suffix = ".toml" if sub == "formats" else ".py"
        with os.scandir(_PACKAGE / sub if sub else _PACKAGE) as it:
            for e in sorted(it, key=lambda e: e.name):
                if e.name.endswith(suffix):
                    st = e.stat()
                    out.append(f"{sub}/{e.name}:{st.st_mtime_ns}:{st.st_size}")
    return "\n".join(out).encode("utf-8")


def _key(source: bytes) -> str:
    return digest(digest(source).encode() + b"\n" + _stamps())[:32]


def cache_dir() -> Path:
    """Where the compiled formats live: as ``importlib`` places ``.pyc`` files for ``formats/``."""
    formats = os.path.abspath(_PACKAGE / "formats")
    if sys.pycache_prefix:
        return Path(sys.pycache_prefix, formats.lstrip(os.sep))
    return Path(formats, "__pycache__")


def _path(format_id: str, key: str) -> Path:
    return cache_dir() / f"{format_id}.{sys.implementation.cache_tag}.{key}.pickle"


# ── loading ───────────────────────────────────────────────────────────────────────────────
class _Entry:
    """One format's file: a pickle stream of the spec, then the layout, then the plan, unpickled in
    that order as each is first asked for (one memo: the layout refers to the spec's own objects)."""

    def __init__(self, body: bytes):
        import io
        from _thread import allocate_lock

        from _pickle import Unpickler  # not ``pickle``: its import costs ~2 ms, for this one class
        self.unpickler = Unpickler(io.BytesIO(body))
        self.objects: dict = {}
        self.lock = allocate_lock()  # threads (the workbench) asking at once get the same object

    def load(self, name: str):
        with self.lock:
            if name in self.objects:
                return self.objects[name]
            if len(self.objects) != SECTIONS.index(name):
                raise ValueError(f"{name} out of order")
            import gc
            threading = sys.modules.get("threading")
            # thousands of new objects, none garbage: a collection midway is wasted time (not while other
            # threads run: one of them could fork a worker that would inherit the collector switched off)
            collecting = gc.isenabled() and (threading is None or threading.active_count() == 1)
            if collecting:
                gc.disable()
            try:
                obj = self.objects[name] = self.unpickler.load()
            finally:
                if collecting:
                    gc.enable()
            return obj


def _read_trusted(path: Path) -> bytes | None:
    """The bytes of the file at ``path`` when it belongs to this user (or root) and no one else may
    write it, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_uid not in (0, os.getuid()) or st.st_mode & 0o022 or st.st_size > 64 << 20:
            return None  # written by someone else, or writable by others: not ours to run
        data = b""
        while len(data) < st.st_size + 1:  # the whole file, and proof it ends there
            chunk = os.read(fd, st.st_size + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError:
        return None
    finally:
        os.close(fd)
    return data


def _read(path: Path, key: str) -> bytes | None:
    """The pickled body of the file at ``path``, or None when it is missing, not trusted or damaged."""
    import zlib
    data = _read_trusted(path)
    if data is None:
        return None
    if len(data) < _HEAD_LEN or not data.startswith(_MAGIC):
        return None
    at = len(_MAGIC)
    file_key = data[at:at + _KEY_LEN]
    crc, *lengths = (int.from_bytes(data[i:i + 4], "little") for i in range(at + _KEY_LEN, _HEAD_LEN, 4))
    body = data[_HEAD_LEN:]
    if file_key != key.encode() or len(body) != sum(lengths) or zlib.crc32(body) != crc:
        return None
    return body


def spec(format_id: str, source: bytes, build, kind: type):
    """The spec of ``source`` (the format file's bytes): from the compiled file when there is a good
    one (an instance of ``kind``), else ``build(source)`` — pickled at once, to write the file when the
    layout and plan are built too. (Passed in: this module does not import ``spec``, which imports it.)"""
    path = None
    if enabled() and format_id.replace("-", "").replace("_", "").isalnum():  # a name, never a path
        try:
            key = _key(source)
            path = _path(format_id, key)
            body = _read(path, key)
        except OSError:
            body = None
        if body is not None:
            entry = _Entry(body)
            try:
                obj = entry.load("spec")
            except Exception:  # noqa: BLE001 - anything while loading: build it again
                obj = None
            if type(obj) is kind and obj.id == format_id:
                _ENTRIES[format_id] = entry
                _KEYS[format_id] = key
                return obj
    obj = build(source)
    BUILT.append(f"spec:{format_id}")
    _ENTRIES.pop(format_id, None)
    if path is not None:
        _KEYS[format_id] = key
    if path is not None and not sys.dont_write_bytecode and _pending(format_id, path, obj):
        # written now with the spec alone (a process reading only reports never builds the rest);
        # rewritten whole when this process builds the layout and plan too
        _store(path, _PENDING[format_id]["buf"].getvalue(), [_PENDING[format_id]["ends"][0], 0, 0])
    return obj


def layout(spec_obj):
    """The layout of ``spec_obj`` from its compiled file, or None (then the caller builds it)."""
    entry = _ENTRIES.get(spec_obj.id)
    if entry is None or entry.objects.get("spec") is not spec_obj:
        return None
    try:
        obj = entry.load("layout")
        if obj.spec is spec_obj and obj.format == spec_obj.id and obj.spec_hash == spec_obj.hash:
            return obj
    except Exception:  # noqa: BLE001 - build it again (and rewrite the file)
        pass
    _rewrite(spec_obj, None)
    return None


def plan(spec_obj, layout_obj):
    """The fast reader's plan of ``spec_obj`` and ``layout_obj`` from the compiled file, or None."""
    entry = _ENTRIES.get(spec_obj.id)
    if entry is None or entry.objects.get("spec") is not spec_obj or entry.objects.get("layout") is not layout_obj:
        return None
    try:
        obj = entry.load("plan")
        if obj.spec is spec_obj and obj.layout is layout_obj:
            return obj
    except Exception:  # noqa: BLE001
        pass
    _rewrite(spec_obj, layout_obj)
    return None


def _rewrite(spec_obj, layout_obj) -> None:
    """A part that would not load, or is not in the file yet: what follows it is built and the file
    written again."""
    _ENTRIES.pop(spec_obj.id, None)
    if sys.dont_write_bytecode or not enabled():
        return
    try:
        source = (_PACKAGE / "formats" / f"{spec_obj.id}.toml").read_bytes()
        path = _path(spec_obj.id, _key(source))
    except OSError:
        return
    _pending(spec_obj.id, path, spec_obj)
    if layout_obj is not None:
        built_layout(layout_obj, built=False)


# ── beside a format's file: what code derived from it and from the files it read ────────────
_SIDE_MAGIC = b"gxnb-side\x01"


def side(format_id: str, suffix: str) -> bytes | None:
    """The data kept beside the format's compiled file under ``suffix`` (same key: the same format
    and code), CRC-checked; None when there is none or it is damaged or not trusted."""
    import zlib
    key = _KEYS.get(format_id)
    if key is None or not enabled():
        return None
    data = _read_trusted(_path(format_id, key).with_suffix("." + suffix))
    head = len(_SIDE_MAGIC) + 8
    if data is None or len(data) < head or not data.startswith(_SIDE_MAGIC):
        return None
    crc, size = (int.from_bytes(data[i:i + 4], "little") for i in (head - 8, head - 4))
    body = data[head:]
    return body if len(body) == size and zlib.crc32(body) == crc else None


def keep_side(format_id: str, suffix: str, body: bytes) -> None:
    import zlib
    key = _KEYS.get(format_id)
    if key is None or sys.dont_write_bytecode or not enabled():
        return
    path = _path(format_id, key).with_suffix("." + suffix)
    if store(path, _SIDE_MAGIC + zlib.crc32(body).to_bytes(4, "little") + len(body).to_bytes(4, "little") + body):
        _clean(path)


# ── facts learned by running code ─────────────────────────────────────────────────────────
MAX_FACTS = 64


def facts(name: str, version: str) -> list[str]:
    """Lines remembered under ``name`` for this ``version`` of what produced them (plain text: loading
    runs no code), newest last; empty when there are none, the version differs or the file is not
    trusted. E.g. digests of the package structures the workbook engine opened."""
    if not enabled():
        return []
    body = _read_trusted(cache_dir() / f"{name}.{sys.implementation.cache_tag}.txt")
    if body is None:
        return []
    try:
        lines = body.decode("ascii").split("\n")
    except UnicodeDecodeError:
        return []
    if not lines or lines[0] != version or lines[-1] != "":  # another engine, or cut short
        return []
    return lines[1:-1][-MAX_FACTS:]


def remember(name: str, version: str, lines: list[str]) -> None:
    """Keep ``lines`` (ASCII, no newlines; the last ``MAX_FACTS``) under ``name`` for ``version``."""
    if sys.dont_write_bytecode or not enabled() or any("\n" in x or not x.isascii() for x in [version, *lines]):
        return
    path = cache_dir() / f"{name}.{sys.implementation.cache_tag}.txt"
    store(path, "\n".join([version, *lines[-MAX_FACTS:], ""]).encode("ascii"))


# ── writing ───────────────────────────────────────────────────────────────────────────────
def _pending(format_id: str, path: Path, spec_obj) -> bool:
    """Start the format's pickle stream with its spec, as built (one pickler: one memo for all three)."""
    import io
    import pickle
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        pickler.dump(spec_obj)
    except Exception:  # noqa: BLE001 - something unpicklable: this format is simply not cached
        _PENDING.pop(format_id, None)
        return False
    _PENDING[format_id] = {"path": path, "buf": buf, "pickler": pickler, "ends": [buf.tell()], "objects": [spec_obj]}
    return True


def _add(format_id: str, obj, after) -> bool:
    pending = _PENDING.get(format_id)
    if pending is None or pending["objects"][-1] is not after:
        return False
    try:
        pending["pickler"].dump(obj)
    except Exception:  # noqa: BLE001
        del _PENDING[format_id]
        return False
    pending["ends"].append(pending["buf"].tell())
    pending["objects"].append(obj)
    return True


def built_layout(layout_obj, built: bool = True) -> None:
    """A layout just built: pickled now, before anyone can attach state to it."""
    if built:
        BUILT.append(f"layout:{layout_obj.format}")
    _add(layout_obj.format, layout_obj, layout_obj.spec)


def built_plan(plan_obj) -> None:
    """A plan just built: with the spec and layout pickled before, the format's file is written."""
    fmt = plan_obj.spec.id
    BUILT.append(f"plan:{fmt}")
    if not _add(fmt, plan_obj, plan_obj.layout):
        return
    pending = _PENDING.pop(fmt)
    if sys.dont_write_bytecode or not enabled():
        return
    ends = pending["ends"]
    _store(pending["path"], pending["buf"].getvalue(), [ends[0], ends[1] - ends[0], ends[2] - ends[1]])


def _store(path: Path, body: bytes, lengths: list[int]) -> None:
    """The format's file written, then its older files (other keys) removed."""
    import zlib
    *_, key, _ = path.name.split(".")
    head = _MAGIC + key.encode() + b"".join(n.to_bytes(4, "little") for n in (zlib.crc32(body), *lengths))
    if len(head) != _HEAD_LEN or not store(path, head + body):
        return
    _clean(path)


def _clean(path: Path) -> None:
    """The files of the same format and Python as ``path`` with another key (stale) removed: one
    compiled file, and one of each kind beside it, per format."""
    fmt, tag, key, _ = path.name.rsplit(".", 3)  # the cache tag holds no dot
    prefix = f"{fmt}.{tag}."
    try:
        for old in path.parent.iterdir():
            name = old.name
            if name.startswith(prefix) and name.count(".") == path.name.count(".") and name.rsplit(".", 2)[1] != key:
                old.unlink()
    except OSError:
        pass
