"""The parent's work in ``gxnb aggregate`` after the workers: decide, the county workbook, the JSON —
each against a fair floor in the same run, CPU time, ratio printed.

A 3,000-file run is made without reading files (that is ``aggregate.py``/``bar.py``'s part): one
record per township as the workers return it (unit on the cover, input values, a file name as the
bar's generated folders have them), then ``summarise`` and the check of the summed report, as
``aggregate`` does. ``--mixed`` makes every 20th file another copy of a unit (a resend: duplicates
to resolve and list) and every 50th a report of last year.

- decide (``policy.decide``, ≤ 20 ms at 3,000): floor = one pass grouping the records by their
  NFKC-normalised unit name in a dict (the least work that finds two copies of one unit);
- the county workbook (``summary.write_output`` to .xlsx, ≤ 120 ms): floor = XlsxWriter writing the
  汇总情况 sheet's rows with ``write_row`` and one fixed format into an empty workbook, nothing else
  (no template, no styles per state, no row heights, no print settings);
- the JSON (``to_dict`` + ``json.dumps(indent=2)``, as ``gxnb aggregate --json`` prints it, and
  ``to_dict`` + ``jsontext.dumps``, the same text): floor = ``json.dumps(indent=2)`` of the same dict
  already built.

Each is timed ``--rounds`` times (best and median CPU ms); the county workbook also once cold (the
first in the process, as the CLI writes it: XlsxWriter's import and first-use costs included).

    .venv/bin/python benchmarks/aggregate_output.py [--n 3000] [--rounds 5] [--mixed] [--profile xlsx|decide|json]
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gxnb_xl import jsontext  # noqa: E402
from gxnb_xl.aggregate import summarise, write_output  # noqa: E402
from gxnb_xl.aggregate.policy import decide  # noqa: E402
from gxnb_xl.aggregate.records import FileRecord  # noqa: E402
from gxnb_xl.aggregate.summary import summary_rows  # noqa: E402
from gxnb_xl.spec import load_spec  # noqa: E402
from gxnb_xl.testing.synth import random_report  # noqa: E402

FORMAT = "2021"
TARGETS = {"decide": 0.020, "xlsx": 0.120}


def records(n: int, mixed: bool) -> list[FileRecord]:
    """What the workers hand back for n generated township workbooks."""
    spec = load_spec(FORMAT)
    folder = Path(tempfile.gettempdir()) / "gxnb-bench-aggregate" / f"xlsx-{n}-{spec.hash}"
    rng = random.Random(7)
    pool = [random_report(rng, FORMAT, year=2024, busy=0.5) for _ in range(20)]  # values: 20 shapes, reused
    out = []
    for i in range(n):
        unit = f"基准县第{i:05d}镇人民政府"
        year = 2024
        if mixed and i % 20 == 19:
            unit = f"基准县第{i - 1:05d}镇人民政府"  # a resend of the previous township
        if mixed and i % 50 == 7:
            year = 2023
        rep = pool[i % len(pool)]
        values = tuple(rep.values.get(c) for c in spec.input_cells)
        path = str(folder / f"{i // 500:02d}" / f"{i:05d}-township.xlsx")
        out.append(FileRecord(path, "ok", unit=unit, year=year, format=FORMAT, level="township", mtime=1.7e9 + i,
                              saved="2025-01-15T08:00:00Z", blanks=sum(v is None for v in values), values=values,
                              path=path))
    return out


def result_of(recs: list[FileRecord]):
    """``aggregate``'s steps after reading: decide and sum, then the one check of the summed report."""
    from gxnb_xl.check import check
    from gxnb_xl.loaded import from_report
    result = summarise(recs, unit="基准县")
    for r in recs:
        r.values = None
    checked = check(from_report(result.report, computed=True))
    result.report = checked.report
    result.totals = dict(checked.report.values)
    result.findings = [f for f in checked.findings if not (f.rule == "R0" and f.code == "blank")]
    return result


def cpu(fn, rounds: int, setup=None) -> list[float]:
    times = []
    for _ in range(rounds):
        arg = setup() if setup else None
        t = time.process_time()
        fn(arg) if setup else fn()
        times.append(time.process_time() - t)
    return times


def floor_decide(recs: list[FileRecord]) -> dict:
    groups: dict = {}
    for r in recs:
        groups.setdefault(unicodedata.normalize("NFKC", r.unit or ""), []).append(r)
    return groups


def floor_xlsx(rows: list[list]) -> bytes:
    import xlsxwriter
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("汇总情况")
    fmt = wb.add_format({"font_name": "宋体", "font_size": 10, "border": 1})
    for i, row in enumerate(rows):
        ws.write_row(i, 0, row, fmt)
    wb.close()
    return buf.getvalue()


def line(name: str, ours: list[float], floor: list[float], target: float | None = None) -> str:
    b, f = min(ours), min(floor)
    text = (f"{name:<34} ours best {b * 1e3:7.1f} ms (median {statistics.median(ours) * 1e3:7.1f})   "
            f"floor best {f * 1e3:7.1f} ms (median {statistics.median(floor) * 1e3:7.1f})   ratio {b / f:5.2f}x")
    if target is not None:
        text += f"   target ≤ {target * 1e3:.0f} ms: {'OK' if b <= target else 'MISSED'}"
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--mixed", action="store_true")
    ap.add_argument("--profile", choices=("xlsx", "decide", "json"))
    args = ap.parse_args()

    base = records(args.n, args.mixed)
    result = result_of(copy.deepcopy(base))
    out = Path(tempfile.mkdtemp()) / "county.xlsx"

    def write():
        if out.exists():
            out.unlink()
        write_output(result, out, "zh")

    t = time.process_time()
    write()  # cold: the first county workbook of the process, as the CLI writes it
    cold = time.process_time() - t
    rows = summary_rows(result, "zh")
    floor_xlsx(rows)  # the floor's imports and first use, outside its timing too

    if args.profile:
        import cProfile
        import pstats
        recs = copy.deepcopy(base)
        fn = {"xlsx": write, "json": lambda: json.dumps(result.to_dict("zh"), ensure_ascii=False, indent=2),
              "decide": lambda: decide(recs, unit="基准县")}[args.profile]
        cProfile.runctx("fn()", globals(), {"fn": fn}, sort="tottime")
        return

    fresh = lambda: copy.deepcopy(base)  # noqa: E731 - decide sets states in place
    res = {
        "decide": (cpu(lambda recs: decide(recs, unit="基准县"), args.rounds, fresh),
                   cpu(floor_decide, args.rounds, fresh)),
        "xlsx": (cpu(write, args.rounds), cpu(lambda: floor_xlsx(rows), args.rounds)),
    }
    data = result.to_dict("zh")
    assert jsontext.dumps(data) == json.dumps(data, ensure_ascii=False, indent=2)
    floor_json = cpu(lambda: json.dumps(data, ensure_ascii=False, indent=2), args.rounds)
    res["json"] = (cpu(lambda: json.dumps(result.to_dict("zh"), ensure_ascii=False, indent=2), args.rounds), floor_json)
    res["jsontext"] = (cpu(lambda: jsontext.dumps(result.to_dict("zh")), args.rounds), floor_json)
    summed = len(result.included)
    print(f"aggregate output benchmark: {args.n} files ({summed} summed, {len(result.duplicates)} duplicate groups), "
          f"{os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU time")
    print(line("decide (policy.decide)", *res["decide"], TARGETS["decide"]))
    print(line("county workbook (write_output .xlsx)", *res["xlsx"], TARGETS["xlsx"]))
    print(f"{'':<34} first in the process (cold): {cold * 1e3:.1f} ms; {out.stat().st_size // 1024} KB")
    print(line("--json (to_dict + json.dumps)", *res["json"]))
    print(line("--json (to_dict + jsontext.dumps)", *res["jsontext"]))


if __name__ == "__main__":
    main()
