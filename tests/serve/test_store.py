"""The store on its own: content-addressed originals, versions, decisions carried by finding key."""
import hashlib
import os
import sqlite3

import pytest

from gxnb_xl.serve.store import Store, match_key


def _finding(rule="W2.1", cells=("t2.rules.in_force",), severity="warning", message="规章"):
    return {"rule": rule, "instance": f"{rule}[x]", "code": "", "severity": severity, "status": "fail",
            "cells": list(cells), "message_zh": message, "message_en": "rules", "detail": {}}


def _item(store, cid, uid, data: bytes, findings=(), status="warnings"):
    return {"collection_id": cid, "unit_id": uid, "stored": store.put(data, "xlsx"), "filename": "a.xlsx",
            "status": status, "findings": list(findings), "report": {"unit": "城关镇"}, "values": {"a": 1}}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def coll(store):
    cid = store.create_collection(year=2024, format_id="2021", unit="测试县人民政府",
                                  units=[("城关镇", "城关镇"), ("东坝镇", "东坝镇")])
    return cid, [u["id"] for u in store.units(cid)]


def test_database_is_sqlite_in_wal_mode(store):
    assert store.one("PRAGMA journal_mode")[0] == "wal"
    assert (store.root / "gxnb.sqlite3").is_file()


def test_put_names_the_file_by_its_hash_and_never_leaves_temp_files(store):
    data = b"PK\x03\x04 some bytes"
    st = store.put(data, "xlsx")
    assert st.path.name == hashlib.sha256(data).hexdigest() + ".xlsx"
    assert st.path.read_bytes() == data
    assert st.path.parent.name == st.sha256[:2]
    assert not os.access(st.path, os.W_OK) or os.geteuid() == 0  # originals are read-only
    assert list((store.root / "tmp").iterdir()) == []
    assert store.put(data, "xlsx").path == st.path  # the same bytes: the same object


def test_object_names_never_come_from_outside(store):
    with pytest.raises(ValueError):
        store.object_path("../../etc/passwd", "xlsx")
    with pytest.raises(ValueError):
        store.object_path("a" * 64, "../x")


def test_a_restart_removes_half_written_temp_files(tmp_path):
    s = Store(tmp_path / "d")
    (s.root / "tmp" / "tmpabc.part").write_bytes(b"half")
    s.close()
    s2 = Store(tmp_path / "d")
    assert list((s2.root / "tmp").iterdir()) == []
    s2.close()


def test_versions_grow_and_identical_bytes_are_the_same_version(store, coll):
    cid, (u1, u2) = coll
    r = store.add_submissions([_item(store, cid, u1, b"one"), _item(store, cid, u1, b"two"),
                               _item(store, cid, u1, b"two"), _item(store, cid, u2, b"one")])
    assert [x["version"] for x in r] == [1, 2, 2, 1]
    assert [x["duplicate"] for x in r] == [False, False, True, False]
    assert r[2]["submission_id"] == r[1]["submission_id"]
    latest = store.latest_by_unit(cid)
    assert latest[u1]["version"] == 2 and latest[u2]["version"] == 1
    # sending the first file again after the second makes it the newest version again
    r2 = store.add_submissions([_item(store, cid, u1, b"one")])
    assert r2[0]["version"] == 3 and not r2[0]["duplicate"]


def test_an_accept_is_carried_to_the_same_finding_of_the_next_version(store, coll):
    cid, (u1, _) = coll
    (s1,) = store.add_submissions([_item(store, cid, u1, b"v1", [_finding(), _finding("X2", ("t2.normative.in_force",))])])
    f1 = store.findings(s1["submission_id"])
    store.decide(s1["submission_id"], f1[0]["id"], "accept", "本年开展文件清理", "张三")
    store.decide(s1["submission_id"], f1[1]["id"], "return", "请核实", "张三")
    (s2,) = store.add_submissions([_item(store, cid, u1, b"v2", [_finding(message="words may differ"),
                                                                 _finding("X2", ("t2.normative.in_force",))])])
    f2 = store.findings(s2["submission_id"])
    cur = store.current_decisions([s2["submission_id"]])[s2["submission_id"]]["findings"]
    assert cur[f2[0]["id"]]["decision"] == "accept"
    assert cur[f2[0]["id"]]["note"] == "本年开展文件清理" and cur[f2[0]["id"]]["by"] == "张三"
    assert f2[1]["id"] not in cur  # a return is answered by the new version, never carried
    # a different cell is a different finding
    (s3,) = store.add_submissions([_item(store, cid, u1, b"v3", [_finding(cells=("t2.rules.issued",))])])
    assert store.current_decisions([s3["submission_id"]])[s3["submission_id"]]["findings"] == {}


def test_a_withdrawn_accept_is_not_carried(store, coll):
    cid, (u1, _) = coll
    (s1,) = store.add_submissions([_item(store, cid, u1, b"v1", [_finding()])])
    fid = store.findings(s1["submission_id"])[0]["id"]
    store.decide(s1["submission_id"], fid, "accept", "说明", "张三")
    store.decide(s1["submission_id"], fid, "clear", "", "张三")
    assert store.current_decisions([s1["submission_id"]])[s1["submission_id"]]["findings"] == {}
    (s2,) = store.add_submissions([_item(store, cid, u1, b"v2", [_finding()])])
    assert store.current_decisions([s2["submission_id"]])[s2["submission_id"]]["findings"] == {}


def test_a_failed_batch_records_nothing(store, coll):
    cid, (u1, _) = coll
    bad = _item(store, cid, u1, b"x")
    bad["findings"] = [{"rule": None}]  # breaks inside the transaction
    with pytest.raises(Exception):
        store.add_submissions([_item(store, cid, u1, b"fine"), bad])
    assert store.query("SELECT count(*) FROM submissions")[0][0] == 0


def test_integrity_finds_a_tampered_object(store, coll):
    cid, (u1, _) = coll
    (r,) = store.add_submissions([_item(store, cid, u1, b"original bytes")])
    assert store.integrity() == []
    path = store.blob_path(store.submission(r["submission_id"])["sha256"])
    os.chmod(path, 0o644)
    path.write_bytes(b"changed")
    assert any("hash" in p for p in store.integrity())


def test_match_key_ignores_cell_order_and_words():
    assert match_key("R3.1", "", ["b", "a"]) == match_key("R3.1", "", ["a", "b"])
    assert match_key("R3.1", "", ["a"]) != match_key("R3.2", "", ["a"])


def test_a_newer_schema_is_refused(tmp_path):
    from gxnb_xl.serve.store import StoreError
    s = Store(tmp_path / "d")
    s.db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    s.close()
    with pytest.raises(StoreError):
        Store(tmp_path / "d")


def test_the_database_file_is_a_real_sqlite_file(store, coll):
    con = sqlite3.connect(store.root / "gxnb.sqlite3")
    assert con.execute("SELECT count(*) FROM units").fetchone()[0] == 2
    con.close()


def test_one_store_per_data_folder(tmp_path):
    from gxnb_xl.serve.store import StoreError
    first = Store(tmp_path / "d")
    with pytest.raises(StoreError, match="另一个"):
        Store(tmp_path / "d")
    first.close()
    Store(tmp_path / "d").close()  # free again once the first is closed
