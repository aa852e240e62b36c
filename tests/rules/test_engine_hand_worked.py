"""The cohort engine against cases worked by hand from the policy text.

Each case puts one cohort in an otherwise empty population (no births, no
deaths unless stated) so every number can be checked with a pencil.
"""
import numpy as np
import pytest

from model import project
from conftest import make_params

REL = 1e-9


def run(**kw):
    return project(make_params(**kw), detail=False).annual.set_index("year")


def test_d1_payer_from_45_zero_interest_d1_art7_8_20_21():
    # 1,000 men aged 45 in 2011 pay 100 + 30 subsidy every year 2011-2026 (ages 45..60):
    # 16 x 130 = 2,080 yuan each at 60; account pension 2,080 / 139 = 14.964 a month.
    a = run(cohorts={(45, "male", "rural"): 1000})
    assert a.loc[2011, "contributions_personal"] == pytest.approx(100_000, rel=REL)
    assert a.loc[2011, "subsidy_contribution"] == pytest.approx(30_000, rel=REL)
    for lvl in ("province", "prefecture", "county"):            # D1 Art. 8: 10 + 20 (split evenly)
        assert a.loc[2015, f"subsidy_{lvl}"] == pytest.approx(10_000, rel=REL)
    assert a.loc[2026, "members_paying"] == pytest.approx(1000)
    assert a.loc[2027, "members_paying"] == 0                    # nobody pays after 60 (D1 Art. 7)
    monthly = 2080 / 139
    # 2026: paid from the month after the birthday, 5.5 months on average
    assert a.loc[2026, "account_pension_paid"] == pytest.approx(1000 * monthly * 5.5, rel=REL)
    assert a.loc[2026, "basic_pension_paid"] == pytest.approx(1000 * 55 * 5.5, rel=REL)
    assert a.loc[2026, "subsidy_central"] == pytest.approx(302_500, rel=REL)
    assert a.loc[2027, "account_pension_paid"] == pytest.approx(1000 * monthly * 12, rel=REL)
    assert a.loc[2027, "account_fund_balance"] == pytest.approx(1000 * (2080 - monthly * 17.5), rel=REL)


def test_d1_flat_interest_year_end_crediting_rules_s3():
    # 3 %: end of 2025 (15 payments) 130 x (1.03^15 - 1) / 0.03 = 2,417.8588;
    # + the 2026 payment, no part-year interest: 2,547.8588 at 60 -> 18.3300 a month.
    a = run(cohorts={(45, "male", "rural"): 1000},
            overrides={"accounts": {"flat_rate_pa": 0.03}})
    b60 = 130 * (1.03 ** 15 - 1) / 0.03 + 130
    assert b60 == pytest.approx(2547.8588, abs=1e-4)
    assert a.loc[2026, "account_fund_balance"] == pytest.approx(1000 * (b60 - b60 / 139 * 5.5), rel=REL)
    # 2027: 3 % on the 1 January balance, 12 months paid
    open27 = b60 - b60 / 139 * 5.5
    assert a.loc[2027, "interest_credited"] == pytest.approx(1000 * 0.03 * open27, rel=REL)
    assert a.loc[2027, "account_fund_balance"] == pytest.approx(
        1000 * (open27 * 1.03 - b60 / 139 * 12), rel=REL)


@pytest.mark.parametrize("crediting, at_60, b60", [      # 2,587.149; 2,620.395; 2,699.006
    # 2,417.8588 at the end of 2025 (above); the engine pools birth months: until the pension
    # is 6.5 months of 3 %, 2,417.8588 x 1.625 % = 39.29 more; the full year 72.54 more
    ("year_end", "until_pension", 130 * (1.03 ** 15 - 1) / 0.03 * (1 + 0.03 * 6.5 / 12) + 130),
    ("year_end", "full_year", 130 * (1.03 ** 15 - 1) / 0.03 * 1.03 + 130),
    # every payment earns the year it is paid, the 60th year too: 130 x 1.03 x (1.03^16 - 1) / 0.03
    ("year_start", "full_year", 130 * 1.03 * (1.03 ** 16 - 1) / 0.03),
])
def test_interest_in_the_60th_year_and_year_start_crediting_rules_s3(crediting, at_60, b60):
    a = run(cohorts={(45, "male", "rural"): 1000},
            overrides={"accounts": {"flat_rate_pa": 0.03, "crediting": crediting, "interest_at_60": at_60}})
    assert a.loc[2026, "account_fund_balance"] == pytest.approx(1000 * (b60 - b60 / 139 * 5.5), rel=REL)
    if crediting == "year_start":                                   # 2011: 130 x 3 % on the year's payment
        assert a.loc[2011, "interest_credited"] == pytest.approx(1000 * 3.9, rel=REL)


def test_under_45_short_of_15_years_makes_up_or_leaves_d1_art21():
    # Aged 44 at the 2011 start, joining only in 2020 (age 53): 8 payments to 60 (2027).
    # Half make up the 7 missing years at 100 each (no subsidy) and draw a pension on
    # 8 x 130 + 700 = 1,740; with the 'refund' reading the other half leave with their
    # own 800 refunded and their 240 of subsidy forfeited to the pooled fund.
    over = {"enrolment": {"rate_path": {2011: 0.0, 2020: 1.0}},
            "contributions": {"catch_up_at_60": {"share": 0.5}},
            "benefits": {"short_of_years_at_60": "refund"}}
    a = run(cohorts={(44, "male", "rural"): 1000}, overrides=over)
    assert a.loc[2027, "exits"] == pytest.approx(500, rel=REL)
    assert a.loc[2027, "inheritance_refunds"] == pytest.approx(500 * 800, rel=REL)
    assert a.loc[2027, "forfeited_to_pool"] == pytest.approx(500 * 240, rel=REL)
    assert a.loc[2027, "catch_up_contributions"] == pytest.approx(500 * 700, rel=REL)
    assert a.loc[2027, "pensioners"] == pytest.approx(500, rel=REL)
    assert a.loc[2027, "account_pension_paid"] == pytest.approx(500 * 1740 / 139 * 5.5, rel=REL)
    # the default reading (D1 Art. 21(三) no pension until made up): the account is kept sealed
    over["benefits"]["short_of_years_at_60"] = "keep_account"
    b = run(cohorts={(44, "male", "rural"): 1000}, overrides=over)
    assert b.loc[2027, "exits"] == 0 and b.loc[2027, "inheritance_refunds"] == 0
    assert b.loc[2027, "members_suspended"] == pytest.approx(500, rel=REL)
    assert b.loc[2027, "reached_60_without_pension"] == pytest.approx(500, rel=REL)
    assert b.loc[2027, "account_fund_balance"] == pytest.approx(
        500 * 1040 + 500 * (1740 - 1740 / 139 * 5.5), rel=REL)


def test_45_plus_joining_late_must_make_up_the_years_since_the_start_d1_art21_2():
    # Aged 50 at the 2011 start but joining only in 2021 (age 60): 1 payment of the 11
    # years 2011-2021, so no pension unless the missing years are made up at 60.
    over = {"enrolment": {"rate_path": {2011: 0.0, 2021: 1.0}}}
    a = run(cohorts={(50, "male", "rural"): 1000}, overrides=over)
    assert a.loc[2021, "pensioners"] == 0
    assert a.loc[2021, "reached_60_without_pension"] == pytest.approx(1000, rel=REL)
    over["contributions"] = {"catch_up_at_60": {"share": 1.0}}
    b = run(cohorts={(50, "male", "rural"): 1000}, overrides=over)   # make up 14 years: 15 in all
    assert b.loc[2021, "pensioners"] == pytest.approx(1000, rel=REL)
    assert b.loc[2021, "catch_up_contributions"] == pytest.approx(1000 * 14 * 100, rel=REL)


def test_45_plus_qualify_without_15_years_and_may_top_up_d1_art21_2():
    # Aged 50 at the start: 11 payments (ages 50..60), all qualify; with everyone
    # making up the 4 years to 15: 11 x 130 + 4 x 100 = 1,830 at 60.
    a = run(cohorts={(50, "female", "rural"): 1000},
            overrides={"contributions": {"catch_up_at_60": {"share": 1.0}}})
    assert a.loc[2021, "exits"] == 0
    assert a.loc[2021, "account_pension_paid"] == pytest.approx(1000 * 1830 / 139 * 5.5, rel=REL)
    b = run(cohorts={(50, "female", "rural"): 1000})
    assert b.loc[2021, "account_pension_paid"] == pytest.approx(1000 * 1430 / 139 * 5.5, rel=REL)


def test_60_plus_at_start_basic_pension_from_start_month_d1_art21_1_rules_s8():
    # 36,831 people aged 65 when the scheme starts in August: 55 x 5 months each
    # = 10,128,525 yuan, the D5 figure of 10.12 m (RULES.md §8).
    a = run(cohorts={(65, "female", "rural"): 36_831},
            overrides={"scheme": {"start": "2011-08"}})
    assert a.loc[2011, "basic_pension_paid"] == pytest.approx(10_128_525, rel=REL)
    assert a.loc[2011, "contributions_personal"] == 0
    assert a.loc[2012, "basic_pension_paid"] == pytest.approx(36_831 * 55 * 12, rel=REL)


def test_death_before_60_heirs_get_personal_part_d1_art20():
    # Aged 49 in 2011: 130 each at the end of 2011; 10 % die early in 2012 (age 50).
    # With heirs for half of them: refund 100 x 100 x 0.5 = 5,000; to the pool the
    # government part 100 x 30 plus the heirless half's 5,000 = 8,000.
    a = run(cohorts={(49, "male", "rural"): 1000}, q={50: 0.1},
            overrides={"accounts": {"heirs_share": 0.5}})
    assert a.loc[2012, "deaths"] == pytest.approx(100, rel=REL)
    assert a.loc[2012, "inheritance_refunds"] == pytest.approx(5_000, rel=REL)
    assert a.loc[2012, "forfeited_to_pool"] == pytest.approx(8_000, rel=REL)
    assert a.loc[2012, "pooled_fund_balance"] == pytest.approx(8_000, rel=REL)


def test_disabled_members_d1_art9():
    # Everyone severely disabled: county pays 50 of the 100, member pays 50;
    # into the account 30 + 50 = 80 of government money; the county's cost 10 + 50.
    a = run(cohorts={(30, "male", "rural"): 1000},
            overrides={"on_behalf": [{"name": "disabled", "reference": "D1 Art. 9",
                                      "share_of_payers": 1.0, "share_of_lowest_tier": 0.5}]})
    assert a.loc[2011, "contributions_personal"] == pytest.approx(50_000, rel=REL)
    assert a.loc[2011, "subsidy_contribution"] == pytest.approx(80_000, rel=REL)
    assert a.loc[2011, "subsidy_paid_on_behalf"] == pytest.approx(50_000, rel=REL)
    assert a.loc[2011, "subsidy_county"] == pytest.approx(60_000, rel=REL)
    # disabled and on 低保: the county pays the whole 100
    b = run(cohorts={(30, "male", "rural"): 1000},
            overrides={"on_behalf": [{"name": "dibao", "reference": "D1 Art. 9",
                                      "share_of_payers": 1.0, "share_of_lowest_tier": 1.0}]})
    assert b.loc[2011, "contributions_personal"] == 0
    assert b.loc[2011, "subsidy_county"] == pytest.approx(110_000, rel=REL)


def test_d3_disabled_extra_40_default_reading_d3_s6():
    a = run(cohorts={(30, "male", "rural"): 1000},
            overrides={"on_behalf": [{"name": "disabled", "reference": "D3 §6(三)",
                                      "share_of_payers": 1.0, "extra_subsidy_yuan": 40}]})
    assert a.loc[2011, "contributions_personal"] == pytest.approx(100_000, rel=REL)
    assert a.loc[2011, "subsidy_contribution"] == pytest.approx(70_000, rel=REL)


D3 = {"scheme": {"start": "2011-10"},
      "benefits": {"basic_pension": [{"name": "b", "reference": "D3 §8(二)1", "monthly": 80,
                                      "paid_by": {"central": 1}}],
                   "age_topup": {"monthly_yuan": 10, "from_age": 70},
                   "death_grant_months_of_pension": 12}}


def test_d3_topup_at_70_and_death_grant_d3_s8():
    # Basic-only cohort aged 69 in 2011 (start October: 3 months at 80).
    # 2012 (age 70): +10 a month from the month after the birthday, 5.5 months on
    # average. 2013 (age 71): 10 % die, paid 6.5 months on average; grant 12 x (80 + 10).
    a = run(cohorts={(69, "male", "rural"): 1000}, q={71: 0.1}, overrides=D3)
    assert a.loc[2011, "basic_pension_paid"] == pytest.approx(1000 * 80 * 3, rel=REL)
    assert a.loc[2011, "topups_paid"] == 0
    assert a.loc[2012, "topups_paid"] == pytest.approx(1000 * 10 * 5.5, rel=REL)
    assert a.loc[2013, "basic_pension_paid"] == pytest.approx(900 * 12 * 80 + 100 * 6.5 * 80, rel=REL)
    assert a.loc[2013, "topups_paid"] == pytest.approx((900 * 12 + 100 * 6.5) * 10, rel=REL)
    assert a.loc[2013, "death_grants_paid"] == pytest.approx(100 * 12 * 90, rel=REL)
    # the empty pooled fund is topped up by the county (D1 Art. 19 default backstop)
    assert a.loc[2013, "government_to_pool"] == pytest.approx(114_500 + 108_000, rel=REL)
    assert a.loc[2013, "subsidy_county"] == pytest.approx(114_500 + 108_000, rel=REL)


def test_d3_lump_sum_purchase_d3_s6_1_2():
    # Aged 68 at an October start, all buy 40 a month: months to 75 = 84 + (m - 10) for
    # birth month m, mean 80.5 -> 3,220 yuan each; account pension 40 a month, 3 months in 2011.
    a = run(cohorts={(68, "female", "rural"): 1000},
            overrides={**D3, "benefits": {**D3["benefits"], "lump_sum": {"shares": {40: 1.0}, "min_months": 60,
                                                                         "to_age": 75}}})
    assert a.loc[2011, "lump_sum_purchases"] == pytest.approx(1000 * 40 * 80.5, rel=REL)
    assert a.loc[2011, "account_pension_paid"] == pytest.approx(1000 * 40 * 3, rel=REL)
    # 3,220 lasts 80.5 months: the account runs out during 2018 and the gap begins
    assert a.loc[2017, "longevity_gap_paid"] == 0
    assert a.loc[2019, "account_pension_paid"] == 0
    assert a.loc[2019, "longevity_gap_paid"] == pytest.approx(1000 * 40 * 12, rel=REL)


def test_longevity_gap_after_139_months_zero_interest_d1_art20():
    # Balance 2,080 at 60 (2026) pays 14.964 a month for exactly 139 months:
    # 5.5 in 2026, 12 a year 2027-2036 (125.5 so far), then 13.5 more in 2037-2038.
    a = run(cohorts={(45, "male", "rural"): 1000}, overrides={"scheme": {"horizon_years": 30}})
    monthly = 2080 / 139
    assert a.loc[2036, "longevity_gap_paid"] == 0
    assert a.loc[2037, "account_pension_paid"] == pytest.approx(1000 * monthly * 12, rel=REL)
    assert a.loc[2038, "account_pension_paid"] == pytest.approx(1000 * monthly * 1.5, rel=REL)
    assert a.loc[2038, "longevity_gap_paid"] == pytest.approx(1000 * monthly * 10.5, rel=REL)
    assert a.loc[2039, "longevity_gap_paid"] == pytest.approx(1000 * monthly * 12, rel=REL)


@pytest.mark.parametrize("rule, rate", [("highest", 0.035), ("in_force_jan1", 0.0275)])
def test_jiugao_interest_in_the_engine_d1_art14(rule, rate):
    # Start 2010: 130 yuan each at the end of 2010. In 2011 the one-year rate went
    # 2.75 -> 3.00 -> 3.25 -> 3.50 %: 就高 credits 3.5 %, the 1 January rule 2.75 %.
    a = run(cohorts={(40, "male", "rural"): 1000},
            overrides={"scheme": {"start": "2010-01"}, "enrolment": {"rate_path": {2010: 1.0}},
                       "accounts": {"interest": "pbc_1y", "interest_rule": rule}})
    assert a.loc[2011, "interest_credited"] == pytest.approx(1000 * 130 * rate, rel=REL)


def test_work_funding_per_payer_and_new_member_d3_s4_d5():
    # 1,000 new members paying in 2011: 15 each to villages (D3) + 1 each per new member (D5)
    a = run(cohorts={(30, "male", "rural"): 1000},
            overrides={"finance": {"admin_yuan_per_payer": 15, "admin_yuan_per_new_member": 1}})
    assert a.loc[2011, "admin_costs_paid"] == pytest.approx(16_000, rel=REL)
    assert a.loc[2012, "admin_costs_paid"] == pytest.approx(15_000, rel=REL)
    assert a.loc[2011, "subsidy_county"] == pytest.approx(10_000 + 16_000, rel=REL)


def test_long_contribution_extra_basic_pension_d1_art20():
    # Aged 30 at the start, paying 31 years (2011-2041): 16 years above 15; at 2 yuan a
    # month per year above 15 the county adds 32 a month: 2042 basic = (55 + 32) x 12.
    a = run(cohorts={(30, "male", "rural"): 1000},
            overrides={"benefits": {"long_contribution_yuan_per_year_over_15": 2},
                       "scheme": {"horizon_years": 35}})
    assert a.loc[2042, "basic_pension_paid"] == pytest.approx(1000 * (55 + 32) * 12, rel=REL)
    assert a.loc[2042, "basic_pension_county"] == pytest.approx(1000 * 32 * 12, rel=REL)


def _long(bands, counts=True, **extra):
    return {"benefits": {"long_contribution": {"bands": bands, "counts_made_up_years": counts}},
            "scheme": {"horizon_years": 35}} | extra


def test_long_contribution_one_yuan_a_month_for_every_year_paid_wuhan_d1_art20():
    # Aged 30 at the start, 31 years paid (2011-2041); Wuhan's 1 yuan a month for every year
    # paid: 31 a month, so 2042 basic = (55 + 31) x 12 a member, 31 x 12 of it the county's.
    a = run(cohorts={(30, "male", "rural"): 1000}, overrides=_long([{"years_from": 1, "yuan_per_year": 1}]))
    assert a.loc[2042, "basic_pension_paid"] == pytest.approx(1000 * (55 + 31) * 12, rel=REL)
    assert a.loc[2042, "basic_pension_county"] == pytest.approx(1000 * 31 * 12, rel=REL)


def test_long_contribution_flat_bands_pay_the_band_reached_d1_art20():
    # 20 / 30 / 40 a month for 16-19 / 20-24 / 25+ years: 31 years -> 40 (aged 30 at the start);
    # aged 42: 2011-2029 is 19 years -> 20
    bands = [{"years_from": 16, "yuan_flat": 20}, {"years_from": 20, "yuan_flat": 30},
             {"years_from": 25, "yuan_flat": 40}]
    a = run(cohorts={(30, "male", "rural"): 1000}, overrides=_long(bands))
    assert a.loc[2042, "basic_pension_paid"] == pytest.approx(1000 * (55 + 40) * 12, rel=REL)
    b = run(cohorts={(42, "male", "rural"): 1000}, overrides=_long(bands))
    assert b.loc[2031, "basic_pension_paid"] == pytest.approx(1000 * (55 + 20) * 12, rel=REL)


def test_long_contribution_band_above_the_top_years_paid_cell_d1_art20():
    # A band from 30 years: the years-paid axis grows to hold 30 exactly. 31 years -> 50 a month;
    # 29 years (aged 32 at the start) -> the 16+ band's 20
    bands = [{"years_from": 16, "yuan_flat": 20}, {"years_from": 30, "yuan_flat": 50}]
    a = run(cohorts={(30, "male", "rural"): 1000}, overrides=_long(bands))
    assert a.loc[2042, "basic_pension_paid"] == pytest.approx(1000 * (55 + 50) * 12, rel=REL)
    b = run(cohorts={(32, "male", "rural"): 1000}, overrides=_long(bands))
    assert b.loc[2040, "basic_pension_paid"] == pytest.approx(1000 * (55 + 20) * 12, rel=REL)


def test_long_contribution_without_made_up_years_d1_art20():
    # Aged 30: on time 2011-2025 (ages 30-44, 15 years), then every year a missed year made up
    # instead (density 0 from 45, all catch up; D1 Art. 7-8): 16 made-up years, 31 in all.
    # 1 yuan a month a year: 31 with made-up years counted, 15 without.
    over = {"contributions": {"density": {"16-44": 1.0, "45+": 0.0}, "catch_up_share": 1.0}}
    counted = run(cohorts={(30, "male", "rural"): 1000}, overrides=_long([{"years_from": 1, "yuan_per_year": 1}],
                                                                          **over))
    left_out = run(cohorts={(30, "male", "rural"): 1000},
                   overrides=_long([{"years_from": 1, "yuan_per_year": 1}], False, **over))
    assert counted.loc[2042, "basic_pension_paid"] == pytest.approx(1000 * (55 + 31) * 12, rel=REL)
    assert left_out.loc[2042, "basic_pension_paid"] == pytest.approx(1000 * (55 + 15) * 12, rel=REL)


@pytest.mark.parametrize("density", [0.45, 0.55])
def test_long_contribution_without_made_up_years_in_a_mixed_cohort_d1_art20(density):
    # Aged 16 at the start, 45 years to 60; each year a member pays on time with the chance
    # `density`, else makes a missed year up with the chance 1/2 (D1 Art. 7-8). Years paid on
    # time ~ Binomial(45, density), whatever is made up; flat 20 / 30 / 40 for 16-19 / 20-24 / 25+
    # years on time: the extra a pensioner is sum_k P(k) f(k) (everyone reaches 15 paid years
    # here: paid ~ Binomial(45, density + (1 - density) / 2), P(paid < 15) < 1e-6)
    from scipy.stats import binom
    bands = [{"years_from": 16, "yuan_flat": 20}, {"years_from": 20, "yuan_flat": 30},
             {"years_from": 25, "yuan_flat": 40}]
    over = _long(bands, False, contributions={"density": {"16+": density}, "catch_up_share": 0.5})
    over["scheme"] = {"horizon_years": 47, "start": "2011-01"}
    a = run(cohorts={(16, "male", "rural"): 1000.0}, overrides=over)
    k = np.arange(46)
    f = np.select([k >= 25, k >= 20, k >= 16], [40.0, 30.0, 20.0], 0.0)
    want = float((binom.pmf(k, 45, density) * f).sum())           # 25.36 (0.45), 34.68 (0.55)
    got = a.loc[2056, "basic_pension_county"] / a.loc[2056, "pensioners"] / 12
    assert got == pytest.approx(want, rel=1e-6)


def test_long_contribution_without_years_made_up_at_60_d1_art20_art21():
    # Aged 50 at the start: 11 years to 60 (2011-2021), all required (D1 Art. 21(二)); all make
    # up the 4 to 15 at 60. 1 yuan a month a year: 15 counted, or the 11 paid on time.
    over = {"contributions": {"catch_up_at_60": {"share": 1.0}}}
    counted = run(cohorts={(50, "male", "rural"): 1000}, overrides=_long([{"years_from": 1, "yuan_per_year": 1}],
                                                                          **over))
    left_out = run(cohorts={(50, "male", "rural"): 1000},
                   overrides=_long([{"years_from": 1, "yuan_per_year": 1}], False, **over))
    assert counted.loc[2023, "basic_pension_paid"] == pytest.approx(1000 * (55 + 15) * 12, rel=REL)
    assert left_out.loc[2023, "basic_pension_paid"] == pytest.approx(1000 * (55 + 11) * 12, rel=REL)


def _pay_on(**extra):
    # aged 30 at the start: pays 2011-2022 (ages 30-41, 12 years), nothing from 42 on; 60 in 2041
    return {"contributions": {"density": {"16-41": 1.0, "42+": 0.0},
                              "pay_on_after_60": {"allowed": True, "share": 1.0, "up_to_age": 65,
                                                  "reference": "provincial rule (test)", **extra}},
            "scheme": {"horizon_years": 40}}


def test_paying_on_after_60_until_the_years_are_reached():
    # 3 years short at 60 (2041): pays 100 + 30 subsidy in 2042-2044 (ages 61-63), then draws from
    # the month after the 63rd birthday: 5.5 months in 2044 (D1 Art. 21 次月, birth months pooled).
    # No interest: 15 x 130 = 1,950 in the account, 1,950 / 139 = 14.029 a month.
    a = run(cohorts={(30, "male", "rural"): 1000}, overrides=_pay_on())
    assert a.loc[2041, "reached_60_without_pension"] == 0 and a.loc[2041, "members_suspended"] == 0
    for y in (2042, 2043, 2044):
        assert a.loc[y, "members_paying_after_60"] == pytest.approx(1000)
        assert a.loc[y, "contributions_personal"] == pytest.approx(100_000, rel=REL)
        assert a.loc[y, "subsidy_contribution"] == pytest.approx(30_000, rel=REL)
    assert a.loc[2043, "pensioners"] == 0 and a.loc[2043, "members"] == pytest.approx(1000)
    assert a.loc[2044, "new_pensioners_after_paying_on"] == pytest.approx(1000)
    assert a.loc[2044, "basic_pension_paid"] == pytest.approx(1000 * 55 * 5.5, rel=REL)
    assert a.loc[2044, "account_pension_paid"] == pytest.approx(1000 * 1950 / 139 * 5.5, rel=REL)
    assert a.loc[2045, "account_pension_paid"] == pytest.approx(1000 * 1950 / 139 * 12, rel=REL)
    assert a.loc[2045, "members_paying"] == 0


def test_paying_on_without_subsidy_and_the_payout_table_at_63():
    # not subsidised: 12 x 130 + 3 x 100 = 1,860; D3 §8(二)2 table at 63: 117 months
    a = run(cohorts={(30, "male", "rural"): 1000},
            overrides=_pay_on(subsidised=False) | {"benefits": {"payout_divisor": "guofa_2005_38"}})
    assert a.loc[2043, "subsidy_contribution"] == 0
    assert a.loc[2045, "account_pension_paid"] == pytest.approx(1000 * 1860 / 117 * 12, rel=REL)


def test_paying_on_only_where_the_years_can_be_reached_by_the_limit():
    # paying 2011-2016 only (6 years): 9 short, more than the 4 years from 61 to 64: sealed at 60
    over = _pay_on(up_to_age=64)
    over["contributions"]["density"] = {"16-35": 1.0, "36+": 0.0}
    a = run(cohorts={(30, "male", "rural"): 1000}, overrides=over)
    assert a.loc[2041, "reached_60_without_pension"] == pytest.approx(1000)
    assert a.loc[2042, "members_paying"] == 0 and a.loc[2045, "pensioners"] == 0


def test_paying_on_a_share_the_rest_sealed_or_making_up_at_60_d1_art21():
    # half make up the 3 years at 60 (D1 Art. 21, 300 without subsidy); of the rest 40 % pay on
    over = _pay_on(share=0.4)
    over["contributions"]["catch_up_at_60"] = {"share": 0.5}
    a = run(cohorts={(30, "male", "rural"): 1000}, overrides=over)
    assert a.loc[2041, "new_pensioners_60"] == pytest.approx(500)
    assert a.loc[2041, "reached_60_without_pension"] == pytest.approx(300)
    assert a.loc[2042, "members_paying_after_60"] == pytest.approx(200)


def test_paying_on_deaths_refund_the_own_part_to_heirs_d1_art20():
    # 10 % die at 62 (2043) while paying on: heirs get the own part of the 1 January balance,
    # 12 x 100 + 100 = 1,300 each (D1 Art. 20); the subsidies, 13 x 30, go to the pooled fund
    a = run(cohorts={(30, "male", "rural"): 1000}, overrides=_pay_on(), q={62: 0.1})
    assert a.loc[2043, "deaths"] == pytest.approx(100)
    assert a.loc[2043, "inheritance_refunds"] == pytest.approx(100 * 1300, rel=REL)
    assert a.loc[2043, "forfeited_to_pool"] == pytest.approx(100 * 390, rel=REL)
    assert a.loc[2044, "new_pensioners_after_paying_on"] == pytest.approx(900)


@pytest.mark.parametrize("q, rate", [(None, 0.0), ({a: 0.05 for a in range(61, 101)}, 0.02)])
def test_paying_on_pensioners_draw_on_their_own_accounts_d1_art18(q, rate):
    # 100 men aged 50 in 2011, half enrolled in 2011 (11 years by 60: they draw at 60) and half in
    # 2015 (7 years, 4 short: they pay on to 64). In one run the two halves share ages but not
    # accounts (D1 Art. 18): every total equals the sum of the two halves run apart.
    def halves(path):
        over = {"scheme": {"horizon_years": 40, "start": "2011-01"}, "enrolment": {"rate_path": path},
                "contributions": {"pay_on_after_60": {"allowed": True, "share": 1.0, "up_to_age": 70}},
                "accounts": {"flat_rate_pa": rate}}
        return run(cohorts={(50, "male", "rural"): 100.0}, overrides=over, q=q)
    both = halves({2011: 0.5, 2015: 1.0})
    apart = halves({2011: 0.5}) + halves({2011: 0.0, 2015: 0.5})
    for col in ("members", "account_pension_paid", "longevity_gap_paid", "inheritance_refunds",
                "account_fund_balance", "members_paying_after_60"):
        np.testing.assert_allclose(both[col], apart[col], rtol=1e-9, atol=1e-9, err_msg=col)
    assert both["longevity_gap_paid"].sum() > 0 and both["members_paying_after_60"].sum() > 0


def test_staged_rollout_is_the_share_weighted_sum_of_its_stages():
    # half the population reached in 2011, half in 2013: each stage is its own projection
    from model.scenario import Scenario, _deep_merge
    from conftest import BASE
    import copy
    raw = _deep_merge(copy.deepcopy(BASE), {"scheme": {"horizon_years": 6,
                                                         "rollout": {"2011-07": 0.5, "2013-07": 0.5}}})
    staged = project(Scenario.model_validate(raw), detail=False).annual.set_index("year")
    a = project(Scenario.model_validate(_deep_merge(raw, {"scheme": {"rollout": None}})),
                detail=False).annual.set_index("year")
    b = project(Scenario.model_validate(_deep_merge(raw, {"scheme": {"rollout": None, "start": "2013-07",
                                                                       "horizon_years": 4}})),
                detail=False).annual.set_index("year")
    for col in ("members", "contributions_personal", "basic_pension_paid", "account_fund_balance"):
        want = 0.5 * a[col] + 0.5 * b[col].reindex(a.index, fill_value=0.0)
        np.testing.assert_allclose(staged[col], want, rtol=1e-12)
    assert staged.loc[2011, "basic_pension_monthly_rate"] == 55        # a rate, not summed
    # the detailed table is the same weighted sum, cell by cell; 2011-2012 only the first stage
    keys = ["year", "age", "sex", "area", "tier_yuan"]
    d = project(Scenario.model_validate(raw)).detail.set_index(keys)
    da = project(Scenario.model_validate(_deep_merge(raw, {"scheme": {"rollout": None}}))).detail.set_index(keys)
    db = project(Scenario.model_validate(_deep_merge(raw, {"scheme": {"rollout": None, "start": "2013-07",
                                                                       "horizon_years": 4}}))).detail.set_index(keys)
    want = (0.5 * da).add(0.5 * db, fill_value=0.0)
    want = want[(want != 0).any(axis=1)]
    got = d.reindex(want.index)
    assert len(d) == len(want)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, atol=1e-9)
    assert d.loc[2012].members.sum() == pytest.approx(0.5 * da.loc[2012].members.sum(), rel=1e-12)


def test_average_monthly_pension_and_the_first_pension_at_60():
    # 1,000 men aged 45 in 2011 paying 100 + 30 for 16 years, no interest: 2,080 at 60 in 2026,
    # 14.96 a month; 2027 pays 12 months of 55 + 14.96 to each: 12,000 person-months, 69.96 a month
    a = run(cohorts={(45, "male", "rural"): 1000})
    assert a.loc[2026, "new_pension_monthly_at_60"] == pytest.approx(55 + 2080 / 139, rel=REL)
    assert a.loc[2027, "pension_months"] == pytest.approx(12_000, rel=REL)
    assert a.loc[2027, "average_monthly_pension"] == pytest.approx(55 + 2080 / 139, rel=REL)
    assert a.loc[2025, "average_monthly_pension"] == 0 and a.loc[2025, "new_pension_monthly_at_60"] == 0
