"""Contribution rules, hand-worked from the policy text (D1 Art. 7-10; D3 §6; D5 §2(三)4)."""
import numpy as np
import pytest

from model.rules import contributions as c

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


def test_personal_payment_is_the_tier_less_what_is_paid_on_behalf_d1_art9():
    # 300 chosen, 50 paid by the county for a disabled member: 250 his own
    assert c.personal_payment_yuan(300.0, 50.0) == 250.0


def test_matching_group_shares_take_the_most_specific_group_d1_art9():
    from types import SimpleNamespace as G
    groups = [G(name="disabled", applies_to=["severely_disabled"]),
              G(name="disabled_dibao", applies_to=["severely_disabled", "dibao"]),
              G(name="dibao", applies_to=["dibao"])]
    # 4 payers: disabled; disabled on 低保; on 低保; neither. The disabled on 低保 counts only
    # in the most specific group (the whole lowest tier, not 50 % and 100 %), so 1/4 each.
    flags = [{"severely_disabled"}, {"severely_disabled", "dibao"}, {"dibao"}, set()]
    assert c.matching_group_shares(groups, flags) == {"disabled": 0.25, "disabled_dibao": 0.25, "dibao": 0.25}
    assert c.matching_group_shares(groups, []) == {}
