"""Reading + checking one filled workbook in-process (bar: ≤ 5 ms), against a named baseline.

Ours: ``check_file(path)`` (the one check door) — sniff, python-calamine, template marker, label verification of every
sheet, formula/error/protection scan of the table sheets' XML, every cell through ``read_value``,
the full check with localisation.

Baseline (same run, same file): openpyxl ``load_workbook(path, data_only=True, read_only=False)``
reading the same cells through the layout's cell map (no label verification, no formula scan),
then the same ``check`` pipeline. Best of 5 rounds and the median are printed, and
the ratio baseline/ours.

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
from gxnb_xl.report import Report  # noqa: E402
from gxnb_xl.spec import load_spec  # noqa: E402
from gxnb_xl.testing.synth import random_report  # noqa: E402
from gxnb_xl.values import read_value  # noqa: E402

BAR = 0.005


def baseline(path: Path, spec, layout):
    """openpyxl, data_only: the cached values of the same cells via the cell map, then the same check."""
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    rep = Report(format=spec.id)
    for cid, cell in spec.cells.items():
        sheet, addr = layout.cells[cid]
        rep.values[cid], _ = read_value(wb[sheet][addr].value, cell.type)
    cover = wb[layout.meta["unit"][0]]
    rep.unit = cover[layout.meta["unit"][1]].value
    rep.year = cover[layout.meta["year"][1]].value
    wb.close()
    return check(from_report(rep, computed=True))  # the same pipeline on the baseline's values


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
    files = {"consistent workbook": write_workbook(tmp / "clean.xlsx", "2021", report=clean),
             "workbook with a slip": write_workbook(tmp / "slip.xlsx", "2021", report=slipped)}
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
        bbest, bmed = rounds(lambda: baseline(path, spec, layout), 10)
        print(f"read+check, {name} ({path.stat().st_size // 1024} KB): ours {best * 1e3:.2f} ms (median {med * 1e3:.2f})   "
              f"baseline openpyxl data_only + cell map + same check: {bbest * 1e3:.2f} ms (median {bmed * 1e3:.2f})   "
              f"ratio baseline/ours: {bbest / best:.1f}x   bar ≤ 5 ms: {'OK' if best <= BAR else 'MISSED'}")


if __name__ == "__main__":
    main()
