"""Figures for the README, rendered by LibreOffice (headless) with the Chinese fonts of
gxnb_xl/resources/fonts.conf:

    python scripts/make_figures.py            # docs/img/template-2021.png

The template part fills the 2021 template with a synthetic township report (seeded), converts
it to PDF and renders the 表三 page to PNG with pdftoppm. Other parts may add their figures here.
"""
from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

IMG = ROOT / "docs" / "img"


def template_figure(tmp: Path) -> Path:
    from lo import convert  # tests/lo.py: forced recalculation, fonts.conf

    from gxnb_xl.excel.layout import layout_of
    from gxnb_xl.excel.template import write_workbook
    from gxnb_xl.testing.synth import random_report

    report = random_report(random.Random(2024), "2021", unit="示范县城关镇人民政府", year=2024, level="township")
    # one slip so the figure shows what a failing check looks like
    report.values["t3.carried_out.natural"] = (report.values["t3.carried_out.natural"] or 0) + 1
    src = write_workbook(tmp / "template-2021.xlsx", "2021", report)
    pdf = convert(src, "pdf", tmp)[0]
    sheets = [s for s in layout_of("2021").sheets if not s.startswith("_")]
    page = sheets.index("表三") + 1  # each sheet fits one page
    stem = tmp / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile",
                    "-x", "0", "-y", "0", "-W", "910", "-H", "540", str(pdf), str(stem)], check=True)
    IMG.mkdir(parents=True, exist_ok=True)
    out = IMG / "template-2021.png"
    shutil.copyfile(stem.with_suffix(".png"), out)
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as d:
        print(f"wrote {template_figure(Path(d)).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
