"""Benchmark: rendering reports to .docx in one process (a batch: county reports, workbench).

Real work, per report after the first: ``render_docx_bytes`` — context (drafted text when a
section is empty), the shipped template prepared once (docxtpl's patched XML compiled in the
limited sandbox), its parts rendered and post-processed, marks (草稿/未通过校验) for drafted
reports, the zip written — and ``render_report`` (check + docx + HTML written to disk).

Floor in the same run: the same patched template compiled once in a plain Jinja ``Environment``,
rendered with the same context and appended to the same ready zip — what any renderer of this
template must at least do. Reference: ``build_document_directly``, the same document built with
python-docx alone. Target: ≤ 25 ms a report after the first.

    python benchmarks/render.py [--reports 40]
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jinja2 import Environment  # noqa: E402

from gxnb_xl.report import load_report  # noqa: E402
from gxnb_xl.testing.synth import random_report  # noqa: E402
from gxnb_xl.word import build_template, render_docx_bytes, render_report  # noqa: E402
from gxnb_xl.word.build import build_document_directly  # noqa: E402
from gxnb_xl.word.context import build_context, docx_context  # noqa: E402
from gxnb_xl.word.prepared import prepare  # noqa: E402

TARGET_MS = 25.0
ROOT = Path(__file__).resolve().parents[1]


def _time(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def _floor_renderer():
    """Plain Jinja over the same patched parts + the same ready zip: the floor."""
    env = Environment(autoescape=True)
    compiled = {}

    def render(report):
        prepared = prepare(build_template(report.format))
        ctx = docx_context(build_context(report))
        out = io.BytesIO(prepared.static)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for p in prepared.parts:
                if p.plain:
                    z.writestr(p.name, p.source)
                    continue
                tpl = compiled.get(p.source) or compiled.setdefault(p.source, env.from_string(p.source))
                z.writestr(p.name, tpl.render(ctx))
        return out.getvalue()
    return render


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=40)
    args = ap.parse_args()
    rng = random.Random(2024)
    narrative = load_report(ROOT / "examples" / "county-2024" / "01-城关镇.json").narrative
    reports = [random_report(rng, rng.choice(("2021", "2021", "2019")), busy=rng.random()) for _ in range(args.reports)]
    for i, r in enumerate(reports):
        r.narrative = dict(narrative) if i % 2 == 0 and r.format == "2021" else {}  # the rest drafted (marked 草稿)
    written = [r for r in reports if r.narrative]
    drafted = [r for r in reports if not r.narrative]

    t = time.perf_counter()
    render_docx_bytes(reports[0])  # builds and prepares the template, compiles it
    first = (time.perf_counter() - t) * 1000
    render_docx_bytes(next(r for r in reports if r.format != reports[0].format))

    floor_fn = _floor_renderer()
    floor_fn(reports[0])
    floor = _time(floor_fn, reports)

    def python_docx(r):
        doc = build_document_directly(build_context(r), r.format)
        doc.save(io.BytesIO())

    base = _time(python_docx, reports[:10])
    real_written = _time(lambda r: render_docx_bytes(r), written)
    real_drafted = _time(lambda r: render_docx_bytes(r), drafted)
    real = real_written + real_drafted
    with tempfile.TemporaryDirectory() as d:
        # force: the borrowed narrative quotes numbers the random tables do not hold (T1), still rendered
        full = _time(lambda r: render_report(r, Path(d) / "r.docx", html=True, draft=True, force=True), reports)

    med = statistics.median
    print(f"reports: {len(reports)} (2021/2019 mix; {len(written)} with narrative, {len(drafted)} drafted and marked 草稿)")
    print(f"first report in the process (build + prepare + compile the template): {first:.0f} ms")
    print(f"floor     plain Jinja, same compiled parts + same zip      : median {med(floor):6.1f} ms  max {max(floor):6.1f} ms")
    print(f"reference python-docx builds the same document + save    : median {med(base):6.1f} ms")
    print(f"gxnb      render_docx_bytes, narrative written            : median {med(real_written):6.1f} ms  max {max(real_written):6.1f} ms")
    print(f"gxnb      render_docx_bytes, drafted + marked             : median {med(real_drafted):6.1f} ms  max {max(real_drafted):6.1f} ms")
    print(f"gxnb      render_report (check + docx + html, disk)       : median {med(full):6.1f} ms  max {max(full):6.1f} ms")
    ok = med(real) <= TARGET_MS
    print(f"per report after the first: {med(real):.1f} ms = {med(real) / med(floor):.2f}× the floor; "
          f"target {TARGET_MS:.0f} ms: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
