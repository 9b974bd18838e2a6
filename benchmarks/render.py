"""Benchmark: rendering one report to .docx, against plain python-docx building the same document.

Real work: ``render_docx_bytes`` (context with drafted text, docxtpl render of the official
template in the Jinja sandbox with autoescape, save) and ``render_report`` (check + docx + HTML
written to disk). Baseline in the same run: ``build_document_directly`` — the same styles, page,
merged tables and narrative written with python-docx alone, then saved. Budget: ≤ 100 ms a report.

    python benchmarks/render.py [--reports 30]
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gxnb_xl.synth import random_report  # noqa: E402
from gxnb_xl.word import build_template, render_docx_bytes, render_report  # noqa: E402
from gxnb_xl.word.build import build_document_directly  # noqa: E402
from gxnb_xl.word.context import build_context  # noqa: E402

BUDGET_MS = 100.0


def _time(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=30)
    args = ap.parse_args()
    rng = random.Random(2024)
    reports = [random_report(rng, rng.choice(("2021", "2021", "2019")), busy=rng.random()) for _ in range(args.reports)]
    for r in reports[::2]:
        r.narrative = {}  # half of them get drafted narrative

    t = time.perf_counter()
    build_template("2021")
    build_template("2019")
    cold_template = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    render_docx_bytes(reports[0])
    render_docx_bytes(reports[1])
    first = (time.perf_counter() - t) * 1000 / 2

    def baseline(r):
        doc = build_document_directly(build_context(r), r.format)
        doc.save(io.BytesIO())

    base = _time(baseline, reports)
    real = _time(lambda r: render_docx_bytes(r), reports)
    with tempfile.TemporaryDirectory() as d:
        full = _time(lambda r: render_report(r, Path(d) / "r.docx", html=True), reports)

    med = statistics.median
    print(f"reports: {len(reports)} (2021/2019 mix, half with drafted narrative)")
    print(f"one-off: build both templates {cold_template:.0f} ms; first renders {first:.0f} ms each (Jinja compile)")
    print(f"baseline  plain python-docx, same document + save : median {med(base):6.1f} ms  max {max(base):6.1f} ms")
    print(f"gxnb      render_docx_bytes (docxtpl, sandbox)     : median {med(real):6.1f} ms  max {max(real):6.1f} ms")
    print(f"gxnb      render_report (check + docx + html, disk): median {med(full):6.1f} ms  max {max(full):6.1f} ms")
    print(f"ratio render/baseline: {med(real) / med(base):.2f}×   budget {BUDGET_MS:.0f} ms/report: "
          f"{'OK' if med(full) <= BUDGET_MS else 'OVER'}")
    return 0 if med(full) <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
