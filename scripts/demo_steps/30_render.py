"""Demo step: render every example township's report (Word + HTML) into out/reports/, the county
summary when the aggregate step wrote out/county-2024.xlsx, and one PDF when LibreOffice is here.

清水镇 has a typing slip: gxnb render refuses it (exit 1, errors listed), so it is rendered again
with --force, which marks every page 未通过校验. The county summary has no narrative: render refuses
to publish drafted text (exit 1, sections listed), so it is rendered again with --draft (every page
marked 草稿). The demo starts from an empty out/, so nothing is overwritten."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "reports"
COUNTY = ROOT / "examples" / "county-2024"


def gxnb(*args, quiet: bool = False) -> int:
    rel = [str(a.relative_to(ROOT)) if isinstance(a, Path) else a for a in args]
    print("$ gxnb " + " ".join(rel), flush=True)
    proc = subprocess.run([sys.executable, "-m", "gxnb_xl", *rel], cwd=ROOT,
                          capture_output=quiet, text=True)
    return proc.returncode


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    failed = 0
    for src in sorted(COUNTY.glob("*.json")):
        out = OUT / f"{src.stem}.docx"
        rc = gxnb("render", src, "-o", out, "--html")
        if rc == 1:
            print(f"  ↑ {src.stem}：有错误，按规定拒绝生成；改用 --force 生成带“未通过校验”标注的文档以作演示"
                  f" / refused (errors); rendering with --force to show the mark")
            rc = gxnb("render", src, "-o", OUT / f"{src.stem}-未通过校验.docx", "--force")
            if rc not in (0, 1):
                failed += 1
        elif rc != 0:
            failed += 1
    # the county report: the aggregate step's workbook, else its JSON (before the workbook reader lands)
    rc = 2
    for county in (ROOT / "out" / "county-2024.xlsx", ROOT / "out" / "county-2024.json"):
        if not county.exists():
            continue
        rc = gxnb("render", county, "-o", OUT / "county-2024.docx", "--html")
        if rc == 1:  # no narrative yet (drafted from the tables): a draft for the office to complete
            print("  ↑ 县级汇总没有正文，按规定拒绝发布草拟内容；改用 --draft 生成标注“草稿”的版本 / drafted text: --draft")
            rc = gxnb("render", county, "-o", OUT / "county-2024-草稿.docx", "--html", "--draft")
        if rc == 1 and not (OUT / "county-2024-草稿.docx").exists():  # a township's slip in the sums
            print("  ↑ 县级汇总含错误，改用 --force 演示 / the county sums carry an error: --force")
            rc = gxnb("render", county, "-o", OUT / "county-2024-未通过校验.docx", "--force")
        if rc in (0, 1):
            break
        print(f"  （{county.name} 暂无法读取 / cannot be read yet）")
    if rc not in (0, 1):
        print("  （没有可用的县级汇总，跳过县级报告 / no usable county summary: skipped）")
    sys.path.insert(0, str(ROOT))
    from gxnb_xl.office import find_soffice
    if find_soffice():
        rc = gxnb("render", COUNTY / "01-城关镇.json", "-o", OUT / "01-城关镇-pdf.docx", "--pdf")
        if rc != 0:
            failed += 1
    else:
        print("  （未安装 LibreOffice，跳过 PDF / LibreOffice not installed: no PDF）")
    print(f"  → {OUT.relative_to(ROOT)}/: " + " ".join(sorted(p.name for p in OUT.iterdir() if p.suffix in (".docx", ".pdf"))[:6]) + " …")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
