"""Build the demo county (examples/county-2024/): 12 townships of 示范县, data year 2024.

Numbers are synthetic but township-like and satisfy every relation — except 清水镇, where one
cell carries a typing slip (a transposed pair of digits) that the checker must catch.
Run again to rebuild; the output is deterministic.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gxnb_xl.engine import compute_derived  # noqa: E402
from gxnb_xl.testing.synth import random_report  # noqa: E402

TOWNS = ["城关镇", "东坝镇", "西河乡", "南山镇", "北塬乡", "清水镇", "石桥镇", "柳林乡", "白杨镇", "红岩乡", "新集镇", "龙泉镇"]
SLIP_TOWN = "清水镇"


def narrative(unit: str, year: int, r) -> dict:
    v = r.values
    new, done, out = v["t3.new.total"], v["t3.total.total"], v["t3.carried_out.total"]
    return {
        "preamble": (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定编制。"
                     f"本报告中所列数据统计期限为{year}年1月1日至12月31日。报告电子版可在示范县人民政府门户网站"
                     f"“政府信息公开年报”栏目下载。如对本报告有疑问，请与{unit}党政综合办公室联系。"),
        "overview": (f"{year}年，{unit}坚持以公开为常态、不公开为例外，认真落实《条例》要求。\n"
                     f"（一）主动公开。全年通过政府门户网站、政务新媒体和村务公开栏主动公开政府信息{30 + len(unit) * 7}条。\n"
                     f"（二）依申请公开。{year}年共收到政府信息公开申请{new}件，办结{done}件，结转下年度继续办理{out}件。\n"
                     f"（三）政府信息管理。严格落实信息发布保密审查机制，及时更新政府信息公开指南。\n"
                     f"（四）政府信息公开平台建设。持续维护政府网站镇级栏目和政务新媒体账号。\n"
                     f"（五）监督保障。将政务公开纳入年度目标考核，本年度未发生责任追究情况。"),
        "problems": (f"{year}年工作中仍存在公开内容不够丰富、政策解读形式单一等问题。"
                     f"下一步将加强业务培训，丰富解读形式，提升公开质量。"),
        "other_matters": (f"按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）规定，"
                          f"{year}年度本机关未收取信息处理费，金额为0元。"),
    }


def main():
    out_dir = ROOT / "examples" / "county-2024"
    out_dir.mkdir(parents=True, exist_ok=True)
    for i, town in enumerate(TOWNS):
        unit = f"示范县{town}人民政府"
        rng = random.Random(2024_00 + i)
        r = random_report(rng, "2021", unit=unit, year=2024, level="township", busy=0.35)
        r.narrative = narrative(unit, 2024, r)
        if town == SLIP_TOWN:
            # 12 applications granted, consistent everywhere …
            r.values["t3.new.natural"] += 12 - r.values["t3.granted.natural"]
            r.values["t3.granted.natural"] = 12
            r.values = compute_derived(r.spec, r.values)
            r.narrative = narrative(unit, 2024, r)
            # … then the typing slip: 12 typed as 21, totals left as the clerk computed them
            r.values["t3.granted.natural"] = 21
        path = out_dir / f"{i + 1:02d}-{town}.json"
        path.write_text(r.dumps(), encoding="utf-8")
    print(f"wrote {len(TOWNS)} townships to {out_dir}")


if __name__ == "__main__":
    main()
