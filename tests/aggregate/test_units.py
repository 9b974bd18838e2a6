"""Unit identity (units.py) and government levels as data (levels.py + formats/levels.toml)."""
import pytest

from gxnb_xl import levels
from gxnb_xl.units import common_place, same_unit, unit_key


@pytest.mark.parametrize("a,b,how", [
    ("示范县城关镇人民政府", "示范县城关镇人民政府", "exact"),
    ("示范县城关镇人民政府", "\ufeff示范县城关镇人民政府\u200b", "written differently"),  # BOM, zero-width space
    ("示范县城关镇人民政府", "示范县 城关镇　人民政府", "written differently"),  # spaces, ideographic space
    ("示范县城关镇人民政府", "示范县城关镇", "written differently"),  # the organ suffix
    ("示范县ＡＢ镇人民政府", "示范县AB镇人民政府", "written differently"),  # full-width letters (NFKC)
    ("示范县城关镇人民政府", "城关镇人民政府", "prefix"),  # the county prefix dropped
    ("某某市示范区城关街道办事处", "城关街道办事处", "prefix"),
])
def test_same_unit(a, b, how):
    assert same_unit(a, b) == (True, how)
    assert same_unit(b, a)[0]


@pytest.mark.parametrize("a,b", [
    ("示范县东坝镇人民政府", "示范县西坝镇人民政府"),  # one character apart: two townships
    ("示范县城关镇人民政府", "示范县人民政府"),  # a township is not its county
    ("城关镇", "新城关镇"),  # 新 is no place prefix
    ("示范县城关镇人民政府", ""),
])
def test_different_units(a, b):
    assert same_unit(a, b)[0] is False


def test_known_county_prefix_and_common_place():
    assert unit_key("示范县城关镇人民政府", ["示范县"]) == unit_key("城关镇", ["示范县"]) == "城关镇"
    assert common_place(["示范县城关镇人民政府", "示范县东坝镇人民政府", "西河乡人民政府"]) == "示范县"
    assert common_place(["甲镇人民政府", "乙乡人民政府"]) == ""


def test_levels_are_one_data_file_read_everywhere():
    from gxnb_xl.excel.layout import LEVEL_CODES, LEVEL_LABELS
    from gxnb_xl.report import LEVELS
    assert LEVELS == levels.codes() and LEVEL_LABELS == levels.labels()
    assert all(LEVEL_CODES[levels.label(c)] == c for c in levels.codes())
    assert levels.parent("township") == "county" and levels.rank("county") > levels.rank("township")
    assert levels.label("county", "en") == "county government" and levels.rank("other") is None
    from gxnb_cli import option
    level_opt = option("template", "level")
    assert tuple(level_opt.choices) == levels.codes()


@pytest.mark.parametrize("name,level", [
    ("示范县城关镇人民政府", "township"), ("城关街道办事处", "township"), ("示范县人民政府", "county"),
    ("某市人民政府", "city"), ("某某自治区人民政府", "province"), ("示范县教育局", "county_department"),
    ("某市教育局", "city_department"), ("某省教育厅", "province_department"), ("国务院办公厅", None),
])
def test_level_of_a_name_from_the_data_file(name, level):
    from gxnb_xl.importer.reader import level_of
    assert levels.of_name(name) == level == level_of(name)


def test_unit_index_finds_the_same_unit_without_pairwise_comparison():
    from gxnb_xl.units import UnitIndex
    index = UnitIndex()
    index.add("示范县城关镇人民政府", 1)
    index.add("\ufeff城关镇人民政府", 2)  # the county prefix dropped: the same unit
    index.add("示范县东坝镇人民政府", 3)
    assert index.find("城关镇") == [1, 2] and index.find("东坝镇") == [3] and index.find("西河乡") == []
    two = UnitIndex()
    two.add("甲县城关镇人民政府", 1)
    two.add("乙县城关镇人民政府", 2)  # two counties' 城关镇: two units
    assert two.find("甲县城关镇") == [1] and two.find("城关镇") == []  # ambiguous: no match
