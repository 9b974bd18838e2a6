"""Fuzzing the workbook reader with mutated templates: only ReportError or a normal result.

Two mutators over a filled template: raw bytes of the .xlsx (flip / insert / delete — mostly a
corrupt zip), and the XML inside the zip (a sheet, shared strings, workbook, rels, styles) mutated
then re-zipped with correct checksums, so the parsers behind the zip see the damage: byte edits,
spliced junk and "interesting" substitutions (far cell references, absurd counts, NaN, error
types, broken tags).

Default: a few hundred cases (fast). ``GXNB_FUZZ_CASES=5000`` runs the full count, half per
mutator. A crash of the Rust reader (an allocation abort) kills the process: that is a failure too.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxnb_xl.check import check as check_loaded
from gxnb_xl.excel.template import build_workbook_bytes
from gxnb_xl.inputs import read_input
from gxnb_xl.report import ReportError
from gxnb_xl.testing.synth import random_report

CASES = int(os.environ.get("GXNB_FUZZ_CASES", "300"))
SETTINGS = dict(max_examples=max(CASES // 2, 1), deadline=None, database=None, derandomize=CASES <= 1000,
                suppress_health_check=list(HealthCheck))

_DIR = Path(tempfile.mkdtemp(prefix="gxnb-fuzz-"))
_REPORT = random_report(random.Random(11), "2021", year=2024, busy=0.7)
_REPORT.narrative = {"overview": "2024年，本机关……", "other_matters": "未收取信息处理费。"}
TEMPLATE = build_workbook_bytes("2021", _REPORT)
MEMBERS = [n for n in zipfile.ZipFile(io.BytesIO(TEMPLATE)).namelist()
           if n.endswith((".xml", ".rels"))]

INTERESTING = [
    b'r="XFD1048576"', b'r="A1048576"', b'r="ZZZZ99999999"', b'r="A0"', b'r=""', b"r='B2'", b'r = "C3"',
    b"<v>1e309</v>", b"<v>NaN</v>", b"<v>-0</v>", b"<v>99999999999999999999</v>", b"<v></v>", b"<v>abc</v>",
    b' t="s"', b' t="e"', b' t="b"', b' t="d"', b' t="str"', b' t="inlineStr"', b' s="99999"',
    b"<f>SUM(A1:XFD1048576)</f>", b"</c>", b"<c>", b"</row>", b'<row r="0">', b'<row r="1048577">',
    b'uniqueCount="4000000000"', b'count="-1"', b'<mergeCell ref="A1:XFD1048576"/>', b'<mergeCell ref="D7:E7"/>',
    b"&#0;", b"&bogus;", b"<![CDATA[", b"\xff\xfe", b"\x00", "表三".encode(), b'name="_gxnb"', b'state="hidden"',
    '<sheet name="表三" sheetId="3" r:id="rId3"/>'.encode(), b'Target="worksheets/sheet99.xml"', b"<sheetProtection/>",
]


def _mutate(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for kind, where, payload in ops:
        if not buf:
            buf += payload
            continue
        pos = int(where * (len(buf) - 1))
        if kind == "flip":
            buf[pos] ^= (payload[0] if payload else 0xFF) or 1
        elif kind == "insert":
            buf[pos:pos] = payload
        elif kind == "delete":
            del buf[pos:pos + 1 + len(payload) * 7]
        elif kind == "replace":  # overwrite a token-sized span with an interesting token
            buf[pos:pos + len(payload)] = payload
        elif kind == "duplicate":
            buf[pos:pos] = buf[pos:pos + 64 + len(payload) * 16]
    return bytes(buf)


_op = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "replace", "duplicate"]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.one_of(st.binary(min_size=0, max_size=12), st.sampled_from(INTERESTING)),
)


def _check(data: bytes, name: str) -> None:
    """Read and check; only ReportError may come out. The file is not modified."""
    path = _DIR / name
    path.write_bytes(data)
    before = hashlib.sha256(data).digest()
    try:
        loaded = read_input(path)
    except ReportError as exc:
        assert exc.message("zh") and exc.message("en")
    else:
        result = check_loaded(loaded)
        assert result.status in ("ok", "errors", "warnings")
        json.dumps([f.to_dict() for f in result.findings], ensure_ascii=False)
        loaded.report.dumps()  # what gxnb export writes
    assert hashlib.sha256(path.read_bytes()).digest() == before


@settings(**SETTINGS)
@given(ops=st.lists(_op, min_size=1, max_size=6))
def test_byte_mutations_of_the_xlsx(ops):
    _check(_mutate(TEMPLATE, ops), "bytes.xlsx")


@settings(**SETTINGS)
@given(member=st.sampled_from(MEMBERS), ops=st.lists(_op, min_size=1, max_size=6))
def test_xml_mutations_inside_the_zip(member, ops):
    src = zipfile.ZipFile(io.BytesIO(TEMPLATE))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            dst.writestr(info.filename, _mutate(raw, ops) if info.filename == member else raw)
    _check(out.getvalue(), "xml.xlsx")


def test_unmutated_template_reads_clean():
    _check(TEMPLATE, "clean.xlsx")
    loaded = read_input(_DIR / "clean.xlsx")
    assert check_loaded(loaded).status in ("ok", "warnings")
    assert {k: v for k, v in loaded.report.values.items()} == {k: _REPORT.values[k] for k in loaded.report.values}
