"""Text ↔ table rules on the narrative: T1 quoted numbers, T2 the report's own year, T3 the
信息处理费 statement, T5 draft markers left in, and (with last year's report) T4 the share of
text repeated.

The phrases, keywords and threshold are format data (the rules' entries in formats/*.toml);
this module only knows how to apply each kind of text rule.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .findings import Finding
from .report import Report
from .values import format_number

SHINGLE = 12  # characters: a repeated passage shorter than this is ordinary phrasing
_CN_DIGITS = "〇一二三四五六七八九"
_IGNORED = re.compile(r"[\s\u3000，。、；：,.;:“”\"'‘’（）()《》【】!！?？—-]+")


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
            out += _own_year(rule, report.year, narrative)
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


def _own_year(rule, year: int, narrative) -> list[Finding]:
    text = "\n".join(narrative.values())
    if any(re.search(form + r"\s*年", text) for form in _year_forms(year)):
        return []
    older = sorted({int(y) for y in re.findall(r"(20\d\d)\s*年", text) if int(y) < year}, reverse=True)
    return [Finding(rule.id, rule.severity, params={"year": year, "older": older[:3]})]


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
