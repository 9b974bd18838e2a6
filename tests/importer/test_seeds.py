"""The five seed reports import with every number equal to the expected data."""
import json
from pathlib import Path

import pytest

from gxnb_xl.importer import import_file

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted(FIXTURES.glob("*.txt"))


def test_all_seeds_present():
    assert len(SEEDS) == 5


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem[:3] for p in SEEDS])
def test_seed_imports_exactly(path):
    expected = json.loads((FIXTURES / "expected" / (path.stem + ".json")).read_text("utf-8"))
    before = path.read_bytes()
    result = import_file(path)
    got = result.report.to_json_dict()
    assert path.read_bytes() == before  # the input is never touched
    for key in ("format", "unit", "year", "level"):
        assert got[key] == expected[key], key
    assert got["values"] == expected["values"]
    # every cell read straight from the text: nothing derived or missing in these clean seeds
    assert {s.status for s in result.cell_status.values()} == {"read"}
    assert all(c["level"] == "high" for c in result.confidence.values())
    assert result.warnings == []
    # narratives found by heading (五 and 六 always present in the seeds)
    assert got["narrative"]["overview"]
    assert got["narrative"]["problems"]
    src = got["source"]
    assert src["file"] == path.name and len(src["cells"]) == len(expected["values"])


def test_seed_narratives_follow_headings():
    r = import_file(FIXTURES / "003_e89690ae531d1d0f.txt").report
    assert r.narrative["preamble"].startswith("按照《中华人民共和国政府信息公开条例》")
    assert "扫一扫" not in r.narrative["other_matters"]
    assert r.narrative["other_matters"] == ""
    r = import_file(FIXTURES / "001_12f78b61d8e1d558.txt").report
    # the irregular "一、依申请公开办理情况" sub-headings stay inside 总体情况
    assert "依申请公开办理情况" in r.narrative["overview"]
    assert r.narrative["other_matters"] == "无"
    r = import_file(FIXTURES / "002_6f3669565db78123.txt").report
    assert r.narrative["other_matters"] == "截至2024年12月31日，收取信息处理费0元。"
    assert r.narrative["overview"].startswith("大渡口区跳磴镇人民政府根据")


def test_seed_amounts_and_signs():
    r = import_file(FIXTURES / "003_e89690ae531d1d0f.txt").report.to_json_dict()
    assert r["values"]["t2.procurement.amount"] == "326.8"
    assert r["values"]["t2.licensing.change"] == 32

