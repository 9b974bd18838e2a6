"""Receiving files: limits, content sniffing, zip expansion, unit matching, store, check, record.

An upload's name is only ever shown; the file on disk is named by its SHA-256 and an extension
chosen from its bytes. Each file is stored durably and checked before one transaction records
the whole batch; the caller answers only after that commit.
"""
from __future__ import annotations

import io
import os
import zipfile

from ..record import record
from .checkdoor import check_path
from .store import Store
from .text import say

MAX_FILE_BYTES = int(os.environ.get("GXNB_MAX_FILE_MB", "20")) * 1024 * 1024
MAX_FILES = int(os.environ.get("GXNB_MAX_FILES", "2000"))  # files per request, zip members included
MAX_ZIP_TOTAL = 400 * 1024 * 1024  # uncompressed bytes taken from one archive
MAX_ZIP_RATIO = 200  # compression ratio above which a member is a bomb, not a workbook


@record
class Incoming:
    """An uploaded file, or why it is not taken."""

    name: str  # as uploaded (archive/member for zip members): for display only
    data: bytes | None
    refused: str = ""  # catalogue key when the file is not taken at all
    params: dict | None = None


# ── what the bytes are ─────────────────────────────────────────────────────────────────
def sniff(data: bytes) -> tuple[str, str]:
    """(extension to store under, kind). Kinds checked: xlsx xlsm xlsb ods xls json, and published
    reports the importer reads (docx, doc, pdf, html, txt); others (a zip of nothing readable,
    unknown bytes) are stored but not read as a report."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "xl/workbook.xml" in names:
                    macro = "xl/vbaProject.bin" in names
                    return ("xlsm", "xlsm") if macro else ("xlsx", "xlsx")
                if "xl/workbook.bin" in names:
                    return "xlsb", "xlsb"
                if "content.xml" in names and "mimetype" in names:
                    kind = z.read("mimetype")[:80]
                    if b"spreadsheet" in kind:
                        return "ods", "ods"
                    return "odt", "odf"
                if "word/document.xml" in names:
                    return "docx", "docx"
                return "zip", "zip"
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return "xlsx", "xlsx"  # a damaged workbook: the reader says what is wrong with it
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if "WordDocument".encode("utf-16-le") in data:
            return "doc", "doc"  # a Word 97 document: the importer reads published reports from it
        return "xls", "xls"  # OLE2: .xls, or an encrypted .xlsx — the reader tells them apart
    if head.startswith(b"%PDF"):
        return "pdf", "pdf"
    text = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return "json", "json"
    low = text[:200].lower()
    if low.startswith(b"<!doctype html") or low.startswith(b"<html") or b"<table" in low:
        return "html", "html"
    if _is_text(data):
        return "txt", "txt"  # text copied from a published report (web page, PDF)
    return "bin", "unknown"


def _is_text(data: bytes) -> bool:
    sample = data[:4096]
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Notepad's "Unicode" (UTF-16 with its byte-order mark)
        sample = sample[:len(sample) // 2 * 2]
        encodings = ("utf-16",)
    elif not sample or b"\x00" in sample:
        return False
    else:
        encodings = ("utf-8", "gb18030")
    for enc in encodings:
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        return sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text)
    return False


def expand(name: str, data: bytes, budget: list[int]) -> list[Incoming]:
    """A zip archive of files → its members (one level, bounded); anything else → itself."""
    ext, kind = sniff(data)
    if kind != "zip":
        budget[0] -= 1
        return [Incoming(name, data)]
    out = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                member = _member_name(info)
                if info.is_dir() or not member:
                    continue
                base = member.rsplit("/", 1)[-1]
                if base.startswith("~$") or base.startswith(".") or member.startswith("__MACOSX/") \
                        or base.lower() in ("thumbs.db", "desktop.ini"):
                    continue
                shown = f"{name}/{member}"
                if budget[0] <= 0:
                    out.append(Incoming(shown, None, "serve_too_many_files", {"n": MAX_FILES}))
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    out.append(Incoming(shown, None, "serve_file_too_big", {"mb": MAX_FILE_BYTES // 1048576}))
                    continue
                if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO \
                        and info.file_size > 1024 * 1024:
                    out.append(Incoming(shown, None, "serve_zip_bomb"))
                    continue
                total += info.file_size
                if total > MAX_ZIP_TOTAL:
                    out.append(Incoming(shown, None, "serve_zip_too_big"))
                    continue
                with z.open(info) as f:
                    body = f.read(MAX_FILE_BYTES + 1)
                if len(body) > MAX_FILE_BYTES:
                    out.append(Incoming(shown, None, "serve_file_too_big", {"mb": MAX_FILE_BYTES // 1048576}))
                    continue
                budget[0] -= 1
                out.append(Incoming(shown, body))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        out = []
    if not out:  # a broken or empty archive: stored as it is, reported unreadable
        budget[0] -= 1
        return [Incoming(name, data)]
    return out


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip member names from Chinese Windows are GBK without the UTF-8 flag: decode them right."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/").strip("/")


# ── which unit ─────────────────────────────────────────────────────────────────────────
def unit_key(name: str | None, county: str | None = None) -> str:
    """A unit name as matching sees it (the project's unit identity): NFKC, no whitespace or
    invisible characters, without 人民政府/政府 and without the county's own place prefix."""
    from ..units import place_of
    from ..units import unit_key as key_of
    return key_of(name, (place_of(county),) if county else ())


def match_unit(name: str | None, units: list, county: str | None = None) -> int | None:
    """The expected unit (row with id, key) that ``name`` denotes: the same key, else the same body
    by ``units.same_unit`` (a place prefix added or dropped), else the one longest key contained in
    it; None when absent or ambiguous."""
    from ..units import same_unit
    key = unit_key(name, county)
    if not key:
        return None
    for u in units:
        if u["key"] == key:
            return u["id"]
    same = [u for u in units if same_unit(u["key"], key)[0]]
    if len(same) == 1:
        return same[0]["id"]
    hits = [u for u in units if u["key"] and (u["key"] in key or key in u["key"])]
    if not hits:
        return None
    longest = max(len(u["key"]) for u in hits)
    best = [u for u in hits if len(u["key"]) == longest]
    return best[0]["id"] if len(best) == 1 else None


def _file_stem(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


# ── the pipeline ───────────────────────────────────────────────────────────────────────
def receive(store: Store, collection, files, *, source: str = "reviewer", only_unit: int | None = None) -> list[dict]:
    """Store, check and record ``files``; one result dict per file (zip members each), in order.

    ``files``: (name, bytes, or a binary file object read here, or None when already known to be
    too big). Files are read one at a time, so memory holds one file, not the whole upload.
    ``only_unit``: the upload came through that unit's link — its files go to it, and a file
    that names another expected unit is refused."""
    cid = collection["id"]
    units = store.units(cid)
    by_id = {u["id"]: u for u in units}
    county = collection["unit"]
    county_key = unit_key(county)
    previous = _previous_files(store, collection)
    budget = [MAX_FILES]

    def incoming():
        for name, src in files:
            data = src
            if src is not None and not isinstance(src, (bytes, bytearray)):
                data = src.read(MAX_FILE_BYTES + 1)
                data = data if len(data) <= MAX_FILE_BYTES else None
            if data is None:
                yield Incoming(name, None, "serve_file_too_big", {"mb": MAX_FILE_BYTES // 1048576})
            elif budget[0] <= 0:
                yield Incoming(name, None, "serve_too_many_files", {"n": MAX_FILES})
            else:
                yield from expand(name, bytes(data), budget)

    results: list[dict] = []
    items: list[dict] = []
    slots: list[int] = []
    written = []
    for inc, kind, stored in _stored(store, incoming()):
        if inc.refused:
            results.append({"file": inc.name, "unit": None, "status": "refused", "submission_id": None,
                            "message": say(inc.refused, "zh", **(inc.params or {})),
                            "message_en": say(inc.refused, "en", **(inc.params or {}))})
            continue
        written.append(stored.path)
        if kind in ("xlsx", "xlsm", "xlsb", "ods", "xls", "json", "docx", "doc", "pdf", "html", "txt"):
            checked = check_path(stored.path)
        else:
            from .checkdoor import Checked
            checked = Checked("unreadable", message_zh=say(f"serve_kind_{kind}", "zh"),
                              message_en=say(f"serve_kind_{kind}", "en"))
        role = "unit"
        uid = match_unit(checked.report.get("unit"), units, county)
        if uid is None and checked.report.get("unit") and county_key and unit_key(checked.report["unit"]) == county_key:
            role = "county"
        elif uid is None and not checked.report.get("unit"):
            uid = match_unit(_file_stem(inc.name), units, county)  # unreadable or no cover name: the file's name
        if only_unit is not None:
            if role == "county" or (uid is not None and uid != only_unit):
                results.append({"file": inc.name, "unit": by_id[only_unit]["name"], "status": "refused",
                                "submission_id": None,
                                "message": say("serve_other_unit", "zh", unit=checked.report.get("unit") or ""),
                                "message_en": say("serve_other_unit", "en", unit=checked.report.get("unit") or "")})
                continue
            uid, role = only_unit, "unit"
        if uid is not None and previous.get(uid) is not None and checked.status != "unreadable":
            checked = check_path(stored.path, previous=previous[uid])  # with last year's report (X1, X2, T4)
        shown = _file_stem(inc.name) + stored.path.suffix
        checked.message_zh = checked.message_zh.replace(stored.path.name, shown)
        checked.message_en = checked.message_en.replace(stored.path.name, shown)
        items.append({"collection_id": cid, "unit_id": uid if role == "unit" else None, "role": role,
                      "stored": stored, "filename": inc.name[:500], "source": source, "status": checked.status,
                      "errors": checked.errors, "warnings": checked.warnings, "report": checked.report,
                      "message_zh": checked.message_zh, "message_en": checked.message_en,
                      "values": checked.values, "findings": checked.findings})
        slots.append(len(results))
        results.append({"file": inc.name, "unit": by_id[uid]["name"] if uid is not None and role == "unit" else None,
                        "status": checked.status, "submission_id": None, "role": role,
                        "report_unit": checked.report.get("unit"), "errors": checked.errors,
                        "warnings": checked.warnings})
        if checked.status == "unreadable":
            results[-1]["message"] = checked.message_zh
            results[-1]["message_en"] = checked.message_en
    if items:
        store.sync(written)
        for slot, rec in zip(slots, store.add_submissions(items)):
            results[slot].update(submission_id=rec["submission_id"], version=rec["version"],
                                 duplicate=rec["duplicate"])
    return results


def _stored(store: Store, incoming, ahead: int = 6):
    """(incoming, kind, StoredFile) in order, each file already durable. The writes (fsync waits on
    the disk and releases the interpreter) run a few files ahead in threads while the caller
    checks: storing overlaps checking instead of adding to it."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor
    window: deque = deque()
    source = iter(incoming)
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="gxnb-store") as pool:
        def feed() -> bool:
            inc = next(source, None)
            if inc is None:
                return False
            if inc.refused:
                window.append((inc, "", None))
            else:
                ext, kind = sniff(inc.data)
                window.append((inc, kind, pool.submit(store.put, inc.data, ext, sync_dirs=False)))
            return True

        while len(window) < ahead and feed():
            pass
        while window:
            inc, kind, fut = window.popleft()
            feed()
            stored = fut.result() if fut is not None else None
            inc.data = None  # stored: the bytes are not needed any more
            yield inc, kind, stored


def _previous_files(store: Store, collection) -> dict:
    """unit id → the path of the same unit's active file in the previous collection (matched by name)."""
    prev_id = collection["previous_id"]
    if not prev_id:
        return {}
    prev_units = {u["id"]: u for u in store.units(prev_id)}
    latest = store.latest_by_unit(prev_id)
    by_key = {}
    for uid, sub in latest.items():
        if sub["status"] != "unreadable" and uid in prev_units:
            by_key[prev_units[uid]["key"]] = store.blob_path(sub["sha256"])
    out = {}
    for u in store.units(collection["id"]):
        if u["key"] in by_key:
            out[u["id"]] = by_key[u["key"]]
    return out
