"""Error localisation: which cell most likely holds the slip, and what value fixes it.

Expanded relations are linear, ``A·x = b``. One wrong cell ``j`` off by ``e`` leaves the residual
``e·A[:, j]``: every relation containing ``j`` is off by ``e`` (times its coefficient) and no other
one is. We match the residual against each cell's column (its *syndrome*), then pairs of cells
within a budget. Where derived cells are computed from inputs (a workbook made from the
template), a slip in an input propagates through the totals, so syndromes are taken through
the derivations. Ties are reported as ties; plausibility only orders them. Nothing is applied.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import combinations

from .findings import Suspect
from .record import record
from .spec import CONSTANT, Equation, Spec

PAIR_BUDGET = 20_000  # pair hypotheses tried at most
MAX_EXPLANATIONS = 6


@record(frozen=True)
class Explanation:
    """Cell changes that make failing relations hold, with their plausibility."""

    changes: tuple[tuple[str, int | Decimal], ...]  # (cell, error): suggested = observed − error
    score: float


@lru_cache(maxsize=None)
def _influence(spec: Spec, computed: bool) -> dict[str, dict[str, int]]:
    """For each free cell: how a unit change moves every cell (itself and derived totals)."""
    if not computed:
        return {c: {c: 1} for c in spec.cells}
    out = {}
    for j in spec.input_cells:
        moved = {j: 1}
        for d in spec.derived_order:
            s = sum(t.coef * moved.get(t.cell, 0) for t in spec.derivations[d].rhs)
            if s:
                moved[d] = s
        out[j] = moved
    return out


_SYNDROME_CACHE: dict = {}


def _syndromes(spec: Spec, computed: bool, equations: tuple[Equation, ...]) -> tuple[dict, dict, dict]:
    """(cell → {equation index: coefficient of that cell's change in the equation's residual},
    equation index → the cells whose change moves it, cell → its place in the first)."""
    key = (spec.id, spec.hash, computed, tuple(eq.instance for eq in equations))
    hit = _SYNDROME_CACHE.get(key)
    if hit is None:
        syn = _compute_syndromes(spec, computed, equations)
        moving: dict[int, list[str]] = {}
        for c, col in syn.items():
            for i in col:
                moving.setdefault(i, []).append(c)
        hit = _SYNDROME_CACHE[key] = (syn, moving, {c: k for k, c in enumerate(syn)})
    return hit


def _compute_syndromes(spec: Spec, computed: bool, equations: tuple[Equation, ...]) -> dict[str, dict[int, int]]:
    infl = _influence(spec, computed)
    out: dict[str, dict[int, int]] = {}
    for j, moved in infl.items():
        col = {}
        for i, eq in enumerate(equations):
            s = sum(t.coef * moved.get(t.cell, 0) for t in eq.terms if t.cell != CONSTANT)
            if s:
                col[i] = s
        if col:
            out[j] = col
    return out


def localise(spec: Spec, equations: tuple[Equation, ...], residuals: list, values: dict,
             *, computed: bool = False) -> list[tuple[set[int], list[Explanation]]]:
    """Explanations of the failing equations by one or two wrong cells.

    ``equations`` are equality relations; ``residuals[i]`` is lhs − rhs, or None when the equation
    could not be evaluated (a blank cell). Failing equations that share no candidate cell are
    explained separately (two slips far apart are two single-cell problems, not one pair).
    Returns ``[(failing equation indices, explanations)]``: single cells if any, else pairs.
    """
    failing = {i for i, r in enumerate(residuals) if r is not None and r != 0}
    if not failing:
        return []
    determinate = {i for i, r in enumerate(residuals) if r is not None}
    syn, moving, rank = _syndromes(spec, computed, equations)
    candidates = _candidates(failing, values, moving, rank)
    out = []
    for component in _components(failing, [syn[c].keys() & failing for c in candidates]):
        mine = [c for c in candidates if syn[c].keys() & component]
        out.append((component, _explain(spec, syn, mine, component, determinate, residuals, values, computed)))
    return out


def _candidates(failing: set[int], values: dict, moving: dict, rank: dict) -> list[str]:
    """The cells holding a value whose change moves some failing equation, in the syndromes' order."""
    touching = {c for i in failing for c in moving.get(i, ())}
    return [c for c in sorted(touching, key=rank.__getitem__) if values.get(c) is not None]


def _components(failing: set[int], links: list[set[int]]) -> list[set[int]]:
    """Group failing equations that some candidate cell touches together."""
    parent = {i: i for i in failing}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for linked in links:
        linked = sorted(linked)
        for i in linked[1:]:
            parent[root(i)] = root(linked[0])
    groups: dict[int, set[int]] = {}
    for i in failing:
        groups.setdefault(root(i), set()).add(i)
    return sorted(groups.values(), key=min)


def _explain(spec, syn, candidates, failing, determinate, residuals, values, computed) -> list[Explanation]:
    singles = []
    i0 = next(iter(failing))
    r0 = residuals[i0]
    # whole residuals (counts): r_i == col_i · r0/col_0 checked as r_i · col_0 == col_i · r0, no Fractions
    whole = all(type(residuals[i]) is int for i in failing)
    for j in candidates:
        col = syn[j]
        if determinate & col.keys() != failing:
            continue
        if whole:
            c0 = col[i0]
            if not all(residuals[i] * c0 == col[i] * r0 for i in failing):
                continue
            e = Fraction(r0, c0)
        else:
            e = Fraction(residuals[i0]) / col[i0]
            if not all(Fraction(residuals[i]) == col[i] * e for i in failing):
                continue
        fixed = _apply(spec, j, values[j], e)
        if fixed is not None:
            singles.append(Explanation(((j, fixed[0]),), plausibility(spec, j, values[j], fixed[1], computed)[0]))
    if singles:
        return sorted(singles, key=lambda x: -x.score)

    pairs = []
    for tried, (j, k) in enumerate(combinations(candidates, 2)):
        if tried >= PAIR_BUDGET:
            break
        cj, ck = syn[j], syn[k]
        touched = determinate & (cj.keys() | ck.keys())
        if not failing <= touched:
            continue
        rows = [(cj.get(i, 0), ck.get(i, 0), Fraction(residuals[i])) for i in touched]
        sol = _solve2(rows)
        if sol is None:
            continue
        ej, ek = sol
        if ej == 0 or ek == 0:
            continue
        fj, fk = _apply(spec, j, values[j], ej), _apply(spec, k, values[k], ek)
        if fj is None or fk is None:
            continue
        score = (plausibility(spec, j, values[j], fj[1], computed)[0]
                 + plausibility(spec, k, values[k], fk[1], computed)[0]) / 2
        pairs.append(Explanation(((j, fj[0]), (k, fk[0])), score))
    pairs.sort(key=lambda x: -x.score)
    return pairs[:MAX_EXPLANATIONS]


def _solve2(rows):
    """Solve a·ej + b·ek = r exactly for every row; None when no unique solution."""
    for (a1, b1, r1), (a2, b2, r2) in combinations(rows, 2):
        det = a1 * b2 - a2 * b1
        if det:
            ej = (r1 * b2 - r2 * b1) / det
            ek = (a1 * r2 - a2 * r1) / det
            if all(a * ej + b * ek == r for a, b, r in rows):
                return ej, ek
            return None
    return None


def _apply(spec: Spec, cell: str, observed, error: Fraction):
    """(error, suggested) when the fixed value is a valid value of the cell's type, else None."""
    t = spec.cells[cell].type
    if type(observed) is int and t in ("count", "signed"):  # whole counts: no Fractions needed
        if error.denominator != 1:
            return None
        suggested = observed - error.numerator
        return None if t == "count" and suggested < 0 else (error.numerator, suggested)
    suggested = Fraction(observed if not isinstance(observed, Decimal) else Fraction(observed)) - error
    if t in ("count", "signed"):
        if suggested.denominator != 1 or (t == "count" and suggested < 0):
            return None
        return _as_number(error), int(suggested)
    if suggested < 0:
        return None
    return _as_number(error), Decimal(suggested.numerator) / Decimal(suggested.denominator)


def _as_number(f: Fraction):
    return int(f) if f.denominator == 1 else Decimal(f.numerator) / Decimal(f.denominator)


def plausibility(spec: Spec, cell: str, observed, suggested, computed: bool) -> tuple[float, str]:
    """How typical a slip from ``suggested`` to ``observed`` is: (score, reason code)."""
    o, s = _digits(observed), _digits(suggested)
    if o is not None and s is not None:
        if observed == -suggested:
            return 5.0, "sign"
        if len(o) == len(s):
            diff = [i for i in range(len(o)) if o[i] != s[i]]
            if len(diff) == 2 and diff[1] == diff[0] + 1 and o[diff[0]] == s[diff[1]] and o[diff[1]] == s[diff[0]]:
                return 4.5, "transposition"
            if len(diff) == 1:
                return 4.0, "digit_typo"
        a, b = abs(Fraction(observed)), abs(Fraction(suggested))
        if a and b:
            ratio = a / b if a > b else b / a
            if ratio.denominator == 1 and str(ratio.numerator).rstrip("0") == "1":
                return 3.5, "times_ten"
        if abs(len(o) - len(s)) == 1:
            longer, shorter = (o, s) if len(o) > len(s) else (s, o)
            if any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer))):
                return 3.0, "digit_count"
    if not computed and cell in spec.derivations:
        return 2.0, "total_not_updated"
    return 1.0, "arithmetic"


def _digits(v) -> str | None:
    if v is None:
        return None
    d = Decimal(v) if not isinstance(v, Decimal) else v
    return format(abs(d).normalize(), "f").replace(".", "")


def suspects_of(spec: Spec, explanations: list[Explanation], values: dict, *, computed: bool,
                addresses: dict | None = None) -> list[Suspect]:
    """Flatten explanations into suspects, best first; singles that tie are marked tied."""
    out = []
    tied = len(explanations) > 1
    seen = set()
    for ex in explanations:
        if ex.changes in seen:
            continue
        seen.add(ex.changes)
        cells = [c for c, _ in ex.changes]
        for cell, err in ex.changes:
            observed = values[cell]
            suggested = _suggest(observed, err)
            score, code = plausibility(spec, cell, observed, suggested, computed)
            out.append(Suspect(cell, observed, suggested, code, score, tied,
                               tuple(c for c in cells if c != cell), (addresses or {}).get(cell)))
    return out


def _suggest(observed, err):
    if isinstance(observed, Decimal) or isinstance(err, Decimal):
        return Decimal(observed) - Decimal(err)
    return observed - err
