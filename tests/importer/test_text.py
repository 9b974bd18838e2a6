"""The matching helpers' text contracts."""
from __future__ import annotations

import random

from gxnb_xl.importer.text import _NARROW, squeeze, widen


def test_widen_is_the_length_preserving_width_map():
    table = str.maketrans(_NARROW)
    rng = random.Random(7)
    alphabet = "".join(_NARROW) + "".join(_NARROW.values()) + "政府信息公开年度报告，。（）：；、 \n\t０１２３"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        assert widen(text) == text.translate(table) and len(widen(text)) == len(text)
    assert widen("（一）主动公开：１２３件，ＡＢＣ") == "(一)主动公开:123件,ABC"


def test_squeeze_maps_back_to_the_original_offsets():
    text = "商业\n企业 （一）　１２"
    flat, where = squeeze(text)
    assert flat == "商业企业(一)12"
    assert [text[i] for i in where] == ["商", "业", "企", "业", "（", "一", "）", "１", "２"]
