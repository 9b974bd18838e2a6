"""The workbench's words: entries of ``gxnb_xl/messages/serve.toml`` (``zh`` and ``en`` each).

``say(key, lang, **params)`` renders one entry with ``str.format``; a missing English text falls
back to the Chinese one, a missing key to the key itself (visible, never a crash)."""
from __future__ import annotations

import functools
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CATALOGUE = Path(__file__).resolve().parents[1] / "messages" / "serve.toml"
LANGS = ("zh", "en")


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    with open(CATALOGUE, "rb") as f:
        return tomllib.load(f)


def say(key: str, lang: str = "zh", **params) -> str:
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("zh") or key
    return text.format(**params) if params else text


def words(lang: str) -> dict[str, str]:
    """Every entry in one language (for templates and the page script)."""
    return {k: (v.get(lang) or v.get("zh") or k) for k, v in catalogue().items()}
