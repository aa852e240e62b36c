"""Word (.docx) reports that county finance bureaus can edit and circulate.

A report notebook records what it shows as a list of *blocks* in reading order;
``write_docx`` turns them into an A4 portrait document with real Word styles
(Title, Heading 1/2, Caption), so an editor can restyle, renumber or paste it into
a bureau's own template. The block kinds (the contract with the notebooks)::

    {"kind": "title", "text": str, "subtitle": str | None}
    {"kind": "heading", "text": str, "level": 2 | 3}          # -> Word Heading 1 | Heading 2
    {"kind": "summary", "sentences": [str, ...]}
    {"kind": "key_figures", "items": [{"label": str, "text": str, "unit": str}, ...]}
    {"kind": "paragraph", "text": str}                        # **bold** spans, nothing else
    {"kind": "table", "title": str | None, "columns": [str], "rows": [[str]],
     "align": ["l" | "r", ...] | None, "note": str | None}    # cells already formatted
    {"kind": "image", "path": str, "title": str | None, "width_cm": float | None}
    {"kind": "page_break"}

Any other kind is a ValueError naming it: a notebook's new kind must be added here,
never silently dropped from a report that a bureau will circulate.

Heading levels follow the notebooks' markdown: ``#`` is the title, so ``##`` (level 2)
becomes Word's Heading 1 and ``###`` Heading 2, which gives Word's navigation pane a
clean outline. Chinese text needs an East Asian font named on every style
(``w:rFonts w:eastAsia``): python-docx only sets the Latin font, and the default
template's theme fonts would otherwise win. No model logic here.
"""
from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.image.image import Image as DocxImage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

# page (A4 portrait, ~2 cm margins): structural constants of the layout, not policy
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGIN_CM = 2.0
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM          # 17 cm
IMAGE_MAX_WIDTH_CM = 16.0
IMAGE_MAX_HEIGHT_CM = 21.0                            # leaves room for the caption and a heading

# fonts: Latin and East Asian families per role (Word maps the Chinese names on every
# Chinese Windows/macOS; LibreOffice substitutes an installed CJK font via fontconfig)
BODY_FONT = {"latin": "Times New Roman", "east_asia": "宋体"}      # SimSun
HEADING_FONT = {"latin": "Arial", "east_asia": "黑体"}             # SimHei
BODY_PT = 10.5                                                     # 五号
LANG_TAG = {"zh": "zh-CN", "en": "en-GB"}

TEXT_GREY = RGBColor(0x59, 0x59, 0x59)
BLACK = RGBColor(0, 0, 0)
HEADER_FILL = "D9E2F3"         # table header row
KEY_FILL = "EAF1FB"            # key-figure boxes
SUMMARY_FILL = "F2F2F2"

WORDS = {   # user-facing words: (中文, English)
    "summary": ("摘要", "Summary"),
    "note": ("注", "Note"),
    "page_before": ("第 ", "page "),
    "page_after": (" 页", ""),
}

REQUIRED = {   # kind -> keys a block must have (optional keys may be missing or None)
    "title": ("text",),
    "heading": ("text", "level"),
    "summary": ("sentences",),
    "key_figures": ("items",),
    "paragraph": ("text",),
    "table": ("columns", "rows"),
    "image": ("path",),
    "page_break": (),
}
HEADING_STYLE = {2: "Heading 1", 3: "Heading 2"}   # markdown level -> Word style

_BOLD_SPAN = re.compile(r"\*\*(.+?)\*\*", re.S)
_NUMBER_LIKE = re.compile(r"^[\s+\-−–(]*[¥$]?\d[\d,.\s]*(%|‰|倍|万|亿|x)?\)?$")


def write_docx(blocks: list[dict], path, *, lang: str, footer: str) -> Path:
    """The path of a Word document holding ``blocks`` in order, written atomically.

    A4 portrait, 2 cm margins; a footer with ``footer`` and the page number as a Word
    PAGE field ("第 X 页" / "page X"); core properties title (the first title block)
    and language. The file is written to a temporary name in the same folder and moved
    into place with ``os.replace``, so a reader never sees half a document.

    Raises ValueError for an unknown block kind, a missing key, a heading level other
    than 2 or 3, a table row whose length differs from the columns, or a bad ``lang``.
    """
    if lang not in LANG_TAG:
        raise ValueError(f"lang must be one of {sorted(LANG_TAG)}, not {lang!r}")
    for i, block in enumerate(blocks):
        _check_block(i, block)
    path = Path(path)
    doc = docx.Document()
    _setup_page(doc)
    _setup_styles(doc, lang)
    _setup_footer(doc, footer, lang)
    for block in blocks:
        RENDER[block["kind"]](doc, block, lang)
    titles = [b["text"] for b in blocks if b["kind"] == "title"]
    _set_core_properties(doc, title=titles[0] if titles else path.stem, lang=lang)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        doc.save(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# ---------------------------------------------------------------- checks
def _check_block(i: int, block: dict) -> None:
    """None; raises ValueError naming the block's position and what is wrong with it."""
    kind = block.get("kind") if isinstance(block, dict) else None
    if kind not in REQUIRED:
        raise ValueError(f"block {i}: unknown kind {kind!r}; write_docx knows {sorted(REQUIRED)}")
    missing = [k for k in REQUIRED[kind] if block.get(k) is None]
    if missing:
        raise ValueError(f"block {i} ({kind}): missing {', '.join(missing)}")
    if kind == "heading" and block["level"] not in HEADING_STYLE:
        raise ValueError(f"block {i} (heading): level must be 2 or 3, not {block['level']!r}")
    if kind == "table":
        n = len(block["columns"])
        bad = [r for r, row in enumerate(block["rows"]) if len(row) != n]
        if bad:
            raise ValueError(f"block {i} (table): row {bad[0]} has {len(block['rows'][bad[0]])} "
                             f"cells, the table has {n} columns")
        align = block.get("align")
        if align is not None and (len(align) != n or set(align) - {"l", "r"}):
            raise ValueError(f"block {i} (table): align must be {n} of 'l'/'r', not {align!r}")


# ---------------------------------------------------------------- page, styles, footer
def _setup_page(doc) -> None:
    """None; every section A4 portrait with ~2 cm margins."""
    for s in doc.sections:
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = Cm(MARGIN_CM)
        s.header_distance = s.footer_distance = Cm(1.0)


def _set_fonts(rpr, font: dict, lang: str) -> None:
    """None; ``rpr`` (a w:rPr) names the Latin and East Asian fonts, theme fonts removed.

    In Chinese, ambiguous characters (“”、：…) take the East Asian font (``w:hint``).
    """
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)      # a theme font would override the named one
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), font["latin"])
    fonts.set(qn("w:eastAsia"), font["east_asia"])
    if lang == "zh":
        fonts.set(qn("w:hint"), "eastAsia")


def _setup_styles(doc, lang: str) -> None:
    """None; Normal, headings, title, caption and footer styles with CJK fonts and sizes."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT, lang)
    tag = rpr.find(qn("w:lang"))
    tag.set(qn("w:val"), LANG_TAG[lang])
    tag.set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT, lang)
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.25

    for name, size, before, after in (("Title", 18, 0, 6), ("Subtitle", 12, 0, 12),
                                      ("Heading 1", 14, 14, 6), ("Heading 2", 12, 10, 4)):
        st = doc.styles[name]
        _set_fonts(st.element.get_or_add_rPr(), HEADING_FONT, lang)
        st.font.size = Pt(size)
        st.font.bold = name != "Subtitle"
        st.font.italic = False
        st.font.color.rgb = BLACK if name != "Subtitle" else TEXT_GREY
        pf = st.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.keep_with_next = True
        if name in ("Title", "Subtitle"):
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pbdr = st.element.get_or_add_pPr().find(qn("w:pBdr"))
            if pbdr is not None:                  # the default Title's blue rule
                pbdr.getparent().remove(pbdr)

    cap = doc.styles["Caption"]
    _set_fonts(cap.element.get_or_add_rPr(), HEADING_FONT, lang)
    cap.font.size, cap.font.bold, cap.font.italic = Pt(10), True, False
    cap.font.color.rgb = BLACK
    cap.paragraph_format.space_before, cap.paragraph_format.space_after = Pt(6), Pt(6)
    cap.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    foot = doc.styles["Footer"]
    foot.font.size = Pt(8)
    foot.font.color.rgb = TEXT_GREY


def _add_page_field(paragraph) -> None:
    """None; appends a PAGE field (fldChar begin / instrText / separate / 1 / end) to ``paragraph``."""
    def fld(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    def run_with(el):
        r = paragraph.add_run()
        r._r.append(el)
        return r

    run_with(fld("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run_with(instr)
    run_with(fld("separate"))
    paragraph.add_run("1")                       # shown until the reader updates fields
    run_with(fld("end"))


def _setup_footer(doc, text: str, lang: str) -> None:
    """None; the footer: ``text`` on the left, the page number on the right margin."""
    k = 0 if lang == "zh" else 1
    for s in doc.sections:
        p = s.footer.paragraphs[0]
        p.style = doc.styles["Footer"]
        p.paragraph_format.tab_stops.clear_all()
        p.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        p.add_run(text or "")
        p.add_run("\t" + WORDS["page_before"][k])
        _add_page_field(p)
        if WORDS["page_after"][k]:
            p.add_run(WORDS["page_after"][k])


def _set_core_properties(doc, *, title: str, lang: str) -> None:
    """None; title, language and dates set; the template's author and comment cleared."""
    cp = doc.core_properties
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cp.title = title
    cp.language = LANG_TAG[lang]
    cp.author = cp.last_modified_by = ""
    cp.comments = cp.subject = cp.keywords = ""
    cp.created = cp.modified = now
    cp.revision = 1


# ---------------------------------------------------------------- small helpers
# elements that must follow w:shd / w:tblBorders in their parent (ECMA-376 sequence order;
# Word rejects a file whose elements are out of order)
_AFTER_SHD_IN_TCPR = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                      "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")
_AFTER_SHD_IN_PPR = ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                     "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                     "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                     "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                     "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
                     "w:sectPr", "w:pPrChange")
_AFTER_BORDERS_IN_TBLPR = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                           "w:tblDescription", "w:tblPrChange")


def _shd(fill: str):
    """A w:shd element filling with the hex colour ``fill``."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    return shd


def _shade(cell, fill: str) -> None:
    """None; ``cell`` filled with the hex colour ``fill``."""
    cell._tc.get_or_add_tcPr().insert_element_before(_shd(fill), *_AFTER_SHD_IN_TCPR)


def _shade_paragraph(paragraph, fill: str) -> None:
    """None; ``paragraph`` with a background fill."""
    paragraph._p.get_or_add_pPr().insert_element_before(_shd(fill), *_AFTER_SHD_IN_PPR)


def _table_borders(table, *, color: str, size_eighths: int) -> None:
    """None; every border of ``table`` a single line of ``color``, ``size_eighths``/8 pt wide."""
    tblpr = table._tbl.tblPr
    old = tblpr.find(qn("w:tblBorders"))
    if old is not None:
        tblpr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), color)
        borders.append(el)
    tblpr.insert_element_before(borders, *_AFTER_BORDERS_IN_TBLPR)


def _fixed_layout(table) -> None:
    """None; ``table`` keeps the column widths given (w:tblLayout fixed, Word's autofit off)."""
    table.autofit = False


def _row_props(row, *, header: bool) -> None:
    """None; ``row`` never split across pages; a header row repeats on every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _compact(paragraph, *, align=None) -> None:
    """None; a table-cell paragraph: no spacing, single line, optional alignment."""
    pf = paragraph.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    if align is not None:
        pf.alignment = align


def _display_width(text: str) -> int:
    """Display width of ``text`` in half-em units: CJK (wide) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _add_marked_runs(paragraph, text: str) -> None:
    """None; ``text`` appended to ``paragraph`` with **bold** spans as bold runs.

    Only ``**…**`` is markup; an unpaired ``**`` and every other character stay literal.
    """
    for j, part in enumerate(_BOLD_SPAN.split(text)):
        if part:
            run = paragraph.add_run(part)
            run.bold = True if j % 2 else None


# ---------------------------------------------------------------- blocks
def _title(doc, block, lang) -> None:
    """None; appends the title (style Title) and its subtitle if any."""
    doc.add_paragraph(block["text"], style="Title")
    if block.get("subtitle"):
        doc.add_paragraph(block["subtitle"], style="Subtitle")


def _heading(doc, block, lang) -> None:
    """None; appends a heading: level 2 as Word's Heading 1, level 3 as Heading 2."""
    doc.add_paragraph(block["text"], style=HEADING_STYLE[block["level"]])


def _summary(doc, block, lang) -> None:
    """None; appends the summary as one shaded paragraph led by a bold "摘要：" / "Summary:"."""
    k = 0 if lang == "zh" else 1
    sep = "" if lang == "zh" else " "        # Chinese sentences end with 。 and need no space
    p = doc.add_paragraph()
    lead = p.add_run(WORDS["summary"][k] + ("：" if lang == "zh" else ": "))
    lead.bold = True
    _set_fonts(lead._r.get_or_add_rPr(), HEADING_FONT, lang)
    _add_marked_runs(p, sep.join(s.strip() for s in block["sentences"]))
    _shade_paragraph(p, SUMMARY_FILL)
    pf = p.paragraph_format
    pf.space_before, pf.space_after = Pt(6), Pt(12)
    pf.left_indent = pf.right_indent = Cm(0.2)


def _key_figures(doc, block, lang) -> None:
    """None; appends the key figures as shaded boxes, 2 or 3 a row: number + unit over the label."""
    items = block["items"]
    if not items:
        return
    per_row = 2 if len(items) in (1, 2, 4) else 3
    n_rows = -(-len(items) // per_row)
    table = doc.add_table(rows=n_rows, cols=per_row)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_layout(table)
    _table_borders(table, color="FFFFFF", size_eighths=24)   # white gaps between boxes
    width = Cm(TEXT_WIDTH_CM / per_row)
    for col in table.columns:
        col.width = width
    for r, row in enumerate(table.rows):
        _row_props(row, header=False)
        for c, cell in enumerate(row.cells):
            cell.width = width
            i = r * per_row + c
            if i >= len(items):
                continue
            item = items[i]
            _shade(cell, KEY_FILL)
            big = cell.paragraphs[0]
            _compact(big, align=WD_ALIGN_PARAGRAPH.CENTER)
            big.paragraph_format.space_before = Pt(6)
            num = big.add_run(str(item.get("text", "")))
            num.bold, num.font.size = True, Pt(18)
            if item.get("unit"):
                unit = big.add_run(" " + str(item["unit"]))
                unit.font.size = Pt(10)
            label = cell.add_paragraph()
            _compact(label, align=WD_ALIGN_PARAGRAPH.CENTER)
            label.paragraph_format.space_after = Pt(6)
            run = label.add_run(str(item.get("label", "")))
            run.font.size, run.font.color.rgb = Pt(9), TEXT_GREY
    doc.add_paragraph().paragraph_format.space_after = Pt(0)   # keeps the next table apart


def _paragraph(doc, block, lang) -> None:
    """None; appends a body paragraph, its **bold** spans bold."""
    _add_marked_runs(doc.add_paragraph(), block["text"])


def _table_font_pt(n_cols: int, n_rows: int) -> float:
    """Font size of a table's cells [pt]: smaller for wide or long tables."""
    if n_cols >= 7:
        return 8.0
    if n_cols >= 5 or n_rows > 30:
        return 9.0
    return 10.0


def _column_widths_cm(columns, rows, total_cm: float) -> list[float]:
    """Column widths [cm] summing to ``total_cm``, in proportion to each column's content."""
    need = []
    for j, head in enumerate(columns):
        longest = max([_display_width(str(r[j])) for r in rows] or [0])
        # a header wraps onto two or three lines, a cell should not
        # + 2: the cell's own margins, so that a year or a short number never wraps
        need.append(max(4, longest, min(_display_width(str(head)), 24) / 2) + 2)
    total = sum(need)
    return [total_cm * w / total for w in need]


def _guess_align(columns, rows) -> list[str]:
    """'r' for a column whose non-empty cells all look like numbers, else 'l'."""
    out = []
    for j in range(len(columns)):
        cells = [str(r[j]).strip() for r in rows if str(r[j]).strip() not in ("", "—", "-", "–")]
        out.append("r" if cells and all(_NUMBER_LIKE.match(c) for c in cells) else "l")
    return out


def _table(doc, block, lang) -> None:
    """None; appends a bordered table: its title above, bold header repeated on each page, note below.

    Alignment from ``align`` or, if None, right for columns that look numeric.
    """
    k = 0 if lang == "zh" else 1
    columns = [str(c) for c in block["columns"]]
    rows = [["" if v is None else str(v) for v in row] for row in block["rows"]]
    align = block.get("align") or _guess_align(columns, rows)
    halign = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT}
    size = Pt(_table_font_pt(len(columns), len(rows)))
    if block.get("title"):
        cap = doc.add_paragraph(block["title"], style="Caption")
        cap.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=len(rows) + 1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_layout(table)
    widths = [Cm(w) for w in _column_widths_cm(columns, rows, TEXT_WIDTH_CM)]
    for col, w in zip(table.columns, widths):
        col.width = w
    for r, row in enumerate(table.rows):
        is_head = r == 0
        _row_props(row, header=is_head)
        values = columns if is_head else rows[r - 1]
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
            p = cell.paragraphs[0]
            _compact(p, align=WD_ALIGN_PARAGRAPH.CENTER if is_head else halign[align[j]])
            run = p.add_run(values[j])
            run.font.size = size
            if is_head:
                run.bold = True
                _shade(cell, HEADER_FILL)
    if block.get("note"):
        p = doc.add_paragraph()
        run = p.add_run(f"{WORDS['note'][k]}{'：' if lang == 'zh' else ': '}{block['note']}")
        run.font.size, run.font.color.rgb = Pt(9), TEXT_GREY
        p.paragraph_format.space_before = Pt(3)
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _image(doc, block, lang) -> None:
    """None; appends a PNG centred, at most 16 cm wide (and 21 cm tall), its title below as a caption."""
    path = Path(block["path"])
    if not path.is_file():
        raise FileNotFoundError(f"image block: no file {path}")
    width_cm = min(float(block.get("width_cm") or IMAGE_MAX_WIDTH_CM), IMAGE_MAX_WIDTH_CM)
    img = DocxImage.from_file(str(path))
    if img.px_width and img.px_height:          # a tall picture: fit the page's height instead
        width_cm = min(width_cm, IMAGE_MAX_HEIGHT_CM * img.px_width / img.px_height)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = bool(block.get("title"))
    p.add_run().add_picture(str(path), width=Cm(width_cm))
    if block.get("title"):
        doc.add_paragraph(block["title"], style="Caption")   # figure captions go below (图题在下)


def _page_break(doc, block, lang) -> None:
    """None; appends a page break."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


RENDER = {"title": _title, "heading": _heading, "summary": _summary, "key_figures": _key_figures,
          "paragraph": _paragraph, "table": _table, "image": _image, "page_break": _page_break}
