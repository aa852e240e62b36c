"""The member calculator (算账) against cases worked by hand (D1, D3 rules)."""
import datetime as dt
import json
from pathlib import Path

import pytest

from model import load_scenario
from model.scenario import with_overrides
from model.member.calculator import Member, MemberInputError, illustrate, what_if

ROOT = Path(__file__).resolve().parents[2]
QIANNAN = load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml")     # start 2011-07
BEIBEI = load_scenario(ROOT / "scenarios" / "beibei_2011.yaml")       # start 2011-10
TODAY = dt.date(2026, 11, 28)


def ill(scen, **kw):
    return illustrate(scen, Member(**kw), today=TODAY)


def test_zero_interest_qiannan_d1_art7_20_21():
    # Born 1966-05, 45 at the start, pays 100 + 30 for 16 years (2011-2026): 2,080 at 60;
    # 2,080 / 139 = 14.96 a month from June 2026; the account lasts exactly 139 months:
    # June 2026 - December 2037, so the first month it cannot pay is January 2038.
    s = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.0).summary
    assert s["eligible"] and s["years_paid"] == 16
    assert s["balance_at_60"] == pytest.approx(2080.0)
    assert s["personal_paid_total"] == 1600 and s["government_subsidy_total"] == pytest.approx(480)
    assert s["first_payment"] == "2026-06"
    assert s["monthly_account_pension"] == pytest.approx(14.96, abs=0.005)
    assert s["account_exhausted"] == "2038-01"


def test_flat_interest_year_end_crediting_rules_s3():
    # 130 x (1.03^15 - 1) / 0.03 + 130 = 2,547.8588 at 60 -> 18.33 a month
    il = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.03)
    assert il.summary["balance_at_60"] == pytest.approx(2547.86, abs=0.005)
    assert il.summary["monthly_account_pension"] == pytest.approx(18.33, abs=0.005)
    assert il.schedule.loc[il.schedule.year == 2012, "interest_yuan"].item() == pytest.approx(3.9)


@pytest.mark.parametrize("reading, balance", [
    ("none", 2547.86),            # 130 x (1.03^15 - 1) / 0.03 = 2,417.86 at the end of 2025, + 130
    ("until_pension", 2578.08),   # born in May, paid from June: 5 months, 2,417.86 x 1.25 % = 30.22 more
    ("full_year", 2620.39),       # 2,417.86 x 3 % = 72.54 more
])
def test_interest_in_the_60th_birthday_year_by_reading_rules_s3(reading, balance):
    scen = with_overrides(QIANNAN, {"accounts": {"interest_at_60": reading}})
    il = ill(scen, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.03)
    assert il.summary["balance_at_60"] == pytest.approx(balance, abs=0.005)
    assert il.summary["monthly_account_pension"] == pytest.approx(balance / 139, abs=0.005)


def test_year_start_crediting_compounds_every_payment_through_the_16th_year_rules_s3():
    # the bureaus' worked examples: 130 a year for 16 years at 5 %, each payment earning the year it
    # is paid, the 60th year too: 130 x 1.05 x (1.05^16 - 1) / 0.05 = 3,229.25 -> 23.23 a month
    scen = with_overrides(QIANNAN, {"accounts": {"crediting": "year_start", "interest_at_60": "full_year"}})
    il = ill(scen, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.05)
    assert il.summary["balance_at_60"] == pytest.approx(3229.25, abs=0.005)
    assert il.summary["monthly_account_pension"] == pytest.approx(23.23, abs=0.005)
    assert il.schedule.loc[il.schedule.year == 2011, "interest_yuan"].item() == pytest.approx(6.5)   # 130 x 5 %


def test_disabled_and_disabled_on_dibao_d1_art9():
    # disabled: county pays 50 of the 100, so 16 x 50 = 800 own and 16 x 80 = 1,280 government
    s = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.0,
            flags=frozenset({"severely_disabled"})).summary
    assert (s["personal_paid_total"], s["government_subsidy_total"]) == (800, pytest.approx(1280))
    # disabled and on 低保: the county pays the whole 100, not 50 + 100 (D1 Art. 9)
    s = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.0,
            flags=frozenset({"severely_disabled", "dibao"})).summary
    assert (s["personal_paid_total"], s["government_subsidy_total"]) == (0, pytest.approx(2080))
    assert s["balance_at_60"] == pytest.approx(2080)


def test_stopping_after_12_years_under_45_d1_art21_3():
    # Born 1976-03: 35 at the start; pays 2011-2022 then stops: 12 years < 15, no pension;
    # by default the 1,560 stays in the account; with the 'refund' reading leaving at 60
    # refunds the own part 1,200 (not the 360 of subsidy).
    s = ill(QIANNAN, birth_year=1976, birth_month=3, enrol_year=2011, tier=100, interest_rate=0.0,
            stop_after_years=12).summary
    assert s["eligible"] is False and s["years_paid"] == 12
    assert "15 required" in s["eligibility_reason"] and "3 years" in s["eligibility_reason"]
    assert s["account_kept"] == pytest.approx(1560)          # D1 Art. 21(三): kept, sealed
    refund = QIANNAN.model_copy(update={"benefits": QIANNAN.benefits.model_copy(
        update={"short_of_years_at_60": "refund"})})
    s = ill(refund, birth_year=1976, birth_month=3, enrol_year=2011, tier=100, interest_rate=0.0,
            stop_after_years=12).summary
    assert s["refund_on_leaving"] == pytest.approx(1200)
    # making up the 3 years at 60 (3 x 100, no subsidy) qualifies: 1,560 + 300 = 1,860
    s = ill(QIANNAN, birth_year=1976, birth_month=3, enrol_year=2011, tier=100, interest_rate=0.0,
            stop_after_years=12, make_up_at_60=True).summary
    assert s["eligible"] and s["years_made_up"] == 3
    assert s["balance_at_60"] == pytest.approx(1860)
    assert s["personal_paid_total"] == pytest.approx(1500)


def test_lump_sum_fewer_than_60_months_to_75_d3_s6_1_2():
    # Born 1940-03, 71 at the October 2011 start: 41 months to 75 -> 60 months: 60 x 60 = 3,600
    s = ill(BEIBEI, birth_year=1940, birth_month=3, enrol_year=2011, lump_sum_monthly=60,
            interest_rate=0.0, sex="female").summary
    assert s["lump_sum_price"] == pytest.approx(3600)
    assert s["monthly_account_pension"] == 60 and s["first_payment"] == "2011-10"
    assert s["account_exhausted"] == "2016-10"              # 60 months: Oct 2011 - Sep 2016


def test_lump_sum_more_than_60_months_to_75_d3_s6_1_2():
    # Born 1948-12, 62 at the start: (2023 - 2011) x 12 + 12 - 10 = 146 months -> 40 x 146 = 5,840
    s = ill(BEIBEI, birth_year=1948, birth_month=12, enrol_year=2011, lump_sum_monthly=40).summary
    assert s["lump_sum_price"] == pytest.approx(5840)


def test_topup_at_70_and_one_child_parent_d3_s8():
    # Born 1950-04, 61 at the start: basic only, 55 + 25 = 80 a month from October 2011,
    # +10 as a one-child parent. From May 2020 (the month after the 70th birthday): basic
    # 88 + 25 = 113 (national minimum 88 from 2018), +10 at 70, +10 one-child = 133.
    s = ill(BEIBEI, birth_year=1950, birth_month=4, enrol_year=2011, one_child_parent=True).summary
    assert s["monthly_basic_pension"] == pytest.approx(80) and s["monthly_topups"] == pytest.approx(10)
    assert s["monthly_total"] == pytest.approx(90)
    assert s["monthly_total_at_70"] == pytest.approx(133)
    il = ill(BEIBEI, birth_year=1950, birth_month=4, enrol_year=2011)
    row = il.schedule.set_index("year").loc[2020]
    assert row["topups_yuan"] == pytest.approx(8 * 10)      # May-December 2020


def test_heirs_share_excludes_government_part_d1_art20():
    # Born 1966-05, dying early in 2021 at 54 (the birthday comes in May): 10 payments
    # 2011-2020 of 100 own + 30 subsidy; the heirs get the own 1,000, not the 300.
    il = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.0,
             death_age=54)
    assert il.summary["heirs_at_death_age"]["heirs_yuan"] == pytest.approx(1000)
    assert il.summary["heirs_at_death_age"]["year"] == 2021


def test_d3_death_grant_for_heirs_d3_s8_5():
    # Basic only (born 1940-01, 71 at the start): in December 2012 the pension is 80 + 10
    # (70+); on death early in 2013 the heirs get 12 x 90 = 1,080 (D3 §8(五): 上月 x 12)
    il = ill(BEIBEI, birth_year=1940, birth_month=1, enrol_year=2011)
    h = il.heirs.set_index("year")
    assert h.loc[2013, "death_grant_yuan"] == pytest.approx(1080)
    assert h.loc[2013, "heirs_yuan"] == 0
    # born 1950-04, one-child parent: December 2020 pays 93 + 25 + 10 + 10 = 138 -> 1,656
    il = ill(BEIBEI, birth_year=1950, birth_month=4, enrol_year=2011, one_child_parent=True)
    assert il.heirs.set_index("year").loc[2021, "death_grant_yuan"] == pytest.approx(1656)


def test_break_even_and_irr_are_reported():
    s = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100, interest_rate=0.0).summary
    # own payments 1,600; from June 2026 about 163 + 14.96 a month: 9 months -> 60.8 (born May)
    assert s["break_even_age"] == pytest.approx(60.8)
    assert 0 < s["irr"] < 1


def test_irr_is_the_rate_that_equates_payments_and_pension_hand_worked(params):
    # nobody dies (q = 0): pay 100 in 2011, receive 121 in 2013 -> 100 = 121 / 1.1^2, IRR 10 %
    import pandas as pd
    from model.member.calculator import _irr
    P = params()
    cols = dict(personal_yuan=[100.0, 0, 0], catch_up_yuan=0.0, basic_pension_yuan=[0, 0, 121.0],
                account_pension_yuan=0.0, longevity_gap_yuan=0.0, topups_yuan=0.0)
    sched = pd.DataFrame({"year": [2011, 2012, 2013], **cols})
    heirs = pd.DataFrame({"year": [2011, 2012, 2013], "heirs_yuan": 0.0, "death_grant_yuan": 0.0})
    member = Member(birth_year=1950, birth_month=1, enrol_year=2011)
    assert _irr(member, P, sched, heirs, 0, True)[0] == pytest.approx(0.10, abs=1e-6)
    P1 = params(q={a: 0.01 for a in range(101)})
    # deaths at mid-year: in 2013 the pension is paid to those alive at its start (0.99^2) less
    # half a year of that year's deaths: 0.99^2 x (1 - 0.005) x 121 = 118.00, so
    # 100 = 118.00 / (1 + r)^2 and r = sqrt(1.1800) - 1 = 0.0863
    expected = (0.99 ** 2 * (1 - 0.005) * 121 / 100) ** 0.5 - 1
    assert _irr(member, P1, sched, heirs, 0, True)[0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("kw, message", [
    (dict(birth_year=2030, birth_month=5, enrol_year=2046), "in the future"),
    (dict(birth_year=1980, birth_month=5, enrol_year=2011, tier=150), "not a tier"),
    (dict(birth_year=1980, birth_month=5, enrol_year=2011, stop_after_years=10**20), "from 0 to 100"),
    (dict(birth_year=1980, birth_month=5, enrol_year=2011, lump_sum_monthly=40), "already 60"),
    (dict(birth_year=1980, birth_month=5, enrol_year=2005), "before the scheme starts"),
    (dict(birth_year=2000, birth_month=5, enrol_year=2012), "under 16"),
])
def test_bad_member_input_is_one_clear_error(kw, message):
    with pytest.raises(MemberInputError, match=message):
        illustrate(QIANNAN, Member(**kw), today=TODAY)


@pytest.mark.parametrize("args, message", [
    (["--birth", "2099-05", "--enrol", "2011"], "in the future"),
    (["--birth", "1980-05", "--enrol", "2011", "--tier", "150"], "not a tier"),
    (["--birth", "1980-05", "--enrol", "2011", "--lump-sum", "40"], "already 60"),
])
def test_cli_bad_input_exit_2_one_line(args, message, cli):
    r = cli("member", ROOT / "scenarios" / "beibei_2011.yaml", *args)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error:") and message in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_json_has_the_documented_keys(cli):
    r = cli("member", ROOT / "scenarios" / "qiannan_2011.yaml", "--birth", "1966-05", "--enrol", "2011",
            "--tier", "100", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for k in ("eligible", "years_paid", "balance_at_60", "personal_paid_total", "government_subsidy_total",
              "monthly_basic_pension", "monthly_account_pension", "monthly_total", "first_payment",
              "lump_sum_price", "account_exhausted", "break_even_age", "irr", "schedule"):
        assert k in d, k
    assert d["first_payment"] == "2026-06" and len(d["schedule"]) > 16
    # what a higher tier buys: born 1966, only 15 years fit from the 2011 start (2012-2026), 12 tiers
    assert len(d["what_if"]) == 12 and {r["years_paid"] for r in d["what_if"]} == {15}
    assert [r["tier_yuan"] for r in d["what_if"]][:2] == [100.0, 200.0]


def test_what_if_table_by_tier_and_years_paid_d1_art7_20():
    # Born 1980-05 (60 in 2040), no interest, 30 subsidy on every tier (D1 Art. 8): N years at tier T
    # give N x (T + 30) / 139 a month from the account: 15 x 130 / 139 = 14.03; 30 x 1,630 / 139 = 351.80.
    # 15 years: enrol 2026; 30: 2011, the start; 35 would start in 2006, before the scheme: not shown.
    m = Member(birth_year=1980, birth_month=5, enrol_year=2015, tier=300, interest_rate=0.0, stop_after_years=3)
    w = what_if(QIANNAN, m, today=TODAY)
    assert sorted(w.years_paid.unique()) == [15, 20, 25, 30] and len(w) == 4 * 12
    cell = w.set_index(["tier_yuan", "years_paid"])
    assert cell.loc[(100.0, 15), "monthly_account_yuan"] == pytest.approx(14.03, abs=0.005)
    assert cell.loc[(1600.0, 30), "monthly_account_yuan"] == pytest.approx(351.80, abs=0.005)
    # the basic pension is the same in every cell: paying more or longer adds only the account part
    basic = cell.monthly_total_yuan - cell.monthly_account_yuan
    assert basic.max() - basic.min() < 0.015          # each figure is rounded to the fen
    # a higher tier pays back later (more paid in), never earlier
    for n in (15, 20, 25, 30):
        ages = w[w.years_paid == n].sort_values("tier_yuan").break_even_age.to_numpy()
        assert (ages[1:] >= ages[:-1]).all()
    assert len(what_if(QIANNAN, Member(birth_year=1940, birth_month=5, enrol_year=2011), today=TODAY)) == 0   # 60+


def test_december_birth_earns_interest_the_year_after_60_rules_s3():
    # Born 1966-12 at 3 %: the pension starts January 2027, and the 2027 balance earns
    # the year's interest like everyone else's (only the 60th-birthday year has none)
    il = ill(QIANNAN, birth_year=1966, birth_month=12, enrol_year=2011, tier=100, interest_rate=0.03)
    row = il.schedule.set_index("year").loc[2027]
    assert row["interest_yuan"] == pytest.approx(0.03 * il.summary["balance_at_60"], abs=0.01)
    assert il.summary["first_payment"] == "2027-01"


def test_45_at_the_start_needs_15_of_the_16_years_d1_art21_2():
    # Born 1966-01, 45 at the July 2011 start: 16 years 2011-2026 to 60, but no more than 15
    # are asked (D1 Art. 21(二) 累计缴费不得超过15年; RULES.md §9), as of a 44-year-old
    s = ill(QIANNAN, birth_year=1966, birth_month=1, enrol_year=2011, stop_after_years=15).summary
    assert s["eligible"] is True and s["years_paid"] == 15
    s = ill(QIANNAN, birth_year=1966, birth_month=1, enrol_year=2011, stop_after_years=14).summary
    assert s["eligible"] is False and "15 required" in s["eligibility_reason"]
    assert "at least 1 years" in s["eligibility_reason"]
    # 50 at the start: every year 2011-2021, 11
    s = ill(QIANNAN, birth_year=1961, birth_month=1, enrol_year=2011, stop_after_years=10).summary
    assert s["eligible"] is False and "11 required" in s["eligibility_reason"]


def test_60_plus_registering_later_paid_from_the_month_after_d1_art22():
    # Born 1946-05, 65 at the July 2011 start, registering in 2013 (55 a month in 2013, D1 Art. 20):
    # registered in March -> paid April-December, 9 months, 495; the month not given -> the
    # expected 5.5 months, 302.50, as the cohort engine pays (RULES.md §9)
    il = ill(QIANNAN, birth_year=1946, birth_month=5, enrol_year=2013, enrol_month=3)
    row = il.schedule.set_index("year").loc[2013]
    assert row["pension_months"] == 9 and il.summary["first_payment"] == "2013-04"
    assert row["basic_pension_yuan"] == pytest.approx(495)
    il = ill(QIANNAN, birth_year=1946, birth_month=5, enrol_year=2013)
    row = il.schedule.set_index("year").loc[2013]
    assert row["pension_months"] == pytest.approx(5.5)
    assert row["basic_pension_yuan"] == pytest.approx(302.5)
    assert any("5.5 months" in n for n in il.notes)


def test_lump_sum_bought_after_the_start_year_d3_s6_1_2():
    # Beibei, born 1946-05, buying 40 a month when registering in March 2012 (66 in 2012):
    # months to 75 = 9 x 12 + 5 - 3 = 110 -> 4,400; paid April-December 2012: 9 x 40 = 360
    il = ill(BEIBEI, birth_year=1946, birth_month=5, enrol_year=2012, enrol_month=3, lump_sum_monthly=40)
    assert il.summary["lump_sum_price"] == pytest.approx(4400)
    assert il.schedule.set_index("year").loc[2012, "account_pension_yuan"] == pytest.approx(360)
    # month not given: the mean over registration months, 40 x (113 - 6.5) = 4,260, and 5.5 months
    il = ill(BEIBEI, birth_year=1946, birth_month=5, enrol_year=2012, lump_sum_monthly=40)
    assert il.summary["lump_sum_price"] == pytest.approx(4260)
    assert il.schedule.set_index("year").loc[2012, "account_pension_yuan"] == pytest.approx(220)


def test_cli_enrol_takes_a_year_or_a_year_and_month(cli):
    for enrol, months in (("2013", 5.5), ("2013-03", 9.0)):
        r = cli("member", ROOT / "scenarios" / "qiannan_2011.yaml", "--birth", "1946-05", "--enrol", enrol, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["schedule"][0]["pension_months"] == months
    for enrol, message in (("2013-13", "does not exist"), ("2011-03", "before the scheme starts"), ("x", "--enrol")):
        r = cli("member", ROOT / "scenarios" / "qiannan_2011.yaml", "--birth", "1946-05", "--enrol", enrol)
        assert r.returncode == 2 and r.stderr.startswith("error:") and message in r.stderr, r.stderr


# under 45 at the start: pays 2011-2022 at 100 yuan, then stops
STOPS_AFTER_12 = dict(birth_year=1976, birth_month=3, enrol_year=2011, tier=100, interest_rate=0.0,
                      stop_after_years=12)


def test_catch_up_of_missed_years_has_no_subsidy_d1_art7_8():
    # Under 45: pays 12 years (2011-2022), then in 2024 makes up the 2 missed years
    # 2023-2024 at 100 each (no subsidy): 2 more years paid, 200 more own money, no
    # more government money.
    base = STOPS_AFTER_12
    a = ill(QIANNAN, **base).summary
    b = ill(QIANNAN, **base, catch_up={2024: 2}).summary
    assert b["years_paid"] == a["years_paid"] + 2
    assert b["personal_paid_total"] == pytest.approx(a["personal_paid_total"] + 200)
    assert b["government_subsidy_total"] == pytest.approx(a["government_subsidy_total"])
    with pytest.raises(MemberInputError, match="only 0 missed"):
        ill(QIANNAN, **{**base, "stop_after_years": None}, catch_up={2015: 1})


def test_no_pension_irr_counts_the_account_and_break_even_needs_payments():
    # zero interest, 12 years paid, refunded at 60: every yuan comes back, so the IRR is
    # about 0 (a little below: the refund is counted at 60, nothing for the subsidy)
    refund = QIANNAN.model_copy(update={"benefits": QIANNAN.benefits.model_copy(
        update={"short_of_years_at_60": "refund"})})
    s = ill(refund, birth_year=1976, birth_month=3, enrol_year=2011, tier=100, interest_rate=0.0,
            stop_after_years=12).summary
    assert s["irr"] is not None and abs(s["irr"]) < 0.02
    s = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100,
            flags=frozenset({"severely_disabled", "dibao"})).summary
    assert s["personal_paid_total"] == 0 and s["break_even_age"] is None


def test_catch_up_only_in_the_following_year_d3_6_1():
    # Beibei (D3 §6(一)1, catch_up_window_years: 1): stops after 12 years (2011-2022), so
    # every year from 2023 is missed. In 2024 the open years are 2023 and 2024: both may be
    # made up. In 2026 only 2025 and 2026 are open (2023 and 2024 have lapsed): 3 fail.
    base = STOPS_AFTER_12
    a = ill(BEIBEI, **base).summary
    b = ill(BEIBEI, **base, catch_up={2024: 2}).summary
    assert b["years_paid"] == a["years_paid"] + 2
    assert b["personal_paid_total"] == pytest.approx(a["personal_paid_total"] + 200)
    with pytest.raises(MemberInputError, match="only 2 missed years may be made up in 2026 .*catch_up_window_years: 1"):
        ill(BEIBEI, **base, catch_up={2026: 3})
    # D1 (Qiannan, any later year): the same three years made up in 2026 are allowed
    c = ill(QIANNAN, **base, catch_up={2026: 3}).summary
    assert c["years_paid"] == ill(QIANNAN, **base).summary["years_paid"] + 3


PAY_ON = with_overrides(QIANNAN, {"contributions": {"pay_on_after_60": {
    "allowed": True, "share": 0.5, "up_to_age": 65, "reference": "provincial rule (test)"}}})


def test_paying_on_after_60_until_15_years():
    # Born 1970-05, pays 100 + 30 in 2011-2022 (12 years), nothing later; 3 short at 60 (2030):
    # pays 100 + 30 in 2031-2033 (ages 61-63) and draws from June 2033. No interest: 15 x 130 =
    # 1,950 in the account, 1,950 / 139 = 14.03 a month.
    il = ill(PAY_ON, birth_year=1970, birth_month=5, enrol_year=2011, tier=100, stop_after_years=12,
             pay_on=True, interest_rate=0.0)
    s = il.summary
    assert s["eligible"] and s["years_paid"] == 15 and s["years_paid_on"] == 3
    assert s["balance_at_pension_start"] == pytest.approx(1950.0) and s["first_payment"] == "2033-06"
    assert s["balance_at_60"] == pytest.approx(1560.0)                         # 12 x 130 at the end of 2030
    assert s["monthly_account_pension"] == pytest.approx(14.03, abs=0.005)
    paid_on = il.schedule.set_index("year").loc[2031:2033]
    assert paid_on["personal_yuan"].tolist() == [100.0] * 3
    assert paid_on[[c for c in paid_on if c.startswith("subsidy_")]].sum(axis=1).tolist() == [30.0] * 3
    assert il.schedule.set_index("year").loc[2033, "pension_months"] == 7         # June-December


def test_paying_on_earns_the_years_interest_and_none_in_the_starting_year_rules_s3():
    # At 3 %: 130 x (1.03^12 - 1) / 0.03 = 1,844.98 at the end of 2022, then 7 years at 3 % to the
    # end of 2029 (x 1.03^7): 2,269.07; no interest in 2030 (the 60th birthday, RULES.md §3);
    # 2031 and 2032 earn 3 % and take 130 each: 2,671.16; 2033 takes 130 with no interest
    # (payment starts): 2,801.16
    il = ill(PAY_ON, birth_year=1970, birth_month=5, enrol_year=2011, tier=100, stop_after_years=12,
             pay_on=True, interest_rate=0.03)
    assert il.summary["balance_at_pension_start"] == pytest.approx(2801.16, abs=0.005)
    assert il.summary["balance_at_60"] == pytest.approx(2269.07, abs=0.005)
    assert il.summary["monthly_account_pension"] == pytest.approx(2801.16 / 139, abs=0.005)


def test_paying_on_refused_where_the_rules_or_the_age_limit_do_not_allow_it():
    with pytest.raises(MemberInputError, match="do not let members pay on"):
        ill(QIANNAN, birth_year=1970, birth_month=5, enrol_year=2011, tier=100, stop_after_years=12, pay_on=True)
    with pytest.raises(MemberInputError, match="10 years short at 60, but paying on is allowed only to age 65"):
        ill(PAY_ON, birth_year=1970, birth_month=5, enrol_year=2011, tier=100, stop_after_years=5, pay_on=True)
    with pytest.raises(MemberInputError, match="give one"):
        ill(PAY_ON, birth_year=1970, birth_month=5, enrol_year=2011, tier=100, stop_after_years=12, pay_on=True,
            make_up_at_60=True)


def test_paying_on_not_needed_is_a_note():
    il = ill(PAY_ON, birth_year=1970, birth_month=5, enrol_year=2011, tier=100, pay_on=True)
    assert il.summary["years_paid_on"] == 0 and any("nothing to pay on" in n for n in il.notes)


def test_long_contribution_bands_in_the_calculator_d1_art20():
    # flat 20 / 30 / 40 for 16-19 / 20-24 / 25+ years, made-up years left out: born 1966, 45 at the
    # start, 16 years on time -> 20 a month; paying 12 and making up 2 missed years in 2024 -> 14
    # years, 12 on time -> nothing (bands from 16)
    bands = {"benefits": {"long_contribution": {"bands": [
        {"years_from": 16, "yuan_flat": 20}, {"years_from": 20, "yuan_flat": 30}, {"years_from": 25, "yuan_flat": 40}],
        "counts_made_up_years": False}}}
    scen = with_overrides(QIANNAN, bands)
    on_time = ill(scen, birth_year=1966, birth_month=5, enrol_year=2011, tier=100).summary
    plain = ill(QIANNAN, birth_year=1966, birth_month=5, enrol_year=2011, tier=100).summary
    assert on_time["monthly_basic_pension"] == pytest.approx(plain["monthly_basic_pension"] + 20, abs=1e-9)
    # Wuhan: 1 a month for every year, made-up years counted: 16 years -> 16
    wuhan = with_overrides(QIANNAN, {"benefits": {"long_contribution": [{"years_from": 1, "yuan_per_year": 1}]}})
    s = ill(wuhan, birth_year=1966, birth_month=5, enrol_year=2011, tier=100).summary
    assert s["monthly_basic_pension"] == pytest.approx(plain["monthly_basic_pension"] + 16, abs=1e-9)
