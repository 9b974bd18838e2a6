import json
from decimal import Decimal

import pytest

from gxnb_xl.report import ReportError, load_report, report_from_dict


def test_round_trip_preserves_extra_keys(tmp_path):
    src = {"format": "2021", "unit": "某镇人民政府", "year": 2024, "level": "township",
           "values": {"t3.new.natural": 4, "t2.fees.amount": "1.2345"},
           "narrative": {"overview": "概述"}, "source": {"file": "x.html"}, "notes": ["a"]}
    p = tmp_path / "r.json"
    p.write_text(json.dumps(src, ensure_ascii=False), encoding="utf-8")
    report = load_report(p)
    assert report.values["t2.fees.amount"] == Decimal("1.2345")
    assert report.values["t3.new.business"] is None  # absent = blank, not 0
    out = tmp_path / "out.json"
    report.save(out)
    back = json.loads(out.read_text(encoding="utf-8"))
    assert back["source"] == {"file": "x.html"} and back["notes"] == ["a"]
    assert back["values"] == {"t3.new.natural": 4, "t2.fees.amount": "1.2345"}
    assert back["narrative"] == {"overview": "概述"}


def test_unknown_value_keys_are_kept():
    report = report_from_dict({"format": "2021", "values": {"t9.x": 1}})
    assert report.extra["unknown_values"] == {"t9.x": 1}
    assert report.to_json_dict()["unknown_values"] == {"t9.x": 1}


def test_type_problems_are_recorded_not_raised():
    report = report_from_dict({"format": "2021", "values": {"t3.new.natural": "4", "t3.new.business": -1,
                                                            "t3.new.research": 1.5, "t3.new.legal": "x"}})
    codes = {p.cell: p.problem.code for p in report.problems}
    assert codes["t3.new.natural"] == "text_number"
    assert codes["t3.new.business"] == "negative"
    assert codes["t3.new.research"] == "fraction"
    assert codes["t3.new.legal"] == "not_number"
    assert report.values["t3.new.natural"] == 4 and report.values["t3.new.legal"] is None


def test_format_defaults_by_year():
    assert report_from_dict({"year": 2020, "values": {}}).format == "2019"
    assert report_from_dict({"year": 2022, "values": {}}).format == "2021"


@pytest.mark.parametrize("content,needle", [
    ("", "为空"), ("{not json", "JSON 格式错误"), ("[1,2]", "顶层应为对象"),
    ('{"format": "2030"}', "未知的报告格式"), ('{"values": []}', "values 应为对象"),
])
def test_unusable_json_gets_a_chinese_message(tmp_path, content, needle):
    p = tmp_path / "bad.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError) as exc:
        load_report(p)
    assert needle in exc.value.zh
