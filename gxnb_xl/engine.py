"""The rule engine: a report's values in, relation findings out.

Relations are evaluated exactly (integers and decimals, never floats). A relation touching a
blank cell is *indeterminate*, not passed. Failing equalities go to the localiser, whose
suspects are attached to the findings they explain; failures that one cell explains become one
finding (the others are listed in its ``explains``). Findings are data: their sentences are
rendered from the format's rule messages when shown.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from .findings import Finding
from .report import Report
from .spec import CONSTANT, PREV, Equation, Spec
from .values import format_number


def compute_derived(spec: Spec, values: dict) -> dict:
    """Values with every derived cell recomputed from the inputs (None when an input is blank).
    The spec's derivations run as straight-line code generated once (``evaluator.derive``): the
    same operations as ``reference_derived``, so the same values."""
    from .evaluator import after_first, derive
    fn = after_first(derive, spec)
    return fn(values) if fn is not None else reference_derived(spec, values)


def reference_derived(spec: Spec, values: dict) -> dict:
    """``compute_derived`` the general way, term by term (what the generated code must equal)."""
    out = dict(values)
    for d in spec.derived_order:
        eq = spec.derivations[d]
        parts = [out.get(t.cell) for t in eq.rhs]
        out[d] = None if any(p is None for p in parts) else sum(t.coef * p for t, p in zip(eq.rhs, parts))
    return out


def evaluate(eq: Equation, values: dict, previous: dict | None = None):
    """(lhs, rhs) of an equation, or None for a side that touches a blank cell."""
    def side(terms):
        total = 0
        for t in terms:
            if t.cell == CONSTANT:
                total += t.coef
                continue
            v = (previous or {}).get(t.cell[len(PREV):]) if t.is_prev else values.get(t.cell)
            if v is None:
                return None
            total += t.coef * v
        return total
    return side(eq.lhs), side(eq.rhs)


@lru_cache(maxsize=16)
def compiled(spec: Spec) -> tuple:
    """Each equation once as plain tuples: (eq, lhs, rhs, cross_year, when_level, this year's cells
    when it names no cell of last year's report, else None), a side being ((coef, cell id, from last
    year?), …) with constants as (coef, None, False)."""
    def side(terms):
        return tuple((t.coef, None, False) if t.cell == CONSTANT else
                     (t.coef, t.cell[len(PREV):], True) if t.is_prev else (t.coef, t.cell, False) for t in terms)
    return tuple((eq, side(eq.lhs), side(eq.rhs), eq.rule.scope == "cross_year", eq.rule.raw.get("when_level"),
                  None if any(c.startswith(PREV) for c in eq.cells) else eq.cells)
                 for eq in spec.equations)


def _side(terms, values: dict, previous: dict | None):
    total = 0
    for coef, cell, prev in terms:
        if cell is None:
            total += coef
            continue
        v = (previous.get(cell) if previous is not None else None) if prev else values.get(cell)
        if v is None:
            return None
        total += coef * v
    return total


def _holds(op, lhs, rhs) -> bool:
    return lhs == rhs if op == "==" else lhs >= rhs if op == ">=" else lhs <= rhs


def relation_findings(report: Report, *, previous: Report | None = None, computed: bool = False,
                      addresses: dict | None = None) -> list[Finding]:
    """Every relation of the report's format, evaluated on ``report.values`` (the effective values).

    computed: derived cells are formulas over the inputs (a template workbook), so localisation
    considers only the typed cells.
    """
    spec = report.spec
    evaluated = None
    if previous is None:
        from .evaluator import after_first, holds, sides
        fn = after_first(holds, spec)
        if fn is not None and fn(report.values, report.level):
            return []  # every relation determinate and holding: nothing to say, nothing to build
        fn = after_first(sides, spec)
        evaluated = fn(report.values) if fn is not None else None
    return reference_relation_findings(report, previous=previous, computed=computed, addresses=addresses,
                                       _evaluated=evaluated)


def reference_relation_findings(report: Report, *, previous: Report | None = None, computed: bool = False,
                                addresses: dict | None = None, _evaluated: tuple | None = None) -> list[Finding]:
    """``relation_findings`` the general way: every relation evaluated term by term, findings built
    for blanks and failures (what ``evaluator.holds`` must agree with). ``_evaluated``: the sides
    ``evaluator.sides`` computed for a report without last year's (the same values; a side it could
    not compute, ``RETRY``, is computed here)."""
    from .evaluator import RETRY
    spec = report.spec
    addresses = addresses or {}
    values = report.values
    fmt = report.format
    findings: list[Finding] = []
    equalities, residuals, eq_findings = [], [], []
    for k, (eq, lhs_terms, rhs_terms, cross_year, levels, plain) in enumerate(compiled(spec)):
        rule = eq.rule
        if cross_year:
            if previous is None or not _applies_across(eq, previous):
                continue
        if levels and report.level not in levels:
            continue
        prev_values = previous.values if cross_year else None
        if _evaluated is None or cross_year:
            lhs, rhs = _side(lhs_terms, values, prev_values), _side(rhs_terms, values, prev_values)
        else:
            lhs, rhs = _evaluated[2 * k], _evaluated[2 * k + 1]
            if lhs is RETRY:
                lhs = _side(lhs_terms, values, prev_values)
            if rhs is RETRY:
                rhs = _side(rhs_terms, values, prev_values)
        if lhs is None or rhs is None:
            cells = list(eq.cells)
            if plain is not None:  # this year's cells only: the same lists, without asking each cell
                seen = dict(zip(plain, map(values.get, plain)))
                blanks = [c for c, v in seen.items() if v is None]
            else:
                blanks = [c for c in cells if (previous.values if c.startswith(PREV) and previous else values).get(c.removeprefix(PREV)) is None]
                seen = {c: values.get(c) for c in cells if not c.startswith(PREV)}
            findings.append(Finding(rule.id, "warning", "indeterminate", cells, {"blanks": blanks}, lhs=lhs, rhs=rhs,
                                    instance=eq.instance, format=fmt, addresses=_addr(addresses, cells),
                                    values=seen))
            if eq.op == "==" and rule.scope == "report":
                equalities.append(eq)
                residuals.append(None)
            continue
        if eq.op == "==" and rule.scope == "report":
            equalities.append(eq)
            residuals.append(lhs - rhs)
        if _holds(eq.op, lhs, rhs):
            continue
        cells = list(eq.cells)
        params = dict(eq.labels)
        params.update(lhs=lhs, rhs=rhs, imbalance=abs(lhs - rhs), ids=dict(eq.bindings))
        f = Finding(rule.id, rule.severity, "fail", cells, params, lhs=lhs, rhs=rhs, imbalance=lhs - rhs,
                    instance=eq.instance, format=fmt, addresses=_addr(addresses, cells),
                    values={c: values.get(c) for c in cells if not c.startswith(PREV)})
        findings.append(f)
        eq_findings.append((eq, f))

    if any(r for r in residuals if r is not None):
        index = {eq.instance: i for i, eq in enumerate(equalities)}
        from .locate import localise, suspects_of  # only when a relation fails
        for component, explanations in localise(spec, tuple(equalities), residuals, values, computed=computed):
            suspects = _dedupe(suspects_of(spec, explanations, values, computed=computed, addresses=addresses))
            for eq, f in eq_findings:
                if index.get(eq.instance) in component:
                    f.suspects = list(suspects)
                    f.params["unlocalised"] = not suspects
        findings = _group_explained(findings)
    return findings


def _group_explained(findings: list[Finding]) -> list[Finding]:
    """One slip, one finding: failures whose suspects are the same single explanation are folded
    into the first of them (the others named in its ``explains`` and cells)."""
    out, by_key = [], {}
    for f in findings:
        key = _explanation_key(f)
        if key is None:
            out.append(f)
            continue
        first = by_key.get(key)
        if first is None:
            by_key[key] = f
            out.append(f)
            continue
        first.explains.append(f.instance)
        first.cells += [c for c in f.cells if c not in first.cells]
        first.addresses.update(f.addresses)
        first.values.update(f.values)
    return out


def _explanation_key(f: Finding):
    if f.status != "fail" or not f.suspects or f.severity != "error":
        return None
    return tuple((s.cell, s.suggested, s.together_with) for s in f.suspects)


def _dedupe(suspects):
    seen, out = set(), []
    for s in suspects:
        key = (s.cell, s.suggested, s.together_with)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def _applies_across(eq: Equation, previous: Report) -> bool:
    """Cross-year rules apply when last year's format has the cells they name (2020→2021)."""
    prev_spec = previous.spec
    return all(t.cell[len(PREV):] in prev_spec.cells for t in eq.terms if t.is_prev)


def cell_problem_findings(report: Report, addresses: dict | None = None) -> list[Finding]:
    """R0: what reading found in single cells (blank, text, dates …), one finding per cell."""
    addresses = addresses or {}
    out = []
    for p in report.problems:
        where = p.address or addresses.get(p.cell)
        status = "indeterminate" if p.problem.code == "blank" else "fail"
        raw = p.raw if isinstance(p.raw, str) or p.raw is None else \
            format_number(p.raw) if isinstance(p.raw, (int, float, Decimal)) and not isinstance(p.raw, bool) else str(p.raw)
        out.append(Finding(p.problem.code, p.problem.severity, status, [p.cell], dict(p.problem.params),
                           rule="R0", instance=f"R0[{p.cell}]", format=report.format, key=p.problem.message_key,
                           addresses={p.cell: where} if where else {}, values={p.cell: raw}))
    return out


def _addr(addresses: dict, cells) -> dict:
    return {c: addresses[c] for c in cells if c in addresses}
