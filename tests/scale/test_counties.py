"""Counties side by side on the batch axis equal one-county runs; roll-ups are sums."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_scenario, project
from model.tools.counties import county_codes, project_counties
from model.tools.counties import rollup
from model.scenario import with_overrides

ROOT = Path(__file__).resolve().parents[2]
BASE = with_overrides(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"),
                      {"scheme": {"start": "2021-01", "horizon_years": 6}})


def one_county(code):
    t = pd.read_csv(ROOT / "model" / "data" / "raw" / "county_census_2020.csv",
                    dtype={"admin_code": str}).set_index("admin_code").loc[code]
    scen = with_overrides(BASE, {"population": {
        "profile": f"census2020:county:{code}", "total": None, "profile_year": None,
        "area_totals": {"rural": int(t.pop_rural_xiangcun_persons), "urban": int(t.pop_urban_chengzhen_persons)}}})
    return project(scen, detail=False).annual


def test_batched_counties_equal_one_county_projections():
    codes = county_codes("520000")[:5]
    res = project_counties(BASE, codes, chunk=3)
    assert sorted(res.county.unique()) == sorted(codes) and len(res) == 5 * 6
    for code in codes[:2]:
        solo = one_county(code)
        got = res[res.county == code].reset_index(drop=True)
        for col in ("population", "members", "government_total_cost", "account_fund_balance"):
            np.testing.assert_allclose(got[col], solo[col], rtol=1e-10)


@pytest.mark.slow  # a two-process Dask cluster
def test_prefecture_rollup_is_the_sum_and_dask_agrees():
    codes = county_codes("520000")[:4]
    serial = project_counties(BASE, codes, chunk=2)
    dask = project_counties(BASE, codes, chunk=2, workers=2)
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
    from model.io.tables import county_table
    t = county_table().set_index("admin_code")
    codes = county_codes()
    assert len(codes) > 2900 and any(c.startswith("Z") for c in codes)
    assert t.loc[codes, "pop_total_persons"].sum() == 1_409_778_724
