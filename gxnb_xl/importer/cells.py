"""The one row format every source is turned into: ``label | 3 | 0 | ∅`` (no imports: every reader uses it)."""
from __future__ import annotations

import re

BLANK = "∅"  # an empty table cell (kept so later cells do not shift)
_WS = re.compile(r"[ \t\r\n\u3000\u00a0]+")


def cell_parts(parts: list[str]) -> str:
    """One cell's text pieces as one line, without the row separator inside."""
    text = _WS.sub(" ", " ".join(parts)).strip()
    return text.replace("|", "｜")


def cell_text(text: str) -> str:
    """One table cell's text as a line of the shared row format (no separators inside)."""
    return cell_parts([text])
