"""Build the committed blank Excel templates: templates/template-<format>.xlsx.

    python scripts/build_templates.py          # (re)write them
    python scripts/build_templates.py --check  # exit 1 when a committed template is stale
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxnb_xl.excel.template import build_workbook_bytes, write_workbook  # noqa: E402
from gxnb_xl.spec import FORMAT_IDS  # noqa: E402


def template_path(format_id: str) -> Path:
    return ROOT / "templates" / f"template-{format_id}.xlsx"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for fmt in FORMAT_IDS:
        path = template_path(fmt)
        if check:
            if not path.exists() or path.read_bytes() != build_workbook_bytes(fmt):
                stale.append(path)
            continue
        path.parent.mkdir(exist_ok=True)
        write_workbook(path, fmt)
        print(f"wrote {path.relative_to(ROOT)}")
    for p in stale:
        print(f"stale: {p.relative_to(ROOT)} (run python scripts/build_templates.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
