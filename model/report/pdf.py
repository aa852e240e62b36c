"""Printable PDFs of the HTML reports, and what a reader sees of them (screenshots, OCR).

The reports are HTML pages that nbconvert writes from the executed notebooks (code
hidden, figures embedded as base64). Headless Chromium prints them:

- :func:`print_pdf` prints one page to an A4 PDF. A print stylesheet is put into a
  temporary copy (the given file is never changed): A4 portrait, 16/15/18 mm margins,
  the ``footer`` text at the bottom left and "第 N 页 / 共 M 页" ("page N of M") at the
  bottom right of every page (CSS ``@page`` margin boxes, Chromium >= 131), Chromium's
  own header and footer (address, date) off. Rows, figures and blocks with class
  ``key-figures`` or ``summary`` are not cut; headings stay with what follows; class
  ``page-break`` starts a new page; the font stack begins with the installed CJK fonts
  (:data:`model.report.fonts.CJK_FAMILIES`) so that Chinese prints and is embedded.
- :func:`combine_html` joins several report pages behind a cover with a contents list;
  its PDF has continuous page numbers.
- :func:`pdf_pages`, :func:`pdf_fonts`, :func:`pdf_text` read a PDF back (poppler-utils);
  :func:`screenshot`, :func:`ocr`, :func:`ocr_contains` check the pixels (Tesseract).

Chromium comes from :func:`model.member.statement.chromium_run`. No model logic here.
System packages: ``scripts/system-deps.sh`` (chromium, fonts-wqy-microhei, poppler-utils,
tesseract-ocr-chi-sim).
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

from model.member.statement import _write_atomic, chromium_run, find_chromium
from model.report.fonts import CJK_FAMILIES

A4_WIDTH_PX = 794               # 210 mm at 96 CSS px per inch
MAX_SHOT_DEVICE_PX = 16384      # tallest screenshot taken (device pixels); longer pages are cut
MIN_SHOT_PX = 200               # lowest window: headless Chromium 156 draws a blank image below ~150 px
SHOT_SCALE = 2                  # device px per CSS px. OCR of the county_budget report's 29 Chinese labels:
                                # >= 0.8 matched 22 at scale 1, 24 at 2, 23 at 3 (exact 14, 17, 13)
OCR_MIN_RATIO = 0.8             # share of the wanted characters OCR must give back (see ocr_contains)

L = {
    "page": ('"第 " counter(page) " 页 / 共 " counter(pages) " 页"', '"page " counter(page) " of " counter(pages)'),
    "contents": ("目录", "Contents"),
}


def _t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (``zh``, else English)."""
    return L[key][0 if lang == "zh" else 1]


class PdfError(RuntimeError):
    """A PDF, screenshot or OCR step that could not run: one line naming the file and the cause."""


FONT_STACK = ", ".join(f'"{f}"' for f in CJK_FAMILIES) + ", sans-serif"

PRINT_CSS = """
@page {
  size: A4 portrait;
  margin: 16mm 15mm 18mm 15mm;
  @bottom-left { content: %(footer)s; font-family: %(fonts)s; font-size: 8pt; color: #4a5568;
                 vertical-align: top; padding-top: 4mm; }
  @bottom-right { content: %(page)s; font-family: %(fonts)s; font-size: 8pt; color: #4a5568;
                  vertical-align: top; padding-top: 4mm; white-space: nowrap; }
}
@media print {
  :root { --jp-content-font-family: %(fonts)s; --jp-ui-font-family: %(fonts)s;
          --jp-content-font-size1: 10pt; --jp-ui-font-size1: 8.5pt; --jp-notebook-padding: 0;
          --jp-cell-padding: 0; --jp-code-padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  html, body { margin: 0 !important; padding: 0 !important; background: white; }
  body, .jp-Notebook, .jp-RenderedHTMLCommon { font-family: %(fonts)s; }
  .jp-Notebook, .jp-Cell, main { padding: 0 !important; margin: 0 !important; overflow: visible !important; }
  .jp-Collapser, .jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt, .jp-OutputArea-prompt,
  a.anchor-link { display: none !important; }
  .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output {
    display: block !important; width: auto !important; overflow: visible !important; }
  .jp-RenderedHTMLCommon { padding-right: 0 !important; overflow: visible !important; }
  .jp-Cell.jp-mod-noOutputs { display: none !important; }
  ::-webkit-scrollbar { display: none; }
  img, svg, figure { max-width: 100%% !important; height: auto; }
  img, svg, figure, .jp-RenderedImage, .jp-RenderedSVG, tr, .key-figures, .summary {
    break-inside: avoid; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; break-inside: avoid; }   /* propagates out of the
     cell that holds the heading, since the wrappers above are blocks (checked: no heading was
     left at a page's foot as a filler above it grew line by line; without this rule 14 of 40) */
  .page-break { break-before: page; }
  p { orphans: 2; widows: 2; }
  table { max-width: 100%%; font-size: 8pt; }
  thead { display: table-header-group; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: 0.25em 0.5em; }
  .jp-RenderedHTMLCommon :is(td, th) { white-space: normal; overflow-wrap: break-word; }
  .jp-RenderedHTMLCommon table:has(tr > :nth-child(9)) { font-size: 7pt; }
  .jp-RenderedHTMLCommon table:has(tr > :nth-child(9)) :is(td, th) { padding: 0.2em 0.3em; }
  .jp-RenderedHTMLCommon table:has(tr > :nth-child(13)) { font-size: 6pt; }
  .jp-RenderedHTMLCommon table:has(tr > :nth-child(13)) :is(td, th) { padding: 0.15em 0.2em; }
}
"""

COMBINED_CSS = """
.report-cover { padding-top: 55mm; }
.report-cover h1 { font-size: 24pt; line-height: 1.3; margin-bottom: 6mm; }
.report-cover .report-subtitle { font-size: 12pt; color: #4a5568; margin-bottom: 18mm; }
.report-contents { font-size: 11pt; line-height: 2; }
.report-contents a { color: inherit; text-decoration: none; }
.page-break { break-before: page; }
"""


def _css_string(text: str) -> str:
    """``text`` as one CSS string literal: quotes and backslashes escaped, ``<`` too (it sits in <style>)."""
    one_line = " ".join(text.split())
    return '"' + one_line.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ") + '"'


def print_css(*, footer: str, lang: str = "zh") -> str:
    """The print stylesheet put into a page before printing (A4, margins, footer, page numbers)."""
    return PRINT_CSS % {"footer": _css_string(footer), "page": _t("page", lang), "fonts": FONT_STACK}


def _first_h1(page: str) -> str | None:
    """The text of the page's first <h1> without tags and the ``¶`` anchor, or None."""
    m = re.search(r"<h1\b[^>]*>(.*?)</h1>", page, re.S | re.I)
    if not m:
        return None
    text = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).replace("¶", "")
    return " ".join(text.split()) or None


def _with_head(page: str, head_html: str, title: str | None) -> str:
    """``page`` with ``head_html`` added at the end of <head> and the <title> replaced when given."""
    if title is not None:
        head_html = f"<title>{html.escape(title)}</title>\n{head_html}"
    m = re.search(r"</head\s*>", page, re.I)
    if m:
        head = page[:m.start()]
        if title is not None:          # the document's title only, not an inline SVG's <title>
            head = re.sub(r"<title\b[^>]*>.*?</title\s*>", "", head, flags=re.S | re.I)
        return head + head_html + page[m.start():]
    m = re.search(r"<body\b[^>]*>", page, re.I)
    at = m.start() if m else 0
    return page[:at] + f"<head>{head_html}</head>" + page[at:]


def _based_copy(html_path: Path, folder: Path, head_html: str, title: str | None = None) -> Path:
    """A copy of the page in ``folder`` whose links still resolve beside the original (<base href>)."""
    page = html_path.read_text(encoding="utf-8")
    base = f'<base href="{html.escape(html_path.resolve().parent.as_uri())}/">\n'
    m = re.search(r"<head\b[^>]*>", page, re.I)
    page = page[:m.end()] + base + page[m.end():] if m else base + page
    copy = folder / "page.html"
    copy.write_text(_with_head(page, head_html, title), encoding="utf-8")
    return copy


def _chromium(html_path: Path, flag: str, out: Path | None, what: str, **kw) -> subprocess.CompletedProcess:
    """The finished Chromium process; a one-line :class:`PdfError` naming ``what`` when it fails."""
    if find_chromium() is None:
        raise PdfError(f"cannot make {what}: Chromium is not installed (apt-get install chromium)")
    try:
        done = chromium_run(html_path, flag, out, **kw)
    except subprocess.TimeoutExpired:
        raise PdfError(f"cannot make {what}: Chromium did not finish in {kw.get('timeout', 60)} s") from None
    except subprocess.CalledProcessError as e:
        lines = [ln for ln in (e.stderr or b"").decode("utf-8", "replace").splitlines()
                 if ln.strip() and "dbus" not in ln.lower()]
        cause = lines[-1].strip() if lines else "no message"
        raise PdfError(f"cannot make {what}: Chromium failed (exit {e.returncode}: {cause})") from None
    if out is not None and (not out.exists() or out.stat().st_size == 0):
        raise PdfError(f"cannot make {what}: Chromium wrote nothing")
    return done


def print_pdf(html_path, pdf_path, *, footer: str, title: str | None = None, lang: str = "zh") -> Path:
    """The path of the A4 PDF printed from ``html_path``, with ``footer`` and page numbers on every page.

    ``title`` is the PDF's document title (default: the page's first heading). ``lang``
    picks "第 N 页 / 共 M 页" (``zh``) or "page N of M" (``en``). The given HTML file is
    not changed: the print stylesheet goes into a temporary copy. The PDF is written
    beside its place and moved in when complete. Raises :class:`PdfError` (one line)
    when Chromium is missing or fails.
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    if not html_path.is_file():
        raise PdfError(f"cannot print {html_path}: no such file")
    page = html_path.read_text(encoding="utf-8")
    if title is None:
        title = _first_h1(page)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as tmp:
        copy = _based_copy(html_path, Path(tmp), f"<style>{print_css(footer=footer, lang=lang)}</style>\n", title)
        _write_atomic(pdf_path, lambda out: _chromium(copy, "--print-to-pdf", out, f"{pdf_path} from {html_path}"))
    return pdf_path


_HEAD_ITEM = re.compile(r"<(style|script)\b[^>]*>.*?</\1\s*>|<meta\b[^>]*>|<link\b[^>]*>", re.S | re.I)


def _split_page(path: Path) -> tuple[list[str], str, str]:
    """(head items: <style>, <script>, <meta>, <link>; the <body> tag; the body's content) of a page."""
    page = path.read_text(encoding="utf-8")
    head = re.search(r"<head\b[^>]*>(.*?)</head\s*>", page, re.S | re.I)
    body = re.search(r"(<body\b[^>]*>)(.*)</body\s*>", page, re.S | re.I)
    if body is None:
        raise PdfError(f"cannot combine {path}: no <body> found")
    items = [m.group(0) for m in _HEAD_ITEM.finditer(head.group(1))] if head else []
    return items, body.group(1), body.group(2)


def combine_html(parts: list[tuple[str, Path]], out_html, *, title: str, subtitle: str, lang: str = "zh") -> Path:
    """The path of one HTML document: a cover (title, subtitle, contents) and each part on new pages.

    ``parts`` are (title for the contents, nbconvert report.html). Their <head> styles and
    scripts are taken once (identical blocks are kept once; the first part's come first),
    and each part's <body> content goes into ``<section class="report-part page-break">``.
    Images are embedded (base64) in nbconvert's pages, so the file stands alone.
    :func:`print_pdf` of it gives one PDF with continuous page numbers.
    """
    if not parts:
        raise ValueError("combine_html: no parts given")
    out_html = Path(out_html)
    head_items: list[str] = []
    body_tag, sections, contents = None, [], []
    for i, (part_title, path) in enumerate(parts, start=1):
        path = Path(path)
        if not path.is_file():
            raise PdfError(f"cannot combine {path}: no such file")
        items, tag, content = _split_page(path)
        head_items += [it for it in items if it not in head_items]
        body_tag = body_tag or tag
        anchor = f"report-part-{i}"
        contents.append(f'<li><a href="#{anchor}">{html.escape(part_title)}</a></li>')
        sections.append(f'<section class="report-part page-break" id="{anchor}">\n{content}\n</section>')
    e = html.escape
    doc = "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        '<head>\n<meta charset="utf-8"/>',
        f"<title>{e(title)}</title>",
        *[it for it in head_items if not re.match(r"<meta\b[^>]*charset", it, re.I)],
        f"<style>{COMBINED_CSS}</style>",
        "</head>",
        body_tag,
        '<section class="report-cover">',
        f"<h1>{e(title)}</h1>",
        f'<p class="report-subtitle">{e(subtitle)}</p>',
        f"<h2>{e(_t('contents', lang))}</h2>",
        f'<ol class="report-contents">{"".join(contents)}</ol>',
        "</section>",
        *sections,
        "</body>\n</html>\n",
    ])
    out_html.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(out_html, lambda tmp: tmp.write_text(doc, encoding="utf-8"))
    return out_html


def _poppler(tool: str, pdf, *options: str, dash: bool = False) -> str:
    """The standard output of a poppler-utils tool run on ``pdf``; a one-line :class:`PdfError` if it cannot run."""
    if shutil.which(tool) is None:
        raise PdfError(f"cannot read {pdf}: {tool} is not installed (apt-get install poppler-utils)")
    try:
        done = subprocess.run([tool, *options, str(pdf)] + (["-"] if dash else []),   # "-": to stdout
                              capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise PdfError(f"cannot read {pdf}: {tool} did not finish in 60 s") from None
    if done.returncode != 0:
        msg = [ln for ln in done.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        raise PdfError(f"cannot read {pdf}: {tool} failed ({msg[-1].strip() if msg else done.returncode})")
    return done.stdout.decode("utf-8", "replace")


def pdf_info(pdf) -> dict[str, str]:
    """The PDF's pdfinfo fields (``Pages``, ``Page size``, ``Title``, ...) as strings."""
    out = _poppler("pdfinfo", pdf)
    return {k.strip(): v.strip() for k, v in (ln.split(":", 1) for ln in out.splitlines() if ":" in ln)}


def pdf_pages(pdf) -> int:
    """The number of pages of the PDF (pdfinfo)."""
    return int(pdf_info(pdf)["Pages"])


def pdf_fonts(pdf) -> list[dict]:
    """The PDF's fonts as pdffonts lists them: name, type, encoding, emb, sub, uni (bools), object.

    Columns are cut where pdffonts' dashed rule puts them, since names and types hold spaces
    ("CID TrueType", "Type 3"). Chromium prints synthetic bold of a font without a bold face
    (WenQuanYi Micro Hei) as embedded Type 3 glyphs, name ``[none]``; they carry ToUnicode.
    """
    lines = _poppler("pdffonts", pdf).splitlines()
    rule = next((i for i, ln in enumerate(lines) if ln.startswith("---")), None)
    if rule is None:
        return []
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[rule])]
    keys = ["name", "type", "encoding", "emb", "sub", "uni", "object"]
    fonts = []
    for ln in lines[rule + 1:]:
        if not ln.strip():
            continue
        cells = [ln[a:b + 1].strip() if k < len(spans) - 1 else ln[a:].strip()
                 for k, (a, b) in enumerate(spans)]
        row = dict(zip(keys, cells))
        for k in ("emb", "sub", "uni"):
            row[k] = row.get(k) == "yes"
        fonts.append(row)
    return fonts


def pdf_text(pdf) -> str:
    """The PDF's text in reading order (pdftotext, UTF-8), pages separated by form feeds.

    Not ``-layout``: that mode pads table columns and the two footer boxes with runs of
    spaces and can interleave neighbouring columns; reading order keeps a paragraph's
    characters together, but still breaks lines inside a sentence — compare with
    :func:`normalise` on both sides.
    """
    return _poppler("pdftotext", pdf, "-enc", "UTF-8", dash=True)


def normalise(text: str) -> str:
    """``text`` without any whitespace, in Unicode NFKC form (full-width ``（，`` become ``(,``)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_height_px(html_path, *, width_px: int = A4_WIDTH_PX) -> int:
    """The page's full height [CSS px] when laid out ``width_px`` wide (Chromium, after it loads)."""
    html_path = Path(html_path)
    if not html_path.is_file():
        raise PdfError(f"cannot measure {html_path}: no such file")
    js = ("<script>addEventListener('load', () => document.documentElement.setAttribute("
          "'data-report-height', Math.ceil(document.documentElement.scrollHeight)));</script>\n")
    with tempfile.TemporaryDirectory(prefix="report-shot-") as tmp:
        copy = _based_copy(html_path, Path(tmp), js)
        # a low window: the height reported is the larger of the content's and the window's
        done = _chromium(copy, "--dump-dom", None, f"the height of {html_path}", size=f"{width_px},200")
    m = re.search(rb'data-report-height="(\d+)"', done.stdout)
    if m is None:
        raise PdfError(f"cannot measure {html_path}: the page did not report its height")
    return int(m.group(1))


def screenshot(html_path, png_path, *, width_px: int = A4_WIDTH_PX, height_px: int | None = None,
               scale: int = SHOT_SCALE) -> Path:
    """The path of a PNG of the page as a browser shows it, ``width_px`` wide, at ``scale`` device px per px.

    ``height_px`` None takes the whole page (measured by :func:`page_height_px`, one more
    Chromium start); the window is at least ``MIN_SHOT_PX`` high and at most
    ``MAX_SHOT_DEVICE_PX`` device pixels. The default 794 px is A4's width at 96 dpi;
    ``scale=2`` because Tesseract misreads more of the small (13-14 px) CJK of tables at 1,
    and no better at 3 (``SHOT_SCALE``).
    """
    html_path, png_path = Path(html_path), Path(png_path)
    if not html_path.is_file():
        raise PdfError(f"cannot take a screenshot of {html_path}: no such file")
    if height_px is None:
        height_px = page_height_px(html_path, width_px=width_px)
    height_px = max(MIN_SHOT_PX, min(height_px, MAX_SHOT_DEVICE_PX // scale))
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="report-shot-") as tmp:
        shot = Path(tmp) / "shot.png"          # Chromium picks the image format by the name's suffix
        _chromium(html_path, "--screenshot", shot, f"a screenshot of {html_path}", size=f"{width_px},{height_px}",
                  extra=(f"--force-device-scale-factor={scale}", "--hide-scrollbars"))
        _write_atomic(png_path, lambda out: shutil.copyfile(shot, out))
    return png_path


def ocr(png_path, lang: str = "chi_sim+eng") -> str:
    """The text Tesseract reads in the image (``lang``: its language packs, default Chinese + English).

    Chinese comes back with spaces between characters and a few characters dropped or
    confused; compare with :func:`ocr_contains`. Tesseract runs on one thread
    (``OMP_THREAD_LIMIT=1`` unless set): on a 2-core machine its OpenMP threads made a
    794x1850 px page at scale 2 take 19 s instead of 3.8 s.
    """
    png_path = Path(png_path)
    if shutil.which("tesseract") is None:
        raise PdfError(f"cannot read {png_path}: tesseract is not installed "
                       f"(apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
    if not png_path.is_file():
        raise PdfError(f"cannot read {png_path}: no such file")
    try:
        done = subprocess.run(["tesseract", str(png_path), "stdout", "-l", lang], capture_output=True, timeout=180,
                              env={**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")})
    except subprocess.TimeoutExpired:
        raise PdfError(f"cannot read {png_path}: tesseract did not finish in 180 s") from None
    if done.returncode != 0:
        msg = [ln for ln in done.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        raise PdfError(f"cannot read {png_path}: tesseract failed ({msg[-1] if msg else done.returncode})")
    return done.stdout.decode("utf-8", "replace")


def _squash(text: str) -> str:
    """``text`` as OCR is compared: NFKC, case-folded, without whitespace."""
    return normalise(text).casefold()


def ocr_match_ratio(text: str, wanted: str) -> float:
    """The share of ``wanted``'s characters [0..1] found in order in the best-matching stretch of ``text``.

    Both are compared without whitespace (NFKC, case-folded). A stretch is ``len(wanted)``
    plus a quarter (at least 2) characters long, so OCR's inserted characters fit in it;
    matched characters are difflib's matching blocks between the stretch and ``wanted``.
    """
    hay, need = _squash(text), _squash(wanted)
    if not need:
        return 1.0
    span = len(need) + max(2, len(need) // 4)
    chars = set(need)
    sm = SequenceMatcher(None, autojunk=False)
    sm.set_seq2(need)
    best = 0
    for i, ch in enumerate(hay):
        if ch not in chars:
            continue
        sm.set_seq1(hay[i:i + span])
        best = max(best, sum(b.size for b in sm.get_matching_blocks()))
        if best == len(need):
            break
    return best / len(need)


def ocr_contains(text: str, wanted: str, *, min_ratio: float = OCR_MIN_RATIO) -> bool:
    """Whether OCR ``text`` holds ``wanted`` up to OCR's usual errors (:func:`ocr_match_ratio` >= ``min_ratio``).

    The default 0.8 lets one character in five be dropped or misread (Tesseract's chi_sim
    confuses similar glyphs such as 己/已, 末/未 and drops some punctuation) while a
    different sentence of the same page, sharing only common characters, stays well below.
    A short ``wanted`` (4 characters or fewer) must come back whole.
    """
    return ocr_match_ratio(text, wanted) >= min_ratio
