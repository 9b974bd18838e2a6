"""The project's TOML data (formats, levels, messages) parsed once per content, not once per process.

``tomllib`` is pure Python; every ``gxnb`` start used to parse the same format files again (and the
format registry parsed every format file whole for three header fields). ``loads(text)`` keeps the
parsed data as JSON in the user's cache directory under the SHA-256 of the text: a changed file is a
new key; an entry that is missing, unreadable or not valid JSON is parsed again and rewritten
(atomically). JSON of plain data, not pickle or marshal: loading a cache file from a writable
directory runs no code and cannot crash the interpreter. Data JSON cannot hold exactly (TOML dates
and times) is never cached. ``GXNB_NO_CACHE=1`` turns the cache off.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

_PLAIN = (str, int, float, bool)


def digest(data: bytes) -> str:
    """SHA-256 of ``data`` as hex. Python's own implementation when it has one: loading OpenSSL for
    ``hashlib`` costs ~2 ms at every start, for a few kilobytes hashed."""
    try:
        from _sha256 import sha256  # CPython ≤ 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # CPython ≥ 3.12
        except ImportError:  # pragma: no cover - another interpreter
            from hashlib import sha256
    return sha256(data).hexdigest()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gxnb-xl" / "toml"


def loads(text: str | bytes) -> dict:
    """``tomllib.loads(text)``, from the cache when this exact text was parsed before."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if os.environ.get("GXNB_NO_CACHE") == "1":
        return _parse(text)
    raw = text.encode("utf-8")
    path = cache_dir() / f"{digest(raw)}.json"
    try:
        data = json.loads(path.read_bytes())
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass
    data = _parse(text)
    if _plain(data):
        store(path, json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    return data


def _parse(text: str) -> dict:
    try:  # imported only on a cache miss: the parser's import alone costs ~4 ms
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


def _plain(value) -> bool:
    """Only what JSON gives back as it was: dicts, lists, strings, numbers, booleans."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN) and not (isinstance(value, float) and value != value)


def store(path: Path, data: bytes) -> bool:
    """A cache file written atomically (a temporary file renamed over); silently not at all when the
    folder cannot be written (a cache is never worth an error). True when written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as f:
            f.write(data)
        os.replace(tmp, path)
        return True
    except (OSError, ValueError):
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
