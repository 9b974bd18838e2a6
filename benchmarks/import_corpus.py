"""Real published reports: cells right / wrong / left blank per file, with the import time.

Right is good, blank is acceptable (the importer was unsure and said why), wrong is a bug. The
files are ``tests/importer/fixtures/corpus`` (seven county departments' reports as a crawler stored
the web pages: cells run together, lines gone) and, with ``--pdf`` (needs LibreOffice), the PDF,
.doc and workbook versions made from them by ``tests/importer/pdf_corpus.py``. This script measures
accuracy; the times printed are single cold imports (the speed bars, with their baselines, are in
``benchmarks/import.py``). Exit 1 when any cell is wrong.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "importer"))

from imp_score import score  # noqa: E402
from gxnb_xl.importer import import_file  # noqa: E402
from pdf_corpus import corpus_cases  # noqa: E402


def run(cases, label: str) -> tuple[int, int, int, int]:
    tot = [0, 0, 0, 0]
    for path, truth in cases:
        t = time.perf_counter()
        res = import_file(path)
        ms = (time.perf_counter() - t) * 1000
        got = res.report.to_json_dict()
        right, wrong, blank = score(got["values"], truth)
        meta = all(got[k] == truth[k] for k in ("format", "year"))
        tot[0] += right
        tot[1] += len(wrong)
        tot[2] += blank
        tot[3] += len(truth["values"])
        print(f"{label:5s} {path.name:34s} right {right:3d}  wrong {len(wrong):2d}  blank {blank:3d}  "
              f"format+year {'ok' if meta else 'WRONG'}  {ms:6.1f} ms")
        for w in wrong[:5]:
            print(f"      WRONG {w}")
    return tuple(tot)


def main() -> int:
    cases = corpus_cases()
    r, w, b, n = run(cases, "text")
    print(f"text  total: right {r}/{n} ({r / n:.1%}), wrong {w}, blank {b}")
    bad = w
    if "--pdf" in sys.argv:
        from pdf_corpus import build, build_office
        with tempfile.TemporaryDirectory() as tmp:
            pdfs = build(Path(tmp))
            office = build_office(Path(tmp))
            for kind, group in (("pdf", pdfs), ("xlsx", office["xlsx"]), ("doc", office["doc"])):
                r, w, b, n = run(group, kind)
                print(f"{kind:5s} total: right {r}/{n} ({r / n:.1%}), wrong {w}, blank {b}")
                bad += w
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
