"""The report notebooks' logic, moved into model/report/ functions, with hand-worked cases."""
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from model import dims, load_scenario
from model.report.budget import budget_by_year, budget_windows, first_budget_year, horizon_to
from model.report.variants import (dated_from_start, indexation_changes, interest_changes, scaled_enrolment,
                                   shifted_tier_mix, simple_tier_mix, target_changes)
from model.scenario import with_overrides

ROOT = Path(__file__).resolve().parents[2]
QIUBEI = load_scenario(ROOT / "scenarios" / "qiubei_2011.yaml")


def test_targets_given_as_years_after_the_start_d3_s4_5():
    # D3 §4(五): 40 % in the first year, 65 % in the second, 90 % aimed at
    assert dated_from_start({"Y0": 0.40, "Y1": 0.65, "Y2": 0.90, 2020: 0.95}, 2011) == \
        {2011: 0.40, 2012: 0.65, 2013: 0.90, 2020: 0.95}
    assert target_changes({"rate_path": {"Y1": 0.7}}, 2014) == {"enrolment": {"rate_path": {2015: 0.7}}}
    with pytest.raises(ValueError, match="give rate_path"):
        target_changes({"rate": 1}, 2011)


def test_shifting_payers_one_tier_up_moves_at_most_the_lowest_tiers_share():
    # rural 100: 0.85, 200: 0.07 ...; moving 0.10 gives 100: 0.75, 200: 0.17; moving 0.9 moves all 0.85
    scen = with_overrides(QIUBEI, {"contributions": {"tier_mix": {"rural": {100: 0.85, 200: 0.07, 300: 0.08}}}})
    mix = shifted_tier_mix(scen, 0.10)["contributions"]["tier_mix"]["rural"][1900]
    assert mix == pytest.approx({100.0: 0.75, 200.0: 0.17, 300.0: 0.08})
    mix = shifted_tier_mix(scen, 0.9)["contributions"]["tier_mix"]["rural"][1900]
    assert mix == pytest.approx({200.0: 0.92, 300.0: 0.08})
    with_overrides(scen, shifted_tier_mix(scen, 0.9))                    # a valid scenario


def test_stylised_tier_mixes():
    lowest = simple_tier_mix(QIUBEI, "lowest")["contributions"]["tier_mix"]
    shift = simple_tier_mix(QIUBEI, "shift")["contributions"]["tier_mix"]
    assert lowest["rural"] == {100: 1.0} and shift["rural"] == {100: 0.5, 200: 0.3, 300: 0.2}


def test_enrolment_and_interest_and_indexation_variants():
    # Qiubei's targets 1.0 / 1.2 / 1.35 raised by 10 %: 1.1 / 1.32 / 1.485
    got = scaled_enrolment(QIUBEI, 0.10)["enrolment"]["rate_path"]
    assert list(got.values()) == pytest.approx([v * 1.1 for v in QIUBEI.enrolment.rate_path.values.values()])
    # a rate of 1.5 % lowered by 2 points is floored at 0 (the deposit rate was never negative)
    assert interest_changes([2011, 2012], [0.035, 0.015], -0.02)["accounts"]["rate_path"] == \
        pytest.approx({2011: 0.015, 2012: 0.0})
    parts = indexation_changes(QIUBEI, 0.01)["benefits"]["basic_pension"]
    assert [p["monthly"]["growth_pa_after_last"] for p in parts] == \
        pytest.approx([p.monthly.growth_pa_after_last + 0.01 for p in QIUBEI.benefits.basic_pension])


def test_budget_year_defaults_to_next_year_within_the_projection():
    years = range(2011, 2031)
    assert first_budget_year(None, years, today=dt.date(2026, 12, 4)) == 2027
    assert first_budget_year(2040, years) == 2030 and first_budget_year(2000, years) == 2011
    assert horizon_to(2100, 2011) == 90 and horizon_to(2000, 2011) == 1


def test_budget_windows_sum_the_levels_and_the_total():
    # two years, each level paying 1, 2, 3, 4 (+ 10 a year more in the second year): totals by hand
    years = [2027, 2028]
    a = pd.DataFrame(index=years)
    for i, lv in enumerate(dims.LEVELS, start=1):
        a[f"contribution_subsidy_{lv}"] = [i, i + 10]
        a[f"basic_pension_{lv}"] = [10 * i, 10 * i]
        a[f"subsidy_{lv}"] = [11 * i, 11 * i + 10]
    a["government_total_cost"] = a[[f"subsidy_{lv}" for lv in dims.LEVELS]].sum(axis=1)
    a["subsidy_contribution"] = a[[f"contribution_subsidy_{lv}" for lv in dims.LEVELS]].sum(axis=1)
    a["basic_pension_paid"] = a[[f"basic_pension_{lv}" for lv in dims.LEVELS]].sum(axis=1)
    a["members"] = [100, 0]
    b = budget_by_year(a, 2027)
    assert b["cost_per_member"].iloc[0] == pytest.approx(110 / 100) and pd.isna(b["cost_per_member"].iloc[1])
    names = {lv: lv for lv in dims.LEVELS}
    w = budget_windows(b, a, 2027, names, "total", windows=(1, 5)).set_index(["years", "level"])
    assert w.loc[("2027", "county"), "government_total_cost"] == 44
    assert w.loc[("2027-2028", "county"), "contribution_subsidy"] == 4 + 14
    assert w.loc[("2027-2028", "total"), "government_total_cost"] == 110 + 150     # 11*(1+2+3+4) + 40
    assert w.loc[("2027-2028", "total"), "basic_pension_paid"] == 200


def test_report_tables_hand_worked():
    from model.report.tables_of import long_run, pensions_at_60, sensitivity, side_by_side, variant_effects
    years = [2011, 2012]
    base = pd.DataFrame({"members": [100, 200], "contributions_personal": [1e4, 2e4], "subsidy_county": [500.0, 800.0],
                         "government_total_cost": [3e3, 5e3], "new_pensioners_60": [10, 0],
                         "new_account_pension_monthly": [150.0, 0.0], "basic_pension_monthly_rate": [55.0, 55.0],
                         "new_pension_monthly_at_60": [70.0, 0.0]},
                        index=pd.Index(years, name="year"))
    more = base.assign(subsidy_county=[600.0, 900.0])
    # the county pays 600 - 500 = 100 more in 2011, 600 / 100 = 6 yuan per member
    v = variant_effects({"base": base, "more": more}, base, 2011).set_index("variant")
    assert v.loc["more", "subsidy_county_diff"] == 100 and v.loc["more", "county_cost_per_member"] == 6
    # 10 new pensioners with 150 yuan of account pensions: 15 a month each, 55 + 15 = 70, 15 / 55
    p = pensions_at_60({"base": base}, 2011, [0, 1, 5])
    assert p.year.tolist() == [2011, 2012]                     # year 2016 is past the projection
    assert p.iloc[0].avg_pension_at_60 == 70 and p.iloc[0].account_to_basic == pytest.approx(15 / 55)
    assert pd.isna(p.iloc[1].avg_account_pension_at_60)       # nobody turned 60
    ys, side, diff = side_by_side({"a": base, "b": more}, ["subsidy_county"])
    assert ys == years and side.scenario.tolist() == ["a", "a", "b", "b"]
    assert diff.subsidy_county_diff.tolist() == [100, 100] and diff.scenario.iloc[0] == "b − a"
    t = long_run(base.assign(basic_pension_paid=[10.0, 20.0], fiscal_base=[100.0, 400.0]))
    assert t.basic_pension_share_of_fiscal_base.tolist() == [0.1, 0.05]
    # cost 100 at the base: interest 90 / 120 -> 20 %; mortality 99 / 101 -> 1 %; sorted by change
    s = sensitivity(100.0, {"interest": (90.0, 120.0), "mortality": (99.0, 101.0)})
    assert s.parameter.tolist() == ["mortality", "interest"] and s.change.tolist() == pytest.approx([0.01, 0.2])
