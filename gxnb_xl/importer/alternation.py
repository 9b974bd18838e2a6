"""Many patterns as one regex that a long page is scanned with quickly.

Python's regex engine tries every branch of ``a|b|c…`` at every position of the text; on a
30,000-character report the page-furniture patterns (``variants.toml`` [page] inline) cost ~6 ms per
page that way. When the characters a match can start with are known, a leading ``(?=[…])`` lets the
engine skip the other positions at C speed (~10× faster). The set is derived from the patterns'
parse; whatever cannot be derived exactly (``.``, a negated class, a lookbehind …) gives no
lookahead, never a narrower one, so the combined pattern always matches exactly what the plain
alternation matches.
"""
from __future__ import annotations

import re

try:  # the parser behind re.compile (private, so every failure below means "no lookahead")
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

_CATEGORIES = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_SPACE: r"\s",
               _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W"}


class _Unknown(Exception):
    """A start that cannot be stated as a character class."""


def _chr(code: int) -> str:
    return re.escape(chr(code))


def _first(items: list, pos: int = 0) -> tuple[set[str], bool]:
    """(class members a match of items[pos:] can start with, whether it can match empty)."""
    out: set[str] = set()
    while pos < len(items):
        op, av = items[pos]
        if op is _c.LITERAL:
            return out | {_chr(av)}, False
        if op is _c.IN:
            members = set()
            for kind, value in av:
                if kind is _c.LITERAL:
                    members.add(_chr(value))
                elif kind is _c.RANGE:
                    members.add(f"{_chr(value[0])}-{_chr(value[1])}")
                elif kind is _c.CATEGORY and value in _CATEGORIES:
                    members.add(_CATEGORIES[value])
                else:  # NEGATE and anything else
                    raise _Unknown
            return out | members, False
        if op is _c.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise _Unknown
            first, empty = _first(list(sub))
        elif op is _c.BRANCH:
            first, empty = set(), False
            for alt in av[1]:
                f, e = _first(list(alt))
                first |= f
                empty |= e
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            lo, _, sub = av
            first, empty = _first(list(sub))
            empty |= lo == 0
        elif op is _c.AT and av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_BOUNDARY, _c.AT_NON_BOUNDARY):
            first, empty = set(), True  # zero-width: the next item starts the match
        else:  # ANY, lookarounds, back references, AT_END …
            raise _Unknown
        out |= first
        if not empty:
            return out, False
        pos += 1
    return out, True


def start_class(pattern: str) -> str | None:
    """``[…]`` holding every character a match of ``pattern`` can start with, or None when that
    cannot be stated (or the pattern can match the empty string)."""
    try:
        parsed = _parser.parse(pattern)
        if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):  # other cases / spaces: not literal starts
            return None
        first, empty = _first(list(parsed.data))
    except Exception:  # noqa: BLE001 - _Unknown, or any surprise in the private parser: no lookahead
        return None
    if empty or not first:
        return None
    return "[" + "".join(sorted(first)) + "]"


def alternation(patterns, suffix: str = "") -> re.Pattern:
    """``(?:p1|p2|…)suffix`` compiled, with a leading lookahead of their start characters when known."""
    body = "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")" + suffix
    starts = start_class(body)
    plain = re.compile(body)
    if starts is None:
        return plain
    try:
        return re.compile(f"(?={starts}){body}")
    except re.error:  # pragma: no cover - a class the parser gave but re refuses: stay exact
        return plain
