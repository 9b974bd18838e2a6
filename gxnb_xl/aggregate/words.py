"""Words at the edge for aggregation: catalogue sentences (``messages/aggregate.toml``) by key.

The library keeps reasons as ``(key, params)``; the CLI and the sheet writer render them in the
reader's language here, through the package catalogue (``gxnb_xl.messages``).
"""
from __future__ import annotations

from functools import lru_cache

from ..messages import say as _say
from ..messages import t  # noqa: F401  (the one catalogue and zh/en helper)

LIST_MAX = 10  # a list in one line shows this many, then "等 N 个"


def say(key: str, lang: str = "zh", **params) -> str:
    """The catalogue sentence ``key`` (``messages.say``); one without parameters — a state, yes/no,
    a plain reason, said once per file of a county — is filled once per process."""
    if params:
        return _say(key, lang, **params)
    return _plain(key, lang)


@lru_cache(maxsize=512)
def _plain(key: str, lang: str) -> str:
    return _say(key, lang)


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
    if not params:
        return _plain(key, lang)
    from .. import levels
    filled = {}
    for k, v in params.items():
        if k.endswith("_key") and isinstance(v, (tuple, list)) and v:
            filled[k.removesuffix("_key")] = reason(v[0], v[1] if len(v) > 1 else {}, lang)
        elif k.endswith("_cells"):  # (format id, [cell ids]) → the cells' names, bounded
            from ..spec import load_spec
            spec = load_spec(v[0])
            cells = list(v[1])  # only the names shown are made; the rest are counted
            filled[k.removesuffix("_cells")] = bounded([spec.cells[c].name(lang) if c in spec.cells else c
                                                        for c in cells[:LIST_MAX]] + cells[LIST_MAX:], lang)
        elif isinstance(v, (list, tuple)) and not k.endswith("_levels"):
            filled[k] = bounded(v, lang)
        elif k.endswith("_levels"):
            filled[k.removesuffix("_levels")] = join([levels.label(c, lang) for c in v], lang)
        elif k.endswith("_level"):
            filled[k.removesuffix("_level")] = levels.label(v, lang)
        else:
            filled[k] = v
    return say(key, lang, **filled)
