"""`gxnb aggregate` on generated township folders, against its floor and a plain openpyxl loop, in the same run.

Floor (issue 15): python-calamine reading the same input cells in the same number of processes and
only summing (``bar.py``'s floor, run as its own process); the ratio ours/floor is printed.

Bars (issue 5): 3,000 township workbooks in ≤ 15 s wall on 2 cores, ≥ 10× faster than the
baseline; peak memory (the whole process tree, sampled) ≤ 300 MB at 10,000 workbooks.

The workbooks are real filled templates (excel.template.write_workbook) read back through the
calamine reader (excel.reader.read_workbook), the path `gxnb aggregate` takes for every .xlsx.
The full openpyxl baseline over 3,000 workbooks takes ~6 minutes; ``--baseline-sample N`` times
it on the first N files and extrapolates linearly — the output then says so on every line.

The folders hold random valid reports (synth.random_report) plus a broken file and an Excel lock
file; the benchmark also checks that the totals `gxnb aggregate --json` prints equal the sums
computed here while generating. Baseline: openpyxl (read_only, data_only) opening every
workbook and summing the same input cells found through the layout's cell map — what a quick
script would do. Generated folders are cached under $TMPDIR/gxnb-bench-aggregate.

    python benchmarks/aggregate.py [--n 3000] [--memory-n 10000] [--kind auto|xlsx|json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gxnb_xl.spec import load_spec  # noqa: E402
from gxnb_xl.testing.synth import random_report  # noqa: E402

FORMAT = "2021"
CACHE = Path(tempfile.gettempdir()) / "gxnb-bench-aggregate"


def workbook_support() -> bool:
    try:
        import gxnb_xl.excel.reader  # noqa: F401
        import gxnb_xl.excel.template  # noqa: F401
    except Exception:
        return False
    return True


# ── generating ────────────────────────────────────────────────────────────────────────────
def _make_one(args):
    i, folder, kind = args
    rep = random_report(random.Random(1000 + i), FORMAT, unit=f"基准县第{i:05d}镇人民政府", year=2024, busy=0.5)
    path = Path(folder) / f"{i // 500:02d}" / f"{i:05d}-township.{kind}"
    if kind == "xlsx":
        from gxnb_xl.excel.template import write_workbook
        write_workbook(path, FORMAT, rep)
    else:
        rep.save(path)
    spec = load_spec(FORMAT)
    return [rep.values[c] for c in spec.cells]


def generate(n: int, kind: str, jobs: int) -> tuple[Path, dict]:
    """A folder of n valid reports (+ a broken file, a lock file) and the independent sums."""
    spec = load_spec(FORMAT)
    folder = CACHE / f"{kind}-{n}-{spec.hash}"
    sums_file = folder / "_sums.json.txt"  # not a report suffix: listed as skipped by aggregate
    if sums_file.exists():
        return folder, json.loads(sums_file.read_text(encoding="utf-8"))
    start = time.perf_counter()
    for sub in range(n // 500 + 1):
        (folder / f"{sub:02d}").mkdir(parents=True, exist_ok=True)
    total = [Decimal(0) if spec.cells[c].type == "amount" else 0 for c in spec.cells]
    with mp.get_context("fork").Pool(jobs) as pool:
        for values in pool.imap_unordered(_make_one, [(i, str(folder), kind) for i in range(n)], chunksize=16):
            for k, v in enumerate(values):
                total[k] += v
    (folder / "00" / f"broken.{kind}").write_bytes(b"this is not a report")
    (folder / "00" / "~$00000-township.xlsx").write_bytes(b"\x00" * 165)
    sums = {c: (format(v.normalize(), "f") if isinstance(v, Decimal) else v) for c, v in zip(spec.cells, total)}
    sums_file.write_text(json.dumps(sums), encoding="utf-8")
    print(f"  generated {n} {kind} reports in {time.perf_counter() - start:.1f} s → {folder}")
    return folder, sums


# ── measuring ─────────────────────────────────────────────────────────────────────────────
def _tree_rss(root: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def run_aggregate(folder: Path, out: Path, jobs: int | None) -> tuple[float, int, dict, int]:
    """(wall seconds, exit code, --json output, peak tree RSS bytes) of one `gxnb aggregate` run."""
    cmd = [sys.executable, "-m", "gxnb_xl", "aggregate", str(folder), "-o", str(out), "--json", "--unit", "基准县", "--force"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    peak = [0]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        stdout.seek(0)
        text = stdout.read().decode("utf-8")
    if proc.returncode not in (0, 1):
        print(err.decode("utf-8", "replace"), file=sys.stderr)
    return wall, proc.returncode, json.loads(text) if text.strip() else {}, peak[0]


def baseline(folder: Path, kind: str, sample: int = 0) -> tuple[float, dict, int]:
    """A plain loop summing the same input cells: openpyxl via the layout's cell map (or json.load).

    openpyxl's normal mode (data_only) is used: its read_only mode is ~2.5x slower here because
    every random cell access re-scans the sheet. ``sample``: only the first N files (timing then
    extrapolated by the caller)."""
    spec = load_spec(FORMAT)
    inputs = spec.input_cells
    total = {c: Decimal(0) if spec.cells[c].type == "amount" else 0 for c in inputs}
    files = 0
    start = time.perf_counter()
    if kind == "xlsx":
        import openpyxl

        from gxnb_xl.excel.layout import layout_of
        where = layout_of(spec).cells
        paths = [p for p in sorted(folder.rglob("*.xlsx")) if not p.name.startswith("~$")]
        for path in paths[:sample or None]:
            try:
                wb = openpyxl.load_workbook(path, data_only=True)
            except Exception:
                continue
            for c in inputs:
                sheet, address = where[c]
                v = wb[sheet][address].value
                if isinstance(v, (int, float)):
                    total[c] += Decimal(repr(v)) if spec.cells[c].type == "amount" else int(v)
            files += 1
    else:
        for path in sorted(folder.rglob("*.json")):
            try:
                values = json.loads(path.read_text(encoding="utf-8"))["values"]
            except Exception:
                continue
            for c in inputs:
                v = values.get(c)
                if v is not None:
                    total[c] += Decimal(str(v)) if spec.cells[c].type == "amount" else int(v)
            files += 1
    return time.perf_counter() - start, total, files


def calamine_floor(folder: Path, tmp: Path, jobs: int) -> tuple[float, int]:
    """(wall seconds, files read) of benchmarks/bar.py's floor run as its own process."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_bar", Path(__file__).resolve().parent / "bar.py")
    bar = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bar)
    plan = tmp / "plan.json"
    plan.write_text(json.dumps(bar._plan()), encoding="utf-8")
    cmd = [sys.executable, str(Path(bar.__file__)), "--floor", str(folder), "--jobs", str(jobs), "--plan", str(plan)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - start, json.loads(proc.stdout)["files"]


def compare(totals: dict, sums: dict) -> list[str]:
    spec = load_spec(FORMAT)
    bad = []
    for c in spec.cells:
        got, want = totals.get(c), sums[c]
        if spec.cells[c].type == "amount":
            same = got is not None and Decimal(str(got)) == Decimal(str(want))
        else:
            same = got == want
        if not same:
            bad.append(f"{c}: {got} != {want}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="township workbooks for the timing run")
    ap.add_argument("--memory-n", type=int, default=10000, help="workbooks for the memory run (0: skip)")
    ap.add_argument("--kind", choices=("auto", "xlsx", "json"), default="auto")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs passed to gxnb aggregate (default: cores)")
    ap.add_argument("--baseline-sample", type=int, default=0,
                    help="time the baseline on the first N files only and extrapolate (default: all files)")
    ap.add_argument("--generate-only", action="store_true", help="only build (cache) the folders")
    args = ap.parse_args()
    kind = args.kind
    if kind == "auto":
        kind = "xlsx" if workbook_support() else "json"
        if kind == "json":
            print("NOTE: the workbook reader/writer is not built yet: timing report JSON files instead of workbooks")
    cores = os.cpu_count() or 1
    print(f"aggregate benchmark: {args.n} {kind} reports, {cores} cores")
    folder, sums = generate(args.n, kind, cores)
    if args.generate_only:
        if args.memory_n:
            generate(args.memory_n, kind, cores)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ("county.xlsx" if kind == "xlsx" else "county.json")
        wall, code, data, peak = run_aggregate(folder, out, args.jobs)
        summed = sum(f["included"] for f in data.get("files", []))
        listed = len(data.get("files", []))
        on_disk = sum(1 for p in folder.rglob("*") if p.is_file())
        bad = compare(data.get("totals", {}), sums)
        print(f"gxnb aggregate: {wall:.2f} s wall, exit {code}, {summed} summed, {listed} listed of {on_disk} files, "
              f"peak RSS {peak / 2**20:.0f} MB, totals {'EQUAL to independent sums' if not bad else 'DIFFER: ' + '; '.join(bad[:3])}"
              f", output {'written' if out.exists() else 'MISSING'}")
        if kind == "xlsx":  # the floor: python-calamine in the same number of processes, only summing
            floor_wall, floor_files = calamine_floor(folder, Path(tmp), args.jobs or cores)
            print(f"floor (python-calamine, {args.jobs or cores} processes, same input cells, only summing, "
                  f"{floor_files} files): {floor_wall:.2f} s   ratio ours/floor {wall / floor_wall:.2f}x   "
                  f"(issue 15 bar ≤ 1.3x; benchmarks/bar.py alternates runs and adds CPU times)")
        base, base_total, base_files = baseline(folder, kind, args.baseline_sample)
        what = f"baseline ({'openpyxl loop' if kind == 'xlsx' else 'json.load loop'}, same cells, {base_files} files)"
        if base_files < summed:  # sampled: scale to the same number of files
            print(f"{what}: {base:.2f} s measured on a SAMPLE of {base_files} files (--baseline-sample), "
                  f"extrapolated linearly to {summed} files: {base * summed / base_files:.1f} s (not measured)")
            base = base * summed / base_files
        else:
            base_bad = compare({**data.get("totals", {}), **{c: (format(v, 'f') if isinstance(v, Decimal) else v)
                                                             for c, v in base_total.items()}}, sums)
            print(f"{what}: {base:.2f} s{', same sums' if not base_bad else ' (its sums differ: ' + '; '.join(base_bad[:2]) + ')'}")
        ratio = base / wall
        if kind == "json":
            print("(JSON mode: the baseline only parses and adds, no checks; the ≥ 10x bar is about workbooks)")
        sampled = " (baseline extrapolated from a sample)" if base_files < summed else ""
        print(f"SUMMARY {args.n} {kind}: gxnb aggregate {wall:.2f} s wall, baseline {base:.1f} s{sampled}, "
              f"ratio baseline/ours {ratio:.1f}x   bar ≤ 15 s at 3000: "
              f"{'OK' if wall <= 15 or args.n != 3000 else 'MISSED'}   bar ≥ 10x: {'OK' if ratio >= 10 else 'MISSED'}")
    if args.memory_n:
        folder, sums = generate(args.memory_n, kind, cores)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / ("county.xlsx" if kind == "xlsx" else "county.json")
            wall, code, data, peak = run_aggregate(folder, out, args.jobs)
            bad = compare(data.get("totals", {}), sums)
            print(f"memory run: {args.memory_n} reports in {wall:.2f} s, peak RSS of the process tree {peak / 2**20:.0f} MB "
                  f"(bar ≤ 300 MB: {'OK' if peak <= 300 * 2**20 else 'MISSED'}; issue 15's target ≤ 150 MB: {'OK' if peak <= 150 * 2**20 else 'MISSED'}), totals {'equal' if not bad else 'DIFFER'}")


if __name__ == "__main__":
    main()
