"""Counties side by side share out the national run; roll-ups are sums (issue 14)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_scenario, project
from model.scenario import ScenarioError, with_overrides
from model.tools.counties import county_codes, project_counties, rollup
from model.tools.provinces import project_provinces

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = load_scenario(ROOT / "scenarios" / "national.yaml")
SHORT = with_overrides(NATIONAL, {"scheme": {"horizon_years": 6}})          # 2009-2014, staged


@pytest.mark.slow  # counties of the staged national scheme (make test)
def test_batched_counties_equal_counties_run_one_at_a_time():
    codes = county_codes("520000")[:5]
    res = project_counties(SHORT, codes, chunk=3)
    one = project_counties(SHORT, codes, chunk=1)
    assert sorted(res.county.unique()) == sorted(codes) and len(res) == 5 * 6
    pd.testing.assert_frame_equal(res, one, check_exact=False, rtol=1e-12)
    num = res.select_dtypes("number").drop(columns="fiscal_base")     # no fiscal base: NaN by design
    assert (res["members"] > 0).all() and np.isfinite(num).all().all()


@pytest.mark.slow  # every province of the staged national scheme (make test)
def test_provinces_under_national_rules_add_up_to_the_national_run():
    """One scheme, two routes: the national stock shared out by cohort and run unit by unit
    under the same rules gives the national run in every column (the engine is linear in
    the population; the old rural fund goes with the rural hukou people)."""
    nat = project(SHORT, detail=False).annual.set_index("year")
    res = project_provinces(SHORT, None)
    tot = res.groupby("year").sum(numeric_only=True)
    for c in ("population", "eligible", "members", "pensioners", "fund_income", "fund_expenditure",
              "fund_balance", "government_total_cost", "fund_taken_over"):
        np.testing.assert_allclose(tot[c], nat[c], rtol=1e-9, atol=1e-3, err_msg=c)


def test_counties_refuse_a_one_county_scenario():
    qiannan = load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml")
    with pytest.raises(ScenarioError, match="share out a national population"):
        project_counties(qiannan, county_codes("520000")[:2])


@pytest.mark.slow  # a two-process Dask cluster
def test_prefecture_rollup_is_the_sum_and_dask_agrees():
    codes = county_codes("520000")[:4]
    serial = project_counties(SHORT, codes, chunk=2)
    dask = project_counties(SHORT, codes, chunk=2, workers=2)
    pd.testing.assert_frame_equal(serial, dask, check_exact=True)
    pref = rollup(serial, "prefecture")
    from model.io.tables import county_table
    census = county_table()
    names = serial.county.map(census.province_zh) + "/" + serial.county.map(census.prefecture_zh)
    assert names.notna().all()
    for (p, y), grp in serial.assign(p=names).groupby(["p", "year"]):
        row = pref[(pref.prefecture == p) & (pref.year == y)].iloc[0]
        assert row["government_total_cost"] == pytest.approx(grp["government_total_cost"].sum(), rel=1e-12)
    # every lowest-level unit, development zones included ("Z" codes), adds up to the country
    t = county_table().set_index("admin_code")
    codes = county_codes()
    assert len(codes) > 2900 and any(c.startswith("Z") for c in codes)
    assert t.loc[codes, "pop_total_persons"].sum() == 1_409_778_724


@pytest.mark.slow  # every county of China 2009-2035 on two workers: about 70 s
def test_all_counties_with_their_provinces_numbers_add_up_to_the_national_run():
    """One scheme, two routes (issue 14): the 2,989 counties, each with its province's numbers
    (scenarios/provinces.csv), summed, against national.yaml run alone: members, pensioners,
    fund income, expenditure and balance within 2 % in every year 2014-2035 (the suite's time
    limit: docs/COUNTIES.md gives the gaps to 2050, measured once). And the done
    means of the fit: the counties summed by province meet each province's share of the 2024
    members within 2 % at the median."""
    from model.tools import provinces as PV
    scen = with_overrides(NATIONAL, {"scheme": {"horizon_years": 27}})
    nat = project(scen, detail=False).annual.set_index("year").loc[2014:]
    res = project_counties(scen, county_codes(), workers=2, provinces=PV.read_table())
    tot = res.groupby("year").sum(numeric_only=True).loc[2014:]
    for c in ("members", "pensioners", "fund_income", "fund_expenditure", "fund_balance", "government_total_cost"):
        gap = (tot[c] / nat[c] - 1).abs()
        assert gap.max() < 0.02, (c, gap.idxmax(), float(gap.max()))
    by = rollup(res[res["year"] == 2024], "province").set_index("province")["members"]
    want = PV.inputs().set_index("province")["target_share_2024"].reindex(by.index)
    err = ((by / by.sum()) / want - 1).abs()
    assert err.median() < 0.02 and err.max() < 0.10
