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
