"""gxnb import: outputs, exit codes, messages, inputs left untouched."""
import json
import random
import shutil
from pathlib import Path


from gxnb_cli import run
from gxnb_xl.testing.published import published_text
from gxnb_xl.report import load_report
from gxnb_xl.testing.synth import random_report

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "002_6f3669565db78123.txt"


def test_import_to_json_and_check(tmp_path):
    src = tmp_path / SEED.name
    shutil.copy(SEED, src)
    before = src.read_bytes()
    out = tmp_path / "r.json"
    res = run("import", src, "-o", out)
    assert res.exit_code == 0, res.output
    assert "大渡口区跳磴镇人民政府" in res.output and "表三：读取 175" in res.output
    assert src.read_bytes() == before
    rep = load_report(out)
    expected = json.loads((FIXTURES / "expected" / (SEED.stem + ".json")).read_text("utf-8"))
    assert rep.to_json_dict()["values"] == expected["values"]
    assert rep.extra["source"]["cells"]["t3.new.total"] == {"status": "read", "value": 4, "raw": "4"}
    assert rep.extra["source"]["confidence"]["t3"]["level"] == "high"


def test_json_flag_and_english(tmp_path):
    res = run("import", SEED, "--json", "--lang", "en")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["report"]["unit"] == "大渡口区跳磴镇人民政府" and data["status"] == "ok"
    assert isinstance(data["findings"], list)


def test_lost_boundaries_exit_1_with_notes(tmp_path):
    rep = random_report(random.Random(7), "2021", busy=0.9)
    p = tmp_path / "pdf.txt"
    p.write_text(published_text(rep, "lost", random.Random(3)), "utf-8")
    res = run("import", p)
    assert "导入提示" in res.output and "粘连" in res.output
    assert res.exit_code in (0, 1)


def test_several_sources_to_folder(tmp_path):
    out = tmp_path / "out"
    res = run("import", FIXTURES / "000_5226d92ffea0b08b.txt", FIXTURES / "003_e89690ae531d1d0f.txt", "-o", out)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["000_5226d92ffea0b08b.json", "003_e89690ae531d1d0f.json"]


def test_workbook_output(tmp_path):
    out = tmp_path / "r.xlsx"
    res = run("import", FIXTURES / "003_e89690ae531d1d0f.txt", "-o", out)
    try:
        import gxnb_xl.excel.template  # noqa: F401
    except ImportError:
        assert res.exit_code == 2 and "工作簿" in res.output
        return
    assert res.exit_code == 0, res.output
    assert out.exists() and out.read_bytes()[:2] == b"PK"


def test_bad_inputs_are_clear(tmp_path):
    res = run("import", tmp_path / "nope.txt")
    assert res.exit_code == 2 and "文件不存在" in res.output and "Traceback" not in res.output
    bad = tmp_path / "r.pdf"
    bad.write_bytes(b"%PDF-1.4")
    res = run("import", bad)
    assert res.exit_code == 2 and "不是有效的 PDF" in res.output and "Traceback" not in res.output
    odd = tmp_path / "r.csv"
    odd.write_text("a,b")
    res = run("import", odd)
    assert res.exit_code == 2 and "不支持的文件类型" in res.output
    fake = tmp_path / "r.docx"
    fake.write_text("not a zip")
    res = run("import", fake)
    assert res.exit_code == 2 and "Word" in res.output
    empty = tmp_path / "e.txt"
    empty.write_text("")
    res = run("import", empty)
    assert res.exit_code == 2 and "为空" in res.output
    res = run("import", SEED, "-o", tmp_path / "x.csv")
    assert res.exit_code == 2 and ".json" in res.output


def test_text_without_tables_reports_missing(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("某某镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n很好。\n", "utf-8")
    res = run("import", p)
    assert res.exit_code == 1
    assert "原文中未找到表二" in res.output


def test_two_inputs_with_one_name_get_two_outputs(tmp_path):
    corpus = sorted((Path(__file__).parent / "fixtures" / "corpus" / "reports").glob("*.txt"))
    for year, src in (("2023", corpus[2]), ("2024", corpus[1])):
        (tmp_path / year).mkdir()
        (tmp_path / year / "报告.txt").write_bytes(src.read_bytes())
    out = tmp_path / "out"
    res = run("import", tmp_path / "2023" / "报告.txt", tmp_path / "2024" / "报告.txt", "-o", out)
    assert res.exit_code in (0, 1), res.output
    written = sorted(p.name for p in out.iterdir())
    assert written == ["2023-报告.json", "2024-报告.json"]
    units = {json.loads((out / n).read_text("utf-8"))["unit"] for n in written}
    assert len(units) == 2  # each report written once, under its own name
