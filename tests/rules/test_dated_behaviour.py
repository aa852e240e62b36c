"""Behaviour and policy over time (issue 13): trends, a tier mix by a ratio a year, density,
employee-scheme joining and subsidies by year, a local top-up path, the fund's own return, a
fund taken over at the start, and the Ministry's income, expenditure and balance. Hand-worked
on one cohort (tests/conftest.py's make_params: no births, no deaths unless stated)."""
import numpy as np
import pytest
from pydantic import TypeAdapter

from model import checks, project
from model.parameters import age_backward, age_forward
from model.rules import finance
from model.scenario.schema import geometric_tier_mix
from model.scenario.values import DatedPath, DatedValue
from conftest import make_params

REL = 1e-9
PATH = TypeAdapter(DatedValue)


def run(**kw):
    return project(make_params(**kw), detail=False).annual.set_index("year")


# --------------------------------------------------------------------------- trends
def test_trends_give_one_value_a_january():
    lin = PATH.validate_python({"trend": {"form": "linear", "from_year": 2010, "to_year": 2013, "start": 1.0,
                                          "rate_pa": 0.5, "reason": "test"}})
    assert lin.values == {"2010-01": 1.0, "2011-01": 1.5, "2012-01": 2.0, "2013-01": 2.5}
    exp = PATH.validate_python({"trend": {"form": "exponential", "from_year": 2010, "to_year": 2012,
                                          "start": 100.0, "rate_pa": 0.1, "reason": "test"}})
    assert list(exp.values.values()) == pytest.approx([100.0, 110.0, 121.0])
    # logistic: half way at the midpoint; 1 / (1 + e^-1) of the way a year after at steepness 1
    log = PATH.validate_python({"trend": {"form": "logistic", "from_year": 2010, "to_year": 2012, "start": 0.0,
                                          "end": 2.0, "midpoint": 2011, "rate_pa": 1.0, "reason": "test"}})
    assert log.values["2011-01"] == pytest.approx(1.0)
    assert log.values["2012-01"] == pytest.approx(2.0 / (1 + np.exp(-1.0)))


@pytest.mark.parametrize("trend, says", [
    ({"form": "logistic", "from_year": 2010, "start": 0.0, "reason": "r"}, "required for a logistic trend"),
    ({"form": "exponential", "from_year": 2010, "start": 1.0, "rate_pa": 7.0, "reason": "r"},
     "must be from -0.5 to 5 for a exponential trend"),
    ({"form": "linear", "from_year": 2012, "to_year": 2010, "start": 1.0, "reason": "r"}, "from_year"),
])
def test_a_bad_trend_is_refused_with_what_is_allowed(trend, says):
    with pytest.raises(Exception, match=says):
        PATH.validate_python({"trend": trend})


def test_a_trend_and_dated_values_together_are_refused():
    with pytest.raises(Exception, match="not allowed beside a trend"):
        PATH.validate_python({"trend": {"form": "linear", "from_year": 2010, "start": 1.0, "reason": "r"},
                              "2011": 3.0})


# --------------------------------------------------------------------------- the tier mix by a ratio
def test_geometric_tier_mix_by_hand():
    mix = geometric_tier_mix([100, 200, 500], DatedPath(values={2011: 0.5, 2013: 0.0}))
    assert mix[2011] == pytest.approx({100.0: 1 / 1.75, 200.0: 0.5 / 1.75, 500.0: 0.25 / 1.75})
    assert mix[2013] == {100.0: 1.0, 200.0: 0.0, 500.0: 0.0}


def test_payers_follow_the_years_mix_when_they_choose_each_year_d1_art7():
    # 1,000 payers aged 30; ratio 0 in 2011 (all at 100), 0.5 from 2012 with everyone choosing
    # afresh each year: 2012 pays 1,000 x (100 + 200 x 0.5 + 500 x 0.25) / 1.75 = 185,714.29
    a = run(overrides={"contributions": {"tier_mix": {"rural": {"geometric": {2011: 0.0, 2012: 0.5}},
                                                      "urban": {"geometric": 0.0}},
                                         "tier_rechoice_share": 1.0}},
            cohorts={(30, "male", "rural"): 1000})
    assert a.loc[2011, "contributions_personal"] == pytest.approx(100_000, rel=REL)
    assert a.loc[2012, "contributions_personal"] == pytest.approx(1000 * 325 / 1.75, rel=REL)


# --------------------------------------------------------------------------- density, joining, subsidies by year
def test_density_factor_moves_the_payers_by_year():
    # density 0.8, factor 1 in 2011 and 0.5 from 2012: 800 then 400 of 1,000 pay
    a = run(overrides={"contributions": {"density": 0.8, "density_factor": {2011: 1.0, 2012: 0.5}}},
            cohorts={(30, "male", "rural"): 1000})
    assert a.loc[2011, "members_paying"] == pytest.approx(800)
    assert a.loc[2012, "members_paying"] == pytest.approx(400)
    # a factor above what makes 1 is capped at a probability of 1
    b = run(overrides={"contributions": {"density": 0.8, "density_factor": 2.0}},
            cohorts={(30, "male", "rural"): 1000})
    assert b.loc[2011, "members_paying"] == pytest.approx(1000)


def test_employee_scheme_join_factor_by_year_d1_art15():
    # 10 % a year join the employee scheme from 2013 only: 1,000 members in 2012, 900 in 2013
    a = run(overrides={"eligibility": {"employee_scheme_join_rate": 0.1,
                                       "employee_scheme_join_factor": {2011: 0.0, 2013: 1.0}}},
            cohorts={(30, "male", "rural"): 1000})
    assert a.loc[2012, "joined_employee_scheme"] == 0
    assert a.loc[2013, "joined_employee_scheme"] == pytest.approx(100, rel=REL)


def test_subsidy_scale_by_year_guofa_2014_8():
    # the 30-yuan subsidy at 1 to 2012 and twice that from 2013: 30,000 then 60,000 for 1,000 payers
    over = {"subsidies": [{"name": "entry", "reference": "D1 Art. 8", "amount_by_tier": 30,
                           "paid_by": {"county": 1}, "scale": {2011: 1.0, 2013: 2.0}}]}
    a = run(overrides=over, cohorts={(30, "male", "rural"): 1000})
    assert a.loc[2012, "subsidy_contribution"] == pytest.approx(30_000, rel=REL)
    assert a.loc[2013, "subsidy_contribution"] == pytest.approx(60_000, rel=REL)


def test_a_basic_pension_part_scaled_by_a_dated_path():
    # 1,000 aged 60+ at the start; 55 a month, the part scaled by 2 from 2013: 1,320,000 a year
    over = {"benefits": {"basic_pension": [{"name": "basic", "reference": "D1 Art. 20", "monthly": 55,
                                            "scale": {2011: 1.0, 2013: 2.0}, "paid_by": {"central": 1}}]}}
    a = run(overrides=over, cohorts={(65, "male", "rural"): 1000})
    assert a.loc[2012, "basic_pension_paid"] == pytest.approx(1000 * 55 * 12, rel=REL)
    assert a.loc[2013, "basic_pension_paid"] == pytest.approx(1000 * 110 * 12, rel=REL)


# --------------------------------------------------------------------------- the fund
def test_pool_return_by_hand():
    # the fund earns 5 %, the accounts are credited 2 %: the pool keeps 5 % of its 100 and
    # 3 % of the accounts' 1,000 = 35
    assert finance.pool_return_yuan(np.array([100.0]), np.array([1000.0]), np.array([0.05]),
                                    np.array([0.02])) == pytest.approx([35.0])


def test_fund_return_above_the_credited_rate_stays_in_the_pool_and_is_income():
    # 1,000 payers of 130 a year (100 + 30); accounts credited 0, the fund earns 10 %: in 2012
    # the pool earns 10 % of the 130,000 in the accounts on 1 January
    a = run(overrides={"finance": {"fund_return_pa": 0.10}}, cohorts={(30, "male", "rural"): 1000})
    assert a.loc[2012, "interest_credited"] == 0
    assert a.loc[2012, "pooled_fund_interest"] == pytest.approx(13_000, rel=REL)
    assert a.loc[2012, "fund_income"] == pytest.approx(130_000 + 13_000, rel=REL)
    assert checks.all_identities(a.reset_index()) == []


def test_a_fund_taken_over_opens_the_pool_and_is_not_income():
    # the old rural pension's balance, 1,000,000 yuan, taken over in the first year
    a = run(overrides={"finance": {"legacy_fund_yuan": 1e6}}, cohorts={(30, "male", "rural"): 1000})
    assert a.loc[2011, "fund_taken_over"] == 1e6 and a.loc[2012, "fund_taken_over"] == 0
    assert a.loc[2011, "pooled_fund_balance"] == pytest.approx(1e6, rel=REL)
    assert a.loc[2011, "fund_income"] == pytest.approx(130_000, rel=REL)             # contributions only
    assert a.loc[2011, "fund_balance"] == pytest.approx(1e6 + 130_000, rel=REL)
    assert checks.all_identities(a.reset_index()) == []


def test_ministry_income_counts_government_money_for_the_basic_pension():
    # 1,000 pensioners of 55 a month, paid by the central government through the fund
    a = run(cohorts={(65, "male", "rural"): 1000})
    assert a.loc[2012, "fund_income"] == pytest.approx(1000 * 55 * 12, rel=REL)
    assert a.loc[2012, "fund_expenditure"] == pytest.approx(1000 * 55 * 12, rel=REL)
    assert checks.ministry_fund_identity(a.reset_index()) == []


# --------------------------------------------------------------------------- the census aged back
def test_age_backward_undoes_age_forward():
    rng = np.random.default_rng(7)
    prof = rng.uniform(100, 200, (2, 101))
    q = rng.uniform(0.001, 0.1, (2, 2, 101))
    back = age_backward(prof, q)
    # those of age 2+ after two years come back exactly (age 0 of the earlier year from the
    # profile's age 2); the new ages 0-1 are age_forward's own births, not the profile's
    assert age_forward(back, q)[:, 2:] == pytest.approx(prof[:, 2:], rel=1e-12)
    # one year by hand: 150 of age 41 after a year of q = 0.25 at 40 were 200
    one = np.full((2, 101), 150.0)
    assert age_backward(one, np.full((1, 2, 101), 0.25))[0, 40] == pytest.approx(200.0)
    # and age 0 a year before: the census's age 1 over the survival at 0
    assert age_backward(one, np.full((1, 2, 101), 0.25))[0, 0] == pytest.approx(200.0)


def test_a_fund_earning_less_than_it_credits_costs_government_not_the_gap():
    # accounts credited 3 %, the fund earns nothing: the pool pays the 3 % and, once empty,
    # government pays it in; none of that is longevity gap, and every identity holds
    a = run(overrides={"accounts": {"interest": "flat", "flat_rate_pa": 0.03}, "finance": {"fund_return_pa": 0.0}},
            cohorts={(30, "male", "rural"): 1000})
    assert a.loc[2012, "pooled_fund_interest"] == pytest.approx(-0.03 * 130_000, rel=REL)
    assert a.loc[2012, "government_to_pool"] == pytest.approx(0.03 * 130_000, rel=REL)
    assert (a["longevity_gap_from_government"] == 0).all()
    assert checks.all_identities(a.reset_index()) == []


def test_the_pool_earns_nothing_on_itself_when_the_scenario_says_so():
    assert finance.pool_return_yuan(np.array([100.0]), np.array([1000.0]), np.array([0.05]),
                                    np.array([0.02]), pool_earns=False) == pytest.approx([30.0])


def test_a_dated_factor_must_cover_the_start(tmp_path):
    # before its first date a path would be 0: a basic pension scaled by nothing, nobody paying
    from model import ScenarioError, load_scenario
    from conftest import ROOT
    for key, value in (("contributions", "{density_factor: {2015: 1.0}}"),
                       ("finance", "{fund_return_pa: {2017: 0.05}}")):
        f = tmp_path / "x.yaml"
        f.write_text(f"extends: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\n{key}: {value}\n", encoding="utf-8")
        with pytest.raises(ScenarioError, match="the first date is 20.. but the scheme starts 2011-07"):
            load_scenario(f)


@pytest.mark.parametrize("trend, says", [
    ({"form": "logistic", "from_year": 2010, "start": 0.0, "end": 1.0, "midpoint": 2015, "rate_pa": 0.0,
      "reason": "r"}, "must be above 0 and at most 5 for a logistic trend"),
    ({"form": "linear", "from_year": 2010, "start": 1.0, "end": 2.0, "reason": "r"}, "only a logistic trend has an end"),
    ({"form": "linear", "from_year": 2010, "start": 1.0, "reason": ""}, "at least 1 character"),
])
def test_a_trend_says_what_it_lacks(trend, says):
    with pytest.raises(Exception, match=says):
        PATH.validate_python({"trend": trend})


@pytest.mark.parametrize("mix, says", [
    ({"geometric": 0.5, 100: 0.5}, "give the shares by tier or a geometric ratio, not both"),
    ({"geometric": {"2011": 0.2, "2014-07": 0.4}}, "a tier mix changes in January"),
    ({"geometric": {"2011": 0.2, "growth_pa_after_last": 0.1}}, "does not grow after its last date"),
])
def test_a_bad_geometric_mix_is_one_clear_line(mix, says):
    from model import ScenarioError, load_scenario
    from model.scenario import with_overrides
    from conftest import ROOT
    with pytest.raises(ScenarioError, match=says) as exc:
        with_overrides(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"),
                       {"contributions": {"tier_mix": {"rural": mix}}})
    assert "\n" not in str(exc.value) and str(exc.value).startswith("override: contributions.tier_mix.rural")


def test_a_trend_out_of_range_is_named_with_the_year_and_value_it_gives(tmp_path):
    from model import ScenarioError, load_scenario
    from conftest import ROOT
    f = tmp_path / "x.yaml"
    f.write_text(f"extends: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\n"
                 "finance: {fund_return_pa: {trend: {form: linear, from_year: 2011, start: 0.02, rate_pa: 0.05, "
                 "reason: test}}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    msg = str(exc.value)
    assert "finance.fund_return_pa.trend" in msg and "the linear trend gives 0.32 in 2017" in msg
    assert "must be a yearly return from -0.3 to 0.3" in msg and "\n" not in msg
