"""Demo step: sum the demo county's townships into out/county-2024.xlsx (or .json before the
workbook writer exists), with a unit list that names one township which has not reported."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"
COUNTY = ROOT / "examples" / "county-2024"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    units = OUT / "county-2024-units.txt"
    names = sorted(p.stem.split("-", 1)[-1] for p in COUNTY.iterdir() if p.suffix in (".json", ".xlsx"))
    # the county's list of townships that must report: the example ones plus one that has not sent
    units.write_text("# 示范县应报送乡镇（演示）\n" + "\n".join(dict.fromkeys(names)) + "\n马营镇\n", encoding="utf-8")
    try:
        import gxnb_xl.excel.template  # noqa: F401
        output = OUT / "county-2024.xlsx"
    except Exception:  # not built yet (or mid-edit): still show the sums, as report JSON
        output = OUT / "county-2024.json"
        print("（工作簿写出模块尚未就绪，汇总结果写为 JSON / workbook writer not built yet: writing JSON）")
    rel = lambda p: str(p.relative_to(ROOT))  # noqa: E731
    args = ["aggregate", rel(COUNTY), "-o", rel(output), "--units", rel(units)]
    print("$ gxnb " + " ".join(args), flush=True)
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", *args], cwd=ROOT)
    # 1 is expected: 清水镇 has a typing slip and 马营镇 has not reported
    if proc.returncode not in (0, 1) or not output.exists():
        print(f"!! aggregate failed with exit code {proc.returncode}", file=sys.stderr)
        return proc.returncode or 1
    json_out = OUT / "county-2024-aggregate.json"
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", "aggregate", rel(COUNTY), "--units", rel(units), "--json"],
                          cwd=ROOT, capture_output=True, text=True)
    json_out.write_text(proc.stdout, encoding="utf-8")
    print(f"  → {output.relative_to(ROOT)}, {json_out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
