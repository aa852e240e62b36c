"""Report PDFs: A4, footer and page numbers on every page, Chinese embedded; what OCR reads back."""
import hashlib
import shutil
from pathlib import Path

import pytest

from model.member.statement import find_chromium
from model.report import pdf as P
from model.report.fonts import CJK_FAMILIES

needs_chromium = pytest.mark.skipif(
    find_chromium() is None or shutil.which("pdffonts") is None,
    reason="needs Debian chromium and poppler-utils (scripts/system-deps.sh)")
needs_tesseract = pytest.mark.skipif(
    find_chromium() is None or shutil.which("tesseract") is None,
    reason="needs Debian chromium and tesseract-ocr-chi-sim (scripts/system-deps.sh)")

TITLE = "黔南州城乡居民养老保险财政补贴测算"
SUMMARY = "到2030年,县级财政每年需要补贴约三千万元,其中基础养老金占八成。"
FOOTER = "黔南州 · scenario qiannan_2011 · 2026-12-05"
ROWS = 120          # 120 rows of 8 pt: about 3 A4 pages


def long_page(path: Path) -> Path:
    """A hand-written report page: Chinese title, summary sentence, a long table, an appendix on its own page."""
    rows = "".join(f"<tr><td>{2011 + i}</td><td>第{i + 1}行</td><td>{(i + 1) * 1234:,}</td></tr>"
                   for i in range(ROWS))
    path.write_text(f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>x</title></head>
<body><h1>{TITLE}</h1>
<div class="key-figures"><p class="summary">{SUMMARY}</p></div>
<h2>逐年测算</h2>
<table><thead><tr><th>年份</th><th>行</th><th>县级财政支出(元)</th></tr></thead><tbody>{rows}</tbody></table>
<h2 class="page-break">附录:数据来源</h2><p>人口数据来自统计年鉴。</p>
</body></html>""", encoding="utf-8")
    return path


def short_page(path: Path) -> Path:
    """A one-page report: Chinese title and one sentence in large enough type to OCR."""
    path.write_text("""<!DOCTYPE html><html><head><meta charset="utf-8"><title>y</title>
<style>body { font-size: 15px; }</style></head>
<body><h1>城乡居民养老保险基金测算摘要</h1><p class="summary">个人账户养老金按账户储存额除以139计发。</p>
</body></html>""", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    html = long_page(folder / "report.html")
    before = hashlib.sha256(html.read_bytes()).hexdigest()
    pdf = P.print_pdf(html, folder / "out" / "report.pdf", footer=FOOTER)
    return html, pdf, before


# ---- without Chromium ---------------------------------------------------------------------------

def test_normalise_removes_whitespace_and_full_width_forms():
    # pdftotext breaks lines inside a sentence; the PDF has "," where the source had ","
    assert P.normalise("县级财政\n每年 需要补贴,约\t三千万元") == "县级财政每年需要补贴,约三千万元"


def test_ocr_tolerates_dropped_and_confused_characters_up_to_one_in_five():
    wanted = "个人账户养老金按账户储存额除以139计发"        # 20 characters
    ocr = "人 账 户 养 老 金 按 账 户 储 存 额 除 以 l39 计 发\n其他文字"  # 个 dropped, 1 read as l: 18/20
    assert P.ocr_match_ratio(ocr, wanted) == pytest.approx(18 / 20)
    assert P.ocr_contains(ocr, wanted)                      # 0.9 >= 0.8
    assert not P.ocr_contains(ocr, wanted, min_ratio=0.95)
    # a different sentence on the same subject shares only common characters: far below 0.8
    assert P.ocr_match_ratio(ocr, "基础养老金由政府全额支付") < 0.5
    assert P.ocr_contains("基础养老", "基础养老金")           # 4 of 5 = 0.8
    assert not P.ocr_contains("基础养", "基础养老")           # 3 of 4 = 0.75: short text must be (nearly) whole


def test_footer_is_one_escaped_css_string():
    css = P.print_css(footer='a "b" \\ </style>\nc', lang="en")
    assert 'content: "a \\"b\\" \\\\ \\3C /style> c"' in css
    assert '"page " counter(page) " of " counter(pages)' in css
    assert '"第 " counter(page) " 页 / 共 " counter(pages) " 页"' in P.print_css(footer="x")
    assert '"WenQuanYi Micro Hei"' in P.FONT_STACK and "size: A4 portrait" in css


def test_combined_html_has_a_cover_with_contents_and_each_part_on_a_new_page(tmp_path):
    a, b = long_page(tmp_path / "a.html"), short_page(tmp_path / "b.html")
    out = P.combine_html([("财政补贴", a), ("基金摘要", b)], tmp_path / "all.html",
                         title="黔南州测算报告", subtitle="2026-12-05", lang="zh")
    doc = out.read_text(encoding="utf-8")
    assert doc.count("<body") == 1 and doc.count("<head>") == 1 and "<title>黔南州测算报告</title>" in doc
    assert '<a href="#report-part-1">财政补贴</a>' in doc and '<a href="#report-part-2">基金摘要</a>' in doc
    assert doc.count('class="report-part page-break"') == 2 and "<h2>目录</h2>" in doc
    assert TITLE in doc and "城乡居民养老保险基金测算摘要" in doc
    assert doc.count("body { font-size: 15px; }") == 1          # head styles taken once


def test_missing_chromium_is_one_line_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(P, "find_chromium", lambda: None)
    html = short_page(tmp_path / "r.html")
    with pytest.raises(P.PdfError, match=r"r\.html.*Chromium is not installed") as e:
        P.print_pdf(html, tmp_path / "r.pdf", footer="x")
    assert "\n" not in str(e.value) and not (tmp_path / "r.pdf").exists()
    with pytest.raises(P.PdfError, match="nope.html: no such file"):
        P.print_pdf(tmp_path / "nope.html", tmp_path / "r.pdf", footer="x")


def test_pdffonts_columns_are_cut_at_the_rule(monkeypatch):
    out = """name                                 type              encoding         emb sub uni object ID
------------------------------------ ----------------- ---------------- --- --- --- ---------
AAAAAA+WenQuanYiMicroHei             CID TrueType      Identity-H       yes yes yes      4  0
[none]                               Type 3            Custom           yes no  yes      7  0
"""
    monkeypatch.setattr(P, "_poppler", lambda *a, **k: out)
    fonts = P.pdf_fonts("x.pdf")
    assert fonts[0] == {"name": "AAAAAA+WenQuanYiMicroHei", "type": "CID TrueType", "encoding": "Identity-H",
                        "emb": True, "sub": True, "uni": True, "object": "4  0"}
    assert fonts[1]["type"] == "Type 3" and fonts[1]["emb"] and not fonts[1]["sub"]


# ---- with Chromium ------------------------------------------------------------------------------

@needs_chromium
@pytest.mark.slow
def test_pdf_is_a4_with_footer_and_page_numbers_on_every_page(printed):
    html, pdf, before = printed
    assert hashlib.sha256(html.read_bytes()).hexdigest() == before      # the given page is not changed
    info = P.pdf_info(pdf)
    w, _, h = info["Page size"].split()[:3]
    assert float(w) == pytest.approx(595.28, abs=1) and float(h) == pytest.approx(841.89, abs=1)  # 210 x 297 mm
    assert info["Title"] == TITLE                                        # the first heading
    n = P.pdf_pages(pdf)
    assert 3 <= n <= 5                       # title, 120 rows of 8 pt (~55 a page), the appendix on its own
    pages = [P.normalise(t) for t in P.pdf_text(pdf).split("\f")[:n]]
    for i, text in enumerate(pages, start=1):
        assert P.normalise(FOOTER) in text and f"第{i}页/共{n}页" in text, (i, text[-80:])
    assert P.normalise(SUMMARY) in pages[0] and P.normalise(TITLE) in pages[0]
    assert pages[-1].startswith("附录:数据来源")                        # class page-break: a new page
    assert all(text.startswith("年份行县级财政支出(元)") for text in pages[1:-1])   # the header repeats


@needs_chromium
@pytest.mark.slow
def test_pdf_fonts_are_all_embedded_and_chinese_is_one_of_them(printed):
    fonts = P.pdf_fonts(printed[1])
    assert fonts and all(f["emb"] for f in fonts), fonts
    names = " ".join(f["name"] for f in fonts)
    assert any(fam.replace(" ", "") in names for fam in CJK_FAMILIES), names


@needs_chromium
@pytest.mark.slow
def test_combined_pdf_has_cover_both_parts_and_continuous_page_numbers(printed, tmp_path):
    html, pdf, _ = printed
    b = short_page(tmp_path / "b.html")
    both = P.combine_html([("财政补贴测算", html), ("基金测算摘要", b)], tmp_path / "all.html",
                          title="黔南州测算报告", subtitle="scenario qiannan_2011", lang="en")
    out = P.print_pdf(both, tmp_path / "all.pdf", footer=FOOTER, lang="en")
    n = P.pdf_pages(out)
    assert n == 1 + P.pdf_pages(pdf) + 1                                 # cover, part 1, part 2 (one page)
    pages = [P.normalise(t) for t in P.pdf_text(out).split("\f")[:n]]
    assert "黔南州测算报告" in pages[0] and "Contents" in pages[0] and "基金测算摘要" in pages[0]
    assert pages[1].startswith(P.normalise(TITLE)) and pages[-1].startswith("城乡居民养老保险基金测算摘要")
    for i, text in enumerate(pages, start=1):
        assert f"page{i}of{n}" in text, (i, text[-60:])


@needs_tesseract
@pytest.mark.slow
def test_screenshot_and_ocr_read_the_chinese_title_and_sentence(tmp_path):
    page = short_page(tmp_path / "b.html")
    png = P.screenshot(page, tmp_path / "shot" / "b.png")                # whole page, measured
    from PIL import Image
    assert Image.open(png).size == (2 * 794, 2 * P.MIN_SHOT_PX)         # ~110 px of page: the lowest window
    text = P.ocr(png)
    assert P.ocr_contains(text, "城乡居民养老保险基金测算摘要"), text
    assert P.ocr_contains(text, "个人账户养老金按账户储存额除以139计发。"), text
    assert not P.ocr_contains(text, "基础养老金由政府全额支付"), text
