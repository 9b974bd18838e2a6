"""Words at the edge for aggregation: catalogue sentences (``messages/aggregate.toml``) by key.

The library keeps reasons as ``(key, params)``; the CLI and the sheet writer render them in the
reader's language here. Uses the package catalogue (``gxnb_xl.messages``) when it is there, else
reads this area's TOML file itself (same format, same ``{x:list}`` spec).
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

LIST_MAX = 10  # a list in one line shows this many, then "等 N 个"


def say(key: str, lang: str = "zh", **params) -> str:
    try:
        from .. import messages as catalogue
        if hasattr(catalogue, "say") and catalogue.has(key):
            return catalogue.say(key, lang, **params)
    except ImportError:  # pragma: no cover
        pass
    entry = _own()[key]
    return _Formatter(lang).vformat(entry.get(lang) or entry.get("zh", ""), (), _Params(params))


def t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def join(items, lang: str = "zh") -> str:
    return (", " if lang == "en" else "、").join(str(x) for x in items)


def bounded(items, lang: str = "zh", limit: int = LIST_MAX) -> str:
    """The first ``limit`` items and "等 N 个" — a list of 1,500 never becomes one 25 KB line."""
    items = [str(x) for x in items]
    if len(items) <= limit:
        return join(items, lang)
    return say("agg.more", lang, items=join(items[:limit], lang), n=len(items), rest=len(items) - limit)


def reason(key: str, params: dict, lang: str = "zh") -> str:
    """A record's reason. Params named ``*_key`` hold ``(catalogue key, params)`` rendered first;
    ``*_level`` a level code and ``*_levels`` a list of codes, shown as the level's label;
    ``*_cells`` a (format, cell ids) pair shown as cell names; any other list is bounded."""
    from .. import levels
    filled = {}
    for k, v in params.items():
        if k.endswith("_key") and isinstance(v, (tuple, list)) and v:
            filled[k.removesuffix("_key")] = reason(v[0], v[1] if len(v) > 1 else {}, lang)
        elif k.endswith("_cells"):  # (format id, [cell ids]) → the cells' names, bounded
            from ..spec import load_spec
            spec = load_spec(v[0])
            filled[k.removesuffix("_cells")] = bounded([spec.cells[c].name(lang) if c in spec.cells else c
                                                        for c in v[1]], lang)
        elif isinstance(v, (list, tuple)) and not k.endswith("_levels"):
            filled[k] = bounded(v, lang)
        elif k.endswith("_levels"):
            filled[k.removesuffix("_levels")] = join([levels.label(c, lang) for c in v], lang)
        elif k.endswith("_level"):
            filled[k.removesuffix("_level")] = levels.label(v, lang)
        else:
            filled[k] = v
    return say(key, lang, **filled)


@lru_cache(maxsize=1)
def _own() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    text = (Path(__file__).resolve().parent.parent / "messages" / "aggregate.toml").read_text(encoding="utf-8")
    out: dict = {}

    def walk(table, prefix):
        for k, v in table.items():
            if isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) and ("zh" in v or "en" in v):
                out[prefix + k] = v
            elif isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
    walk(tomllib.loads(text), "")
    return out


class _Params(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang

    def get_value(self, key, args, kwargs):
        return kwargs[key]

    def format_field(self, value, format_spec):
        if format_spec == "list":
            return join(value, self.lang)
        if format_spec == "num":
            from ..values import format_number
            return value if isinstance(value, str) else format_number(value)
        return super().format_field(value, format_spec)
