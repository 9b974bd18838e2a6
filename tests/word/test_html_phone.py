"""The HTML page on a 390-px phone in real headless Chromium: the tables scroll sideways inside
their box, the page itself does not, and no label is squeezed to one character a line (only the
vertical caption 三、本年度办理结果 is one character wide, as printed).

Skipped when Chromium or Playwright is absent, unless GXNB_REQUIRE_CHROMIUM=1."""
from __future__ import annotations

from pathlib import Path


import chromium
from gxnb_xl.report import load_report
from gxnb_xl.word import render_html

ROOT = Path(__file__).resolve().parents[2]

MEASURE = """() => {
  const out = {page: document.documentElement.scrollWidth, boxes: [], narrow: []};
  for (const box of document.querySelectorAll('.gxnb-table')) {
    out.boxes.push({table: box.querySelector('table').dataset.table, scroll: box.scrollWidth, client: box.clientWidth});
  }
  for (const c of document.querySelectorAll('th, td')) {
    const text = c.textContent.trim();
    if (!text || /^[-+0-9.]+$/.test(text) || c.classList.contains('gxnb-vertical')) continue;
    const em = parseFloat(getComputedStyle(c).fontSize);
    const inner = c.clientWidth - parseFloat(getComputedStyle(c).paddingLeft) - parseFloat(getComputedStyle(c).paddingRight);
    if (text.length > 1 && inner < 1.9 * em) out.narrow.push(text);
  }
  return out;
}"""


def test_tables_scroll_on_a_390px_phone(tmp_path):
    sync_playwright = chromium.sync_playwright()
    pages = {}
    for name, fmt in (("r2021", "01-城关镇.json"), ):
        report = load_report(ROOT / "examples" / "county-2024" / fmt)
        path = tmp_path / f"{name}.html"
        path.write_text(render_html(report), encoding="utf-8")
        pages[name] = path
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium.CHROMIUM, args=chromium.FLAGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            for name, path in pages.items():
                page.goto(path.as_uri())
                m = page.evaluate(MEASURE)
                page.screenshot(path=str(tmp_path / f"{name}-390.png"), full_page=True)
                assert m["page"] <= 390, m  # the page never scrolls sideways
                boxes = {b["table"]: b for b in m["boxes"]}
                assert set(boxes) == {"t2", "t3", "t4"}
                for b in boxes.values():  # each table scrolls inside its own box
                    assert b["scroll"] > b["client"], b
                assert m["narrow"] == [], m["narrow"]
        finally:
            browser.close()
