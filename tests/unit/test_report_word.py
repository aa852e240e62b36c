"""Tests of model/report/word.py: every block kind written, reopened with python-docx."""
import shutil
import subprocess
import time

import pytest

docx = pytest.importorskip("docx")
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm  # noqa: E402

from model.report.word import write_docx  # noqa: E402

COLUMNS = ["年份", "参保人数(人)", "基础养老金支出(元)", "县级财政支出(元)", "占比"]


def _png(tmp_path):
    """A small PNG drawn with matplotlib (Agg, no display)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=60)
    ax.plot([2025, 2026, 2027], [1.0, 1.5, 1.2])
    path = tmp_path / "fig.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def _blocks(png):
    rows = [[str(2025 + i), f"{120_000 + 37 * i:,}", f"{8_000_000.5 + 1000 * i:,.2f}",
             f"{1_234_567 + i:,}", f"{12.5 + i / 10:.1f}%"] for i in range(40)]
    return [
        {"kind": "title", "text": "黔南县城乡居民养老保险精算报告", "subtitle": "基准方案 · 2025—2064"},
        {"kind": "summary", "sentences": ["2026年县级财政需支出1,234万元。", "基金可支付至2041年。"]},
        {"kind": "key_figures", "items": [
            {"label": "2026年县级财政支出", "text": "1,234.5", "unit": "万元"},
            {"label": "参保人数", "text": "120,000", "unit": "人"},
            {"label": "60岁平均月养老金", "text": "213.07", "unit": "元/月"}]},
        {"kind": "heading", "text": "一、财政支出", "level": 2},
        {"kind": "heading", "text": "(一) 分级负担", "level": 3},
        {"kind": "paragraph", "text": "县级财政负担**逐年上升**，需提前安排预算。"},
        {"kind": "table", "title": "表1 逐年测算结果", "columns": COLUMNS, "rows": rows,
         "align": None, "note": "金额按当年价格计算。"},
        {"kind": "page_break"},
        {"kind": "image", "path": str(png), "title": "图1 县级财政支出", "width_cm": None},
    ]


@pytest.fixture
def written(tmp_path):
    path = write_docx(_blocks(_png(tmp_path)), tmp_path / "report.docx", lang="zh",
                      footer="黔南县财政局 · 基准方案")
    return path, docx.Document(str(path))


def test_every_block_kind_is_in_the_document(written):
    path, doc = written
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "黔南县城乡居民养老保险精算报告" in text and "基准方案 · 2025—2064" in text
    assert "摘要" in text and "2026年县级财政需支出1,234万元。" in text          # the summary
    assert "一、财政支出" in text and "(一) 分级负担" in text
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles["一、财政支出"] == "Heading 1" and styles["(一) 分级负担"] == "Heading 2"
    assert len(doc.inline_shapes) == 1                                            # the image
    assert "图1 县级财政支出" in text and "表1 逐年测算结果" in text
    assert not list(path.parent.glob(".*tmp*"))                                   # written atomically


def test_key_figures_are_a_table_of_shaded_boxes(written):
    _, doc = written
    boxes = doc.tables[0]
    cells = [c.text for row in boxes.rows for c in row.cells]
    assert any("1,234.5" in c and "万元" in c and "县级财政支出" in c for c in cells)
    assert any("213.07" in c for c in cells)
    assert boxes._tbl.find(".//" + qn("w:shd")) is not None


def test_table_header_repeats_and_numbers_align_right(written):
    _, doc = written
    table = doc.tables[1]
    assert len(table.rows) == 41                                                  # header + 40 rows
    assert [c.text for c in table.rows[0].cells] == COLUMNS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None             # repeated per page
    assert all(r.bold for r in table.rows[0].cells[0].paragraphs[0].runs)
    assert table.cell(3, 1).text == "120,074"                                     # 120,000 + 37 x 2
    assert table.cell(3, 1).paragraphs[0].alignment == 2                          # RIGHT (guessed)
    assert sum(c.width for c in table.rows[1].cells) == pytest.approx(Cm(17), rel=1e-3)
    assert "注：金额按当年价格计算。" in "\n".join(p.text for p in doc.paragraphs)


def test_bold_markdown_spans_become_bold_runs(written):
    _, doc = written
    para = next(p for p in doc.paragraphs if "逐年上升" in p.text)
    assert para.text == "县级财政负担逐年上升，需提前安排预算。"                      # no asterisks left
    assert [(r.text, bool(r.bold)) for r in para.runs] == [
        ("县级财政负担", False), ("逐年上升", True), ("，需提前安排预算。", False)]


def test_page_is_a4_portrait_with_a_page_field_in_the_footer(written):
    _, doc = written
    s = doc.sections[0]
    assert (s.page_width.twips, s.page_height.twips) == (11906, 16838)           # Word's A4
    assert s.left_margin.cm == pytest.approx(2, abs=0.01) and s.right_margin.cm == pytest.approx(2, abs=0.01)
    foot = s.footer.paragraphs[0]
    assert "黔南县财政局" in foot.text and "第 " in foot.text and " 页" in foot.text
    instr = [e.text for e in foot._p.iter(qn("w:instrText"))]
    assert [t.strip() for t in instr] == ["PAGE"]


def test_chinese_fonts_and_core_properties(written):
    _, doc = written
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体" and fonts.get(qn("w:ascii")) == "Times New Roman"
    head = doc.styles["Heading 1"].element.rPr.rFonts
    assert head.get(qn("w:eastAsia")) == "黑体" and head.get(qn("w:asciiTheme")) is None
    assert doc.core_properties.title == "黔南县城乡居民养老保险精算报告"
    assert doc.core_properties.language == "zh-CN"
    assert doc.core_properties.author == ""


def test_english_footer_says_page(tmp_path):
    path = write_docx([{"kind": "paragraph", "text": "plain"}], tmp_path / "en.docx",
                      lang="en", footer="Qiannan county")
    foot = docx.Document(str(path)).sections[0].footer.paragraphs[0].text
    assert foot.startswith("Qiannan county") and "page 1" in foot


def test_unknown_kind_raises_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="'chart'"):
        write_docx([{"kind": "paragraph", "text": "x"}, {"kind": "chart", "data": []}],
                   tmp_path / "x.docx", lang="zh", footer="")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("block, message", [
    ({"kind": "heading", "text": "x", "level": 1}, "level must be 2 or 3"),
    ({"kind": "table", "columns": ["a", "b"], "rows": [["1"]]}, "row 0 has 1 cells"),
    ({"kind": "paragraph"}, "missing text"),
])
def test_malformed_blocks_raise(tmp_path, block, message):
    with pytest.raises(ValueError, match=message):
        write_docx([block], tmp_path / "x.docx", lang="zh", footer="")


def test_an_existing_file_is_replaced_whole(tmp_path):
    path = tmp_path / "r.docx"
    path.write_bytes(b"old")
    write_docx([{"kind": "paragraph", "text": "new"}], path, lang="zh", footer="f")
    assert docx.Document(str(path)).paragraphs[0].text == "new"


def test_a_six_block_document_takes_well_under_a_second(tmp_path):
    blocks = _blocks(_png(tmp_path))[:6]
    start = time.perf_counter()
    write_docx(blocks, tmp_path / "six.docx", lang="zh", footer="f")
    assert time.perf_counter() - start < 2.0           # ~0.05 s measured; generous for slow CI


@pytest.mark.slow   # starts LibreOffice
@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice not installed")
def test_libreoffice_converts_it_to_pdf(written, tmp_path):
    path, _ = written
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    out = tmp_path / "pdf"
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    assert (out / "report.pdf").stat().st_size > 1000
