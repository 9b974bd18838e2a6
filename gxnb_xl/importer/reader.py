"""Reading a published report's text back into a Report.

The core idea: find each section by its heading, find each table row by its label (the official
row order is known from the spec, labels matched tolerantly), and read the numbers that follow a
row's label up to the next row's label — so line breaks, cell separators and shifted label
columns do not matter. A row whose numbers ran together is cut back into cells with the table's
relations; anything not certain is reported, never guessed.
"""
from __future__ import annotations

import itertools
from functools import lru_cache
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..report import CellProblem, Report
from ..spec import CONSTANT, Spec, format_for_year, load_spec
from ..values import format_number, read_value
from . import split as splitmod
from .sources import BLANK
from .flat import prepare
from .text import core, drop_chrome, heading_key, label_forms, norm, squeeze, vocabulary, widen

MAX_COMBINATIONS = 50_000
MAX_LABEL_HITS = 50
STRICT_LABEL = 10  # labels this short also occur in running text: a hit must look like a table row  # occurrences of one label tried before giving up on it
UNIT_WORDS = ("万元", "元", "件", "个", "项", "条", "起", "份")
UNIT_CHARS = "万元件个项条起份"
_GLUED = re.compile(r"(?<![\d.])0\d")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_UNIT_HEAD = re.compile(r"^(?:万元|元|件|个|项|条|起|份)")
_DIGIT_BEFORE = re.compile(r"[\d.]\s*$")


def _text_start(text: str, a: int, b: int) -> int:
    """Where running text (two CJK characters that are not a number's unit) starts in text[a:b]."""
    for m in _CJK_RUN.finditer(text, a, b):
        run, start = m.group(0), m.start()
        u = _UNIT_HEAD.match(run)
        if u and _DIGIT_BEFORE.search(text[max(a, start - 4):start]):
            run, start = run[u.end():], start + u.end()
        if len(run) >= 2:
            return start
    return b


def _skip_captions(text: str, a: int, parents: tuple) -> int:
    """Past pieces of the row's merged captions printed where its numbers start (PDF layout text
    puts "不予处理" of a tall merged cell on the line of the row it is centred on)."""
    forms = [norm(p) for p in parents]
    for _ in range(3):
        m = re.match(r"[\s|（）()]*([\u4e00-\u9fff、]{2,})", text[a:a + 40])
        if not m or not any(norm(m.group(1)) in f for f in forms):
            return a
        a += m.end()
    return a


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"

_NUM = re.compile(r"(?<![.(])((?:[+-]|(?<![\d+-]))\d+(?:\.\d+)?)(\s*(?:万元|元))?(?![\d年月日号%]|\.\D|\.$|\s*[、)])|" + BLANK)
_TITLE_YEAR_FIRST = re.compile(r"(\d{4})\s*年\s*度?\s*(?:政府|政务)?\s*信息\s*公开\s*(?:工作)?\s*(?:年\s*度|年)\s*(?:工作)?\s*报\s*告")
# "…政府信息公开工作年度报告（2023年度）": the year after the title words
_TITLE_YEAR_AFTER = re.compile(r"(?:政府|政务)\s*信息\s*公开\s*(?:工作)?\s*年\s*度\s*报\s*告\s*[（(]\s*(\d{4})\s*年?\s*度?\s*[)）]")
_CN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}


class _Title:
    """Both title shapes behind one ``search`` (match objects with group(1) = the year, start()
    where the unit's name ends); Chinese-numeral years (二〇二三年) are read as digits."""

    @staticmethod
    def search(text: str):
        text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGIT[c] for c in m.group(0)), text)
        m = _TITLE_YEAR_FIRST.search(text)
        if m:
            return m
        m = _TITLE_YEAR_AFTER.search(text)
        if m and len(text) - m.end() < 10:
            return m
        return None


_TITLE = _Title()
_PERIOD_YEAR = re.compile(r"统计期限为\s*(\d{4})\s*年")
_ANY_YEAR = re.compile(r"(20\d{2})\s*年")
_UNIT_SUFFIX = r"(?:人民政府|办事处|街道|镇|乡|局|委员会|办公室|中心|厅|院|署|委|所|站|队|馆|会)"
_SIGNATURE = re.compile(r"(?:^|[\s。；])([\u4e00-\u9fff（）()]{3,40}?" + _UNIT_SUFFIX + r")\s*(?:20\d\d|二〇[一二三四五六七八九〇]{2})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日")
_UNIT_LEAD = re.compile(r"^\s*([\u4e00-\u9fff（）()]{2,40}?" + _UNIT_SUFFIX + r")(?=根据|按照|依据|依照|严格|认真|坚持|高度|全面|深入|始终|紧紧|以|在|围绕|贯彻|积极|持续|2\d{3}|，|,|\s)")


@dataclass
class CellStatus:
    """How one cell was obtained: ``read`` from the text, ``derived`` with a reason, or ``missing``."""

    status: str
    value: int | Decimal | None = None
    raw: str | None = None
    reason_zh: str = ""
    reason_en: str = ""
    candidates: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d: dict = {"status": self.status}
        if self.value is not None:
            d["value"] = _jnum(self.value)
        if self.raw is not None:
            d["raw"] = self.raw
        if self.reason_zh:
            d["reason"] = self.reason_zh
            d["reason_en"] = self.reason_en
        if self.candidates:
            d["candidates"] = [_jnum(c) for c in self.candidates]
        return d


@dataclass
class ImportWarning:
    zh: str
    en: str
    cells: tuple[str, ...] = ()

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def to_dict(self) -> dict:
        d = {"message": self.zh, "message_en": self.en}
        if self.cells:
            d["cells"] = list(self.cells)
        return d


@dataclass
class ImportResult:
    report: Report
    cell_status: dict[str, CellStatus]
    warnings: list[ImportWarning]
    confidence: dict[str, dict]
    file: str = ""
    kind: str = "text"
    detected: dict = field(default_factory=dict)  # how format/year/unit were found

    @property
    def missing(self) -> list[str]:
        return [c for c, s in self.cell_status.items() if s.status == "missing"]

    def source_record(self) -> dict:
        return {"file": self.file, "kind": self.kind, "detected": self.detected,
                "confidence": self.confidence,
                "warnings": [w.to_dict() for w in self.warnings],
                "cells": {c: s.to_dict() for c, s in self.cell_status.items()}}


def _jnum(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else format_number(v)
    return v


# ── the document ────────────────────────────────────────────────────────────────────────
class Document:
    def __init__(self, text: str):
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
        self.lines = [ln.rstrip() for ln in drop_chrome(text.split("\n"))]
        self.text = "\n".join(self.lines)
        self.starts = []
        pos = 0
        for ln in self.lines:
            self.starts.append(pos)
            pos += len(ln) + 1

    def span(self, first: int, last: int) -> str:
        """Text of lines [first, last)."""
        return "\n".join(self.lines[first:last])


def detect_format(squeezed: str, year: int | None) -> tuple[str, str]:
    variants = vocabulary()["variants"]
    scores = {}
    for fid in ("2021", "2019"):
        hits = 0
        for label in load_spec(fid).signature:
            forms = [norm(label)] + variants.get(core(label), [])
            if any(f in squeezed for f in forms):
                hits += 1
        scores[fid] = hits
    if scores["2021"] == scores["2019"]:
        fid = format_for_year(year)
        return fid, f"labels inconclusive ({scores}); by year"
    fid = max(scores, key=scores.get)
    return fid, f"labels {scores}"


def _find_headings(doc: Document, spec: Spec) -> dict[str, int]:
    """Line index of each numbered section's heading (key: narrative key or table id)."""
    wanted = []
    for s in spec.sections:
        if not s.number:
            continue
        k = heading_key(s.heading)
        wanted.append((s.key or s.table, k))
    found: dict[str, int] = {}
    start = 0
    keys = [heading_key(ln) if len(ln) < 80 else "" for ln in doc.lines]
    for name, want in wanted:
        for i in range(start, len(doc.lines)):
            k = keys[i]
            if k and k.startswith(want) and len(k) <= len(want) + 6:
                found[name] = i
                start = i + 1
                break
    # a workbook may hold the narrative sheet after the table sheets: a heading missed in order
    # is looked for anywhere, and the earliest table heading wins over a later narrative one
    for name, want in wanted:
        if name in found:
            continue
        used = set(found.values())
        for i in range(len(doc.lines)):
            k = keys[i]
            if i not in used and k and k.startswith(want) and len(k) <= len(want) + 6:
                found[name] = i
                break
    if len(found) < len(wanted):  # a looser second pass for reworded headings
        import difflib
        for idx, (name, want) in enumerate(wanted):
            if name in found:
                continue
            lo = max([found[n] for n, _ in wanted[:idx] if n in found] + [-1]) + 1
            hi = min([found[n] for n, _ in wanted[idx + 1:] if n in found] + [len(doc.lines)])
            variants = [norm(v) for v in vocabulary()["raw"].get("headings", {}).get(
                next(s.heading for s in spec.sections if (s.key or s.table) == name), ())]
            numeral = next(s.number for s in spec.sections if (s.key or s.table) == name)
            for i in range(lo, hi):
                k = keys[i]
                if not k:
                    continue
                if abs(len(k) - len(want)) <= 6 and difflib.SequenceMatcher(None, k, want).ratio() >= 0.75:
                    found[name] = i
                    break
                if any(k.startswith(v) and len(k) <= len(v) + 6 for v in variants):
                    found[name] = i
                    break
                # numeral + the wording's first four characters ("五、存在的主要问题及明年工作计划")
                if len(k) <= len(want) + 10 and k.startswith(want[:4]) and norm(doc.lines[i]).startswith(numeral):
                    found[name] = i
                    break
    return found


def _title_parts(line: str):
    """(year, unit) of a title line, or None."""
    ln = widen(line)
    m = _TITLE.search(ln)
    if not m or len(ln.strip()) > 90:
        return None
    unit = re.sub(r"\s+", "", ln[: m.start()]).strip(":：-—")
    unit = re.sub(r"(关于|的)$", "", unit)
    return int(m.group(1)), unit


def _title(doc: Document, limit: int):
    """(line index, year, unit) of the report's title within the first ``limit`` lines."""
    last = None
    for i in range(min(limit, len(doc.lines))):
        ln = widen(doc.lines[i])
        if len(ln.strip()) > 90:
            continue
        m = _TITLE.search(ln)
        at = i
        if not m and i + 1 < len(doc.lines) and len(ln.strip()) < 40 and 0 < len(doc.lines[i + 1].strip()) < 40:
            # a title wrapped onto two lines (PDF, centred large type)
            both = ln.rstrip() + widen(doc.lines[i + 1]).strip()
            m2 = _TITLE.search(both)
            if m2 and m2.end() > len(ln.rstrip()) and m2.start() < len(ln.rstrip()):
                ln, m, at = both, m2, i + 1
        if m:
            i = at
            unit = re.sub(r"\s+", "", ln[: m.start()]).strip(":：-—")
            unit = re.sub(r"(关于|的)$", "", unit)
            if last is None:
                last = (i, int(m.group(1)), unit)
            else:
                last = (i, last[1], last[2] or unit)  # a title printed twice: read past both
    return last


def level_of(unit: str | None) -> str | None:
    from ..levels import of_name  # the name patterns live with the levels (formats/levels.toml)
    return of_name(unit)


# ── reading tables ──────────────────────────────────────────────────────────────────────
class Region:
    """A stretch of the document holding one table, with a matching copy for label search."""

    def __init__(self, text: str):
        w = widen(text)
        for pat in vocabulary()["noise"]:
            w = pat.sub(lambda m: " " * len(m.group(0)), w)
        self.text = w
        self.squeezed, self.map = squeeze(text)
        self.labels_sq: tuple[str, ...] = ()  # the table's row labels (squeezed), for _row_like

    def find(self, forms, start_sq: int, limit_sq: int | None = None, *, strict: bool = True):
        """(start, end) offsets in the squeezed text of the first label form found after start.

        A hit must look like a table row: what follows the label is a number, a blank cell, a
        separator or another label — never running text (``行政许可类信息3条`` in a paragraph is
        not the 行政许可 row). ``strict=False`` (rows whose label is long and specific) skips that test.
        """
        for form, kind in forms:
            if not form:
                continue
            lim = None
            if kind != "full" and len(form) <= 3:
                lim = start_sq + 200
            end_lim = lim if lim is not None else limit_sq
            at = start_sq
            for _ in range(MAX_LABEL_HITS):
                hit = self.squeezed.find(form, at, end_lim)
                if hit < 0:
                    break
                if not strict or self._row_like(hit + len(form)):
                    return hit, hit + len(form)
                at = hit + 1
        # last resort: the start of a long label (wrapped or truncated in the source), extended
        # over as much of the label as the text holds (a wrapped label may enclose the numbers)
        c = forms[1][0] if len(forms) > 1 and forms[1][1] == "core" else forms[0][0]
        if len(c) >= 8:
            hit = self.squeezed.find(c[:6], start_sq, start_sq + 300)
            if hit >= 0:
                end = hit + 6
                while end - hit < len(c) and end < len(self.squeezed) and self.squeezed[end] == c[end - hit]:
                    end += 1
                return hit, end
        return None

    def _row_like(self, sq_end: int) -> bool:
        nxt = self.squeezed[sq_end: sq_end + 2]
        if not nxt:
            return True
        ch = nxt[0]
        if not _is_cjk(ch):
            return True
        if self.labels_sq and any(self.squeezed.startswith(l, sq_end) for l in self.labels_sq):
            return True  # an empty row followed by the next row's label
        return ch in UNIT_CHARS and (len(nxt) < 2 or not _is_cjk(nxt[1]) or nxt in UNIT_WORDS)

    def end_offset(self, sq_end: int) -> int:
        """Offset in the text just after the squeezed character before ``sq_end`` (a label's end):
        blank-cell marks and separators after the label stay in the row's value area."""
        if sq_end <= 0:
            return 0
        if sq_end - 1 >= len(self.map):
            return len(self.text)
        return self.map[sq_end - 1] + 1

    def offset(self, sq: int) -> int:
        if sq >= len(self.map):
            return len(self.text)
        return self.map[sq]

    def tokens(self, a: int, b: int, *, cut: bool = True) -> list[str]:
        """Numbers printed in text[a:b]. With ``cut``, reading stops where running text begins
        (a paragraph after the table's last row, a caption or header before the next row)."""
        if cut:
            b = _text_start(self.text, a, b)
        out = []
        for m in _NUM.finditer(self.text, a, b):
            if m.group(0) == BLANK:
                out.append(BLANK)
            else:
                out.append(m.group(1) + (m.group(2) or "").strip())
        return out


@dataclass
class RowSpec:
    cells: list[str]
    label: str | None  # None: the row has no label (table 四's single data row)
    eqs: tuple = ()
    anchor: str | None = None  # printed just before this row's block (表二's caption 第二十条第（一）项)
    headers: tuple = ()  # the block's column labels (a unit printed there applies to the column)
    skip: tuple = ()  # labels printed before an unlabelled row (表四's header): numbers come after them
    parents: tuple = ()  # captions of merged cells over the row (（五）不予处理): PDF text may print them inside it


class TableReader:
    def __init__(self, spec: Spec, status: dict[str, CellStatus], warnings: list[ImportWarning]):
        self.spec, self.status, self.warnings = spec, status, warnings
        self.ambiguous: list[tuple[list[str], list[tuple]]] = []
        self.glued = True  # the text shows digits run together (set by read_text)
        self.rel_eqs = [eq for eq in spec.equations
                        if eq.rule.scope == "report" and eq.rule.severity == "error" and eq.op == "=="]

    def local_eqs(self, cells: list[str]) -> tuple:
        pos = {c: i for i, c in enumerate(cells)}
        out = []
        for eq in self.rel_eqs:
            if all(c in pos for c in eq.cells):
                out.append(splitmod.LocalEq(tuple((t.coef, pos[t.cell]) for t in eq.terms if t.cell != CONSTANT)))
        return tuple(out)

    def read_rows(self, region: Region, rows: list[RowSpec], table_name: tuple[str, str]):
        cursor = 0
        found = []
        units: dict[int, dict] = {}
        region.labels_sq = tuple(norm(r.label) for r in rows if r.label) + tuple(
            core(r.label) for r in rows if r.label)
        for k, r in enumerate(rows):
            if r.label is None:
                found.append(self._after_header(region, r, cursor))
                continue
            head_from = cursor
            if r.anchor:
                a = region.squeezed.find(norm(r.anchor), cursor)
                if a >= 0:
                    cursor = head_from = a + len(norm(r.anchor))
            hit = region.find(label_forms(r.label), cursor, strict=len(core(r.label)) <= STRICT_LABEL)
            found.append(hit)
            if hit:
                if r.anchor and r.headers:
                    units[k] = self._column_units(region.squeezed[head_from:hit[0]], r)
                cursor = hit[1]
        last_unit: dict = {}
        for i, r in enumerate(rows):
            hit = found[i]
            if r.anchor:
                last_unit = units.get(i, {})
            if hit is None:
                for c in r.cells:
                    self.status[c] = CellStatus("missing", reason_zh=f"原文中未找到“{r.label or self._name(r)}”行",
                                                reason_en=f"row “{r.label or self._name(r)}” not found in the text")
                continue
            a = region.end_offset(hit[1]) if hit[1] > hit[0] else region.offset(hit[1])
            if r.parents:
                a = _skip_captions(region.text, a, r.parents)
            nxt = next((found[j] for j in range(i + 1, len(rows)) if found[j] is not None), None)
            b = region.offset(nxt[0]) if nxt else len(region.text)
            last = nxt is None
            self.read_row(region.tokens(a, b), r, last=last, units=last_unit)

    def _name(self, r: RowSpec) -> str:
        return self.spec.cells[r.cells[0]].table_label

    @staticmethod
    def _after_header(region: Region, r: RowSpec, cursor: int):
        """(start, end) of the header before an unlabelled row's numbers: from the first header label
        over every character the header labels are made of (PDF text breaks 结果/维持 over lines)."""
        sq = region.squeezed
        starts = [at for at in (sq.find(norm(label), cursor) for label in r.skip) if at >= 0]
        if not starts:
            return cursor, cursor
        chars = set("".join(norm(label) for label in r.skip))
        end = min(starts)
        while end < len(sq) and sq[end] in chars:
            end += 1
        return end, end

    def _column_units(self, header_sq: str, r: RowSpec) -> dict:
        """Columns whose printed header gives the unit 元 (the format's unit for amounts is 万元)."""
        out = {}
        for k, (cid, label) in enumerate(zip(r.cells, r.headers)):
            if self.spec.cells[cid].type != "amount":
                continue
            stem = core(label).split("(")[0]
            at = header_sq.find(stem)
            if at < 0:
                continue
            tail = header_sq[at + len(stem): at + len(stem) + 10]
            if re.match(r"\((?:单位:)?元\)", tail):
                out[cid] = "元"
        return out

    def read_row(self, toks: list[str], r: RowSpec, *, last: bool = False, units: dict | None = None):
        n = len(r.cells)
        if units:
            toks = [t + units[c] if c in units and re.fullmatch(r"[\d.]+", t) else t
                    for c, t in zip(r.cells, toks)] + toks[len(r.cells):]
        cells = self.spec.cells
        label = r.label or cells[r.cells[0]].table_label
        if len(toks) > n:
            while len(toks) > n and toks[0] == BLANK:
                toks = toks[1:]
            while len(toks) > n and toks[-1] == BLANK:
                toks = toks[:-1]
        if len(toks) > n:
            filled = [t for t in toks if t != BLANK]
            if len(filled) == n:
                toks = filled  # empty layout cells between the numbers (a workbook's spacer columns)
            elif len(filled) < n:
                toks = toks[:n] if all(t == BLANK for t in toks[n:]) else toks
            if len(toks) > n:
                # more numbers than cells: which belongs where cannot be told — never read the first n
                shown = "、".join(filled[:12]) + ("……" if len(filled) > 12 else "")
                zh = f"“{label}”行有 {len(filled)} 个数（{shown}），多于 {n} 个单元格，无法确定对应关系，留空"
                en = f"row “{label}” holds {len(filled)} numbers for {n} cells; cannot tell which is which; left blank"
                for c in r.cells:
                    self.status[c] = CellStatus("missing", reason_zh=zh, reason_en=en)
                self.warnings.append(ImportWarning(zh, en, tuple(r.cells)))
                return
        if len(toks) == n:
            for cid, tok in zip(r.cells, toks):
                self._read_cell(cid, tok)
            return
        # fewer numbers than cells
        if not toks:
            zh, en = f"“{label}”行没有数字（原文为空）", f"row “{label}” holds no number (empty in the source)"
            for c in r.cells:
                self.status[c] = CellStatus("missing", reason_zh=zh, reason_en=en)
            self.warnings.append(ImportWarning(zh, en, tuple(r.cells)))
            return
        types = [cells[c].type for c in r.cells]
        if BLANK in toks or "amount" in types:
            for c in r.cells:
                self.status[c] = CellStatus("missing", reason_zh=f"“{label}”行只有 {len(toks)} 个数（应为 {n} 个），无法确定对应的单元格",
                                            reason_en=f"row “{label}” has {len(toks)} numbers for {n} cells; cannot tell which is which")
            self.warnings.append(ImportWarning(self.status[r.cells[0]].reason_zh, self.status[r.cells[0]].reason_en, tuple(r.cells)))
            return
        self._recover(toks, r)

    def _read_cell(self, cid: str, tok: str):
        cell = self.spec.cells[cid]
        if tok == BLANK:
            self.status[cid] = CellStatus("missing", raw="", reason_zh="原文为空白", reason_en="blank in the source")
            return
        value, problem = read_value(tok, cell.type)
        if value is None:
            self.status[cid] = CellStatus("missing", raw=tok, reason_zh=f"“{tok}”不是数字", reason_en=f"{tok!r} is not a number")
            return
        st = CellStatus("read", value, raw=tok)
        if problem is not None and problem.code == "unit_converted":
            st.reason_zh, st.reason_en = problem.zh, problem.en
        elif problem is not None and problem.severity == "error":
            st.problem = problem  # type: ignore[attr-defined]
        self.status[cid] = st

    def _recover(self, toks: list[str], r: RowSpec):
        n = len(r.cells)
        label = r.label or self.spec.cells[r.cells[0]].table_label
        parts = []
        for t in toks:
            if re.fullmatch(r"[+-]?\d{2,}", t):
                parts.append(("run", t))
            else:
                v, _ = read_value(t, "signed" if not t.endswith("元") else "amount")
                if v is None:
                    parts = None
                    break
                parts.append(("num", v))
        printed = " ".join(toks)
        signed = {k for k, c in enumerate(r.cells) if self.spec.cells[c].type == "signed"}
        how = "split"
        budget = False
        unproven = False
        cands = []
        relation = bool(r.eqs)
        try:
            if parts is not None:
                cands = splitmod.splits(parts, n, r.eqs, signed=signed)
                if not cands and len(toks) == n - 1 and r.eqs:
                    how = "gap"
                    cands = splitmod.fill_gap(tuple(int(x) if kind == "run" else x for kind, x in parts), n, r.eqs)
                if not cands and r.eqs:
                    relation = False
                    how = "split"
                    cands = splitmod.splits(parts, n, (), signed=signed)
                if cands and not relation and not self.glued:
                    cands, unproven = [], True
        except splitmod.BudgetExceeded:
            cands = []
            budget = True
        if not cands:
            if unproven:
                zh = (f"“{label}”行只有数字“{printed[:60]}”，少于 {n} 个单元格；原文其他地方没有数字粘连的迹象，"
                      f"可能是缺格或数字印在别处，无法确定，留空")
                en = (f"row “{label}” holds only “{printed[:60]}” for {n} cells; nothing else in the text runs digits "
                      f"together, so cells may be missing or printed elsewhere; left blank")
            elif budget:
                zh = f"“{label}”行数字“{printed[:60]}”可能的拆分过多（超过搜索上限），未拆分，单元格留空"
                en = f"row “{label}”: “{printed[:60]}” allows too many splits (search limit reached); cells left blank"
            else:
                zh = f"“{label}”行数字“{printed[:60]}”无法拆分为 {n} 个单元格"
                en = f"row “{label}”: “{printed[:60]}” cannot be split into {n} cells"
            for c in r.cells:
                self.status[c] = CellStatus("missing", reason_zh=zh, reason_en=en)
            self.warnings.append(ImportWarning(zh, en, tuple(r.cells)))
            return
        if how == "gap":
            why_zh = f"“{label}”行只印出 {n - 1} 个数（{printed}），缺失的一格由本行勾稽关系补出"
            why_en = f"row “{label}” prints {n - 1} numbers ({printed}); the missing one follows from the row's relation"
        elif relation:
            why_zh = f"“{label}”行数字粘连（原文“{printed}”），按本行勾稽关系拆分"
            why_en = f"row “{label}”: numbers ran together (“{printed}”); split by the row's relation"
        elif not r.eqs:
            why_zh = f"“{label}”行数字粘连（原文“{printed}”），按数字规则拆分（数字不以 0 开头，只有增减栏可为负）"
            why_en = f"row “{label}”: numbers ran together (“{printed}”); split by digit rules (no leading zeros, only a change may be negative)"
        else:
            why_zh = f"“{label}”行数字粘连（原文“{printed}”），按数字规则拆分（本行勾稽关系不成立）"
            why_en = f"row “{label}”: numbers ran together (“{printed}”); split by digit rules (the row's relation fails)"
        if len(cands) == 1:
            for c, v in zip(r.cells, cands[0]):
                self.status[c] = CellStatus("derived", v, reason_zh=why_zh + "，拆分唯一", reason_en=why_en + "; the split is unique")
            self.warnings.append(ImportWarning(why_zh + "，拆分唯一，请核对", why_en + "; unique split; please check", tuple(r.cells)))
            return
        self._ambiguous(r.cells, cands, why_zh, why_en)
        self.ambiguous.append((list(r.cells), cands))

    def _ambiguous(self, cells: list[str], cands: list[tuple], why_zh: str, why_en: str):
        shown = "；".join(" ".join(str(v) for v in c) for c in cands[:6]) + ("……" if len(cands) > 6 else "")
        for i, c in enumerate(cells):
            values = sorted({cand[i] for cand in cands})
            if len(values) == 1:
                self.status[c] = CellStatus("derived", values[0], reason_zh=why_zh + "，各种拆分中此格相同",
                                            reason_en=why_en + "; every possible split agrees on this cell")
            else:
                self.status[c] = CellStatus("missing", reason_zh=why_zh + f"，有 {len(cands)} 种可能，未采用",
                                            reason_en=why_en + f"; {len(cands)} possible splits, none taken",
                                            candidates=values)
        self.warnings.append(ImportWarning(
            why_zh + f"，有 {len(cands)} 种可能拆分（{shown}），无法确定的单元格留空，请人工核对",
            why_en + f"; {len(cands)} possible splits ({shown}); undecided cells left blank; please check by hand",
            tuple(cells)))

    # ── cross-row resolution ────────────────────────────────────────────────────────────
    def resolve(self):
        """Use the relations between rows (columns of 表三) to pick among candidate splits."""
        pending = [(cells, cands) for cells, cands in self.ambiguous
                   if any(self.status[c].status == "missing" for c in cells)]
        if not pending:
            return
        size = 1
        for _, cands in pending:
            size *= len(cands)
        if size > MAX_COMBINATIONS:
            return
        known = {c: s.value for c, s in self.status.items() if s.status in ("read", "derived") and s.value is not None}
        amb = {c for cells, _ in pending for c in cells}
        eqs = [eq for eq in self.rel_eqs if any(c in amb for c in eq.cells)]
        good = []
        for combo in itertools.product(*[cands for _, cands in pending]):
            vals = dict(known)
            for (cells, _), cand in zip(pending, combo):
                vals.update(zip(cells, cand))
            ok = True
            for eq in eqs:
                if all(c in vals for c in eq.cells):
                    if sum(t.coef * vals[t.cell] for t in eq.terms if t.cell != CONSTANT) != 0:
                        ok = False
                        break
            if ok:
                good.append(combo)
        if not good:
            return
        for k, (cells, cands) in enumerate(pending):
            options = {combo[k] for combo in good}
            if len(options) == 1:
                (choice,) = options
                for c, v in zip(cells, choice):
                    if self.status[c].status == "missing":
                        self.status[c] = CellStatus(
                            "derived", v, reason_zh="数字粘连，由表内行列勾稽关系确定唯一拆分",
                            reason_en="numbers ran together; the table's row and column relations leave one split")
                self.warnings.append(ImportWarning(
                    f"数字粘连的行已由行列勾稽关系确定：{' '.join(str(v) for v in choice)}，请核对",
                    f"a row whose numbers ran together was settled by the table's relations: {' '.join(str(v) for v in choice)}; please check",
                    tuple(cells)))

    def resolve_by_narrative(self, narrative: dict):
        """A row still ambiguous after the relations: keep the splits that agree with every number
        the narrative quotes for its cells (“现行有效的规范性文件16件”); take one only when one is left."""
        pending = [(cells, cands) for cells, cands in self.ambiguous
                   if any(self.status[c].status == "missing" for c in cells)]
        if not pending:
            return
        text = "\n".join(v for v in narrative.values() if v)
        quotes = narrative_quotes(self.spec)
        for cells, cands in pending:
            inrow = set(cells)
            said: dict[tuple, set] = {}
            snippets: dict[tuple, str] = {}
            for pattern, qcells, fixed in quotes:
                if not inrow.intersection(qcells):
                    continue
                if any(c not in inrow and (self.status.get(c) is None or self.status[c].value is None
                                           or self.status[c].status == "missing") for c in qcells):
                    continue
                for m in pattern.finditer(text):
                    value = fixed if fixed is not None else int(m.group(1))
                    said.setdefault(tuple(qcells), set()).add(value)
                    snippets.setdefault(tuple(qcells), m.group(0)[:40])
            if not said or any(len(v) > 1 for v in said.values()):
                continue  # the narrative says nothing here, or contradicts itself
            pos = {c: i for i, c in enumerate(cells)}
            keep = []
            for cand in cands:
                ok = True
                for qcells, values in said.items():
                    total = sum(cand[pos[c]] if c in pos else self.status[c].value for c in qcells)
                    if total not in values:
                        ok = False
                        break
                if ok:
                    keep.append(cand)
            if len(keep) != 1:
                continue
            quoted = "、".join(f"“{q}”" for q in snippets.values())
            for c, v in zip(cells, keep[0]):
                self.status[c] = CellStatus(
                    "derived", v, reason_zh=f"数字粘连，{len(cands)} 种拆分中只有一种与正文{quoted}一致",
                    reason_en=f"numbers ran together; of {len(cands)} possible splits only one agrees with the narrative {quoted}")
            self.warnings.append(ImportWarning(
                f"数字粘连的行按正文{quoted}确定：{' '.join(str(v) for v in keep[0])}，请核对",
                f"a row whose numbers ran together was settled by the narrative {quoted}: "
                f"{' '.join(str(v) for v in keep[0])}; please check", tuple(cells)))

    def fill_from_relations(self):
        """A cell missing from the text that a relation pins (e.g. 总计) is derived, with reason."""
        changed = True
        while changed:
            changed = False
            for eq in self.rel_eqs:
                unknown = [c for c in eq.cells if self.status.get(c) and self.status[c].status == "missing"
                           and not self.status[c].candidates]
                if len(unknown) != 1:
                    continue
                (u,) = unknown
                if any(self.status.get(c) is None or self.status[c].value is None for c in eq.cells if c != u):
                    continue
                coef = sum(t.coef for t in eq.terms if t.cell == u)
                rest = sum(t.coef * self.status[t.cell].value for t in eq.terms if t.cell not in (u, CONSTANT))
                if coef == 0 or rest % coef:
                    continue
                value = -rest // coef
                if value < 0:
                    continue
                before = self.status[u]
                self.status[u] = CellStatus("derived", value, raw=before.raw,
                                            reason_zh=f"原文缺失（{before.reason_zh}），由勾稽关系 {eq.instance} 计算得出",
                                            reason_en=f"missing in the source ({before.reason_en}); computed from relation {eq.instance}")
                self.warnings.append(ImportWarning(self.status[u].reason_zh + f"：{value}",
                                                   self.status[u].reason_en + f": {value}", (u,)))
                changed = True


def _rows_t2(spec: Spec) -> list[RowSpec]:
    rows = []
    for block in spec.tables["t2"]["blocks"]:
        for k, row in enumerate(block["rows"]):
            rows.append(RowSpec([f"t2.{row['key']}.{c['key']}" for c in block["columns"]], row["label"],
                                anchor=block["caption"] if k == 0 else None,
                                headers=tuple(c["label"] for c in block["columns"])))
    return rows


def _rows_t3(spec: Spec, reader: TableReader) -> list[RowSpec]:
    t = spec.tables["t3"]
    out = []
    for row in t["rows"]:
        cells = [f"t3.{row['key']}.{c['key']}" for c in t["columns"]]
        out.append(RowSpec(cells, row["labels"][-1], reader.local_eqs(cells), parents=tuple(row["labels"][:-1])))
    return out


def _row_t4(spec: Spec, reader: TableReader) -> RowSpec:
    t = spec.tables["t4"]
    cells = [f"t4.{g['key']}.{c['key']}" for g in t["groups"] for c in t["columns"]]
    header = tuple(dict.fromkeys([c["label"] for c in t["columns"]] + [lab for g in t["groups"] for lab in g["labels"]]))
    return RowSpec(cells, None, reader.local_eqs(cells), skip=header)


@lru_cache(maxsize=8)
def _quotes_for(fid: str):
    spec = load_spec(fid)
    out = []
    raw = [q for rule in spec.rules if rule.kind == "text_numbers" for q in rule.raw.get("quotes", ())]
    raw += list(vocabulary()["raw"].get("narrative", ()))
    for q in raw:
        if all(c in spec.cells for c in q["cells"]):
            out.append((re.compile(q["pattern"]), tuple(q["cells"]), q.get("value")))
    return tuple(out)


def narrative_quotes(spec: Spec):
    """(compiled pattern, cells summed, fixed value) of every phrase that quotes a table number."""
    return _quotes_for(spec.id)


# ── the whole report ────────────────────────────────────────────────────────────────────
def read_text(text: str, *, file: str = "", kind: str = "text", format_id: str | None = None,
              year: int | None = None, unit: str | None = None) -> ImportResult:
    page = prepare(text)
    doc = Document(page.text)
    squeezed_all = norm(doc.text)
    detected: dict = {}
    if page.meta:
        detected["page"] = dict(page.meta)
    title = _title(doc, 60)
    meta_title = _title_parts(page.meta.get("title", ""))
    if meta_title and (title is None or not title[2] or meta_title[1]):
        title = (title[0] if title else -1, meta_title[0], meta_title[1] or (title[2] if title else ""))
    if year is None and re.match(r"\d{4}", page.meta.get("year", "")):
        year, detected["year"] = int(page.meta["year"][:4]), "cover"
    if unit is None and page.meta.get("unit"):
        unit, detected["unit"] = page.meta["unit"], "cover"
    if year is None:
        if title:
            year, detected["year"] = title[1], "title"
        else:
            m = _PERIOD_YEAR.search(widen(doc.text))
            published = re.match(r"\s*(20\d\d)\s*[-年/.]\s*(\d{1,2})", widen(page.meta.get("date", "")))
            if m:
                year, detected["year"] = int(m.group(1)), "statistics period"
            elif published and int(published.group(2)) <= 6:
                # reports are published in the first months after the year they cover
                year, detected["year"] = int(published.group(1)) - 1, "publication date (uncertain)"
            else:
                m = _ANY_YEAR.search(widen(doc.text))
                if m:
                    year, detected["year"] = int(m.group(1)), "first year mentioned (uncertain)"
    if format_id is None:
        format_id, detected["format"] = detect_format(squeezed_all, year)
    spec = load_spec(format_id)
    heads = _find_headings(doc, spec)
    warnings: list[ImportWarning] = []
    status: dict[str, CellStatus] = {}

    # regions: heading lines, or anchors when a heading is missing
    n_lines = len(doc.lines)

    def anchor(pred, lo):
        for i in range(lo, n_lines):
            if pred(norm(doc.lines[i])):
                return i
        return None

    # where a table starts when its section heading is missing: its first printed labels (format data)
    tables = spec.tables
    t2_caption = norm(tables["t2"]["blocks"][0]["caption"])
    t2_article = t2_caption[: t2_caption.find("第", 1)] if "第" in t2_caption[1:] else t2_caption  # 第二十条
    t3_note = norm(tables["t3"]["note"]).strip("()")[:8]
    t3_header = norm(tables["t3"]["column_header"])
    t3_first_row = core(tables["t3"]["rows"][0]["labels"][0])[:10]
    t4_first_group = norm(tables["t4"]["groups"][0]["labels"][0])
    first = heads.get("overview", -1)
    t2 = heads.get("t2")
    if t2 is None:
        t2 = anchor(lambda s: s.startswith(t2_article) or t2_caption in s, first + 1)
    t3 = heads.get("t3")
    if t3 is None:
        t3 = anchor(lambda s: t3_note in s or s.startswith(t3_header) or t3_first_row in s,
                    (t2 if t2 is not None else first) + 1)
    t4 = heads.get("t4")
    if t4 is None:
        t4 = anchor(lambda s: s.startswith(t4_first_group), (t3 if t3 is not None else first) + 1)
    ends = {"t2": t3, "t3": t4, "t4": heads.get("problems", heads.get("other_matters"))}
    starts = {"t2": t2, "t3": t3, "t4": t4}
    reader = TableReader(spec, status, warnings)
    names = {"t2": ("表二", "Table II"), "t3": ("表三", "Table III"), "t4": ("表四", "Table IV")}
    regions = {}
    for tid in ("t2", "t3", "t4"):
        s = starts[tid]
        if s is None:
            continue
        later = [v for k, v in starts.items() if v is not None and v > s]
        e = ends[tid] if ends[tid] is not None and ends[tid] > s else (min(later) if later else n_lines)
        heading_line = 1 if heads.get(tid) == s else 0
        regions[tid] = Region(doc.span(s + heading_line, e))
    # digits run together somewhere in the tables ("000", "05"): only then may a row with fewer
    # numbers than cells be cut by digit rules alone (otherwise a lone "15" may be a whole number
    # whose neighbours were printed elsewhere, e.g. text extracted column by column from a PDF)
    reader.glued = any(_GLUED.search(r.text) for r in regions.values())
    for tid in ("t2", "t3", "t4"):
        if tid not in regions:
            for c in spec.table_cells(tid):
                status[c] = CellStatus("missing", reason_zh=f"原文中未找到{names[tid][0]}", reason_en=f"{names[tid][1]} not found in the text")
            warnings.append(ImportWarning(f"原文中未找到{names[tid][0]}，其单元格均留空", f"{names[tid][1]} not found; its cells are left blank"))
            continue
        region = regions[tid]
        if tid == "t2":
            reader.read_rows(region, _rows_t2(spec), names[tid])
        elif tid == "t3":
            reader.read_rows(region, _rows_t3(spec, reader), names[tid])
        else:
            reader.read_rows(region, [_row_t4(spec, reader)], names[tid])
    # metadata
    preamble_from = 0
    if title:
        preamble_from = title[0] + 1
        if unit is None and title[2]:
            unit, detected["unit"] = title[2], "title"
    narrative = _narratives(doc, heads, starts, preamble_from, spec)
    reader.resolve()
    reader.resolve_by_narrative(narrative)
    reader.fill_from_relations()
    if unit is None:
        for key in ("preamble", "overview"):
            for para in (narrative.get(key) or "").split("\n")[:3]:
                m = _UNIT_LEAD.match(para)
                if m:
                    unit, detected["unit"] = m.group(1), f"first sentence of {key}"
                    break
            if unit:
                break
    if unit is None and page.meta.get("title"):
        # a title without a year still names the unit before its words
        t = widen(page.meta["title"])
        m = re.search(r"(?:\d{4}\s*年\s*度?\s*)?(?:政府|政务)\s*信息\s*公开", t)
        if m and 2 <= m.start() <= 40:
            unit, detected["unit"] = re.sub(r"(关于|的)$", "", re.sub(r"\s+", "", t[: m.start()])), "page title"
    if unit is None:
        # the signature at the end (落款: the organ's name and the date), then the page's 来源
        tail = widen(doc.text[-400:])
        found = list(_SIGNATURE.finditer(tail))
        if found:
            unit, detected["unit"] = re.sub(r"\s+", "", found[-1].group(1)), "signature"
        else:
            src = re.sub(r"\s+", "", page.meta.get("source", ""))
            if 4 <= len(src) <= 40 and re.search(_UNIT_SUFFIX + "$", src):
                unit, detected["unit"] = src, "page source"
    if unit is None:
        warnings.append(ImportWarning("未能从标题或开头识别单位名称", "could not find the unit's name in the title or opening"))
    if year is None:
        warnings.append(ImportWarning("未能识别报告年度", "could not find the report's year"))
    elif detected.get("year", "").startswith("publication"):
        warnings.append(ImportWarning(f"标题中未写明年度，按发布时间（{page.meta.get('date')}）推定为 {year} 年度，请核对",
                                      f"the title names no year; {year} inferred from the publication date; please check"))
    elif "uncertain" in detected.get("year", ""):
        warnings.append(ImportWarning(f"标题中未写明年度，按正文首次出现的 {year} 年读取，请核对",
                                      f"the title names no year; took {year}, the first year in the text; please check"))
    for key, (zh, en) in {"overview": ("一、总体情况", "section 1 (overview)"),
                          "problems": ("五、存在的主要问题及改进情况", "section 5 (problems)"),
                          "other_matters": ("六、其他需要报告的事项", "section 6 (other matters)")}.items():
        if key not in heads:
            warnings.append(ImportWarning(f"原文中未找到“{zh}”部分", f"{en} not found in the text"))

    values = {c: (s.value if s.status in ("read", "derived") else None) for c, s in status.items()}
    report = Report(format=format_id, unit=unit, year=year, level=level_of(unit), values=values,
                    narrative=narrative)
    for c, s in status.items():
        p = getattr(s, "problem", None)
        if p is not None:
            report.problems.append(CellProblem(c, s.raw, p))
    confidence = _confidence(spec, status)
    result = ImportResult(report, status, warnings, confidence, file=file, kind=kind, detected=detected)
    report.extra["source"] = result.source_record()
    return result


def _narratives(doc: Document, heads: dict, starts: dict, preamble_from: int, spec: Spec) -> dict[str, str]:
    marks = sorted({v for v in list(heads.values()) + list(starts.values()) if v is not None})

    def until_next(i):
        return next((m for m in marks if m > i), len(doc.lines))

    def clean(lines):
        out = [ln.strip() for ln in lines if ln.strip()]
        return "\n".join(out)

    out = {}
    first = heads.get("overview")
    pre_end = first if first is not None else (marks[0] if marks else 0)
    pre = [ln for ln in doc.lines[preamble_from:pre_end] if len(ln.strip()) > 2]
    out["preamble"] = clean(pre)
    last = max((k for k in ("overview", "problems", "other_matters") if heads.get(k) is not None),
               key=lambda k: heads[k], default=None)
    for key in ("overview", "problems", "other_matters"):
        i = heads.get(key)
        if i is None:
            out[key] = ""
            continue
        lines = doc.lines[i + 1: until_next(i)]
        out[key] = clean(_drop_signature(lines) if key == last else lines)
    return out


_SIGN_DATE = re.compile(r"^[\d\s\u3000]*年[\d\s\u3000]*月[\d\s\u3000]*日$")


def _drop_signature(lines: list[str]) -> list[str]:
    """The report's last lines without its 落款 (organ name over the date): not narrative."""
    body = [ln for ln in lines if ln.strip()]
    if not body or not _SIGN_DATE.match(body[-1].strip()):
        return lines
    body = body[:-1]
    if body and len(body[-1].strip()) <= 40 and not re.search(r"[。，；：！？]", body[-1]):
        body = body[:-1]
    return body


def _confidence(spec: Spec, status: dict[str, CellStatus]) -> dict[str, dict]:
    out = {}
    values = {c: s.value for c, s in status.items() if s.value is not None and s.status != "missing"}
    for tid in ("t2", "t3", "t4"):
        cells = spec.table_cells(tid)
        counts = {k: sum(status[c].status == k for c in cells) for k in ("read", "derived", "missing")}
        eqs = [eq for eq in spec.equations if eq.rule.scope == "report" and eq.rule.severity == "error"
               and eq.op == "==" and all(spec.cells[c].table == tid for c in eq.cells)]
        checked = [eq for eq in eqs if all(c in values for c in eq.cells)]
        holding = sum(sum(t.coef * values[t.cell] for t in eq.terms if t.cell != CONSTANT) == 0 for eq in checked)
        level = "high" if counts["missing"] == 0 and counts["derived"] == 0 and holding == len(checked) else \
            "medium" if counts["missing"] == 0 else "low"
        out[tid] = {"cells": len(cells), **counts, "relations_checked": len(checked),
                    "relations_holding": holding, "level": level}
    return out
