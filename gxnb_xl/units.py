"""Unit identity: when two names on covers (or in a unit list) are the same body.

One township's resend must never be summed twice because its 机关名称 differs in invisible ways:
a zero-width space pasted from a web page, a byte-order mark, full-width letters, spaces, the
county prefix dropped ("城关镇人民政府" vs "示范县城关镇人民政府"). ``unit_key`` reduces a name
to what identifies the body; ``same_unit`` compares two names and says how sure it is. Used by
aggregation (duplicates, the expected-unit list) and by checking (matching last year's reports).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import lazyre

# suffixes that name the organ, not the place: 城关镇 == 城关镇人民政府 == 城关镇政府
_ORGAN_SUFFIXES = ("人民政府", "政府")
# a leading place at county level or above, e.g. 示范县 / 某某市某某区 / 某某自治县
_PLACE_PREFIX = lazyre.compile(r"^(.{1,12}?(?:自治县|自治旗|[省市县区旗州盟]))+")


def clean(name: str | None) -> str:
    """NFKC, without invisible/format/control characters and without any whitespace."""
    text = unicodedata.normalize("NFKC", name or "")
    # str.isprintable() is False exactly for the categories C* and Z* below except the ASCII space,
    # and every other whitespace character is in one of them: a printable name without a space
    # loses nothing (the common case, checked in C instead of per character)
    if text.isprintable() and " " not in text:
        return text
    return "".join(ch for ch in text
                   if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"))


@lru_cache(maxsize=64)
def _cleaned_prefixes(prefixes: tuple) -> tuple[str, ...]:
    """Known place prefixes cleaned, longest first (the same few for every name of a run)."""
    return tuple(p for p in sorted({clean(x) for x in prefixes if x}, key=len, reverse=True) if p)


def place_of(county: str | None) -> str:
    """The place part of a county's name: 示范县人民政府 → 示范县 ("" when none)."""
    key = clean(county)
    for s in _ORGAN_SUFFIXES:
        if key.endswith(s) and len(key) > len(s):
            return key[: -len(s)]
    return key


def unit_key(name: str | None, prefixes: tuple[str, ...] | list[str] = ()) -> str:
    """What identifies a body: cleaned, a known county prefix (``prefixes``: place names such as
    示范县) and the organ suffix removed. Empty for an empty name."""
    key = clean(name)
    for p in _cleaned_prefixes(tuple(prefixes)):
        if key.startswith(p) and len(key) > len(p):
            key = key[len(p):]
            break
    for s in _ORGAN_SUFFIXES:
        if key.endswith(s) and len(key) > len(s):
            key = key[: -len(s)]
            break
    return key


def same_unit(a: str | None, b: str | None, prefixes: tuple[str, ...] | list[str] = ()) -> tuple[bool, str]:
    """(same body?, how): "exact", "written differently" (equal once cleaned: invisible characters,
    full-width letters, spaces, the organ suffix or a known prefix), "prefix" (one adds a place
    prefix such as 某县 the other lacks), or "" when not the same."""
    if not a or not b:
        return False, ""
    if a == b:
        return True, "exact"
    ka, kb = unit_key(a, prefixes), unit_key(b, prefixes)
    if not ka or not kb:
        return False, ""
    if ka == kb:
        return True, "written differently"
    short, long_ = sorted((ka, kb), key=len)
    if long_.endswith(short) and len(short) >= 2 and _PLACE_PREFIX.fullmatch(long_[: -len(short)]):
        return True, "prefix"
    return False, ""


_PLACED = lazyre.compile(r"^.{1,12}?[县区市旗州盟]")


def common_place(names) -> str:
    """The place prefix the names share, cut after the last 县/区/市/旗/州/盟 (示范县城关镇…,
    示范县东坝镇… → 示范县); names without any place prefix (a resend that dropped it) do not
    count against it, but more than half of the names must carry it. "" when there is none."""
    import os
    keys = [clean(n) for n in names if n]
    if len(keys) < 2:
        return ""
    placed = [k for k in keys if _PLACED.match(k)]
    if len(placed) * 2 <= len(keys):
        return ""
    prefix = os.path.commonprefix(placed) if len(placed) > 1 else ""
    m = re.match(r"^(.*[县区市旗州盟])", prefix)
    return m.group(1) if m and len(m.group(1)) >= 2 else ""


_LEADING_PLACE = lazyre.compile(r"^.{1,12}?(?:自治县|自治旗|[省市县区旗州盟])")


def cores(key: str) -> list[str]:
    """A key without its leading place names, one at a time: 某市示范区城关街道 → [示范区城关街道, 城关街道]."""
    out = []
    rest = key
    for _ in range(4):
        m = _LEADING_PLACE.match(rest)
        if not m or len(rest) - m.end() < 2:
            break
        rest = rest[m.end():]
        out.append(rest)
    return out


class UnitIndex:
    """Names → items, found by unit identity in constant time per name (never pairwise).

    ``find(name)`` returns the items of the same unit: the same key, else — for a name with a place
    prefix — the items whose key is the name without it, else — for a name without — the items of
    the one prefixed key that reduces to it (two such keys, e.g. 甲县城关镇 and 乙县城关镇, are two
    units: no match)."""

    def __init__(self, prefixes=()):
        self.prefixes = tuple(prefixes)
        self.by_key: dict[str, list] = {}
        self.by_core: dict[str, set[str]] = {}

    def key(self, name: str | None) -> str:
        return unit_key(name, self.prefixes)

    def find_key(self, name: str | None) -> str | None:
        return self._find(self.key(name))

    def _find(self, k: str, k_cores: list[str] | None = None) -> str | None:
        """``find_key`` for a name whose key is ``k`` (``k_cores``: ``cores(k)`` when known)."""
        if not k:
            return None
        if k in self.by_key:
            return k
        for c in (cores(k) if k_cores is None else k_cores):
            if c in self.by_key:
                return c
        longer = self.by_core.get(k, set())
        return next(iter(longer)) if len(longer) == 1 else None

    def find(self, name: str | None) -> list:
        k = self.find_key(name)
        return self.by_key[k] if k is not None else []

    def add(self, name: str | None, item) -> str:
        """File ``item`` under its unit (joining an existing one when the same); returns the key."""
        own = self.key(name)
        if own in self.by_key:  # the unit again (a resend): filed, its cores known
            self.by_key[own].append(item)
            return own
        own_cores = cores(own)
        k = self._find(own, own_cores) or own
        if k in self.by_key:  # joins a unit filed under another form of the name
            self.by_key[k].append(item)
            return k
        self.by_key[k] = [item]  # a new unit (k is own): its cores point to it
        for c in own_cores:
            self.by_core.setdefault(c, set()).add(k)
        return k
