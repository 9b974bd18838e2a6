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


def check_text(report: Report, *, previous: Report | None = None, lang: str = "zh",
               addresses: dict | None = None) -> list[Finding]:
    spec = report.spec
    out: list[Finding] = []
    narrative = {k: v for k, v in report.narrative.items() if v and v.strip()}
    if not narrative:
        return out
    for rule in spec.rules:
        if rule.kind == "text_numbers":
            out += _quoted_numbers(rule, report, narrative, lang, addresses or {})
        elif rule.kind == "text_year" and report.year:
            out += _own_year(rule, report.year, narrative, lang)
        elif rule.kind == "text_fee":
            text = narrative.get(rule.raw.get("section", "other_matters"), "")
            if not any(k in text for k in rule.raw.get("keywords", ())):
                out.append(Finding(rule.id, rule.id, rule.severity, "fail", _message(rule, lang)))
        elif rule.kind == "text_placeholder":
            headings = {sec.key: sec.heading or "开头段落" for sec in spec.sections if sec.key}
            for key, text in narrative.items():
                marker = next((m for m in rule.raw.get("markers", ()) if m in text), None)
                if marker:
                    out.append(Finding(rule.id, f"{rule.id}[{key}]", rule.severity, "fail",
                                       _message(rule, lang, section=headings.get(key, key), marker=marker)))
        elif rule.kind == "text_repeat" and previous is not None:
            out += _repeated(rule, narrative, previous, lang)
    return out


def _message(rule, lang, **params) -> str:
    return (rule.message.get("en" if lang == "en" else "zh") or rule.title).format(**params)


@lru_cache(maxsize=64)
def _compiled(pattern: str):
    return re.compile(pattern)


def _quoted_numbers(rule, report, narrative, lang, addresses) -> list[Finding]:
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
                names = "与".join(spec.cells[c].name(lang) for c in cells)
                out.append(Finding(rule.id, f"{rule.id}[{cells[0]}]", rule.severity, "fail",
                                   _message(rule, lang, quote=snippet, quoted=quoted, cell=names,
                                            value=format_number(table_value)),
                                   list(cells), quoted, table_value, quoted - table_value,
                                   addresses={c: addresses[c] for c in cells if c in addresses},
                                   values={"narrative": key}))
    return out


def _snippet(text: str, start: int, end: int, width: int = 36) -> str:
    s = max(0, start - 8)
    piece = text[s:max(end, s + 1)][:width]
    return ("…" if s else "") + piece.replace("\n", " ")


def _year_forms(year: int) -> list[str]:
    return [str(year), "".join(_CN_DIGITS[int(d)] for d in str(year))]


def _own_year(rule, year: int, narrative, lang) -> list[Finding]:
    text = "\n".join(narrative.values())
    if any(re.search(form + r"\s*年", text) for form in _year_forms(year)):
        return []
    older = sorted({int(y) for y in re.findall(r"(20\d\d)\s*年", text) if int(y) < year}, reverse=True)
    if lang == "en":
        detail = f" (it mentions only {', '.join(map(str, older[:3]))})" if older else ""
    else:
        detail = f"（只提到了 {'、'.join(map(str, older[:3]))} 年）" if older else ""
    return [Finding(rule.id, rule.id, rule.severity, "fail", _message(rule, lang, year=year, detail=detail))]


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


def _repeated(rule, narrative, previous: Report, lang) -> list[Finding]:
    last = "\n".join(v for v in previous.narrative.values() if v)
    if not last.strip():
        return []
    share, runs = repeated_share("\n".join(narrative.values()), last)
    if share <= rule.raw.get("threshold", 0.5):
        return []
    passages = "；".join(f"“{r[:30]}{'…' if len(r) > 30 else ''}”（{len(r)} 字）" for r in runs)
    f = Finding(rule.id, rule.id, rule.severity, "fail",
                _message(rule, lang, share=f"{share:.0%}", passages=passages))
    f.lhs = round(share * 100)
    return [f]
