"""gxnb_xl.jsontext.dumps writes exactly json.dumps(obj, ensure_ascii=False, indent=2)."""
import enum
import json
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gxnb_xl.jsontext import dumps


class Level(enum.IntEnum):
    ONE = 1


class Text(str):
    pass


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.just(Level.ONE),
                    st.builds(Text, st.text(max_size=5)), st.integers(-2 ** 70, 2 ** 70))
keys = st.one_of(st.text(max_size=8), st.integers(), st.floats(), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(keys, inner, max_size=5), st.dictionaries(st.text(max_size=4), inner, max_size=3).map(OrderedDict)),
    max_leaves=40)


@settings(max_examples=500, deadline=None)
@given(values)
def test_same_text_as_json_dumps(value):
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_aggregate_like_document_and_errors():
    doc = {"files": [{"file": "甲\u200b镇.xlsx", "n": 3, "ok": True, "none": None, "messages": [], "d": {},
                      "x": 1.5, "msg": ["表三\n第2行", "\"引号\"\\"]}] * 3, "states": {"summed": 3}, "empty": [],
           "nested": [[[]], [{}], [1, [2, {"a": [3]}]]], "nan": [float("nan"), float("inf"), -float("inf"), -0.0]}
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({(1, 2): 3})
