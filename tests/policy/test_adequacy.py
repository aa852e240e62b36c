"""Adequacy (issue 16 §2): pensions against income and the 低保 line by year, replacement rates for a
grid of members, against numbers worked by hand (model/tools/adequacy.py)."""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json

import pandas as pd
import pytest
import yaml

from model.member.calculator import illustrate
from model.member.inputs import Member
from model.scenario import Scenario, ScenarioError, _deep_merge
from model.tools import adequacy as adq
from model.tools.adequacy import DibaoLine, income_path, indicators, replacement_grid
from conftest import BASE, ROOT

SCEN = Scenario.model_validate(copy.deepcopy(BASE))   # 2011-07, flat 0 % interest, tiers 100/200/500, subsidy 30, basic 55


# ---------------------------------------------------------------- income
def test_income_table_as_shipped_and_the_first_complete_year():
    # NBS 2024: rural 23,119, urban 54,188 (as ../shared/data/province/disposable_income_2024.csv);
    # 2013 has only the all-residents figure (18,311), so the path starts in 2014
    tab = adq.income_table()
    assert tab.loc[2024, "rural"] == 23119 and tab.loc[2024, "urban"] == 54188 and tab.loc[2024, "all"] == 41314
    assert tab.loc[2013, "all"] == 18311 and pd.isna(tab.loc[2013, "rural"])
    p = income_path([2012, 2013, 2014, 2024], growth_pa=0.05)
    assert list(p["year"]) == [2014, 2024]
    assert p.set_index("year").loc[2014, "rural_income_yuan_pa"] == 10489
    assert not p["income_projected"].any()


def test_default_growth_is_the_2019_2024_average_worked_by_hand():
    # all residents: (41,314 / 30,733)^(1/5) - 1 = 1.344288^0.2 - 1 = 6.0959 % a year
    assert adq.default_growth_pa() == pytest.approx(0.060959, abs=1e-6)


def test_income_after_2024_compounds_by_hand():
    # 5 % a year: rural 2025 = 23,119 x 1.05 = 24,274.95; 2026 = 23,119 x 1.05^2 = 25,488.6975;
    # urban 2026 = 54,188 x 1.1025 = 59,742.27
    p = income_path([2025, 2026], growth_pa=0.05).set_index("year")
    assert p.loc[2025, "rural_income_yuan_pa"] == pytest.approx(24274.95, abs=1e-6)
    assert p.loc[2026, "rural_income_yuan_pa"] == pytest.approx(25488.6975, abs=1e-6)
    assert p.loc[2026, "urban_income_yuan_pa"] == pytest.approx(59742.27, abs=1e-6)
    assert p["income_projected"].all()


@pytest.mark.parametrize("bad", [0.5, -0.2, float("nan"), "abc"])
def test_growth_outside_minus_10_to_30_percent_is_one_line(bad):
    with pytest.raises(ScenarioError) as e:
        income_path([2030], growth_pa=bad)
    assert "\n" not in str(e.value) and "-0.1 to 0.3" in str(e.value)


# ---------------------------------------------------------------- by year
def _annual():
    # a projection's columns: 2013 (before the income table), 2024 (shipped), 2026 (grown)
    return pd.DataFrame({"year": [2013, 2024, 2026], "average_monthly_pension": [100.0, 240.0, 300.0],
                         "new_pension_monthly_at_60": [90.0, 250.0, 0.0]})


def test_ratios_in_2024_worked_by_hand():
    # average 240 yuan a month: 240 x 12 = 2,880 a year; / 23,119 rural = 0.124573; / 54,188 urban = 0.053148;
    # / 7,000 rural 低保 = 0.411429; 240 / 800 urban 低保 a month = 0.3.
    # new at 60: 250 x 12 = 3,000; / 23,119 = 0.129763; / 7,000 = 0.428571; 250 / 800 = 0.3125
    d = indicators(_annual(), growth_pa=0.05, dibao=DibaoLine(7000.0, 800.0, 2024)).set_index("year")
    r = d.loc[2024]
    assert r["average_pension_to_rural_income_ratio"] == pytest.approx(0.124573, abs=1e-6)
    assert r["average_pension_to_urban_income_ratio"] == pytest.approx(0.053148, abs=1e-6)
    assert r["average_pension_to_rural_dibao_ratio"] == pytest.approx(0.411429, abs=1e-6)
    assert r["average_pension_to_urban_dibao_ratio"] == pytest.approx(0.3, abs=1e-12)
    assert r["new_pension_to_rural_income_ratio"] == pytest.approx(0.129763, abs=1e-6)
    assert r["new_pension_to_rural_dibao_ratio"] == pytest.approx(0.428571, abs=1e-6)
    assert r["new_pension_to_urban_dibao_ratio"] == pytest.approx(0.3125, abs=1e-12)
    assert list(d.index) == [2024, 2026]                   # 2013: no income figure, no row


def test_ratios_after_2024_grow_income_and_the_dibao_line_alike():
    # 2026 at 5 %: rural income 25,488.6975; 300 x 12 / 25,488.6975 = 0.141239; the rural line
    # 7,000 x 1.1025 = 7,717.5: 3,600 / 7,717.5 = 0.466472; the urban line 800 x 1.1025 = 882: 300 / 882 = 0.340136.
    # no new pensioners (0): left empty, not a ratio of 0
    d = indicators(_annual(), growth_pa=0.05, dibao=DibaoLine(7000.0, 800.0, 2024)).set_index("year")
    r = d.loc[2026]
    assert r["average_pension_to_rural_income_ratio"] == pytest.approx(0.141239, abs=1e-6)
    assert r["dibao_rural_yuan_pa"] == pytest.approx(7717.5, abs=1e-9)
    assert r["average_pension_to_rural_dibao_ratio"] == pytest.approx(0.466472, abs=1e-6)
    assert r["average_pension_to_urban_dibao_ratio"] == pytest.approx(0.340136, abs=1e-6)
    assert pd.isna(r["new_pension_monthly_at_60"]) and pd.isna(r["new_pension_to_rural_income_ratio"])
    assert bool(r["income_projected"])


def test_a_projection_starting_after_the_table_is_all_projected():
    # a scheme from 2030: 2030 rural income = 23,119 x 1.03^6 = 27,605.30 at 3 %
    a = pd.DataFrame({"year": [2030, 2031], "average_monthly_pension": [300.0, 310.0],
                      "new_pension_monthly_at_60": [320.0, 330.0]})
    d = indicators(a, growth_pa=0.03).set_index("year")
    assert d["income_projected"].all() and list(d.index) == [2030, 2031]
    assert d.loc[2030, "rural_income_yuan_pa"] == pytest.approx(23119 * 1.03 ** 6, rel=1e-12)
    assert d.loc[2030, "rural_income_yuan_pa"] == pytest.approx(27605.30, abs=0.01)


def test_a_dibao_line_no_county_has_is_one_line():
    with pytest.raises(ScenarioError) as e:
        indicators(_annual(), growth_pa=0.05, dibao=DibaoLine(-1.0, 800.0))
    assert "\n" not in str(e.value) and "--dibao-rural-yuan-pa" in str(e.value)


# ---------------------------------------------------------------- members
def test_replacement_rate_worked_by_hand_at_zero_interest():
    # born 1995-06 (60 in 2055 = 2011 + 60 - 16), enrols 2011 at 16, pays tier 100 for 15 years with the
    # subsidy 30, 0 % interest: account 15 x 130 = 1,950; 1,950 / 139 = 14.03 a month; + basic 55 = 69.03.
    # Income flat after 2024 (growth 0): 69.03 x 12 / 23,119 = 0.035830
    g = replacement_grid(SCEN, tiers=(100,), years_paid=(15,), entry_ages=(16,), sexes=("male",), growth_pa=0.0)
    assert g.attrs["pension_year"] == 2055 and g.attrs["skipped"] == []
    r = g.iloc[0]
    assert (r.birth_year, r.enrol_year, r.last_paid_year, r.first_payment) == (1995, 2011, 2025, "2055-07")
    assert r.monthly_account_yuan_pm == pytest.approx(14.03, abs=0.005)
    assert r.monthly_total_yuan_pm == pytest.approx(69.03, abs=0.005)
    assert r.rural_income_yuan_pa == 23119
    assert r.replacement_rate_rural_income == pytest.approx(0.035830, abs=1e-6)


def test_grid_rows_are_the_member_calculators_own():
    # entry at 30 paying 20 years at tier 200, a woman: the same person given to illustrate directly
    g = replacement_grid(SCEN, tiers=(200,), years_paid=(20,), entry_ages=(30,), sexes=("female",), growth_pa=0.0,
                         pension_year=2060)
    m = Member(birth_year=2000, birth_month=6, enrol_year=2030, tier=200.0, sex="female", area="rural",
               stop_after_years=20)
    s = illustrate(SCEN, m, today=dt.date(2060, 12, 31)).summary
    r = g.iloc[0]
    assert r.monthly_total_yuan_pm == s["monthly_total"] and r.monthly_account_yuan_pm == s["monthly_account_pension"]
    assert r.irr_pa == s["irr"] and r.first_payment == s["first_payment"]
    # 20 x (200 + 30) = 4,600 at 0 %: 4,600 / 139 = 33.09
    assert r.monthly_account_yuan_pm == pytest.approx(33.09, abs=0.005)


def test_impossible_combinations_are_left_out_and_said():
    # 45 + 20 - 1 = 64 > 60: cannot pay 20 years from 45 before 60. A pension year of 2040 means born 1980:
    # entering at 16 is 1996, before the 2011 start
    g = replacement_grid(SCEN, tiers=(100,), years_paid=(15, 20), entry_ages=(16, 45), sexes=("male",),
                         growth_pa=0.0, pension_year=2040)
    assert set(zip(g.entry_age, g.years_paid)) == {(45, 15)}
    sk = g.attrs["skipped"]
    assert len(sk) == 3
    assert any("entry age 45, 20 years paid" in s and "past 60" in s for s in sk)
    assert sum("before the scheme starts" in s for s in sk) == 2


def test_default_grid_has_every_tier_and_sex():
    # 16: 15, 20, 30, 40 years; 30: 15, 20, 30; 45: 15 -> 8 combinations x 3 tiers x 2 sexes
    g = replacement_grid(SCEN, growth_pa=0.0)
    assert len(g) == 8 * 3 * 2 and len(g.attrs["skipped"]) == 4
    assert sorted(g.tier_yuan_pa.unique()) == [100.0, 200.0, 500.0]
    # more years and a higher tier never give less (多缴多得, 长缴多得)
    m = g[(g.sex == "male") & (g.entry_age == 16)].pivot(index="years_paid", columns="tier_yuan_pa",
                                                          values="monthly_total_yuan_pm")
    assert (m.diff(axis=0).dropna() > 0).all().all() and (m.diff(axis=1).iloc[:, 1:] > 0).all().all()


# ---------------------------------------------------------------- command line
def _parser():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command")
    adq.add_parser(sub)
    return ap


@pytest.mark.slow   # a real subprocess: the full suite runs it, make quick stays under a minute
def test_cli_writes_the_three_files_and_a_manifest(tmp_path, capsys):
    scen = tmp_path / "base.yaml"
    scen.write_text(yaml.safe_dump(_deep_merge(copy.deepcopy(BASE), {"scheme": {"horizon_years": 20}}),
                                   allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "adq"
    args = _parser().parse_args(["adequacy", str(scen), "--out", str(out), "--income-growth", "0.04",
                                 "--dibao-rural-yuan-pa", "6000", "--lang", "en"])
    assert args.func(args) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["adequacy.csv", "adequacy.png", "manifest.json", "replacement_rates.csv"]
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["written_by"]["command"] == "adequacy" and sorted(man["files"]) == sorted(adq.WRITES)
    assert man["assumptions"]["income_growth_pa_after"] == 0.04
    assert man["assumptions"]["dibao"]["rural_yuan_pa"] == 6000
    d = pd.read_csv(out / "adequacy.csv")
    assert list(d.columns) == list(adq.VARIABLES) and d.year.iloc[0] == 2014 and d.year.iloc[-1] == 2030
    assert len(pd.read_csv(out / "replacement_rates.csv")) == 48
    assert "left out: entry age 45, 20 years paid" in capsys.readouterr().out


def test_cli_refuses_a_bad_growth_in_one_line_and_writes_nothing(tmp_path):
    scen = tmp_path / "base.yaml"
    scen.write_text(yaml.safe_dump(copy.deepcopy(BASE), allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "adq"
    args = _parser().parse_args(["adequacy", str(scen), "--out", str(out), "--income-growth", "0.5"])
    with pytest.raises(ScenarioError) as e:
        args.func(args)
    assert "\n" not in str(e.value) and str(e.value).startswith("--income-growth 0.5:")
    assert not out.exists()
    args = _parser().parse_args(["adequacy", str(scen), "--out", str(out), "--pension-year", "1990"])
    with pytest.raises(ScenarioError, match="--pension-year 1990"):
        args.func(args)
    assert not out.exists()


@pytest.mark.slow
def test_national_example_runs_end_to_end():
    """The README's example: the calibrated national scenario, default assumptions."""
    from model import load_scenario, project
    from conftest import ROOT
    scen = load_scenario(ROOT / "scenarios" / "national.yaml")
    res = adq.adequacy(scen, project(scen, detail=False).annual)
    d = res.by_year.set_index("year")
    # 2024: the engine's average pension x 12 / 23,119, whatever the calibration gives
    avg = d.loc[2024, "average_monthly_pension"]
    assert d.loc[2024, "average_pension_to_rural_income_ratio"] == pytest.approx(avg * 12 / 23119, rel=1e-12)
    assert res.pension_year == 2053 and len(res.grid) == 8 * 12 * 2



def test_a_pension_year_that_leaves_every_member_out_is_refused(tmp_path, cli):
    r = cli("adequacy", ROOT / "scenarios" / "qiubei_2011.yaml", "--pension-year", "2011", "--out", tmp_path / "a")
    assert r.returncode == 2 and "every member of the grid is left out" in r.stderr and not (tmp_path / "a").exists()
