"""Staff text into WordprocessingML and HTML: always literal, never template code.

docxtpl post-processes rendered XML (``{_{`` → ``{{``, tab/\\a/\\f/\\n → tabs, paragraphs, page
and line breaks), so text is handed to the template pre-escaped as ``Markup`` with the
characters those steps look for written as character references. Jinja's autoescape leaves
``Markup`` alone; lxml turns the references back into the very characters the clerk typed.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

from . import style as S

# characters XML 1.0 cannot hold (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/F);
# Word's Shift-Enter (VT, \x0b) and a page break (FF) become a space, the rest go
_INVALID_XML = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_AS_SPACE = re.compile("[\x0b\x0c\x85\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\n\r]+")

# A number with what belongs to it: "39件", "43.919万元", "〔2020〕109号", "2024年", "12月31日".
# LibreOffice breaks Chinese text between any two characters (and, with a zh-CN Latin language,
# inside digit runs); such a cluster is written as its own run in an English-language run
# (ICU line breaking) with WORD JOINERs at its digit/ideograph seams, so no line ends inside it.
_CLUSTER = re.compile(r"〔?\d+(?:\.\d+)?(?:〕\d+)?(?:万元|[件元号项年月日个次人条倍%％〕])?")
WORD_JOINER = "\u2060"
_REFS = {"{": "&#123;", "}": "&#125;", "%": "&#37;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_REF_RE = re.compile("[{}%\t\n\r]")


def clean(text: str) -> str:
    """Drop characters no XML document can contain (the only characters ever dropped); vertical
    tab (Word's Shift-Enter), form feed and Unicode line separators become a space."""
    return _INVALID_XML.sub("", _AS_SPACE.sub(" ", text))


def clean_line(text) -> str:
    """One-line text (a unit name, a title): ``clean`` and every line break or tab as one space."""
    return _LINE_BREAKS.sub(" ", clean(str(text))).strip()


def _joined(cluster: str) -> str:
    out = [cluster[0]]
    for a, b in zip(cluster, cluster[1:]):
        if not (a.isascii() and b.isascii()):
            out.append(WORD_JOINER)
        out.append(b)
    return "".join(out)


def unjoin(text: str) -> str:
    """Text as typed: the word joiners ``run_xml`` put into number clusters removed."""
    return text.replace(WORD_JOINER, "")


def xml_literal(text) -> Markup:
    """Escaped text for a ``w:t`` element, safe from Jinja and docxtpl's post-processing."""
    s = str(escape(clean(str(text))))
    return Markup(_REF_RE.sub(lambda m: _REFS[m.group(0)], s))


def _run(text: str, style: str, tail: str, nobreak: bool) -> str:
    if nobreak:  # rPr children in schema order: rStyle, noProof, color, shd, lang
        props = style + '<w:noProof/>' + tail + '<w:lang w:val="en-US" w:eastAsia="en-US"/>'
        text = _joined(text)
    else:
        props = style + tail
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_literal(text)}</w:t></w:r>'


def run_xml(text: str, *, char_style: str | None = None, shade: str | None = None, color: str | None = None) -> str:
    """Runs of ``text`` with one formatting; every number cluster in a run of its own that no
    line break can split (see ``_CLUSTER``)."""
    style = f'<w:rStyle w:val="{S.style_id(char_style)}"/>' if char_style else ""
    tail = ""
    if color:
        tail += f'<w:color w:val="{color}"/>'
    if shade:
        tail += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    text = clean(text)
    out, pos = [], 0
    for m in _CLUSTER.finditer(text):
        if m.start() > pos:
            out.append(_run(text[pos:m.start()], style, tail, False))
        out.append(_run(m.group(0), style, tail, True))
        pos = m.end()
    if pos < len(text) or not out:
        out.append(_run(text[pos:], style, tail, False))
    return "".join(out)


def signature_xml(sign: dict) -> str:
    """The 落款 paragraphs (``context.signature``): a blank line, the organ name, the date."""
    def para(text, indent):
        return (f'<w:p><w:pPr><w:ind w:right="{int(indent)}" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="right"/>'
                f'</w:pPr>{run_xml(text)}</w:p>')
    return "<w:p/>" + para(sign["unit"], sign["unit_indent"]) + para(sign["date"], sign["date_indent"])


class Para:
    """One narrative paragraph as the template sees it.

    ``text``: the paragraph (escaped, literal); ``rich``: runs for ``{{r para.rich }}`` (the
    second-level heading part in 楷体, drafted text shaded); ``heading``/``body``: the paragraph
    split after a leading part heading such as ``（一）主动公开。``; ``drafted``: written by gxnb
    from the tables, for the clerk to review; ``note``: the review notice before drafted text.
    """

    __slots__ = ("raw", "heading_raw", "drafted", "note")

    def __init__(self, raw: str, *, heading: str = "", drafted: bool = False, note: bool = False):
        self.raw, self.heading_raw, self.drafted, self.note = clean(raw), clean(heading), drafted, note

    @property
    def text(self) -> Markup:
        return xml_literal(self.raw)

    @property
    def heading(self) -> Markup:
        return xml_literal(self.heading_raw)

    @property
    def body(self) -> Markup:
        return xml_literal(self.raw[len(self.heading_raw):])

    @property
    def rich(self) -> Markup:
        if self.note:
            return Markup(run_xml(self.raw, color=S.MARK_COLOR, char_style=S.S_H2_CHAR))
        shade = S.DRAFT_FILL if self.drafted else None
        out = ""
        if self.heading_raw:
            out += run_xml(self.heading_raw, char_style=S.S_H2_CHAR, shade=shade)
        rest = self.raw[len(self.heading_raw):]
        if rest or not out:
            out += run_xml(rest, shade=shade)
        return Markup(out)

    def __str__(self) -> str:  # ``{{ para }}`` in a custom template prints the text
        return str(self.text)

    def __html__(self) -> str:
        return str(self.text)

    def __repr__(self) -> str:
        return f"Para({self.raw[:20]!r}, drafted={self.drafted})"


def split_heading(text: str, parts: tuple[str, ...]) -> str:
    """The leading second-level heading of a paragraph (one of the section's parts), with the
    punctuation right after it, or ""."""
    for part in parts:
        if text.startswith(part):
            rest = text[len(part):]
            tail = rest[:1] if rest[:1] in "。：:．.，" else ""
            return part + tail
    m = re.match(r"^（[一二三四五六七八九十]{1,3}）[^。：，；（]{1,16}[。：]", text)
    return m.group(0) if m else ""
