"""Reading a published report's text back into a Report.

The core idea: find each section by its heading, find each table row by its label (the official
row order is known from the spec, labels matched tolerantly), and read the numbers that follow a
row's label up to the next row's label — so line breaks, cell separators and shifted label
columns do not matter. A row whose numbers ran together is cut back into cells with the table's
relations; anything not certain is reported, never guessed.
"""
from __future__ import annotations

import re

from ..report import CellProblem, Report
from ..spec import CONSTANT, Spec, format_for_year, load_spec
from .flat import prepare
from .records import CellStatus, ImportResult, ImportWarning
from .table import _GLUED, Region, TableReader, _row_t4, _rows_t2, _rows_t3
from .text import core, drop_chrome, heading_key, norm, vocabulary, widen

__all__ = ["CellStatus", "ImportResult", "ImportWarning", "read_text", "detect_format", "level_of"]

_TITLE_YEAR_FIRST = re.compile(r"(\d{4})\s*年\s*度?\s*(?:政府|政务)?\s*信息\s*公开\s*(?:工作)?\s*(?:年\s*度|年)\s*(?:工作)?\s*报\s*告")
# "…政府信息公开工作年度报告（2023年度）": the year after the title words
_TITLE_YEAR_AFTER = re.compile(r"(?:政府|政务)\s*信息\s*公开\s*(?:工作)?\s*年\s*度\s*报\s*告\s*[（(]\s*(\d{4})\s*年?\s*度?\s*[)）]")
_CN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}


class _Title:
    """Both title shapes behind one ``search`` (match objects with group(1) = the year, start()
    where the unit's name ends); Chinese-numeral years (二〇二三年) are read as digits."""

    @staticmethod
    def search(text: str):
        text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGIT[c] for c in m.group(0)), text)
        m = _TITLE_YEAR_FIRST.search(text)
        if m:
            return m
        m = _TITLE_YEAR_AFTER.search(text)
        if m and len(text) - m.end() < 10:
            return m
        return None


_TITLE = _Title()
_PERIOD_YEAR = re.compile(r"统计期限为\s*(\d{4})\s*年")
_ANY_YEAR = re.compile(r"(20\d{2})\s*年")
_UNIT_SUFFIX = r"(?:人民政府|办事处|街道|镇|乡|局|委员会|办公室|中心|厅|院|署|委|所|站|队|馆|会)"
_SIGNATURE = re.compile(r"(?:^|[\s。；])([\u4e00-\u9fff（）()]{3,40}?" + _UNIT_SUFFIX + r")\s*(?:20\d\d|二〇[一二三四五六七八九〇]{2})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日")
_UNIT_LEAD = re.compile(r"^\s*([\u4e00-\u9fff（）()]{2,40}?" + _UNIT_SUFFIX + r")(?=根据|按照|依据|依照|严格|认真|坚持|高度|全面|深入|始终|紧紧|以|在|围绕|贯彻|积极|持续|2\d{3}|，|,|\s)")


class Document:
    def __init__(self, text: str):
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
        self.lines = [ln.rstrip() for ln in drop_chrome(text.split("\n"))]
        self.text = "\n".join(self.lines)
        self.starts = []
        pos = 0
        for ln in self.lines:
            self.starts.append(pos)
            pos += len(ln) + 1

    def span(self, first: int, last: int) -> str:
        """Text of lines [first, last)."""
        return "\n".join(self.lines[first:last])


def detect_format(squeezed: str, year: int | None) -> tuple[str, str]:
    variants = vocabulary()["variants"]
    scores = {}
    for fid in ("2021", "2019"):
        hits = 0
        for label in load_spec(fid).signature:
            forms = [norm(label)] + variants.get(core(label), [])
            if any(f in squeezed for f in forms):
                hits += 1
        scores[fid] = hits
    if scores["2021"] == scores["2019"]:
        fid = format_for_year(year)
        return fid, f"labels inconclusive ({scores}); by year"
    fid = max(scores, key=scores.get)
    return fid, f"labels {scores}"


def _find_headings(doc: Document, spec: Spec) -> dict[str, int]:
    """Line index of each numbered section's heading (key: narrative key or table id)."""
    wanted = []
    for s in spec.sections:
        if not s.number:
            continue
        k = heading_key(s.heading)
        wanted.append((s.key or s.table, k))
    found: dict[str, int] = {}
    start = 0
    keys = [heading_key(ln) if len(ln) < 80 else "" for ln in doc.lines]
    for name, want in wanted:
        for i in range(start, len(doc.lines)):
            k = keys[i]
            if k and k.startswith(want) and len(k) <= len(want) + 6:
                found[name] = i
                start = i + 1
                break
    # a workbook may hold the narrative sheet after the table sheets: a heading missed in order
    # is looked for anywhere, and the earliest table heading wins over a later narrative one
    for name, want in wanted:
        if name in found:
            continue
        used = set(found.values())
        for i in range(len(doc.lines)):
            k = keys[i]
            if i not in used and k and k.startswith(want) and len(k) <= len(want) + 6:
                found[name] = i
                break
    if len(found) < len(wanted):  # a looser second pass for reworded headings
        import difflib
        for idx, (name, want) in enumerate(wanted):
            if name in found:
                continue
            lo = max([found[n] for n, _ in wanted[:idx] if n in found] + [-1]) + 1
            hi = min([found[n] for n, _ in wanted[idx + 1:] if n in found] + [len(doc.lines)])
            variants = [norm(v) for v in vocabulary()["raw"].get("headings", {}).get(
                next(s.heading for s in spec.sections if (s.key or s.table) == name), ())]
            numeral = next(s.number for s in spec.sections if (s.key or s.table) == name)
            for i in range(lo, hi):
                k = keys[i]
                if not k:
                    continue
                if abs(len(k) - len(want)) <= 6 and difflib.SequenceMatcher(None, k, want).ratio() >= 0.75:
                    found[name] = i
                    break
                if any(k.startswith(v) and len(k) <= len(v) + 6 for v in variants):
                    found[name] = i
                    break
                # numeral + the wording's first four characters ("五、存在的主要问题及明年工作计划")
                if len(k) <= len(want) + 10 and k.startswith(want[:4]) and norm(doc.lines[i]).startswith(numeral):
                    found[name] = i
                    break
    return found


def _unit_before(text: str) -> str:
    """The unit's name printed before a title's year: the last step of a breadcrumb
    ("首页 > 政务公开 > 某某局2023年…" gives 某某局), without spaces and leading punctuation."""
    text = re.split(r"[>＞›»|/→]", text)[-1]
    return re.sub(r"\s+", "", text).strip(":：-—")


def _title_parts(line: str):
    """(year, unit) of a title line, or None."""
    ln = widen(line)
    m = _TITLE.search(ln)
    if not m or len(ln.strip()) > 90:
        return None
    unit = _unit_before(ln[: m.start()])
    unit = re.sub(r"(关于|的)$", "", unit)
    return int(m.group(1)), unit


def _title(doc: Document, limit: int):
    """(line index, year, unit) of the report's title within the first ``limit`` lines."""
    last = None
    for i in range(min(limit, len(doc.lines))):
        ln = widen(doc.lines[i])
        if len(ln.strip()) > 90:
            continue
        m = _TITLE.search(ln)
        at = i
        if not m and i + 1 < len(doc.lines) and len(ln.strip()) < 40 and 0 < len(doc.lines[i + 1].strip()) < 40:
            # a title wrapped onto two lines (PDF, centred large type)
            both = ln.rstrip() + widen(doc.lines[i + 1]).strip()
            m2 = _TITLE.search(both)
            if m2 and m2.end() > len(ln.rstrip()) and m2.start() < len(ln.rstrip()):
                ln, m, at = both, m2, i + 1
        if m:
            i = at
            unit = _unit_before(ln[: m.start()])
            unit = re.sub(r"(关于|的)$", "", unit)
            if last is None:
                last = (i, int(m.group(1)), unit)
            else:
                last = (i, last[1], last[2] or unit)  # a title printed twice: read past both
    return last


def level_of(unit: str | None) -> str | None:
    from ..levels import of_name  # the name patterns live with the levels (formats/levels.toml)
    return of_name(unit)


# ── reading tables ──────────────────────────────────────────────────────────────────────
# ── the whole report ────────────────────────────────────────────────────────────────────
def read_text(text: str, *, file: str = "", kind: str = "text", format_id: str | None = None,
              year: int | None = None, unit: str | None = None) -> ImportResult:
    page = prepare(text)
    doc = Document(page.text)
    squeezed_all = norm(doc.text)
    detected: dict = {}
    if page.meta:
        detected["page"] = dict(page.meta)
    title = _title(doc, 60)
    meta_title = _title_parts(page.meta.get("title", ""))
    if meta_title and (title is None or not title[2] or meta_title[1]):
        title = (title[0] if title else -1, meta_title[0], meta_title[1] or (title[2] if title else ""))
    if year is None and re.match(r"\d{4}", page.meta.get("year", "")):
        year, detected["year"] = int(page.meta["year"][:4]), "cover"
    if unit is None and page.meta.get("unit"):
        unit, detected["unit"] = page.meta["unit"], "cover"
    if year is None:
        if title:
            year, detected["year"] = title[1], "title"
        else:
            m = _PERIOD_YEAR.search(widen(doc.text))
            published = re.match(r"\s*(20\d\d)\s*[-年/.]\s*(\d{1,2})", widen(page.meta.get("date", "")))
            if m:
                year, detected["year"] = int(m.group(1)), "statistics period"
            elif published and int(published.group(2)) <= 6:
                # reports are published in the first months after the year they cover
                year, detected["year"] = int(published.group(1)) - 1, "publication date (uncertain)"
            else:
                m = _ANY_YEAR.search(widen(doc.text))
                if m:
                    year, detected["year"] = int(m.group(1)), "first year mentioned (uncertain)"
    if format_id is None:
        format_id, detected["format"] = detect_format(squeezed_all, year)
    spec = load_spec(format_id)
    heads = _find_headings(doc, spec)
    warnings: list[ImportWarning] = []
    status: dict[str, CellStatus] = {}

    # regions: heading lines, or anchors when a heading is missing
    n_lines = len(doc.lines)

    def anchor(pred, lo):
        for i in range(lo, n_lines):
            if pred(norm(doc.lines[i])):
                return i
        return None

    # where a table starts when its section heading is missing: its first printed labels (format data)
    tables = spec.tables
    t2_caption = norm(tables["t2"]["blocks"][0]["caption"])
    t2_article = t2_caption[: t2_caption.find("第", 1)] if "第" in t2_caption[1:] else t2_caption  # 第二十条
    t3_note = norm(tables["t3"]["note"]).strip("()")[:8]
    t3_header = norm(tables["t3"]["column_header"])
    t3_first_row = core(tables["t3"]["rows"][0]["labels"][0])[:10]
    t4_first_group = norm(tables["t4"]["groups"][0]["labels"][0])
    first = heads.get("overview", -1)
    t2 = heads.get("t2")
    if t2 is None:
        t2 = anchor(lambda s: s.startswith(t2_article) or t2_caption in s, first + 1)
    t3 = heads.get("t3")
    if t3 is None:
        t3 = anchor(lambda s: t3_note in s or s.startswith(t3_header) or t3_first_row in s,
                    (t2 if t2 is not None else first) + 1)
    t4 = heads.get("t4")
    if t4 is None:
        t4 = anchor(lambda s: s.startswith(t4_first_group), (t3 if t3 is not None else first) + 1)
    ends = {"t2": t3, "t3": t4, "t4": heads.get("problems", heads.get("other_matters"))}
    starts = {"t2": t2, "t3": t3, "t4": t4}
    reader = TableReader(spec, status, warnings)
    names = {"t2": ("表二", "Table II"), "t3": ("表三", "Table III"), "t4": ("表四", "Table IV")}
    regions = {}
    for tid in ("t2", "t3", "t4"):
        s = starts[tid]
        if s is None:
            continue
        later = [v for k, v in starts.items() if v is not None and v > s]
        e = ends[tid] if ends[tid] is not None and ends[tid] > s else (min(later) if later else n_lines)
        heading_line = 1 if heads.get(tid) == s else 0
        regions[tid] = Region(doc.span(s + heading_line, e))
    # digits run together somewhere in the tables ("000", "05"): only then may a row with fewer
    # numbers than cells be cut by digit rules alone (otherwise a lone "15" may be a whole number
    # whose neighbours were printed elsewhere, e.g. text extracted column by column from a PDF)
    reader.glued = any(_GLUED.search(r.text) for r in regions.values())
    # a workbook's cells are never run together: a number in a cell is one value
    reader.split_allowed = kind != "workbook"
    for tid in ("t2", "t3", "t4"):
        if tid not in regions:
            for c in spec.table_cells(tid):
                status[c] = CellStatus("missing", reason_zh=f"原文中未找到{names[tid][0]}", reason_en=f"{names[tid][1]} not found in the text")
            warnings.append(ImportWarning(f"原文中未找到{names[tid][0]}，其单元格均留空", f"{names[tid][1]} not found; its cells are left blank"))
            continue
        region = regions[tid]
        if tid == "t2":
            reader.read_rows(region, _rows_t2(spec), names[tid])
        elif tid == "t3":
            reader.read_rows(region, _rows_t3(spec, reader), names[tid])
        else:
            reader.read_rows(region, [_row_t4(spec, reader)], names[tid])
    # metadata
    preamble_from = 0
    if title:
        preamble_from = title[0] + 1
        if unit is None and title[2]:
            unit, detected["unit"] = title[2], "title"
    narrative = _narratives(doc, heads, starts, preamble_from, spec)
    reader.split_notes()
    reader.resolve()
    reader.resolve_by_narrative(narrative)
    reader.fill_from_relations()
    if unit is None:
        for key in ("preamble", "overview"):
            for para in (narrative.get(key) or "").split("\n")[:3]:
                m = _UNIT_LEAD.match(para)
                if m:
                    unit, detected["unit"] = m.group(1), f"first sentence of {key}"
                    break
            if unit:
                break
    if unit is None and page.meta.get("title"):
        # a title without a year still names the unit before its words
        t = widen(page.meta["title"])
        m = re.search(r"(?:\d{4}\s*年\s*度?\s*)?(?:政府|政务)\s*信息\s*公开", t)
        if m and 2 <= m.start() <= 40:
            unit, detected["unit"] = re.sub(r"(关于|的)$", "", re.sub(r"\s+", "", t[: m.start()])), "page title"
    if unit is None:
        # the signature at the end (落款: the organ's name and the date), then the page's 来源
        tail = widen(doc.text[-400:])
        found = list(_SIGNATURE.finditer(tail))
        if found:
            unit, detected["unit"] = re.sub(r"\s+", "", found[-1].group(1)), "signature"
        else:
            src = re.sub(r"\s+", "", page.meta.get("source", ""))
            if 4 <= len(src) <= 40 and re.search(_UNIT_SUFFIX + "$", src):
                unit, detected["unit"] = src, "page source"
    if unit is None:
        warnings.append(ImportWarning("未能从标题或开头识别单位名称", "could not find the unit's name in the title or opening"))
    if year is None:
        warnings.append(ImportWarning("未能识别报告年度", "could not find the report's year"))
    elif detected.get("year", "").startswith("publication"):
        warnings.append(ImportWarning(f"标题中未写明年度，按发布时间（{page.meta.get('date')}）推定为 {year} 年度，请核对",
                                      f"the title names no year; {year} inferred from the publication date; please check"))
    elif "uncertain" in detected.get("year", ""):
        warnings.append(ImportWarning(f"标题中未写明年度，按正文首次出现的 {year} 年读取，请核对",
                                      f"the title names no year; took {year}, the first year in the text; please check"))
    for key, (zh, en) in {"overview": ("一、总体情况", "section 1 (overview)"),
                          "problems": ("五、存在的主要问题及改进情况", "section 5 (problems)"),
                          "other_matters": ("六、其他需要报告的事项", "section 6 (other matters)")}.items():
        if key not in heads:
            warnings.append(ImportWarning(f"原文中未找到“{zh}”部分", f"{en} not found in the text"))

    values = {c: (s.value if s.status in ("read", "derived") else None) for c, s in status.items()}
    report = Report(format=format_id, unit=unit, year=year, level=level_of(unit), values=values,
                    narrative=narrative)
    for c, s in status.items():
        p = getattr(s, "problem", None)
        if p is not None:
            report.problems.append(CellProblem(c, s.raw, p))
    confidence = _confidence(spec, status)
    result = ImportResult(report, status, warnings, confidence, file=file, kind=kind, detected=detected)
    report.extra["source"] = result.source_record()
    return result


def _narratives(doc: Document, heads: dict, starts: dict, preamble_from: int, spec: Spec) -> dict[str, str]:
    marks = sorted({v for v in list(heads.values()) + list(starts.values()) if v is not None})

    def until_next(i):
        return next((m for m in marks if m > i), len(doc.lines))

    def clean(lines):
        out = [ln.strip() for ln in lines if ln.strip()]
        return "\n".join(out)

    out = {}
    first = heads.get("overview")
    pre_end = first if first is not None else (marks[0] if marks else 0)
    pre = [ln for ln in doc.lines[preamble_from:pre_end] if len(ln.strip()) > 2]
    out["preamble"] = clean(pre)
    last = max((k for k in ("overview", "problems", "other_matters") if heads.get(k) is not None),
               key=lambda k: heads[k], default=None)
    for key in ("overview", "problems", "other_matters"):
        i = heads.get(key)
        if i is None:
            out[key] = ""
            continue
        lines = doc.lines[i + 1: until_next(i)]
        out[key] = clean(_drop_signature(lines) if key == last else lines)
    return out


_SIGN_DATE = re.compile(r"^[\d\s\u3000]*年[\d\s\u3000]*月[\d\s\u3000]*日$")


def _drop_signature(lines: list[str]) -> list[str]:
    """The report's last lines without its 落款 (organ name over the date): not narrative."""
    body = [ln for ln in lines if ln.strip()]
    if not body or not _SIGN_DATE.match(body[-1].strip()):
        return lines
    body = body[:-1]
    if body and len(body[-1].strip()) <= 40 and not re.search(r"[。，；：！？]", body[-1]):
        body = body[:-1]
    return body


def _confidence(spec: Spec, status: dict[str, CellStatus]) -> dict[str, dict]:
    out = {}
    values = {c: s.value for c, s in status.items() if s.value is not None and s.status != "missing"}
    for tid in ("t2", "t3", "t4"):
        cells = spec.table_cells(tid)
        counts = {k: sum(status[c].status == k for c in cells) for k in ("read", "derived", "missing")}
        eqs = [eq for eq in spec.equations if eq.rule.scope == "report" and eq.rule.severity == "error"
               and eq.op == "==" and all(spec.cells[c].table == tid for c in eq.cells)]
        checked = [eq for eq in eqs if all(c in values for c in eq.cells)]
        holding = sum(sum(t.coef * values[t.cell] for t in eq.terms if t.cell != CONSTANT) == 0 for eq in checked)
        level = "high" if counts["missing"] == 0 and counts["derived"] == 0 and holding == len(checked) else \
            "medium" if counts["missing"] == 0 else "low"
        out[tid] = {"cells": len(cells), **counts, "relations_checked": len(checked),
                    "relations_holding": holding, "level": level}
    return out
