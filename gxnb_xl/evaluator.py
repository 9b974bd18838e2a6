"""A format's derivations and relations as straight-line Python, generated once per spec.

The engine's general loops (``engine.reference_derived``, ``engine.relation_findings``) walk the
equations term by term for every report. Here the same arithmetic is written out once per spec as
the source of two functions — the same operations in the same order (``0 + c1 * v1 + c2 * v2 …``,
ints and Decimals, never floats), so the results are identical, Decimal exponents included:

``derive(values)``: ``values`` with every derived cell recomputed (None when an input is blank);
``holds(values, level)``: True when every relation that applies without last year's report is
determinate and holds — the common case, where the engine has nothing to say. Anything else
(a blank, a failure) is False, and the engine's general code builds the findings, from
``sides(values)``: every equation's two sides, evaluated the same way.

Built lazily (``after_first``: at a spec's second use), never at import.
"""
from __future__ import annotations

from functools import lru_cache

from .spec import CONSTANT, Spec


def _sum(terms, var) -> str:
    """A side as the engine's loop computes it: 0, then each term added in order. A term from last
    year's report reads as blank (None: the side cannot be evaluated without that report)."""
    out = ["0"]
    for t in terms:
        out.append(f"({t.coef!r})" if t.cell == CONSTANT else f"{t.coef!r} * None" if t.is_prev
                   else f"{t.coef!r} * {var(t.cell)}")
    return " + ".join(out)


class _Names:
    """Local variable names for cell ids, each cell read once from ``values``."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def __call__(self, cell: str) -> str:
        name = self.names.get(cell)
        if name is None:
            name = self.names[cell] = f"v{len(self.names)}"
        return name

    def loads(self) -> list[str]:
        if not self.names:
            return []
        names = list(self.names.values())
        cells = tuple(self.names)
        return [f"    {', '.join(names)}{',' if len(names) == 1 else ''} = map(values.get, {cells!r})"]


@lru_cache(maxsize=16)
def derive(spec: Spec):
    """``values`` → a new dict with every derived cell recomputed, as ``engine.reference_derived``."""
    read = _Names()
    derived: dict[str, str] = {}

    def var(cell):
        return derived.get(cell) or read(cell)

    body = []
    for i, d in enumerate(spec.derived_order):
        rhs = spec.derivations[d].rhs
        parts = [var(t.cell) for t in rhs]  # every term is read as a cell, as the reference does
        name = f"d{i}"
        total = " + ".join(["0", *(f"{t.coef!r} * {p}" for t, p in zip(rhs, parts))])
        blank = " or ".join(f"{p} is None" for p in dict.fromkeys(parts))
        # as the reference: blank when an input is blank, else the sum (whatever it raises)
        body.append(f"    {name} = None if {blank} else {total}" if blank else f"    {name} = {total}")
        derived[d] = name
    lines = ["def derive(values):", *read.loads(), *body, "    out = dict(values)"]
    lines += [f"    out[{d!r}] = {derived[d]}" for d in spec.derived_order]
    lines.append("    return out")
    return _function("\n".join(lines), "derive", spec)


@lru_cache(maxsize=16)
def holds(spec: Spec):
    """``(values, level)`` → True when every relation not needing last year's report applies
    determinately and holds (``engine.relation_findings`` would find nothing)."""
    read = _Names()
    checks = []
    for eq in spec.equations:
        if eq.rule.scope == "cross_year":
            continue  # without last year's report these are skipped
        test = f"not ({_sum(eq.lhs, read)} {eq.op} {_sum(eq.rhs, read)})"
        levels = eq.rule.raw.get("when_level")
        if levels:
            checks += [f"        if level in {levels!r} and {test}:", "            return False"]
        else:
            checks += [f"        if {test}:", "            return False"]
    loads = ["    " + line for line in read.loads()]
    lines = ["def holds(values, level):", "    try:", *loads, *checks, "    except Exception:",
             "        return False  # a blank cell (None): the general code says which", "    return True"]
    return _function("\n".join(lines), "holds", spec)


RETRY = object()  # a side the generated code could not evaluate (a blank cell): the general code says why


@lru_cache(maxsize=16)
def sides(spec: Spec):
    """``values`` → (lhs, rhs, lhs, rhs, …) of every equation in ``spec.equations`` order, for a report
    some relation of which fails or cannot be evaluated: each side as the engine's loop computes it,
    ``RETRY`` where that raised (a blank cell, whatever the loop then says), None for relations
    across years (never evaluated here)."""
    read = _Names()
    body, names = [], []
    for k, eq in enumerate(spec.equations):
        if eq.rule.scope == "cross_year":
            names += ["None", "None"]
            continue
        for half, terms in (("l", eq.lhs), ("r", eq.rhs)):
            name = f"{half}{k}"
            body += ["    try:", f"        {name} = {_sum(terms, read)}",
                     "    except Exception:", f"        {name} = RETRY"]
            names.append(name)
    lines = ["def sides(values):", *read.loads(), *body, f"    return ({', '.join(names)},)"]
    return _function("\n".join(lines), "sides", spec, RETRY=RETRY)


_ASKED: set = set()  # (builder, spec) asked for once


def after_first(builder, spec: Spec):
    """``builder(spec)`` from the second time a spec asks for it, None the first time: one report
    (``gxnb check one.xlsx``) runs the general loops (~0.1 ms) rather than compiling (~2 ms); a
    batch compiles at its second report."""
    key = (builder, spec)
    if key in _ASKED:
        return builder(spec)
    if len(_ASKED) >= 64:
        _ASKED.clear()
    _ASKED.add(key)
    return None


def _function(source: str, name: str, spec: Spec, **names):
    namespace: dict = dict(names)
    exec(compile(source, f"<gxnb {name} {spec.id} {spec.hash}>", "exec"), namespace)  # noqa: S102 - our own spec
    fn = namespace[name]
    fn.source = source
    return fn
