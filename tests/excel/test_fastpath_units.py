"""Pieces of the fast path (excel/fastpath.py) against what they stand in for.

Shared strings read against the last body read whole (only the span that differs matched, decoded
and split again) give exactly what reading the same XML alone gives: the same items, or the same
refusal. The quick digit test accepts only what the value patterns accept. ISA-L's inflater (when
installed) reads every part as zlib's does, damaged or not."""
from __future__ import annotations

import random
import zlib

import pytest

from gxnb_xl.excel import fastpath

HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="9">')
WORDS = ["表二", "自然人", "商业企业", "0", "12", "a &amp; b", "", "第（一）项", "x" * 40, "基准县第00501镇人民政府"]


def _item(rng: random.Random) -> bytes:
    word = rng.choice(WORDS).encode()
    kind = rng.random()
    if kind < 0.7:
        return b"<si><t>" + word + b"</t></si>"
    if kind < 0.8:
        return b'<si><t xml:space="preserve"> ' + word + b" </t></si>"
    if kind < 0.9:
        return b"<si><r><rPr><b/><sz val=\"11\"/></rPr><t>" + word + b"</t></r><r><t>" + word + b"</t></r></si>"
    return b"<si><t/></si>"


def _bad(rng: random.Random) -> bytes:
    return rng.choice((b"<si><t>\xff\xfe</t></si>", b"<si><t>a<b</t></si>", b"<si><r><rPr><sig/></rPr><t>q</t></r></si>",
                       b"<si>", b"</si>", b"<si><t>&#38;</t></si>", b"<si x=\"1\"><t>a</t></si>"))


def _xml(items: list) -> bytes:
    return HEAD + b"".join(items) + b"</sst>"


def _alone(xml: bytes):
    saved = list(fastpath._SST_SEEN)
    fastpath._SST_SEEN.clear()
    try:
        return fastpath._shared_strings(xml).items
    except (fastpath.Decline, UnicodeDecodeError):  # read_fast: None, the full reader decides
        return "declined"
    finally:
        fastpath._SST_SEEN[:] = saved


def _after(seen: bytes, xml: bytes):
    fastpath._SST_SEEN.clear()
    fastpath._shared_strings(seen)
    try:
        return fastpath._shared_strings(xml).items
    except (fastpath.Decline, UnicodeDecodeError):  # read_fast: None, the full reader decides
        return "declined"
    finally:
        fastpath._SST_SEEN.clear()


def _edit(rng: random.Random, items: list) -> list:
    out = list(items)
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.random()
        at = rng.randrange(len(out) + 1)
        if op < 0.35 and out:
            out[min(at, len(out) - 1)] = _item(rng)
        elif op < 0.6:
            out.insert(at, _item(rng))
        elif op < 0.8 and out:
            del out[min(at, len(out) - 1)]
        elif op < 0.9:
            out.insert(at, _bad(rng))
        else:  # the same items repeated: prefix and suffix overlap
            out = out + out[:rng.randrange(len(out) + 1)]
    return out


@pytest.mark.parametrize("seed", range(8))
def test_changed_span_reads_as_the_whole(seed):
    rng = random.Random(seed)
    used = 0
    for _ in range(300):
        base = [_item(rng) for _ in range(rng.randrange(0, 30))]
        edited = _edit(rng, base)
        seen, xml = _xml(base), _xml(edited)
        alone = _alone(xml)
        assert _after(seen, xml) == alone
        used += alone != "declined"
    assert used > 100


def test_one_changed_item_is_the_only_span_split(monkeypatch):
    items = [b"<si><t>%d</t></si>" % i for i in range(500)]
    seen = _xml(items)
    items[250] = "<si><t>某镇</t></si>".encode()
    fastpath._SST_SEEN.clear()
    fastpath._shared_strings(seen)
    try:
        strings = fastpath._shared_strings(_xml(items))
        assert fastpath._SST_SEEN[0].body == seen[len(HEAD):]  # still the body read whole
        assert strings.get(250) == "某镇" and strings.get(251) == "251" and strings.n == 500
    finally:
        fastpath._SST_SEEN.clear()


def test_digit_tokens_only_accepts_what_the_patterns_accept():
    """The quick test of a sheet's joined values never accepts what the value patterns refuse."""
    rng = random.Random(7)
    alphabet = [b"0", b"1", b"9", b"12", b"1234567", b"", b"-", b".", b"e", b"+", b" ", b"_", b"\xef\xbc\x91", b"a"]
    accepted = 0
    for _ in range(20000):
        tokens = [b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 3))) for _ in range(rng.randrange(0, 5))]
        joined = b"\0".join(tokens)
        if fastpath._digit_tokens(joined):
            accepted += 1
            assert fastpath._NUMBERS.fullmatch(joined) and fastpath._INDICES.fullmatch(joined), joined
            if max(map(len, tokens), default=0) <= 6:
                assert fastpath._SMALL_INTS.fullmatch(joined), joined
        elif fastpath._INDICES.fullmatch(joined):
            assert joined.endswith(b"\0") or not joined.replace(b"\0", b""), joined  # a trailing empty value
    assert accepted > 1000


def test_inflaters_agree():
    """Every deflated part of a template workbook, whole, truncated, bit-flipped or with a wrong size,
    inflated by the chosen inflater and by zlib: the same bytes or the same refusal."""
    import io
    import zipfile

    from gxnb_xl.excel.template import build_workbook_bytes
    data = build_workbook_bytes("2021")
    z = fastpath._Zip(data)
    fastpath._PACKAGES[0] = max(fastpath._PACKAGES[0], 2)  # past the first workbook: isal when installed
    chosen = fastpath._INFLATER or fastpath._inflater()
    try:
        from isal.isal_zlib import decompressobj
        assert chosen is decompressobj
    except ImportError:
        assert chosen is zlib.decompressobj
    rng = random.Random(3)

    def inflate(inflater, crc, usize, raw):
        saved = fastpath._INFLATER, fastpath._CRC32
        fastpath._INFLATER, fastpath._CRC32 = inflater, zlib.crc32 if inflater is zlib.decompressobj else saved[1]
        try:
            return fastpath._Zip._inflate(8, crc, usize, raw)
        except fastpath.Decline:
            return "declined"
        finally:
            fastpath._INFLATER, fastpath._CRC32 = saved

    names = [n.encode() for n in zipfile.ZipFile(io.BytesIO(data)).namelist()]
    outcomes = set()
    for name in names:
        _, crc, usize, raw = z.raw(name)
        cases = [(crc, usize, raw), (crc, usize - 1, raw), (crc, usize + 1, raw), (crc ^ 1, usize, raw),
                 (crc, usize, raw[:len(raw) // 2]), (crc, usize, raw + b"\0\0")]
        for _ in range(20):
            flipped = bytearray(raw)
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
            cases.append((crc, usize, bytes(flipped)))
        for case in cases:
            got = inflate(chosen, *case)
            assert got == inflate(zlib.decompressobj, *case)
            outcomes.add(got == "declined")
    assert outcomes == {True, False}


def test_common_prefix_and_suffix():
    """The common prefix/suffix lengths, guessed from the last call or bisected, are the true ones."""
    rng = random.Random(9)

    def true(a, b, direction):
        n = 0
        while n < min(len(a), len(b)) and (a[n] == b[n] if direction == 1 else a[-1 - n] == b[-1 - n]):
            n += 1
        return n

    for _ in range(3000):
        a = bytes(rng.choice(b"ab") for _ in range(rng.randrange(0, 12)))
        b = bytearray(a[:rng.randrange(len(a) + 1)] if rng.random() < 0.5 else a)
        for _ in range(rng.randrange(0, 3)):
            if b and rng.random() < 0.5:
                b[rng.randrange(len(b))] = rng.choice(b"abc")
            else:
                b.insert(rng.randrange(len(b) + 1), rng.choice(b"abc"))
        b = bytes(b)
        for direction in (1, -1):
            assert fastpath._common(a, b, direction) == true(a, b, direction), (a, b, direction)
