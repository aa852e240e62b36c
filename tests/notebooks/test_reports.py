"""The report notebooks run headless (papermill) and their numbers are the engine's."""
import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_scenario, project
from model.member.calculator import Member, illustrate
from model.report import fonts
from model.report.runner import NOTEBOOKS, run_reports
from model.report.tables import header
from model.scenario import with_overrides
from model.member.statement import find_chromium
from model.report import pdf
from model.report.plain import has_internal_code
from reading import summary_problems   # tests/notebooks/reading.py

pytestmark = pytest.mark.slow      # papermill runs every notebook (make test runs it; make quick skips it)

ROOT = Path(__file__).resolve().parents[2]
SCEN = ROOT / "scenarios" / "beibei_2011.yaml"
HORIZON = 12
PARAMS = {"horizon": HORIZON, "budget_year": 2013, "report_after_years": [2, 8], "paths": 8}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    res = run_reports([SCEN], list(NOTEBOOKS), out, PARAMS, progress=False)
    assert res[0].failed is None, res[0].error
    return out / SCEN.stem


@pytest.fixture(scope="module")
def annual():
    scen = with_overrides(load_scenario(SCEN), {"scheme": {"horizon_years": HORIZON}})
    return project(scen, detail=False).annual.set_index("year")


def key(reports, name):
    return json.loads((reports / name / "key_figures.json").read_text(encoding="utf-8"))


def test_every_notebook_writes_its_report_files(reports):
    for name in NOTEBOOKS:
        d = reports / name
        assert (d / f"{name}.ipynb").exists() and (d / "report.html").exists()
        assert (d / "tables.xlsx").exists() and (d / "key_figures.json").exists()
        assert list((d / "figures").glob("*.png")), name
        html = (d / "report.html").read_text(encoding="utf-8")
        assert "北碚区" in html and "import model" not in html      # Chinese title, code hidden
    assert not list(reports.glob(".*tmp*"))                          # nothing half-written left


def test_every_summary_sentence_shows_key_figures(reports):
    # each number in each sentence is a key figure, shown as its value formats (unit and decimals)
    for name in NOTEBOOKS:
        assert summary_problems(key(reports, name)) == [], name


def test_county_budget_summary_is_the_engine(reports, annual):
    k = key(reports, "county_budget")
    assert k["cost_county_first_year"] == pytest.approx(annual.loc[2013, "subsidy_county"], rel=1e-12)
    parts = k["county_contribution_subsidy_first_year"] + k["county_basic_pension_first_year"] \
        + k.get("county_other_first_year", 0.0)
    assert parts == pytest.approx(k["cost_county_first_year"], rel=1e-12)      # the parts add up
    assert k["county_cost_change"] == pytest.approx(
        abs(annual.loc[2013, "subsidy_county"] / annual.loc[2012, "subsidy_county"] - 1), rel=1e-12)
    assert k["cost_county_10_years"] == pytest.approx(annual.loc[2013:2022, "subsidy_county"].sum(), rel=1e-12)
    assert k["members_first_year"] == pytest.approx(annual.loc[2013, "members"], rel=1e-12)
    # Beibei spends a few million yuan a year: 万元, and every header says so
    assert k["summary_figures"]["cost_county_first_year"]["unit"] == "万元"
    assert [b["unit"] for b in k["boxes"]][:3] == ["万元"] * 3


def test_reports_use_plain_words(reports):
    # no internal document codes (D3 §4, D1 Art. 20), no negative zero, no raw True/False
    import html as _html
    for name in NOTEBOOKS:
        page = (reports / name / "report.html").read_text(encoding="utf-8")
        text = _html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)))
        assert not has_internal_code(text), (name, [m for m in re.findall(r".{20}D[1-5].{20}", text)][:3])
        assert not re.search(r"(?<![\w.])[-−]0(?:\.0+)?(?![\d.,])", text), name
        assert not re.search(r">\s*(True|False)\s*<", page), name


def test_every_report_has_its_assumptions_and_method(reports):
    for name in NOTEBOOKS:
        doc = json.loads((reports / name / "document.json").read_text(encoding="utf-8"))
        heads = [b["text"] for b in doc if b["kind"] == "heading"]
        assert "假设与数据来源" in heads and "测算方法" in heads, name
        i = heads.index("假设与数据来源")
        tables = [b for b in doc if b["kind"] == "table"]
        assumptions = [t for t in tables if t["columns"][:2] == ["文件", "参数"]][0]
        # Beibei's own ASSUMPTION values and its parent's (the extends chain), with their files
        files = {r[0] for r in assumptions["rows"]}
        assert {"beibei_2011.yaml", "qiannan_2011.yaml"} <= files, name
        sources = [t for t in tables if t["columns"][0] == "数据文件"][0]
        assert any(r[0].startswith("wpp2024") for r in sources["rows"]) and all(r[2] for r in sources["rows"])


@pytest.mark.skipif(find_chromium() is None or shutil.which("pdffonts") is None,
                    reason="needs Debian chromium and poppler-utils (scripts/system-deps.sh)")
def test_every_report_prints_to_a4_pdf_with_fonts_embedded(reports):
    for name in NOTEBOOKS:
        f = reports / name / "report.pdf"
        assert 1 <= pdf.pdf_pages(f) <= 12, name
        assert "(A4)" in pdf.pdf_info(f)["Page size"], name
        fonts = pdf.pdf_fonts(f)
        assert fonts and all(x["emb"] is True for x in fonts), (name, [x for x in fonts if x["emb"] is not True])
        assert any("WenQuanYi" in x["name"] for x in fonts), name
        text = pdf.normalise(pdf.pdf_text(f))
        k = key(reports, name)
        assert pdf.normalise(k["summary"][0]) in text, name
        assert "第1页/共" in text and pdf.normalise("beibei_2011.yaml") in text, name   # page numbers, footer
    combined = reports / "combined" / "reports.pdf"
    n = sum(pdf.pdf_pages(reports / name / "report.pdf") for name in NOTEBOOKS)
    assert n < pdf.pdf_pages(combined) <= n + 3              # a cover and contents, then every report
    text = pdf.normalise(pdf.pdf_text(combined))
    assert all(pdf.normalise(key(reports, name)["title"]) in text for name in NOTEBOOKS)
    assert f"第{n}页" in text                                  # page numbers run on through the reports


def test_word_files_for_the_finance_bureau(reports):
    import docx
    for name in ("county_budget", "policy_questions"):
        d = docx.Document(str(reports / name / "report.docx"))
        body = "\n".join(p.text for p in d.paragraphs)
        k = key(reports, name)
        assert pdf.normalise(k["summary"][0]) in pdf.normalise(body), name
        cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
        assert all(any(b["text"] in c for c in cells) for b in k["boxes"]), name      # the key-figure boxes
        assert len(d.inline_shapes) >= 1, name                                          # the charts
        assert abs(d.sections[0].page_width.mm - 210) < 1
    assert not (reports / "sustainability" / "report.docx").exists()


def test_excel_first_sheet_says_what_every_sheet_holds(reports):
    import openpyxl
    for name in NOTEBOOKS:
        book = openpyxl.load_workbook(reports / name / "tables.xlsx", read_only=True)
        first = book.sheetnames[0]
        assert first == "说明", name
        text = " ".join(str(c) for row in book[first].iter_rows(values_only=True) for c in row if c is not None)
        for sheet in book.sheetnames[1:]:
            assert sheet in text, (name, sheet)
        assert "beibei_2011.yaml" in text and "SHA-256" in text, name


def test_index_page_links_every_report_and_the_manifest(reports):
    page = (reports / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOKS:
        k = key(reports, name)
        assert f"{name}/report.html" in page and f"{name}/report.pdf" in page and f"{name}/tables.xlsx" in page
        assert k["boxes"][0]["text"] in page and k["summary"][0][:20] in page
    assert "county_budget/report.docx" in page and "policy_questions/report.docx" in page
    assert "combined/reports.pdf" in page and "beibei_2011.yaml" in page and "SHA-256" in page
    man = json.loads((reports / "county_budget" / "manifest.json").read_text(encoding="utf-8"))
    assert man["code_version"] in page


@pytest.mark.skipif(shutil.which("tesseract") is None or find_chromium() is None,
                    reason="needs Debian chromium and tesseract-ocr-chi-sim (scripts/system-deps.sh)")
def test_every_report_shows_its_title_and_first_sentence(reports, tmp_path):
    # headless Chromium draws the top of each report at A4 width; Tesseract reads back its title
    # and the first sentence of its summary
    for name in NOTEBOOKS:
        k = key(reports, name)
        # Tesseract misreads a large title at one scale and not the other (member_illustration: 0.84 of
        # its characters at 1, 0.55 at 2; uptake_targets: 0.67 at 1): the page passes if either reads it
        seen = []
        for scale in (1, 2):
            shot = pdf.screenshot(reports / name / "report.html", tmp_path / f"{name}.png", height_px=480, scale=scale)
            seen.append(pdf.ocr(shot))
            if pdf.ocr_contains(seen[-1], k["title"]) and pdf.ocr_contains(seen[-1], k["summary"][0]):
                break
        else:
            pytest.fail(f"{name}: the title or first sentence is not on the page: {seen[0][:400]!r}")


def test_county_budget_numbers_are_the_engines(reports, annual):
    k = key(reports, "county_budget")
    assert k["budget_year"] == 2013 and k["years"][0] == 2013
    for lv in ("central", "province", "prefecture", "county"):
        assert k[f"cost_{lv}_first_year"] == pytest.approx(annual.loc[2013, f"subsidy_{lv}"], rel=1e-12)
        assert k[f"cost_{lv}_10_years"] == pytest.approx(annual.loc[2013:2022, f"subsidy_{lv}"].sum(), rel=1e-12)


def test_uptake_targets_as_given_is_the_engine(reports, annual):
    rows = [r for r in key(reports, "uptake_targets")["rows"] if r["variant"] == "方案本身"]
    y = rows[0]["year"]
    assert y == 2013
    assert rows[0]["members"] == pytest.approx(annual.loc[y, "members"], rel=1e-12)
    assert rows[0]["government_total_cost"] == pytest.approx(annual.loc[y, "government_total_cost"], rel=1e-12)


def test_sustainability_totals_are_the_engines(reports, annual):
    k = key(reports, "sustainability")
    assert k["government_cost_total"] == pytest.approx(annual["government_total_cost"].sum(), rel=1e-12)
    assert k["account_fund_last_year"] == pytest.approx(annual["account_fund_balance"].iloc[-1], rel=1e-12)
    lo, hi = k["sensitivity"]["记账利率±1个百分点"]
    assert lo != hi                                     # the sensitivity runs really differ


def test_scenario_comparison_compares_with_the_parent_scenario(reports, annual):
    k = key(reports, "scenario_comparison")
    assert len(k["scenarios"]) == 2                     # Beibei and the Qiannan scenario it extends
    assert k["government_cost_total"][k["scenarios"][0]] == pytest.approx(
        annual["government_total_cost"].sum(), rel=1e-12)


def test_member_notebook_is_the_calculator(reports):
    k = key(reports, "member_illustration")
    il = illustrate(load_scenario(SCEN), Member(birth_year=1966, birth_month=5, enrol_year=2011, tier=100))
    for f in ("balance_at_60", "monthly_total", "first_payment", "account_exhausted"):
        assert k[f] == il.summary[f]


def test_excel_workbook_reopens_with_the_annual_totals(reports, annual, tmp_path):
    out = tmp_path / "run"
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {SCEN}\nscheme: {{horizon_years: {HORIZON}}}\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "model", "run", str(short),
                        "--out", str(out), "--no-detail"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    csv = pd.read_csv(out / "annual.csv")
    book = pd.read_excel(reports / "county_budget" / "tables.xlsx", sheet_name=None)
    assert {"summary", "budget", "variants", "annual"} <= set(book)
    sheet = book["annual"]
    for col in ("members", "contributions_personal", "government_total_cost", "account_fund_balance"):
        np.testing.assert_allclose(sheet[header(col, "zh")].sum(), csv[col].sum(), rtol=1e-9)


def test_a_failing_notebook_stops_the_scenario_and_leaves_nothing(tmp_path):
    res = run_reports([SCEN], ["county_budget", "sustainability"], tmp_path,
                      {"horizon": HORIZON, "budget_year": "not a year"}, progress=False, pdf=False)
    assert res[0].failed == "county_budget" and "ValueError" in res[0].error
    assert res[0].written == []
    assert not (tmp_path / SCEN.stem / "sustainability").exists()    # the batch stopped
    assert not (tmp_path / SCEN.stem).exists()                      # nor its empty scenario folder


def test_no_cjk_font_falls_back_to_english_with_one_warning(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert fonts.setup_matplotlib("zh") == "en"
    assert len(w) == 1 and "apt-get install" in str(w[0].message)


@pytest.mark.skipif(fonts.find_cjk_font() is None, reason="no CJK font installed")
def test_figures_use_the_cjk_font():
    assert fonts.setup_matplotlib("zh") == "zh"


def test_english_switch_and_fiscal_base_share(tmp_path, annual):
    res = run_reports([SCEN], ["sustainability"], tmp_path,
                      {**PARAMS, "lang": "en", "fiscal_base_yuan": {"2011": 1.0e9, "growth_pa_after_last": 0.05}},
                      progress=False, pdf=False)
    assert res[0].failed is None, res[0].error
    html = (tmp_path / SCEN.stem / "sustainability" / "report.html").read_text(encoding="utf-8")
    assert "the long run" in html and "长期可持续性" not in html
    k = json.loads((tmp_path / SCEN.stem / "sustainability" / "key_figures.json").read_text(encoding="utf-8"))
    assert summary_problems(k) == [] and k["lang"] == "en"
    assert "Beibei District" in k["title"] and "million yuan" in k["summary"][1]
    book = pd.read_excel(tmp_path / SCEN.stem / "sustainability" / "tables.xlsx", sheet_name="long_run")
    share = book[header("basic_pension_share_of_fiscal_base", "en")]
    # 2012: the basic pension over a base of 1.0e9 x 1.05
    assert share.iloc[1] == pytest.approx(annual.loc[2012, "basic_pension_paid"] / 1.05e9, rel=1e-9)


def test_sustainability_fan_chart_is_the_stochastic_engine(reports):
    from model.engine.stochastic import project_paths
    k = key(reports, "sustainability")
    scen = with_overrides(load_scenario(SCEN), {"scheme": {"horizon_years": HORIZON}})
    fan = project_paths(scen, 8, seed=2011, from_year=None).percentiles(["account_fund_balance"])
    assert k["forecast_from"] == 2011          # beibei to 2022: the whole projection is drawn at random
    assert k["paths"] == 8
    assert k["account_fund_last_year_p50"] == pytest.approx(fan["account_fund_balance_p50"].iloc[-1], rel=1e-12)
    assert (reports / "sustainability" / "figures" / "fan_charts.png").exists()


def test_policy_questions_answers_are_the_engines(reports):
    # the county top-up the notebook found spends exactly its budget over the window (goal-seek),
    # and its adequacy ratios are the engine's average pension over the NBS income
    k = key(reports, "policy_questions")
    scen = with_overrides(load_scenario(SCEN), {"scheme": {"horizon_years": HORIZON}})
    parts = scen.model_dump(mode="python")["benefits"]["basic_pension"]
    first = k["first_year"]
    topup = {"name": "county_topup", "reference": "test", "monthly": {2011: 0.0, first: k["topup_yuan_per_month"]},
             "paid_by": {"county": 1.0}}
    a = project(with_overrides(scen, {"benefits": {"basic_pension": parts + [topup]}}), detail=False).annual
    window = a[(a.year >= first) & (a.year < first + 10)]
    assert k["topup_yuan_per_month"] > 0
    assert window["subsidy_county"].sum() == pytest.approx(k["county_budget_yuan"], rel=1e-6)
    sheets = pd.read_excel(reports / "policy_questions" / "tables.xlsx", sheet_name=None)
    assert {"adequacy", "replacement_rates", "liability"} <= set(sheets)
