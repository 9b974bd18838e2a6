"""The workbench in real headless Chromium (Debian's ``chromium``) driven by Playwright.

A reviewer opens the printed address, sets up a collection, uploads township workbooks (the file
picker and a drag-and-drop), sees the board in Chinese, opens a finding, accepts a warning with a
reason and downloads the county workbook; the page logs no console error. Screenshots go to the
test's tmp folder (``GXNB_DOCS_SCREENSHOT=1`` also refreshes docs/img/serve-board.png).

Skipped when Chromium or Playwright is absent, unless GXNB_REQUIRE_CHROMIUM=1.
"""
import base64
import os
from pathlib import Path

import pytest

from gxnb_xl.inputs import read_input
import chromium
from serve_helpers import COUNTY, TOKEN, TOWNS

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "serve-board.png"


@pytest.fixture
def browser():
    sync_playwright = chromium.sync_playwright()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium.CHROMIUM, args=chromium.FLAGS)
        yield b
        b.close()


def test_a_reviewer_works_through_a_collection_in_chromium(browser, server_factory, township_files, tmp_path):
    folder, files = township_files
    srv = server_factory(tmp_path / "data")
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    shots = tmp_path / "screenshots"
    shots.mkdir()

    # the printed address: no collection yet, so the setup form
    page.goto(f"{srv.url}/?token={TOKEN}")
    assert "新建收集" in page.content()
    page.fill("input[name=year]", "2024")
    page.fill("input[name=unit]", COUNTY)
    page.fill("textarea[name=units]", "\n".join(TOWNS))
    page.fill("input[name=deadline]", "2099-01-20")
    page.screenshot(path=str(shots / "setup.png"), full_page=True)
    page.click("#setup-form button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_url("**/c/*", timeout=5000)
    assert "未报送" in page.inner_text("#counts")

    # files through the picker (the page script posts them to the JSON API), one by drag-and-drop
    picked = [str(folder / n) for n in files if n != "南山镇.xlsx"]
    page.set_input_files("#file-input", picked)
    with page.expect_navigation():
        page.click("#drop button[type=submit]")
    data = base64.b64encode(files["南山镇.xlsx"]).decode()
    with page.expect_navigation():
        page.evaluate("""(b64) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], "南山镇.xlsx"));
            document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
        }""", data)
    page.wait_for_selector("tr[data-unit='南山镇'][data-state='warnings']")

    # the board: one row per expected unit, its state in Chinese
    rows = {r.get_attribute("data-unit"): r for r in page.query_selector_all("#board tbody tr")}
    assert list(rows) == TOWNS
    expect = {"城关镇": "通过", "东坝镇": "有错误", "西河乡": "无法读取", "南山镇": "有提示", "北塬乡": "通过", "清水镇": "未报送"}
    for unit, word in expect.items():
        assert word in rows[unit].inner_text(), unit
    page.screenshot(path=str(shots / "board.png"), full_page=True)
    if os.environ.get("GXNB_DOCS_SCREENSHOT") == "1":
        page.screenshot(path=str(DOCS_IMG), clip={"x": 0, "y": 0, "width": 1280, "height": 760})

    # a filter shows only the units in one state
    page.click("a[data-filter=errors]")
    assert [r.get_attribute("data-unit") for r in page.query_selector_all("#board tbody tr")] == ["东坝镇"]
    page.click("#board a")  # the submission with errors: finding, cell address, likely wrong cell
    assert "最可能有误" in page.content() and "表三" in page.inner_text(".findings")
    page.screenshot(path=str(shots / "errors.png"), full_page=True)
    page.go_back()
    page.go_back()

    # open the warning and accept it with a reason
    page.click("tr[data-unit='南山镇'] a")
    page.wait_for_selector(".finding.sev-warning")
    page.fill(".finding.sev-warning input[name=note]", "本年开展规章清理，数字无误")
    page.fill(".finding.sev-warning input[name=by]", "李审核")
    with page.expect_navigation():
        page.click(".finding.sev-warning button.accept")
    decision = page.inner_text(".finding.sev-warning .decision")
    assert "已接受" in decision and "本年开展规章清理" in decision and "李审核" in decision
    page.screenshot(path=str(shots / "accepted.png"), full_page=True)

    # back on the board the warning no longer needs attention; download the county workbook
    page.click("text=← ")
    assert "通过" in page.inner_text("tr[data-unit='南山镇']")
    with page.expect_download() as dl:
        page.click("#dl-aggregate")
    out = tmp_path / "county.xlsx"
    dl.value.save_as(str(out))
    county = read_input(out).report
    assert county.unit == COUNTY and county.year == 2024

    # the dashboard draws its charts on the server; English on request
    page.goto(f"{srv.url}/c/1/dashboard")
    assert len(page.query_selector_all("svg.chart")) >= 4
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.goto(f"{srv.url}/c/1?lang=en")
    assert "passed" in page.inner_text("#board") and "errors" in page.inner_text("#counts")
    page.goto(f"{srv.url}/c/1?lang=zh")

    # a township's own link shows its unit only
    link = page.input_value("input.link") if page.goto(f"{srv.url}/c/1/links") else None
    town = browser.new_context().new_page()
    town.on("console", lambda m: problems.append(f"township console {m.type}: {m.text}") if m.type == "error" else None)
    town.goto(link)
    assert "城关镇" in town.inner_text("h1") and "东坝镇" not in town.content()
    town.context.close()

    assert problems == []
    ctx.close()
