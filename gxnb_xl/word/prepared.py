"""A Word template prepared once per process and rendered many times (batch render, county report,
workbench): docxtpl's XML patching and the Jinja compile happen here, once, not per report.

``prepare(data, name)`` reads the .docx package, keeps every part that holds no template code as
a ready zip (written once), patches each templated part (main document, headers, footers,
footnotes) the way docxtpl does (``DocxTemplate.patch_xml``) and compiles it in the limited
sandbox. ``Prepared.render(context)`` renders those parts, applies docxtpl's post-processing
(``{_{`` → ``{{``, ``\\t``/``\\n`` in text → tabs and breaks, table-column repair when the template
loops over rows or cells, unique drawing ids) and appends them and fresh core properties to a copy
of the ready zip. Same output as ``DocxTemplate.render`` + ``save`` for the templates we accept.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
import zipfile
from collections import OrderedDict

from lxml import etree

from ..record import field, record
from .sandbox import Budget, LimitedSandbox, forbidden, render_limited

_TEMPLATED_TYPES = ("document.main+xml", "header+xml", "footer+xml", "footnotes+xml", "template.main+xml")
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROW_CELL_LOOP = re.compile(r"\{%-?\s*t[rc]\b")
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")\d+(")')
_NS = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
       "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
       "xsi": "http://www.w3.org/2001/XMLSchema-instance"}

ENV = LimitedSandbox(autoescape=True)


class NotADocx(Exception):
    """The bytes are not a Word package (no zip, no main document)."""


@record
class Part:
    """A part of the Word template, ready for Jinja."""

    name: str
    source: str  # docxtpl-patched, ready for Jinja (or plain XML when ``plain``)
    fix_tables: bool
    header: bool = False  # a page header: where a mark goes
    plain: bool = False  # no template code: written as is (kept out of the ready zip only to be marked)
    template: object = field(repr=False, default=None)


@record
class Marks:
    """Paragraphs (WordprocessingML) put first in every page header and first in the body."""
    header: str
    banner: str


@record
class Prepared:
    """The Word template prepared once: static parts and compiled templated parts."""

    name: str
    static: bytes  # a zip of every untemplated part
    parts: list[Part]
    core_name: str | None
    core_xml: bytes | None

    def variables(self) -> tuple[set[str], list[str]]:
        """(undeclared variables, forbidden tags) over every templated part (raises TemplateSyntaxError);
        computed once per prepared template."""
        if self._variables is not None:
            return self._variables
        from jinja2 import meta
        names, bad = set(), []
        for p in self.parts:
            ast = ENV.parse(p.source)
            names |= meta.find_undeclared_variables(ast)
            bad += [t for t in forbidden(ast) if t not in bad]
        self._variables = (names, bad)
        return names, bad

    header_complete: bool = False  # every page's header is a part here: ``Marks`` reach every page
    _variables: tuple | None = field(default=None, repr=False)

    def render(self, context: dict, *, core: dict | None = None, budget: Budget | None = None,
               marks: Marks | None = None) -> bytes:
        from docxtpl import DocxTemplate
        budget = budget or Budget()
        out = io.BytesIO(self.static)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for p in self.parts:
                if p.plain:
                    xml = p.source
                    if marks is not None:
                        xml = _after_open(xml, "w:hdr", marks.header)
                    z.writestr(p.name, (xml if xml.startswith("<?xml") else _DECL + xml).encode("utf-8"))
                    continue
                if p.template is None:
                    p.template = ENV.compiled(p.source)
                xml = render_limited(p.template, context, budget)
                xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # docxtpl: re.sub(r"\n<w:p([ >])")
                xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
                if any(ch in xml for ch in "\t\a\f") or "\n" in _text_only(xml):
                    xml = DocxTemplate.resolve_listing(None, xml)
                if p.fix_tables:
                    tree = DocxTemplate.fix_tables(None, xml)
                    xml = etree.tostring(tree, encoding="unicode")
                if "<wp:docPr" in xml:
                    counter = iter(range(1, 1 << 30))
                    xml = _DOCPR_ID.sub(lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", xml)
                if marks is not None:
                    xml = _after_open(xml, "w:hdr", marks.header) if p.header else _after_open(xml, "w:body", marks.banner)
                z.writestr(p.name, (xml if xml.startswith("<?xml") else _DECL + xml).encode("utf-8"))
            if self.core_name:
                z.writestr(self.core_name, core_properties(self.core_xml, core or {}))
        return out.getvalue()


def _after_open(xml: str, tag: str, insert: str) -> str:
    """``insert`` right after the start tag of the first ``tag`` element."""
    m = re.search(rf"<{tag}(?:\s[^>]*)?>", xml)
    return xml if m is None else xml[:m.end()] + insert + xml[m.end():]


def _text_only(xml: str) -> str:
    """The text of ``w:t`` elements (where docxtpl turns a newline into a line break)."""
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def core_properties(xml: bytes | None, values: dict) -> bytes:
    """docProps/core.xml with ``values`` (title, creator, lastModifiedBy, subject, keywords,
    created, modified: str or datetime) set; other properties of the template kept."""
    root = etree.fromstring(xml) if xml else etree.Element(f"{{{_NS['cp']}}}coreProperties", nsmap=_NS)
    where = {"title": "dc", "creator": "dc", "subject": "dc", "language": "dc", "lastModifiedBy": "cp",
             "keywords": "cp", "revision": "cp", "created": "dcterms", "modified": "dcterms"}
    for key, value in values.items():
        ns = where[key]
        el = root.find(f"{{{_NS[ns]}}}{key}")
        if el is None:
            el = etree.SubElement(root, f"{{{_NS[ns]}}}{key}")
        if isinstance(value, _dt.datetime):
            el.set(f"{{{_NS['xsi']}}}type", "dcterms:W3CDTF")
            value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
        el.text = str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _templated_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Part name → content type, for the parts that may hold template code."""
    types = etree.fromstring(z.read("[Content_Types].xml"))
    out = {}
    for o in types:
        ctype = o.get("ContentType") or ""
        part = (o.get("PartName") or "").lstrip("/")
        if part and any(ctype.endswith(t) for t in _TEMPLATED_TYPES):
            out[part] = ctype
    return out


def _headers_complete(document_xml: str, headers: int) -> bool:
    """Each section names a default and an even-page header (odd/even pages) and a first-page
    one when it has a distinct first page: then marking the header parts marks every page."""
    sections = document_xml.count("<w:sectPr")
    refs = len(re.findall(r"<w:headerReference\b", document_xml))
    needed = sections * 2 + document_xml.count("<w:titlePg")
    return headers > 0 and refs >= needed


def _build(data: bytes, name: str) -> Prepared:
    from docxtpl import DocxTemplate
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        names = src.namelist()
        templated = {n: t for n, t in _templated_names(src).items() if n in names}
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, OSError):
        raise NotADocx(name) from None
    if not any(n.endswith("document.xml") for n in templated):
        raise NotADocx(name)
    static = io.BytesIO()
    parts: list[Part] = []
    main_xml = ""
    core_name = "docProps/core.xml" if "docProps/core.xml" in names else None
    core_xml = src.read(core_name) if core_name else None
    with zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename == core_name:
                continue
            blob = src.read(info.filename)
            if info.filename in templated:
                raw = etree.tostring(etree.fromstring(blob), encoding="unicode")
                header = templated[info.filename].endswith("header+xml")
                if templated[info.filename].endswith("main+xml"):
                    main_xml = raw
                if any(m in raw for m in ("{{", "{%", "{#")):
                    src_xml = DocxTemplate.patch_xml(None, raw)
                    src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
                    parts.append(Part(info.filename, src_xml, bool(_ROW_CELL_LOOP.search(raw)), header=header))
                    continue
                if header:
                    parts.append(Part(info.filename, raw, False, header=True, plain=True))
                    continue
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            z.writestr(zi, blob)
    prepared = Prepared(name, static.getvalue(), parts, core_name, core_xml)
    prepared.header_complete = _headers_complete(main_xml, sum(p.header for p in parts))
    return prepared


_CACHE: OrderedDict[str, Prepared] = OrderedDict()


def prepare(data: bytes, name: str = "模板") -> Prepared:
    """The prepared template for these bytes, built once per process (a few kept, by content hash)."""
    key = hashlib.sha256(data).hexdigest()
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    prepared = _build(data, name)
    _CACHE[key] = prepared
    if len(_CACHE) > 8:
        _CACHE.popitem(last=False)
    return prepared
