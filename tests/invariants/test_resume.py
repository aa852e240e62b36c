"""Starting the backcast later from the state an earlier run reached (issue 13, robustness): the
engine's state is everything it carries, and the rules count years from the scheme's start."""
import numpy as np
import pytest

from model import load_scenario
from model.engine.project import project, project_from, state_on
from model.parameters import resolve
from model.scenario import with_overrides
from conftest import ROOT

COLUMNS = ["members", "pensioners", "fund_income", "fund_expenditure", "fund_balance",
           "contributions_personal", "government_total_cost", "longevity_gap_paid", "population"]


@pytest.mark.slow   # the full suite runs it; make quick stays under a minute
@pytest.mark.parametrize("start", [2011, 2014])
def test_national_2021_is_the_same_started_in_2009_2011_or_2014(start):
    # the staged national scenario (stages from 2009-10, 2010-07, 2011-07, 2012-07): resumed in
    # 2011 two stages carry their state and two start as usual; in 2014 all four carry theirs
    scen = with_overrides(load_scenario(ROOT / "scenarios" / "national.yaml"), {"scheme": {"horizon_years": 13}})
    full = project(scen, detail=False).annual.set_index("year")
    resumed = project_from(scen, start).annual.set_index("year")
    assert list(resumed.index) == list(range(start, 2022))
    change = (resumed.loc[2021, COLUMNS] / full.loc[2021, COLUMNS] - 1).abs()
    assert (change < 0.01).all(), change                    # the goal: under 1 %
    np.testing.assert_allclose(resumed[COLUMNS], full.loc[start:, COLUMNS], rtol=1e-12)


def test_a_resumed_run_keeps_counting_years_from_the_scheme_start():
    # beibei (D3, 2011): the 45+ at the start need min(15, years to 60) (RULES.md §9), the lump
    # sum window and the first-year month weights all count from 2011, not from 2016
    scen = with_overrides(load_scenario(ROOT / "scenarios" / "beibei_2011.yaml"), {"scheme": {"horizon_years": 15}})
    P = resolve(scen)
    full = project(P, detail=False).annual.set_index("year")
    carried = {0: state_on(P, 2016)}
    resumed = project_from(scen, 2016, carried).annual.set_index("year")
    np.testing.assert_allclose(resumed.to_numpy(dtype=float), full.loc[2016:].to_numpy(dtype=float),
                               rtol=1e-12, atol=1e-6)


PAY_ON = {"contributions": {"pay_on_after_60": {"allowed": True, "share": 0.5, "up_to_age": 65}}}


def test_a_run_with_paying_on_resumes_from_its_own_state():
    scen = with_overrides(load_scenario(ROOT / "scenarios" / "beibei_2011.yaml"),
                          {"scheme": {"horizon_years": 25}} | PAY_ON)
    full = project(scen, detail=False).annual.set_index("year")
    resumed = project_from(scen, 2030).annual.set_index("year")
    assert full.loc[2030:, "members_paying_after_60"].sum() > 0
    np.testing.assert_allclose(resumed.to_numpy(dtype=float), full.loc[2030:].to_numpy(dtype=float),
                               rtol=1e-12, atol=1e-6)


def test_paying_on_introduced_later_starts_from_empty_stocks():
    # 延缴 from 2030, resumed from a run without it: nobody was paying on, so the stocks are added
    # empty, and money and people still balance from the second year resumed
    from model import checks
    base = with_overrides(load_scenario(ROOT / "scenarios" / "beibei_2011.yaml"), {"scheme": {"horizon_years": 25}})
    later = with_overrides(base, PAY_ON)
    out = project_from(later, 2030, {0: state_on(resolve(base), 2030)}).annual
    assert out["members_paying_after_60"].sum() > 0
    # only the first year resumed, whose opening is not in the table, is reported
    assert all(f.startswith("2030:") for f in checks.all_identities(out)), checks.all_identities(out)


@pytest.mark.parametrize("carried_over, rules_over, words", [
    ({}, {"benefits": {"long_contribution": [{"years_from": 16, "yuan_flat": 20}, {"years_from": 25, "yuan_flat": 40}]}},
     "17 years-paid cells but these rules need 26"),
    ({}, {"benefits": {"long_contribution": {"bands": [{"years_from": 1, "yuan_per_year": 1}],
                                             "counts_made_up_years": False}}}, "17 years-paid cells but these rules need 46"),
    (PAY_ON, {}, "kinds of pensioner"),
])
def test_a_state_that_does_not_fit_the_rules_is_refused_in_one_line(carried_over, rules_over, words):
    from model.engine.state import CarriedStateError
    base = with_overrides(load_scenario(ROOT / "scenarios" / "beibei_2011.yaml"), {"scheme": {"horizon_years": 25}})
    state = state_on(resolve(with_overrides(base, carried_over)), 2030)
    with pytest.raises(CarriedStateError, match=words):
        project_from(with_overrides(base, rules_over), 2030, {0: state})
