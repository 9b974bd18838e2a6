"""Unit identity's shortcuts give what the plain rules give: ``clean`` without its per-character scan
for printable names, ``UnitIndex.add`` without searching again for a key already filed."""
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from gxnb_xl.units import UnitIndex, clean, cores


def plain_clean(name):
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(ch for ch in text
                   if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"))


def test_clean_of_every_character():
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        for text in (ch, f"示范县{ch}镇"):
            assert clean(text) == plain_clean(text), hex(cp)


class PlainIndex(UnitIndex):
    """UnitIndex.add as first written: find, then file and register the key's cores every time."""

    def add(self, name, item):
        k = self.find_key(name) or self.key(name)
        self.by_key.setdefault(k, []).append(item)
        for c in cores(k):
            self.by_core.setdefault(c, set()).add(k)
        return k


names = st.lists(st.builds(lambda place, town, organ, gap: f"{place}{gap}{town}{organ}",
                           st.sampled_from(["", "示范县", "甲县", "乙县", "某市示范区", "某市"]),
                           st.sampled_from(["城关镇", "东坝镇", "城关", "东坝镇城关", "第1镇", "示范县城关镇"]),
                           st.sampled_from(["", "人民政府", "政府"]),
                           st.sampled_from(["", " ", "\u200b", "\u3000"])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(names, st.sampled_from([(), ("示范县",), ("示范县", "某市示范区")]))
def test_index_files_every_name_where_the_plain_index_does(seq, prefixes):
    fast, plain = UnitIndex(prefixes), PlainIndex(prefixes)
    for i, name in enumerate(seq):
        assert fast.add(name, i) == plain.add(name, i)
    assert fast.by_key == plain.by_key and fast.by_core == plain.by_core
    for name in seq + ["城关镇", "示范县城关镇人民政府", "乙县东坝镇"]:
        assert fast.find(name) == plain.find(name)
