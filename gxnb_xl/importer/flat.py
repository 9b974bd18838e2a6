"""Text of a web page as crawlers and browsers hand it over: chrome around it, lines gone.

Before the report is read (reader.py), the page is tidied once:

* ``# …`` comment lines at the top (archive notes) and the crawler's ``标题: …``, ``发布时间: …``,
  ``来源：…`` lines are taken off; what they say (title, date, publishing body) is kept as
  *page metadata* — the title is often the only place that names the unit and the year;
* page furniture (breadcrumb, share buttons, 【字体：大 中 小】, 【打印本页】, footers with 主办/备案号)
  is cut out wherever it stands, so it never reaches the narrative;
* a page copied onto one line gets its line breaks back at the places that matter: around the
  title and around each numbered section heading (found in order, by the official wording, a
  known variant, or numeral + the wording's first four characters).

Patterns are data (``variants.toml`` [page], [headings]); nothing here knows a particular site.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..record import field, record
from ..spec import load_spec
from .alternation import alternation
from .text import heading_key, norm, vocabulary, widen

LONG_LINE = 160  # a line this long holds more than one paragraph or table row
MIXED_LINE = 30  # a heading inside a line this long shares it with other text: cut it out
META_LINES = 40  # crawler metadata sits at the top of the page
TITLE = re.compile(r"(\d{4})\s*年\s*度?\s*(?:政府|政务)?\s*信息\s*公开\s*(?:工作)?\s*(?:年\s*度|年)\s*(?:工作)?\s*报\s*告")
_CN_NUM = "一二三四五六七八九十"
_HEAD_END = re.compile(r"[\d\s，。；：,.;:（(【\[“\"]")


@record
class Page:
    """A page's text once tidied, and what its furniture said (title, date, source)."""

    text: str
    meta: dict = field(default_factory=dict)  # title, date, source (as printed)
    headings: dict = field(default_factory=dict)  # section key → heading text found inline


@lru_cache(maxsize=1)
def _patterns():
    data = vocabulary()["raw"].get("page", {})

    def keys(name):
        return "|".join(re.escape(k) for k in data.get(name, ()))

    meta = re.compile(r"^\s*(?:(?P<title>" + keys("title_keys") + r")|(?P<date>" + keys("date_keys") + r")|"
                      r"(?P<source>" + keys("source_keys") + r")|(?P<other>" + keys("other_keys") + r"))\s*[:：]\s*(?P<value>.*)$")
    cover = re.compile(r"^\s*(?:(?P<unit>" + keys("unit_keys") + r")|(?P<year>" + keys("year_keys") + r"))\s*[:：|]\s*(?P<value>[^|]{1,60}?)\s*(?:\|.*)?$")
    any_key = re.compile(r"(?:" + "|".join(keys(k) for k in ("title_keys", "date_keys", "source_keys", "other_keys")) +
                         r")\s*[:：|]")
    seps = [re.compile(p) for p in data.get("separators", ())]
    inline = alternation(data.get("inline", ()))  # scanned over the whole page: see alternation.py
    footer = alternation(data.get("footer", ()), r"[^\n]*")
    return meta, seps, inline, footer, cover, any_key


@lru_cache(maxsize=1)
def _tail():
    return tuple(re.compile(p) for p in vocabulary()["raw"].get("page", {}).get("tail", ()))


@lru_cache(maxsize=1)
def _heading_forms():
    """(section key, numeral, [wordings]) for the numbered sections, in order (same in every format)."""
    variants = vocabulary()["raw"].get("headings", {})
    out = []
    for s in load_spec("2021").sections:
        if not s.number:
            continue
        words = [heading_key(s.heading)] + [norm(v) for v in variants.get(s.heading, ())]
        out.append((s.key or s.table, s.number, sorted(set(words), key=len, reverse=True)))
    return tuple(out)


def prepare(text: str) -> Page:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\ufeff", "")
    lines = text.split("\n")
    meta: dict = {}
    meta_re, seps, inline, footer, cover, any_key = _patterns()
    # archive comments (# …) before anything else
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        i += 1
    lines = lines[i:]
    kept = []
    for n, line in enumerate(lines):
        s = widen(line).strip() if n < META_LINES else ""  # only the top of the page holds metadata
        if n < META_LINES and len(s) < 200:
            if any(p.search(s) for p in seps):
                continue
            c = cover.match(s)
            if c and not meta.get(c.lastgroup or ""):
                kind = "unit" if c.group("unit") else "year"
                value = c.group("value").strip()
                if kind == "unit" or re.fullmatch(r"(?:19|20)\d\d\s*年?度?", value):
                    meta[kind] = value
            if len(any_key.findall(s)) >= 2:
                # the disclosure catalogue's box (索引号 | … | 发布机构 | … | 生成日期 | …): keep what it says
                for part in re.split(r"\s*\|\s*|\s{2,}", s):
                    pm = meta_re.match(part)
                    if pm:
                        kind = next(k for k in ("title", "date", "source", "other") if pm.group(k))
                        if kind != "other" and pm.group("value").strip() and kind not in meta:
                            meta[kind] = pm.group("value").strip()
                continue
            m = meta_re.match(s)
            if m:
                kind = next(k for k in ("title", "date", "source", "other") if m.group(k))
                value = m.group("value").strip()
                if kind != "other" and value and kind not in meta:
                    meta[kind] = value
                continue
        kept.append(line)
    tail = _tail()
    for k, line in enumerate(kept):
        if k > len(kept) // 2 and any(t.match(widen(line)) for t in tail):
            kept = kept[:k]
            break
    body = "\n".join(kept)
    body = inline.sub(" ", body)
    body = footer.sub("", body)
    page = Page(body, meta)
    _unflatten(page)
    return page


def _unflatten(page: Page) -> None:
    """Put the title and every numbered section heading of a long line on a line of its own."""
    text = page.text
    if not any(len(ln) > MIXED_LINE for ln in text.split("\n")):
        return
    cuts: list[tuple[int, int, int]] = []  # (start, end, line length beyond which to cut) 
    w = widen(text)
    # the title: the crawler's title printed again at the top, or a title sentence near the top
    title = page.meta.get("title")
    head_from = 0
    if title:
        pos = w.find(widen(title).strip(), 0, 600)
        if pos >= 0:
            cuts.append((pos, pos + len(title.strip()), LONG_LINE))
            head_from = pos + len(title.strip())
    else:
        m = TITLE.search(w, 0, 400)
        if m:
            start = m.start()
            while start > 0 and m.start() - start < 40 and not w[start - 1].isspace() and w[start - 1] not in "。：:":
                start -= 1
            cuts.append((start, m.end(), LONG_LINE))
            head_from = m.end()
    cursor = head_from
    for key, numeral, words in _heading_forms():
        hit = _find_heading(w, numeral, words, cursor)
        if hit is None:
            continue
        start, end = hit
        cuts.append((start, end, MIXED_LINE))
        page.headings[key] = w[start:end]
        cursor = end
    if not cuts:
        return
    out, last = [], 0
    for start, end, limit in sorted(cuts):
        if start < last or not _in_long_line(text, start, limit):
            continue
        out.append(text[last:start])
        out.append("\n" + text[start:end].strip() + "\n")
        last = end
    out.append(text[last:])
    page.text = "".join(out)


def _in_long_line(text: str, pos: int, limit: int = LONG_LINE) -> bool:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return (len(text) if b < 0 else b) - a > limit


def _find_heading(w: str, numeral: str, words: list[str], cursor: int):
    """(start, end) of the first heading ``numeral、wording`` after cursor, or None."""
    pat = re.compile(re.escape(numeral) + r"\s*[、.．,，]\s*")
    for m in pat.finditer(w, cursor):
        if m.start() > 0 and w[m.start() - 1] in _CN_NUM:
            # "三三、" (a typo) is fine; "十三、" is another number — only accept a repeat of ours
            if w[m.start() - 1] != numeral:
                continue
        after = m.end()
        rest = re.sub(r"\s+", "", w[after: after + 80])
        for word in words:
            if rest.startswith(word):
                if rest[len(word): len(word) + 1] in ("；", ";", "，", ",", "、"):
                    break  # a list of the sections ("包括一、总体情况；二、…"), not a heading
                return m.start(), _advance(w, after, len(word))
        first = words[0][:4]
        if len(first) == 4 and rest.startswith(first):
            # a reworded heading: its wording runs until a digit, punctuation or a bracket
            end = after
            limit = after + len(words[0]) + 10
            while end < len(w) and end < limit and not _HEAD_END.match(w[end]):
                end += 1
            return m.start(), end
    return None


def _advance(w: str, start: int, count: int) -> int:
    """Offset after ``count`` non-space characters from start."""
    i, seen = start, 0
    while i < len(w) and seen < count:
        if not w[i].isspace():
            seen += 1
        i += 1
    return i
