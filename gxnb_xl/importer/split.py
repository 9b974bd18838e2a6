"""Recovering cells whose boundaries were lost: ``640020470`` → 64 0 0 2 0 4 70.

A row of numbers printed without separators is a string of digits; each way of cutting it into
the row's cells is a candidate. Numbers never have a leading zero (``0`` alone is fine), and the
row's relations (表三: 总计 = sum of the six applicant columns; 表四: each group's 总计) must
hold. What is left is either one split (recovered, with that reason) or several (listed, never
picked).
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_NODES = 400_000  # enumeration budget per row


@dataclass(frozen=True)
class LocalEq:
    """sum(coef * value[pos]) == 0 over positions of one row."""

    terms: tuple[tuple[int, int], ...]  # (coef, position)

    @property
    def last(self) -> int:
        return max(p for _, p in self.terms)

    def holds(self, vals) -> bool:
        return sum(c * vals[p] for c, p in self.terms) == 0


class BudgetExceeded(Exception):
    pass


def _pieces(run: str, k: int):
    """All ways to cut a digit string into k numbers without leading zeros."""
    n = len(run)
    if k == 1:
        if n == 1 or run[0] != "0":
            yield (int(run),)
        return
    if run[0] == "0":
        firsts = (1,)
    else:
        firsts = range(1, n - k + 2)
    for i in firsts:
        head = int(run[:i])
        for rest in _pieces(run[i:], k - 1):
            yield (head,) + rest


def splits(tokens: list, n: int, equations: tuple[LocalEq, ...] = (), *, max_digits: int = 7):
    """Value tuples of length n from tokens (ints already read, or digit strings to cut).

    tokens: list of (kind, x) with kind 'num' (x an int/Decimal kept as one cell) or 'run' (x a
    digit string that may hold one or more cells). Equations are checked as soon as their last
    position is filled. Raises BudgetExceeded when the search is too large to be trusted.
    """
    by_last: dict[int, list[LocalEq]] = {}
    for eq in equations:
        by_last.setdefault(eq.last, []).append(eq)
    min_left = []  # minimum number of cells the remaining tokens produce
    acc = 0
    for kind, x in reversed(tokens):
        min_left.append(acc)
        acc += 1
    min_left.reverse()
    max_left = []
    acc = 0
    for kind, x in reversed(tokens):
        max_left.append(acc)
        acc += len(x) if kind == "run" else 1
    max_left.reverse()
    out: list[tuple] = []
    nodes = 0
    vals: list = []

    def ok_upto(start: int) -> bool:
        for pos in range(start, len(vals)):
            for eq in by_last.get(pos, ()):
                if not eq.holds(vals):
                    return False
        return True

    def rec(i: int):
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES:
            raise BudgetExceeded
        if i == len(tokens):
            if len(vals) == n:
                out.append(tuple(vals))
            return
        kind, x = tokens[i]
        room = n - len(vals)
        if kind == "num":
            vals.append(x)
            if ok_upto(len(vals) - 1):
                rec(i + 1)
            vals.pop()
            return
        sign = 1
        if x[0] in "+-":
            sign, x = (-1 if x[0] == "-" else 1), x[1:]
        lo = max(1, room - max_left[i])
        hi = min(len(x), room - min_left[i])
        for k in range(lo, hi + 1):
            for piece in _pieces(x, k):
                if any(len(str(v)) > max_digits for v in piece):
                    continue
                start = len(vals)
                vals.extend((sign * piece[0],) + piece[1:])
                if ok_upto(start):
                    rec(i + 1)
                del vals[start:]

    rec(0)
    return out


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
