"""Demo step: the blank templates (both formats) and one pre-filled workbook, in out/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"


def gxnb(*args) -> int:
    print("$ gxnb " + " ".join(map(str, args)), flush=True)
    return subprocess.run([sys.executable, "-m", "gxnb_xl", *map(str, args)], cwd=ROOT).returncode


def main() -> int:
    OUT.mkdir(exist_ok=True)
    rc = gxnb("template", "--format", "2021", "-o", "out/template-2021.xlsx")
    rc |= gxnb("template", "--format", "2019", "-o", "out/template-2019.xlsx")
    rc |= gxnb("template", "--format", "2021", "--unit", "示范县城关镇人民政府", "--year", "2024",
               "--level", "township", "-o", "out/template-2021-城关镇.xlsx")
    example = ROOT / "examples" / "county-2024" / "01-城关镇.json"
    if example.exists():
        rc |= gxnb("template", "--data", example.relative_to(ROOT), "-o", "out/filled-01-城关镇.xlsx")
    return rc


if __name__ == "__main__":
    sys.exit(main())
