"""Demo step: the macro-enabled template with the buttons 校验 / 生成Word / 导出JSON (out/*.xlsm).

The buttons themselves need Microsoft Excel with Python; here the demo proves what can be proved
on this machine: the embedded VBA project is built from macros/ and up to date, and the check the
校验 button runs on a saved workbook is `gxnb check` on the same file.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"


def run(*args, ok=(0,)) -> int:
    print("$ " + " ".join(map(str, args)), flush=True)
    rc = subprocess.run(list(map(str, args)), cwd=ROOT).returncode
    return 0 if rc in ok else rc or 1


def main() -> int:
    OUT.mkdir(exist_ok=True)
    gxnb = [sys.executable, "-m", "gxnb_xl"]
    rc = run(sys.executable, "scripts/build_vba.py", "--check")
    rc |= run(*gxnb, "template", "--xlsm", "--format", "2021", "-o", "out/template-2021-按钮.xlsm")
    example = ROOT / "examples" / "county-2024" / "06-清水镇.json"
    if example.exists():
        rc |= run(*gxnb, "template", "--xlsm", "--data", example.relative_to(ROOT), "-o", "out/filled-06-清水镇.xlsm")
        # what the 校验 button computes (exit 1: the demo township has a slip)
        rc |= run(*gxnb, "check", "out/filled-06-清水镇.xlsm", ok=(0, 1, 2))
    print("在 Microsoft Excel 中打开 out/*.xlsm 并启用宏即可使用按钮；说明见 macros/README.md。")
    return rc


if __name__ == "__main__":
    sys.exit(main())
