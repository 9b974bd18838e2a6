"""Page images of rendered reports for the README: docs/img/report-2021-p1.png, -p2.png (tables),
docs/img/report-2019-p1.png and docs/img/report-unchecked-p1.png (the 未通过校验 mark).

Renders example reports with the real renderer, converts them with LibreOffice (one start, the
package's fonts.conf maps 仿宋_GB2312/方正小标宋简体/黑体/楷体_GB2312 to Noto CJK / AR PL UKai) and
rasterises pages with pdftoppm (poppler-utils). Usage: python scripts/make_report_figure.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxnb_xl.office import convert, find_soffice  # noqa: E402
from gxnb_xl.report import load_report, write_bytes_atomic  # noqa: E402
from gxnb_xl.word import render_report  # noqa: E402

IMG = ROOT / "docs" / "img"
DPI = 70
JOBS = [  # (source, name, pages, render_report options)
    (ROOT / "examples" / "county-2024" / "01-城关镇.json", "report-2021", (1, 2), {}),
    # the seed's section 六 is empty: drafted from the tables, so the page shows the 草稿 mark
    (ROOT / "examples" / "seeds" / "003-shuanglong-2020.json", "report-2019", (1,), {"draft": True}),
    (ROOT / "examples" / "county-2024" / "06-清水镇.json", "report-unchecked", (1,), {"force": True}),
]


def main() -> int:
    if not find_soffice() or not shutil.which("pdftoppm"):
        print("needs LibreOffice (soffice) and pdftoppm (poppler-utils)", file=sys.stderr)
        return 2
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        docs = []
        for src, name, _, options in JOBS:
            docs.append(render_report(load_report(src), tmp / f"{name}.docx", **options).docx)
        pdfs = convert(docs, "pdf", tmp)
        for (src, name, pages, _), pdf in zip(JOBS, pdfs):
            for page in pages:
                stem = tmp / f"{name}-p{page}"
                subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page),
                                "-singlefile", str(pdf), str(stem)], check=True)
                out = IMG / f"{name}-p{page}.png"
                write_bytes_atomic(out, stem.with_suffix(".png").read_bytes())
                print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
