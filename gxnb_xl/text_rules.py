"""Text ↔ table rules on the narrative: T1 quoted numbers, T2 the report's own year (or a cover year
the text contradicts), T3 the 信息处理费 statement, T5 draft markers left in, T6 an earlier year named
as the report year, T7 sections missing or headings misnumbered, T8 section 五 empty or just 无, and
(with last year's report) T4 the share of text repeated.

The phrases, keywords and threshold are format data (the rules' entries in formats/*.toml);
this module only knows how to apply each kind of text rule.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lazyre
from .findings import Finding
from .report import Report
from .values import format_number

SHINGLE = 12  # characters: a repeated passage shorter than this is ordinary phrasing
_CN_DIGITS = "〇一二三四五六七八九"
_IGNORED = lazyre.compile(r"[\s\u3000，。、；：,.;:“”\"'‘’（）()《》【】!！?？—-]+")


def check_text(report: Report, *, previous: Report | None = None, addresses: dict | None = None) -> list[Finding]:
    spec = report.spec
    out: list[Finding] = []
    narrative = {k: v for k, v in report.narrative.items() if v and v.strip()}
    if not narrative:
        return out
    for rule in spec.rules:
        if rule.kind == "text_numbers":
            out += _quoted_numbers(rule, report, narrative, addresses or {})
        elif rule.kind == "text_year" and report.year:
            out += _own_year(rule, report.year, narrative, addresses or {})
        elif rule.kind == "text_fee":
            text = narrative.get(rule.raw.get("section", "other_matters"), "")
            if not any(k in text for k in rule.raw.get("keywords", ())):
                out.append(Finding(rule.id, rule.severity))
        elif rule.kind == "text_placeholder":
            headings = {sec.key: sec.heading or "开头段落" for sec in spec.sections if sec.key}
            for key, text in narrative.items():
                marker = next((m for m in rule.raw.get("markers", ()) if m in text), None)
                if marker:
                    out.append(Finding(rule.id, rule.severity, params={"section": headings.get(key, key), "marker": marker},
                                       instance=f"{rule.id}[{key}]"))
        elif rule.kind == "text_repeat" and previous is not None:
            out += _repeated(rule, narrative, previous)
        elif rule.kind == "text_wrong_year" and report.year:
            out += _wrong_year(rule, report.year, narrative)
        elif rule.kind == "text_sections":
            out += _sections(rule, spec, narrative)
        elif rule.kind == "text_not_empty":
            out += _not_empty(rule, spec, report.narrative)
    for f in out:
        f.format = report.format
    return out


@lru_cache(maxsize=64)
def _compiled(pattern: str):
    return re.compile(pattern)


def _quoted_numbers(rule, report, narrative, addresses) -> list[Finding]:
    spec = report.spec
    out, seen = [], set()
    for key, text in narrative.items():
        for quote in rule.raw.get("quotes", ()):
            cells = quote["cells"]
            if any(c not in spec.cells for c in cells):
                continue
            values = [report.values.get(c) for c in cells]
            if any(v is None for v in values):
                continue
            table_value = sum(values)
            for m in _compiled(quote["pattern"]).finditer(text):
                quoted = quote.get("value")
                if quoted is None:
                    quoted = int(m.group(1))
                span = (key, m.start(1) if m.group(1) else m.start(), cells[0])
                if span in seen:
                    continue
                seen.add(span)
                if quoted == table_value:
                    continue
                snippet = _snippet(text, m.start(), m.end())
                out.append(Finding(rule.id, rule.severity, "fail", list(cells),
                                   {"quote": snippet, "quoted": quoted, "cells": list(cells),
                                    "value": format_number(table_value)},
                                   lhs=quoted, rhs=table_value, imbalance=quoted - table_value,
                                   instance=f"{rule.id}[{cells[0]}]",
                                   addresses={c: addresses[c] for c in cells if c in addresses},
                                   values={"narrative": key}))
    return out


def _snippet(text: str, start: int, end: int, width: int = 36) -> str:
    s = max(0, start - 8)
    piece = text[s:max(end, s + 1)][:width]
    return ("…" if s else "") + piece.replace("\n", " ")


def _year_forms(year: int) -> list[str]:
    return [str(year), "".join(_CN_DIGITS[int(d)] for d in str(year))]


def _own_year(rule, year: int, narrative, addresses: dict) -> list[Finding]:
    text = "\n".join(narrative.values())
    if any(re.search(form + r"\s*年", text) for form in _year_forms(year)):
        return []
    named = {int(y) for y in re.findall(r"(20\d\d)\s*年", text)}
    newer = sorted(y for y in named if y > year)
    if newer:  # the text is about a later year than the cover: a contradiction, not a copied report
        where = {c: addresses[c] for c in ("meta.year",) if c in addresses}  # the cover cell, in a workbook
        return [Finding(rule.id, rule.raw.get("contradiction_severity", rule.severity), cells=list(where),
                        params={"year": year, "other": newer[:3]}, key="T2.contradiction", addresses=where)]
    older = sorted((y for y in named if y < year), reverse=True)
    return [Finding(rule.id, rule.severity, params={"year": year, "older": older[:3]})]


def _wrong_year(rule, year: int, narrative) -> list[Finding]:
    """A phrase naming the report's own year (``2022年度``, ``统计期限为2022年``) with an earlier year,
    outside phrases about an earlier year (上年、去年、同比 …)."""
    guards = tuple(rule.raw.get("not_after", ()))
    out, seen = [], set()
    for key, text in narrative.items():
        for pattern in rule.raw.get("patterns", ()):
            for m in _compiled(pattern).finditer(text):
                wrong = int(m.group(1))
                before = text[max(0, m.start() - 6):m.start()]
                if wrong >= year or wrong in seen or any(g in before for g in guards):
                    continue
                seen.add(wrong)
                out.append(Finding(rule.id, rule.severity, params={"wrong": wrong, "year": year,
                                                                   "quote": _snippet(text, m.start(), m.end())},
                                   instance=f"{rule.id}[{wrong}]", values={"narrative": key}))
    return out


_HEADING = lazyre.compile(r"(?m)^[ \t\u3000]*([一二三四五六七八九十]{1,2})\s*[、.．]\s*([^\n]{2,24})")


def _sections(rule, spec, narrative) -> list[Finding]:
    """Sections with a heading whose text is missing (六 above all), and headings typed into the text
    with the wrong number or out of order (``四、存在的主要问题…`` where 五 belongs)."""
    out = []
    required = set(rule.raw.get("required", ()))
    for sec in spec.sections:
        if sec.key in required and sec.key not in narrative:
            out.append(Finding(rule.id, rule.severity, params={"heading": sec.heading}, instance=f"{rule.id}[{sec.key}]"))
    titles = {_title(sec.heading): sec for sec in spec.sections if sec.heading}
    for key, text in narrative.items():
        for m in _HEADING.finditer(text):
            number, title = m.group(1), m.group(2).strip()
            sec = next((s for t, s in titles.items() if t and (title.startswith(t) or t.startswith(title))), None)
            if sec is None or sec.number == number:
                continue
            out.append(Finding(rule.id, rule.severity, params={"found": f"{number}、{title}", "heading": sec.heading},
                               key="T7.order", instance=f"{rule.id}[{number}、{title[:8]}]", values={"narrative": key}))
    return out


def _title(heading: str) -> str:
    return heading.split("、", 1)[-1].strip()


def _not_empty(rule, spec, narrative) -> list[Finding]:
    """Section 五 present but empty or just 无 (a missing section is T7's)."""
    key = rule.raw.get("section", "problems")
    text = narrative.get(key)
    if text is None:
        return []
    bare = _IGNORED.sub("", text)
    if bare and bare not in rule.raw.get("empty", ()):
        return []
    heading = next((sec.heading for sec in spec.sections if sec.key == key), key)
    return [Finding(rule.id, rule.severity, params={"heading": heading, "text": text.strip() or "（空白）"})]


def repeated_share(this: str, last: str, n: int = SHINGLE) -> tuple[float, list[str]]:
    """Share of ``this`` (ignoring spaces and punctuation) covered by passages also in ``last``,
    and the longest repeated passages."""
    a, b = _IGNORED.sub("", this), _IGNORED.sub("", last)
    if len(a) < n or len(b) < n:
        return 0.0, []
    grams = {b[i:i + n] for i in range(len(b) - n + 1)}
    covered = bytearray(len(a))
    for i in range(len(a) - n + 1):
        if a[i:i + n] in grams:
            covered[i:i + n] = b"\x01" * n
    runs, start = [], None
    for i, c in enumerate(covered + b"\x00"):
        if c and start is None:
            start = i
        elif not c and start is not None:
            runs.append(a[start:i])
            start = None
    runs.sort(key=len, reverse=True)
    return sum(covered) / len(a), runs[:3]


def _repeated(rule, narrative, previous: Report) -> list[Finding]:
    last = "\n".join(v for v in previous.narrative.values() if v)
    if not last.strip():
        return []
    share, runs = repeated_share("\n".join(narrative.values()), last)
    if share <= rule.raw.get("threshold", 0.5):
        return []
    passages = [f"“{r[:30]}{'…' if len(r) > 30 else ''}”（{len(r)} 字）" for r in runs]
    return [Finding(rule.id, rule.severity, params={"share": f"{share:.0%}", "passages": passages}, lhs=round(share * 100))]
