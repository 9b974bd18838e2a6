"""gxnb serve: 300 township workbooks in one upload request (bar ≤ 10 s on 2 cores) and the board
of a 3,000-unit collection (bar ≤ 1 s), against baselines measured in the same run.

Upload — ours: one multipart POST of 300 filled template workbooks to a real ``gxnb serve`` process
(HTTP, multipart parsing, content sniffing, SHA-256, durable write with fsync, the full check
through the one check door, unit matching, one committed transaction), timed until the answer.
Baseline: ``gxnb_xl.check.check(path)`` of the same 300 files in-process, one after another — the
library's own work without the server. The ratio is the price of the web door.

Board — ours: ``GET /c/<id>`` (the HTML board, 3,000 rows) and ``GET /api/collections/<id>/status``
from the server, best and median of 5. Baseline: the rows themselves straight from the SQLite file
(one ``SELECT`` of every submission of the collection, fetched) in this process.

    .venv/bin/python benchmarks/serve.py [--files 300] [--units 3000]
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from gxnb_xl.check import check  # noqa: E402
from gxnb_xl.excel.template import build_workbook_bytes  # noqa: E402
from gxnb_xl.testing.synth import random_report  # noqa: E402

TOKEN = "benchmark-token-0123456789"
H = {"Authorization": f"Bearer {TOKEN}"}
UPLOAD_BAR, BOARD_BAR = 10.0, 1.0


def start_server(data: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gxnb = Path(sys.executable).with_name("gxnb")
    proc = subprocess.Popen([str(gxnb), "serve", "--data", str(data), "--port", str(port), "--no-browser"],
                            env=dict(os.environ, GXNB_TOKEN=TOKEN), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start: " + proc.stderr.read().decode())


def township(i: int) -> str:
    return f"基准县第{i:04d}镇"


def bench_upload(base: str, n: int, folder: Path) -> None:
    rng = random.Random(2024)
    paths = []
    for i in range(n):
        p = folder / f"{i:03d}.xlsx"
        p.write_bytes(build_workbook_bytes("2021", random_report(rng, "2021", unit=township(i) + "人民政府", year=2024)))
        paths.append(p)
    start = time.perf_counter()
    for p in paths:
        check(p)
    base_s = time.perf_counter() - start

    cid = httpx.post(f"{base}/api/collections", headers=H, timeout=60,
                     json={"year": 2024, "unit": "基准县人民政府", "units": [township(i) for i in range(n)]}).json()["id"]
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    start = time.perf_counter()
    r = httpx.post(f"{base}/api/collections/{cid}/files", files=files, headers=H, timeout=600)
    ours = time.perf_counter() - start
    got = r.json()["files"]
    assert r.status_code == 200 and len(got) == n and all(f["submission_id"] and f["status"] == "ok" for f in got), r.text[:500]
    print(f"upload {n} workbooks in one request (stored, fsync'ed, checked, committed): {ours:.2f} s "
          f"({ours / n * 1000:.1f} ms/file)  bar ≤ {UPLOAD_BAR:.0f} s  {'OK' if ours <= UPLOAD_BAR else 'OVER'}")
    print(f"  baseline: check() of the same {n} files in-process: {base_s:.2f} s ({base_s / n * 1000:.1f} ms/file)"
          f"  → ratio ours/baseline {ours / base_s:.2f}")


def bench_board(base: str, data: Path, units: int) -> None:
    names = [township(i) for i in range(units)]
    cid = httpx.post(f"{base}/api/collections", headers=H, timeout=60,
                     json={"year": 2024, "unit": "大县人民政府", "units": names}).json()["id"]
    rng = random.Random(7)
    for start in range(0, units, 1000):  # every unit files a report JSON (quick to make; the board is what is timed)
        files = []
        for i in range(start, min(units, start + 1000)):
            rep = random_report(rng, "2021", unit=names[i] + "人民政府", year=2024)
            if i % 7 == 0:
                rep.values["t3.new.natural"] = (rep.values["t3.new.natural"] or 0) + 3
            body = rep.dumps().encode("utf-8")
            files.append(("files", (f"{i}.json", body, "application/json")))
        r = httpx.post(f"{base}/api/collections/{cid}/files", files=files, headers=H, timeout=600)
        assert r.status_code == 200, r.text[:300]

    def timed(path):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            r = httpx.get(base + path, headers=H, timeout=60)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200
        return min(times), statistics.median(times), r

    html_best, html_med, page = timed(f"/c/{cid}")
    assert page.text.count("<tr data-state=") == units
    api_best, api_med, _ = timed(f"/api/collections/{cid}/status")
    con = sqlite3.connect(data / "gxnb.sqlite3")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        rows = con.execute("SELECT * FROM submissions WHERE collection_id=?", (cid,)).fetchall()
        times.append(time.perf_counter() - t0)
    con.close()
    assert len(rows) == units
    floor = min(times)
    print(f"board of {units} units, HTML page: best {html_best * 1000:.0f} ms, median {html_med * 1000:.0f} ms"
          f"  bar ≤ {BOARD_BAR * 1000:.0f} ms  {'OK' if html_med <= BOARD_BAR else 'OVER'}")
    print(f"  JSON status: best {api_best * 1000:.0f} ms, median {api_med * 1000:.0f} ms")
    print(f"  baseline: the same {units} rows straight from SQLite: {floor * 1000:.1f} ms  → ratio page/baseline "
          f"{html_best / floor:.0f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--units", type=int, default=3000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        data = tmp / "data"
        proc, base = start_server(data)
        try:
            bench_upload(base, args.files, tmp / "in")
            bench_board(base, data, args.units)
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
