"""A report printed the way real published reports look — for tests, benchmarks and the demo.

``published_text(report, layout, rng)`` writes the report as text in one of the layouts found on
government websites and in PDF extractions: ``pipe`` (cells joined by `` | ``), ``tab``,
``lines`` (one cell per line, blank line between rows), ``blank`` (a blank line between every
cell), ``pdf`` (space-aligned columns, long labels wrapped) and ``lost`` (PDF text whose cell
boundaries are gone: a row's digits run together). ``rng`` adds the noise real sources have:
page chrome, numbering variants, label typos, wrapped and truncated header labels.
"""
from __future__ import annotations

import random

from ..report import Report
from ..spec import load_spec
from ..values import format_number

LAYOUTS = ("pipe", "tab", "lines", "blank", "pdf", "lost")

_CHROME_TOP = ["×", "您当前的位置：首页 > 政务公开 > 政府信息公开年报", "日期：2025-01-20  来源：党政办"]
_CHROME_BOTTOM = ["扫一扫在手机打开当前页", "【打印本页】", "关闭窗口"]
_TYPOS = {"本年废止件数": "本年度止件数", "2.其他法律行政法规禁止公开": "2.其他法律法规禁止公开"}
_HEADING_STYLES = ("一、", "1、", "（一）", "(一)")
_CN = "一二三四五六七八九十"


def _heading(number: str, heading: str, style: str) -> str:
    title = heading.split("、", 1)[1] if "、" in heading else heading
    i = _CN.index(number) + 1
    return {"一、": f"{number}、{title}", "1、": f"{i}、{title}", "（一）": f"（{number}）{title}",
            "(一)": f"({number}){title}"}[style]


def _value(report: Report, cid: str, rng: random.Random | None) -> str:
    v = report.values.get(cid)
    if v is None:
        return ""
    cell = report.spec.cells[cid]
    if cell.type == "amount":
        s = format_number(v)
        if rng and rng.random() < 0.3:
            return s + "万元"
        if rng and rng.random() < 0.3 and (v * 10000) == int(v * 10000):
            return f"{int(v * 10000)}元"
        return s
    if cell.type == "signed" and v > 0 and rng and rng.random() < 0.5:
        return f"+{v}"
    return str(v)


def table_rows(report: Report, rng: random.Random | None = None, *, typos: bool = False,
               truncate: bool = False) -> dict[str, list[list[str]]]:
    """The three tables as rows of printed cells (label cells, then values), official order."""
    spec = report.spec
    lab = (lambda s: _TYPOS.get(s, s)) if typos else (lambda s: s)
    t2 = []
    for block in spec.tables["t2"]["blocks"]:
        t2.append([block["caption"]] + [""] * len(block["columns"]))
        t2.append([spec.tables["t2"]["row_header"]] + [lab(c["label"]) for c in block["columns"]])
        for row in block["rows"]:
            t2.append([row["label"]] + [_value(report, f"t2.{row['key']}.{c['key']}", rng) for c in block["columns"]])
    t = spec.tables["t3"]
    cols = t["columns"]
    tops = list(dict.fromkeys(c.get("group") or c["label"] for c in cols))  # 自然人, 法人或其他组织, 总计
    t3 = [[t["note"], "", "", t["column_header"]],
          ["", "", ""] + tops,
          ["", "", "", ""] + [c["label"] for c in cols if c.get("group")] + [""]]
    seen: set = set()
    for row in t["rows"]:
        labels = []
        for depth, l in enumerate(row["labels"]):
            key = tuple(row["labels"][: depth + 1])
            if depth < len(row["labels"]) - 1:
                if key in seen:
                    continue
                seen.add(key)
            labels.append(lab(l))
        t3.append(labels + [_value(report, f"t3.{row['key']}.{c['key']}", rng) for c in cols])
    t4t = spec.tables["t4"]
    parts = [c["label"] for c in t4t["columns"]]
    if truncate:
        parts = [p[:2] for p in parts]
    groups = t4t["groups"]
    top = list(dict.fromkeys(g["labels"][0] for g in groups))  # 行政复议, 行政诉讼
    subs = [g["labels"][1] for g in groups if len(g["labels"]) > 1]  # 未经复议直接起诉, 复议后起诉
    t4 = [[top[0], "", "", "", ""] + top[1:],
          parts + subs,
          [""] * 5 + parts + parts,
          [_value(report, f"t4.{g['key']}.{c['key']}", rng) for g in t4t["groups"] for c in t4t["columns"]]]
    return {"t2": t2, "t3": t3, "t4": t4}


def _render_table(rows: list[list[str]], layout: str, rng: random.Random) -> list[str]:
    out: list[str] = []
    for cells in rows:
        labels = [c for c in cells if c and not _is_num(c)]
        nums = [c for c in cells if _is_num(c)]
        if layout == "pipe":
            out.append(" | ".join(cells) + " |")
        elif layout == "tab":
            out.append("\t".join(cells))
        elif layout == "lines":
            out.extend("\t" + (c.replace("商业企业", "商业\n企业") if c else "") for c in cells)
            out.append("")
        elif layout == "blank":
            for c in cells:
                if c:
                    out.extend([c, ""])
        elif layout in ("pdf", "lost"):
            label = "".join(labels)
            body = "".join(nums) if layout == "lost" else "   ".join(f"{n:>3}" for n in nums)
            if len(label) > 18:  # a long label wraps: numbers stay on its first line
                out.append(f"{label[:18]}    {body}".rstrip())
                rest = label[18:]
                while rest:
                    out.append(rest[:18])
                    rest = rest[18:]
            else:
                out.append(f"{label}    {body}".rstrip())
    return out


def _is_num(s: str) -> bool:
    s = s.replace("万元", "").replace("元", "").lstrip("+-")
    return bool(s) and s.replace(".", "", 1).isdigit()


def published_text(report: Report, layout: str = "pipe", rng: random.Random | None = None, *,
                   noise: bool = True) -> str:
    """The report as text in one published layout (see module doc)."""
    rng = rng or random.Random(0)
    spec = load_spec(report.format)
    style = rng.choice(_HEADING_STYLES) if noise else "一、"
    typos = noise and rng.random() < 0.3
    truncate = noise and rng.random() < 0.3
    tables = table_rows(report, rng if noise else None, typos=typos, truncate=truncate)
    lines: list[str] = []
    if noise and rng.random() < 0.5:
        lines += _CHROME_TOP
    title = f"{report.unit or ''}{report.year}年政府信息公开工作年度报告"
    lines.append(title)
    if noise and rng.random() < 0.2:
        lines.append(title)
    lines.append("")
    if report.narrative.get("preamble"):
        lines += report.narrative["preamble"].split("\n") + [""]
    for s in spec.sections:
        if not s.number:
            continue
        lines.append(_heading(s.number, s.heading, style))
        lines.append("")
        if s.table:
            lines += _render_table(tables[s.table], layout, rng)
            lines.append("")
        elif s.key:
            lines += (report.narrative.get(s.key) or "").split("\n") + [""]
    if noise and rng.random() < 0.5:
        lines += _CHROME_BOTTOM
    return "\n".join(lines)


NARRATIVE = {
    "preamble": "本报告依据《中华人民共和国政府信息公开条例》编制。本报告中所列数据统计期限为{year}年1月1日至12月31日。",
    "overview": "{year}年，我镇认真贯彻落实《中华人民共和国政府信息公开条例》。\n（一）主动公开\n全年主动公开政府信息120条。\n（二）依申请公开\n全年收到政府信息公开申请若干件。",
    "problems": "一是公开内容不够全面。\n二是下一步将加强培训。",
    "other_matters": "本年度未收取信息处理费，收取信息处理费0元。",
}


def narrative_for(year: int) -> dict:
    return {k: v.format(year=year) for k, v in NARRATIVE.items()}
