"""Reading + checking one filled workbook in-process (bar: ≤ 1 ms), against the plain calamine floor.

Ours: ``check_file(path)`` (the one check door) — for a workbook of our template the single-pass
reader (excel/fastpath.py: one zip parse, one inflate per needed part, labels verified, template
marker checked), every cell through ``read_value``, the full check with localisation.

Floor (same run, same file): python-calamine opening the workbook and reading the three table sheets
and the cover, the same cells picked through the layout's cell map (no label verification, no
formula scan, no marker; a typed cell's reading problem — blank, text — recorded as the reader
records it), then the same ``check`` pipeline on those values. Three workbooks: consistent, with a
slip, with blank cells. Best of 5 rounds and the median are printed, and the ratio ours/floor (the
issue's target: below 1).

    .venv/bin/python benchmarks/read_check.py [--profile]
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gxnb_xl.check import check  # noqa: E402
from gxnb_xl.check.pipeline import check_file  # noqa: E402
from gxnb_xl.loaded import from_report  # noqa: E402
from gxnb_xl.excel.layout import layout_of  # noqa: E402
from gxnb_xl.excel.template import write_workbook  # noqa: E402
from gxnb_xl.report import CellProblem, Report  # noqa: E402
from gxnb_xl.spec import load_spec  # noqa: E402
from gxnb_xl.testing.synth import random_report  # noqa: E402
from gxnb_xl.values import read_value  # noqa: E402

BAR = 0.001


def baseline(path: Path, spec, layout):
    """python-calamine: the same cells via the cell map, then the same check."""
    from python_calamine import CalamineWorkbook

    from gxnb_xl.excel.layout import parse_a1
    wb = CalamineWorkbook.from_path(str(path))
    grids = {}
    rep = Report(format=spec.id)
    for cid, cell in spec.cells.items():
        sheet, addr = layout.cells[cid]
        if sheet not in grids:
            grids[sheet] = wb.get_sheet_by_name(sheet).to_python()
        r, c = parse_a1(addr)
        v = grids[sheet][r][c] if r < len(grids[sheet]) and c < len(grids[sheet][r]) else None
        raw = None if v == "" else v
        rep.values[cid], problem = read_value(raw, cell.type)
        if problem is not None and cell.input:  # what the reader reports of a typed cell (blank, text …)
            rep.problems.append(CellProblem(cid, raw, problem, f"{sheet}!{addr}"))
    cover = wb.get_sheet_by_name(layout.meta["unit"][0]).to_python()
    (ur, uc), (yr, yc) = parse_a1(layout.meta["unit"][1]), parse_a1(layout.meta["year"][1])
    rep.unit = cover[ur][uc] or None
    rep.year = int(cover[yr][yc]) if isinstance(cover[yr][yc], float) else None
    return check(from_report(rep, computed=True))  # the same pipeline on the floor's values


def rounds(fn, n, k=5):
    times = []
    for _ in range(k):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n)
    return min(times), statistics.median(times)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    spec = load_spec("2021")
    layout = layout_of(spec)
    tmp = Path(tempfile.mkdtemp(prefix="gxnb-bench-"))
    clean = random_report(random.Random(1), "2021", year=2024, busy=0.5)
    clean.narrative = {"overview": "2024年，本机关……", "other_matters": "未收取信息处理费。"}
    slipped = random_report(random.Random(2), "2021", year=2024, busy=0.5)
    slipped.values["t3.granted.natural"] += 9  # the stored totals now disagree too (D1) and R3 fails
    blanks = random_report(random.Random(3), "2021", year=2024, busy=0.5)
    for cid in random.Random(4).sample(list(spec.input_cells), 12):  # cells a clerk left empty
        blanks.values[cid] = None
    files = {"consistent workbook": write_workbook(tmp / "clean.xlsx", "2021", report=clean),
             "workbook with a slip": write_workbook(tmp / "slip.xlsx", "2021", report=slipped),
             "workbook with 12 blank cells": write_workbook(tmp / "blanks.xlsx", "2021", report=blanks)}
    if "--profile" in argv:
        import cProfile
        import pstats
        path = files["consistent workbook"]
        check_file(path)
        cProfile.runctx("for _ in range(200): check_file(path)", globals(), {"path": path, "check_file": check_file},
                        str(tmp / "prof"))
        pstats.Stats(str(tmp / "prof")).sort_stats("tottime").print_stats(20)
        return
    for name, path in files.items():
        ours_res, base_res = check_file(path), baseline(path, spec, layout)  # warm caches, like a long-running process
        assert ours_res.status == ("ok" if "consistent" in name else "errors"), ours_res.status
        assert base_res.status == ours_res.status
        best, med = rounds(lambda: check_file(path), 50)
        bbest, bmed = rounds(lambda: baseline(path, spec, layout), 50)
        print(f"read+check, {name} ({path.stat().st_size // 1024} KB): ours {best * 1e3:.2f} ms (median {med * 1e3:.2f})   "
              f"floor python-calamine + cell map + same check: {bbest * 1e3:.2f} ms (median {bmed * 1e3:.2f})   "
              f"ratio ours/floor: {best / bbest:.2f}x (target < 1)   bar ≤ 1 ms: {'OK' if best <= BAR else 'MISSED'}")


if __name__ == "__main__":
    main()
