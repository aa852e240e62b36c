"""The report's words, units and record (model/report/nb.py), its index page (index.py) and
reader-facing names, worked by hand."""
import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from model import load_scenario  # noqa: E402
from model.io.outputs import OutputError  # noqa: E402
from model.report.index import MARKER, check_index, write_index  # noqa: E402
from model.report.nb import Report, scenario_title  # noqa: E402
from model.report.tables import header  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def annual(cost, members):
    return pd.DataFrame({"year": [2027, 2028], "government_total_cost": cost, "members": members})


def test_a_county_counts_money_in_wan_yuan_and_the_nation_in_yi_yuan(tmp_path):
    county = Report(tmp_path / "a", "zh")
    county.units_for(annual([8.6e8, 9.2e8], [1.48e6, 1.50e6]))       # Qiannan: 8.6亿 a year, under 10亿
    assert county.value("cost", 123_456_789.0, "money") == "12,346万元"
    assert county.value("members", 1_481_374.0, "persons") == "148万人"
    nation = Report(tmp_path / "b", "zh")
    nation.units_for(annual([4.0e11, 4.2e11], [5.4e8, 5.4e8]))
    assert nation.value("cost", 4.1e11, "money") == "4,100亿元"
    assert nation.value("small", 123_456_789.0, "money") == "1.2亿元"
    en = Report(tmp_path / "c", "en")
    en.units_for(annual([8.6e8, 9.2e8], [180_560.0, 180_000.0]))
    assert en.value("cost", 123_456_789.0, "money") == "123 million yuan"
    assert en.value("members", 180_560.0, "persons") == "180,560"       # "180,560 members" in the sentence
    assert en.axis_unit("persons") == "people"


def test_a_value_is_a_key_figure_with_its_text(tmp_path):
    rep = Report(tmp_path, "zh")
    rep.units_for(money_yuan=5e7, persons=2e5)
    s = f"需安排{rep.value('cost', 29_800_000.0, 'money')},比上年增加{rep.value('change', 0.0401, 'share')}。"
    assert s == "需安排2,980万元,比上年增加4.0%。"
    rep.summary([s])
    key = json.loads((tmp_path / "key_figures.json").read_text(encoding="utf-8"))
    assert key["cost"] == 29_800_000.0 and key["summary"] == [s]
    assert key["summary_figures"]["cost"] == {"value": 29_800_000.0, "kind": "money", "text": "2,980",
                                              "unit": "万元", "decimals": None, "factor": 1e4}
    with pytest.raises(ValueError, match="kind 'pounds'"):
        rep.value("x", 1.0, "pounds")


def test_money_before_units_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="units_for"):
        Report(tmp_path, "zh").value("cost", 1.0, "money")


def test_tables_show_the_reports_units_and_no_negative_zero(tmp_path):
    rep = Report(tmp_path, "zh")
    rep.units_for(money_yuan=5e7, persons=2e5)
    df = pd.DataFrame({"year": [2027, 2028], "subsidy_county": [12_345_678.0, -0.4],
                       "members": [180_560.0, 0.0], "change": [-0.00001, 0.25], "income_projected": [True, False]})
    heads, rows, align = rep.formatted(df)
    assert heads[:3] == ["年份", "县级财政支出(万元)", "参保人数(年末)(人)"]
    # one decimals count per column: enough that the small value does not show as 0 (units.scaled_decimals)
    assert rows[0][:4] == ["2027", "1,234.57", "180,560", "0.00%"]
    assert rows[1][1] == "0.00" and not any(c.startswith("-0") for r in rows for c in r)
    assert [rows[0][4], rows[1][4]] == ["是", "否"]
    assert align == ["r", "r", "r", "r", "l"]
    rep.table(df, "标题")
    assert rep.blocks[-1]["kind"] == "table" and rep.blocks[-1]["rows"] == rows


def test_english_headers_are_short_and_percentiles_are_named():
    assert header("government_total_cost", "en") == "government cost, all levels (yuan)"
    assert header("longevity_gap_from_government", "en") == "longevity gap borne by government (yuan)"
    assert header("fund_balance_p5", "zh") == "基金累计结存(年末)(5%分位)(元)"
    assert header("fund_balance_p50", "en") == "fund balance at year end (Ministry's definition) (median) (yuan)"


def test_a_chart_without_title_or_unit_is_refused(tmp_path):
    rep = Report(tmp_path, "zh")
    fig, ax = plt.subplots()
    ax.plot([2020, 2021, 2022], [1, 2, 3])
    with pytest.raises(ValueError, match="figure bare"):
        rep.figure(fig, "bare")
    ax.set_title("参保人数(万人)")
    ax.set_ylabel("万人")
    rep.years_axis(ax)
    rep.figure(fig, "members")
    plt.close(fig)
    assert (tmp_path / "figures" / "members.png").exists()
    assert rep.blocks[-1] == {"kind": "image", "path": str(tmp_path / "figures" / "members.png"),
                              "title": "参保人数(万人)"}


def test_the_record_writes_word_and_document_json(tmp_path):
    rep = Report(tmp_path, "zh")
    rep.units_for(money_yuan=5e7, persons=2e5)
    rep.title("测试报告", "副标题")
    rep.summary([f"共{rep.value('cost', 1e7, 'money')}。"])
    rep.boxes([("县级", "cost")])
    rep.finish(docx=True)
    doc = json.loads((tmp_path / "document.json").read_text(encoding="utf-8"))
    assert [b["kind"] for b in doc] == ["title", "summary", "key_figures"]
    assert doc[2]["items"] == [{"label": "县级", "text": "1,000", "unit": "万元"}]
    assert (tmp_path / "report.docx").stat().st_size > 5000


def test_scenario_titles_for_readers_have_no_document_codes():
    qiannan = load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml")
    assert scenario_title(qiannan, "zh") == "黔南州城乡居民社会养老保险 (2011年试点办法)"
    assert scenario_title(qiannan, "en") == "Qiannan Prefecture residents' pension scheme (2011 measures)"
    # a child with its own title does not inherit its parent's English one
    counties = load_scenario(ROOT / "scenarios" / "china_counties.yaml")
    assert counties.title_en is None and scenario_title(counties, "en") == counties.title


def test_an_index_page_not_written_by_the_report_command_is_refused(tmp_path):
    (tmp_path / "index.html").write_text("<html>my own page</html>", encoding="utf-8")
    with pytest.raises(OutputError, match="not written by the report command"):
        check_index(tmp_path)
    check_index(tmp_path, force=True)                              # --force replaces it
    (tmp_path / "index.html").write_text(f"<html><head>{MARKER}</head></html>", encoding="utf-8")
    check_index(tmp_path)                                          # ours: replaced without asking
    assert write_index(tmp_path, ROOT / "scenarios" / "qiannan_2011.yaml", ("county_budget",)) == []


def test_the_index_marks_a_report_made_from_another_version_of_the_scenario(tmp_path):
    from model.report.index import index_html, is_current, reports_in
    from model.scenario import file_sha256
    scen = tmp_path / "s.yaml"
    scen.write_text(f"extends: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\n", encoding="utf-8")
    for name, sha in (("county_budget", file_sha256(scen)), ("uptake_targets", "0" * 64)):
        d = tmp_path / "s" / name
        d.mkdir(parents=True)
        (d / "manifest.json").write_text(json.dumps({"written_by": {"command": "report"}, "notebook": name,
                                                     "scenario_files_sha256": {str(scen): sha}}), encoding="utf-8")
        (d / "key_figures.json").write_text(json.dumps({"title": name, "summary": [f"{name} 一句。"]}), encoding="utf-8")
    found = reports_in(tmp_path / "s", ("county_budget", "uptake_targets"))
    assert [is_current(scen, r[3]) for r in found] == [True, False]
    page = index_html(scen, found, "zh", None)
    assert page.count("旧版本") == 1
    assert page.index("<h2>uptake_targets") < page.index("旧版本") < page.index("uptake_targets 一句")


def test_an_unknown_change_is_not_called_no_change(tmp_path):
    rep = Report(tmp_path, "zh")
    rep.units_for(money_yuan=5e7, persons=2e5)
    assert rep.change("d", float("nan"), "money") == "变化无法计算"
    assert rep.change("d", 30.0, "money") == "基本不变"              # 0.003 万元 shows as 0
    assert rep.change("d", -2e5, "money") == "减少20.0万元"
