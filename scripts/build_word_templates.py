"""Write the official Word templates templates/report-<format>.docx from the format data.

Deterministic: running it twice gives identical bytes, and tests/word/test_template.py proves the
committed files equal a fresh build. Usage: python scripts/build_word_templates.py [--check]
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxnb_xl.outputs import write_bytes_atomic  # noqa: E402
from gxnb_xl.spec import FORMAT_IDS  # noqa: E402
from gxnb_xl.word.build import build_template  # noqa: E402


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for fmt in FORMAT_IDS:
        path = ROOT / "templates" / f"report-{fmt}.docx"
        data = build_template(fmt)
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path.name)
            continue
        path.parent.mkdir(exist_ok=True)
        write_bytes_atomic(path, data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    if stale:
        print("stale: " + ", ".join(stale) + " (run python scripts/build_word_templates.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
