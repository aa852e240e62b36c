"""The population builder reproduces every total a county gives (D5 §1)."""
import pytest

from model import tables
from model.population import PopulationError, population_from_totals


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
