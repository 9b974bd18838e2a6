"""Horizontal bar charts as inline SVG, drawn on the server (the page works offline)."""
from __future__ import annotations

from html import escape

ROW, LABEL_W, BAR_W, PAD = 22, 190, 360, 6


def bars(items, *, title: str = "", share: bool = False, limit: int = 60) -> str:
    """``items``: (label, number) pairs. ``share``: also print each bar's percentage."""
    items = [(str(k), int(v or 0)) for k, v in items][:limit]
    total = sum(v for _, v in items) or 1
    top = max([v for _, v in items] or [0]) or 1
    height = PAD * 2 + ROW * max(len(items), 1) + (20 if title else 0)
    width = LABEL_W + BAR_W + 90
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-label="{escape(title)}">']
    y = PAD
    if title:
        out.append(f'<text x="0" y="{y + 12}" class="chart-title">{escape(title)}</text>')
        y += 20
    if not items:
        out.append(f'<text x="0" y="{y + 14}" class="chart-empty">—</text>')
    for label, v in items:
        w = round(BAR_W * v / top)
        short = label if len(label) <= 14 else label[:13] + "…"
        pct = f" ({v * 100 / total:.0f}%)" if share else ""
        out.append(f'<g><title>{escape(label)}: {v}{pct}</title>'
                   f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" class="chart-label">{escape(short)}</text>'
                   f'<rect x="{LABEL_W}" y="{y + 3}" width="{max(w, 1 if v else 0)}" height="{ROW - 6}" class="chart-bar"/>'
                   f'<text x="{LABEL_W + w + 4}" y="{y + 15}" class="chart-value">{v}{pct}</text></g>')
        y += ROW
    out.append("</svg>")
    return "".join(out)
