"""The bar, against a real ``gxnb serve --data D --port P --no-browser`` process (GXNB_TOKEN).

Township workbooks (good, slipped, warned, unreadable, a duplicate, one unit missing; one of them
saved by LibreOffice as a clerk's copy would be) give the right state for every expected unit; an
accepted warning survives a re-saved resubmission and a restart; the county workbook equals
``gxnb aggregate`` of the included files; kill -9 during an upload loses nothing acknowledged;
bound to 0.0.0.0 the server refuses requests without the token or with a wrong one.
"""
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from gxnb_xl.inputs import read_input
from serve_helpers import COUNTY, TOKEN, TOWNS, good, report, warned_wb

H = {"Authorization": f"Bearer {TOKEN}"}


def post_files(base, cid, paths, timeout=120):
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    r = httpx.post(f"{base}/api/collections/{cid}/files", files=files, headers=H, timeout=timeout)
    assert r.status_code == 200, r.text
    return {f["file"]: f for f in r.json()["files"]}


def board(base, cid):
    r = httpx.get(f"{base}/api/collections/{cid}/status", headers=H, timeout=30)
    assert r.status_code == 200
    return {u["unit"]: u for u in r.json()["units"]}


@pytest.fixture(scope="module")
def clerk_saved(tmp_path_factory):
    """城关镇 and 南山镇 (its warning unchanged) re-saved by LibreOffice: one soffice run."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from lo import convert

    src = tmp_path_factory.mktemp("src")
    (src / "城关镇.xlsx").write_bytes(good("城关镇", 1))
    (src / "南山镇.xlsx").write_bytes(warned_wb("南山镇", 3))
    out = tmp_path_factory.mktemp("lo")
    convert([src / "城关镇.xlsx", src / "南山镇.xlsx"], "xlsx", out)
    return {p.name: p for p in out.iterdir()}


def test_the_key_scenario_through_a_real_server(township_files, clerk_saved, server_factory, tmp_path):
    folder, files = township_files
    (folder / "城关镇.xlsx").write_bytes(clerk_saved["城关镇.xlsx"].read_bytes())  # what a clerk saved
    data = tmp_path / "data"
    srv = server_factory(data)
    base = srv.url
    r = httpx.post(f"{base}/api/collections", json={"year": 2024, "unit": COUNTY, "units": TOWNS,
                                                    "deadline": "2099-01-20"}, headers=H)
    assert r.status_code == 201
    cid = r.json()["id"]
    got = post_files(base, cid, [folder / n for n in files])  # 北塬乡(1).xlsx is sent after 北塬乡.xlsx
    assert got["城关镇.xlsx"]["status"] == "ok"
    states = {u: row["state"] for u, row in board(base, cid).items()}
    assert states == {"城关镇": "ok", "东坝镇": "errors", "西河乡": "unreadable", "南山镇": "warnings",
                      "北塬乡": "ok", "清水镇": "missing"}

    # accept 南山镇's warning, then it re-sends the workbook re-saved by LibreOffice (numbers unchanged)
    sid = got["南山镇.xlsx"]["submission_id"]
    (w,) = [f for f in httpx.get(f"{base}/api/submissions/{sid}", headers=H).json()["findings"] if f["severity"] == "warning"]
    r = httpx.post(f"{base}/api/submissions/{sid}/findings/{w['id']}/decision",
                   json={"decision": "accept", "note": "本年开展规章清理，数字无误"}, headers=H)
    assert r.status_code == 200
    again = post_files(base, cid, [clerk_saved["南山镇.xlsx"]])["南山镇.xlsx"]
    assert again["version"] == 2 and again["status"] == "warnings"

    def carried(base):
        s = httpx.get(f"{base}/api/submissions/{again['submission_id']}", headers=H).json()
        (w2,) = [f for f in s["findings"] if f["severity"] == "warning"]
        return w2["code"] == w["code"] and w2["cells"] == w["cells"] and w2["decision"]

    d = carried(base)
    assert d["decision"] == "accept" and d["note"] == "本年开展规章清理，数字无误"
    before = board(base, cid)
    assert before["南山镇"]["state"] == "ok"

    # restart: everything is still there
    srv.stop()
    srv2 = server_factory(data)
    assert board(srv2.url, cid) == before
    assert carried(srv2.url) == d

    # the county workbook equals `gxnb aggregate` of the included files
    xlsx = httpx.get(f"{srv2.url}/api/collections/{cid}/aggregate.xlsx", headers=H, timeout=60)
    assert xlsx.status_code == 200
    (tmp_path / "web.xlsx").write_bytes(xlsx.content)
    included = [folder / "城关镇.xlsx", clerk_saved["南山镇.xlsx"], folder / "北塬乡(1).xlsx"]
    gxnb = Path(sys.executable).with_name("gxnb")
    cli = subprocess.run([str(gxnb), "aggregate", *map(str, included), "-o", str(tmp_path / "cli.xlsx"),
                          "--unit", COUNTY], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    web, ref = read_input(tmp_path / "web.xlsx").report, read_input(tmp_path / "cli.xlsx").report
    assert web.unit == ref.unit == COUNTY
    spec = ref.spec
    compared = 0
    for cell in spec.input_cells:
        a, b = web.values.get(cell), ref.values.get(cell)
        assert (a is None) == (b is None) and (a is None or Decimal(str(a)) == Decimal(str(b))), cell
        compared += a is not None
    assert compared > 100


def test_kill_9_during_an_upload_loses_nothing_acknowledged(server_factory, tmp_path):
    data = tmp_path / "data"
    srv = server_factory(data)
    base = srv.url
    cid = httpx.post(f"{base}/api/collections", json={"year": 2024, "unit": COUNTY, "units": TOWNS}, headers=H).json()["id"]
    first = tmp_path / "first"
    first.mkdir()
    for i, t in enumerate(TOWNS[:3]):
        (first / f"{t}.xlsx").write_bytes(good(t, 10 + i))
    acked = post_files(base, cid, sorted(first.iterdir()))
    sid = acked["城关镇.xlsx"]["submission_id"]
    r = httpx.post(f"{base}/api/submissions/{sid}/decision", json={"decision": "return", "note": "请补充正文"}, headers=H)
    assert r.status_code == 200
    before = board(base, cid)

    # a big upload (600 report JSON files: quick to make) killed while the server stores and checks it
    big = [("files", (f"{TOWNS[3 + i % 3]}-{i}.json", report(TOWNS[3 + i % 3], 100 + i).dumps().encode("utf-8"),
                      "application/json")) for i in range(600)]
    objects = data / "objects"
    n0 = sum(1 for p in objects.rglob("*") if p.is_file())
    outcome = {}

    def send():
        try:
            outcome["r"] = httpx.post(f"{base}/api/collections/{cid}/files", files=big, headers=H, timeout=60)
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    th = threading.Thread(target=send)
    th.start()
    deadline = time.time() + 60
    while time.time() < deadline and sum(1 for p in objects.rglob("*") if p.is_file()) < n0 + 20:
        time.sleep(0.01)
    srv.kill9()
    th.join(30)
    assert "r" not in outcome, "the upload was answered before the kill: nothing was interrupted"

    srv2 = server_factory(data)
    after = board(srv2.url, cid)
    for unit in TOWNS[:3]:
        assert after[unit] == before[unit]  # every acknowledged file, its version and state
    assert after["城关镇"]["state"] == "returned" and after["城关镇"]["note"] == "请补充正文"
    s = httpx.get(f"{srv2.url}/api/submissions/{sid}", headers=H).json()
    assert s["decision"]["note"] == "请补充正文"
    # no half-written file is visible: every object is complete under its own hash
    assert list((data / "tmp").iterdir()) == []
    for p in objects.rglob("*.*"):
        assert hashlib.sha256(p.read_bytes()).hexdigest() == p.name.split(".")[0]
    # the original bytes are served back unchanged
    orig = httpx.get(f"{srv2.url}/api/submissions/{sid}/original", headers=H)
    assert orig.content == (first / "城关镇.xlsx").read_bytes()
    # and the interrupted upload can simply be sent again
    r = httpx.post(f"{srv2.url}/api/collections/{cid}/files", files=big[:30], headers=H, timeout=60)
    assert r.status_code == 200 and len(r.json()["files"]) == 30


def test_bound_to_all_interfaces_every_request_still_needs_the_token(server_factory, tmp_path):
    srv = server_factory(tmp_path / "data", host="0.0.0.0")
    base = srv.url  # asked over loopback only
    for path in ("/", "/api/collections", "/static/app.js", "/collections/new", "/t/1.x"):
        assert httpx.get(base + path).status_code == 401, path
        assert httpx.get(base + path, headers={"Authorization": "Bearer wrong-token"}).status_code == 401, path
        assert httpx.get(base + path, cookies={"gxnb_token": TOKEN[:-1]}).status_code == 401, path
    assert httpx.get(f"{base}/?token=wrong").status_code == 401
    assert httpx.post(f"{base}/api/collections", json={"year": 2024, "unit": "x", "units": ["a"]}).status_code == 401
    assert httpx.get(f"{base}/api/collections", headers=H).status_code == 200
    r = httpx.get(f"{base}/?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303 and r.cookies.get("gxnb_token") == TOKEN


def test_twenty_uploaders_at_once(server_factory, tmp_path):
    """20 clients upload at the same moment (townships through their links, the reviewer with the
    admin token): every file is answered with its own submission and the versions are consecutive."""
    srv = server_factory(tmp_path / "data")
    base = srv.url
    units = [f"并发{i:02d}镇" for i in range(10)]
    cid = httpx.post(f"{base}/api/collections", json={"year": 2024, "unit": COUNTY, "units": units}, headers=H).json()["id"]
    links = {u["unit"]: u["link"].rsplit("/t/", 1)[1]
             for u in httpx.get(f"{base}/api/collections/{cid}", headers=H).json()["units"]}
    payloads = []
    for i in range(20):
        unit = units[i % 10]
        body = good(unit, 500 + i)
        token = links[unit] if i < 10 else TOKEN  # half through the unit's link, half by the reviewer
        payloads.append((unit, token, body))
    (tmp_path / "x").mkdir()
    results, errors = [None] * 20, []
    barrier = threading.Barrier(20)

    def one(i):
        unit, token, body = payloads[i]
        try:
            barrier.wait(10)
            r = httpx.post(f"{base}/api/collections/{cid}/files", headers={"Authorization": f"Bearer {token}"},
                           files=[("files", (f"{unit}.xlsx", body, "application/octet-stream"))], timeout=120)
            results[i] = r
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert all(r is not None and r.status_code == 200 for r in results)
    got = [r.json()["files"][0] for r in results]
    assert all(f["status"] == "ok" and f["submission_id"] for f in got)
    assert len({f["submission_id"] for f in got}) == 20
    rows = board(base, cid)
    for unit in units:
        assert rows[unit]["versions"] == 2 and rows[unit]["version"] == 2 and rows[unit]["state"] == "ok"


def test_a_port_in_use_is_a_plain_message(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        gxnb = Path(sys.executable).with_name("gxnb")
        r = subprocess.run([str(gxnb), "serve", "--data", str(tmp_path / "d"), "--port", str(port), "--no-browser"],
                           capture_output=True, text=True, timeout=60, env=dict(os.environ, GXNB_TOKEN=TOKEN))
    assert r.returncode == 2 and "端口" in r.stderr and "Traceback" not in r.stderr
    assert "已启动" not in r.stdout
