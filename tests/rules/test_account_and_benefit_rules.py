"""Account and pension rules, hand-worked (D1 Art. 14, 20-23; D3 §6-8)."""
import numpy as np
import pytest

from model import accounts, benefits, tables


def test_account_pension_is_balance_over_139_d1_art20():
    # 16 years x (500 + 30 subsidy) at 0 % = 8,480 yuan; 8,480 / 139 = 61.007
    assert benefits.account_pension_monthly(8480.0, 139) == pytest.approx(61.007, abs=0.001)


def test_guofa_2005_38_divisor_is_139_at_60_d3_s8():
    assert tables.payout_months(60) == 139


def test_interest_is_rate_times_1_january_balance_d1_art14():
    # 2,000 yuan on 1 January at 3.5 % -> 70 yuan at year end
    assert accounts.interest_yuan(2000.0, 0.035) == pytest.approx(70.0)


def test_jiugao_takes_the_higher_2011_rate_d1_art14():
    # 2011: 2.75 % on 1 January, raised to 3.00, 3.25, 3.50 -> 就高 3.50 %
    assert tables.deposit_rate_1y(2011, "highest") == pytest.approx(0.035)
    assert tables.deposit_rate_1y(2011, "in_force_jan1") == pytest.approx(0.0275)


def test_heirs_get_all_but_the_government_part_d1_art20():
    # personal 1,600 + collective 100 inherited; government 480 to the fund
    refund, forfeit = accounts.refund_and_forfeit_yuan(1600.0, 480.0, 100.0, 1.0)
    assert (refund, forfeit) == (1700.0, 480.0)


def test_no_heir_the_whole_balance_stays_in_the_fund_d3_s7():
    refund, forfeit = accounts.refund_and_forfeit_yuan(1600.0, 480.0, 100.0, 0.0)
    assert (refund, forfeit) == (0.0, 2180.0)


def test_lump_sum_price_months_to_75_d3_s6():
    # 40 a month x 80 months to 75 = 3,200
    assert accounts.lump_sum_price_yuan(40, 80, 60) == 3200
    # 26 months to 75 is fewer than 60: 40 x 60 = 2,400; also for those over 75
    assert accounts.lump_sum_price_yuan(40, 26, 60) == 2400
    assert accounts.lump_sum_price_yuan(90, -12, 60) == 5400


@pytest.mark.parametrize("years_paid, age_at_start, years_start_to_60, ok", [
    (14, 40, 21, False), (15, 40, 21, True),   # under 45 at the start: 15 years (D1 Art. 21(三))
    (11, 50, 11, True), (10, 50, 11, False),   # 50 at the start: every year 50..60 (D1 Art. 21(二))
    (2, 59, 2, True), (1, 59, 2, False),       # 59 at the start: both years
    (16, 45, 16, True), (15, 45, 16, False),   # 45 at the start: every year, 16 (RULES.md §5)
    (15, 44, 17, True)])                       # 44 at the start: 15 suffice
def test_15_year_rule_and_45_plus_rule_d1_art21(years_paid, age_at_start, years_start_to_60, ok):
    assert bool(benefits.qualifies_for_pension(years_paid, age_at_start, years_start_to_60, 15)) is ok


def test_partial_first_year_august_start_pays_5_months_rules_s8():
    assert benefits.month_weights_full(8).sum() == 5


def test_turning_60_is_paid_from_the_month_after_the_birthday_d1_art21():
    # birth months spread evenly: 0/12 + 1/12 + ... + 11/12 = 5.5 months
    assert benefits.month_weights_turning_60(1).sum() == pytest.approx(5.5)


def test_dying_pensioner_is_paid_through_the_death_month_d1_art23():
    # death months spread evenly: paid 1..12 months, mean 6.5
    assert benefits.month_weights_dying(1).sum() == pytest.approx(6.5)


def test_topup_from_70_d3_s8():
    assert benefits.age_topup_monthly(np.array([69, 70, 85]), 70, 10).tolist() == [0, 10, 10]


def test_death_grant_is_12_times_last_pension_d3_s8():
    # last month 80 basic + 10 top-up + 15.50 account = 105.50; x 12 = 1,266
    assert benefits.death_grant_yuan(105.5, 12, 0.0) == pytest.approx(1266.0)


def test_account_pays_until_empty_then_the_gap_d1_art19_20():
    # due 12 x 15 = 180 a year: a balance of 100 pays 100 (80 is the longevity gap), a balance
    # of 500 pays all 180, an empty account pays nothing (all 180 is the gap)
    paid = benefits.paid_from_account_yuan(np.array([100.0, 500.0, 0.0]), np.array([180.0, 180.0, 180.0]))
    assert paid.tolist() == [100.0, 180.0, 0.0]
