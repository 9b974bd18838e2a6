"""alternation: the lookahead only skips positions where no branch can match, so the combined
pattern finds exactly what the plain alternation finds; starts that cannot be stated give none."""
import random
import re

import pytest

from gxnb_xl.importer.alternation import alternation, start_class
from gxnb_xl.importer.text import vocabulary

PAGE = vocabulary()["raw"]["page"]
CASES = [(PAGE["inline"], ""), (PAGE["footer"], r"[^\n]*")]


def _plain(patterns, suffix):
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + ")" + suffix)


def _text(rng: random.Random) -> str:
    """Report prose with page furniture, dates, spaces and line breaks mixed in at random."""
    pieces = ["我镇坚持以公开为常态", "不公开为例外，", "2024年1月15日", "发布时间：2024-01-15 10:20", "来源：城关镇",
              "【打印本页】", "[关闭]", "字体：[大][中][小]", "浏览次数：123", "主办单位：某县人民政府", "京ICP备123号",
              "<!-- x -->", "-->", "您当前的位置：首页 > 政务公开 > ", "2023年度政府信息公开工作年度报告", "分享到：",
              "微信 微博 QQ空间", " ", "\n", "　", "\t", "Copyright", "网站地图 |", "附件下载：", "a", "|", "："]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))


@pytest.mark.parametrize("patterns,suffix", CASES)
def test_same_matches_as_the_plain_alternation(patterns, suffix):
    fast, plain = alternation(patterns, suffix), _plain(patterns, suffix)
    assert fast.pattern.startswith("(?=[")  # the page patterns do get a lookahead
    rng = random.Random(15)
    for _ in range(3000):
        text = _text(rng)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], text
        assert fast.sub(" ", text) == plain.sub(" ", text)


def test_start_class_is_every_first_character():
    assert start_class(r"(?:信息)?来源[:：]") == "[信来]"
    assert start_class(r"[【\[]?\s*(?:打印|关闭)") == r"[\[\s【关打]"
    assert start_class(r"^\s*\d{4}") == r"[\d\s]"
    assert start_class(r"\bCopyright") == "[C]"


@pytest.mark.parametrize("pattern", [".x", "[^a]b", "a?", "(?<=a)b", "(?=a)a", "x*", r"\Z", "(?i:abc)"])
def test_no_lookahead_when_the_start_cannot_be_stated(pattern):
    assert start_class(pattern) is None
    assert alternation([pattern]).pattern == f"(?:(?:{pattern}))"


def test_ignorecase_gives_no_start_class():
    assert start_class("(?i)abc") is None
