"""The writer's sentences, from the catalogue ``gxnb_xl/messages/word.toml``.

``say(key, lang, **params)``: through ``gxnb_xl.messages.say`` when the catalogue package is
present, else straight from ``word.toml`` (the same entries, the same ``{param}`` filling).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _entries() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    raw = tomllib.loads((Path(__file__).resolve().parents[1] / "messages" / "word.toml").read_text(encoding="utf-8"))
    out: dict[str, dict] = {}

    def walk(table, prefix=""):
        for k, v in table.items():
            if isinstance(v, dict) and ("zh" in v or "en" in v):
                out[prefix + k] = v
            elif isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
    walk(raw)
    return out


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def say(key: str, lang: str = "zh", **params) -> str:
    try:
        from ..messages import has, say as catalogue_say
        if has(key):
            return catalogue_say(key, lang, **params)
    except ImportError:
        pass
    entry = _entries()[key]
    return (entry.get(lang) or entry["zh"]).format_map(_Missing(params))


def both(key: str, **params) -> tuple[str, str]:
    """(zh, en) of one entry: for the bilingual errors (``ReportError(zh, en)``)."""
    return say(key, "zh", **params), say(key, "en", **params)
