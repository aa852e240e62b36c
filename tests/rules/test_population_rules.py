"""Population rules, hand-worked (D1 Art. 6, 15; D3 §5; the fertility base)."""
import numpy as np

from model import dims
from model.rules import population


def test_eligible_are_the_share_less_sealed_accounts_d1_art6_15():
    # 1,000 men aged 30 in each area; 80 % eligible; 50 rural members sealed (employee scheme):
    # rural 800 - 50 = 750, urban 800; never below 0
    pop = np.zeros((dims.N_AGE, dims.N_SEX, dims.N_AREA))
    pop[30, 0] = 1000
    share = np.full((dims.N_AGE, dims.N_AREA), 0.8)
    sealed = np.zeros_like(pop)
    sealed[30, 0, 0] = 50
    sealed[40, 0, 0] = 5                                   # more sealed than eligible: 0, not -5
    e = population.eligible_persons(pop, share, sealed)
    assert e[30, 0].tolist() == [750, 800] and e[40, 0, 0] == 0


def test_women_15_49_are_the_fertility_base():
    # one woman at each age 0..100 in each area: 35 women aged 15-49 per area; men never count
    pop = np.ones((2, dims.N_AGE, dims.N_SEX, dims.N_AREA))
    assert population.women_15_49(pop).tolist() == [[35, 35], [35, 35]]
