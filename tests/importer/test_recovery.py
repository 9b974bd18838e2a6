"""Lost cell boundaries, label variants, heading variants, missing parts."""
from decimal import Decimal

from gxnb_xl.importer import import_text
from gxnb_xl.importer.split import LocalEq, splits

ROW = LocalEq(tuple((1, i) for i in range(6)) + ((-1, 6),))


def test_split_by_row_relation_is_unique():
    assert splits([("run", "640020470")], 7, (ROW,)) == [(64, 0, 0, 2, 0, 4, 70)]


def test_split_ambiguous_lists_every_candidate():
    cands = splits([("run", "1102")], 3, ())
    assert set(cands) == {(1, 10, 2), (11, 0, 2)}


def _t3_text(rows: dict[str, str]) -> str:
    from gxnb_xl.spec import load_spec
    spec = load_spec("2021")
    lines = ["某某镇人民政府2023年政府信息公开工作年度报告", "一、总体情况", "概述。",
             "三、收到和处理政府信息公开申请情况"]
    for row in spec.tables["t3"]["rows"]:
        lines.append(row["labels"][-1] + "   " + rows.get(row["key"], "0 0 0 0 0 0 0"))
    lines += ["五、存在的主要问题及改进情况", "问题。", "六、其他需要报告的事项", "无"]
    return "\n".join(lines)


def test_lost_row_recovered_with_reason():
    text = _t3_text({"new": "640020470", "granted": "640020470", "total": "640020470"})
    r = import_text(text)
    want = [64, 0, 0, 2, 0, 4, 70]
    cols = ["natural", "business", "research", "nonprofit", "legal", "other_org", "total"]
    for row in ("new", "granted", "total"):
        assert [r.report.values[f"t3.{row}.{c}"] for c in cols] == want
        assert all(r.cell_status[f"t3.{row}.{c}"].status == "derived" for c in cols)
        assert "粘连" in r.cell_status[f"t3.{row}.natural"].reason_zh
    assert any("640020470" in w.zh for w in r.warnings)
    assert r.confidence["t3"]["derived"] == 21 and r.confidence["t3"]["level"] == "medium"
    assert r.report.extra["source"]["cells"]["t3.new.total"]["status"] == "derived"


def test_ambiguous_row_settled_by_column_relations():
    # "11011" → 1 10 0 0 0 0 11 or 11 0 0 0 0 0 11 ... several splits satisfy the row alone;
    # the 总计 row and the new row (read as 11 0 0 0 0 0 11) pin the granted row
    text = _t3_text({"new": "11 0 0 0 0 0 11", "granted": "110000011", "total": "11 0 0 0 0 0 11"})
    r = import_text(text)
    assert r.report.values["t3.granted.natural"] == 11
    assert r.cell_status["t3.granted.natural"].status == "derived"


def test_ambiguous_row_left_missing_with_candidates():
    text = _t3_text({"new": "110000011", "granted": "110000011", "total": "110000011"})
    r = import_text(text)
    s = r.cell_status["t3.new.natural"]
    assert s.status == "missing" and s.candidates and r.report.values["t3.new.natural"] is None
    assert any("种可能" in w.zh for w in r.warnings)
    assert r.confidence["t3"]["level"] == "low"


def test_row_with_one_number_missing_is_derived():
    text = _t3_text({"new": "3 0 0 0 0 3"})
    r = import_text(text)
    # 3 0 0 0 0 3 with one gap: the relations leave 3 0 0 0 0 0 3 only if the gap is a 0 column;
    # whatever is taken must satisfy the row and be flagged
    vals = [r.report.values[f"t3.new.{c}"] for c in ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")]
    st = r.cell_status["t3.new.total"].status
    if st == "derived":
        assert sum(vals[:6]) == vals[6]
    assert any("t3.new.total" in w.cells for w in r.warnings)


def test_label_typos_and_variants():
    text = _t3_text({"denied_law": "1 0 0 0 0 0 1"}).replace("2.其他法律行政法规禁止公开", "2.其他法律法规禁止公开") \
        .replace("（一）予以公开", "(一) 予 以 公 开").replace("1.属于国家秘密", "1、属于国家秘密")
    text = text.replace("3.危及“三安全一稳定”", "3.危及\"三安全一稳定\"")
    r = import_text(text)
    assert r.report.values["t3.denied_law.natural"] == 1
    assert all(s.status == "read" for c, s in r.cell_status.items() if c.startswith("t3."))


def test_headings_with_other_numbering_and_missing_sections():
    text = "\n".join(["某某县某某局2022年度政府信息公开工作年度报告", "1、总体情况", "我局……",
                      "（二）主动公开政府信息情况", "第二十条第（一）项", "信息内容 本年制发件数 本年度止件数 现行有效件数",
                      "规章 0 0 0", "行政规范性文件 2 1 9", "行政许可 5", "行政处罚 3", "行政强制 0", "行政事业性收费 251000元"])
    r = import_text(text)
    rep = r.report
    assert (rep.format, rep.year, rep.unit, rep.level) == ("2021", 2022, "某某县某某局", "county_department")
    assert rep.values["t2.normative.in_force"] == 9
    assert rep.values["t2.fees.amount"] == Decimal("25.1")
    assert r.cell_status["t2.fees.amount"].reason_zh  # the 元 → 万元 conversion is stated
    assert r.cell_status["t3.new.total"].status == "missing"
    assert any("表三" in w.zh for w in r.warnings) and any("五、" in w.zh for w in r.warnings)


def test_pdf_wrapped_label_with_numbers_inside():
    text = _t3_text({}).replace("（二）部分公开（区分处理的，只计这一情形，不计其他情形）   0 0 0 0 0 0 0",
                                "（二）部分公开（区分处理的，只计这    1   0   0   0   0   0   1\n一情形，不计其他情形）")
    r = import_text(text)
    assert r.report.values["t3.partial.natural"] == 1 and r.report.values["t3.partial.total"] == 1
    assert r.cell_status["t3.partial.total"].status == "read"


def test_format_2019_by_labels_even_with_later_year():
    from gxnb_xl.importer.reader import detect_format
    from gxnb_xl.importer.text import norm
    assert detect_format(norm("本年新制作数量 对外公开总数量 政府集中采购"), 2023)[0] == "2019"
    assert detect_format(norm("无表格"), 2020)[0] == "2019"
