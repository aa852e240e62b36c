"""The pooled fund and the government backstop (model/finance.py, D1 Art. 19), hand-worked."""
from __future__ import annotations

import numpy as np
import pytest

from model.rules import finance


def test_government_tops_up_only_what_the_fund_cannot_pay_d1_art19():
    # fund holds 100 + 20 forfeited + 5 interest = 125; it must pay 200: government pays 75, fund empty
    available, paid = np.array([125.0, 125.0]), np.array([200.0, 100.0])
    gov = finance.government_to_pool_yuan(available, paid)
    assert gov == pytest.approx([75.0, 0.0], abs=1e-12)
    assert finance.pool_closing_yuan(available, paid, gov) == pytest.approx([0.0, 25.0], abs=1e-12)


def test_longevity_gap_split_in_proportion_to_government_money_d1_art19():
    # the fund pays a gap of 120 and top-ups of 80 (200); government puts in 75, 75/200 = 37.5 %
    # of every yuan paid: it bears 0.375 x 120 = 45 of the gap, the fund the other 75
    from_pool, from_gov = finance.longevity_gap_by_payer_yuan(np.array([120.0]), np.array([200.0]),
                                                              np.array([75.0]))
    assert from_gov == pytest.approx([45.0], abs=1e-12)
    assert from_pool == pytest.approx([75.0], abs=1e-12)


def test_longevity_gap_borne_by_government_is_its_money_when_the_fund_pays_only_the_gap():
    # the fund pays only the gap (200), government puts in 75: it bears 75, the fund 125;
    # a year the fund pays nothing: nothing to split (no division by zero)
    from_pool, from_gov = finance.longevity_gap_by_payer_yuan(np.array([200.0, 0.0]), np.array([200.0, 0.0]),
                                                              np.array([75.0, 0.0]))
    assert from_gov == pytest.approx([75.0, 0.0], abs=1e-12)
    assert from_pool == pytest.approx([125.0, 0.0], abs=1e-12)


def test_pool_interest_only_when_the_fund_earns_it():
    # 1,000 yuan at 3 %: 30 yuan, or none
    assert finance.pool_interest_yuan(np.array([1000.0]), np.array([0.03]), True) == pytest.approx([30.0])
    assert finance.pool_interest_yuan(np.array([1000.0]), np.array([0.03]), False) == pytest.approx([0.0])

