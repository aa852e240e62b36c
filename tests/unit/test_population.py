"""The population builder reproduces every total a county gives (D5 §1)."""
import pytest

from model.io import tables
from model.rules.population import PopulationError, population_from_totals


def test_builder_reproduces_area_and_band_totals_exactly():
    prof = tables.population_by_single_age("census2010:province:530000")
    # Qiubei: 437,018 rural, 31,628 urban; 56,400 rural aged 60+ (D5 §1)
    pop = population_from_totals(prof, [437_018, 31_628], {0: [(60, 100, 56_400)]})
    assert pop[:, :, 0].sum() == pytest.approx(437_018, abs=1e-6)
    assert pop[:, :, 1].sum() == pytest.approx(31_628, abs=1e-6)
    assert pop[60:, :, 0].sum() == pytest.approx(56_400, abs=1e-6)
    # outside the band the profile's shape is kept: the ratio of two ages is the profile's
    assert pop[30, 0, 0] / pop[20, 1, 0] == pytest.approx(prof[0, 30] / prof[1, 20], rel=1e-12)
    assert (pop >= 0).all()


def test_bands_larger_than_the_area_are_refused():
    prof = tables.population_by_single_age("census2010:national")
    with pytest.raises(PopulationError, match="more than the area"):
        population_from_totals(prof, [1000, 0], {0: [(60, 100, 800), (16, 59, 300)]})


def test_scenario_population_reproduces_the_countys_totals():
    # The scenario path (parameters.resolve) for Qiubei: D5 §1 totals 437,018 rural,
    # 31,628 urban (468,646 in all) and 56,400 rural aged 60+, exactly.
    from model import load_scenario
    from model.parameters import resolve
    pop = resolve(load_scenario("scenarios/qiubei_2011.yaml")).population0[0]      # (age, sex, area)
    assert pop.sum() == pytest.approx(468_646, abs=1e-6)
    assert pop[:, :, 0].sum() == pytest.approx(437_018, abs=1e-6)
    assert pop[:, :, 1].sum() == pytest.approx(31_628, abs=1e-6)
    assert pop[60:, :, 0].sum() == pytest.approx(56_400, abs=1e-6)


def test_scenario_population_aged_from_the_census_year():
    # national_2012: the 2010 census aged two years with WPP death rates (profile_year: 2010,
    # total: null keeps the aged total). Each year everyone survives with 1 - q at their age
    # and moves up one age; the new age 0 is the census's own age-0 count.
    from model import load_scenario
    from model.parameters import resolve
    pop = resolve(load_scenario("scenarios/national_2012.yaml")).population0[0].sum(axis=2).T  # (sex, age)
    census = tables.population_by_single_age("census2010:national")                       # (sex, age)
    q = tables.mx_to_qx(tables.death_rates_mx([2010, 2011], "wpp2024"))                   # (year, sex, age)
    assert pop[:, 12] == pytest.approx(census[:, 10] * (1 - q[0, :, 10]) * (1 - q[1, :, 11]), rel=1e-12)
    assert pop[:, 0] == pytest.approx(census[:, 0], rel=1e-12)
    assert pop[:, 1] == pytest.approx(census[:, 0] * (1 - q[1, :, 0]), rel=1e-12)
    # fewer people than the census plus two years of births: deaths came off
    assert census.sum() < pop.sum() < census.sum() + 2 * census[:, 0].sum()
