"""Reading one table's rows out of text: labels found in order, the numbers between them, and
run-together digits cut back into cells by the relations (split.py), the narrative, or not at all.

Every source (web text, HTML, Word, PDF, workbook) reaches this module as text whose table rows
may be ``label | 3 | 0 | ∅`` lines, space-aligned PDF lines, or a whole page run together; the
row label is what anchors a row, never its position.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..record import record
from ..spec import CONSTANT, Spec, load_spec
from ..values import read_value
from . import split as splitmod
from .cells import BLANK
from .records import CellStatus, ImportWarning
from .text import core, label_forms, norm, squeeze, vocabulary, widen

MAX_COMBINATIONS = 50_000  # search steps when settling run-together rows by the table's relations
MAX_LABEL_HITS = 50  # occurrences of one label tried before giving up on it
MAX_SPLIT_NOTES = 5  # more uniquely split rows than this are summed up in one note
STRICT_LABEL = 10  # labels this short also occur in running text: a hit must look like a table row
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


@record
class RowSpec:
    """A printed row of an official table: its cells, label and the relations within it."""

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
        self.split_allowed = True  # False for sources whose every number sits in its own cell
        self.unique_splits: list = []  # (row label, cells, note) of rows cut uniquely by the relations
        self.rel_eqs = [eq for eq in spec.equations
                        if eq.rule.scope == "report" and eq.rule.severity == "error" and eq.op == "=="]

    def split_notes(self) -> None:
        """One note per row when a few rows were cut; one summary note when many were (a page whose
        every row ran together should not bury the other notes)."""
        if len(self.unique_splits) <= MAX_SPLIT_NOTES:
            self.warnings.extend(w for _, _, w in self.unique_splits)
            return
        labels = [lab for lab, _, _ in self.unique_splits]
        cells = tuple(c for _, cs, _ in self.unique_splits for c in cs)
        shown = "、".join(f"“{x}”" for x in labels[:8]) + (f"等 {len(labels)} 行" if len(labels) > 8 else "")
        self.warnings.insert(0, ImportWarning(
            f"{len(labels)} 行数字粘连（单元格之间没有分隔），已按勾稽关系和数字规则唯一拆分：{shown}；这些单元格标为“推出”，请核对",
            f"{len(labels)} rows had their numbers run together; each was split uniquely by the relations and digit "
            f"rules; those cells are marked derived; please check", cells))

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
                self._row_blank(r, zh, en)
                return
        if len(toks) == n:
            for cid, tok in zip(r.cells, toks):
                self._read_cell(cid, tok)
            return
        # fewer numbers than cells
        if not toks:
            zh, en = f"“{label}”行没有数字（原文为空）", f"row “{label}” holds no number (empty in the source)"
            self._row_blank(r, zh, en)
            return
        types = [cells[c].type for c in r.cells]
        if BLANK in toks or "amount" in types:
            for c in r.cells:
                self.status[c] = CellStatus("missing", reason_zh=f"“{label}”行只有 {len(toks)} 个数（应为 {n} 个），无法确定对应的单元格",
                                            reason_en=f"row “{label}” has {len(toks)} numbers for {n} cells; cannot tell which is which")
            self.warnings.append(ImportWarning(self.status[r.cells[0]].reason_zh, self.status[r.cells[0]].reason_en, tuple(r.cells)))
            return
        self._recover(toks, r)

    def _row_blank(self, r: RowSpec, zh: str, en: str) -> None:
        """Every cell of the row left blank for one reason, and a warning saying it."""
        for c in r.cells:
            self.status[c] = CellStatus("missing", reason_zh=zh, reason_en=en)
        self.warnings.append(ImportWarning(zh, en, tuple(r.cells)))

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
        if not self.split_allowed:
            parts = None  # no split, no gap filling: which cell is missing cannot be known
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
            if not self.split_allowed:
                zh = f"“{label}”行只有 {len(toks)} 个数（{printed[:60]}），应为 {n} 个，无法确定各自属于哪一格，留空"
                en = f"row “{label}” holds {len(toks)} numbers ({printed[:60]}) for {n} cells; cannot tell which is which; left blank"
            elif unproven:
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
            self._row_blank(r, zh, en)
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
            self.unique_splits.append((label, tuple(r.cells), ImportWarning(
                why_zh + "，拆分唯一，请核对", why_en + "; unique split; please check", tuple(r.cells))))
            return
        self._ambiguous(r.cells, cands, why_zh, why_en)
        self.ambiguous.append((list(r.cells), cands))

    def _ambiguous(self, cells: list[str], cands: list[tuple], why_zh: str, why_en: str):
        shown = "；".join(" ".join(str(v) for v in c) for c in cands[:6]) + ("……" if len(cands) > 6 else "")
        shown_en = "; ".join(" ".join(str(v) for v in c) for c in cands[:6]) + (" …" if len(cands) > 6 else "")
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
            why_en + f"; {len(cands)} possible splits ({shown_en}); undecided cells left blank; please check by hand",
            tuple(cells)))

    # ── cross-row resolution ────────────────────────────────────────────────────────────
    def resolve(self):
        """Use the relations between rows (columns of 表三) to pick among candidate splits."""
        pending = [(cells, cands) for cells, cands in self.ambiguous
                   if any(self.status[c].status == "missing" for c in cells)]
        if not pending:
            return
        known = {c: s.value for c, s in self.status.items() if s.status in ("read", "derived") and s.value is not None}
        amb = {c for cells, _ in pending for c in cells}
        row_of = {c: i for i, (cells, _) in enumerate(pending) for c in cells}
        at_row: list[list] = [[] for _ in pending]  # relations checkable once row i is placed
        for eq in self.rel_eqs:
            if any(c in amb for c in eq.cells) and all(c in amb or c in known for c in eq.cells):
                at_row[max(row_of[c] for c in eq.cells if c in amb)].append(eq)
        options: list[set] = [set() for _ in pending]
        vals = dict(known)
        nodes = 0
        # depth-first over the rows' candidates, a relation checked as soon as its cells are placed
        stack = [(0, 0)]
        chosen: list = []
        while stack:
            i, k = stack.pop()
            del chosen[i:]
            if i == len(pending):
                for j, cand in enumerate(chosen):
                    options[j].add(cand)
                if all(len(o) > 1 for o in options):
                    break  # nothing can be decided any more
                continue
            cells, cands = pending[i]
            if k >= len(cands):
                continue
            nodes += 1
            if nodes > MAX_COMBINATIONS:
                return  # too many combinations to be sure of anything
            stack.append((i, k + 1))
            cand = cands[k]
            vals.update(zip(cells, cand))
            if all(sum(t.coef * vals[t.cell] for t in eq.terms if t.cell != CONSTANT) == 0 for eq in at_row[i]):
                chosen.append(cand)
                stack.append((i + 1, 0))
        if not any(options):
            return
        for k, (cells, cands) in enumerate(pending):
            if len(options[k]) == 1:
                (choice,) = options[k]
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
            quoted_en = ", ".join(f"“{q}”" for q in snippets.values())
            for c, v in zip(cells, keep[0]):
                self.status[c] = CellStatus(
                    "derived", v, reason_zh=f"数字粘连，{len(cands)} 种拆分中只有一种与正文{quoted}一致",
                    reason_en=f"numbers ran together; of {len(cands)} possible splits only one agrees with the narrative {quoted_en}")
            self.warnings.append(ImportWarning(
                f"数字粘连的行按正文{quoted}确定：{' '.join(str(v) for v in keep[0])}，请核对",
                f"a row whose numbers ran together was settled by the narrative {quoted_en}: "
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
