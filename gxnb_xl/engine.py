"""The rule engine: a report in, findings out.

Relations are evaluated exactly (integers and decimals, never floats). A relation touching a
blank cell is *indeterminate*, not passed. Failing equalities go to the localiser, whose
suspects are attached to every finding they explain.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .findings import Finding, status_of
from .locate import localise, suspects_of
from .report import Report
from .spec import CONSTANT, PREV, Equation, Spec
from .values import format_number


@dataclass
class CheckResult:
    report: Report
    findings: list[Finding] = field(default_factory=list)
    derived_computed: bool = False

    @property
    def status(self) -> str:
        return status_of(self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def compute_derived(spec: Spec, values: dict) -> dict:
    """Values with every derived cell recomputed from the inputs (None when an input is blank)."""
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


def _holds(op, lhs, rhs) -> bool:
    return lhs == rhs if op == "==" else lhs >= rhs if op == ">=" else lhs <= rhs


def check_report(report: Report, *, previous: Report | None = None, lang: str = "zh",
                 computed: bool = False, addresses: dict | None = None) -> CheckResult:
    """Check a report against every relation of its format.

    computed: derived cells (totals) are recomputed from the inputs, as the template does by
    formula; stored totals that disagree become findings (a tampered or stale formula) and
    localisation considers only the typed cells.
    """
    spec = report.spec
    addresses = addresses or {}
    result = CheckResult(report, derived_computed=computed)
    findings = result.findings
    findings += cell_problem_findings(report, lang, addresses)

    values = report.values
    if computed:
        values = compute_derived(spec, report.values)
        for d in spec.derived_order:
            stored, fresh = report.values.get(d), values[d]
            if stored is not None and fresh is not None and stored != fresh:
                cell = spec.cells[d]
                findings.append(Finding(
                    "D1", f"D1[{d}]", "error", "fail",
                    _msg(lang, f"{cell.name()}：表中存放的合计 {format_number(stored)} 与按填写数重新计算的 {format_number(fresh)} 不一致（公式可能被改动或未重新计算），以重新计算的 {format_number(fresh)} 为准",
                         f"{d}: the stored total {format_number(stored)} differs from {format_number(fresh)} recomputed from the inputs (formula changed or not recalculated); using {format_number(fresh)}"),
                    [d], stored, fresh, stored - fresh, addresses=_addr(addresses, [d]), values={d: stored}))

    equalities, residuals, eq_findings = [], [], []
    for eq in spec.equations:
        rule = eq.rule
        if rule.scope == "cross_year":
            if previous is None or not _applies_across(eq, previous):
                continue
        levels = rule.raw.get("when_level")
        if levels and report.level not in levels:
            continue
        lhs, rhs = evaluate(eq, values, previous.values if previous is not None and rule.scope == "cross_year" else None)
        cells = list(eq.cells)
        if lhs is None or rhs is None:
            blanks = [c for c in cells if (previous.values if c.startswith(PREV) and previous else values).get(c.removeprefix(PREV)) is None]
            f = Finding(rule.id, eq.instance, "warning", "indeterminate",
                        _indeterminate_message(spec, eq, blanks, lang), cells, lhs, rhs, None,
                        addresses=_addr(addresses, cells), values={c: values.get(c) for c in cells if not c.startswith(PREV)})
            findings.append(f)
            if eq.op == "==" and rule.scope == "report":
                equalities.append(eq)
                residuals.append(None)
            continue
        if eq.op == "==" and rule.scope == "report":
            equalities.append(eq)
            residuals.append(lhs - rhs)
        if _holds(eq.op, lhs, rhs):
            continue
        f = Finding(rule.id, eq.instance, rule.severity, "fail", _relation_message(eq, lhs, rhs, lang),
                    cells, lhs, rhs, lhs - rhs, addresses=_addr(addresses, cells),
                    values={c: values.get(c) for c in cells if not c.startswith(PREV)})
        findings.append(f)
        eq_findings.append((eq, f))

    if any(r for r in residuals if r is not None):
        index = {eq.instance: i for i, eq in enumerate(equalities)}
        for component, explanations in localise(spec, tuple(equalities), residuals, values, computed=computed):
            suspects = suspects_of(spec, explanations, values, computed=computed, lang=lang, addresses=addresses)
            for eq, f in eq_findings:
                if index.get(eq.instance) not in component:
                    continue
                f.suspects = _dedupe(suspects)
                if f.suspects:
                    f.message += _suspect_sentence(spec, f.suspects, lang)
                elif f.severity == "error":
                    f.message += _msg(lang, "（无法定位到单个单元格，可能有多处错误）",
                                      " (no single cell explains this; several cells may be wrong)")
    return result


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


def cell_problem_findings(report: Report, lang: str, addresses: dict) -> list[Finding]:
    spec = report.spec
    out = []
    for p in report.problems:
        cell = spec.cells.get(p.cell)
        name = cell.name(lang) if cell else p.cell
        where = p.address or addresses.get(p.cell)
        loc = f"{name}（{where}）" if where and lang != "en" else f"{name} ({where})" if where else name
        status = "indeterminate" if p.problem.code == "blank" else "fail"
        raw = p.raw if isinstance(p.raw, str) or p.raw is None else \
            format_number(p.raw) if isinstance(p.raw, (int, float, Decimal)) and not isinstance(p.raw, bool) else str(p.raw)
        out.append(Finding("R0", f"R0[{p.cell}]", p.problem.severity, status,
                           f"{loc}：{p.problem.zh}" if lang != "en" else f"{loc}: {p.problem.en}",
                           [p.cell], addresses={p.cell: where} if where else {},
                           values={p.cell: raw}, code=p.problem.code))
    return out


def _addr(addresses: dict, cells) -> dict:
    return {c: addresses[c] for c in cells if c in addresses}


def _msg(lang, zh, en):
    return en if lang == "en" else zh


def _fmt_params(eq: Equation, lhs, rhs) -> dict:
    imbalance = lhs - rhs
    params = dict(eq.labels)
    params.update(lhs=format_number(lhs), rhs=format_number(rhs),
                  imbalance=format_number(abs(imbalance)))
    return params


def _relation_message(eq: Equation, lhs, rhs, lang: str) -> str:
    template = eq.rule.message.get("en" if lang == "en" else "zh") or eq.rule.title
    params = _fmt_params(eq, lhs, rhs)
    if lang == "en":
        params.update({k: v for k, v in eq.bindings})
    return template.format(**params)


def _indeterminate_message(spec: Spec, eq: Equation, blanks: list[str], lang: str) -> str:
    def name(c):
        base = c.removeprefix(PREV)
        label = spec.cells[base].name(lang) if base in spec.cells else base
        return (("last year's " if lang == "en" else "上年报告") + label) if c.startswith(PREV) else label
    names = "、".join(name(c) for c in blanks[:3])
    more = f"等 {len(blanks)} 个单元格" if len(blanks) > 3 else ""
    if lang == "en":
        return f"{eq.instance} cannot be checked: {', '.join(blanks[:3])}{' …' if len(blanks) > 3 else ''} left blank"
    return f"{eq.instance}（{eq.rule.title}）无法核对：{names}{more}未填写"


def _suspect_sentence(spec: Spec, suspects, lang: str) -> str:
    top = suspects[0]
    if top.together_with:
        pairs = [s for s in suspects if s.together_with][:2]
        parts = [_one_suspect(spec, s, lang) for s in pairs]
        return _msg(lang, f"。可能两处同时有误：{'；'.join(parts)}", f". Possibly two slips: {'; '.join(parts)}")
    if top.tied:
        parts = [_one_suspect(spec, s, lang) for s in suspects[:5]]
        return _msg(lang, f"。以下单元格之一可能有误（勾稽关系无法区分）：{'；'.join(parts)}",
                    f". One of these cells is probably wrong (the relations cannot tell which): {'; '.join(parts)}")
    return _msg(lang, f"。最可能有误：{_one_suspect(spec, top, lang)}", f". Most likely wrong: {_one_suspect(spec, top, lang)}")


def _one_suspect(spec: Spec, s, lang: str) -> str:
    name = spec.cells[s.cell].name(lang)
    where = f"（{s.address}）" if s.address and lang != "en" else f" ({s.address})" if s.address else ""
    if lang == "en":
        return f"{name}{where} holds {format_number(s.observed)}, should be {format_number(s.suggested)} ({s.reason_text})"
    return f"{name}{where}填 {format_number(s.observed)}，应为 {format_number(s.suggested)}（{s.reason_text}）"
