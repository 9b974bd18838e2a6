"""Regular expressions compiled the first time they are used, not when their module is imported.

``gxnb check one.xlsx`` imports modules holding dozens of patterns it never runs (the full reader's,
the importer's); compiling each costs ~0.2 ms at every start. ``compile`` has ``re.compile``'s
signature; after the first use the pattern's methods are plain attributes of the object.
"""
from __future__ import annotations

import re

_METHODS = ("match", "fullmatch", "search", "findall", "finditer", "sub", "subn", "split", "pattern", "flags",
            "groups", "groupindex")


class LazyPattern:
    def __init__(self, pattern, flags: int = 0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):  # only reached before the first compile
        compiled = re.compile(*self._args)
        for attr in _METHODS:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r})"


def compile(pattern, flags: int = 0) -> LazyPattern:  # noqa: A001 - re.compile's name, on purpose
    return LazyPattern(pattern, flags)
