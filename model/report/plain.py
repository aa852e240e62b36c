"""Plain names for the policy documents the model cites, and reader-facing text without internal codes.

The code, the scenario files and docs/RULES.md cite the five pilot documents by the project's
codes D1-D5 (their order in ``pilot-documents.zh.txt``) and the State Council documents as
``Guofa [year] number``. A report for a finance bureau names them in words instead:
``plain("D3 §4(五)", "zh")`` gives ``北碚区试点方案第四部分(五)``, ``plain("D1 Art. 20", "en")``
``the Qiannan measures, article 20``.

Titles as printed in the documents (checked against ``pilot-documents.zh.txt``; D3 and D4 give
no place in their titles: D3 names 北碚区 in its text, D4 names no county; D2's report is dated
2012-06-04, D1's notice 2011-09-02; the year of D3 is not printed, its scenario reads it as 2011).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Document:
    """One cited document: its internal code, short names for readers and full title."""
    code: str          # internal code: "D1" ... "D5", or "Guofa 2014 8"
    zh: str            # short name in running Chinese text
    en: str            # short name in running English text (with its article)
    zh_title: str      # the full title as printed
    en_title: str      # the full title in English
    year: int | None = None


DOCUMENTS: tuple[Document, ...] = (
    Document("D1", "黔南州试点办法", "the Qiannan measures",
             "《黔南州城乡居民社会养老保险试点管理办法》(黔南府办发〔2011〕110号)",
             "Qiannan Prefecture's management measures for the urban and rural residents' social "
             "pension insurance pilot (Qiannan Fubanfa [2011] No. 110)", 2011),
    Document("D2", "太和县准备情况汇报", "the Taihe preparation report",
             "《太和县城乡居民社会养老保险试点工作准备情况汇报》(2012年6月4日)",
             "Taihe County's report on the preparation of the residents' social pension pilot "
             "(4 June 2012)", 2012),
    Document("D3", "北碚区试点方案", "the Beibei pilot plan",
             "北碚区《城乡居民社会养老保险试点工作方案》",
             "Beibei District's work plan for the urban and rural residents' social pension "
             "insurance pilot", 2011),
    Document("D4", "某县试点工作汇报", "a county's progress report",
             "《城乡居民社会养老保险试点工作汇报》(某县)",
             "a county's progress report on the urban and rural residents' social pension "
             "insurance pilot", None),
    Document("D5", "丘北县试点工作总结", "the Qiubei pilot summary",
             "丘北县《城乡居民社会养老保险试点工作总结》",
             "Qiubei County's summary of its urban and rural residents' social pension insurance "
             "pilot", 2011),
    Document("Guofa 2005 38", "国发〔2005〕38号", "Guofa [2005] No. 38",
             "《国务院关于完善企业职工基本养老保险制度的决定》(国发〔2005〕38号)",
             "State Council decision on improving the enterprise employees' basic pension "
             "system (Guofa [2005] No. 38)", 2005),
    Document("Guofa 2009 32", "国发〔2009〕32号", "Guofa [2009] No. 32",
             "《国务院关于开展新型农村社会养老保险试点的指导意见》(国发〔2009〕32号)",
             "State Council guidance on the new rural social pension insurance pilot "
             "(Guofa [2009] No. 32)", 2009),
    Document("Guofa 2011 18", "国发〔2011〕18号", "Guofa [2011] No. 18",
             "《国务院关于开展城镇居民社会养老保险试点的指导意见》(国发〔2011〕18号)",
             "State Council guidance on the urban residents' social pension insurance pilot "
             "(Guofa [2011] No. 18)", 2011),
    Document("Guofa 2014 8", "国发〔2014〕8号", "Guofa [2014] No. 8",
             "《国务院关于建立统一的城乡居民基本养老保险制度的意见》(国发〔2014〕8号)",
             "State Council opinion on a unified basic pension insurance for urban and rural "
             "residents (Guofa [2014] No. 8)", 2014),
)
_BY_CODE = {d.code: d for d in DOCUMENTS}

# Parts of a pilot document: D1 has articles (第N条); the others numbered parts (一、二、...).
_UNIT = {"Art": ("第{n}条", "article", "articles"), "§": ("第{n}部分", "part", "parts")}

_CN_DIGITS = "零一二三四五六七八九"
_CN_ITEM = "一二三四五六七八九十"

_NUM = r"\d+(?:\s*[-–]\s*\d+)?(?:\([一二三四五六七八九十]+\)|\d+)*"
# one code: D1-D5, then articles or parts (several joined by commas), or nothing
_D_CODE = re.compile(
    r"(?<![A-Za-z0-9])D(?P<doc>[1-5])"
    r"(?:\s*(?P<unit>Arts?\.|§)\s*(?P<nums>" + _NUM + r"(?:\s*,\s*§?\s*" + _NUM + r"(?=\s*[,;:)(.]|\s*$))*))?"
    r"(?![A-Za-z0-9])")
_GUOFA = re.compile(r"Guofa\s*\[(\d{4})\]\s*(?:No\.\s*)?(\d+)((?:\s*,\s*\[\d{4}\]\s*(?:No\.\s*)?\d+)*)")
_GUOFA_MORE = re.compile(r"\[(\d{4})\]\s*(?:No\.\s*)?(\d+)")
_HAS_CODE = re.compile(r"(?<![A-Za-z0-9])D[1-5](?:\s*§|\s*Arts?\.|\s+\d)")
_HAS_BARE = re.compile(r"(?<![A-Za-z0-9])D[1-5](?![A-Za-z0-9])")


def _check_lang(lang: str) -> None:
    """None; raises ValueError for a language other than "zh" or "en"."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def chinese_number(n: int) -> str:
    """The Chinese numeral of a whole number 0..999 as used for article numbers: 20 -> 二十, 15 -> 十五."""
    if not 0 <= n <= 999:
        raise ValueError(f"chinese_number covers 0..999, got {n}")
    if n < 10:
        return _CN_DIGITS[n]
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = ""
    if hundreds:
        out += _CN_DIGITS[hundreds] + "百"
        if tens == 0 and ones:
            return out + "零" + _CN_DIGITS[ones]
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN_DIGITS[tens]) + "十"
    if ones:
        out += _CN_DIGITS[ones]
    return out


def document(code: str) -> Document:
    """The :class:`Document` of an internal code ("D3") or State Council number ("Guofa 2014 8")."""
    key = re.sub(r"\s+", " ", code.strip())
    m = _GUOFA.fullmatch(key) or re.fullmatch(r"Guofa (\d{4}) (\d+)", key)
    if m:
        key = f"Guofa {m.group(1)} {m.group(2)}"
    if key not in _BY_CODE:
        raise KeyError(f"no document with code {code!r}; known: {', '.join(_BY_CODE)}")
    return _BY_CODE[key]


def document_name(code: str, lang: str, full: bool = False) -> str:
    """The reader-facing name of a cited document: short (黔南州试点办法) or its full title."""
    _check_lang(lang)
    doc = document(code)
    if lang == "zh":
        return doc.zh_title if full else doc.zh
    return doc.en_title if full else doc.en


def _item_number(item: str, lang: str) -> str:
    """(五) -> (5) in English, kept in Chinese."""
    if lang == "zh":
        return item
    return re.sub(r"\(([一二三四五六七八九十]+)\)", lambda m: f"({_cn_small(m.group(1))})", item)


def _cn_small(cn: str) -> int:
    """一..九十九 as a number (the item numbers of a part)."""
    if "十" not in cn:
        return _CN_ITEM.index(cn) + 1
    tens, _, ones = cn.partition("十")
    return (_CN_ITEM.index(tens) + 1 if tens else 1) * 10 + (_CN_ITEM.index(ones) + 1 if ones else 0)


def _locator(unit: str, nums: str, lang: str) -> str:
    """Articles or parts of one document in words: "21(二)(三)" -> 第二十一条(二)(三) / article 21(2)(3)."""
    pattern, one, many = _UNIT["Art" if unit.startswith("Art") else "§"]
    items = [s.strip().lstrip("§").strip() for s in nums.split(",")]
    if lang == "zh":
        def word(item: str) -> str:
            """One article or part, or a range of them, in Chinese."""
            m = re.match(r"(\d+)(?:\s*[-–]\s*(\d+))?(.*)", item)
            first = pattern.format(n=chinese_number(int(m.group(1))))
            if m.group(2):
                return f"{first}至{pattern.format(n=chinese_number(int(m.group(2))))}{m.group(3)}"
            return first + m.group(3)
        return "、".join(word(i) for i in items)
    several = len(items) > 1 or re.match(r"\d+\s*[-–]", items[0]) is not None
    words = [re.sub(r"\s+", "", _item_number(i, lang)) for i in items]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{many if several else one} {listed}"


def _d_code(m: re.Match, lang: str) -> str:
    """The plain words for one matched pilot-document code."""
    doc = _BY_CODE["D" + m.group("doc")]
    name = doc.zh if lang == "zh" else _english_in_place(doc.en, m.string[:m.start()])
    if not m.group("unit"):
        return name
    where = _locator(m.group("unit"), m.group("nums"), lang)
    return name + where if lang == "zh" else f"{name}, {where}"


def _english_in_place(name: str, before: str) -> str:
    """An English name fitted to the text before it: no second "the", a capital at a sentence start."""
    if re.search(r"(?i)\bthe\s+$", before):
        return re.sub(r"^(?:the|a)\s+", "", name)
    if not before.strip() or re.search(r"[.!?]\s+$|\n\s*$", before):
        return name[:1].upper() + name[1:]
    return name


def _guofa(m: re.Match, lang: str) -> str:
    """The plain words for one matched run of State Council numbers."""
    numbers = [(m.group(1), m.group(2))] + _GUOFA_MORE.findall(m.group(3) or "")
    if lang == "zh":
        return "、".join(f"国发〔{y}〕{n}号" for y, n in numbers)
    names = [f"Guofa [{y}] No. {n}" for y, n in numbers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plain(text: str, lang: str) -> str:
    """``text`` with the internal document codes replaced by plain names in ``lang`` ("zh" or "en").

    "D3 §4(五)" -> 北碚区试点方案第四部分(五) / the Beibei pilot plan, part 4(5);
    "D1 Art. 20" -> 黔南州试点办法第二十条 / the Qiannan measures, article 20; a bare "D1" ->
    the document's short name; "Guofa [2014] 8" -> 国发〔2014〕8号 / Guofa [2014] No. 8.
    Text without codes is returned unchanged.
    """
    _check_lang(lang)
    if not text:
        return text
    out = _D_CODE.sub(lambda m: _d_code(m, lang), text)
    return _GUOFA.sub(lambda m: _guofa(m, lang), out)


def has_internal_code(text: str, bare: bool = False) -> bool:
    """Whether ``text`` holds a pilot-document code such as "D3 §4", "D1 Art. 20" or "D4 3".

    ``bare=True`` also counts a code standing alone ("the D1 rule set").
    """
    if not text:
        return False
    return bool((_HAS_BARE if bare else _HAS_CODE).search(text))


def codes_cited(text: str) -> list[str]:
    """The document codes ``text`` cites, in order of first mention: ["D5", "Guofa 2009 32", ...].

    Reads the internal codes (D1-D5, Guofa [year] number) and the Chinese numbers (国发〔2014〕8号).
    """
    found: list[tuple[int, str]] = []
    for m in _D_CODE.finditer(text or ""):
        found.append((m.start(), "D" + m.group("doc")))
    for m in _GUOFA.finditer(text or ""):
        numbers = [(m.group(1), m.group(2))] + _GUOFA_MORE.findall(m.group(3) or "")
        found.extend((m.start() + k / 100, f"Guofa {y} {n}") for k, (y, n) in enumerate(numbers))
    for m in re.finditer(r"国发〔(\d{4})〕(\d+)号", text or ""):
        found.append((m.start(), f"Guofa {m.group(1)} {m.group(2)}"))
    out: list[str] = []
    for _, code in sorted(found):
        if code not in out:
            out.append(code)
    return out
