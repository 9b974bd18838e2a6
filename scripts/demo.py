"""`make demo`: the whole pipeline on the bundled examples, results in out/.

Each step prints what it did; a step whose part of the pipeline is not built yet is skipped
with a note. Exit status is 0 when every step ran (findings in the examples are expected:
the demo county contains one township with a typing slip).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
GXNB = [sys.executable, "-m", "gxnb_xl"]
COUNTY = ROOT / "examples" / "county-2024"
SEEDS = ROOT / "examples" / "seeds"


def run(title: str, args: list[str], ok_codes=(0, 1), capture: Path | None = None) -> int:
    print(f"\n== {title}\n$ gxnb {' '.join(str(a) for a in args)}", flush=True)
    proc = subprocess.run(GXNB + [str(a) for a in args], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE if capture else None)
    if capture:
        capture.write_text(proc.stdout, encoding="utf-8")
        print(f"  → {capture.relative_to(ROOT)}")
    if proc.returncode not in ok_codes:
        print(f"!! step failed with exit code {proc.returncode}", file=sys.stderr)
        sys.exit(proc.returncode or 1)
    return proc.returncode


def available(command: str) -> bool:
    from gxnb_xl.cli import COMMANDS, _exists
    return _exists(COMMANDS[command][0])


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    steps = []
    # 1. the format as data
    run("格式说明 / the format (spec)", ["spec", "--format", "2021", "--json"], capture=OUT / "spec-2021.json")
    steps.append("spec")
    # 2. check the seed reports and the demo county (JSON)
    run("校验五份已发布的报告 / check the five published seed reports", ["check", *sorted(SEEDS.glob("*.json"))])
    run("校验示范县 12 个乡镇 / check the demo county's 12 townships", ["check", *sorted(COUNTY.glob("*.json"))])
    run("校验结果 JSON / findings as JSON", ["check", "--json", *sorted(COUNTY.glob("*.json"))],
        capture=OUT / "county-check.json")
    steps.append("check")
    for extra in sorted((ROOT / "scripts" / "demo_steps").glob("*.py")) if (ROOT / "scripts" / "demo_steps").exists() else []:
        print(f"\n== {extra.stem}", flush=True)
        proc = subprocess.run([sys.executable, str(extra)], cwd=ROOT)
        if proc.returncode != 0:
            sys.exit(proc.returncode)
        steps.append(extra.stem)
    summary = json.loads((OUT / "county-check.json").read_text(encoding="utf-8"))
    slips = [r["file"] for r in summary if r["status"] == "errors"]
    print(f"\n完成 / done: {', '.join(steps)}. 有错误的乡镇 / townships with errors: {slips}")
    print(f"结果在 / results in {OUT}")


if __name__ == "__main__":
    main()
