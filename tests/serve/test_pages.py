"""The HTML pages through TestClient: board filters, submission page, setup with units.txt,
upload links, a township's page and its form upload, English, errors, static files."""
import re
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from starlette.testclient import TestClient  # noqa: E402

from gxnb_xl.serve.app import create_app  # noqa: E402
from serve_helpers import COUNTY, TOKEN, TOWNS, good, warned_wb  # noqa: E402

H = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path):
    app = create_app(tmp_path / "data", TOKEN)
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        c.cookies.set("gxnb_token", TOKEN)
        yield c
    app.state.store.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def setup(client) -> int:
    page = client.get("/collections/new")
    r = client.post("/collections/new", data={"csrf": csrf_of(page.text), "year": "2024", "unit": COUNTY,
                                              "units": "", "deadline": "2099-01-31"},
                    files={"units_file": ("units.txt", "\n".join(TOWNS).encode("gb18030"), "text/plain")},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_setup_with_a_units_file_then_the_board(client):
    cid = setup(client)
    board = client.get(f"/c/{cid}").text
    assert all(f'data-unit="{t}"' in board for t in TOWNS)  # units.txt in GBK, as Notepad saves it
    assert board.count('data-state="missing"') == len(TOWNS)
    assert client.get("/").text == board  # / shows the newest collection's board
    # a state nobody is in is shown muted, not in its alarm colour (the deadline is in 2099: none is late)
    late = re.search(r'<a [^>]*data-filter="late"[^>]*>', board).group(0)
    missing = re.search(r'<a [^>]*data-filter="missing"[^>]*>', board).group(0)
    assert "zero" in late.split('class="')[1] and "zero" not in missing.split('class="')[1]


def test_setup_errors_are_shown_on_the_form(client):
    page = client.get("/collections/new")
    r = client.post("/collections/new", data={"csrf": csrf_of(page.text), "year": "2024", "unit": "", "units": "a"})
    assert r.status_code == 400 and "请填写汇总单位名称" in r.text


def test_filters_submission_page_and_decisions_by_form(client):
    cid = setup(client)
    page = client.get(f"/c/{cid}")
    files = [("files", ("南山镇.xlsx", warned_wb("南山镇", 3))), ("files", ("城关镇.xlsx", good("城关镇", 1)))]
    r = client.post(f"/c/{cid}/upload", data={"csrf": csrf_of(page.text)}, files=files)
    assert r.status_code == 200 and "有提示" in r.text and "通过" in r.text
    only = client.get(f"/c/{cid}?state=warnings").text
    assert 'data-unit="南山镇"' in only and 'data-unit="城关镇"' not in only
    sid = int(re.search(r'href="/s/(\d+)">南山镇', only).group(1))
    sub = client.get(f"/s/{sid}").text
    assert "W2.1" in sub and "表二!D4" in sub and "最可能有误" in sub
    fid = re.search(r'name="finding" value="(\d+)"', sub).group(1)
    r = client.post(f"/s/{sid}/decide", data={"csrf": csrf_of(sub), "finding": fid, "decision": "accept",
                                              "note": "规章为转发上级", "by": "王审核"}, follow_redirects=False)
    assert r.status_code == 303
    sub = client.get(f"/s/{sid}").text
    assert "规章为转发上级" in sub and "王审核" in sub
    assert 'data-state="ok"' in client.get(f"/c/{cid}?state=ok").text
    # without the form's CSRF field the same post is refused
    assert client.post(f"/s/{sid}/decide", data={"finding": fid, "decision": "return"}).status_code == 403


def test_links_and_a_townships_own_page(client):
    cid = setup(client)
    links = re.findall(r'value="(http://[^"]+/t/[^"]+)"', client.get(f"/c/{cid}/links").text)
    assert len(links) == len(TOWNS)
    path = links[0].split("8765", 1)[1]
    town = TestClient(client.app, base_url="http://127.0.0.1:8765")
    page = town.get(path)
    assert page.status_code == 200 and "城关镇" in page.text and "gxnb_unit" in page.headers["set-cookie"]
    r = town.post(path + "/upload", data={"csrf": csrf_of(page.text)},
                  files=[("files", ("ours.xlsx", good("城关镇", 1)))])
    assert r.status_code == 200 and "通过" in r.text
    # the page script posts to the link's own JSON door; the reviewer's cookie in the same browser does not interfere
    town.cookies.set("gxnb_token", TOKEN)
    r = town.post(path + "/files", headers={"X-CSRF-Token": csrf_of(page.text)},
                  files=[("files", ("again.xlsx", good("城关镇", 9)))])
    assert r.status_code == 200 and r.json()["files"][0]["version"] == 2
    town.cookies.delete("gxnb_token")
    assert town.get(f"/c/{cid}").status_code == 403  # the board is the reviewer's
    assert town.get("/api/collections").status_code == 403


def test_english_pages_and_errors(client):
    cid = setup(client)
    en = client.get(f"/c/{cid}?lang=en")
    assert "not received" in en.text and "gxnb_lang=en" in en.headers["set-cookie"]
    assert "not received" in client.get(f"/c/{cid}").text  # remembered
    client.get(f"/c/{cid}?lang=zh")
    missing = client.get("/c/999")
    assert missing.status_code == 404 and "没有这次收集" in missing.text
    assert client.get("/no/such/page").status_code == 404


def test_only_the_packages_own_static_files_are_served(client):
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    for bad in ("/static/..%2Fapp.py", "/static/store.py", "/static/%2e%2e/%2e%2e/README.md", "/static/"):
        assert client.get(bad).status_code == 404, bad


def test_a_bug_is_a_plain_message_not_a_traceback(tmp_path, monkeypatch):
    from gxnb_xl.serve import outputs
    app = create_app(tmp_path / "data", TOKEN)
    monkeypatch.setattr(outputs, "dashboard", lambda *a, **k: 1 / 0)
    with TestClient(app, raise_server_exceptions=False) as c:
        cid = c.post("/api/collections", json={"year": 2024, "unit": COUNTY, "units": TOWNS}, headers=H).json()["id"]
        r = c.get(f"/api/collections/{cid}/dashboard", headers=H)
        assert r.status_code == 500 and "内部错误" in r.json()["message"] and "Traceback" not in r.text
        page = c.get(f"/c/{cid}/dashboard", headers=H)
        assert page.status_code == 500 and "内部错误" in page.text and "Traceback" not in page.text
    app.state.store.close()
