"""Storage of the workbench: one SQLite database (WAL) and a content-addressed file store.

Layout of the data folder::

    gxnb.sqlite3            collections, units, submissions, findings, decisions (schema below)
    objects/ab/<sha256>.<ext>  every original file, named by the SHA-256 of its bytes, never modified
    tmp/                    files being written (emptied at start: a crash leaves nothing visible)

A file is durable before its row exists: bytes go to ``tmp/``, are fsync'ed, renamed into
``objects/`` and the folder is fsync'ed; only then does the transaction that names it commit
(``synchronous=FULL``). A request is answered after that commit, so an acknowledged file and
its row survive a kill -9 or a power cut; an interrupted write leaves at most an unreferenced
complete object (harmless) or a temporary file that the next start removes.

Nothing here knows HTTP or how files are checked: the app hands in checked results.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from ..record import record

SCHEMA_VERSION = 1
DB_NAME = "gxnb.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    format TEXT NOT NULL,
    unit TEXT NOT NULL,                 -- the county (the body that sums)
    deadline TEXT,                      -- ISO date (inclusive) or NULL
    previous_id INTEGER REFERENCES collections(id),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    key TEXT NOT NULL,                  -- normalised name (matching)
    token TEXT NOT NULL,                -- secret of the unit's upload link
    UNIQUE (collection_id, key)
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    ext TEXT NOT NULL,                  -- from content sniffing, never from the upload's name
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id),
    unit_id INTEGER REFERENCES units(id),   -- NULL: not matched to an expected unit
    role TEXT NOT NULL DEFAULT 'unit',      -- unit | county (the county's own filed report)
    version INTEGER,                        -- per unit, 1, 2, …; NULL when unmatched
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    filename TEXT NOT NULL,                 -- as uploaded: shown, never used as a path
    received_at TEXT NOT NULL,
    source TEXT NOT NULL,                   -- reviewer | unit link
    status TEXT NOT NULL,                   -- ok | warnings | errors | unreadable
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    report_unit TEXT, report_year INTEGER, report_format TEXT, report_level TEXT,
    message_zh TEXT, message_en TEXT,       -- why unreadable
    values_json TEXT                        -- effective values (totals recomputed) for charts/sums
);
CREATE INDEX IF NOT EXISTS submissions_unit ON submissions(unit_id, version);
CREATE INDEX IF NOT EXISTS submissions_collection ON submissions(collection_id);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    seq INTEGER NOT NULL,
    rule TEXT NOT NULL,
    instance TEXT NOT NULL,
    code TEXT NOT NULL,                     -- finer kind (blank, text_number, …) or ''
    severity TEXT NOT NULL,                 -- error | warning | info
    status TEXT NOT NULL,                   -- fail | indeterminate | rule_error
    cells TEXT NOT NULL,                    -- JSON list of cell ids
    match_key TEXT NOT NULL,                -- rule + code + cells: the same finding in a later version
    message_zh TEXT NOT NULL,
    message_en TEXT NOT NULL,
    detail TEXT NOT NULL                    -- JSON: addresses, suspects, values
);
CREATE INDEX IF NOT EXISTS findings_submission ON findings(submission_id);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    finding_id INTEGER REFERENCES findings(id),  -- NULL: about the whole submission
    decision TEXT NOT NULL,                      -- accept | return | clear
    note TEXT NOT NULL DEFAULT '',
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    carried_from INTEGER REFERENCES decisions(id)
);
CREATE INDEX IF NOT EXISTS decisions_submission ON decisions(submission_id);
"""


def now_iso() -> str:
    return _dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


class StoreError(Exception):
    """The data folder cannot be used (not writable, a newer schema, a broken database)."""


@record(frozen=True)
class StoredFile:
    """An original kept by content: its digest, size and path."""

    sha256: str
    size: int
    ext: str
    path: Path


class Store:
    """The data folder. Thread-safe: one connection, one lock (SQLite writes are serial anyway)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        try:
            (self.root / "objects").mkdir(parents=True, exist_ok=True)
            (self.root / "tmp").mkdir(exist_ok=True)
        except OSError as exc:
            raise StoreError(f"数据文件夹无法使用：{self.root}（{exc.strerror}）") from None
        self._folder_lock = _lock_folder(self.root)  # one server per data folder
        self._clean_tmp()
        self._lock = threading.RLock()
        try:
            self.db = sqlite3.connect(self.root / DB_NAME, check_same_thread=False, isolation_level=None,
                                      timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # a commit is on disk when it returns
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(f"数据文件夹由更新版本的 gxnb 建立（结构版本 {row[0]}），请升级 gxnb-xl")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"数据库无法打开：{self.root / DB_NAME}（{exc}）") from None

    def close(self) -> None:
        with self._lock:
            self.db.close()
        if self._folder_lock is not None:
            self._folder_lock.close()  # closing the file releases the lock
            self._folder_lock = None

    # ── transactions ────────────────────────────────────────────────────────────────────
    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE … COMMIT under the store's lock; rolled back on any exception."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    def one(self, sql: str, params=()) -> sqlite3.Row | None:
        with self._lock:
            return self.db.execute(sql, params).fetchone()

    # ── the file store ──────────────────────────────────────────────────────────────────
    def _clean_tmp(self) -> None:
        for p in (self.root / "tmp").iterdir():
            try:
                p.unlink()
            except OSError:
                pass

    def object_path(self, sha256: str, ext: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256")
        if not ext.isalnum():
            raise ValueError("bad extension")
        return self.root / "objects" / sha256[:2] / f"{sha256}.{ext}"

    def put(self, data: bytes, ext: str, *, sync_dirs: bool = True) -> StoredFile:
        """Write ``data`` durably under its SHA-256 (temp file, fsync, rename, folder fsync).

        The caller commits the row naming it afterwards; writing the same bytes twice is a no-op.
        ``sync_dirs=False``: the caller fsyncs the folders itself (``sync``) before committing —
        one folder fsync per batch instead of two per file."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.object_path(sha, ext)
        if path.is_file() and path.stat().st_size == len(data):
            return StoredFile(sha, len(data), ext, path)
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o444)  # originals are never modified
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        if sync_dirs:
            self.sync([path])
        return StoredFile(sha, len(data), ext, path)

    def sync(self, paths) -> None:
        """fsync the folders holding ``paths`` (and ``objects/``): their renames are then durable."""
        for d in {Path(p).parent for p in paths}:
            _fsync_dir(d)
        _fsync_dir(self.root / "objects")

    def blob_path(self, sha256: str) -> Path | None:
        row = self.one("SELECT ext FROM blobs WHERE sha256=?", (sha256,))
        return self.object_path(sha256, row["ext"]) if row else None

    # ── collections and units ───────────────────────────────────────────────────────────
    def create_collection(self, *, year: int, format_id: str, unit: str, units: list[tuple[str, str]],
                          deadline: str | None = None, previous_id: int | None = None) -> int:
        """``units``: (name, normalised key) in list order; keys must be unique."""
        with self.transaction() as db:
            cid = db.execute("INSERT INTO collections (year, format, unit, deadline, previous_id, created_at)"
                             " VALUES (?,?,?,?,?,?)", (year, format_id, unit, deadline, previous_id, now_iso())).lastrowid
            db.executemany("INSERT INTO units (collection_id, position, name, key, token) VALUES (?,?,?,?,?)",
                           [(cid, i, name, key, secrets.token_urlsafe(18)) for i, (name, key) in enumerate(units)])
        return cid

    def collection(self, cid: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM collections WHERE id=?", (cid,))

    def collections(self) -> list[sqlite3.Row]:
        return self.query("SELECT c.*, (SELECT count(*) FROM units u WHERE u.collection_id=c.id) AS n_units "
                          "FROM collections c ORDER BY c.id DESC")

    def units(self, cid: int) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM units WHERE collection_id=? ORDER BY position", (cid,))

    def unit(self, uid: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM units WHERE id=?", (uid,))

    # ── submissions ─────────────────────────────────────────────────────────────────────
    def add_submissions(self, items: list[dict]) -> list[dict]:
        """Record checked files in ONE transaction (their objects are already durable).

        Each item: collection_id, unit_id (or None), role, stored (StoredFile), filename, source,
        status, errors, warnings, report (dict of unit/year/format/level or {}), message_zh/_en,
        values (dict or None), findings (list of dicts: rule, instance, code, severity, status,
        cells, message_zh, message_en, detail).

        Returns per item {"submission_id", "version", "duplicate"}: a file whose bytes equal the
        unit's latest version is that version again (a retried upload), not a new one. Accept
        decisions of earlier versions are carried to the same findings (rule + code + cells)."""
        out = []
        with self.transaction() as db:
            for it in items:
                st: StoredFile = it["stored"]
                db.execute("INSERT OR IGNORE INTO blobs (sha256, size, ext, created_at) VALUES (?,?,?,?)",
                           (st.sha256, st.size, st.ext, now_iso()))
                uid = it.get("unit_id")
                version = None
                if uid is not None:
                    last = db.execute("SELECT id, version, sha256 FROM submissions WHERE unit_id=? AND role='unit' "
                                      "ORDER BY version DESC LIMIT 1", (uid,)).fetchone()
                    if last is not None and last["sha256"] == st.sha256:
                        out.append({"submission_id": last["id"], "version": last["version"], "duplicate": True})
                        continue
                    version = (last["version"] if last else 0) + 1
                rep = it.get("report") or {}
                sid = db.execute(
                    "INSERT INTO submissions (collection_id, unit_id, role, version, sha256, filename, received_at, "
                    "source, status, errors, warnings, report_unit, report_year, report_format, report_level, "
                    "message_zh, message_en, values_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (it["collection_id"], uid, it.get("role", "unit"), version, st.sha256, it["filename"], now_iso(),
                     it.get("source", "reviewer"), it["status"], it.get("errors", 0), it.get("warnings", 0),
                     rep.get("unit"), rep.get("year"), rep.get("format"), rep.get("level"),
                     it.get("message_zh"), it.get("message_en"),
                     json.dumps(it["values"], ensure_ascii=False) if it.get("values") is not None else None)).lastrowid
                keys = []
                for seq, f in enumerate(it.get("findings") or ()):
                    key = match_key(f["rule"], f.get("code", ""), f["cells"], f.get("instance", ""))
                    fid = db.execute(
                        "INSERT INTO findings (submission_id, seq, rule, instance, code, severity, status, cells, "
                        "match_key, message_zh, message_en, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (sid, seq, f["rule"], f.get("instance", f["rule"]), f.get("code", ""), f["severity"],
                         f.get("status", "fail"), json.dumps(list(f["cells"])), key, f["message_zh"],
                         f.get("message_en") or f["message_zh"],
                         json.dumps(f.get("detail") or {}, ensure_ascii=False))).lastrowid
                    keys.append((fid, key))
                if uid is not None and version and version > 1 and keys:
                    self._carry_decisions(db, uid, sid, keys)
                out.append({"submission_id": sid, "version": version, "duplicate": False})
        return out

    @staticmethod
    def _carry_decisions(db, uid: int, sid: int, keys: list[tuple[int, str]]) -> None:
        """The latest accept of each finding key in any earlier version of the unit, if still in force."""
        rows = db.execute(
            "SELECT f.match_key, d.* FROM decisions d JOIN findings f ON f.id = d.finding_id "
            "JOIN submissions s ON s.id = d.submission_id WHERE s.unit_id=? AND s.id<>? ORDER BY d.id",
            (uid, sid)).fetchall()
        latest: dict[str, sqlite3.Row] = {}
        per_finding: dict[int, sqlite3.Row] = {}
        for r in rows:  # the current decision of each earlier finding
            per_finding[r["finding_id"]] = r
        for r in per_finding.values():
            if r["decision"] == "accept":
                prev = latest.get(r["match_key"])
                if prev is None or r["id"] > prev["id"]:
                    latest[r["match_key"]] = r
        for fid, key in keys:
            r = latest.get(key)
            if r is not None:
                db.execute("INSERT INTO decisions (submission_id, finding_id, decision, note, by, at, carried_from)"
                           " VALUES (?,?,?,?,?,?,?)", (sid, fid, "accept", r["note"], r["by"], r["at"],
                                                        r["carried_from"] or r["id"]))

    def submission(self, sid: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM submissions WHERE id=?", (sid,))

    def findings(self, sid: int) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM findings WHERE submission_id=? ORDER BY seq", (sid,))

    def versions(self, uid: int) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM submissions WHERE unit_id=? AND role='unit' ORDER BY version DESC", (uid,))

    def assign_unit(self, sid: int, uid: int) -> int:
        """Give an unmatched submission to an expected unit: it becomes that unit's newest version."""
        with self.transaction() as db:
            last = db.execute("SELECT max(version) FROM submissions WHERE unit_id=? AND role='unit'", (uid,)).fetchone()[0]
            version = (last or 0) + 1
            db.execute("UPDATE submissions SET unit_id=?, version=?, role='unit' WHERE id=?", (uid, version, sid))
        return version

    def set_role(self, sid: int, role: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE submissions SET role=?, unit_id=NULL, version=NULL WHERE id=?", (role, sid))

    # ── decisions ───────────────────────────────────────────────────────────────────────
    def decide(self, sid: int, finding_id: int | None, decision: str, note: str, by: str) -> dict:
        if decision not in ("accept", "return", "clear"):
            raise ValueError(decision)
        at = now_iso()
        with self.transaction() as db:
            did = db.execute("INSERT INTO decisions (submission_id, finding_id, decision, note, by, at) "
                             "VALUES (?,?,?,?,?,?)", (sid, finding_id, decision, note, by, at)).lastrowid
        return {"id": did, "decision": decision, "note": note, "by": by, "at": at}

    def current_decisions(self, sids: list[int] | None = None, *, collection_id: int | None = None) -> dict[int, dict]:
        """submission id → {"findings": {finding id: decision row}, "submission": row|None}.

        Decisions are appended, never edited: the newest row of a finding (or of the submission
        as a whole) is in force, and 'clear' withdraws it."""
        out: dict[int, dict] = {sid: {"findings": {}, "submission": None} for sid in sids or ()}
        if collection_id is not None:
            batches = [self.query("SELECT d.* FROM decisions d JOIN submissions s ON s.id=d.submission_id "
                                  "WHERE s.collection_id=? ORDER BY d.id", (collection_id,))]
        else:
            batches = [self.query(f"SELECT * FROM decisions WHERE submission_id IN ({','.join('?' * len(c))}) "
                                  "ORDER BY id", c) for c in _chunks(sids or (), 500)]
        for rows in batches:
            for r in rows:
                slot = out.setdefault(r["submission_id"], {"findings": {}, "submission": None})
                if r["finding_id"] is None:
                    slot["submission"] = None if r["decision"] == "clear" else r
                elif r["decision"] == "clear":
                    slot["findings"].pop(r["finding_id"], None)
                else:
                    slot["findings"][r["finding_id"]] = r
        return out

    def warning_findings(self, collection_id: int) -> dict[int, list[int]]:
        """submission id → ids of its failing warning findings (for 'every warning accepted')."""
        out: dict[int, list[int]] = {}
        for r in self.query("SELECT f.id, f.submission_id FROM findings f JOIN submissions s ON s.id=f.submission_id "
                            "WHERE s.collection_id=? AND f.severity='warning' AND f.status='fail'", (collection_id,)):
            out.setdefault(r["submission_id"], []).append(r["id"])
        return out

    # ── the board ───────────────────────────────────────────────────────────────────────
    def latest_by_unit(self, cid: int) -> dict[int, sqlite3.Row]:
        """unit id → its newest submission (the active version)."""
        rows = self.query(
            "SELECT s.* FROM submissions s JOIN (SELECT unit_id, max(version) AS v FROM submissions "
            "WHERE collection_id=? AND role='unit' AND unit_id IS NOT NULL GROUP BY unit_id) m "
            "ON s.unit_id=m.unit_id AND s.version=m.v AND s.role='unit'", (cid,))
        return {r["unit_id"]: r for r in rows}

    def version_counts(self, cid: int) -> dict[int, int]:
        return {r[0]: r[1] for r in self.query("SELECT unit_id, count(*) FROM submissions WHERE collection_id=? "
                                                 "AND role='unit' AND unit_id IS NOT NULL GROUP BY unit_id", (cid,))}

    def unmatched(self, cid: int) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM submissions WHERE collection_id=? AND unit_id IS NULL ORDER BY id", (cid,))

    def integrity(self) -> list[str]:
        """Problems found: the database's own check and every referenced object's hash."""
        problems = [r[0] for r in self.query("PRAGMA integrity_check") if r[0] != "ok"]
        for r in self.query("SELECT sha256, ext, size FROM blobs"):
            p = self.object_path(r["sha256"], r["ext"])
            try:
                data = p.read_bytes()
            except OSError:
                problems.append(f"missing object {p.name}")
                continue
            if hashlib.sha256(data).hexdigest() != r["sha256"] or len(data) != r["size"]:
                problems.append(f"object {p.name} does not match its hash")
        return problems


def match_key(rule: str, code: str, cells, instance: str = "") -> str:
    """What makes a finding 'the same' in the next version: rule, kind and cells (not the words)."""
    return "|".join((rule, code or "", instance or "", ",".join(sorted(cells))))


def _lock_folder(root: Path):
    """Hold an exclusive lock on ``root/lock`` for the store's life: a second server on the same
    folder would empty the first one's tmp/ at its start. Released by the OS when the process ends
    (even by kill -9). Returns the open lock file (None where file locks are not available)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no second-server guard
        return None
    f = open(root / "lock", "a+b")
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise StoreError(f"数据文件夹 {root} 正由另一个 gxnb serve 使用（同一文件夹只能启动一个审核台）") from None
    return f


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _chunks(seq, n):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]
