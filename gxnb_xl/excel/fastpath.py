"""One pass over a workbook made from our template, or ``None`` to let the full reader decide.

A county reads thousands of workbooks that are exactly what ``template.write_workbook`` drew and a
clerk filled in. For those the full reader's machinery (calamine materialising every sheet, a
second scan of the same XML for formulas and errors, the metadata sheet parsed again) is work
without information. ``read_fast(path)`` opens the zip once (the central directory parsed here,
not by ``zipfile``), inflates each needed part once (CRC checked), and reads only the cells the
layout names: its labels, its inputs, its totals, the cover and the narrative, from the sheet XML
and the shared strings.

It returns exactly the ``Loaded`` the full reader returns, or ``None`` at the first thing it does
not fully understand: not an .xlsx zip, another template (marker, format or spec hash), a sheet
missing, added or renamed, a label not where the layout put it (rows inserted: the full reader
relocates by label), merges that are not the template's, a formula, error value, date, rich or
escaped text in a cell it needs, a reference far outside the tables, a part that fails its CRC —
anything. Declining is always safe; reading differently is not, so the test-suite runs both
readers over every generated, corrupted and engine-saved workbook and requires equal results.
"""
from __future__ import annotations

import bisect
import itertools
import operator
import os
import re
import stat
import struct
import sys
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path

from .. import lazyre
from ..findings import Finding
from ..loaded import Loaded
from ..report import CellProblem, Report
from ..spec import FORMAT_IDS, load_spec
from .layout import META_SHEET, a1, layout_of, parse_a1

MAX_FILE_BYTES = 50 * 1024 * 1024  # the full reader's limits: beyond them it refuses, so we decline
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_PART_BYTES = 4 * 1024 * 1024  # a template part is tens of KB: anything bigger goes the full way

_EOCD = struct.Struct("<4s4H2LH")
_CDIR = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")

_WS = lazyre.compile(r"[\s\u3000]+")
_SHEET = lazyre.compile(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"')
_REL = lazyre.compile(rb'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"')
_REL_REV = lazyre.compile(rb'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"')
# a cell the way Excel, WPS, LibreOffice and XlsxWriter write it: the address first
_CELL = lazyre.compile(rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
# what the full reader counts as a far reference (any attribute ending in "r", letters then digits):
# three column letters or a four-digit row is beyond every table, so the full reader decides
_FAR = lazyre.compile(rb'r\s*=\s*["\']\s*(?:[A-Za-z]{3,8}\s*[0-9]|[A-Za-z]{0,2}\s*[0-9]{4})')
_T_ATTR = lazyre.compile(rb'\st="([^"]*)"')
_S_ATTR = lazyre.compile(rb'\ss="([0-9]+)"')
_V = lazyre.compile(rb"<v>([^<]*)</v>")
_T_TEXT = lazyre.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>|<t(?:\s[^>]*)?/>")
_NUMBER = lazyre.compile(rb"-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?")
_MERGE = lazyre.compile(rb'<mergeCell ref="([A-Z]{1,3}[0-9]{1,7}):([A-Z]{1,3}[0-9]{1,7})"\s*/>')
_XF = lazyre.compile(rb"<xf\b[^>]*?numFmtId=\"([0-9]+)\"")
_NUMFMT = lazyre.compile(rb'<numFmt numFmtId="([0-9]+)" formatCode="([^"]*)"')
_ENTITY = lazyre.compile(rb"&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")
_ENTITIES = {b"amp": "&", b"lt": "<", b"gt": ">", b"quot": '"', b"apos": "'"}
_ROW = lazyre.compile(rb"<row\b[^>]*>(.*?)</row>", re.S)
# built-in number formats that are not dates or times (calamine turns those into datetimes)
_PLAIN_FORMATS = frozenset({0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 37, 38, 39, 40, 41, 42, 43, 44, 48, 49})
_DATE_CHARS = lazyre.compile(r"[dDmMyYhHsSeEgGbB]")
_FORMAT_NOISE = lazyre.compile(r'"[^"]*"|\\.|\[[^\]]*\]|General', re.I)


# character data with the five named entities only (a numeric reference: the full reader decides)
_TEXT = rb'[^<&]*+(?:&(?:amp|lt|gt|quot|apos);[^<&]*+)*+'
_RUN_PR = rb'(?:<rPr>(?:<[A-Za-z]++(?: [A-Za-z:]++="[^"<&]*+")*+/>)*+</rPr>)?+'
_T = rb'(?:<t(?: xml:space="preserve")?+>' + _TEXT + rb'</t>|<t/>)'
# the shared strings as Excel, WPS, LibreOffice and XlsxWriter write them; anything else: the full reader
_SST_ITEMS = rb'(?:<si>(?:' + _T + rb'|(?:<r>' + _RUN_PR + _T + rb'</r>)++)(?:<phoneticPr [^<>]*+/>)?+</si>)*+'
_SST_HEAD = lazyre.compile(rb'<\?xml [^<>]*\?>\s*<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                       rb'(?: count="[0-9]{1,9}")?(?: uniqueCount="[0-9]{1,9}")?>')
_SST_BODY = lazyre.compile(_SST_ITEMS + rb'</sst>\s*')
_ITEMS_ONLY = lazyre.compile(_SST_ITEMS)
_SST_SEEN: list = []  # [_Seen] the last shared strings read whole


class _Seen:
    """A shared-strings body validated and decoded whole: its items and where each one starts."""

    __slots__ = ("body", "items", "starts")

    def __init__(self, body: bytes):
        pieces = body.split(b"<si>")
        items = pieces[1:]
        if body.count(b"<si") != len(items):  # an element named like an item: the full reader decides
            raise Decline
        self.body, self.items = body, items
        self.starts = list(map(operator.add, itertools.accumulate(map(len, pieces[:-1])),
                               range(0, 4 * len(items), 4)))


def _shared_strings(xml: bytes) -> "_Strings":
    """The shared strings as the four writers write them (``_SST_HEAD``, items, ``</sst>``), valid
    UTF-8, or Decline. Files of one template share most items (labels, the metadata's strings): only
    the span that differs from the last body read whole is matched, decoded and split again, between
    item boundaries both bodies share; the items around it are that body's."""
    h = xml.find(b"<si>")
    if h < 0:
        h = xml.find(b"</sst>")
    if h < 0 or not _SST_HEAD.fullmatch(xml, 0, h):
        raise Decline
    xml[:h].decode("utf-8")  # the full reader decodes every string: here the parts not known valid
    body = xml[h:]
    seen = _SST_SEEN[0] if _SST_SEEN else None
    if seen is not None:
        if body == seen.body:
            return _Strings(seen.items)
        items = _changed_items(seen, body)
        if items is not None:
            return _Strings(items)
    if _SST_BODY.fullmatch(body) is None:
        raise Decline
    body.decode("utf-8")
    seen = _Seen(body)
    _SST_SEEN[:] = [seen]
    return _Strings(seen.items)


def _changed_items(seen: _Seen, body: bytes) -> list | None:
    """The items of ``body`` when it differs from ``seen`` in one span of whole items (that span
    matched, decoded, split), None when the two do not line up that way."""
    head, tail = _common(seen.body, body, 1), _common(seen.body, body, -1)
    start = body.rfind(b"<si>", 0, head)  # an item start inside the common prefix
    end = body.find(b"</si>", len(body) - tail)  # an item end inside the common suffix
    if start < 0 or end < 0 or start > end + 5:
        return None
    stop = end + 5
    seen_stop = stop + len(seen.body) - len(body)  # where the common suffix begins in ``seen``
    starts = seen.starts
    k0, k1 = bisect.bisect_left(starts, start), bisect.bisect_left(starts, seen_stop)
    if (start > seen_stop or k0 == len(starts) or starts[k0] != start
            or k1 < len(starts) and starts[k1] != seen_stop):
        return None
    if _ITEMS_ONLY.fullmatch(body, start, stop) is None:
        raise Decline
    middle = body[start:stop if k1 < len(starts) else len(body)]  # the last item runs to the end, as split whole
    middle.decode("utf-8")
    items = middle.split(b"<si>")[1:]
    if middle.count(b"<si") != len(items):
        raise Decline
    return seen.items[:k0] + items + seen.items[k1:]


_GUESS = {1: 0, -1: 0}  # the last length found each way: files of one template differ in the same place


def _common(a: bytes, b: bytes, direction: int) -> int:
    """Length of the common prefix (direction 1) or suffix (-1) of a and b: the last length found if
    it still is that (two comparisons), else by bisection (memcmp)."""
    lo, hi = 0, min(len(a), len(b))
    g = _GUESS[direction]
    if g < hi and (a[:g] == b[:g] and a[g] != b[g] if direction == 1 else
                   a[len(a) - g:] == b[len(b) - g:] and a[len(a) - g - 1] != b[len(b) - g - 1]):
        return g
    while lo < hi:
        mid = (lo + hi + 1) // 2
        same = a[:mid] == b[:mid] if direction == 1 else a[len(a) - mid:] == b[len(b) - mid:]
        if same:
            lo = mid
        else:
            hi = mid - 1
    _GUESS[direction] = lo
    return lo


_WELLFORMED: dict[bytes, bool] = {}


def _wellformed(xml: bytes, remember: bool = True) -> None:
    """Decline unless ``xml`` parses (expat, stricter than the full reader's parser in what matters here)."""
    ok = _WELLFORMED.get(xml)
    if ok is None:
        from xml.parsers import expat
        try:
            expat.ParserCreate().Parse(xml, True)
            ok = True
        except Exception:  # noqa: BLE001 - ExpatError, an unknown declared encoding (LookupError) …
            ok = False
        if remember and len(_WELLFORMED) < 256:
            _WELLFORMED[xml] = ok
    if not ok:
        raise Decline


class Decline(Exception):
    """Something the fast path does not fully understand: the full reader takes over."""


def read_fast(path: str | Path, shared: tuple) -> Loaded | None:
    """The full reader's ``Loaded`` for a workbook of our template, or None (read it the full way).

    ``shared``: the full reader's own ``(cover_and_narrative, read_value)``, so both read the cover, the
    narrative and each value the same way (passed in: this module never imports the reader)."""
    try:
        return _read(Path(path), *shared)
    except Exception:  # noqa: BLE001 - anything unexpected (Decline included): the full reader decides
        return None


# ── the zip ───────────────────────────────────────────────────────────────────────────────
_SAME: dict[tuple, bytes] = {}  # (method, crc, size, compressed bytes) → inflated, CRC-checked content


class _Zip:
    """The central directory of an in-memory zip, and its members inflated on demand (CRC checked)."""

    __slots__ = ("data", "members")

    def __init__(self, data: bytes):
        self.data = data
        end = len(data) - _EOCD.size
        if end < 0 or data[end:end + 4] != b"PK\x05\x06":  # a zip comment, or not a zip: the full way
            raise Decline
        _, disk, cd_disk, n_disk, n, cd_size, cd_offset, comment = _EOCD.unpack_from(data, end)
        if comment or disk or cd_disk or n_disk != n or cd_offset + cd_size != end or n > 256:
            raise Decline  # multi-disk, zip64, data prepended: zipfile's corner cases
        self.members: dict[bytes, tuple] = {}
        total = packed = 0
        pos = cd_offset
        for _ in range(n):
            (sig, _, _, flags, method, _, _, crc, csize, usize, nlen, xlen, clen, _, _, _,
             offset) = _CDIR.unpack_from(data, pos)
            if sig != b"PK\x01\x02" or flags & 0x41:  # encrypted / strong encryption
                raise Decline
            name = data[pos + 46:pos + 46 + nlen]
            if name in self.members:
                raise Decline
            self.members[name] = (method, crc, csize, usize, offset)
            total += usize
            packed += csize
            pos += 46 + nlen + xlen + clen
        if pos != end or total > MAX_UNZIPPED_BYTES or total / (packed or 1) > MAX_RATIO:
            raise Decline

    def raw(self, name: bytes) -> tuple:
        """(method, crc, size, compressed bytes) of a member, its local header checked."""
        method, crc, csize, usize, offset = self.members[name]
        if usize > MAX_PART_BYTES:
            raise Decline
        sig, _, _, _, _, _, _, _, _, nlen, xlen = _LOCAL.unpack_from(self.data, offset)
        start = offset + 30
        if sig != b"PK\x03\x04" or self.data[start:start + nlen] != name:
            raise Decline
        start += nlen + xlen
        raw = self.data[start:start + csize]
        if len(raw) != csize:
            raise Decline
        return method, crc, usize, raw

    def read(self, name: bytes, same: bool = False) -> bytes:
        """A member inflated and CRC-checked. ``same``: a part that files of one template share
        (package parts, styles, the metadata sheet): when its compressed bytes equal ones already
        inflated and checked, the same content is returned without inflating again."""
        key = self.raw(name)
        if same:
            out = _SAME.get(key)
            if out is not None:
                return out
        out = self._inflate(*key)
        if same:
            if len(_SAME) >= 64:
                _SAME.clear()
            _SAME[key] = out
        return out

    @staticmethod
    def _inflate(method: int, crc: int, usize: int, raw: bytes) -> bytes:
        if method == 8:
            d = (_INFLATER or _inflater())(-15)
            try:
                out = d.decompress(raw, usize + 1)  # never more than the size the directory states
            except Exception:  # noqa: BLE001 - zlib.error, isal's IsalError: a damaged part
                raise Decline from None
        elif method == 0:
            out = raw
        else:
            raise Decline
        if len(out) != usize or _CRC32(out) != crc:
            raise Decline
        return out


_INFLATER = None  # decompressobj of ISA-L (isal: the same deflate, about twice zlib's speed), else zlib's
_CRC32 = zlib.crc32  # ISA-L's once chosen (the same CRC-32, ten times faster)


_PACKAGES = [0]  # workbooks parsed in this process


def _inflater():
    """Chosen when a second workbook is read (not at import; one workbook, ``gxnb check one.xlsx``,
    is inflated by zlib rather than paying ~1 ms to import isal): isal when installed, else zlib."""
    global _INFLATER, _CRC32
    if _PACKAGES[0] < 2:
        return zlib.decompressobj
    try:
        from isal.isal_zlib import crc32, decompressobj
    except Exception:  # noqa: BLE001 - not installed, or its library would not load: zlib does the same
        crc32, decompressobj = zlib.crc32, zlib.decompressobj
    _INFLATER, _CRC32 = decompressobj, crc32
    return decompressobj


# ── text ──────────────────────────────────────────────────────────────────────────────────
def _entity(m) -> str:
    key = m.group(1)
    if key[:1] == b"#":
        code = int(key[2:], 16) if key[1:2] == b"x" else int(key[1:])
        if code < 0x20 and code not in (9, 10, 13) or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Decline
        return chr(code)
    return _ENTITIES[key]


def _text(raw: bytes) -> str:
    """XML character data as text; Decline on what an XML parser might read differently."""
    if b"\r" in raw or b"_x" in raw or b"]]>" in raw:
        raise Decline
    if b"&" in raw:
        if raw.count(b"&") != len(_ENTITY.findall(raw)):
            raise Decline
        return _ENTITY.sub(lambda m: _entity(m).encode("utf-8"), raw).decode("utf-8")
    return raw.decode("utf-8")


def _string_item(body: bytes) -> str:
    """The text of a shared string or inline string: plain, or runs joined; phonetic runs decline."""
    if b"<rPh" in body or b"<![CDATA[" in body or b"<!--" in body:
        raise Decline
    parts = _T_TEXT.findall(body)
    if body.count(b"<t") - body.count(b"<tx") != len(parts):
        raise Decline
    return "".join(_text(p) for p in parts)


_NORMS: dict[str, str] = {}


def _norm(v) -> str:
    """Label comparison tolerant to spaces, width and bracket style (the full reader's rule)."""
    if not isinstance(v, str):
        return ""
    out = _NORMS.get(v)
    if out is None:
        out = _WS.sub("", unicodedata.normalize("NFKC", v))
        if len(_NORMS) < 4096:  # labels repeat from file to file
            _NORMS[v] = out
    return out


_ITEMS: dict[bytes, str] = {}


class _Strings:
    """Shared strings (raw items, ``_shared_strings``), each decoded when first asked for."""

    __slots__ = ("n", "items", "cache")

    def __init__(self, items: list):
        self.items, self.n = items, len(items)
        self.cache: dict[int, str] = {}

    def raw(self, indices) -> tuple:
        """The undecoded items at ``indices`` (ints), exactly as stored."""
        return tuple(map(self.items.__getitem__, indices))

    def get(self, index: int) -> str:
        s = self.cache.get(index)
        if s is None:
            if not 0 <= index < self.n:
                raise Decline
            body = self.raw((index,))[0]
            end = body.find(b"</si>")
            if end < 0:
                raise Decline
            body = body[:end]
            s = _ITEMS.get(body)
            if s is None:
                s = _string_item(body)
                if len(_ITEMS) < 20_000:  # labels repeat from file to file: decode each once
                    _ITEMS[body] = s
            self.cache[index] = s
        return s


class _Styles:
    """Which cell styles show a number as a date or time (calamine then gives a datetime)."""

    __slots__ = ("plain",)

    def __init__(self, xml: bytes | None):
        if xml is None:
            self.plain = [True]
            return
        _wellformed(xml, remember=False)
        start, end = xml.find(b"<cellXfs"), xml.find(b"</cellXfs>")
        if start < 0 or end < 0:
            raise Decline
        custom = {int(i): code for i, code in _NUMFMT.findall(xml)}
        plain = []
        for fid in map(int, _XF.findall(xml, start, end)):
            if fid in _PLAIN_FORMATS:
                plain.append(True)
            elif fid in custom:
                code = _FORMAT_NOISE.sub("", _text(custom[fid]))
                plain.append(not _DATE_CHARS.search(code))
            else:
                plain.append(False)
        if xml.count(b"<xf", start, end) != len(plain):
            raise Decline
        self.plain = plain


# ── cells ─────────────────────────────────────────────────────────────────────────────────
# A sheet is its skeleton (the XML with every <v>…</v> cut out) and its values. Files made from
# one template and saved by one program share skeletons, so everything structural — which cells
# exist and of what type, formulas, merges, protection, far references, where each needed cell's
# value sits — is worked out once per skeleton (a ``_Recipe``); each file then only checks and
# decodes its values.
_V_SPLIT = lazyre.compile(rb"<v>([^<]*)</v>")
_BODY = lazyre.compile(rb"(<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?(<v>[^<]*</v>)?")
_NUMBERS = lazyre.compile(rb"(?:-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?(?:\0|\Z))*")
_INDICES = lazyre.compile(rb"(?:[0-9]+(?:\0|\Z))*")
_SMALL_INTS = lazyre.compile(rb"(?:[0-9]{1,6}(?:\0|\Z))*")  # below ABSURD_COUNT: read as they are
_DIGITS_NUL = b"0123456789\0"


def _digit_tokens(joined: bytes) -> bool:
    """True when every NUL-separated token is one or more ASCII digits: what the three patterns above
    all accept, told at C speed (the usual case; otherwise the pattern decides)."""
    return (not joined.translate(None, _DIGITS_NUL) and b"\0\0" not in joined
            and joined[:1] != b"\0" and joined[-1:] != b"\0")
EMPTY, NUMBER, SHARED, TEXT = 0, 1, 2, 3  # what a needed cell holds
_RECIPES: dict[tuple, object] = {}
MAX_RECIPES = 256


class _Recipe:
    """Per skeleton: where the values of the needed cells are and how to check every value."""

    __slots__ = ("protected", "anchors", "anchor_values", "verified", "extra", "entries", "counts", "count_values",
                 "numbers", "shared", "texts", "all", "state")

    def __init__(self, xml: bytes, cuts: list, plan, sheet: str, styles: "_Styles"):
        if b"<sheetData" not in xml or _FAR.search(xml):
            raise Decline
        _wellformed(xml, remember=False)
        self.protected = b"<sheetProtection" in xml
        merges = _MERGE.findall(xml)
        if len(merges) != xml.count(b"<mergeCell ") or set(merges) != plan.merges[sheet]:
            raise Decline
        starts = [m.start() for m in cuts]
        cells: dict[bytes, tuple] = {}  # address → (kind, value index or None, formula?)
        numbers, shared, texts = [], [], []
        n_cells = 0
        for m in _CELL.finditer(xml):
            n_cells += 1
            addr, attrs, body = m.group(1), m.group(2), m.group(3) or b""
            if addr in cells:
                raise Decline
            shape = _BODY.fullmatch(body)
            if shape is None:
                raise Decline  # inline strings, rich content, extensions: the full reader
            formula, has_v = shape.group(1) is not None, shape.group(2) is not None
            index = None
            if has_v:
                at = m.start(3) + (shape.start(2) if shape.start(2) >= 0 else 0)
                index = _bisect(starts, at)
            kind = _T_ATTR.search(attrs)
            kind = kind.group(1) if kind else b"n"
            if index is None:
                cells[addr] = (EMPTY, None, formula)
                if kind not in (b"n", b"s", b"str"):
                    raise Decline
                continue
            if kind == b"n":
                style = _S_ATTR.search(attrs)
                style = int(style.group(1)) if style else 0
                if style and style >= len(styles.plain):
                    raise Decline
                numbers.append(index)
                plain = style < len(styles.plain) and styles.plain[style] or style == 0 == len(styles.plain)
                cells[addr] = (NUMBER if plain else None, index, formula)  # None: shown as a date
            elif kind == b"s":
                shared.append(index)
                cells[addr] = (SHARED, index, formula)
            elif kind == b"str":
                texts.append(index)
                cells[addr] = (TEXT, index, formula)
            else:
                raise Decline  # booleans, errors, ISO dates: the full reader
        if (n_cells != xml.count(b"<c ") + xml.count(b"<c>") or len(starts) != xml.count(b"<v")
                or len(numbers) + len(shared) + len(texts) != len(starts)):
            raise Decline  # a cell or value written some other way: the full reader's XML parser decides

        def need(addr: bytes, formula_ok: bool):
            kind, index, formula = cells.get(addr, (EMPTY, None, False))
            if kind is None or formula and not formula_ok:
                raise Decline  # a date, or a formula typed where a number belongs
            return kind, index

        anchors = []
        for addr, text in plan.anchors[sheet]:
            kind, index = need(addr, False)
            if kind != SHARED:
                raise Decline
            anchors.append((index, text))
        extra = [(rc, *need(addr, False)) for addr, rc in plan.extra[sheet]]
        entries = [(cid, ctype, typed, where, *need(addr, not typed))
                   for cid, ctype, typed, s, addr, where in plan.entries if s == sheet]
        self._finish((self.protected, anchors, extra, entries, numbers, shared, texts))

    def _finish(self, state: tuple) -> None:
        """The recipe from its plain data (``state``: kept across processes, see ``_remembered``)."""
        self.state = state
        self.protected, self.anchors, self.extra, entries, numbers, shared, self.texts = state
        self.numbers, self.shared = _getter(numbers), _getter(shared)
        self.anchor_values = _getter([i for i, _ in self.anchors])
        self.verified: set = set()  # label items (raw shared strings) already compared with the layout
        # counts (typed or totals) stored as plain numbers: decoded together when all are small integers
        counts = [e for e in entries if e[1] == "count" and e[4] == NUMBER]
        self.counts = tuple(e[0] for e in counts)
        self.count_values = _getter([e[5] for e in counts])
        self.entries = [e for e in entries if not (e[1] == "count" and e[4] == NUMBER)]
        self.all = entries

    @classmethod
    def restore(cls, state: tuple) -> "_Recipe":
        recipe = cls.__new__(cls)
        recipe._finish(state)
        return recipe

    def all_entries(self) -> list:
        return self.all


def _bisect(starts: list, at: int) -> int:
    i = bisect.bisect_left(starts, at)
    if i >= len(starts) or starts[i] != at:
        raise Decline
    return i


def _getter(indices: list):
    """A function giving the values at ``indices`` as a tuple (operator.itemgetter, any length)."""
    from operator import itemgetter
    if not indices:
        return lambda values: ()
    if len(indices) == 1:
        i = indices[0]
        return lambda values: (values[i],)
    return itemgetter(*indices)


class _Grid:
    """The full reader's sheet interface (``get(row, col)``) over the cover and narrative cells."""

    __slots__ = ("by_rc",)

    def __init__(self, by_rc: dict):
        self.by_rc = by_rc

    def get(self, r: int, c: int):
        try:
            return self.by_rc[(r, c)]
        except KeyError:
            raise Decline from None


class _Unmoved:
    """The full reader's locator when every label is where the layout put it."""

    @staticmethod
    @lru_cache(maxsize=1024)
    def position(sheet: str, addr: str):
        return parse_a1(addr)


# ── per-layout plan ───────────────────────────────────────────────────────────────────────
class _Plan:
    """What to read from each sheet of a format's workbook, computed once per layout."""

    def __init__(self, layout):
        spec = layout.spec if layout.spec is not None else load_spec(layout.format)
        self.layout, self.spec, self.key = layout, spec, (layout.format, spec.hash)
        self.order = tuple(spec.cells)
        self.rank = {cid: i for i, cid in enumerate(self.order)}
        self.addresses = {cid: f"{layout.cells[cid][0]}!{layout.cells[cid][1]}" for cid in self.order}
        self.addresses.update({f"meta.{key}": f"{sheet}!{addr}" for key, (sheet, addr) in layout.meta.items()})
        needed = {s for s, _ in layout.cells.values()} | {s for s, _ in layout.meta.values()}
        needed |= {s for ps in layout.narrative_cells.values() for s, _ in ps}
        self.sheets = [s for s in layout.sheets if s in needed and s != META_SHEET]
        self.sheet_set = frozenset(layout.sheets)
        self.anchors: dict[str, list] = {s: [] for s in self.sheets}
        for sheet, addr, text in layout.anchors:
            if sheet in self.anchors:
                self.anchors[sheet].append((addr.encode(), _norm(text)))
        self.extra: dict[str, list] = {s: [] for s in self.sheets}  # cover and narrative cells
        for sheet, addr in [*layout.meta.values(), *(p for ps in layout.narrative_cells.values() for p in ps)]:
            self.extra[sheet].append((addr.encode(), parse_a1(addr)))
        # every cell once: (id, type, typed by the clerk?, sheet, A1 bytes, "sheet!A1")
        self.entries = [(cid, cell.type, cell.input, layout.cells[cid][0], layout.cells[cid][1].encode(),
                         f"{layout.cells[cid][0]}!{layout.cells[cid][1]}") for cid, cell in spec.cells.items()]
        self.merges = {s: set() for s in self.sheets}
        for sheet, r1, c1, r2, c2 in layout.merges:
            if sheet in self.merges:
                self.merges[sheet].add((a1(r1, c1).encode(), a1(r2, c2).encode()))


_PLANS: dict[tuple, _Plan] = {}
_STYLES: dict[bytes, _Styles] = {}


def _plan(fmt: str) -> _Plan:
    spec = load_spec(fmt)
    key = (fmt, spec.hash)
    plan = _PLANS.get(key)
    if plan is None:
        from .. import compiled
        layout = layout_of(spec)
        plan = compiled.plan(spec, layout)  # the compiled format's, when spec and layout came from it
        if plan is None:
            plan = _Plan(layout)
            compiled.built_plan(plan)
        plan = _PLANS.setdefault(key, plan)
    return plan


# ── reading ───────────────────────────────────────────────────────────────────────────────
_PARTS: dict[tuple, dict] = {}  # the four package parts → sheet name → part (read-only)


def _parts(z: _Zip) -> dict[str, bytes]:
    """Sheet name → its part. A function of four parts that files of one template share: worked out
    once per distinct four."""
    key = tuple(z.read(name, same=True) for name in _PACKAGE_PARTS)
    out = _PARTS.get(key)
    if out is None:
        out = _sheet_parts(*key)
        if len(_PARTS) >= 64:
            _PARTS.clear()
        _PARTS[key] = out
    return out


_PACKAGE_PARTS = (b"[Content_Types].xml", b"_rels/.rels", b"xl/workbook.xml", b"xl/_rels/workbook.xml.rels")


def _sheet_parts(types: bytes, package: bytes, wb: bytes, rels: bytes) -> dict[str, bytes]:
    for xml in (types, package):  # what the full reader's parser opens first
        _wellformed(xml)
    if b'Target="xl/workbook.xml"' not in package and b'Target="/xl/workbook.xml"' not in package:
        raise Decline
    _wellformed(wb)
    _wellformed(rels)
    targets = dict(_REL.findall(rels))
    targets.update({k: v for v, k in _REL_REV.findall(rels)})
    out = {}
    for name, rid in _SHEET.findall(wb):
        target = targets.get(rid)
        if target is None or b"&" in name:
            raise Decline
        out[name.decode("utf-8")] = target[1:] if target.startswith(b"/") else b"xl/" + target
    if len(out) != wb.count(b"<sheet "):
        raise Decline
    return out


_META_ROWS: dict[tuple, list] = {}  # metadata part (compressed) → its first rows, strings unresolved


def _meta(z: _Zip, part: bytes, strings: _Strings) -> dict:
    """key → value of the metadata rows (before the cell map), as the full reader reads them."""
    key = z.raw(part)
    rows = _META_ROWS.get(key)
    if rows is None:
        rows = _meta_rows(z.read(part, same=True))
        if len(_META_ROWS) >= 64:
            _META_ROWS.clear()
        _META_ROWS[key] = rows
    meta = {}
    for a, b in rows:
        a = a if isinstance(a, str) else strings.get(a)
        if a == "cell":
            break
        if a and b is not None:
            meta[a] = b if isinstance(b, str) else strings.get(b)
    return meta


def _meta_rows(xml: bytes) -> list:
    """(column A, column B or None) of the first 41 rows: text, or a shared-string index (int)."""
    rows = []
    for n, row in enumerate(_ROW.finditer(xml)):
        if n > 40:
            break
        cells = {}
        for addr, attrs, body in _CELL.findall(row.group(1)):
            col = addr.rstrip(b"0123456789")
            if col not in (b"A", b"B") or not body:
                continue
            kind = _T_ATTR.search(attrs)
            kind = kind.group(1) if kind else b"n"
            if kind == b"s":
                v = _V.search(body)
                cells[col] = int(v.group(1)) if v else ""
            elif kind == b"inlineStr":
                cells[col] = "".join(_text(t) for t in _T_TEXT.findall(body))
            else:
                v = _V.search(body)
                cells[col] = _text(v.group(1)) if v else ""
        rows.append((cells.get(b"A", ""), cells.get(b"B")))
    return rows


def _sheet(xml: bytes, plan, sheet: str, styles_key: bytes, styles: _Styles):
    """(recipe, values) of one sheet: the recipe from the cache when its skeleton was seen before."""
    pieces = _V_SPLIT.split(xml)
    values = pieces[1::2]
    key = (plan.key, sheet, styles_key, b"\0".join(pieces[0::2]))
    recipe = _RECIPES.get(key)
    if recipe is None:  # a skeleton not seen before: where its values are cut (once per skeleton)
        state = _remembered(plan, sheet, styles_key, key[3])
        if state is not None:
            recipe = _Recipe.restore(state)
        else:
            recipe = _Recipe(xml, list(_V_SPLIT.finditer(xml)), plan, sheet, styles)
            if _PACKAGES[0] == 1:  # kept for the next process: the skeletons of the first workbook read
                _LEARNED.append((plan.spec.id, sheet, styles_key, key[3], recipe.state))
        if len(_RECIPES) >= MAX_RECIPES:
            _RECIPES.clear()
        _RECIPES[key] = recipe
    return recipe, values


# Recipes across processes: a one-workbook ``gxnb check`` would otherwise work out every sheet's recipe
# again (~1.7 ms). Kept beside the compiled format (same key: the same format and code); a recipe is
# used only for a skeleton and styles byte-for-byte equal to those it was worked out from.
_RECIPES_SIDE = "recipes"
_KNOWN: dict[str, list] = {}  # format id → [(sheet, styles, skeleton, state)] from the side file
_LEARNED: list = []  # (format id, sheet, styles, skeleton, state) worked out here, to be kept
MAX_KEPT = 32


def _remembered(plan, sheet: str, styles_key: bytes, skeleton: bytes) -> tuple | None:
    known = _KNOWN.get(plan.spec.id)
    if known is None:
        known = _KNOWN[plan.spec.id] = _load_kept(plan.spec.id)
    for k_sheet, k_styles, k_skeleton, state in known:
        if k_sheet == sheet and k_skeleton == skeleton and k_styles == styles_key:
            return state
    return None


def _load_kept(fmt: str) -> list:
    from .. import compiled
    body = compiled.side(fmt, _RECIPES_SIDE)
    if body is None:
        return []
    try:
        import marshal
        kept = marshal.loads(body)  # plain data: tuples, lists, strings, bytes, numbers
    except (EOFError, ValueError, TypeError):
        return []
    return kept if type(kept) is list else []


def _keep_learned() -> None:
    """The recipes worked out for this process's first workbook, kept with those known before."""
    from .. import compiled
    import marshal
    learned, _LEARNED[:] = list(_LEARNED), []
    for fmt in {x[0] for x in learned}:
        known = _KNOWN.get(fmt, [])
        new = [x[1:] for x in learned if x[0] == fmt]
        keys = {(x[0], x[1], x[2]) for x in new}
        kept = [x for x in known if (x[0], x[1], x[2]) not in keys] + new
        try:
            body = marshal.dumps(kept[-MAX_KEPT:])
        except ValueError:
            continue
        compiled.keep_side(fmt, _RECIPES_SIDE, body)


def _checked(recipe: _Recipe, values: list, strings: _Strings) -> None:
    """Every value of the sheet as the full reader's parser would accept it (else Decline)."""
    numbers = b"\0".join(recipe.numbers(values))
    if not (_digit_tokens(numbers) or _NUMBERS.fullmatch(numbers)):
        raise Decline
    shared = recipe.shared(values)
    indices = b"\0".join(shared)
    if not (_digit_tokens(indices) or _INDICES.fullmatch(indices)) or shared and max(map(int, shared)) >= strings.n:
        raise Decline
    for i in recipe.texts:
        if _FAR.search(values[i]):
            raise Decline
        _text(values[i])


def _labels(recipe: _Recipe, values: list, strings: _Strings) -> None:
    """Every label where the layout put it (else Decline: the full reader relocates and says so)."""
    items = strings.raw(tuple(map(int, recipe.anchor_values(values))))
    if items in recipe.verified:
        return
    for (index, text), item in zip(recipe.anchors, items):
        if _norm(strings.get(int(values[index]))) != text:
            raise Decline
    if len(recipe.verified) < 64:
        recipe.verified.add(items)


def _decode(kind: int, v: bytes, strings: _Strings):
    """A checked value as calamine gives it (None for empty)."""
    if kind == NUMBER:
        number = float(v)
        if number in (float("inf"), float("-inf")):
            raise Decline
        return number
    if kind == SHARED:
        return strings.get(int(v)) or None
    return _text(v) or None


_OPENS: set = set()  # package structures the full reader's calamine opened (bounded)
_VARYING = (b"xl/worksheets/", b"xl/sharedStrings.xml", b"docProps/")


def _opens(z: _Zip) -> None:
    """Decline unless the full reader's workbook engine (calamine) opens this package structure: the
    parts it parses when opening (content types, relationships, workbook, styles …) are the same in
    every file of one template and one spreadsheet program, so it is asked once per distinct
    structure, on the first such file; the parts that differ per file (sheets, shared strings) are
    checked here on every file."""
    key = tuple((name, z.raw(name)[1:]) for name in sorted(z.members) if not name.startswith(_VARYING))
    key += (tuple(sorted(z.members)),)
    if key in _OPENS:
        return
    engine = _calamine_stamp()
    digest = _structure_digest(key, engine) if engine else None
    if digest is None or digest not in _opened_before(engine):
        try:
            import io

            from python_calamine import CalamineWorkbook
            CalamineWorkbook.from_filelike(io.BytesIO(z.data)).close()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - calamine's errors and its Rust panics: the full reader says why
            raise Decline from None
        if digest is not None:  # remembered for the next process (this version of calamine only)
            from .. import compiled
            seen = _opened_before(engine)
            seen.append(digest)
            compiled.remember(_OPENED, engine, seen)
    if len(_OPENS) >= 64:
        _OPENS.clear()
    _OPENS.add(key)


_OPENED = "calamine-opens"  # the structures calamine opened in earlier processes (compiled.facts)
_OPENED_BEFORE: dict[str, list] = {}


def _opened_before(engine: str) -> list:
    seen = _OPENED_BEFORE.get(engine)
    if seen is None:
        from .. import compiled
        seen = _OPENED_BEFORE[engine] = compiled.facts(_OPENED, engine)
    return seen


def _calamine_stamp() -> str | None:
    """(name, mtime, size) of every file of the installed python_calamine, found without importing
    it (the import is what a remembered structure saves); None when it is not a plain directory."""
    for entry in sys.path:
        d = os.path.join(entry or ".", "python_calamine")
        try:
            with os.scandir(d) as it:
                files = sorted((e.name, e.stat()) for e in it if e.is_file())
        except OSError:
            continue
        if not any(name == "__init__.py" for name, _ in files):
            continue
        return " ".join([os.path.abspath(d)] + [f"{n}:{st.st_mtime_ns}:{st.st_size}" for n, st in files])
    return None


def _structure_digest(key: tuple, engine: str) -> str:
    from ..tomlcache import digest
    parts = [engine.encode()]
    for item in key[:-1]:
        name, (crc, size, raw) = item
        parts += [name, b"%d %d %d" % (crc, size, len(raw)), raw]
    parts += key[-1]
    return digest(b"\0".join(len(p).to_bytes(8, "little") + p for p in parts))


_LAST: list = []  # (identity, zip) of the last file parsed: the listing, the reader and the saved stamp share it


def _package(path) -> _Zip:
    """The zip at ``path``, read and parsed once for the calls about the same unchanged file."""
    st = os.stat(path)
    key = (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
    last = _LAST[0] if _LAST else None  # one tuple: threads (the workbench) never pair a key with another zip
    if last is not None and last[0] == key:
        return last[1]
    if st.st_size > MAX_FILE_BYTES or not stat.S_ISREG(st.st_mode):
        raise Decline
    with open(path, "rb") as f:
        data = f.read(st.st_size + 1)  # not the limit: a read of n bytes first allocates n bytes
    if data[:2] != b"PK" or len(data) != st.st_size:
        raise Decline
    z = _Zip(data)
    _PACKAGES[0] += 1
    _LAST[:] = [(key, z)]
    return z


def member(path, name: str) -> bytes | None:
    """The member ``name`` of the .xlsx at ``path`` (CRC checked) through this module's zip parse, so
    a file is read once for everything asked about it; None when absent or when this parse declines
    (the caller then opens the file its own way)."""
    try:
        return _package(path).read(name.encode(), same=name == "xl/workbook.xml")
    except (Decline, KeyError, OSError, ValueError, zlib.error, struct.error):
        return None


def _note(code: str, severity: str, **params) -> Finding:
    return Finding(code, severity, params=params)


def _read(path: Path, _cover_and_narrative, _read_value) -> Loaded:
    z = _package(path)
    names = z.members
    if (b"xl/workbook.xml" not in names or b"word/document.xml" in names or b"ppt/presentation.xml" in names
            or b"xl/sharedStrings.xml" not in names):
        raise Decline
    parts = _parts(z)
    if META_SHEET not in parts:
        raise Decline
    _opens(z)
    sst_xml = z.read(b"xl/sharedStrings.xml")
    count = re.search(rb"<sst\b[^>]*?\suniqueCount=\"([0-9]+)\"", sst_xml[:4096])
    if count and int(count.group(1)) > max(len(sst_xml), 1024):
        raise Decline  # the full reader refuses this file: let it say so
    strings = _shared_strings(sst_xml)
    styles_key = z.read(b"xl/styles.xml", same=True) if b"xl/styles.xml" in names else b""
    styles = _STYLES.get(styles_key)
    if styles is None:
        styles = _Styles(styles_key or None)
        if len(_STYLES) < 64:
            _STYLES[styles_key] = styles
    meta = _meta(z, parts[META_SHEET], strings)
    fmt = meta.get("format")
    if fmt not in FORMAT_IDS:
        raise Decline
    plan = _plan(fmt)
    spec, layout = plan.spec, plan.layout
    if meta.get("spec_hash") != spec.hash or set(parts) != plan.sheet_set:
        raise Decline

    report = Report(format=fmt)
    out = report.values = dict.fromkeys(plan.order)  # the full reader's order
    problems = report.problems
    sheets: dict[str, _Grid] = {}
    unprotected = []
    for sheet in plan.sheets:
        recipe, values = _sheet(z.read(parts[sheet]), plan, sheet, styles_key, styles)
        _checked(recipe, values, strings)
        _labels(recipe, values, strings)
        sheets[sheet] = _Grid({rc: None if index is None else _decode(kind, values[index], strings)
                               for rc, kind, index in recipe.extra})
        if not recipe.protected:
            unprotected.append(sheet)
        counts = recipe.count_values(values)
        joined = b"\0".join(counts)
        if (_digit_tokens(joined) and max(map(len, counts), default=0) <= 6
                or _SMALL_INTS.fullmatch(joined)):  # whole numbers in range, nothing to say
            out.update(zip(recipe.counts, map(int, counts)))
            entries = recipe.entries
        else:
            entries = [(cid, ctype, typed, where, kind, index) for cid, ctype, typed, where, kind, index
                       in recipe.all_entries()]
        for cid, ctype, typed, where, kind, index in entries:
            raw = None if index is None else _decode(kind, values[index], strings)
            value, problem = _read_value(raw, ctype)
            out[cid] = value
            if typed and problem is not None:
                problems.append(CellProblem(cid, raw, problem, where))
    if problems:  # in the full reader's order: the layout's
        problems.sort(key=lambda p: plan.rank[p.cell])

    notes = _cover_and_narrative(report, layout, sheets, _Unmoved, fmt)
    if unprotected:
        notes.append(_note("S6", "warning", sheets=unprotected))
    template = {"template_id": meta.get("template_id"), "format": fmt, "spec_hash": meta.get("spec_hash"),
                "version": meta.get("generator_version"), "layout_version": meta.get("layout_version")}
    if _LEARNED:
        _keep_learned()
    return Loaded(report, path, "workbook", dict(plan.addresses), computed=True, template=template, notes=notes)
