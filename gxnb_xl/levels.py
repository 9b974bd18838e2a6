"""Government levels (层级) as data: ``formats/levels.toml`` read once.

Every part that knows levels asks here: the template's cover list and the reader (Chinese label ↔
code), the report model (valid codes), aggregation (rank; the level of a sum) and the CLI choices.
"""
from __future__ import annotations

from functools import lru_cache

from .record import record


@record(frozen=True)
class Level:
    """An administrative level (乡镇, 县 …) and what it is summed into."""

    code: str
    zh: str
    en: str
    rank: int  # reports of one rank are summed into a report of ``parent``
    parent: str  # "" when nothing sums this level
    guess: int = 0  # order in which ``of_name`` tries the patterns (0: never guessed)
    name_patterns: tuple = ()

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@lru_cache(maxsize=1)
def levels() -> dict[str, Level]:
    """code → Level, in the file's order (the cover's drop-down order)."""
    from . import tomlcache
    from .spec import FORMATS_DIR
    text = (FORMATS_DIR / "levels.toml").read_text(encoding="utf-8")
    return {code: Level(code, d["zh"], d["en"], int(d["rank"]), d.get("parent", ""), int(d.get("guess", 0)),
                        tuple(d.get("name_patterns", ())))
            for code, d in tomlcache.loads(text).items()}


def codes() -> tuple[str, ...]:
    return tuple(levels())


def labels() -> dict[str, str]:
    """code → Chinese label (what the workbook's cover shows)."""
    return {c: lv.zh for c, lv in levels().items()}


def code_of(label: str) -> str | None:
    """The code of a Chinese label (or of a code itself); None when unknown."""
    label = (label or "").strip()
    for c, lv in levels().items():
        if label in (lv.zh, c):
            return c
    return None


def label(code: str | None, lang: str = "zh") -> str:
    lv = levels().get(code or "")
    return lv.label(lang) if lv else (code or "")


def rank(code: str | None) -> int | None:
    """How high the level is; None for an unknown level and for ``other`` (rank 0: not comparable)."""
    lv = levels().get(code or "")
    return lv.rank if lv and lv.rank > 0 else None


def parent(code: str | None) -> str | None:
    lv = levels().get(code or "")
    return (lv.parent or None) if lv else None


def of_name(unit: str | None) -> str | None:
    """The level an organ's name implies (城关镇人民政府 → township), or None."""
    import re
    if not unit:
        return None
    name = re.sub(r"\s+", "", unit)
    for lv in sorted((lv for lv in levels().values() if lv.guess), key=lambda lv: lv.guess):
        if any(re.search(p, name) for p in lv.name_patterns):
            return lv.code
    return None
