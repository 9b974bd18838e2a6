"""Text helpers for reading published reports: normalisation for matching, chrome, headings.

Matching works on a *normalised* copy of the text (full-width → half-width, no spaces, no line
breaks, no cell separators, no quotes) with a map back to the original offsets, so labels that
wrap (``商业\\n企业``), carry spaces or use the other bracket width still match, while every
narrative is returned exactly as printed.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .. import tomlcache
from .cells import BLANK

# length-preserving: full-width ASCII → ASCII, ideographic space → space, minus signs → '-'
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x2212: ord("-"), 0xFE63: ord("-"), 0x00A0: 0x20, 0x3002: 0x3002})
_NARROW = {chr(k): chr(v) for k, v in _WIDTH.items() if k != v}
_WIDE = re.compile("[" + re.escape("".join(_NARROW)) + "]")
# dropped from the matching copy
_SKIP = set(" \t\r\n\v\f|\u200b\u2002\u2003\u00a0\u3000\"'“”‘’「」『』" + BLANK)
_DROPPED = re.compile("[" + re.escape("".join(sorted(_SKIP))) + "]+")
_KEPT = re.compile("[^" + re.escape("".join(sorted(_SKIP))) + "]+")
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.,:]|\d+[、.,:]|\([一二三四五六七八九十\d]+\)[、.,:]?)")


def widen(text: str) -> str:
    """Full-width ASCII to half-width, same length (offsets stay valid). The few distinct characters
    that change, each replaced in one pass: ``str.translate`` looks every character up (~5× slower on
    CJK), a regex with a replacement function calls back for each one (~1.7×: Chinese text is dense in
    full-width punctuation)."""
    found = _WIDE.findall(text)
    if found:
        for ch in set(found):
            text = text.replace(ch, _NARROW[ch])
    return text


def squeeze(text: str) -> tuple[str, list[int]]:
    """The matching copy of ``text`` and, for each of its characters, the offset in ``text``."""
    w = widen(text)
    parts: list[str] = []
    keep: list[int] = []
    for m in _KEPT.finditer(w):  # runs of kept characters: the offsets are ranges, built in C
        parts.append(m.group())
        keep.extend(range(*m.span()))
    return "".join(parts), keep


def norm(label: str) -> str:
    return _DROPPED.sub("", widen(label))


def core(label: str) -> str:
    """A label without its leading numbering (``1.`` ``（一）`` ``一、``)."""
    n = norm(label)
    m = NUMBERING.match(n)
    return n[m.end():] if m and m.end() < len(n) else n


@lru_cache(maxsize=None)
def vocabulary() -> dict:
    data = tomlcache.loads((Path(__file__).parent / "variants.toml").read_bytes())  # the project's one TOML door
    variants: dict[str, list[str]] = {}
    for official, others in data.get("labels", {}).items():
        variants.setdefault(core(official), []).extend(core(o) for o in others)
    noise = [re.compile(p) for p in data.get("noise", {}).get("patterns", [])]
    chrome = [re.compile(p) for p in data.get("chrome", {}).get("lines", [])]
    return {"variants": variants, "noise": noise, "chrome": chrome, "raw": data}


def label_forms(label: str) -> list[tuple[str, str]]:
    """(form, kind) to look for, most specific first: the printed label, its core, variants."""
    full, c = norm(label), core(label)
    forms = [(full, "full")]
    if c != full:
        forms.append((c, "core"))
    for v in vocabulary()["variants"].get(c, ()):
        forms.append((v, "variant"))
    return forms


def drop_chrome(lines: list[str]) -> list[str]:
    pats = vocabulary()["chrome"]
    out = []
    for line in lines:
        s = widen(line).strip()
        if s and any(p.search(s) for p in pats):
            continue
        out.append(line)
    return out


def heading_key(line: str) -> str:
    n = norm(line).rstrip("。.:：")
    m = NUMBERING.match(n)
    return n[m.end():] if m else n
