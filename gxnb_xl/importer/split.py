"""Recovering cells whose boundaries were lost: ``640020470`` → 64 0 0 2 0 4 70.

A row of numbers printed without separators is a string of digits; each way of cutting it into
the row's cells is a candidate. Numbers never have a leading zero (``0`` alone is fine), only a
signed cell (2019 表二 “本年增/减”) may be negative, and the row's relations (表三: 总计 = sum
of the six applicant columns; 表四: each group's 总计) must hold. What is left is either one
split (recovered, with that reason) or several (listed, never picked).

The search is bounded: cells are placed one at a time, a relation is checked the moment its
last cell is placed (and when that cell has coefficient ±1 its value is *forced*, so only one
cut is tried), states already explored are remembered (the rest of a row only depends on where
we are in the digits and the relations' running sums), and both the work and the number of
candidates are capped. Beyond a cap the row is reported as undecidable, never guessed.
"""
from __future__ import annotations

from ..record import record

MAX_NODES = 200_000  # search states explored per row
MAX_CANDIDATES = 512  # more candidates than this cannot be listed or resolved usefully


@record(frozen=True)
class LocalEq:
    """sum(coef * value[pos]) + const == 0 over positions of one row."""

    terms: tuple[tuple[int, int], ...]  # (coef, position)
    const: int = 0

    @property
    def last(self) -> int:
        return max(p for _, p in self.terms)

    def holds(self, vals) -> bool:
        return sum(c * vals[p] for c, p in self.terms) + self.const == 0


def _total_last(equations, n: int):
    """The relation "parts = total" whose total is the row's last cell (表三 R3.3), or None."""
    for eq in equations:
        last = [c for c, p in eq.terms if p == n - 1]
        others = [c for c, p in eq.terms if p != n - 1]
        if len(last) == 1 and last[0] in (1, -1) and others and all(c == -last[0] for c in others) and not eq.const:
            return eq
    return None


class BudgetExceeded(Exception):
    """The search would take too long or leave too many candidates to be trusted."""


def splits(tokens: list, n: int, equations: tuple[LocalEq, ...] = (), *, max_digits: int = 7,
           signed: frozenset | set | tuple = (), budget: int = MAX_NODES, cap: int = MAX_CANDIDATES):
    """Value tuples of length n from tokens (numbers already read, or digit strings to cut).

    tokens: list of (kind, x) with kind 'num' (x an int/Decimal kept as one cell) or 'run' (x a
    digit string, optionally with a leading sign, that holds one or more cells). ``signed``:
    positions that may hold a negative number. Raises BudgetExceeded when the search explores
    more than ``budget`` states or finds more than ``cap`` candidates.

    When the row's last cell is the total of a relation (表三's 总计), each way of reading the end
    of the last digit string as that total is tried first: the parts must then add up to a known
    number, which cuts the search down to a few branches.
    """
    eq = _total_last(equations, n)
    if eq is not None and len(eq.terms) == n and n >= 2 and tokens and tokens[-1][0] == "run" and tokens[-1][1][:1] not in "+-" \
            and not signed:
        rest_eqs = tuple(e for e in equations if e is not eq)
        if not any(p == n - 1 for e in rest_eqs for _, p in e.terms):
            x = tokens[-1][1]
            coef = next(c for c, p in eq.terms if p == n - 1)
            out: list = []
            for length in range(1, min(max_digits, len(x)) + 1):
                tail = x[-length:]
                if length > 1 and tail[0] == "0":
                    continue
                total = int(tail)
                head = list(tokens[:-1]) + ([("run", x[:-length])] if length < len(x) else [])
                if not head:
                    continue
                parts_eq = LocalEq(tuple(t for t in eq.terms if t[1] != n - 1), coef * total)
                found = _splits(head, n - 1, rest_eqs + (parts_eq,), max_digits, signed, budget,
                                cap - len(out), ((parts_eq, total),))
                out += [f + (total,) for f in found]
            return out
    return _splits(tokens, n, equations, max_digits, signed, budget, cap)


def _splits(tokens, n, equations, max_digits, signed, budget, cap, caps=()):
    toks = []
    for kind, x in tokens:
        if kind == "run":
            sign = 1
            if x[:1] in "+-":
                sign, x = (-1 if x[0] == "-" else 1), x[1:]
            if not x.isdigit():
                return []
            toks.append(("run", x, sign))
        else:
            toks.append(("num", x, 1))
    ntok = len(toks)
    # digits still available from token i on (a 'num' counts as one), and tokens left
    room_after = [0] * (ntok + 1)
    for i in range(ntok - 1, -1, -1):
        kind, x, _ = toks[i]
        room_after[i] = room_after[i + 1] + (len(x) if kind == "run" else 1)
    if not (ntok <= n <= room_after[0]):
        return []
    eqs = list(equations)
    touching: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # pos → [(eq index, coef)]
    closing: list[list[int]] = [[] for _ in range(n)]  # pos → eqs whose last position it is
    for e, eq in enumerate(eqs):
        for c, p in eq.terms:
            if p < n:
                touching[p].append((e, c))
        if eq.last < n:
            closing[eq.last].append(e)
    signed = frozenset(signed)
    memo: dict = {}
    nodes = 0
    closing_coef = [[(e, sum(c for ee, c in touching[k] if ee == e)) for e in closing[k]] for k in range(n)]
    # parts of a known total (see splits): non-negative parts placed so far can never exceed it
    capped = [(eqs.index(ceq), -next(c for c, _ in ceq.terms), total) for ceq, total in caps if ceq in eqs]

    def forced(k: int, sums: tuple):
        """The value position k must take for a relation it closes (coefficient ±1), else None."""
        for e, coef in closing_coef[k]:
            if coef in (1, -1):
                return -sums[e] * coef
        return None

    def rec(i: int, j: int, k: int, sums: tuple):
        nonlocal nodes
        key = (i, j, k, sums)
        hit = memo.get(key)
        if hit is not None:
            return hit
        nodes += 1
        if nodes > budget:
            raise BudgetExceeded
        if i == ntok:
            res = [()] if k == n else []
            memo[key] = res
            return res
        left = n - k  # cells still to place
        kind, x, sign = toks[i]
        digits_left = room_after[i] - j
        if left <= 0 or left < ntok - i or left > digits_left or digits_left > left * max_digits:
            memo[key] = []
            return []
        options = []
        if kind == "num":
            options.append((x, i + 1, 0))
        else:
            want = forced(k, sums)
            rest = len(x) - j
            for length in range(1, min(max_digits, rest) + 1):
                if length > 1 and x[j] == "0":
                    break
                v = int(x[j:j + length])
                if j == 0 and sign < 0:
                    v = -v
                if want is not None and v != want:
                    continue
                if j + length == len(x):
                    options.append((v, i + 1, 0))
                else:
                    options.append((v, i, j + length))
        res: list = []
        for v, ni, nj in options:
            if v < 0 and k not in signed:
                continue
            new = list(sums)
            for e, c in touching[k]:
                new[e] += c * v
            if any(new[e] != 0 for e in closing[k]):
                continue
            if capped and any(-(new[e] - eqs[e].const) * sgn > total for e, sgn, total in capped):
                continue
            for tail in rec(ni, nj, k + 1, tuple(new)):
                res.append((v,) + tail)
                if len(res) > cap:
                    raise BudgetExceeded
        memo[key] = res
        return res

    return rec(0, 0, 0, tuple(e.const for e in eqs))


def fill_gap(values: tuple, n: int, equations: tuple[LocalEq, ...]):
    """Candidates when one cell of the row is missing: put the gap at each position and solve it
    from a relation. Returns the distinct complete tuples that satisfy every relation."""
    if len(values) != n - 1:
        return []
    out = []
    for gap in range(n):
        vals = list(values[:gap]) + [None] + list(values[gap:])
        solved = None
        for eq in equations:
            coefs = [c for c, p in eq.terms if p == gap]
            if not coefs:
                continue
            rest = sum(c * vals[p] for c, p in eq.terms if p != gap)
            coef = sum(coefs)
            if coef == 0 or rest % coef:
                continue
            solved = -rest // coef
            break
        if solved is None or solved < 0:
            continue
        vals[gap] = solved
        if all(eq.holds(vals) for eq in equations):
            t = tuple(vals)
            if t not in out:
                out.append(t)
    return out
