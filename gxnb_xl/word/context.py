"""The template context of one report: numbers as printed, narrative paragraphs, drafted text.

Template variables (documented in ``templates/README.md``):

``title`` ``unit`` ``year`` ``format`` ``format_name`` ``level`` — the report's identity;
(a blank unit/year — only rendered with --force — prints as 【机关名称】/【年度】);
``v`` — cell id → the number as printed (``format_number``; blank cells print empty);
``paragraphs`` — narrative key → list of ``Para`` (see ``text.py``);
``drafted`` — narrative keys gxnb drafted because the section was empty;
``passed`` / ``errors`` / ``warnings`` — the check result (``errors``: Chinese messages).

When a narrative section is empty it is drafted from the tables; every number in drafted text
is the very text printed in the table cell, so the two always agree.
"""
from __future__ import annotations

import re

from markupsafe import Markup

from ..record import record
from ..report import Report
from ..spec import Spec
from ..values import format_number
from .text import Para, clean_line, run_xml, signature_xml, split_heading, xml_literal

TITLE_SUFFIX = "年政府信息公开工作年度报告"
DRAFT_NOTE = "【系统草拟】以下内容由系统根据表格数据草拟，其中数字与表格一致。请核对、补充后删除本提示和底色。"
TO_FILL = "【请补充】"
UNIT_PLACEHOLDER = "【机关名称】"
YEAR_PLACEHOLDER = "【年度】"
TITLE_MISSING = "封面未填写机关名称/年度，无法生成报告标题"
TITLE_MISSING_EN = "the cover has no unit name / year: the report title cannot be made"

KNOWN_VARIABLES = frozenset({"title", "title_rich", "unit", "year", "format", "format_name", "level", "v", "paragraphs",
                             "drafted", "passed", "errors", "warnings", "sign", "signature"})


def has_unit(report: Report) -> bool:
    return bool(clean_line(report.unit or ""))


def has_year(report: Report) -> bool:
    return report.year is not None and str(report.year).strip() != ""


def title_missing(report: Report) -> bool:
    """The cover's 机关名称 or 年度 is blank: no title can be made (render refuses unless forced)."""
    return not (has_unit(report) and has_year(report))


def unit_text(report: Report) -> str:
    return clean_line(report.unit) if has_unit(report) else UNIT_PLACEHOLDER


def year_text(report: Report) -> str:
    return str(report.year) if has_year(report) else YEAR_PLACEHOLDER


def report_title(report: Report) -> str:
    """Never a headless 年政府信息公开工作年度报告: a blank unit/year shows a visible placeholder."""
    return f"{unit_text(report)}{year_text(report)}{TITLE_SUFFIX}"


def cell_text(value) -> str:
    return "" if value is None else format_number(value)


@record
class _Draft:
    """A drafted narrative section: its paragraphs."""

    paragraphs: list[str]


# ── drafting ────────────────────────────────────────────────────────────────────────────
_NUMBERING = re.compile(r"^（[一二三四五六七八九十]+）|^[一二三四五六七八九十]+、|^\d+[.．、]")


def _short(label: str) -> str:
    """"（二）部分公开（区分处理的，…）" → "部分公开"."""
    s = _NUMBERING.sub("", label)
    return s.split("（", 1)[0]


def _unit_of(label: str, cell_type: str) -> tuple[str, str]:
    m = re.search(r"（单位：(.+?)）", label)
    if m:
        return label[:m.start()], m.group(1)
    if cell_type == "amount":
        return label, "万元"
    return label, "项" if ("项目" in label or cell_type == "signed") else "件"


def _blocks_sentence(spec: Spec, tid: str, report: Report) -> str | None:
    t = spec.tables[tid]
    items, labels = [], []
    for block in t["blocks"]:
        for row in block["rows"]:
            labels.append(row["label"])
            cells = [(col, report.values.get(f"{tid}.{row['key']}.{col['key']}")) for col in block["columns"]]
            if any(v is None for _, v in cells):
                return None
            if all(v == 0 for _, v in cells):
                continue
            parts = []
            for col, v in cells:
                label, unit = _unit_of(col["label"], col["type"])
                text = cell_text(v)
                if col["type"] == "signed" and v > 0:
                    text = "+" + text
                parts.append(f"{label}{text}{unit}")
            items.append(f"{row['label']}{'、'.join(parts)}")
    if not items:
        return f"本年度{'、'.join(labels)}等主动公开事项数据均为0。"
    return f"{report.year}年，{'；'.join(items)}。" if report.year is not None else f"{'；'.join(items)}。"


def _grid_sentence(spec: Spec, tid: str, report: Report) -> str | None:
    """A ``grid`` table (FORMAT.md): its last column is the total of the others; its four rows
    with an ``ordinal`` are new, carried in, handled in total and carried out; the rows between
    the second and the third are the outcomes, grouped by their inner caption."""
    t = spec.tables[tid]
    rows = t["rows"]
    ordinal = [i for i, r in enumerate(rows) if r.get("ordinal")]
    if len(ordinal) != 4:
        return None
    new, carried_in, total, carried_out = (rows[i]["key"] for i in ordinal)
    outcome_rows = rows[ordinal[1] + 1:ordinal[2]]
    total_col = t["columns"][-1]["key"]
    v = lambda row, col=total_col: report.values.get(f"{tid}.{row}.{col}")  # noqa: E731
    needed = [v(new), v(carried_in), v(total), v(carried_out)]
    if any(x is None for x in needed) or any(v(o["key"]) is None for o in outcome_rows):
        return None
    text = f"本年度共收到政府信息公开申请{cell_text(v(new))}件"
    # applicants: the ungrouped columns and the groups, as the table heads them
    by_kind: list[tuple[str, list[str]]] = []
    for col in t["columns"][:-1]:
        name = col.get("group") or col["label"]
        if by_kind and by_kind[-1][0] == name:
            by_kind[-1][1].append(col["key"])
        else:
            by_kind.append((name, [col["key"]]))
    if v(new) and len(by_kind) > 1:
        kinds = []
        for name, keys in by_kind:
            vals = [v(new, k) for k in keys]
            if any(x is None for x in vals):
                kinds = []
                break
            kinds.append(f"{name}{'、'.join(cell_text(x) for x in vals) if len(keys) == 1 else cell_text(sum(vals))}件")
        if kinds:
            text += f"（其中{'，'.join(kinds)}）"
    if v(carried_in):
        text += f"，上年结转{cell_text(v(carried_in))}件"
    groups: list[tuple[str, int]] = []
    for o in outcome_rows:
        label = _short(o["labels"][1] if len(o["labels"]) > 1 else o["labels"][0])
        if groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1] + v(o["key"]))
        else:
            groups.append((label, v(o["key"])))
    shown = [f"{label}{cell_text(n)}件" for label, n in groups if n]
    text += "。"
    caption = _short(outcome_rows[0]["labels"][0]) if outcome_rows and len(outcome_rows[0]["labels"]) > 1 else ""
    if shown:
        text += f"{caption}中，{'，'.join(shown)}；" if caption else f"{'，'.join(shown)}；"
    text += f"共办结{cell_text(v(total))}件，结转下年度继续办理{cell_text(v(carried_out))}件。"
    return text


def _groups_sentence(spec: Spec, tid: str, report: Report) -> str | None:
    t = spec.tables[tid]
    total_col = t["columns"][-1]["key"]
    sums: dict[str, int] = {}
    for g in t["groups"]:
        x = report.values.get(f"{tid}.{g['key']}.{total_col}")
        if x is None:
            return None
        sums[g["labels"][0]] = sums.get(g["labels"][0], 0) + x
    return "本年度因政府信息公开" + "、".join(f"{name}{cell_text(n)}件" for name, n in sums.items()) + "。"


_SENTENCES = {"blocks": _blocks_sentence, "grid": _grid_sentence, "groups": _groups_sentence}


def table_sentences(spec: Spec, report: Report) -> list[str | None]:
    """One drafted sentence per table, in the order the sections print them (``None``: a cell
    it needs is blank)."""
    tids = [sec.table for sec in spec.sections if sec.table]
    return [_SENTENCES[spec.tables[tid]["kind"]](spec, tid, report) for tid in tids]


def draft_section(spec: Spec, report: Report, key: str) -> list[str]:
    """Paragraphs for an empty narrative section, from the tables and the spec's guidance."""
    sec = next(s for s in spec.sections if s.key == key)
    year = year_text(report)
    unit = unit_text(report) if has_unit(report) else "本机关"
    if key == "preamble":
        return [f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定编制。"
                f"本报告中所列数据统计期限为{year}年1月1日至12月31日。"
                f"本报告电子版可在{TO_FILL}（网站名称）“政府信息公开年报”栏目查阅下载。"
                f"如对本报告有疑问，请与{unit}联系（{TO_FILL}联系电话）。"]
    if key == "overview" and sec.parts:
        out = []
        # the first part (主动公开) tells the first table; the second (依申请公开) the others
        sentences = table_sentences(spec, report)
        data = sentences[:1] + ["".join(x for x in sentences[1:] if x) or None]
        for i, part in enumerate(sec.parts):
            sentence = data[i] if i < len(data) and data[i] else f"{TO_FILL}本部分内容。"
            out.append(f"{part}。{sentence}")
        return out
    if "信息处理费" in sec.guidance:
        return [f"本年度，{unit}依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费0元。"
                f"（如收取了信息处理费，请改为实际金额，以元计。）"]
    return [f"{TO_FILL}{sec.guidance}" if sec.guidance else f"{TO_FILL}本部分内容。"]


# ── 落款 ────────────────────────────────────────────────────────────────────────────────
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_EXCEL_EPOCH = 693594  # date(1899, 12, 30).toordinal(): Excel's serial day 0
BLANK_DATE = "　　年　月　日"  # no 填报日期 on the cover: printed blank, filled in by hand
CHAR_TWIPS = 315  # one 16 pt body character less the -0.25 pt tightening (style.CHAR_SPACING_TWIPS)


def cover_date(report: Report) -> str:
    """The cover's 填报日期 as GB/T 9704 prints a 成文日期 (2025年1月15日), or ``BLANK_DATE``."""
    import datetime as dt
    raw = clean_line(report.extra.get("date") or "")
    m = _DATE.match(raw)
    try:
        if m:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif raw.isdigit() and 20000 < int(raw) < 80000:  # an Excel date serial
            d = dt.date.fromordinal(_EXCEL_EPOCH + int(raw))
        else:
            return BLANK_DATE
    except ValueError:
        return BLANK_DATE
    return f"{d.year}年{d.month}月{d.day}日"


def _width(text: str) -> float:
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def signature(report: Report) -> dict:
    """The 落款: organ name over the date. GB/T 9704 7.3.5.1: the name two characters in from the
    right, the date one line below starting two characters right of the name's first character;
    a date longer than that rule allows sits four characters in, the name centred over it."""
    unit, date = unit_text(report), cover_date(report)
    ls, ld = _width(unit), _width(date)
    if ls - ld >= 2:
        unit_in, date_in = 2.0, ls - ld
    else:
        date_in = 4.0
        unit_in = 4.0 + (ld - ls) / 2
    return {"unit": unit, "date": date, "unit_indent": int(unit_in * CHAR_TWIPS),
            "date_indent": int(date_in * CHAR_TWIPS)}


# ── context ─────────────────────────────────────────────────────────────────────────────
def narrative_paragraphs(spec: Spec, report: Report, *, draft: bool = True) -> tuple[dict[str, list[Para]], list[str]]:
    out: dict[str, list[Para]] = {}
    drafted: list[str] = []
    for sec in spec.sections:
        if not sec.key:
            continue
        text = (report.narrative.get(sec.key) or "").replace("\r\n", "\n").replace("\r", "\n")
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        if lines:
            out[sec.key] = [Para(ln, heading=split_heading(ln, sec.parts)) for ln in lines]
        elif draft:
            drafted.append(sec.key)
            out[sec.key] = [Para(DRAFT_NOTE, note=True)] + [
                Para(ln, heading=split_heading(ln, sec.parts), drafted=True) for ln in draft_section(spec, report, sec.key)]
        else:
            out[sec.key] = []
    return out, drafted


def build_context(report: Report, *, result=None, draft: bool = True, errors: list[str] | None = None) -> dict:
    """``errors``: the error messages the document lists (default: every error finding)."""
    spec = report.spec
    paragraphs, drafted = narrative_paragraphs(spec, report, draft=draft)
    if errors is None:
        errors = [f.message for f in result.findings if f.is_error] if result is not None else []
    errors = list(errors)
    # only reachable with --force (render_report refuses otherwise); said once if check already did
    if title_missing(report) and not any(getattr(f, "code", "") in ("unit_missing", "year_missing")
                                         for f in (result.findings if result is not None else []) if f.is_error):
        errors.append(TITLE_MISSING)
    warnings = [f.message for f in result.findings if f.severity == "warning"] if result is not None else []
    return {
        "title": report_title(report),
        "unit": unit_text(report),
        "sign": signature(report),
        "year": report.year if has_year(report) else YEAR_PLACEHOLDER,
        "format": spec.id,
        "format_name": spec.name,
        "level": report.level or "",
        "v": {cid: cell_text(report.values.get(cid)) for cid in spec.cells},
        "paragraphs": paragraphs,
        "drafted": drafted,
        "passed": not errors,
        # sections printing 【请补充】/【系统草拟】: the document is then marked 草稿
        "draft_sections": placeholder_sections(report, result, drafted),
        "errors": errors,
        "warnings": warnings,
    }


def _finding_code(f) -> str | None:
    return getattr(f, "rule", None) or getattr(f, "code", None)


def placeholder_findings(report: Report, result) -> list:
    """The check's findings that say a narrative still holds draft markers (T5)."""
    if result is None:
        return []
    ids = {r.id for r in report.spec.rules if r.kind == "text_placeholder"}
    return [f for f in result.findings if _finding_code(f) in ids]


def placeholder_sections(report: Report, result, drafted: list[str]) -> list[str]:
    """Headings of the sections that would print 【请补充】/【系统草拟】: those the check found
    holding markers, and those gxnb drafts because they are empty."""
    keys = set(drafted)
    for f in placeholder_findings(report, result):
        m = re.search(r"\[([^\]]+)\]", getattr(f, "instance", "") or "")
        if m:
            keys.add(m.group(1))
    from ..messages import say
    opening = say("render.opening_paragraph")
    return [sec.heading or opening for sec in report.spec.sections if sec.key and sec.key in keys]


def docx_context(ctx: dict) -> dict:
    """The context as a .docx template sees it: every string is literal XML text (``text.py``),
    so staff text such as ``{_{`` or ``&`` prints as typed, and ``title_rich`` holds the title as
    runs whose numbers cannot break across a line."""
    lit = xml_literal
    out = dict(ctx)
    for key in ("title", "unit", "format_name", "level"):
        out[key] = lit(ctx[key])
    if isinstance(ctx["year"], str):
        out["year"] = lit(ctx["year"])
    out["errors"] = [lit(m) for m in ctx["errors"]]
    out["warnings"] = [lit(m) for m in ctx["warnings"]]
    out["sign"] = {**ctx["sign"], "unit": lit(ctx["sign"]["unit"]), "date": lit(ctx["sign"]["date"])}
    out["title_rich"] = Markup(run_xml(ctx["title"]))
    out["signature"] = Markup(signature_xml(ctx["sign"]))
    return out
