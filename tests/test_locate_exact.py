"""The localiser's shortcuts for whole numbers against the exact Fraction arithmetic they skip: the
same fixes (values and types) and the same candidate cells in the same order."""
from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

from gxnb_xl import locate
from gxnb_xl.spec import load_spec


def _apply_by_fractions(spec, cell, observed, error):
    """``locate._apply`` as it was written before the whole-number shortcut."""
    t = spec.cells[cell].type
    suggested = Fraction(observed if not isinstance(observed, Decimal) else Fraction(observed)) - error
    if t in ("count", "signed"):
        if suggested.denominator != 1 or (t == "count" and suggested < 0):
            return None
        return locate._as_number(error), int(suggested)
    if suggested < 0:
        return None
    return locate._as_number(error), Decimal(suggested.numerator) / Decimal(suggested.denominator)


def _typed(x):
    return None if x is None else tuple((type(v).__name__, v) for v in x)


def test_apply_equals_fractions():
    spec = load_spec("2019")  # its cells are of all three types
    rng = random.Random(4)
    cells = {t: [c for c, cell in spec.cells.items() if cell.type == t] for t in ("count", "signed", "amount")}
    assert all(cells.values())
    for _ in range(20000):
        cell = rng.choice(cells[rng.choice(list(cells))])
        observed = rng.choice((rng.randint(-50, 200), Decimal(rng.randint(-99999, 99999)) / 100, 0, True))
        error = Fraction(rng.randint(-300, 300), rng.choice((1, 1, 1, 2, 3, 7, 100)))
        assert _typed(locate._apply(spec, cell, observed, error)) == _typed(
            _apply_by_fractions(spec, cell, observed, error)), (cell, observed, error)


def test_candidates_in_the_syndromes_order():
    spec = load_spec("2021")
    equations = tuple(eq for eq in spec.equations if eq.op == "==" and eq.rule.scope == "report")
    rng = random.Random(5)
    for computed in (True, False):
        syn, moving, rank = locate._syndromes(spec, computed, equations)
        for _ in range(300):
            failing = set(rng.sample(range(len(equations)), rng.randint(1, 4)))
            values = {c: (None if rng.random() < 0.1 else 1) for c in spec.cells}
            want = [c for c, col in syn.items() if values.get(c) is not None and failing & col.keys()]
            assert locate._candidates(failing, values, moving, rank) == want
