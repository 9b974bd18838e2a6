"""The compiled-format cache (gxnb_xl/compiled.py): what a fresh process pays for the format, with and
without it, in the same run.

Two measurements, each in fresh processes taking turns (best of ``--rounds``; CPU time of the child
from rusage, and wall time):

1. in-process cold costs in a new interpreter: ``load_spec`` + ``layout_of`` + the fast reader's plan,
   and the first workbook read by the fast path (its sheet recipes and calamine's one open) — from the
   cache (written by a warm-up run) against the same code with nothing cached (an empty pycache
   prefix with bytecode writing off, so nothing is pickled or written either);
2. ``gxnb check one.xlsx`` as a process, with and without the cache, against the bar's floor
   ``python -c "import python_calamine"`` (issue 15: ≤ 3×).

The module bytecode comes from the same prefix in both cases; only the compiled-format files differ.

    .venv/bin/python benchmarks/compiled.py [--rounds 15]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = r"""
import json, sys, time
t = time.perf_counter
from gxnb_xl.excel import fastpath, reader
from gxnb_xl.excel.layout import layout_of
from gxnb_xl.spec import load_spec
a = t(); spec = load_spec("2021"); b = t(); layout_of(spec); c = t(); fastpath._plan("2021"); d = t()
loaded = fastpath.read_fast(sys.argv[1], (reader._cover_and_narrative, reader._read_value)); e = t()
assert loaded is not None
print(json.dumps({"load_spec": b - a, "layout_of": c - b, "plan": d - c, "first read": e - d, "format": d - a}))
"""


def _child(cmd: list[str], env: dict) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{cmd}: {r.stderr[-2000:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, r.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    from gxnb_xl.excel.template import write_workbook
    from gxnb_xl.testing.synth import random_report

    work = Path(tempfile.mkdtemp(prefix="gxnb-bench-compiled-"))
    try:
        book = write_workbook(work / "one.xlsx", report=random_report(random.Random(15), busy=0.5))
        base = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GXNB_NO_CACHE")}
        cached = dict(base, PYTHONPYCACHEPREFIX=str(work / "pyc"))
        # nothing cached: the compiled files are looked for (and not found) in an empty place, never written
        empty = dict(base, PYTHONPYCACHEPREFIX=str(work / "empty"), PYTHONDONTWRITEBYTECODE="1")
        py = sys.executable
        for _ in range(2):  # warm-up: module bytecode and the compiled format written
            _child([py, "-c", STAGES, str(book)], cached)
            _child([py, "-m", "gxnb_xl", "check", str(book)], cached)
        shutil.copytree(work / "pyc", work / "empty")  # the same bytecode …
        for f in Path(work / "empty").rglob("*"):
            if f.suffix in (".pickle", ".recipes", ".txt"):
                f.unlink()  # … without the compiled format
        stages = {"cached": {}, "nothing cached": {}}
        runs = {"calamine import (floor)": ([py, "-c", "import python_calamine"], cached),
                "gxnb check, nothing cached": ([py, "-m", "gxnb_xl", "check", str(book)], empty),
                "gxnb check, cached": ([py, "-m", "gxnb_xl", "check", str(book)], cached)}
        best = {k: (9.0, 9.0) for k in runs}
        for _ in range(args.rounds):
            for name, env in (("cached", cached), ("nothing cached", empty)):
                _, _, out = _child([py, "-c", STAGES, str(book)], env)
                for k, v in json.loads(out).items():
                    stages[name][k] = min(stages[name].get(k, 9.0), v)
            for name, (cmd, env) in runs.items():
                wall, cpu, _ = _child(cmd, env)
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
        print(f"in-process cold costs, best of {args.rounds} fresh processes (ms):")
        for k in stages["cached"]:
            a, b = stages["cached"][k] * 1e3, stages["nothing cached"][k] * 1e3
            print(f"  {k:<10} cached {a:6.2f}   nothing cached {b:6.2f}   saved {b - a:5.2f}")
        floor = best["calamine import (floor)"]
        print("processes (wall / CPU, best of each):")
        for name, (wall, cpu) in best.items():
            print(f"  {name:<28} {wall * 1e3:6.1f} ms / {cpu * 1e3:6.1f} ms   {wall / floor[0]:.2f}× / "
                  f"{cpu / floor[1]:.2f}× the floor")
        try:
            load = os.getloadavg()[0]
            print(f"load average at the end: {load:.2f}")
        except OSError:
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
