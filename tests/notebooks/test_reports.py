"""The report notebooks run headless (papermill) and their numbers are the engine's."""
import json
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
from model.member.statement import chromium_run, find_chromium

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
    lo, hi = k["sensitivity"]["记账利率 ±0.01"]
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
                      {"horizon": HORIZON, "budget_year": "not a year"}, progress=False)
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


@pytest.mark.skipif(shutil.which("tesseract") is None or find_chromium() is None,
                    reason="needs Debian chromium and tesseract-ocr-chi-sim (scripts/system-deps.sh)")
def test_html_report_shows_the_chinese_title_in_a_browser(reports, tmp_path):
    # headless Chromium draws the report; Tesseract reads the Chinese title back from the pixels
    shot = tmp_path / "report.png"
    chromium_run(reports / "county_budget" / "report.html", "--screenshot", shot, size="1000,500")
    text = subprocess.run(["tesseract", str(shot), "-", "-l", "chi_sim"], capture_output=True,
                          text=True, timeout=120).stdout.replace(" ", "")
    assert "城乡居民" in text and "财政补贴" in text, text[:200]


def test_english_switch_and_fiscal_base_share(tmp_path, annual):
    res = run_reports([SCEN], ["sustainability"], tmp_path,
                      {**PARAMS, "lang": "en", "fiscal_base_yuan": {"2011": 1.0e9, "growth_pa_after_last": 0.05}},
                      progress=False)
    assert res[0].failed is None, res[0].error
    html = (tmp_path / SCEN.stem / "sustainability" / "report.html").read_text(encoding="utf-8")
    assert "long run to" in html and "长期可持续性(至" not in html
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
