"""The workbench's words: entries of ``gxnb_xl/messages/serve.toml`` through the project's catalogue.

``say(key, lang, **params)`` renders one entry; a key missing from the catalogue shows as itself
(visible on the page, never a crash)."""
from __future__ import annotations

from ..messages import catalogue
from ..messages import say as _say

LANGS = ("zh", "en")


def say(key: str, lang: str = "zh", **params) -> str:
    if key not in catalogue():
        return key
    return _say(key, lang, **params)


def words(lang: str) -> dict[str, str]:
    """Every workbench entry in one language (for the page templates)."""
    return {k: (v.get(lang) or v.get("zh") or k) for k, v in catalogue().items() if k.startswith("serve_")}
