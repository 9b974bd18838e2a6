"""gxnb spec — the cells and relations of a format."""
from __future__ import annotations

import json

from .common import echo
from .parsing import add_format, add_json, add_lang

HELP = "列出格式的全部单元格与勾稽关系 / list the cells and relations of a format."


def spec_dict(format_id: str) -> dict:
    from ..spec import load_spec
    spec = load_spec(format_id)
    try:
        from ..excel.layout import layout_of
        layout = layout_of(spec)
    except ImportError:
        layout = None
    cells = []
    for cid, c in spec.cells.items():
        d = {"id": cid, "table": c.table, "row": c.row, "col": c.col, "type": c.type, "input": c.input,
             "labels": {"table": c.table_label, "row": list(c.row_labels), "col": list(c.col_labels)}}
        if c.block:
            d["labels"]["block"] = c.block
        if layout is not None:
            sheet, address = layout.cells[cid]
            d.update(sheet=sheet, address=address)
        if cid in spec.derivations:
            d["formula"] = spec.derivations[cid].expression
        cells.append(d)
    rules = []
    for r in spec.rules:
        eqs = [e for e in spec.equations if e.rule is r]
        rules.append({"id": r.id, "title": r.title, "severity": r.severity, "scope": r.scope, "kind": r.kind,
                      "expression": r.raw.get("expr"), "for": r.raw.get("for"),
                      "instances": [{"instance": e.instance, "expression": e.expression, "defines": e.defines}
                                    for e in eqs]})
    out = {"format": spec.id, "name": spec.name, "spec_hash": spec.hash, "cells": cells, "rules": rules}
    if layout is not None:
        out["template_id"] = layout.template_id
        out["meta"] = {k: {"sheet": s, "address": a} for k, (s, a) in layout.meta.items()}
        out["narrative"] = {k: {"sheet": s, "address": a} for k, (s, a) in layout.narrative.items()}
    return out


def configure(parser):
    from ..spec import available_formats
    add_format(parser, help="报告格式 / format id（默认 / default: %(default)s）", default=available_formats()[0])
    add_json(parser)
    add_lang(parser)


def run(args) -> int:
    format_id, as_json, lang = args.format_id, args.as_json, args.lang
    data = spec_dict(format_id)
    if as_json:
        echo(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    from rich.table import Table

    from .common import console
    out = console()
    tables = {}
    for c in data["cells"]:
        tables.setdefault(c["table"], []).append(c)
    out.print(f"[bold]格式 {data['format']}（{data['name']}）[/bold]  spec {data['spec_hash']}")
    for tid, cells in tables.items():
        n_in = sum(c["input"] for c in cells)
        out.print(f"{cells[0]['labels']['table']}：{len(cells)} 个单元格（填写 {n_in}，公式 {len(cells) - n_in}）")
    tab = Table("规则" if lang != "en" else "rule", "级别" if lang != "en" else "severity",
                "范围" if lang != "en" else "scope", "表达式" if lang != "en" else "expression",
                "实例数" if lang != "en" else "instances")
    for r in data["rules"]:
        tab.add_row(r["id"], r["severity"], r["scope"], r["expression"] or r["title"], str(len(r["instances"])))
    out.print(tab)
    return 0
