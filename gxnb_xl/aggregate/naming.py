"""The county report's name: ``--unit``, else the organ derived from the units' common place.

示范县城关镇人民政府, 示范县东坝镇人民政府 … → 示范县人民政府 (the common place, cut after its last
县/区/市/旗/州/盟, plus 人民政府) — never the bare place "示范县", which would put "请与示范县联系" in
the Word draft. When there is no common place, no name: the caller requires ``--unit``.
"""
from __future__ import annotations

from ..units import clean, common_place

ORGAN = "人民政府"


def choose_unit(given: str | None, units) -> tuple[str | None, tuple]:
    """(name, note as (key, params)): the note says how the name was chosen ("" when given)."""
    if given and given.strip():
        return given.strip(), ()
    names = [u for u in units if u]
    place = common_place(names)
    if place and not any(clean(n) == place for n in names):
        name = place + ORGAN
        return name, ("agg.note.unit_derived", {"name": name})
    return None, ("agg.note.unit_unknown", {})
