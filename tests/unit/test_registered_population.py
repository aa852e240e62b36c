"""The registered (hukou) population of every county and its share of the national stock (issue 14)."""
import numpy as np
import pytest

from model import dims
from model.io import registered as R

NATIONAL_INFLOW = 124_837_153       # 2020 census: people whose hukou is in another province
RESIDENTS = 1_409_778_724           # 2020 census, 31 provinces


def test_outflow_equals_the_national_inflow_and_keeps_the_published_provinces():
    out = R.province_outflow().set_index("province_code")
    assert len(out) == 31
    assert out["outflow"].sum() == pytest.approx(NATIONAL_INFLOW, rel=1e-9)
    assert out.loc["410000", "outflow"] == 16_100_000 and out.loc["410000", "source"] == "published"
    assert out.loc["340000", "outflow"] == 11_520_000
    assert (out["outflow"] > 0).all()


def test_registered_population_moves_migrants_back_to_their_province():
    codes, reg, urban = R.registered_2020()
    assert len(codes) == 2989 and reg.shape == (2989, dims.N_SEX, dims.N_AGE)
    assert (reg >= 0).all() and np.isfinite(reg).all() and ((urban >= 0) & (urban <= 1)).all()
    # inflow = outflow nationally: the registered total is the residents' (less the little
    # kept back where migrants would outnumber an age's residents: MIN_LOCAL_SHARE)
    assert reg.sum() == pytest.approx(RESIDENTS, rel=2e-3)
    prov = np.array([c[:2] for c in codes])
    res = R.county_profiles(codes)
    # Henan: 99.37 m residents, 1.27 m from other provinces, 16.1 m of its own elsewhere
    henan = prov == "41"
    assert reg[henan].sum() - res[henan].sum() == pytest.approx(16_100_000 - 1_273_646, rel=0.01)
    # Shanghai: 24.87 m residents of whom 10.48 m registered elsewhere; its own outflow is small
    sh = prov == "31"
    assert 14.0e6 < reg[sh].sum() < 15.5e6


def test_migrants_are_mostly_of_working_age():
    w = R.migrant_weights()
    assert w[30] == 1.0 and w[5] == 0.5 and w[50] == 0.7 and w[70] == 0.2 and w.shape == (dims.N_AGE,)


def test_cohort_share_follows_the_cohort_back_from_2020():
    reg = np.zeros((2, dims.N_SEX, dims.N_AGE))
    reg[0, :, 30] = 30.0          # county 0: 30 people aged 30 in 2020, county 1: 10
    reg[1, :, 30] = 10.0
    reg[:, :, 19] = 5.0           # aged 19 in 2020: shared evenly
    s = R.cohort_shares(reg, 2009)            # 2009: age a is age a + 11 in 2020
    assert s.shape == (2, dims.N_AGE, dims.N_SEX)
    assert s[0, 19, 0] == pytest.approx(0.75) and s[1, 19, 1] == pytest.approx(0.25)   # 19 + 11 = 30
    assert s[0, 8, 0] == pytest.approx(0.5)                                              # 8 + 11 = 19
    assert s[:, 50, :].sum(axis=0) == pytest.approx([1.0, 1.0])   # nobody: shared evenly, still 1
    np.testing.assert_allclose(s.sum(axis=0), 1.0)


def test_raking_keeps_county_totals_and_meets_the_national_split():
    # one cell: counties of 60 and 40 people, the nation half rural; seeds 20 % and 80 % urban
    totals = np.array([60.0, 40.0])[:, None, None] * np.ones((2, dims.N_AGE, dims.N_SEX))
    national = np.full((dims.N_AGE, dims.N_SEX, dims.N_AREA), 50.0)
    x = R.rake_areas(totals, np.array([0.2, 0.8]), national)
    np.testing.assert_allclose(x.sum(axis=-1), totals, rtol=1e-9)
    np.testing.assert_allclose(x.sum(axis=0), national, rtol=1e-9)
    # by hand: urban odds 0.25 t and 4 t with 60 x 0.25t/(1+0.25t) + 40 x 4t/(1+4t) = 50 urban
    # gives t = 1.4430: county 0 is 73.49 % rural (44.09 people), county 1 has 34.09 urban
    assert x[0, 0, 0, 0] == pytest.approx(44.0933, abs=1e-3)
    assert x[1, 0, 0, 1] == pytest.approx(34.0933, abs=1e-3)


def test_one_common_odds_factor_meets_the_sum_by_hand():
    # two units, 1 and 3 people, shares 0.2 and 0.5: at factor 2 the odds are 0.5 and 2, the
    # shares 1/3 and 2/3, the sum 1/3 + 3 x 2/3 = 7/3; so 7/3 wanted gives the factor 2
    w = np.array([[1.0], [3.0]])
    s = np.array([[0.2], [0.5]])
    assert R.common_odds_factor(w, s, np.array([7 / 3]))[0] == pytest.approx(2.0, rel=1e-9)
    # a unit at share 1 stays there and counts as it is: 1 + 3 x s(0.5, f) = 2.5 gives f = 1
    s1 = np.array([[1.0], [0.5]])
    assert R.common_odds_factor(w, s1, np.array([2.5]))[0] == pytest.approx(1.0, rel=1e-9)
    # out of reach: below the units at 1, or at or above everyone who can move: as near as goes
    f = R.common_odds_factor(np.repeat(w, 2, axis=1), np.repeat(s1, 2, axis=1), np.array([0.5, 4.0]))
    assert f[0] == pytest.approx(np.exp(-60)) and f[1] == pytest.approx(np.exp(60))


def test_counties_add_up_to_the_national_stock():
    codes, reg, urban = R.registered_2020()
    national = np.random.default_rng(1).uniform(1e3, 1e6, (dims.N_AGE, dims.N_SEX, dims.N_AREA))
    pop = R.county_start_population(national, reg, urban, 2009)
    assert pop.shape == (len(codes), dims.N_AGE, dims.N_SEX, dims.N_AREA) and (pop >= 0).all()
    np.testing.assert_allclose(pop.sum(axis=0), national, rtol=1e-9)


def test_a_county_without_a_register_can_start_from_its_registered_people():
    """A single-county scenario takes its registered people as its profile (docs/COUNTIES.md);
    a register's counts (register aggregate) still replace it where given."""
    from pathlib import Path

    from model import load_scenario, project
    from model.io import tables
    from model.scenario import ScenarioError, with_overrides
    root = Path(__file__).resolve().parents[2]
    reg = tables.population_by_single_age("registered2020:county:522701")
    res = tables.population_by_single_age("census2020:county:522701")
    assert reg.shape == res.shape == (dims.N_SEX, dims.N_AGE)
    codes, all_reg, _ = R.registered_2020(["522701"])
    np.testing.assert_allclose(reg, all_reg[0])
    scen = with_overrides(load_scenario(root / "scenarios" / "qiannan_2011.yaml"), {
        "population": {"profile": "registered2020:county:522701", "total": None, "area_totals": None},
        "scheme": {"horizon_years": 3}})
    a = project(scen, detail=False).annual
    assert a["members"].iloc[-1] > 0
    # a register's count of the 60+ (register aggregate writes population.band_totals) replaces
    # the profile's in that band; the profile still gives the ages' shape and the rest
    from model.parameters import resolve
    counted = with_overrides(scen, {"population": {"band_totals": {"rural": {"60+": 12345}},
                                                   "area_totals": {"rural": 200000, "urban": 50000}}})
    pop0 = resolve(counted).population0[0]                       # (age, sex, area), the start year
    assert pop0[60:, :, 0].sum() == pytest.approx(12345, rel=0.05)   # aged to the start with deaths
    with pytest.raises(ScenarioError, match="registered2020:county:<admin_code>"):
        with_overrides(scen, {"population": {"profile": "registered2020:county:999999"}})
