"""Demo step: sum the demo county's townships into the county workbook out/county-2024.xlsx (or
.json before the workbook writer exists), with a unit list that names one township which has not
reported; then the same through real workbooks: each township written as a filled template into
out/county-2024-xlsx/ (plus the lock file Excel leaves beside an open workbook), that folder
summed into out/county-2024-from-workbooks.xlsx, and its sums checked against the first run's."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"
COUNTY = ROOT / "examples" / "county-2024"
WORKBOOKS = OUT / "county-2024-xlsx"


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def gxnb(args: list, capture: bool = False) -> subprocess.CompletedProcess:
    if not capture:
        print("$ gxnb " + " ".join(map(str, args)), flush=True)
    return subprocess.run([sys.executable, "-m", "gxnb_xl", *map(str, args)], cwd=ROOT,
                          capture_output=capture, text=True)


def aggregate(folder: Path, output: Path, units: Path, json_out: Path) -> dict | None:
    """One county run written to ``output``, then its --json kept in ``json_out``."""
    proc = gxnb(["aggregate", rel(folder), "-o", rel(output), "--units", rel(units), "--force"])
    # 1 is expected: 清水镇 has a typing slip and 马营镇 has not reported
    if proc.returncode not in (0, 1) or not output.exists():
        print(f"!! aggregate failed with exit code {proc.returncode}", file=sys.stderr)
        return None
    proc = gxnb(["aggregate", rel(folder), "--units", rel(units), "--json"], capture=True)
    json_out.write_text(proc.stdout, encoding="utf-8")
    print(f"  → {rel(output)}, {rel(json_out)}")
    return json.loads(proc.stdout)


def write_workbooks() -> list[Path]:
    """Each example township as the filled official template, as a township would send it."""
    from gxnb_xl.excel.template import write_workbook
    from gxnb_xl.report import load_report
    WORKBOOKS.mkdir(exist_ok=True)
    written = []
    for src in sorted(COUNTY.glob("*.json")):
        rep = load_report(src)
        written.append(write_workbook(WORKBOOKS / f"{src.stem}.xlsx", rep.format, rep))
    # the owner file Excel/WPS leaves while 城关镇's workbook is open: listed and skipped
    (WORKBOOKS / f"~${written[0].name}").write_bytes(b"\x08\x00" + "王某".encode("utf-16-le") + b"\x00" * 50)
    print(f"  已将 {len(written)} 个乡镇报告写为填报工作簿（及一个 Excel 锁文件）→ {rel(WORKBOOKS)}/")
    return written


def main() -> int:
    OUT.mkdir(exist_ok=True)
    units = OUT / "county-2024-units.txt"
    names = sorted(p.stem.split("-", 1)[-1] for p in COUNTY.iterdir() if p.suffix in (".json", ".xlsx"))
    # the county's list of townships that must report: the example ones plus one that has not sent
    units.write_text("# 示范县应报送乡镇（演示）\n" + "\n".join(dict.fromkeys(names)) + "\n马营镇\n", encoding="utf-8")
    try:
        import gxnb_xl.excel.reader  # noqa: F401
        import gxnb_xl.excel.template  # noqa: F401
        workbooks = True
    except Exception:  # not built yet (or mid-edit): still show the sums, as report JSON
        workbooks = False
        print("（工作簿模块尚未就绪，汇总结果写为 JSON / workbook writer not built yet: writing JSON）")
    output = OUT / ("county-2024.xlsx" if workbooks else "county-2024.json")
    first = aggregate(COUNTY, output, units, OUT / "county-2024-aggregate.json")
    if first is None:
        return 1
    if not workbooks:
        return 0

    print("\n  同一批乡镇改为报送 Excel 工作簿 / the same townships as workbooks:", flush=True)
    write_workbooks()
    second = aggregate(WORKBOOKS, OUT / "county-2024-from-workbooks.xlsx", units,
                       OUT / "county-2024-xlsx-aggregate.json")
    if second is None:
        return 1
    summed = lambda d: sorted(Path(f["file"]).stem for f in d["files"] if f["included"])  # noqa: E731
    if second["totals"] != first["totals"] or summed(second) != summed(first):
        print("!! 工作簿汇总结果与 JSON 汇总结果不一致 / workbook and JSON sums differ", file=sys.stderr)
        return 1
    print(f"  工作簿与 JSON 两种报送方式汇总结果一致：{len(summed(second))} 个乡镇已汇总，"
          f"{sum(1 for f in second['files'] if not f['included'])} 个文件未汇总（原因见“汇总情况”表）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
