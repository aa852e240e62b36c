"""Tests of write_workbook's contents sheet (model/report/tables.py): the first sheet says
what every other sheet holds, in which units, and how the run was made."""
import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from model.report.tables import write_workbook  # noqa: E402

SHEETS = {
    "budget": pd.DataFrame({"year": [2025, 2026], "county_cost_per_member": [10.5, 11.0],
                            "registered": [1000, 1010], "change": [0.01, 0.02]}),
    "adequacy": pd.DataFrame({"province": ["贵州", "云南"], "avg_pension_at_60": [210.0, 215.5]}),
    "notes": pd.DataFrame({"note": ["a"]}),
}
MANIFEST = {"scenario_sha256": "ab12" * 16, "code_version": "0.1.0+g1234567",
            "run_time": "2026-11-28T10:00:00+08:00", "link": "=HYPERLINK(\"http://x\")"}


def _rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.fixture
def book_zh(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", SHEETS, "zh", contents={
        "title": "黔南县测算报告", "scenario": "qiannan_baseline.yaml",
        "descriptions": {"budget": "逐年县级人均财政支出"}, "manifest": MANIFEST})
    return openpyxl.load_workbook(path)


def test_contents_is_the_first_sheet_and_names_the_report(book_zh):
    assert book_zh.sheetnames == ["说明", "budget", "adequacy", "notes"]
    rows = _rows(book_zh["说明"])
    assert rows[0][0] == "黔南县测算报告"
    assert ["方案文件", "qiannan_baseline.yaml"] == rows[1][:2]


def test_every_data_sheet_is_described_with_its_units(book_zh):
    by_sheet = {r[0]: r for r in _rows(book_zh["说明"]) if r[0] in SHEETS}
    assert set(by_sheet) == set(SHEETS)
    assert by_sheet["budget"][1] == "逐年县级人均财政支出"                       # the given description
    # year: no unit; 元/人 (per member); 人 (registered people); share -> %
    assert by_sheet["budget"][2] == "元/人; 人; %"
    assert by_sheet["adequacy"][1] == "列：省份、60岁平均月养老金"               # fallback: its columns
    assert by_sheet["adequacy"][2] == "元/月"
    assert by_sheet["notes"][2] == "—"                                            # no units at all


def test_manifest_rows_follow_as_text(book_zh):
    rows = {r[0]: r[1] for r in _rows(book_zh["说明"]) if r[0] in MANIFEST}
    assert rows["scenario_sha256"] == "ab12" * 16
    assert rows["code_version"] == "0.1.0+g1234567"
    cell = next(c for row in book_zh["说明"].iter_rows() for c in row if c.value == MANIFEST["link"])
    assert cell.data_type == "s"                                                  # not a formula


def test_a_formula_like_title_stays_a_string_in_english(tmp_path):
    # OWASP formula injection: the title '=1+1' is a label, never computed to 2
    path = write_workbook(tmp_path / "t.xlsx", SHEETS, "en", contents={
        "title": "=1+1", "scenario": "+scen.yaml", "descriptions": {}, "manifest": {}})
    book = openpyxl.load_workbook(path)
    ws = book["contents"]
    assert book.sheetnames[0] == "contents"
    assert (ws["A1"].value, ws["A1"].data_type) == ("=1+1", "s")
    assert (ws["B2"].value, ws["B2"].data_type) == ("+scen.yaml", "s")
    units = {r[0]: r[2] for r in _rows(ws) if r[0] in SHEETS}
    assert units["budget"] == "yuan/member; persons; share"
    assert {r[0]: r[1] for r in _rows(ws) if r[0] in SHEETS}["adequacy"] == \
        "columns: province, average monthly pension at 60"


def test_without_contents_the_workbook_is_unchanged(tmp_path):
    book = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx", SHEETS, "zh"))
    assert book.sheetnames == ["budget", "adequacy", "notes"]
    assert book["budget"]["A1"].value == "年份"                                   # header("year", "zh")


def test_a_data_sheet_named_like_the_contents_sheet_is_refused(tmp_path):
    with pytest.raises(ValueError, match="说明"):
        write_workbook(tmp_path / "t.xlsx", {"说明": SHEETS["notes"]}, "zh",
                       contents={"title": "t", "scenario": "s"})
