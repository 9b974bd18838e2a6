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

# characters XML 1.0 cannot hold (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/F)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REFS = {"{": "&#123;", "}": "&#125;", "%": "&#37;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_REF_RE = re.compile("[{}%\t\n\r]")


def clean(text: str) -> str:
    """Drop characters no XML document can contain (the only characters ever dropped)."""
    return _INVALID_XML.sub("", text)


def xml_literal(text) -> Markup:
    """Escaped text for a ``w:t`` element, safe from Jinja and docxtpl's post-processing."""
    s = str(escape(clean(str(text))))
    return Markup(_REF_RE.sub(lambda m: _REFS[m.group(0)], s))


def run_xml(text: str, *, char_style: str | None = None, shade: str | None = None, color: str | None = None) -> str:
    props = ""
    if char_style:
        props += f'<w:rStyle w:val="{S.style_id(char_style)}"/>'
    if color:
        props += f'<w:color w:val="{color}"/>'
    if shade:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_literal(text)}</w:t></w:r>'


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
