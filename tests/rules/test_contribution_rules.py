"""Contribution rules, hand-worked from the policy text (D1 Art. 7-10; D3 §6; D5 §2(三)4)."""
import numpy as np
import pytest

from model import contributions as c

TIERS_D1 = np.array([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1200, 1600.0])


def test_entry_subsidy_is_30_for_every_tier_d1_art8():
    assert c.step_amount_by_tier(TIERS_D1, [0], [30]).tolist() == [30.0] * 12


def test_national_subsidy_is_60_from_tier_500_guofa_2014_8():
    tiers = np.array([100, 400, 500, 1000, 2000.0])
    assert c.step_amount_by_tier(tiers, [100, 500], [30, 60]).tolist() == [30, 30, 60, 60, 60]


def test_qiubei_county_topup_5_per_100_above_100_d5():
    # D5 §2(三)4 read as 200 -> 5 ... 500 -> 20 (rural), ... 1000 -> 45 (urban)
    tiers = np.arange(100, 1100, 100.0)
    sched = {100: 0, 200: 5, 300: 10, 400: 15, 500: 20, 600: 25, 700: 30, 800: 35, 900: 40, 1000: 45}
    got = c.step_amount_by_tier(tiers, list(sched), list(sched.values()))
    assert got.tolist() == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]


def test_disabled_county_pays_half_the_lowest_tier_d1_art9():
    # 50 % of 100 = 50 paid by the county at any tier; the member pays the rest
    paid = c.paid_on_behalf_yuan(np.array([100, 300.0]), 100, 0.5, 0.0)
    assert paid.tolist() == [50, 50]
    assert c.personal_payment_yuan(np.array([100, 300.0]), paid).tolist() == [50, 250]


def test_disabled_on_dibao_county_pays_the_whole_lowest_tier_d1_art9():
    paid = c.paid_on_behalf_yuan(np.array([100.0]), 100, 1.0, 0.0)
    assert paid.tolist() == [100] and c.personal_payment_yuan(100.0, paid).tolist() == [0]


def test_village_cadre_gets_half_the_contribution_d5():
    # 50 % of the chosen tier: 300 -> 150 from the county
    assert c.paid_on_behalf_yuan(np.array([300.0]), 100, 0.0, 0.5).tolist() == [150]


def test_d3_disabled_extra_40_only_at_lowest_tier_default_reading():
    got = c.extra_subsidy_yuan(np.array([100, 200.0]), 100, 40, True)
    assert got.tolist() == [40, 0]
    assert c.extra_subsidy_yuan(np.array([100, 200.0]), 100, 40, False).tolist() == [40, 40]


def test_catch_up_gets_no_subsidy_d1_art8():
    assert c.catch_up_payment_yuan(np.array([100, 500.0])).tolist() == [100, 500]


@pytest.mark.parametrize("paid, need", [(0, 15), (11, 4), (14, 1), (15, 0), (30, 0)])
def test_years_to_make_up_to_15_d1_art21(paid, need):
    assert c.years_to_make_up(paid, 15) == need


def test_catch_up_window_d1_art7_any_later_year_d3_following_year_only():
    missed = [2015, 2016, 2019]
    assert c.years_open_to_catch_up(missed, 2020, None) == [2015, 2016, 2019]     # D1 Art. 7
    assert c.years_open_to_catch_up(missed, 2020, 1) == [2019]                    # D3 §6(一)1
    assert c.years_open_to_catch_up(missed, 2017, 1) == [2016]
    assert c.years_open_to_catch_up(missed, 2016, 1) == [2015, 2016]              # this year's, paid late
    assert c.years_open_to_catch_up(missed, 2014, None) == []
