"""Round trip: gxnb render's docx/HTML of a random report imports back to the same report."""
import importlib.util
import random

import pytest

from gxnb_xl.importer import import_file
from gxnb_xl.testing.published import narrative_for
from gxnb_xl.testing.synth import random_report

HAVE_WORD = importlib.util.find_spec("gxnb_xl.word") is not None
pytestmark = pytest.mark.skipif(not HAVE_WORD, reason="gxnb_xl.word (gxnb render) is not in this tree yet")


def _report(seed, fmt):
    rng = random.Random(seed)
    rep = random_report(rng, fmt, unit="示例县某某镇人民政府", busy=rng.choice((0.1, 0.5, 0.9)))
    rep.narrative = narrative_for(rep.year)
    return rep


def _same(got, rep):
    assert (got.format, got.unit, got.year) == (rep.format, rep.unit, rep.year)
    assert got.values == rep.values
    for key, text in rep.narrative.items():
        assert got.narrative.get(key, "").strip() == text.strip(), key


@pytest.mark.parametrize("seed,fmt", [(s, f) for s in range(4) for f in ("2021", "2019")])
def test_render_docx_and_html_import_back(tmp_path, seed, fmt):
    from gxnb_xl.word import render_report
    rep = _report(seed, fmt)
    out = tmp_path / "r.docx"
    render_report(rep, out, html=True)
    _same(import_file(out).report, rep)
    html = out.with_suffix(".html")
    if not html.exists():
        from gxnb_xl.word import render_html
        html.write_text(render_html(rep), "utf-8")
    _same(import_file(html).report, rep)
