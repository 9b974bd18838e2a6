"""Label anchors: where the template's labels are, and where the cells next to them went.

The layout names every label the template prints (row labels, column headers, captions). Before
a number is read its labels are verified; when rows or columns moved, each cell is relocated by its
row label and column header, and a cell whose labels cannot be found consistently is not read.
A workbook without the hidden ``_gxnb`` sheet is recognised by these labels too.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

from .. import lazyre
from ..errors import NotTemplate
from ..spec import FORMAT_IDS, load_spec
from .layout import META_SHEET, Layout, parse_a1
from .sniff import refuse

_WS = lazyre.compile(r"[\s\u3000]+")


def norm(text) -> str:
    """Label comparison tolerant to spaces, width and bracket style."""
    if not isinstance(text, str):
        return ""
    return _norm_text(text) if len(text) <= 200 else _WS.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=8192)
def _norm_text(text: str) -> str:  # labels repeat from file to file: normalise each once
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def guess_format(grids, name: str) -> str:
    """A workbook without metadata: which format's labels does it carry? ``grids``: each sheet's rows."""
    texts = set()
    for rows in grids:
        for row in rows[:200]:
            texts.update(norm(v) for v in row[:60] if isinstance(v, str))
    blob = "".join(texts)
    scores = {fid: sum(norm(s) in blob for s in load_spec(fid).signature) for fid in FORMAT_IDS}
    best = max(scores, key=scores.get)
    t3_rows = load_spec(best).tables["t3"]["rows"]  # the first and last row labels of table 三
    has_tables = all(norm(row["labels"][-1]).lstrip("一二三四五、") in blob for row in (t3_rows[0], t3_rows[-1]))
    if not has_tables or scores[best] == 0:
        raise refuse(name, "不是政府信息公开年度报告填报模板（找不到模板标识，也找不到表三的官方标签）",
                   "not a gxnb-xl report template (no template marker and no table III labels)", NotTemplate)
    return best


class Plan:
    """Per-layout precomputation (parsed positions, anchors by sheet), built once per format."""

    def __init__(self, layout: Layout):
        self.anchors: dict[str, list[tuple[str, int, int, str]]] = {}
        self.texts: dict[tuple[str, str], str] = {}  # (sheet, A1) → the label as printed
        for sheet, addr, text in layout.anchors:
            r, c = parse_a1(addr)
            self.anchors.setdefault(sheet, []).append((addr, r, c, norm(text)))
            self.texts[(sheet, addr)] = text
        self.rc = {addr: parse_a1(addr) for _, addr in
                   [*layout.cells.values(), *layout.meta.values(),
                    *(p for ps in layout.narrative_cells.values() for p in ps)]}
        for anchors in self.anchors.values():
            for addr, r, c, _ in anchors:
                self.rc[addr] = (r, c)
        needed = {s for s, _ in layout.cells.values()} | {s for s, _ in layout.meta.values()}
        needed |= {s for ps in layout.narrative_cells.values() for s, _ in ps}
        self.sheets = [s for s in layout.sheets if s in needed and s != META_SHEET]
        # every cell once: (id, type, typed by the clerk?, sheet, A1, (row, col), "sheet!A1")
        spec = load_spec(layout.format)
        self.entries = [(cid, cell.type, cell.input, *layout.cells[cid], self.rc[layout.cells[cid][1]],
                         f"{layout.cells[cid][0]}!{layout.cells[cid][1]}") for cid, cell in spec.cells.items()]


_PLANS: dict[int, Plan] = {}


def plan_of(layout: Layout) -> Plan:
    plan = _PLANS.get(id(layout))
    if plan is None:
        plan = _PLANS[id(layout)] = Plan(layout)
    return plan


class Locator:
    """Positions of cells, verified against the layout's anchors; relocated by label when moved."""

    def __init__(self, layout: Layout, sheets: dict, plan: Plan | None = None):
        self.layout, self.sheets = layout, sheets
        self.plan = plan = plan or plan_of(layout)
        self.shift: dict[tuple[str, str], tuple[int, int] | None] = {}  # anchor (sheet, addr) → (dr, dc)
        self.moved: dict[str, int] = Counter()
        self.lost: dict[str, list[str]] = {}
        self._rows = self._cols = None
        for sheet, anchors in plan.anchors.items():
            s = sheets.get(sheet)
            if s is None:
                for addr, *_ in anchors:
                    self.shift[(sheet, addr)] = None
                continue
            if all(norm(s.get(r, c)) == text for _, r, c, text in anchors):
                continue  # the common case: nothing moved, every label where the template put it
            # something moved: find every anchor by its text; duplicates resolved near the common shift
            found = {}
            for addr, r, c, text in anchors:
                hits = s.find(text)
                if len(hits) == 1:
                    found[addr] = (hits[0][0] - r, hits[0][1] - c)
            common = Counter(found.values()).most_common(1)
            base = common[0][0] if common else (0, 0)
            for addr, r, c, text in anchors:
                if addr in found:
                    self.shift[(sheet, addr)] = found[addr]
                    continue
                hits = s.find(text)
                if hits:
                    best = min(hits, key=lambda h: abs(h[0] - r - base[0]) + abs(h[1] - c - base[1]))
                    self.shift[(sheet, addr)] = (best[0] - r, best[1] - c)
                else:
                    self.shift[(sheet, addr)] = None
                    self.lost.setdefault(sheet, []).append(text)
            self.moved[sheet] += 1  # labels changed place (or vanished): every cell is located by label

    def _index(self):
        self._rows, self._cols = {}, {}
        for sheet, anchors in self.plan.anchors.items():
            for addr, r, c, _ in anchors:
                self._rows.setdefault((sheet, r), []).append((c, addr))
                self._cols.setdefault((sheet, c), []).append((r, addr))
        for d in (self._rows, self._cols):
            for k in d:
                d[k].sort(key=lambda x: -x[0])

    def lost_label(self, sheet: str, addr: str) -> str | None:
        """The text of the row label or column header that could not be found for this cell, if any."""
        if self._rows is None:
            self._index()
        r, c = self.plan.rc.get(addr) or parse_a1(addr)
        texts = {a: t for a, _, _, t in self.plan.anchors.get(sheet, [])}
        originals = self.plan.texts
        for a in ([a for col, a in self._rows.get((sheet, r), []) if col < c][:1]
                  + [a for row, a in self._cols.get((sheet, c), []) if row < r][:1]):
            if self.shift.get((sheet, a)) is None and a in texts:
                return originals.get((sheet, a), texts[a])
        return None

    def position(self, sheet: str, addr: str) -> tuple[int, int] | None:
        """Where a layout cell really is, or None when its labels cannot be found consistently."""
        if sheet not in self.sheets:
            return None
        rc = self.plan.rc.get(addr) or parse_a1(addr)
        if not self.moved.get(sheet):
            return rc
        if self._rows is None:
            self._index()
        r, c = rc
        row_anchor = [a for col, a in self._rows.get((sheet, r), []) if col < c]
        col_anchor = [a for row, a in self._cols.get((sheet, c), []) if row < r]
        if not row_anchor and not col_anchor:
            return None
        dr = self.shift.get((sheet, row_anchor[0])) if row_anchor else None
        dc = self.shift.get((sheet, col_anchor[0])) if col_anchor else None
        if row_anchor and dr is None or col_anchor and dc is None:
            return None
        # the row label fixes the row, the column header fixes the column
        drow = dr[0] if dr else dc[0]
        dcol = dc[1] if dc else dr[1]
        return r + drow, c + dcol


def find_renamed(plan: Plan, sheet: str, candidates: dict) -> str | None:
    """The one sheet among ``candidates`` (name → sheet with ``find``) that carries most of ``sheet``'s
    labels — a renamed 表三 is still 表三 by its labels. None when no candidate carries at least
    half of them, or two candidates tie (never guess between two)."""
    anchors = plan.anchors.get(sheet) or []
    texts = {text for *_, text in anchors if text}
    if not texts:
        return None
    scores = {name: sum(bool(s.find(text)) for text in texts) for name, s in candidates.items()}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] * 2 < len(texts) or len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]
