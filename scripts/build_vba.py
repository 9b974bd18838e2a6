"""Build ``gxnb_xl/resources/vbaProject.bin`` from the VBA sources in ``macros/``.

    python scripts/build_vba.py            # rebuild the committed vbaProject.bin
    python scripts/build_vba.py --check    # exit 1 when the committed file differs from the sources
    python scripts/build_vba.py --update-xlwings   # refresh macros/vendor/ from the installed xlwings

The output is a spec-conforming VBA project ([MS-OVBA]) in a compound file ([MS-CFB]) written
from scratch here, with no third-party dependency:

- every module stream holds only the compressed source text (no compiled p-code: the module
  offset is 0 and ``_VBA_PROJECT`` carries version 0xFFFF, as [MS-OVBA] 2.3.4.1 asks of writers),
  so Excel compiles the macros from exactly the source that is versioned in ``macros/``;
- the build is deterministic (fixed project id, seeds and timestamps): the same sources always
  give the same bytes, which is how the tests prove the committed binary matches ``macros/``.

Modules: ``ThisWorkbook`` (document module, generated), every ``macros/*.bas`` (our macros), and
``macros/vendor/xlwings.bas`` + ``macros/vendor/Dictionary.cls`` (xlwings' open-source standalone
VBA module and its Mac helper class, BSD/MIT licensed, copied unchanged from the xlwings package).
"""
from __future__ import annotations

import argparse
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACROS = ROOT / "macros"
OUTPUT = ROOT / "gxnb_xl" / "resources" / "vbaProject.bin"

CODEPAGE = 1252  # sources are ASCII-only (Chinese text is built at run time with ChrW), see macros/README.md
PROJECT_ID = "{6D3C6B1E-2F57-4C1B-9B7A-47584E422D58}"  # fixed: deterministic output
PROJECT_NAME = "VBAProject"

# document modules Excel expects for the workbook (XlsxWriter sets the codename ThisWorkbook)
THISWORKBOOK_SOURCE = (
    'Attribute VB_Name = "ThisWorkbook"\r\n'
    'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
    "Attribute VB_GlobalNameSpace = False\r\n"
    "Attribute VB_Creatable = False\r\n"
    "Attribute VB_PredeclaredId = True\r\n"
    "Attribute VB_Exposed = True\r\n"
    "Attribute VB_TemplateDerived = False\r\n"
    "Attribute VB_Customizable = True\r\n"
)
CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'  # VB_Base Excel stores for a class module

# (name, libid) registered references, as Excel writes them for a new workbook
REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files\\Microsoft Shared"
               "\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library"),
)


# ── [MS-OVBA] 2.4.1 compression ──────────────────────────────────────────────────────────
def compress(data: bytes) -> bytes:
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        out += _compress_chunk(data[start:start + 4096])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    pos, end = 0, len(chunk)
    index: dict[bytes, list[int]] = {}
    while pos < end:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            diff = pos  # distance from the chunk start
            bitcount = max((diff - 1).bit_length(), 4) if diff else 4
            max_len = (0xFFFF >> bitcount) + 3
            best_len, best_off = 0, 0
            if pos + 3 <= end:
                for cand in reversed(index.get(chunk[pos:pos + 3], ())[-64:]):
                    n = 0
                    limit = min(max_len, end - pos)
                    while n < limit and chunk[cand + n] == chunk[pos + n]:
                        n += 1
                    if n > best_len:
                        best_len, best_off = n, pos - cand
                        if n == limit:
                            break
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bitcount)) | (best_len - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
                for p in range(pos, pos + best_len):
                    index.setdefault(chunk[p:p + 3], []).append(p)
                pos += best_len
            else:
                body.append(chunk[pos])
                index.setdefault(chunk[pos:pos + 3], []).append(pos)
                pos += 1
        body[flag_at] = flags
    if len(body) > 4096:
        if len(chunk) != 4096:
            raise ValueError("incompressible final chunk")  # never for source text
        return struct.pack("<H", 0x3000 | 4095) + chunk
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + bytes(body)


def decompress(data: bytes) -> bytes:
    if not data or data[0] != 1:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        compressed = header & 0x8000
        chunk_end = pos + size
        pos += 2
        start = len(out)
        if not compressed:
            out += data[pos:pos + 4096]
            pos += 4096
            continue
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", data, pos)[0]
                    pos += 2
                    diff = len(out) - start
                    bitcount = max((diff - 1).bit_length(), 4)
                    length = (token & (0xFFFF >> bitcount)) + 3
                    offset = (token >> (16 - bitcount)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(data[pos])
                    pos += 1
    return bytes(out)


# ── [MS-OVBA] 2.4.3 data encryption (CMG / DPB / GC in the PROJECT stream) ───────────────
def encrypt(data: bytes, seed: int) -> str:
    key = sum(PROJECT_ID.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ 2, seed ^ key])
    unenc1, enc1, enc2 = key, seed ^ key, seed ^ 2
    plain = bytes([0] * ((seed & 6) // 2)) + struct.pack("<I", len(data)) + data
    for b in plain:
        e = b ^ ((enc2 + unenc1) & 0xFF)
        out.append(e)
        enc2, enc1, unenc1 = enc1, e, b
    return out.hex().upper()


def decrypt(text: str) -> bytes:
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[:3]
    unenc1, enc1, enc2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for e in raw[3:]:
        b = e ^ ((enc2 + unenc1) & 0xFF)
        plain.append(b)
        enc2, enc1, unenc1 = enc1, e, b
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    return bytes(plain[ignored + 4:ignored + 4 + length])


# ── modules ──────────────────────────────────────────────────────────────────────────────
class Module:
    def __init__(self, name: str, kind: str, source: str):
        self.name, self.kind = name, kind  # kind: document | module | class
        self.source = source

    def stream(self) -> bytes:
        return compress(self.source.encode(f"cp{CODEPAGE}"))


def _normalise(text: str) -> str:
    return "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def read_module(path: Path) -> Module:
    """A .bas/.cls file as exported by the VBA editor, in the form Excel stores it."""
    text = path.read_bytes().decode("ascii")  # ASCII only: fails loudly on anything else
    lines = _normalise(text).split("\r\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name"))
    lines = lines[first:]  # a .cls export starts with a VERSION/BEGIN/END header Excel does not store
    name = lines[0].split("=", 1)[1].strip().strip('"')
    kind = "class" if path.suffix.lower() == ".cls" else "module"
    if kind == "class" and not any(line.startswith("Attribute VB_Base") for line in lines):
        lines.insert(1, f"Attribute VB_Base = {CLASS_BASE}")
    source = "\r\n".join(lines)
    if not source.endswith("\r\n"):
        source += "\r\n"
    return Module(name, kind, source)


def source_files(macros: Path = MACROS) -> list[Path]:
    return sorted(macros.glob("*.bas")) + sorted((macros / "vendor").glob("*.bas")) + sorted((macros / "vendor").glob("*.cls"))


def modules(macros: Path = MACROS) -> list[Module]:
    return [Module("ThisWorkbook", "document", THISWORKBOOK_SOURCE)] + [read_module(p) for p in source_files(macros)]


# ── [MS-OVBA] streams ────────────────────────────────────────────────────────────────────
def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _u16(s: str) -> bytes:
    return s.encode("utf-16-le")


def _mb(s: str) -> bytes:
    return s.encode(f"cp{CODEPAGE}")


def dir_stream(mods: list[Module]) -> bytes:
    d = bytearray()
    d += _rec(0x0001, struct.pack("<I", 1))  # SysKind: 32-bit Windows (Excel recompiles anyway)
    d += _rec(0x0002, struct.pack("<I", 0x0409))  # LCID
    d += _rec(0x0014, struct.pack("<I", 0x0409))  # LCIDINVOKE
    d += _rec(0x0003, struct.pack("<H", CODEPAGE))
    d += _rec(0x0004, _mb(PROJECT_NAME))
    d += _rec(0x0005, b"") + _rec(0x0040, b"")  # docstring
    d += _rec(0x0006, b"") + _rec(0x003D, b"")  # help file
    d += _rec(0x0007, struct.pack("<I", 0))  # help context
    d += _rec(0x0008, struct.pack("<I", 0))  # lib flags
    d += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # PROJECTVERSION: reserved 4, major 1, minor 0
    d += _rec(0x000C, b"") + _rec(0x003C, b"")  # constants
    for name, libid in REFERENCES:
        d += _rec(0x0016, _mb(name)) + _rec(0x003E, _u16(name))
        lib = _mb(libid)
        body = struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0)
        d += _rec(0x000D, body)
    d += _rec(0x000F, struct.pack("<H", len(mods)))
    d += _rec(0x0013, struct.pack("<H", 0xFFFF))  # project cookie
    for m in mods:
        d += _rec(0x0019, _mb(m.name)) + _rec(0x0047, _u16(m.name))
        d += _rec(0x001A, _mb(m.name)) + _rec(0x0032, _u16(m.name))
        d += _rec(0x001C, b"") + _rec(0x0048, b"")
        d += _rec(0x0031, struct.pack("<I", 0))  # source starts at 0: no p-code cache
        d += _rec(0x001E, struct.pack("<I", 0))
        d += _rec(0x002C, struct.pack("<H", 0xFFFF))
        d += _rec(0x0021 if m.kind == "module" else 0x0022, b"")
        d += _rec(0x002B, b"")
    d += _rec(0x0010, b"")
    return bytes(d)


def project_stream(mods: list[Module]) -> bytes:
    lines = [f'ID="{PROJECT_ID}"']
    for m in mods:
        lines.append({"document": f"Document={m.name}/&H00000000", "module": f"Module={m.name}",
                      "class": f"Class={m.name}"}[m.kind])
    lines += [f'Name="{PROJECT_NAME}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{encrypt(bytes(4), 0x11)}"',  # protection state: none
              f'DPB="{encrypt(bytes(1), 0x13)}"',  # password: none
              f'GC="{encrypt(bytes([0xFF]), 0x15)}"',  # visible
              "", "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
              "", "[Workspace]"]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in mods]
    return _mb("\r\n".join(lines) + "\r\n")


def project_wm(mods: list[Module]) -> bytes:
    return b"".join(_mb(m.name) + b"\0" + _u16(m.name) + b"\0\0" for m in mods) + b"\0\0"


def build(macros: Path = MACROS) -> bytes:
    mods = modules(macros)
    vba = {m.name: m.stream() for m in mods}
    vba["dir"] = compress(dir_stream(mods))
    vba["_VBA_PROJECT"] = bytes.fromhex("CC61FFFF000100")  # reserved, version 0xFFFF, reserved; no cache
    root = {"PROJECT": project_stream(mods), "PROJECTwm": project_wm(mods), "VBA": vba}
    return write_cfb(root)


# ── [MS-CFB] compound file, version 3 ────────────────────────────────────────────────────
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI, CUTOFF = 512, 64, 4096


class _Entry:
    def __init__(self, name, kind, data=b"", children=()):
        self.name, self.kind, self.data, self.children = name, kind, data, list(children)
        self.left = self.right = self.child = NOSTREAM
        self.red = False
        self.start, self.size = END, 0
        self.sid = 0


def _tree(tree: dict, name="Root Entry", kind=5) -> _Entry:
    kids = [(_tree(v, k, 1) if isinstance(v, dict) else _Entry(k, 2, v)) for k, v in tree.items()]
    return _Entry(name, kind, children=kids)


def _order(e: _Entry):
    return (len(e.name), e.name.upper())


def _balance(nodes: list[_Entry], depth: int, deepest: int, full: bool) -> int:
    """Balanced red-black tree from sorted siblings; returns the root's stream id."""
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    n = nodes[mid]
    n.left = _balance(nodes[:mid], depth + 1, deepest, full)
    n.right = _balance(nodes[mid + 1:], depth + 1, deepest, full)
    n.red = depth == deepest and not full
    return n.sid


def write_cfb(tree: dict) -> bytes:
    root = _tree(tree)
    entries: list[_Entry] = []

    def number(e):
        e.sid = len(entries)
        entries.append(e)
        for c in e.children:
            number(c)
    number(root)
    for e in entries:
        if e.children:
            kids = sorted(e.children, key=_order)
            deepest = (len(kids)).bit_length() - 1
            full = len(kids) == (1 << (deepest + 1)) - 1
            e.child = _balance(kids, 0, deepest, full)

    streams = [e for e in entries if e.kind == 2]
    small = [e for e in streams if len(e.data) < CUTOFF]
    large = [e for e in streams if len(e.data) >= CUTOFF]
    mini = bytearray()
    minifat: list[int] = []
    for e in small:
        e.size = len(e.data)
        if not e.data:
            continue
        e.start = len(mini) // MINI
        n = -(-len(e.data) // MINI)
        minifat += [e.start + i + 1 for i in range(n - 1)] + [END]
        mini += e.data + b"\0" * (n * MINI - len(e.data))

    def sectors(nbytes):
        return -(-nbytes // SECTOR)
    n_dir = sectors(len(entries) * 128)
    n_minifat = sectors(len(minifat) * 4)
    n_mini = sectors(len(mini))
    n_large = sum(sectors(len(e.data)) for e in large)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_dir + n_minifat + n_mini + n_large:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for this writer")
    fat = [FATSECT] * n_fat
    body = bytearray()

    def chain(data: bytes) -> int:
        n = sectors(len(data))
        if n == 0:
            return END
        start = len(fat)
        fat.extend(start + i + 1 for i in range(n - 1))
        fat.append(END)
        body.extend(data + b"\0" * (n * SECTOR - len(data)))
        return start

    # directory written last in bytes but its sectors are reserved first: build entries after placing data
    dir_start = len(fat)
    fat.extend(dir_start + i + 1 for i in range(n_dir - 1))
    fat.append(END)
    dir_at = len(body)
    body.extend(b"\0" * (n_dir * SECTOR))
    minifat_start = chain(b"".join(struct.pack("<I", x) for x in minifat)) if minifat else END
    root.start = chain(bytes(mini)) if mini else END
    root.size = len(mini)
    for e in large:
        e.size = len(e.data)
        e.start = chain(e.data)
    for e in entries:
        if e.kind == 1:
            e.start, e.size = 0, 0
    dir_bytes = bytearray()
    for e in entries:
        name = _u16(e.name) + b"\0\0"
        dir_bytes += name + b"\0" * (64 - len(name))
        dir_bytes += struct.pack("<HBBIII", len(name), e.kind, 0 if e.red else 1, e.left, e.right, e.child)
        dir_bytes += b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16
        dir_bytes += struct.pack("<IQ", e.start if e.kind != 1 else 0, e.size)
    dir_bytes += b"\0" * (n_dir * SECTOR - len(dir_bytes))
    # unused directory slots must be marked empty with NOSTREAM siblings/children
    for i in range(len(entries), n_dir * SECTOR // 128):
        off = i * 128
        dir_bytes[off + 68:off + 80] = struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
    body[dir_at:dir_at + len(dir_bytes)] = dir_bytes
    fat += [FREE] * (n_fat * (SECTOR // 4) - len(fat))
    fat_bytes = b"".join(struct.pack("<I", x) for x in fat)
    difat = list(range(n_fat)) + [FREE] * (109 - n_fat)
    header = bytearray()
    header += bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, CUTOFF, minifat_start, n_minifat if minifat else 0,
                          END, 0)
    header += b"".join(struct.pack("<I", x) for x in difat)
    assert len(header) == SECTOR
    return bytes(header) + fat_bytes + bytes(body)


# ── command line ─────────────────────────────────────────────────────────────────────────
def update_xlwings() -> None:
    import xlwings  # the build machine's xlwings: the version pinned in macros/README.md
    src = Path(xlwings.__file__).parent
    (MACROS / "vendor").mkdir(exist_ok=True)
    shutil.copyfile(src / "xlwings.bas", MACROS / "vendor" / "xlwings.bas")
    shutil.copyfile(src / "addin" / "Dictionary.cls", MACROS / "vendor" / "Dictionary.cls")
    print(f"macros/vendor/ ← xlwings {xlwings.__version__}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    ap.add_argument("--update-xlwings", action="store_true", help="copy xlwings.bas/Dictionary.cls from the installed xlwings")
    ap.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = ap.parse_args(argv)
    if args.update_xlwings:
        update_xlwings()
    data = build()
    if args.check:
        same = args.output.exists() and args.output.read_bytes() == data
        print(f"{args.output}: {'up to date' if same else 'OUT OF DATE — run python scripts/build_vba.py'}")
        return 0 if same else 1
    sys.path.insert(0, str(ROOT))
    from gxnb_xl.report import write_bytes_atomic
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(args.output, data)
    print(f"wrote {args.output} ({len(data)} bytes, {len(modules())} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
