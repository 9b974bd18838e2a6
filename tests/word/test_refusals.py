"""gxnb render never destroys work and never publishes a draft by accident: an existing output is
kept unless --force; a narrative holding 【请补充】/【系统草拟】 (or empty, so drafted) is refused
with the sections listed unless --draft (marked 草稿 on every page) or --force; a full or
read-only disk is a plain sentence."""
from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from docx import Document

from gxnb_xl.word import DRAFT_MARK, MARK

ROOT = Path(__file__).resolve().parents[2]
COUNTY = ROOT / "examples" / "county-2024"


from gxnb_cli import render as run  # noqa: E402


def _json(tmp_path, **narrative) -> Path:
    data = json.loads((COUNTY / "01-城关镇.json").read_text(encoding="utf-8"))
    data["narrative"].update(narrative)
    p = tmp_path / f"r-{uuid.uuid4().hex[:6]}.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def test_existing_output_kept_without_force(tmp_path):
    out = tmp_path / "城关镇.docx"
    assert run(COUNTY / "01-城关镇.json", "-o", out, "--html").exit_code == 0
    out.write_bytes(b"hand-polished")
    out.with_suffix(".html").write_text("edited", encoding="utf-8")
    res = run(COUNTY / "01-城关镇.json", "-o", out, "--html")
    assert res.exit_code == 2 and "已存在" in res.output and "--force" in res.output, res.output
    assert out.read_bytes() == b"hand-polished"
    assert out.with_suffix(".html").read_text(encoding="utf-8") == "edited"
    only_html = tmp_path / "only-html.docx"  # the .docx is new, its .html is not: nothing written
    only_html.with_suffix(".html").write_text("edited", encoding="utf-8")
    assert run(COUNTY / "01-城关镇.json", "-o", only_html, "--html").exit_code == 2
    assert not only_html.exists()
    res = run(COUNTY / "01-城关镇.json", "-o", out, "--html", "--force")
    assert res.exit_code == 0, res.output
    assert Document(str(out)).paragraphs  # a real document again
    out.chmod(0o444)  # read-only: still refused without --force, replaced with it
    assert run(COUNTY / "01-城关镇.json", "-o", out).exit_code == 2
    assert run(COUNTY / "01-城关镇.json", "-o", out, "--force").exit_code == 0


def test_existing_pdf_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "r.docx"
    out.with_suffix(".pdf").write_bytes(b"%PDF old")
    res = run(COUNTY / "01-城关镇.json", "-o", out, "--pdf")
    assert res.exit_code == 2 and "r.pdf" in res.output and not out.exists()
    assert out.with_suffix(".pdf").read_bytes() == b"%PDF old"


def test_output_folder_and_directory_named_plainly(tmp_path):
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path)
    assert res.exit_code == 2 and "Traceback" not in res.output and "Error" not in res.output
    (tmp_path / "d.docx").mkdir()
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "d.docx")
    assert res.exit_code == 2 and "文件夹" in res.output


def test_placeholders_refused_with_sections_listed(tmp_path):
    src = _json(tmp_path, problems="【请补充】本年度存在的问题。", other_matters="本年度收取信息处理费0元。【系统草拟】")
    out = tmp_path / "r.docx"
    res = run(src, "-o", out, "--pdf")
    assert res.exit_code == 1 and not out.exists() and not out.with_suffix(".pdf").exists()
    assert "五、存在的主要问题及改进情况" in res.output and "六、其他需要报告的事项" in res.output
    assert "一、总体情况" not in res.output.split("未生成")[-1]
    assert "--draft" in res.output
    res = run(src, "-o", out, "--draft", "--html")
    assert res.exit_code == 1 and out.exists(), res.output
    doc = Document(str(out))
    sec = doc.sections[0]
    for header in (sec.header, sec.even_page_header):
        assert DRAFT_MARK in header.paragraphs[0].text
    assert doc.paragraphs[0].text.startswith(f"【{DRAFT_MARK}】") and "五、存在的主要问题及改进情况" in doc.paragraphs[0].text
    assert MARK not in "".join(p.text for p in doc.paragraphs)  # a draft is not a failed check
    assert DRAFT_MARK in doc.core_properties.keywords
    assert DRAFT_MARK in out.with_suffix(".html").read_text(encoding="utf-8")


def test_empty_sections_would_be_drafted_so_refused_unless_draft(tmp_path):
    data = json.loads((COUNTY / "01-城关镇.json").read_text(encoding="utf-8"))
    data["narrative"] = {}
    src = tmp_path / "empty.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = run(src, "-o", tmp_path / "e.docx")
    assert res.exit_code == 1 and not (tmp_path / "e.docx").exists()
    assert "开头段落" in res.output and "一、总体情况" in res.output
    res = run(src, "-o", tmp_path / "e.docx", "--draft")
    assert res.exit_code == 1 and (tmp_path / "e.docx").exists() and "草拟" in res.output


def test_clean_narrative_renders_without_marks(tmp_path):
    res = run(COUNTY / "01-城关镇.json", "-o", tmp_path / "ok.docx")
    assert res.exit_code == 0, res.output
    doc = Document(str(tmp_path / "ok.docx"))
    assert all(DRAFT_MARK not in p.text for p in doc.sections[0].header.paragraphs)


def _mount_tmpfs(path: Path, opts: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if not shutil.which("mount"):
        return False
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True)
    return proc.returncode == 0


@pytest.fixture
def small_disks(tmp_path):
    full, ro = tmp_path / "full", tmp_path / "ro"
    if not _mount_tmpfs(full, "size=16k"):
        pytest.skip("cannot mount a small tmpfs here (needs root); the disk-full case is untested")
    mounted = [full]
    if _mount_tmpfs(ro, "ro,size=16k"):
        mounted.append(ro)
    yield full, (ro if ro in mounted else None)
    for m in mounted:
        subprocess.run(["umount", str(m)], capture_output=True)


def test_full_and_read_only_disk_are_plain_messages(small_disks):
    full, ro = small_disks
    res = run(COUNTY / "01-城关镇.json", "-o", full / "r.docx")
    assert res.exit_code == 2 and "磁盘空间已满" in res.output, res.output
    assert "内部错误" not in res.output and "Traceback" not in res.output
    assert list(full.iterdir()) == []  # no half-written temporary left
    if ro is not None:
        res = run(COUNTY / "01-城关镇.json", "-o", ro / "r.docx")
        assert res.exit_code == 2 and "只读" in res.output and "内部错误" not in res.output, res.output
