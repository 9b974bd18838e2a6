"""The official format as a spec: cells, rules and their expanded equations.

Everything is derived from one data file per format id (``formats/<id>.toml``). Rules are
parsed linear relations, so the engine knows which cells each one touches — that is what makes
cell-level messages and error localisation possible.
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

from . import lazyre, tomlcache
from .record import field, record

PREV = "prev."  # prefix of a cell in last year's report
CONSTANT = ""  # the cell of a constant term
# the format files (a path, not importlib.resources: its import costs ~5 ms at every start)
FORMATS_DIR = Path(__file__).with_name("formats")


class SpecError(Exception):
    """The format data itself is wrong (a bug in a data file, never the user's fault)."""


@record(frozen=True)
class Cell:
    """A cell of an official table: its id, labels and type."""

    id: str
    table: str
    row: str
    col: str
    type: str  # count | signed | amount
    input: bool
    table_label: str  # 表二 …
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    block: str = ""  # table 二: 第二十条第（X）项
    kind: str = ""  # the table's kind: blocks | grid | groups (how a clerk names a cell in it)
    captioned: bool = False  # the first row label is a caption over several rows (三、本年度办理结果)

    @property
    def row_label(self) -> str:
        # a caption over many rows says nothing about one of them: leave it out of the short label
        return " ".join(self.row_labels[1:] if self.captioned else self.row_labels)

    @property
    def col_label(self) -> str:
        return self.col_labels[-1]

    def name(self, lang: str = "zh") -> str:
        """How a clerk would point at this cell."""
        if lang == "en":  # the official labels are Chinese: the table and the cell's id (row.column)
            return f"Table {roman_numeral(self.table_label.removeprefix('表'))} {self.id.split('.', 1)[1]}"
        if self.kind == "groups":  # 表四: a group and a column, no rows to speak of
            return f"{self.table_label}“{self.row_label}”“{self.col_label}”"
        return f"{self.table_label}“{self.row_label}”行“{self.col_label}”列"


def roman_numeral(chinese: str) -> str:
    """一 … 十 as I … X (table numbers); anything else unchanged."""
    numerals = "一二三四五六七八九十"
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
    return roman[numerals.index(chinese)] if len(chinese) == 1 and chinese in numerals else chinese


@record(frozen=True)
class Term:
    """One term of a linear relation: a coefficient times a cell."""

    coef: int
    cell: str  # a cell id, or prev.<cell id>

    @property
    def is_prev(self) -> bool:
        return self.cell.startswith(PREV)


@record(frozen=True, eq=False)
class Rule:
    """A rule of the format data, as written there."""

    id: str
    title: str
    severity: str
    scope: str  # report | cross_year | text
    kind: str  # relation | type | text_numbers | text_year
    message: dict
    raw: dict = field(compare=False, repr=False, default_factory=dict)


@record(frozen=True)
class Equation:
    """One expanded instance of a relation: sum(lhs) op sum(rhs)."""

    rule: Rule
    instance: str  # e.g. R3.1[natural]
    bindings: tuple[tuple[str, str], ...]  # (placeholder, member key)
    labels: tuple[tuple[str, str], ...]  # (placeholder, member label)
    lhs: tuple[Term, ...]
    rhs: tuple[Term, ...]
    op: str  # == | >= | <=
    defines: str | None = None  # the cell this equation computes (template formula)

    @cached_property  # built once per equation, not per check (a frozen record keeps a __dict__)
    def terms(self) -> tuple[Term, ...]:
        return self.lhs + tuple(Term(-t.coef, t.cell) for t in self.rhs)

    @cached_property
    def cells(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.cell for t in self.lhs + self.rhs if t.cell != CONSTANT))

    @property
    def expression(self) -> str:
        return f"{_side(self.lhs)} {self.op} {_side(self.rhs)}"


def _side(terms) -> str:
    out = []
    for i, t in enumerate(terms):
        sign = "-" if t.coef < 0 else "+"
        mag = abs(t.coef)
        ref = str(mag) if t.cell == CONSTANT else t.cell if mag == 1 else f"{mag}*{t.cell}"
        out.append(ref if i == 0 and sign == "+" else f"{'- ' if sign == '-' else '+ ' if i else ''}{ref}")
    return " ".join(out) if out else "0"


@record(frozen=True)
class Section:
    """A numbered section of the report."""

    number: str
    heading: str
    key: str | None  # narrative key, None for table sections
    table: str | None
    guidance: str
    parts: tuple[str, ...]


class Spec:
    """One report format: its tables, cells, sections and relations."""

    def __init__(self, data: dict, source: bytes):
        self.data = data
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.first_year: int = data.get("first_year", 0)
        self.last_year: int | None = data.get("last_year")
        self.signature: tuple[str, ...] = tuple(data.get("signature", ()))
        self.hash = tomlcache.digest(source)[:16]
        self.tables: dict = data["tables"]
        self.sections = tuple(
            Section(s.get("number", ""), s.get("heading", ""), s.get("key"), s.get("table"),
                    s.get("guidance", ""), tuple(s.get("parts", ())))
            for s in data["sections"]
        )
        self.narrative_keys = tuple(s.key for s in self.sections if s.key)
        self.sets = {name: _SetDef(name, d, self) for name, d in data.get("sets", {}).items()}
        self.rules = tuple(
            Rule(r["id"], r.get("title", ""), r["severity"], r["scope"],
                 r.get("kind", "relation"), r.get("message", {}), r)
            for r in data["rules"]
        )
        cells = self._build_cells()
        self.equations = tuple(eq for rule in self.rules if rule.kind == "relation"
                               for eq in self._expand(rule, cells))
        self.derivations: dict[str, Equation] = {}
        for eq in self.equations:
            if eq.defines and eq.defines not in self.derivations:
                self.derivations[eq.defines] = eq
        self.cells: dict[str, Cell] = {
            cid: Cell(**{**c.__dict__, "input": cid not in self.derivations}) for cid, c in cells.items()
        }
        self.input_cells = tuple(c for c in self.cells if self.cells[c].input)
        self.derived_order = self._derivation_order()

    # ── cells ────────────────────────────────────────────────────────────────────────
    def _build_cells(self) -> dict[str, Cell]:
        cells: dict[str, Cell] = {}
        for tid, t in self.tables.items():
            tlabel = f"表{t['number']}"
            if t["kind"] == "blocks":
                for block in t["blocks"]:
                    for row in block["rows"]:
                        for col in block["columns"]:
                            cid = f"{tid}.{row['key']}.{col['key']}"
                            cells[cid] = Cell(cid, tid, row["key"], col["key"], col["type"], True, tlabel,
                                              (row["label"],), (col["label"],), block["caption"], "blocks")
            elif t["kind"] == "grid":
                firsts = [row["labels"][0] for row in t["rows"]]
                for row in t["rows"]:
                    captioned = len(row["labels"]) > 1 and firsts.count(row["labels"][0]) > 1
                    for col in t["columns"]:
                        cid = f"{tid}.{row['key']}.{col['key']}"
                        col_labels = tuple(x for x in (col.get("group"), col["label"]) if x)
                        cells[cid] = Cell(cid, tid, row["key"], col["key"], t["cell_type"], True, tlabel,
                                          tuple(row["labels"]), col_labels, kind="grid", captioned=captioned)
            elif t["kind"] == "groups":
                for group in t["groups"]:
                    for col in t["columns"]:
                        cid = f"{tid}.{group['key']}.{col['key']}"
                        cells[cid] = Cell(cid, tid, group["key"], col["key"], t["cell_type"], True, tlabel,
                                          (" ".join(group["labels"][-1:]),), (col["label"],), kind="groups")
            else:
                raise SpecError(f"table {tid}: unknown kind {t['kind']!r}")
        return cells

    def table_cells(self, table: str) -> list[str]:
        return [c for c, cell in self.cells.items() if cell.table == table]

    def label_of(self, dimension: str, key: str) -> str:
        """Label of a row/column/group key, dimension like ``t3.columns``."""
        tid, dim = dimension.split(".")
        t = self.tables[tid]
        items = []
        if t["kind"] == "blocks":
            for b in t["blocks"]:
                items += b["rows"] if dim == "rows" else b["columns"]
        else:
            items = t[dim]
        for item in items:
            if item["key"] == key:
                if "labels" in item:
                    labels = item["labels"]
                    if len(labels) > 1 and dim == "rows":
                        labels = labels[1:] if labels[0].startswith("三、") else labels
                    return " ".join(labels[-2:]) if dim == "rows" else labels[-1]
                return item["label"]
        raise SpecError(f"{dimension}: no key {key!r}")

    # ── rules ────────────────────────────────────────────────────────────────────────
    def _expand(self, rule: Rule, cells: dict) -> list[Equation]:
        raw = rule.raw
        loops = list((raw.get("for") or {}).items())
        combos: list[tuple[tuple[str, str], ...]] = [()]
        for name, set_name in loops:
            members = self.sets[set_name].members
            combos = [c + ((name, m),) for c in combos for m in members]
        out = []
        ids = raw.get("instance_ids", {})
        for combo in combos:
            text = raw["expr"]
            for name, member in combo:
                text = text.replace("{" + name + "}", member)
            try:
                lhs, op, rhs = _parse_relation(text, self.sets)
            except ValueError as exc:
                raise SpecError(f"{rule.id}: {exc}") from None
            for t in lhs + rhs:
                if t.cell == CONSTANT:
                    continue
                base = t.cell[len(PREV):] if t.is_prev else t.cell
                if not t.is_prev and base not in cells:
                    raise SpecError(f"{rule.id}: unknown cell {base}")
            suffix = ",".join(m for _, m in combo)
            instance = ids.get(suffix) or (f"{rule.id}[{suffix}]" if suffix else rule.id)
            labels = tuple((name, self.sets[set_name].label(m)) for (name, m), (_, set_name) in zip(combo, loops))
            defines = None
            if raw.get("defines") == "lhs":
                if len(lhs) != 1 or lhs[0].coef != 1:
                    raise SpecError(f"{rule.id}: defines=lhs needs a single cell on the left")
                defines = lhs[0].cell
            out.append(Equation(rule, instance, combo, labels, lhs, rhs, op, defines))
        return out

    def _derivation_order(self) -> tuple[str, ...]:
        """Derived cells in an order where each one's inputs come first."""
        order, seen = [], set()

        def visit(cid, stack=()):
            if cid in seen or cid not in self.derivations:
                return
            if cid in stack:
                raise SpecError(f"circular derivation at {cid}")
            for t in self.derivations[cid].rhs:
                visit(t.cell, stack + (cid,))
            seen.add(cid)
            order.append(cid)

        for cid in self.derivations:
            visit(cid)
        return tuple(order)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def equations_for(self, scope: str) -> list[Equation]:
        return [eq for eq in self.equations if eq.rule.scope == scope]

    def __repr__(self) -> str:
        return f"<Spec {self.id}: {len(self.cells)} cells, {len(self.equations)} equations>"


class _SetDef:
    def __init__(self, name: str, d: dict, spec: Spec):
        self.name, self.of, self.members, self._spec = name, d["of"], tuple(d["members"]), spec

    def label(self, key: str) -> str:
        return self._spec.label_of(self.of, key)


_TOKEN = lazyre.compile(r"\s*(?:(?P<num>\d+)|(?P<op>==|>=|<=)|(?P<sym>[-+*()])|(?P<sum>sum\()|(?P<ref>[A-Za-z_][\w.<>]*))")


def _parse_relation(text: str, sets: dict) -> tuple[tuple[Term, ...], str, tuple[Term, ...]]:
    """Parse ``a + 2*b - sum(x.<set>.y) == c`` into linear terms."""
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse {text[pos:]!r}")
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    ops = [i for i, (kind, _) in enumerate(tokens) if kind == "op"]
    if len(ops) != 1:
        raise ValueError(f"need exactly one comparison in {text!r}")
    i = ops[0]
    return _linear(tokens[:i], sets), tokens[i][1], _linear(tokens[i + 1:], sets)


def _linear(tokens: list, sets: dict) -> tuple[Term, ...]:
    terms: list[Term] = []
    sign, coef, i = 1, 1, 0
    while i < len(tokens):
        kind, val = tokens[i]
        if kind == "sym" and val in "+-":
            sign = 1 if val == "+" else -1
        elif kind == "num":
            if i + 1 < len(tokens) and tokens[i + 1] == ("sym", "*"):
                coef, i = int(val), i + 1
            else:  # a constant: a term with no cell
                terms.append(Term(sign * int(val), CONSTANT))
                sign = 1
        elif kind == "ref":
            terms.append(Term(sign * coef, val))
            sign, coef = 1, 1
        elif kind == "sum":
            j = i + 1
            if tokens[j][0] != "ref" or tokens[j + 1] != ("sym", ")"):
                raise ValueError("sum() takes one pattern")
            m = re.search(r"<(\w+)>", tokens[j][1])
            if not m:
                raise ValueError("sum() pattern needs a <set>")
            for member in sets[m.group(1)].members:
                terms.append(Term(sign * coef, tokens[j][1].replace(m.group(0), member)))
            sign, coef, i = 1, 1, j + 1
        else:
            raise ValueError(f"unexpected {val!r}")
        i += 1
    return tuple(terms)


def caption_spans(paths: list) -> list[tuple[int, int, int, bool, str]]:
    """Merged captions of rows (or column groups) labelled by caption paths.

    ``paths[i]`` is item i's labels from outermost to innermost. Consecutive items that share
    a caption prefix share that caption's cell. Returns ``(level, first, end, leaf, label)``:
    the caption at ``level`` spans items ``first`` to ``end - 1``; ``leaf`` when it is an item's
    own last label (which then also spans the remaining, deeper label columns/rows).
    """
    spans = []
    depth = max((len(p) for p in paths), default=0)
    for level in range(depth):
        i = 0
        while i < len(paths):
            labels = paths[i]
            if level >= len(labels):
                i += 1
                continue
            leaf = level == len(labels) - 1
            k = i + 1
            if not leaf:
                while (k < len(paths) and len(paths[k]) > level + 1
                       and list(paths[k][:level + 1]) == list(labels[:level + 1])):
                    k += 1
            spans.append((level, i, k, leaf, labels[level]))
            i = k
    return spans


_SPECS: dict[str, Spec] = {}  # format id → its one Spec in this process


def load_spec(format_id: str = "2021") -> Spec:
    """The spec of one format id (``2021`` or ``2019``): one object per format in a process, loaded
    from the compiled format (``compiled``: with its layout and the fast reader's plan) when it is
    current, else built from the TOML (parsed once per content by ``tomlcache``)."""
    format_id = str(format_id)
    spec = _SPECS.get(format_id)
    if spec is None:
        try:
            source = (FORMATS_DIR / f"{format_id}.toml").read_bytes()
        except FileNotFoundError:
            raise KeyError(format_id) from None
        from . import compiled
        spec = _SPECS.setdefault(format_id, compiled.spec(format_id, source, _build, Spec))
    return spec


def _build(source: bytes) -> Spec:
    return Spec(tomlcache.loads(source), source)  # parsed once per content (tomlcache)


@lru_cache(maxsize=1)
def _registry() -> tuple[tuple[str, int, int | None], ...]:
    """(id, first_year, last_year) of every format file in ``formats/`` (a file with an ``id``),
    newest first. A new revision of the official format is a new file there, nothing else."""
    out = []
    for f in sorted(FORMATS_DIR.iterdir()):
        if not f.name.endswith(".toml"):
            continue
        head = tomlcache.loads(f.read_bytes())
        if "id" in head and "tables" in head:
            out.append((str(head["id"]), int(head.get("first_year", 0)), head.get("last_year")))
    return tuple(sorted(out, key=lambda x: -x[1]))


def available_formats() -> tuple[str, ...]:
    return tuple(x[0] for x in _registry())


def format_for_year(year: int | None) -> str:
    """The format a data year is reported in, from each format's first_year/last_year; the newest
    format when the year is unknown or after every format's range starts."""
    reg = _registry()
    if year is not None:
        for fid, first, last in reg:
            if first <= year and (last is None or year <= last):
                return fid
        if year < min(first for _, first, _ in reg):
            return reg[-1][0]
    return reg[0][0]


def __getattr__(name: str):  # FORMAT_IDS: discovered from the data, on first use
    if name == "FORMAT_IDS":
        return available_formats()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
