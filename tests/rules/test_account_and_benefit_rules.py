"""Account and pension rules, hand-worked (D1 Art. 14, 20-23; D3 §6-8)."""
import numpy as np
import pytest

from model.rules import accounts, benefits
from model.io import tables


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


def test_lump_sum_months_to_75_from_the_purchase_month_d3_s6_1_2():
    # born 1948-12 (63 attained in 2011), buying in October 2011: (2023 - 2011) x 12 + 12 - 10 = 146
    assert accounts.lump_sum_months_to_age(63, 12, 10, 75) == 146
    # 65 in 2013 (born 1948-12), buying in January 2013: 10 x 12 + 12 - 1 = 131
    assert accounts.lump_sum_months_to_age(65, 12, 1, 75) == 131


def test_lump_sum_price_averaged_over_unknown_months_d3_s6_1_2():
    # 64 in 2012, 40 a month: months = 11 x 12 + b - p; over birth and purchase months spread
    # evenly the mean of b - p is 0, so the mean price is 40 x 132 = 5,280 (no month near the floor)
    assert accounts.lump_sum_expected_price_yuan(40, 64, 75, 60) == pytest.approx(5280)
    # purchase in January, birth month known (May): 40 x (132 + 5 - 1) = 5,440
    assert accounts.lump_sum_expected_price_yuan(40, 64, 75, 60, birth_month=5, purchase_month=1) == 5440
    # near the 60-month floor the mean is of the prices, not of the months: 70 in 2012, born in
    # month b, bought in month p: 60 + b - p months, floored at 60; the mean of max(0, b - p)
    # over 144 pairs is 286 / 144, so 40 x (60 + 286 / 144) = 2,479.44
    assert accounts.lump_sum_expected_price_yuan(40, 70, 75, 60) == pytest.approx(40 * (60 + 286 / 144))
    # the engine's mean over birth months is the mean of the calculator's prices by birth month
    by_b = [accounts.lump_sum_expected_price_yuan(60, 70, 75, 60, birth_month=b) for b in range(1, 13)]
    assert np.mean(by_b) == pytest.approx(accounts.lump_sum_expected_price_yuan(60, 70, 75, 60), rel=1e-12)


def test_no_interest_on_the_opening_balance_in_the_year_payment_starts_rules_s3():
    # 3 % on 1 January balances, except at 60 (the year of the 60th birthday)
    assert accounts.rate_on_opening_balance_pa(0.03, np.array([59, 60]) == 60).tolist() == [0.03, 0.0]


def test_a_payment_earns_none_half_or_all_of_its_years_interest_by_crediting_rules_s3():
    # 130 paid at 3 %: year-end crediting 0; mid-year 130 x 0.015 = 1.95; year-start 130 x 0.03 = 3.90
    assert accounts.payment_interest_yuan(130.0, 0.03, "year_end") == 0
    assert accounts.payment_interest_yuan(130.0, 0.03, "mid_year") == pytest.approx(1.95)
    assert accounts.payment_interest_yuan(130.0, 0.03, "year_start") == pytest.approx(3.90)
    with pytest.raises(ValueError, match="allowed year_end, mid_year, year_start"):
        accounts.payment_interest_yuan(130.0, 0.03, "monthly")


def test_interest_in_the_60th_birthday_year_by_reading_rules_s3():
    # 3 % on 1 January: none (the default); born in March, paid from April: 3 months, 0.75 %;
    # the cohort engine pools birth months: 6.5 months, 1.625 %; the full year 3 %
    at60 = np.array([59, 60]) == 60
    share = accounts.share_of_year_at_60
    assert accounts.rate_on_opening_balance_pa(0.03, at60, share("none")).tolist() == [0.03, 0.0]
    assert accounts.rate_on_opening_balance_pa(0.03, at60, share("until_pension", 3)).tolist() == \
        pytest.approx([0.03, 0.0075])
    assert accounts.rate_on_opening_balance_pa(0.03, at60, share("until_pension")).tolist() == \
        pytest.approx([0.03, 0.01625])
    assert accounts.rate_on_opening_balance_pa(0.03, at60, share("full_year", 3)).tolist() == [0.03, 0.03]
    # pooled = the mean over the twelve birth months (the engine agrees with the calculator)
    assert np.mean([share("until_pension", b) for b in range(1, 13)]) == pytest.approx(share("until_pension"))


def test_own_part_is_personal_plus_collective_d1_art20():
    # 1,600 personal + 100 collective: 1,700 (the government part is not the member's)
    assert accounts.own_part_yuan(1600.0, 100.0) == 1700.0


@pytest.mark.parametrize("years_paid, age_at_start, years_start_to_60, ok", [
    (14, 40, 21, False), (15, 40, 21, True),   # under 45 at the start: 15 years (D1 Art. 21(三))
    (11, 50, 11, True), (10, 50, 11, False),   # 50 at the start: every year 50..60 (D1 Art. 21(二))
    (2, 59, 2, True), (1, 59, 2, False),       # 59 at the start: both years
    (15, 45, 16, True), (14, 45, 16, False),   # 45 at the start: 16 years to 60, 15 asked (RULES.md §9)
    (15, 44, 17, True), (14, 44, 17, False)])  # 44 at the start: 15 suffice
def test_15_year_rule_and_45_plus_rule_d1_art21(years_paid, age_at_start, years_start_to_60, ok):
    assert age_at_start + years_start_to_60 == 61        # the start year and the 60th-birthday year both count
    assert bool(benefits.qualifies_for_pension(years_paid, years_start_to_60, 15)) is ok


def test_years_required_never_more_for_45_than_for_44_d1_art21():
    # min(15, years from the start to 60): 44 -> 17 years to 60 -> 15; 45 -> 16 -> 15; 46 -> 15;
    # 50 -> 11; 59 -> 2 (D1 Art. 21(二) 累计缴费不得超过15年; 21(三) 15 years)
    ages = np.arange(16, 60)
    req = benefits.years_required(61 - ages, 15)
    assert req[ages == 44].item() == 15 and req[ages == 45].item() == 15 and req[ages == 50].item() == 11
    assert req[ages == 59].item() == 2
    assert (np.diff(req) <= 0).all()                      # never more asked of someone older


def test_long_contribution_extra_per_year_above_15_d1_art20():
    # the shorthand, 2 yuan a month per year above 15: 31 years -> 16 x 2 = 32; 15 or 12 -> 0
    got = benefits.long_contribution_extra_monthly(np.array([31, 15, 12]), [(16, 2.0, 0.0)])
    assert got.tolist() == [32.0, 0.0, 0.0]


def test_long_contribution_extra_one_yuan_for_every_year_paid_wuhan_d1_art20():
    # Wuhan: 1 yuan a month for every year paid: 15 years -> 15, 23 -> 23
    got = benefits.long_contribution_extra_monthly(np.array([15, 23]), [(1, 1.0, 0.0)])
    assert got.tolist() == [15.0, 23.0]


def test_long_contribution_extra_flat_by_band_of_years_d1_art20():
    # 20 / 30 / 40 yuan a month for 16-19 / 20-24 / 25+ years: 15 -> 0, 16 -> 20, 19 -> 20,
    # 20 -> 30, 24 -> 30, 25 -> 40, 40 -> 40 (a member gets his band's amount, not the sum)
    bands = [(16, 0.0, 20.0), (20, 0.0, 30.0), (25, 0.0, 40.0)]
    got = benefits.long_contribution_extra_monthly(np.array([15, 16, 19, 20, 24, 25, 40]), bands)
    assert got.tolist() == [0.0, 20.0, 20.0, 30.0, 30.0, 40.0, 40.0]


def test_long_contribution_extra_per_year_bands_are_progressive_d1_art20():
    # 2 a month for each year from 16 to 25, 3 for each from 26: 30 years -> 10 x 2 + 5 x 3 = 35
    got = benefits.long_contribution_extra_monthly(30, [(16, 2.0, 0.0), (26, 3.0, 0.0)])
    assert float(got) == 35.0


def test_long_contribution_extra_between_whole_years_is_the_straight_line_d1_art20():
    # the engine's cells hold mean years: 19.5 years lies half-way between 20 (19) and 30 (20)
    bands = [(16, 0.0, 20.0), (20, 0.0, 30.0)]
    assert float(benefits.long_contribution_extra_monthly(19.5, bands)) == 25.0


def test_long_contribution_years_leave_out_made_up_years_when_asked_d1_art20():
    # 20 years paid of which 3 made up: 20 counted, or 17 where made-up years are left out
    assert float(benefits.long_contribution_years(20, 3, True)) == 20.0
    assert float(benefits.long_contribution_years(20, 3, False)) == 17.0


def test_partial_first_year_august_start_pays_5_months_rules_s8():
    assert benefits.month_weights_full(8).sum() == 5


def test_turning_60_is_paid_from_the_month_after_the_birthday_d1_art21():
    # birth months spread evenly: 0/12 + 1/12 + ... + 11/12 = 5.5 months
    assert benefits.month_weights_turning_60(1).sum() == pytest.approx(5.5)


def test_turning_60_born_in_may_is_paid_from_june_d1_art21():
    assert benefits.month_weights_turning_60(1, 5).sum() == 7              # June-December
    assert benefits.month_weights_turning_60(8, 5).sum() == 5              # an August start: August-December
    # the engine's weights are the mean over birth months of the calculator's
    np.testing.assert_allclose(benefits.month_weights_turning_60(1, benefits.MONTHS).mean(axis=0),
                               benefits.month_weights_turning_60(1), rtol=1e-12)


def test_registering_60_plus_paid_from_the_month_after_registration_d1_art22():
    # registered in March of a later year: April-December, 9 months (从办理养老金领取手续的次月起)
    assert benefits.month_weights_registering(1, 3).sum() == 9
    assert benefits.month_weights_registering(1, 12).sum() == 0            # December: from next January
    # month unknown, spread evenly: (0 + 1 + ... + 11) / 12 = 5.5 months; a person aged 65
    # registering in 2013 at 55 a month gets 55 x 5.5 = 302.50 of basic pension that year
    assert benefits.month_weights_registering(1, None).sum() == pytest.approx(5.5)
    assert 55 * benefits.month_weights_registering(1, None).sum() == pytest.approx(302.5)
    np.testing.assert_allclose(np.mean([benefits.month_weights_registering(1, m) for m in range(1, 13)], axis=0),
                               benefits.month_weights_registering(1, None), rtol=1e-12)
    # at the scheme's start: from the start month (RULES.md §8): an August start pays 5 months
    assert benefits.month_weights_registering(8, None, at_start=True).sum() == 5


def test_first_month_paid_is_the_start_month_in_the_first_year_rules_s8():
    assert (benefits.first_month_paid(0, 8), benefits.first_month_paid(1, 8)) == (8, 1)


def test_dying_pensioner_is_paid_through_the_death_month_d1_art23():
    # death months spread evenly: paid 1..12 months, mean 6.5
    assert benefits.month_weights_dying(1).sum() == pytest.approx(6.5)


def test_age_topup_months_from_the_month_after_the_70th_birthday_d3_s8_4():
    full = benefits.month_weights_full(1)
    # born in April, 70 this year: May-December, 8 months; 71: 12; 69: none
    assert benefits.age_topup_months(np.array([69, 70, 71]), full, 70, 4).tolist() == [0, 8, 12]
    # birth months spread evenly: 0/12 + 1/12 + ... + 11/12 = 5.5 months at 70
    assert benefits.age_topup_months(70, full, 70) == pytest.approx(5.5)
    # an October start (3 months paid), born in November: December only
    assert benefits.age_topup_months(70, benefits.month_weights_full(10), 70, 11) == 1
    # no age top-up in the rule set
    assert benefits.age_topup_months(np.array([70, 80]), full, None).tolist() == [0, 0]


def test_one_child_topup_runs_with_the_pension_d3_s8_3():
    # 5.5 months paid at 10 a month to a certificate holder: 55; 5 % of pensioners: 2.75
    assert benefits.one_child_topup_yuan(5.5, 10, 1.0) == pytest.approx(55)
    assert benefits.one_child_topup_yuan(5.5, 10, 0.05) == pytest.approx(2.75)


def test_death_grant_is_12_times_last_pension_d3_s8():
    # last month 80 basic + 10 top-up + 15.50 account = 105.50; x 12 = 1,266
    assert benefits.death_grant_yuan(105.5, 12, 0.0) == pytest.approx(1266.0)


def test_account_pays_until_empty_then_the_gap_d1_art19_20():
    # due 12 x 15 = 180 a year: a balance of 100 pays 100 (80 is the longevity gap), a balance
    # of 500 pays all 180, an empty account pays nothing (all 180 is the gap)
    paid = benefits.paid_from_account_yuan(np.array([100.0, 500.0, 0.0]), np.array([180.0, 180.0, 180.0]))
    assert paid.tolist() == [100.0, 180.0, 0.0]
