"""Plain names for the cited documents (model/report/plain.py), with hand-written expected text."""
import pytest

from model.report.plain import (DOCUMENTS, chinese_number, codes_cited, document_name, has_internal_code,
                                plain)


@pytest.mark.parametrize("text, zh, en", [
    ("D3 §4(五)", "北碚区试点方案第四部分(五)", "The Beibei pilot plan, part 4(5)"),
    ("D1 Art. 20", "黔南州试点办法第二十条", "The Qiannan measures, article 20"),
    ("see D4 §3", "see 某县试点工作汇报第三部分", "see a county's progress report, part 3"),
    ("(D1 Art. 21(二)(三))", "(黔南州试点办法第二十一条(二)(三))", "(the Qiannan measures, article 21(2)(3))"),
    ("(D1 Art. 6-24)", "(黔南州试点办法第六条至第二十四条)", "(the Qiannan measures, articles 6-24)"),
    ("(D1 Art. 9, 32 (county))", "(黔南州试点办法第九条、第三十二条 (county))",
     "(the Qiannan measures, articles 9 and 32 (county))"),
    ("(D3 §6(一)2, §8(一): binding)", "(北碚区试点方案第六部分(一)2、第八部分(一): binding)",
     "(the Beibei pilot plan, parts 6(1)2 and 8(1): binding)"),
    ("(D5 §2(三)4)", "(丘北县试点工作总结第二部分(三)4)", "(the Qiubei pilot summary, part 2(3)4)"),
    ("Guofa [2014] 8", "国发〔2014〕8号", "Guofa [2014] No. 8"),
    ("(Guofa [2009] 32, [2011] 18)", "(国发〔2009〕32号、国发〔2011〕18号)",
     "(Guofa [2009] No. 32 and Guofa [2011] No. 18)"),
    ("the Guofa [2005] No. 38 table", "the 国发〔2005〕38号 table", "the Guofa [2005] No. 38 table"),
    ("the D1 rule set", "the 黔南州试点办法 rule set", "the Qiannan measures rule set"),
    ("(D2)", "(太和县准备情况汇报)", "(the Taihe preparation report)"),
])
def test_codes_become_plain_names(text, zh, en):
    assert plain(text, "zh") == zh
    assert plain(text, "en") == en
    assert not has_internal_code(plain(text, "zh"), bare=True)
    assert not has_internal_code(plain(text, "en"), bare=True)


@pytest.mark.parametrize("text", ["", "no codes here: 10 % of ID1, D10, D6 §1", "国发〔2014〕8号", "RULES.md §9"])
def test_text_without_codes_is_unchanged(text):
    assert plain(text, "zh") == text and plain(text, "en") == text
    assert not has_internal_code(text)


def test_a_list_number_is_not_read_as_an_article():
    # "D1 Art. 7, 12 tiers": 12 is a count of tiers, not article 12
    assert plain("D1 Art. 7, 12 tiers", "en") == "The Qiannan measures, article 7, 12 tiers"


@pytest.mark.parametrize("text, found", [
    ("D3 §4", True), ("D1 Art. 20", True), ("D1 Arts. 7-9", True), ("D4 3", True), ("D5§1", True),
    ("the D1 rule set", False), ("ID3 §4", False), ("D6 §1", False), ("黔南州试点办法第二十条", False),
])
def test_has_internal_code(text, found):
    assert has_internal_code(text) is found


def test_a_bare_code_counts_only_when_asked():
    assert not has_internal_code("黔南州 (D1, 2011)")
    assert has_internal_code("黔南州 (D1, 2011)", bare=True)


def test_chinese_numbers_of_articles():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 24, 37, 100, 101, 110)] == \
        ["一", "十", "十一", "二十", "二十四", "三十七", "一百", "一百零一", "一百一十"]


def test_document_table_names_each_document_in_both_languages():
    assert document_name("D1", "zh") == "黔南州试点办法"
    assert document_name("D1", "en") == "the Qiannan measures"
    assert document_name("D1", "zh", full=True) == "《黔南州城乡居民社会养老保险试点管理办法》(黔南府办发〔2011〕110号)"
    assert document_name("Guofa [2014] 8", "zh", full=True).startswith("《国务院关于建立统一的城乡居民基本养老保险制度的意见》")
    assert document_name("Guofa 2009 32", "en") == "Guofa [2009] No. 32"
    assert {d.code for d in DOCUMENTS} >= {"D1", "D2", "D3", "D4", "D5", "Guofa 2014 8"}
    for d in DOCUMENTS:
        assert not has_internal_code(d.zh + d.en + d.zh_title + d.en_title, bare=True)
    with pytest.raises(KeyError):
        document_name("D9", "en")
    with pytest.raises(ValueError):
        plain("D1", "de")


def test_codes_cited_in_order_of_first_mention():
    assert codes_cited("D5 §1-2; national tiers (Guofa [2009] 32, [2011] 18); D1 Art. 8") == \
        ["D5", "Guofa 2009 32", "Guofa 2011 18", "D1"]
    assert codes_cited("全国城乡居民基本养老保险 (国发〔2014〕8号)") == ["Guofa 2014 8"]
