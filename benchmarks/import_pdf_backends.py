"""Two ways to read a PDF's text layer, measured on the same files: which one the importer uses.

* pypdfium2 (PDFium; Apache-2.0/BSD-3) — what ``gxnb_xl.importer.pdf`` uses: ruling lines from the
  page's path objects, cell text from the character boxes inside each cell;
* pdfplumber (MIT, on pdfminer.six) — its own ruled-table finder (``find_tables``) and text
  extraction, fed to the same table reader.

Both are scored with the same table reader against the truth of each file (cells right / wrong /
blank) and timed (median of several runs). Imported by ``benchmarks/import.py``; run alone:
``python benchmarks/import_pdf_backends.py`` (needs LibreOffice to make the PDFs).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "importer"))

from gxnb_xl.importer.reader import read_text  # noqa: E402
from gxnb_xl.importer.cells import BLANK, cell_text  # noqa: E402


def plumber_text(path: Path) -> str:
    import pdfplumber
    out: list[str] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            y = 0.0
            for t in tables:
                x0, top, x1, bottom = t.bbox
                if top > y:
                    band = page.crop((0, y, page.width, top)).extract_text() or ""
                    out += band.split("\n")
                for row in t.extract():
                    cells = [cell_text((c or "").replace("\n", "")) or BLANK for c in row if c is not None]
                    if any(c != BLANK for c in cells):
                        out.append(" | ".join(cells))
                y = max(y, bottom)
            band = page.crop((0, y, page.width, page.height)).extract_text() or ""
            out += band.split("\n")
    return "\n".join(out)


def pdfium_text(path: Path) -> str:
    from gxnb_xl.importer.pdf import pdf_text
    return pdf_text(path.read_bytes(), path.name)


def pdfium_plain(path: Path) -> str:
    """Baseline: PDFium's text in reading order, no table geometry."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


BACKENDS = {"pypdfium2 + ruling grid (used)": pdfium_text, "pdfplumber find_tables": plumber_text,
            "pypdfium2 text order only": pdfium_plain}


def median_ms(fn, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def compare(cases: list[tuple[Path, dict]], *, runs: int = 3) -> dict:
    from imp_score import score
    res = {}
    for name, fn in BACKENDS.items():
        right = wrong = blank = 0
        ms = 0.0
        for path, truth in cases:
            try:
                text = fn(path)
            except Exception as exc:  # noqa: BLE001 - a backend failing on a file is a result too
                print(f"  {name}: {path.name}: {type(exc).__name__}")
                blank += len(truth["values"])
                continue
            got = read_text(text, kind="pdf").report.to_json_dict()["values"]
            r, w, b = score(got, truth)
            right, wrong, blank = right + r, wrong + len(w), blank + b
            ms += median_ms(lambda: fn(path), runs)
        res[name] = {"right": right, "wrong": wrong, "blank": blank, "ms": ms}
    return res


def main() -> int:
    import tempfile

    from pdf_corpus import build
    with tempfile.TemporaryDirectory() as tmp:
        cases = build(Path(tmp))
        cases = [c for c in cases if not c[0].stem.startswith("bare-")]
        pages = 0
        import pypdfium2 as pdfium
        for p, _ in cases:
            d = pdfium.PdfDocument(str(p))
            pages += len(d)
            d.close()
        print(f"{len(cases)} PDFs made by LibreOffice ({pages} pages; tables with borders)")
        base = None
        for name, r in compare(cases).items():
            total = r["right"] + r["wrong"] + r["blank"]
            base = base or r["ms"]
            print(f"{name:34s} right {r['right']:5d}/{total} wrong {r['wrong']:3d} blank {r['blank']:4d} | "
                  f"read text {r['ms']:7.0f} ms ({r['ms'] / pages:5.1f} ms/page) | x{r['ms'] / base:4.1f} of the used one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
