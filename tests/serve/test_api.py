"""The JSON API through Starlette's TestClient (the same app the server runs)."""
import io
import warnings
import zipfile
from decimal import Decimal

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from starlette.testclient import TestClient  # noqa: E402

from gxnb_xl.aggregate import aggregate  # noqa: E402
from gxnb_xl.inputs import read_input  # noqa: E402
from gxnb_xl.serve import intake  # noqa: E402
from gxnb_xl.serve.app import create_app  # noqa: E402
from serve_helpers import COUNTY, TOKEN, TOWNS, full, good, report, warned, warned_wb, workbook  # noqa: E402

H = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path):
    app = create_app(tmp_path / "data", TOKEN)
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        yield c
    app.state.store.close()


def new_collection(client, **extra) -> int:
    body = {"year": 2024, "unit": COUNTY, "units": [full(t) if i % 2 else t for i, t in enumerate(TOWNS)], **extra}
    r = client.post("/api/collections", json=body, headers=H)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(client, cid, files: dict, headers=H, **kw):
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files.items()]
    return client.post(f"/api/collections/{cid}/files", files=parts, headers=headers, **kw)


def short(unit: str) -> str:
    return unit.removeprefix("测试县").removesuffix("人民政府") if unit else unit


def states(client, cid) -> dict:
    """Board rows keyed by the short town name (the list mixes 城关镇 and 测试县东坝镇人民政府)."""
    r = client.get(f"/api/collections/{cid}/status", headers=H)
    assert r.status_code == 200
    return {short(u["unit"]): u for u in r.json()["units"]}


def test_every_expected_unit_gets_its_state(client, township_files):
    _, files = township_files
    cid = new_collection(client)
    r = upload(client, cid, files)
    assert r.status_code == 200, r.text
    got = {f["file"]: f for f in r.json()["files"]}
    assert got["城关镇.xlsx"]["status"] == "ok" and got["城关镇.xlsx"]["unit"] == "城关镇"
    assert got["东坝镇-填报.xlsx"]["unit"] == full("东坝镇")  # as the list names it
    assert got["东坝镇-填报.xlsx"]["status"] == "errors"
    assert got["南山镇.xlsx"]["status"] == "warnings"
    assert got["西河乡.xlsx"]["status"] == "unreadable" and got["西河乡.xlsx"]["unit"] == "西河乡"  # by file name
    assert all(f["submission_id"] for f in got.values())
    s = states(client, cid)
    assert {u: s[u]["state"] for u in TOWNS} == {
        "城关镇": "ok", "东坝镇": "errors", "西河乡": "unreadable", "南山镇": "warnings", "北塬乡": "ok",
        "清水镇": "missing"}
    counts = client.get(f"/api/collections/{cid}/status", headers=H).json()["counts"]
    assert counts == {"missing": 1, "ok": 2, "warnings": 1, "errors": 1, "unreadable": 1, "returned": 0, "late": 0}
    # the duplicate: two versions of 北塬乡, the later one active
    beiyuan = s["北塬乡"]
    assert beiyuan["version"] == 2 and beiyuan["submission_id"] == got["北塬乡(1).xlsx"]["submission_id"]


def test_a_missing_unit_after_the_deadline_is_late(client):
    cid = new_collection(client, deadline="2020-01-20")
    assert {u["state"] for u in states(client, cid).values()} == {"late"}
    upload(client, cid, {"城关镇.xlsx": good("城关镇", 1)})
    row = states(client, cid)["城关镇"]
    assert row["state"] == "ok" and row["late"] is True  # received after the deadline: its state, marked late
    counts = client.get(f"/api/collections/{cid}/status", headers=H).json()["counts"]
    assert counts["late"] == len(TOWNS) - 1 and counts["ok"] == 1


def test_findings_carry_cells_messages_and_the_likely_wrong_cell(client, township_files):
    _, files = township_files
    cid = new_collection(client)
    sid = {f["file"]: f["submission_id"] for f in upload(client, cid, files).json()["files"]}["东坝镇-填报.xlsx"]
    s = client.get(f"/api/submissions/{sid}", headers=H).json()
    assert short(s["unit"]) == "东坝镇" and s["version"] == 1 and s["status"] == "errors"
    errors = [f for f in s["findings"] if f["severity"] == "error"]
    assert errors and all(f["decision"] is None for f in errors)
    f = errors[0]
    assert f["code"].startswith("R3") and f["cells"] and "表三" in f["message"]
    assert any(x["cell"] == "t3.new.natural" for x in f["suspects"])
    en = client.get(f"/api/submissions/{sid}?lang=en", headers=H).json()
    assert "Table" in next(x for x in en["findings"] if x["id"] == f["id"])["message"]


def test_an_accepted_warning_survives_a_resubmission_with_the_same_numbers(client):
    cid = new_collection(client)
    rep = warned("南山镇", 3)
    first = upload(client, cid, {"南山镇.xlsx": workbook(rep)}).json()["files"][0]
    s = client.get(f"/api/submissions/{first['submission_id']}", headers=H).json()
    (w,) = [f for f in s["findings"] if f["severity"] == "warning"]
    r = client.post(f"/api/submissions/{s['id']}/findings/{w['id']}/decision",
                    json={"decision": "accept", "note": "本年开展文件清理，规章为上级转发", "by": "李审核"}, headers=H)
    assert r.status_code == 200 and r.json()["decision"] == "accept"
    assert states(client, cid)["南山镇"]["state"] == "ok"  # every warning accepted
    rep.extra["contact"] = "王五"  # re-saved with another contact: new bytes, same numbers
    second = upload(client, cid, {"南山镇-修改.xlsx": workbook(rep)}).json()["files"][0]
    assert second["submission_id"] != first["submission_id"] and second["version"] == 2
    s2 = client.get(f"/api/submissions/{second['submission_id']}", headers=H).json()
    (w2,) = [f for f in s2["findings"] if f["severity"] == "warning"]
    assert w2["decision"]["decision"] == "accept" and w2["decision"]["note"].startswith("本年开展文件清理")
    assert w2["decision"]["by"] == "李审核" and w2["decision"]["at"]
    assert states(client, cid)["南山镇"]["state"] == "ok"


def test_errors_cannot_be_accepted_but_can_be_returned(client, township_files):
    _, files = township_files
    cid = new_collection(client)
    sid = {f["file"]: f["submission_id"] for f in upload(client, cid, files).json()["files"]}["东坝镇-填报.xlsx"]
    fid = client.get(f"/api/submissions/{sid}", headers=H).json()["findings"][0]["id"]
    r = client.post(f"/api/submissions/{sid}/findings/{fid}/decision", json={"decision": "accept", "note": "x"}, headers=H)
    assert r.status_code == 400 and "错误不能接受" in r.json()["message"]
    r = client.post(f"/api/submissions/{sid}/findings/{fid}/decision",
                    json={"decision": "return", "note": "表三自然人列请核对"}, headers=H)
    assert r.status_code == 200
    assert states(client, cid)["东坝镇"]["state"] == "returned"
    z = zipfile.ZipFile(io.BytesIO(client.get(f"/api/collections/{cid}/feedback.zip", headers=H).content))
    names = z.namelist()
    assert any(n.startswith(full("东坝镇") + "/") and n.endswith(".xlsx") for n in names)
    review = next(n for n in names if n.endswith(".txt"))
    text = z.read(review).decode("utf-8-sig")
    assert "表三自然人列请核对" in text and "应为" in text or "建议" in text
    bad = client.post(f"/api/submissions/{sid}/findings/{fid}/decision", json={"decision": "maybe"}, headers=H)
    assert bad.status_code == 400
    # the corrected workbook answers the return: a new version, no longer returned
    fixed = upload(client, cid, {"东坝镇-更正.xlsx": good("东坝镇", 2)}).json()["files"][0]
    assert fixed["version"] == 2 and fixed["status"] == "ok"
    assert states(client, cid)["东坝镇"]["state"] == "ok"


def test_the_county_workbook_equals_gxnb_aggregate_of_the_included_files(client, township_files, tmp_path):
    folder, files = township_files
    cid = new_collection(client)
    upload(client, cid, files)
    r = client.get(f"/api/collections/{cid}/aggregate.xlsx", headers=H)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    out = tmp_path / "county.xlsx"
    out.write_bytes(r.content)
    county = read_input(out).report
    # the included files: every active version without errors (北塬乡's later file, not the first)
    included = [folder / n for n in ("城关镇.xlsx", "南山镇.xlsx", "北塬乡(1).xlsx")]
    expected = aggregate([str(p) for p in included], unit=COUNTY, jobs=1)
    assert expected.report is not None
    for cid_, v in expected.totals.items():
        if expected.report.spec.cells[cid_].input:
            got = county.values.get(cid_)
            assert (got is None and v is None) or Decimal(str(got)) == Decimal(str(v)), cid_
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("汇总情况").to_python()
    lines = [" ".join(map(str, r)) for r in rows]
    assert any("北塬乡（第 2 版：北塬乡(1).xlsx）" in x and " 是 " in x for x in lines)  # summed, named by unit and version
    assert any("东坝镇人民政府（第 1 版" in x and "错误" in x for x in lines)  # listed, not summed
    assert any("西河乡（第 1 版" in x and "西河乡.xlsx：" in x for x in lines)  # the upload's name, not the store's
    assert any("清水镇" in x for x in lines)


def test_accepted_warnings_appear_as_notes_in_the_summary_sheet(client, tmp_path):
    cid = new_collection(client)
    sid = upload(client, cid, {"南山镇.xlsx": warned_wb("南山镇", 3),
                               "城关镇.xlsx": good("城关镇", 1)}).json()["files"][0]["submission_id"]
    fid = client.get(f"/api/submissions/{sid}", headers=H).json()["findings"][0]["id"]
    client.post(f"/api/submissions/{sid}/findings/{fid}/decision", json={"decision": "accept", "note": "上级规章转发"}, headers=H)
    out = tmp_path / "c.xlsx"
    out.write_bytes(client.get(f"/api/collections/{cid}/aggregate.xlsx", headers=H).content)
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("汇总情况").to_python()
    assert any("说明：上级规章转发" in str(c) for r in rows for c in r)


def test_word_report_templates_and_dashboard(client, township_files):
    _, files = township_files
    cid = new_collection(client)
    upload(client, cid, files)
    docx = client.get(f"/api/collections/{cid}/report.docx", headers=H)
    assert docx.status_code == 200 and zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml")
    z = zipfile.ZipFile(io.BytesIO(client.get(f"/api/collections/{cid}/templates.zip", headers=H).content))
    assert len(z.namelist()) == len(TOWNS) and z.namelist()[0].startswith("01-城关镇")
    d = client.get(f"/api/collections/{cid}/dashboard", headers=H).json()
    assert {short(u) for u, _ in d["applications"]} == {"城关镇", "东坝镇", "南山镇", "北塬乡", "西河乡"}
    assert client.get(f"/c/{cid}/dashboard", headers=H).text.count("<svg") >= 4


def test_the_hierarchy_check_names_each_differing_cell(client, township_files):
    _, files = township_files
    cid = new_collection(client)
    upload(client, cid, files)
    own = report("城关镇", 1)  # the county's own report: the one township's numbers, not the sum
    own.unit, own.level = COUNTY, "county"
    r = upload(client, cid, {"县本级.xlsx": workbook(own)}).json()["files"][0]
    assert r["role"] == "county" and r["unit"] is None
    h = client.get(f"/api/collections/{cid}/hierarchy", headers=H).json()
    assert h["county_submission"] == r["submission_id"]
    assert h["differences"] and all(d["county"] != d["sum"] for d in h["differences"])
    assert [short(u) for u in h["missing_units"]] == ["清水镇"]


# ── security ──────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"},
                                     {"Cookie": "gxnb_token=wrong"}])
def test_requests_without_the_token_are_refused(client, headers):
    for path in ("/api/collections", "/", "/static/app.js", "/c/1", "/no/such/page"):
        r = client.get(path, headers=headers)
        assert r.status_code == 401, path
    assert client.post("/api/collections", json={"year": 2024}, headers=headers).status_code == 401


def test_the_printed_address_sets_a_cookie_and_posts_need_the_csrf_token(client):
    r = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303 and "gxnb_token" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    client.cookies.set("gxnb_token", TOKEN)
    page = client.get("/collections/new")
    assert page.status_code == 200 and "新建收集" in page.text
    body = {"year": "2024", "unit": COUNTY, "units": "城关镇\n东坝镇"}
    assert client.post("/collections/new", data=body, follow_redirects=False).status_code == 403
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/collections/new", data={**body, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/c/")
    assert client.get(r.headers["location"]).status_code == 200
    # a cross-site post is refused even with a cookie
    assert client.post("/collections/new", data={**body, "csrf": csrf}, headers={"Origin": "http://evil.example"},
                       follow_redirects=False).status_code == 403
    client.cookies.clear()


def test_a_township_link_uploads_and_sees_only_its_own_unit(client):
    cid = new_collection(client)
    links = {short(u["unit"]): u["link"] for u in client.get(f"/api/collections/{cid}", headers=H).json()["units"]}
    token = links["城关镇"].rsplit("/t/", 1)[1]
    T = {"Authorization": f"Bearer {token}"}
    ok = upload(client, cid, {"our.xlsx": good("城关镇", 1)}, headers=T).json()["files"][0]
    assert short(ok["unit"]) == "城关镇" and ok["status"] == "ok"
    other = upload(client, cid, {"theirs.xlsx": good("东坝镇", 2)}, headers=T).json()["files"][0]
    assert other["status"] == "refused" and other["submission_id"] is None
    assert client.get(f"/api/submissions/{ok['submission_id']}", headers=T).status_code == 200
    theirs = upload(client, cid, {"d.xlsx": good("东坝镇", 2)}).json()["files"][0]
    assert client.get(f"/api/submissions/{theirs['submission_id']}", headers=T).status_code == 403
    for path in (f"/api/collections/{cid}/status", f"/api/collections/{cid}/aggregate.xlsx", "/api/collections"):
        assert client.get(path, headers=T).status_code == 403, path
    assert client.get(f"/t/{token}").status_code == 200
    bad = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/t/{bad}").status_code == 401


def test_limits_and_sniffing(client, monkeypatch):
    cid = new_collection(client)
    wb = good("城关镇", 1)
    docx_like = io.BytesIO()
    with zipfile.ZipFile(docx_like, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", len(wb) + 10)
    r = upload(client, cid, {"城关镇.pdf": wb, "东坝镇.xlsx": docx_like.getvalue(), "../../西河乡.xlsx": wb + b"x" * 100})
    got = {f["file"]: f for f in r.json()["files"]}
    assert got["城关镇.pdf"]["status"] == "ok"  # the bytes are a workbook, whatever the name says
    assert got["东坝镇.xlsx"]["status"] == "unreadable" and "Word" in got["东坝镇.xlsx"]["message"]
    assert got["../../西河乡.xlsx"]["status"] == "refused" and "MB" in got["../../西河乡.xlsx"]["message"]
    names = [p.name for p in (client.app.state.store.root / "objects").rglob("*") if p.is_file()]
    assert all(len(n.split(".")[0]) == 64 for n in names)
    monkeypatch.setattr(intake, "MAX_FILES", 2)
    r = upload(client, cid, {"a.xlsx": wb, "b.xlsx": wb, "c.xlsx": wb})
    assert r.status_code == 413 and "最多" in r.json()["message"]


def test_a_zip_of_workbooks_is_taken_apart(client):
    cid = new_collection(client)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("乡镇/城关镇.xlsx", good("城关镇", 1))
        z.writestr("乡镇/东坝镇.xlsx", good("东坝镇", 2))
        z.writestr("乡镇/~$城关镇.xlsx", b"lock")
    files = upload(client, cid, {"全部.zip": buf.getvalue()}).json()["files"]
    assert sorted(short(f["unit"]) for f in files) == ["东坝镇", "城关镇"]
    assert all(f["file"].startswith("全部.zip/") for f in files)


def test_collection_settings_are_validated(client):
    for body, word in [({"year": "abc", "unit": "x", "units": ["a"]}, "年度"),
                       ({"year": 2024, "format": "2019", "unit": "x", "units": ["a"]}, "2021"),
                       ({"year": 2024, "unit": "", "units": ["a"]}, "汇总单位"),
                       ({"year": 2024, "unit": "x", "units": []}, "名单"),
                       ({"year": 2024, "unit": "x", "units": ["城关镇", "城关镇人民政府"]}, "同一单位"),
                       ({"year": 2024, "unit": "x", "units": ["a"], "deadline": "明天"}, "日期")]:
        r = client.post("/api/collections", json=body, headers=H)
        assert r.status_code == 400 and word in r.json()["message"], body
    last = new_collection(client, year=2023)
    r = client.post("/api/collections", json={"year": 2024, "unit": COUNTY, "previous": last,
                                              "units_from_previous": True}, headers=H)
    assert r.status_code == 201
    c = client.get(f"/api/collections/{r.json()['id']}", headers=H).json()
    assert c["previous"] == last and len(c["units"]) == len(TOWNS)


def test_last_years_collection_serves_as_previous(client, tmp_path):
    last = new_collection(client, year=2023)
    old = report("南山镇", 7, year=2023)
    upload(client, last, {"南山镇2023.xlsx": workbook(old)})
    cid = new_collection(client)
    assert client.get(f"/api/collections/{cid}", headers=H).json()["previous"] == last
    rep = report("南山镇", 8)
    rep.values["t2.normative.in_force"] = (old.values["t2.normative.in_force"] or 0) + 50  # X2 no longer holds
    f = upload(client, cid, {"南山镇.xlsx": workbook(rep)}).json()["files"][0]
    codes = {x["code"] for x in client.get(f"/api/submissions/{f['submission_id']}", headers=H).json()["findings"]}
    assert "X2" in codes
    # the county sums are checked against last year's collection too (gxnb aggregate --previous)
    out = tmp_path / "c.xlsx"
    out.write_bytes(client.get(f"/api/collections/{cid}/aggregate.xlsx", headers=H).content)
    from python_calamine import CalamineWorkbook
    text = "\n".join(" ".join(map(str, r)) for r in CalamineWorkbook.from_path(str(out)).get_sheet_by_name("汇总情况").to_python())
    assert "上年度（2023 年）收集中 1 个单位的有效版本之和" in text and "X2" in text
    assert str(tmp_path) not in text and "/tmp" not in text


def test_a_published_word_report_is_imported_and_checked(client):
    """A unit that sends its published Word report instead of the workbook: the importer reads it
    back into data, which is checked like any other report."""
    from gxnb_xl.word import render_docx_bytes
    cid = new_collection(client)
    rep = report("城关镇", 1)
    f = upload(client, cid, {"城关镇年报.docx": render_docx_bytes(rep)}).json()["files"][0]
    assert f["unit"] == "城关镇" and f["status"] != "unreadable", f
    s = client.get(f"/api/submissions/{f['submission_id']}", headers=H).json()
    assert s["report"]["year"] == 2024 and s["report"]["unit"] == full("城关镇")


def test_the_bad_input_corpus_gets_the_same_verdicts_as_gxnb_check(client, tmp_path):
    """The project's corpus of bad inputs (scripts/make_bad_inputs.py, without the LibreOffice
    cases) in one upload: every file is answered with the status the library's check door gives
    the same file (``gxnb check``), unusable ones with a Chinese reason — never a crash."""
    import sys
    from pathlib import Path

    from gxnb_xl.check.pipeline import check_file
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import make_bad_inputs
    cases = [c for c in make_bad_inputs.make_corpus(tmp_path / "bad", soffice=False)
             if c.command == "check" and c.path.is_file()]
    assert len(cases) > 30
    cid = new_collection(client)
    r = client.post(f"/api/collections/{cid}/files", headers=H,
                    files=[("files", (c.path.name, c.path.read_bytes(), "application/octet-stream")) for c in cases])
    assert r.status_code == 200
    got = r.json()["files"]
    assert len(got) == len(cases)
    for case, f in zip(cases, got):
        assert f["status"] == check_file(case.path).status, (case.name, f, f.get("message"))
        if f["status"] == "unreadable":
            assert f["message"] and "Traceback" not in f["message"], case.name


def test_a_full_disk_is_a_plain_message_and_records_nothing(client, monkeypatch):
    cid = new_collection(client)
    store = client.app.state.store

    def full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(store, "put", full)
    r = upload(client, cid, {"城关镇.xlsx": good("城关镇", 1)})
    assert r.status_code == 507 and "磁盘" in r.json()["message"]
    assert store.query("SELECT count(*) FROM submissions")[0][0] == 0


def test_an_unmatched_file_is_listed_and_can_be_assigned(client):
    cid = new_collection(client)
    f = upload(client, cid, {"report.xlsx": good("不在名单镇", 4)}).json()["files"][0]
    assert f["unit"] is None and f["submission_id"]
    st = client.get(f"/api/collections/{cid}/status", headers=H).json()
    assert [u["submission_id"] for u in st["unmatched"]] == [f["submission_id"]]
    assert st["counts"]["missing"] == len(TOWNS)
    r = client.post(f"/api/submissions/{f['submission_id']}/unit", json={"unit": "清水镇"}, headers=H)
    assert r.status_code == 200 and r.json()["version"] == 1
    row = states(client, cid)["清水镇"]
    assert row["submission_id"] == f["submission_id"] and row["state"] == "ok"
    assert client.get(f"/api/collections/{cid}/status", headers=H).json()["unmatched"] == []
