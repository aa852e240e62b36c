"""Each province's numbers on top of the national scenario (issue 14; docs/COUNTIES.md)."""
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_scenario, project
from model.parameters import resolve
from model.scenario import ScenarioError, with_overrides
from model.tools import provinces as PV

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = load_scenario(ROOT / "scenarios" / "national.yaml")


def test_scaled_odds_by_hand():
    # odds 1 (share 0.5) times 3 -> odds 3 -> share 0.75; share 0.9 (odds 9) times 1/9 -> 0.5
    assert PV.scaled_odds(np.array(0.5), 3.0) == pytest.approx(0.75)
    assert PV.scaled_odds(np.array(0.9), 1 / 9) == pytest.approx(0.5)
    assert PV.scaled_odds(np.array([0.0, 1.0]), 5.0).tolist() == [0.0, 1.0]     # never past everyone


def test_province_parameters_scale_the_not_eligible_and_the_top_up():
    scen = with_overrides(NATIONAL, {"scheme": {"horizon_years": 16}})
    P = resolve(scen)
    Q = PV.province_parameters(P, employee_ratio=1.5, top_up_ratio=2.0, enrolment_factor=1.0,
                               enrolment_factor_60=1.0)
    # rural 16-59: eligible 0.8 nationally (national_2012.yaml): odds of not 0.2/0.8 = 0.25, x 1.5
    # = 0.375 -> not 0.375/1.375 = 0.2727 -> eligible 0.7273; urban 0.25: odds 3 x 1.5 = 4.5 ->
    # not 4.5/5.5 -> eligible 1/5.5 = 0.1818 (a plain multiple would have left none)
    assert Q.eligible_share[30, 0] == pytest.approx(1 - 0.375 / 1.375)
    assert Q.eligible_share[30, 1] == pytest.approx(1 / 5.5)
    # 2024 (index 15): 123 national minimum + 2 x the fitted local top-up
    parts = {k: v[15].sum() / 12 for k, v in PV.basic_pension_parts(scen, P.years).items()}
    assert Q.basic_monthly_by_level[15].sum() / 12 == pytest.approx(
        parts["national_minimum"] + 2 * parts["local_top_up"] + parts["arrears_of_the_2014_raise"])
    assert parts["national_minimum"] == pytest.approx(123.0)
    np.testing.assert_allclose(Q.enrol_target, P.enrol_target)               # factor 1: unchanged
    R = PV.province_parameters(P, 1.0, 1.0, 3.0, 1.0)
    s = P.enrol_target[15, 30, 0]                                            # under 60: odds x 3
    assert R.enrol_target[15, 30, 0] == pytest.approx(3 * s / (1 - s + 3 * s))
    assert R.enrol_target[15, 70, 0] == pytest.approx(P.enrol_target[15, 70, 0])   # 60+: their own factor


def test_the_provinces_centre_makes_their_eligible_and_targets_add_up_to_the_nations():
    """One multiplier per age and area on the odds of not being eligible, one per year, age and
    area on the enrolment targets' odds, common to all provinces: with them the provinces'
    eligible people (first year) and target members (every year) add up to the nation's, and
    their 60+ people's average top-up ratio is that of 2024 in every year."""
    from model.tools.counties import stages_of, start_populations
    scen = with_overrides(NATIONAL, {"scheme": {"horizon_years": 20}})
    table = PV.read_table()
    codes, reg, urban = PV.province_units()
    stages = stages_of(scen)
    P = stages[0][2]
    people = PV.province_people(P, start_populations(stages, reg, urban)[0])    # (year, prov, age, area)
    np.testing.assert_allclose(people.sum(axis=1)[0], P.population0[0].sum(axis=1), rtol=1e-9)
    mid = PV.centre(P, people, table.loc[codes], codes)
    assert mid.enrol.shape == P.enrol_target.shape and mid.top_up.shape == P.years.shape
    Qs = [PV.province_parameters(P, *PV.numbers(table.loc[c]), mid, c) for c in codes]
    elig = np.stack([Q.eligible_share for Q in Qs])                          # (prov, age, area)
    np.testing.assert_allclose((people[0] * elig).sum(axis=0)[16:], (P.eligible_share * people[0].sum(axis=0))[16:],
                               rtol=1e-9)
    target = np.stack([Q.enrol_target for Q in Qs], axis=1)                  # (year, prov, age, area)
    got = (people * elig[None] * target).sum(axis=1)
    want = people.sum(axis=1) * P.eligible_share[None] * P.enrol_target
    reach = (people * elig[None]).sum(axis=1) > want * (1 + 1e-9)            # not everyone needed
    np.testing.assert_allclose(got[reach], want[reach], rtol=1e-8)
    assert reach[:, 16:].mean() > 0.95
    # without it the provinces' targets do not add up (the odds scaling is not additive)
    plain = np.stack([PV.province_parameters(P, *PV.numbers(table.loc[c])).enrol_target for c in codes], axis=1)
    assert np.abs((people * elig[None] * plain).sum(axis=1)[reach] / want[reach] - 1).max() > 0.05
    assert mid.top_up[2024 - 2009] == 1.0 and 0.8 < mid.top_up.min() and mid.top_up.max() < 1.25
    with pytest.raises(ValueError, match="needs the province's code"):
        PV.province_parameters(P, *PV.numbers(table.loc["110000"]), mid)
    # a year with no one to enrol (a scheme closed from 2020): multipliers 1, never inf or NaN
    closed = replace(P, enrol_target=np.where(P.years[:, None, None] >= 2020, 0.0, P.enrol_target))
    shut = PV.centre(closed, people, table.loc[codes], codes)
    assert shut.top_up[11:].tolist() == [1.0] * 9 and np.isfinite(shut.top_up).all()
    assert all(np.isfinite(a).all() for pair in shut.paid.values() for a in pair)
    np.testing.assert_allclose(shut.paid[None][0][11:], 1.0)


def test_the_provinces_centre_does_not_depend_on_how_far_the_run_goes():
    """The top-ups are set in 2024: a run that ends before it still reaches it for the centre;
    a run that starts after it is refused (the province numbers need the scheme's history)."""
    from model.tools.counties import stages_of, start_populations
    table = PV.read_table()
    codes, reg, urban = PV.province_units()
    mids = []
    for years in (10, 18):
        stages = stages_of(with_overrides(NATIONAL, {"scheme": {"horizon_years": years}}))
        mids.append(PV.centre_of(stages, start_populations(stages, reg, urban)[0], codes, table))
    np.testing.assert_allclose(mids[0].top_up[:10], mids[1].top_up[:10], rtol=1e-12)
    np.testing.assert_allclose(mids[0].enrol[:10], mids[1].enrol[:10], rtol=1e-12)
    late = with_overrides(NATIONAL, {"scheme": {"start": "2030-01", "rollout": None, "horizon_years": 5}})
    stages = stages_of(late)
    with pytest.raises(ScenarioError, match="starts in 2030"):
        PV.centre_of(stages, start_populations(stages, reg, urban)[0], codes, table)


def test_a_provinces_own_tiers_are_paid_at_the_national_mix_by_rank():
    # national tiers 100/200/300 chosen by 50/30/20 %, subsidies 30/30/60: 170 yuan paid and 36
    # subsidy per payer. A province's 1000/2000 with 60/90: rank 1 pays 1000, ranks 2 and 3 its
    # top, 2000: 0.5 x 1000 + 0.5 x 2000 = 1500 (8.8235 times), subsidy 0.5 x 60 + 0.5 x 90 = 75
    # (2.0833 times); from 2025 only
    from types import SimpleNamespace
    mix = np.broadcast_to(np.array([0.5, 0.3, 0.2]), (2, 2, 3))
    sub = np.zeros((2, 4, 2, 3))
    sub[:, 1] = [30.0, 30.0, 60.0]
    P = SimpleNamespace(years=np.array([2024, 2025]), tier_mix=mix, tier_allowed=np.ones((2, 3), bool),
                        tier_yuan=np.broadcast_to(np.array([100.0, 200.0, 300.0]), (2, 3)), subsidy_by_level=sub,
                        on_behalf_by_level=np.zeros_like(sub))
    pay, subsidy = PV.ladder_ratios(P, np.array([1000.0, 2000.0]), np.array([60.0, 90.0]), 2025)
    np.testing.assert_allclose(pay, [[1.0, 1.0], [1500 / 170, 1500 / 170]])
    np.testing.assert_allclose(subsidy, [[1.0, 1.0], [75 / 36, 75 / 36]])


def test_a_users_own_tiers_move_the_provinces_payments_and_the_rest_keep_the_national_average(tmp_path):
    """Guizhou's own tiers at twice the national ones from 2020 (a user's file): its payments per
    payer are twice the others' from 2020 and the same before; the other provinces' move a
    little the other way, so the payers' average is the nation's."""
    from model.tools.counties import stages_of, start_populations
    mine = tmp_path / "mine.csv"
    mine.write_text("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n"
                    "520000,200;400;600;800;1000;1200;1400;1600;1800;2000;3000;4000,"
                    "60;60;60;60;120;120;120;120;120;120;120;120,2020\n", encoding="utf-8")
    table = PV.with_overrides(PV.read_table(), mine)
    assert table.loc["520000", "ladder_from_year"] == 2020 and table.loc["110000", "tiers_yuan"].startswith("1000;")
    scen = with_overrides(NATIONAL, {"scheme": {"horizon_years": 16}})
    codes, reg, urban = PV.province_units()
    stages = stages_of(scen)
    mid = PV.centre_of(stages, start_populations(stages, reg, urban)[0], codes, table)
    P = stages[0][2]
    gz = PV.province_parameters(P, *PV.numbers(table.loc["520000"]), mid, "520000")
    hn = PV.province_parameters(P, *PV.numbers(table.loc["410000"]), mid, "410000")
    ratio = gz.personal[:, 0, 0] / hn.personal[:, 0, 0]
    np.testing.assert_allclose(ratio[:11], 1.0)                        # 2009-2019: the national tiers
    # 2020 on: twice (the lowest tier paid for the severely disabled twice too: 99/199 -> 198/398)
    np.testing.assert_allclose(ratio[11:], 2.0, rtol=1e-9)
    np.testing.assert_allclose(gz.subsidy_by_level[11:].sum(axis=1) / hn.subsidy_by_level[11:].sum(axis=1), 2.0, rtol=1e-9)
    assert 0.9 < hn.personal[15, 0, 0] / P.personal[15, 0, 0] < 0.99   # the others pay less (to 2024: Guizhou only)
    # more tiers than the nation's twelve cannot keep the national mix by rank: refused
    many = tmp_path / "many.csv"
    many.write_text("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n520000,"
                    + ";".join(str(100 * k) for k in range(1, 14)) + "," + ";".join(["30"] * 13) + ",2020\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match="province 520000: 13 tiers in tiers_yuan; at most the national scenario's 12"):
        PV.centre_of(stages, start_populations(stages, reg, urban)[0], codes, PV.with_overrides(PV.read_table(), many))


@pytest.mark.slow   # 31 provinces 2009-2024 (a calibration check)
def test_the_shipped_table_meets_each_provinces_share_of_2024_members():
    table = PV.read_table()
    assert len(table) == 31 and list(table.columns) == list(PV.COLUMNS[1:])
    res = PV.project_provinces(NATIONAL, table, 2024)
    got = res[res["year"] == 2024].set_index("province_code")["members"]
    want = PV.inputs().set_index("province_code")["target_share_2024"]
    err = (got / got.sum()) / want - 1
    assert float(err.abs().max()) < 2e-3
    nat = project(with_overrides(NATIONAL, {"scheme": {"horizon_years": 16}}), detail=False).annual
    assert got.sum() == pytest.approx(float(nat.set_index("year").loc[2024, "members"]), rel=2e-3)


@pytest.mark.slow   # 31 provinces 2009-2050
def test_one_scheme_two_routes_with_each_provinces_numbers():
    """The provinces' sum against national.yaml run alone: within 2 % in every year 2014-2050
    (the issue's goal; all 2,989 counties summed: tests/scale/test_counties.py)."""
    scen = with_overrides(NATIONAL, {"scheme": {"horizon_years": 42}})
    nat = project(scen, detail=False).annual.set_index("year").loc[2014:]
    res = PV.project_provinces(scen, PV.read_table())
    tot = res.groupby("year").sum(numeric_only=True).loc[2014:]
    gap = {c: float((tot[c] / nat[c] - 1).abs().max()) for c in
           ("population", "members", "pensioners", "fund_income", "fund_expenditure", "fund_balance",
            "government_total_cost")}
    assert gap["population"] < 1e-9 and gap["members"] < 0.005 and gap["pensioners"] < 0.005
    assert max(gap.values()) < 0.02, gap
    # a year's numbers do not depend on how far the run goes
    short = PV.project_provinces(with_overrides(NATIONAL, {"scheme": {"horizon_years": 16}}), PV.read_table())
    pd.testing.assert_frame_equal(res[res["year"] == 2024].reset_index(drop=True),
                                  short[short["year"] == 2024].reset_index(drop=True), rtol=1e-9)


def test_a_users_own_values_override_some_provinces(tmp_path):
    table = PV.read_table()
    mine = tmp_path / "mine.csv"
    mine.write_text("province_code,top_up_ratio,enrolment_factor\n520000,3.5,\n", encoding="utf-8")
    out = PV.with_overrides(table, mine)
    assert out.loc["520000", "top_up_ratio"] == 3.5
    both = tmp_path / "both.csv"                       # one enrolment factor: the 60+ take it too
    both.write_text("province_code,enrolment_factor\n520000,0.5\n", encoding="utf-8")
    assert PV.with_overrides(table, both).loc["520000", ["enrolment_factor", "enrolment_factor_60"]].tolist() == [0.5, 0.5]
    assert out.loc["520000", "enrolment_factor"] == table.loc["520000", "enrolment_factor"]   # empty: kept
    pd.testing.assert_frame_equal(out.drop(index="520000"), table.drop(index="520000"))


@pytest.mark.parametrize("text, message", [
    ("province_code,top_up_ratio\n529999,1\n", "line 2, province_code = '529999': not a province"),
    ("province_code,top_up_ratio\n520000,abc\n", "line 2, top_up_ratio = 'abc': give a number from 0 to 100"),
    ("# my numbers\n\nprovince_code,top_up_ratio\n520000,1\n530000,abc\n", "line 5, top_up_ratio = 'abc'"),
    ("province_code,enrolment_factor\n520000,-1\n", "line 2, enrolment_factor = -1"),
    ("code,top_up_ratio\n520000,1\n", "column 'province_code' missing"),
    ("province_code,topup_ratio\n520000,1\n", "column 'topup_ratio' is not a province number"),
    ("province_code,top_up_ratio\n520000,1\n520000,2\n", "line 3, province_code = '520000': given twice (also line 2)"),
    ("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n520000,300;200,40;50,2025\n",
     "line 2, tiers_yuan = '300;200': the tiers must be above 0, rising"),
    ("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n520000,200;300,40,2025\n",
     "line 2, subsidies_yuan = '40': 1 amounts for 2 tiers"),
    ("province_code,tiers_yuan,subsidies_yuan\n520000,200;300,40;50\n", "line 2: ladder_from_year is empty"),
    ("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n520000,200;3OO,40;50,2025\n",
     "line 2, tiers_yuan = '200;3OO': give the tiers, rising, in yuan a year"),
    ("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n520000,200;1e300,40;50,2025\n",
     "line 2, tiers_yuan = '200;1e300': the tiers must be above 0, rising and at most 100,000 yuan a year"),
    ("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n520000,200;300,40;5e9,2025\n",
     "line 2, subsidies_yuan = '40;5e9': at most 100,000"),
    ("province_code,tiers_yuan,subsidies_yuan,ladder_from_year\n520000,200;300,40;50,1990\n",
     "line 2, ladder_from_year = 1990: give a year from 2009 to 2100"),
    ("", "cannot read the province overrides"),
])
def test_a_wrong_override_file_is_refused_in_one_line(tmp_path, text, message):
    mine = tmp_path / "mine.csv"
    mine.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(message)) as e:
        PV.with_overrides(PV.read_table(), mine)
    assert str(mine) in str(e.value) and "\n" not in str(e.value)


@pytest.mark.slow   # a real subprocess: the full suite runs it, make quick stays under a minute
def test_counties_command_takes_a_users_province_file_and_refuses_a_bad_one(cli, tmp_path):
    scen = ROOT / "scenarios" / "china_counties.yaml"
    bad = tmp_path / "mine.csv"
    bad.write_text("province_code,top_up_ratio\n520000,lots\n", encoding="utf-8")
    r = cli("counties", scen, "--province", "520000", "--limit", "1", "--provinces", bad, "--out", tmp_path / "o")
    assert r.returncode == 2 and "top_up_ratio = 'lots'" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()                       # nothing written
    r = cli("counties", scen, "--province", "520000", "--limit", "1", "--provinces", bad, "--national-rules",
            "--out", tmp_path / "o")
    assert r.returncode == 2 and "not both" in r.stderr
    good = tmp_path / "good.csv"
    good.write_text("province_code,top_up_ratio\n520000,3\n", encoding="utf-8")
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {ROOT / 'scenarios' / 'national.yaml'}\nscheme: {{horizon_years: 6}}\n", encoding="utf-8")
    r = cli("counties", short, "--province", "520000", "--limit", "1",
            "--provinces", good, "--workers", "0", "--out", tmp_path / "g")
    assert r.returncode == 0, r.stderr
    import json
    man = json.loads((tmp_path / "g" / "manifest.json").read_text(encoding="utf-8"))
    assert man["province_table"]["overrides"] == str(good.resolve())
    prov = pd.read_parquet(tmp_path / "g" / "provinces.parquet")
    assert {"fund_income", "fund_expenditure", "fund_balance"} <= set(prov.columns)


def test_a_broken_province_table_is_refused_in_one_line(tmp_path):
    text = PV.TABLE.read_text(encoding="utf-8")
    bad = tmp_path / "provinces.csv"
    bad.write_text(text.replace(",2025\n", ",twenty25\n", 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match="ladder_from_year = 'twenty25': give a year from 2009 to 2100"):
        PV.read_table(bad)
    bad.write_text("\n".join(ln for ln in text.splitlines() if not ln.startswith("520000")) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="province 520000 is missing; a province table has one row for each of the 31"):
        PV.read_table(bad)


def test_the_shipped_table_was_fitted_to_the_shipped_national_scenario(tmp_path):
    assert PV.stale() is None                      # else: python -m model calibrate provinces --write
    old = tmp_path / "provinces.csv"
    old.write_text(PV.TABLE.read_text(encoding="utf-8").replace(PV._national_sha(), "0" * 64), encoding="utf-8")
    assert "calibrate provinces --write" in PV.stale(old)
    pd.testing.assert_frame_equal(PV.read_table(old), PV.read_table())   # the header is only a comment
