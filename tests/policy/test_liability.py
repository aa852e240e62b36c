"""Fiscal liability (issue 16 §3) against answers worked by hand: present values by level of
government, the closed and the open group, the longevity gap by who bears it, the year the pooled
fund runs out, the cost's share of the fiscal base and of GDP (model/tools/liability.py)."""
from __future__ import annotations

import argparse
import copy
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from model import dims, load_scenario, project
from model.parameters import resolve
from model.scenario import Scenario, ScenarioError, _deep_merge
from model.tools import liability as L
from conftest import BASE, ROOT


def scenario(overrides: dict | None = None) -> Scenario:
    return Scenario.model_validate(_deep_merge(copy.deepcopy(BASE), overrides or {}))


def runner_for(cohorts: dict):
    """The engine on ``cohorts`` {(age, sex, area): persons} at the start, nobody else, nobody dying, no births."""
    def run(scen: Scenario) -> pd.DataFrame:
        P = resolve(scen)
        pop = np.zeros_like(P.population0)
        for (age, sex, area), n in cohorts.items():
            pop[0, age, dims.SEXES.index(sex), dims.AREAS.index(area)] = n
        P = replace(P, population0=pop, q_death=np.zeros_like(P.q_death),
                    births_per_woman=np.zeros_like(P.births_per_woman))
        return project(P, detail=False).annual
    return run


OLD_1000 = runner_for({(65, "male", "rural"): 1000})         # 1,000 men aged 65 at the 2011-07 start


def annuity(n: int, r: float) -> float:
    """a_n = (1 - (1 + r)^-n) / r, the textbook annuity-immediate."""
    return (1 - (1 + r) ** -n) / r


# --------------------------------------------------------------------------
# present_value
# --------------------------------------------------------------------------
def test_present_value_of_a_level_flow_is_the_annuity_moved_to_mid_year():
    # 100 a year in 2020-2029 at 5 %, valued on 1 January 2020, each flow at mid-year:
    # 100 x sum_{t=0..9} 1.05^-(t + 0.5) = 100 x 1.05^0.5 x a_10 = 100 x 1.024695 x 7.721735 = 791.2424
    flows = pd.Series(100.0, index=range(2020, 2030))
    assert L.present_value(flows, 0.05, 2020) == pytest.approx(791.2424, abs=1e-4)
    assert L.present_value(flows, 0.05, 2020) == pytest.approx(100 * 1.05 ** 0.5 * annuity(10, 0.05), rel=1e-12)
    # three years: 100 x (1.05^-0.5 + 1.05^-1.5 + 1.05^-2.5) = 97.590 + 92.943 + 88.517 = 279.0499
    assert L.present_value(flows, 0.05, 2020, years=3) == pytest.approx(279.0499, abs=1e-4)
    # at 0 % the flows add up; years before the valuation year are left out; a span past the
    # series' end stops at it
    assert L.present_value(flows, 0.0, 2025) == pytest.approx(500.0)
    assert L.present_value(flows, 0.0, 2025, years=30) == pytest.approx(500.0)
    assert L.present_value(flows, 0.0, 2018, years=3) == pytest.approx(100.0)     # 2018-2020: only 2020


def test_a_span_longer_than_the_projection_says_so():
    s = L.span(2025, 75, 2098)
    assert (s.first_year, s.last_year, s.years_counted, s.truncated) == (2025, 2098, 74, True)
    assert "74 years: the projection ends" in s.text()
    assert L.span(2025, 30, 2098) == L.Span("30y", 30, 2025, 2054, 30, False)
    assert L.span(2025, None, 2098).label == "to_horizon" and not L.span(2025, None, 2098).truncated


# --------------------------------------------------------------------------
# PV by level of government
# --------------------------------------------------------------------------
def test_pv_of_a_central_basic_pension_is_an_annuity_and_no_other_level_pays():
    # 1,000 men aged 65 at the 2011-07 start, nobody dies; central pays the 55 yuan basic pension:
    # 1,000 x 55 x 12 = 660,000 a year from 2012. Valued on 1 January 2012 at 3 %, the projection
    # ends in 2030, so 30 and 75 years both stop after 19 years (2012-2030):
    # 660,000 x 1.03^0.5 x a_19 = 660,000 x 1.014889 x 14.323799 = 9,594,465.14;
    # 5 years: 660,000 x 1.014889 x a_5 (4.579707) = 3,067,610.81
    scen = scenario({"finance": {"fiscal_base_yuan": {2011: 1.0e7}}})
    res = L.liability(scen, 2012, 0.03, horizons=(5, 30, 75, None), runner=OLD_1000)
    t = res.tables()["liability"].set_index(["group", "level", "horizon"])
    assert t.loc[("open", "central", "to_horizon"), "pv_yuan"] == pytest.approx(9_594_465.14, abs=0.01)
    assert t.loc[("open", "total", "5y"), "pv_yuan"] == pytest.approx(3_067_610.81, abs=0.01)
    for h in ("30y", "75y"):
        row = t.loc[("open", "central", h)]
        assert row.pv_yuan == pytest.approx(9_594_465.14, abs=0.01)
        assert (row.last_year, row.years_counted, bool(row.truncated)) == (2030, 19, True)
    for lvl in ("province", "prefecture", "county"):
        assert t.loc[("open", lvl, "to_horizon"), "pv_yuan"] == 0.0
    # everyone was a member on 1 January 2012: the closed group is the open group
    assert t.loc[("closed", "total", "to_horizon"), "pv_yuan"] == pytest.approx(9_594_465.14, abs=0.01)
    assert t.loc[("new_entrants", "total", "to_horizon"), "pv_yuan"] == pytest.approx(0.0, abs=1e-6)
    # the cost's share of the fiscal base (10 million a year): 660,000 / 10,000,000 = 6.6 % in 2012
    ind = res.tables()["indicators"].set_index("year")
    assert ind.loc[2012, "cost_share_of_fiscal_base"] == pytest.approx(0.066, rel=1e-12)
    assert ind.loc[2012, "discount_factor"] == pytest.approx(1.03 ** -0.5, rel=1e-12)
    assert np.isnan(ind.loc[2012, "cost_share_of_gdp"])               # 1,000 people are not the nation
    assert res.summary()["fiscal_base"]["share_in_valuation_year"] == pytest.approx(0.066)


# --------------------------------------------------------------------------
# The closed group and the open group
# --------------------------------------------------------------------------
def test_open_minus_closed_is_the_cost_of_the_new_entrants():
    # 1,000 people aged 30; enrolment target 50 % from 2011 and 90 % from 2015; everyone pays the
    # 100 tier with a 30 yuan subsidy, a third each from province, prefecture and county.
    # Open: 500 x 30 = 15,000 a year, from 2015 900 x 30 = 27,000. Valued on 1 January 2013 at 4 %,
    # the closed group (the 500 members) costs 15,000 a year 2013-2030:
    #   15,000 x 1.04^0.5 x a_18 = 15,000 x 1.019804 x 12.659297 = 193,650.01;
    # the 400 joining in 2015 cost 12,000 a year 2015-2030 (flows 2.5 .. 17.5 years away):
    #   12,000 x 1.04^-1.5 x a_16 = 12,000 x 0.942866 x 11.652296 = 131,838.65
    scen = scenario({"enrolment": {"rate_path": {2011: 0.5, 2015: 0.9}}})
    res = L.liability(scen, 2013, 0.04, runner=runner_for({(30, "male", "rural"): 1000}))
    t = res.tables()["liability"].set_index(["group", "level", "horizon"])
    closed = t.loc[("closed", "total", "to_horizon"), "pv_yuan"]
    new = t.loc[("new_entrants", "total", "to_horizon"), "pv_yuan"]
    assert closed == pytest.approx(193_650.01, abs=0.01)
    assert new == pytest.approx(131_838.65, abs=0.01)
    assert t.loc[("open", "total", "to_horizon"), "pv_yuan"] == pytest.approx(closed + new, rel=1e-12)
    for lvl in ("province", "prefecture", "county"):                  # a third each
        assert t.loc[("closed", lvl, "to_horizon"), "pv_yuan"] == pytest.approx(193_650.01 / 3, abs=0.01)
    # the closed group's members never rise after the valuation year, and nobody joins
    c = res.closed_annual.set_index("year")
    assert (c.loc[2013:, "entrants"] == 0).all()
    assert (np.diff(c.loc[2012:, "members"].to_numpy()) <= 1e-9).all() and c.loc[2030, "members"] == 500
    assert res.open_annual.set_index("year").loc[2015, "entrants"] == pytest.approx(400)


def test_the_closed_group_keeps_every_year_before_the_valuation_year_as_it_was():
    # an enrolment target growing 5 % a year after 2011 (0.5, 0.525, 0.551, ..., capped at 1 from
    # 2026): new members every year to 2026; the closed group's path keeps each January value
    # before 2014, then 0
    scen = scenario({"enrolment": {"rate_path": {"values": {"2011-01": 0.5}, "growth_pa_after_last": 0.05}}})
    res = L.liability(scen, 2014, 0.03, runner=runner_for({(30, "male", "rural"): 1000, (40, "female", "urban"): 500}))
    o, c = res.open_annual.set_index("year"), res.closed_annual.set_index("year")
    pd.testing.assert_frame_equal(o.loc[:2013], c.loc[:2013])
    assert o.loc[2014:2026, "entrants"].gt(0).all() and (c.loc[2014:, "entrants"] == 0).all()
    assert (np.diff(c.loc[2013:, "members"].to_numpy()) <= 1e-9).all()
    # the members on 1 January 2014 stay, and nobody else: 1,500 x 0.5 x 1.05^2 = 826.875
    assert c.loc[2030, "members"] == pytest.approx(1500 * 0.5 * 1.05 ** 2, rel=1e-12)


# --------------------------------------------------------------------------
# The longevity gap and who bears it
# --------------------------------------------------------------------------
def test_the_longevity_gap_is_borne_by_government_when_the_pool_is_empty_split_by_backstop_paid_by():
    # 1,000 men aged 59 at the 2011-07 start pay 100 + 30 subsidy in 2011 and 2012 (the year they
    # turn 60; no interest): 260 yuan each, an account pension of 260 / 139 = 1.870504 a month,
    # 22,446.04 a year for the 1,000. Paid 5.5 months in 2012 and 12 a year after, the 260,000
    # last until 1.5 months into 2024: the gap is 22,446.04 x 10.5/12 = 19,640.29 in 2024 and
    # 22,446.04 a year 2025-2030. Nobody dies, so nothing is forfeited and the pooled fund is empty:
    # government bears the whole gap, half each by province and county (finance.backstop_paid_by).
    # Valued on 1 January 2024 at 2 %: 19,640.29 x 1.02^-0.5 + 22,446.04 x 1.02^-0.5 x a_6
    #   = 19,446.83 + 22,446.04 x 0.990148 x 5.601431 = 143,937.99
    scen = scenario({"finance": {"backstop_paid_by": {"province": 0.5, "county": 0.5}}})
    res = L.liability(scen, 2024, 0.02, runner=runner_for({(59, "male", "rural"): 1000}))
    a = res.open_annual.set_index("year")
    assert a.loc[2024, "longevity_gap_paid"] == pytest.approx(19_640.29, abs=0.01)
    assert a.loc[2025, "longevity_gap_paid"] == pytest.approx(22_446.04, abs=0.01)
    gap = res.tables()["longevity_gap"]
    g = gap[(gap.group == "open") & (gap.horizon == "to_horizon")].set_index("borne_by")["pv_yuan"]
    assert g["all"] == pytest.approx(143_937.99, abs=0.01)
    assert g["government"] == pytest.approx(143_937.99, abs=0.01) and g["pooled_fund"] == pytest.approx(0.0, abs=1e-9)
    assert g["government_province"] == pytest.approx(143_937.99 / 2, abs=0.01)
    assert g["government_county"] == pytest.approx(143_937.99 / 2, abs=0.01)
    assert g["government_central"] == 0.0 and g["government_prefecture"] == 0.0
    s = res.summary()
    assert s["pv_longevity_gap_yuan"]["open"]["to_horizon"]["government_county"] == pytest.approx(71_968.997, abs=0.01)
    # the pool never held money, so it never "ran out"; the backstop starts with the gap
    assert s["pooled_fund"]["open"] == {"backstop_first_year": 2024, "pool_empty_first_year": None, "pools": 1}


# --------------------------------------------------------------------------
# The year the pooled fund runs out
# --------------------------------------------------------------------------
def test_the_pooled_fund_runs_out_in_the_year_its_top_ups_exceed_what_is_left():
    # 1,000 pensioners aged 65 at the 2011-07 start get a 10 yuan one-child top-up a month from the
    # pooled fund, which starts with a legacy fund of 250,000 and earns nothing: it pays 6 months
    # (60,000) in 2011 and 120,000 a year after: 190,000 left at the end of 2011, 70,000 at the end
    # of 2012; in 2013 it cannot pay 120,000, government puts in 50,000 and it closes at 0. The
    # county (the default backstop_paid_by, D1 Art. 19) pays 50,000 in 2013, 120,000 from 2014.
    scen = scenario({"benefits": {"one_child_parent": {"monthly_yuan": 10, "share_of_pensioners": 1.0},
                                  "topups_from_pooled_fund": True},
                     "finance": {"legacy_fund_yuan": 250_000, "pooled_fund_earns_interest": False}})
    res = L.liability(scen, 2012, 0.03, runner=OLD_1000)
    a = res.open_annual.set_index("year")
    assert a.loc[2011:2013, "pooled_fund_balance"].tolist() == pytest.approx([190_000, 70_000, 0])
    assert a.loc[2013, "government_to_pool"] == pytest.approx(50_000)
    assert a.loc[2013:2014, "subsidy_county"].tolist() == pytest.approx([50_000, 120_000])
    assert res.summary()["pooled_fund"]["open"] == {"backstop_first_year": 2013, "pool_empty_first_year": 2013,
                                                      "pools": 1}
    # without the top-ups the fund never runs out
    calm = L.liability(scenario({"finance": {"legacy_fund_yuan": 250_000}}), 2012, runner=OLD_1000)
    assert calm.summary()["pooled_fund"]["open"]["backstop_first_year"] is None


# --------------------------------------------------------------------------
# GDP
# --------------------------------------------------------------------------
def test_the_cost_as_a_share_of_gdp_from_the_shipped_table_and_the_assumed_growth():
    # a national scenario (the census's whole population) from 2023-07; the same 1,000 pensioners
    # cost 660,000 a year from 2024. GDP 2024: 134,806.6 billion yuan (NBS final verification), so
    # the share is 660,000 / 134,806,600,000,000 = 4.8959e-09; 2026: GDP 134,806.6e9 x 1.04^2
    # (the 4 % assumption) = 145,806.82e9, share 4.5266e-09
    scen = scenario({"scheme": {"start": "2023-07", "horizon_years": 5}, "population": {"total": None}})
    assert L.is_national(scen) and not L.is_national(scenario())
    res = L.liability(scen, 2024, runner=OLD_1000)
    ind = res.tables()["indicators"].set_index("year")
    assert ind.loc[2024, "gdp_yuan"] == 134_806_600_000_000 and ind.loc[2024, "gdp_basis"] == "NBS"
    assert ind.loc[2024, "cost_share_of_gdp"] == pytest.approx(660_000 / 134_806.6e9, rel=1e-12)
    assert ind.loc[2024, "cost_share_of_gdp"] == pytest.approx(4.8959e-09, rel=1e-4)
    assert ind.loc[2026, "gdp_yuan"] == pytest.approx(145_806.82e9, rel=1e-7)
    assert ind.loc[2026, "gdp_basis"] == "assumed growth"
    assert ind.loc[2026, "cost_share_of_gdp"] == pytest.approx(4.5266e-09, rel=1e-4)
    g = res.summary()["gdp"]
    assert g["growth_pa_after_2024"] == 0.04 and "NBS" in g["source"] and "ASSUMPTION" in g["growth_reason"]


def test_the_gdp_table_is_nominal_yuan_2009_2024_with_its_sources():
    t = L.gdp_table()
    assert t["year"].tolist() == list(range(2009, 2025))
    assert t["gdp_yuan"].is_monotonic_increasing and t["source"].notna().all() and t["confidence"].notna().all()
    # 2018 on the 4th economic census base: 919,281.1 (100 million yuan); 2022: 120.4724 trillion
    assert t.set_index("year").loc[2018, "gdp_yuan"] == 91_928_110_000_000
    assert t.set_index("year").loc[2022, "gdp_yuan"] == 120_472_400_000_000


# --------------------------------------------------------------------------
# Bad input: one line each
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kw, words", [
    (dict(valuation_year=2031), "must lie in the projection, 2011 to 2030"),
    (dict(valuation_year=2010), "must lie in the projection, 2011 to 2030"),
    (dict(valuation_year=2015.5), "give a whole year"),
    (dict(discount_rate=2.5), r"from -0.05 to 0.2 \(2.5 % is 0.025\)"),
    (dict(discount_rate=-0.06), "from -0.05 to 0.2"),
    (dict(discount_rate=float("nan")), "from -0.05 to 0.2"),
    (dict(gdp_growth_pa=4), r"--gdp-growth 4: must be a yearly rate"),
    (dict(horizons=(30, 0)), "horizon 0: give a number of years"),
])
def test_a_bad_question_is_one_line(kw, words):
    args = {"valuation_year": 2015, **kw}
    with pytest.raises(ScenarioError, match=words) as info:
        L.liability(scenario(), runner=OLD_1000, **args)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------
def _args(*argv):
    ap = argparse.ArgumentParser()
    L.add_parser(ap.add_subparsers(dest="command"))
    return ap.parse_args(["liability", *map(str, argv)])


def _write_scenario(tmp_path):
    import yaml
    raw = _deep_merge(copy.deepcopy(BASE), {"finance": {"fiscal_base_yuan": {2011: 5.0e6}}})
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_writes_the_three_files_and_its_manifest(tmp_path, capsys):
    src = _write_scenario(tmp_path)
    out = tmp_path / "liab"
    args = _args(src, "--valuation-year", 2015, "--discount-rate", 0.03, "--out", out)
    assert args.func is L.main
    assert L.main(args) == 0
    printed = capsys.readouterr().out
    assert "valued at 1 January 2015, discount rate 3 % a year" in printed
    assert "wrote" in printed and "liability.csv" in printed
    assert sorted(p.name for p in out.iterdir()) == ["indicators.csv", "liability.csv", "manifest.json", "summary.json"]
    liab = pd.read_csv(out / "liability.csv")
    assert len(liab) == 3 * 3 * 5                                      # group x horizon x level
    assert {"group", "level", "horizon", "first_year", "last_year", "years_counted", "pv_yuan"} <= set(liab.columns)
    # the levels add up to the total in every group and horizon
    lv = liab[liab.level != "total"].groupby(["group", "horizon"]).pv_yuan.sum()
    tot = liab[liab.level == "total"].set_index(["group", "horizon"]).pv_yuan
    pd.testing.assert_series_equal(lv.sort_index(), tot.sort_index(), check_names=False, rtol=1e-9)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["valuation_year"] == 2015 and summary["discount_rate_pa"] == 0.03
    assert summary["pv_government_total_cost_yuan"]["open"]["to_horizon"] == pytest.approx(
        tot[("open", "to_horizon")], rel=1e-12)
    assert summary["fiscal_base"]["share_in_valuation_year"] > 0 and summary["gdp"] is None
    ind = pd.read_csv(out / "indicators.csv")
    assert ind["year"].tolist() == list(range(2011, 2031))
    made = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert made["written_by"]["command"] == "liability" and made["identity_failures"] == []
    assert sorted(made["files"]) == ["indicators.csv", "liability.csv", "summary.json"]
    # again: its own earlier output is replaced; a folder holding something else is refused
    assert L.main(args) == 0
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match="notes.txt"):
        L.main(args)


def test_cli_refuses_a_bad_question_before_writing_anything(tmp_path):
    src = _write_scenario(tmp_path)
    out = tmp_path / "x"
    with pytest.raises(ScenarioError, match="--valuation-year 2040: must lie in the projection"):
        L.main(_args(src, "--valuation-year", 2040, "--out", out))
    with pytest.raises(ScenarioError, match="--discount-rate 2.5"):
        L.main(_args(src, "--valuation-year", 2015, "--discount-rate", 2.5, "--out", out))
    assert not out.exists()


# --------------------------------------------------------------------------
# The national scenario (the README example)
# --------------------------------------------------------------------------
@pytest.mark.slow  # two 90-year projections of the staged national scheme (about 3.5 s)
def test_the_readme_example_national_2025(tmp_path, capsys):
    out = tmp_path / "national"
    args = _args(ROOT / "scenarios" / "national.yaml", "--valuation-year", 2025, "--out", out)
    assert L.main(args) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    pv = s["pv_government_total_cost_yuan"]
    for h in ("30y", "75y", "to_horizon"):
        assert pv["open"][h] > pv["closed"][h] > 0
        assert pv["open"][h] == pytest.approx(pv["closed"][h] + pv["new_entrants"][h], rel=1e-12)
    assert s["horizons"][1] == {"horizon": "75y", "first_year": 2025, "last_year": 2098, "years_counted": 74,
                                "truncated": True}
    ind = pd.read_csv(out / "indicators.csv").set_index("year")
    # the share of GDP in 2024 by hand from the shipped table: the cost over 134,806.6 billion yuan
    assert ind.loc[2024, "cost_share_of_gdp"] == pytest.approx(
        ind.loc[2024, "government_total_cost_open_yuan"] / 134_806.6e9, rel=1e-12)
    assert 0.002 < ind.loc[2024, "cost_share_of_gdp"] < 0.006
    # the closed group: nobody joins from 2025, and its members never rise
    scen = load_scenario(ROOT / "scenarios" / "national.yaml")
    closed = project(L.closed_group_scenario(scen, 2025), detail=False).annual.set_index("year")
    assert (closed.loc[2025:, "entrants"] == 0).all()
    assert (np.diff(closed.loc[2024:, "members"].to_numpy()) <= 0).all()
    assert s["pooled_fund"]["open"]["backstop_first_year"] is not None
