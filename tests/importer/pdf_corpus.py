"""PDF files the project did not lay out, made by LibreOffice in two batched calls, with truth.

* ``txt-*``: the real published reports of ``fixtures/corpus`` (flattened web text) printed to PDF;
* ``html-*``: web pages holding those reports' tables (rowspan/colspan, borders) printed to PDF;
* ``grid-*`` / ``bare-*``: Word documents (python-docx, tables with and without borders) → PDF;
* ``word-*``: the seed reports rendered by the project's own Word writer → PDF (as ``render --pdf``).

``build(folder)`` returns [(pdf path, truth dict)]; truth holds ``format, unit, year, level,
values`` (cells a published text leaves undetermined are absent from ``values``).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "fixtures" / "corpus"
SEEDS = ROOT / "examples" / "seeds"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def corpus_cases():
    """[(report .txt, truth dict)] of the real published reports."""
    out = []
    for txt in sorted((CORPUS / "reports").glob("*.txt")):
        out.append((txt, json.loads((CORPUS / "truth" / (txt.stem + ".json")).read_text("utf-8"))))
    return out


def _report_of(truth: dict):
    from gxnb_xl.testing.published import narrative_for
    from gxnb_xl.report import Report
    rep = Report(format=truth["format"], unit=truth["unit"], year=truth["year"], level=truth.get("level"))
    for cid in rep.spec.cells:
        rep.values[cid] = None
    for cid, v in truth["values"].items():
        from gxnb_xl.values import read_value
        value, _ = read_value(str(v), rep.spec.cells[cid].type)
        rep.values[cid] = value
    rep.narrative = narrative_for(truth["year"])
    return rep


def _soffice(sources: list[Path], outdir: Path, infilter: str | None = None) -> None:
    _soffice_to(sources, outdir, "pdf", infilter)


def build(folder: Path) -> list[tuple[Path, dict]]:
    from imp_builders import report_docx, report_html

    from gxnb_xl.report import load_report
    from gxnb_xl.word.render import render_docx_bytes
    folder = Path(folder)
    src = folder / "src"
    src.mkdir(parents=True, exist_ok=True)
    out = folder / "pdf"
    texts, others, truths = [], [], {}
    for i, (txt, truth) in enumerate(corpus_cases()):
        n = txt.stem.split("_")[0]
        t = src / f"txt-{n}.txt"
        t.write_bytes(txt.read_bytes())
        texts.append(t)
        truths[t.stem] = truth
        rep = _report_of(truth)
        h = src / f"html-{n}.html"
        h.write_text(report_html(rep), "utf-8")
        others.append(h)
        truths[h.stem] = truth
        kind = "grid" if i % 2 == 0 else "bare"
        d = src / f"{kind}-{n}.docx"
        d.write_bytes(report_docx(rep, style="Table Grid" if kind == "grid" else None))
        others.append(d)
        truths[d.stem] = truth
    for seed in sorted(SEEDS.glob("*.json")):
        rep = load_report(seed)
        d = src / f"word-{seed.stem[:3]}.docx"
        d.write_bytes(render_docx_bytes(rep))
        others.append(d)
        truths[d.stem] = json.loads(seed.read_text("utf-8"))
    (folder / "truths.json").write_text(json.dumps(truths, ensure_ascii=False), "utf-8")
    _soffice(texts, out, "Text (encoded):UTF8,LF,,,")
    _soffice(others, out)
    return [(out / f"{stem}.pdf", truth) for stem, truth in truths.items() if (out / f"{stem}.pdf").exists()]


def build_office(folder: Path) -> dict[str, list[tuple[Path, dict]]]:
    """Workbooks and old Word files made by LibreOffice (two more batched calls):

    * ``xlsx``: the web pages above opened in Calc and saved as .xlsx (a web page saved as a
      workbook: one sheet, tables at an offset, merged cells, narrative in cells around them);
    * ``doc``: the Word documents above saved as Word 97–2003 .doc.
    """
    folder = Path(folder)
    src = folder / "src"
    pages = sorted(src.glob("html-*.html"))
    docs = sorted(src.glob("grid-*.docx"))[:2] + sorted(src.glob("word-*.docx"))[:1]
    out = folder / "office"
    truths = {p.stem: t for p, t in _truths(folder)}
    own = []
    for stem in sorted(s for s in truths if s.startswith("html-")):
        f = src / f"own-{stem[5:]}.xlsx"
        own_workbook(f, truths[stem])
        truths[f.stem] = truths[stem]
        own.append(f)
    _soffice_to(pages, out, "xlsx", "HTML (StarCalc)")
    _soffice_to(docs, out, "doc:MS Word 97")
    _soffice_to(own, out, "xls:MS Excel 97")
    res: dict[str, list] = {"xlsx": [], "doc": [], "xls": []}
    for f in own:
        x = out / f"{f.stem}.xls"
        if x.exists():
            res["xls"].append((x, truths[f.stem]))
    for p in pages:
        f = out / f"{p.stem}.xlsx"
        if f.exists():
            res["xlsx"].append((f, truths[p.stem]))
    for d in docs:
        f = out / f"{d.stem}.doc"
        if f.exists():
            res["doc"].append((f, truths[d.stem]))
    return res


def own_workbook(path: Path, truth: dict) -> None:
    """A county's own Excel version of the official tables: sheets 表二/表三/表四, a title row, the
    tables two columns in, merged headers — a layout our template never had (saved again by
    LibreOffice as .xls, as a clerk's old Excel would)."""
    import xlsxwriter

    from gxnb_xl.spec import load_spec
    spec = load_spec(truth["format"])
    vals = truth["values"]
    wb = xlsxwriter.Workbook(str(path))
    title = f"{truth['unit']}{truth['year']}年政府信息公开工作年度报告"
    t2 = wb.add_worksheet("表二")
    t2.write(0, 2, title + "（表二）")
    r = 2
    for block in spec.tables["t2"]["blocks"]:
        t2.merge_range(r, 2, r, 2 + len(block["columns"]), block["caption"])
        r += 1
        t2.write(r, 2, spec.tables["t2"]["row_header"])
        for k, c in enumerate(block["columns"]):
            t2.write(r, 3 + k, c["label"])
        r += 1
        for row in block["rows"]:
            t2.write(r, 2, row["label"])
            for k, c in enumerate(block["columns"]):
                v = vals.get(f"t2.{row['key']}.{c['key']}")
                if v is not None:
                    t2.write_number(r, 3 + k, float(v))
            r += 1
    t3s = wb.add_worksheet("表三")
    t = spec.tables["t3"]
    t3s.write(0, 1, title + "（表三）")
    t3s.merge_range(2, 1, 4, 3, t["note"])
    t3s.merge_range(2, 4, 2, 10, t["column_header"])
    t3s.merge_range(3, 4, 4, 4, "自然人")
    t3s.merge_range(3, 5, 3, 9, "法人或其他组织")
    t3s.merge_range(3, 10, 4, 10, "总计")
    for k, c in enumerate([c for c in t["columns"] if c.get("group")]):
        t3s.write(4, 5 + k, c["label"])
    r = 5
    for row in t["rows"]:
        t3s.merge_range(r, 1, r, 3, " ".join(row["labels"][-1:]))
        for k, c in enumerate(t["columns"]):
            v = vals.get(f"t3.{row['key']}.{c['key']}")
            if v is not None:
                t3s.write_number(r, 4 + k, float(v))
        r += 1
    t4 = wb.add_worksheet("表四")
    g = spec.tables["t4"]
    t4.write(0, 0, title + "（表四）")
    t4.merge_range(2, 0, 2, 4, "行政复议")
    t4.merge_range(2, 5, 2, 14, "行政诉讼")
    t4.merge_range(3, 5, 3, 9, "未经复议直接起诉")
    t4.merge_range(3, 10, 3, 14, "复议后起诉")
    k = 0
    for grp in g["groups"]:
        for c in g["columns"]:
            if grp["key"] == "review":
                t4.merge_range(3, k, 4, k, c["label"])
            else:
                t4.write(4, k, c["label"])
            v = vals.get(f"t4.{grp['key']}.{c['key']}")
            if v is not None:
                t4.write_number(5, k, float(v))
            k += 1
    wb.close()


def _truths(folder: Path) -> list[tuple[Path, dict]]:
    return [(Path(k), v) for k, v in json.loads((Path(folder) / "truths.json").read_text("utf-8")).items()]


def _soffice_to(sources: list[Path], outdir: Path, fmt: str, infilter: str | None = None) -> None:
    from lo import lo_env, soffice
    binary = soffice()
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    cmd = [binary, "--headless", "--norestore", "--nologo", "--nodefault", f"-env:UserInstallation={profile.as_uri()}"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)]
    try:
        subprocess.run(cmd, capture_output=True, timeout=300, env=lo_env(), check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":  # python tests/importer/pdf_corpus.py OUTDIR — build and score once
    from decimal import Decimal

    from gxnb_xl.importer import import_file
    for pdf, truth in build(Path(sys.argv[1])):
        got = import_file(pdf).report.to_json_dict()
        right = sum(got["values"].get(c) is not None and Decimal(str(got["values"][c])) == Decimal(str(v))
                    for c, v in truth["values"].items())
        blank = sum(got["values"].get(c) is None for c in truth["values"])
        wrong = len(truth["values"]) - right - blank
        print(f"{pdf.name:14s} right {right:3d} wrong {wrong} blank {blank:3d} "
              f"meta {[got[k] == truth[k] for k in ('format', 'year', 'unit')]}")
