"""Tests of model/tables.py against the package data files and hand-worked numbers."""
import numpy as np
import pandas as pd
import pytest

from model.io import tables as T

DATA = T.DATA_DIR


# ---------------------------------------------------------------- graduation

def test_graduation_of_constant_rates_is_constant():
    # Constant mx = 0.01 in every group -> H(x) = 0.01 x is linear; PCHIP
    # reproduces a straight line, so every single-age rate is 0.01.
    starts = [0, 1] + list(range(5, 101, 5))
    out = T.graduate_mx_to_single_ages(starts, np.full(len(starts), 0.01))
    assert out.shape == (101,)
    np.testing.assert_allclose(out, 0.01, rtol=1e-12)


def test_graduation_preserves_closed_groups_wpp_all_periods():
    wpp = pd.read_csv(DATA / "wpp2024_china_mx_5yr_age_by_sex_1950_2100.csv")
    starts = [0, 1] + list(range(5, 101, 5))
    widths = np.diff(starts)                              # 1, 4, 5, 5, ..., 5
    for _, per in wpp.groupby("mid_year"):
        for sex in ("male", "female"):
            mx = per[f"mx_{sex}_per_person_year"].to_numpy()
            single = T.graduate_mx_to_single_ages(starts, mx)
            sums = np.add.reduceat(single[:100], starts[:-1])
            # e.g. 2010-15 male 60-64: 5 * 0.01542962 = 0.0771481 = sum of ages 60..64
            np.testing.assert_allclose(sums, widths * mx[:-1], rtol=1e-9)
            assert single[100] == mx[-1]                  # open 100+ keeps its rate
            assert np.all(single > 0)
            assert np.all(np.diff(single[30:]) > 0)       # rising with age from 30


def test_graduation_rejects_bad_groups():
    with pytest.raises(ValueError):
        T.graduate_mx_to_single_ages([1, 5, 10], [0.1, 0.1, 0.1])


# ---------------------------------------------------------------- mortality

def test_wpp_time_interpolation_is_log_linear():
    # Age 0 is a 1-year group, so single age 0 = group rate.  Male age 0:
    # 2008 (2005-10) 0.01710461, 2013 (2010-15) 0.01141975.  For 2011, w = 3/5:
    # exp(0.4 ln 0.01710461 + 0.6 ln 0.01141975)
    #   = exp(0.4 * -4.068407 + 0.6 * -4.472411) = exp(-4.310810) = 0.0134227
    mx = T.death_rates_mx([2008, 2011, 2013, 1900, 1953, 2098, 2200])
    assert mx.shape == (7, 2, 101)
    assert mx[0, 0, 0] == pytest.approx(0.01710461, rel=1e-12)
    assert mx[1, 0, 0] == pytest.approx(0.0134227, rel=1e-5)
    assert mx[2, 0, 0] == pytest.approx(0.01141975, rel=1e-12)
    np.testing.assert_array_equal(mx[3], mx[4])          # before 1953 -> 1950-55
    np.testing.assert_array_equal(mx[5], mx[6])          # after 2098 -> 2095-2100
    assert mx[2, 1, 100] == pytest.approx(0.55246551)    # 2010-15 female 100+


def test_wpp_2011_life_expectancy_plausible():
    q = T.mx_to_qx(T.death_rates_mx([2011])[0])
    e0 = T.life_expectancy(q)                            # (2,): about 73.3 / 78.6
    e60 = T.life_expectancy(q, 60)                       # about 18.9 / 22.5
    assert 73 <= e0[0] <= 78 and 78 <= e0[1] <= 83
    assert 17 <= e60[0] <= 21 and 20 <= e60[1] <= 25
    assert e0[1] > e0[0] and e60[1] > e60[0]


def test_life_expectancy_hand_worked():
    # q = 0 at ages 0..99, open 100+ with mx = 0.5 (q = 1 - e^-0.5):
    # e0 = 100 years lived in 0..99 + 1/0.5 = 102; e100 = 2.
    q = np.zeros(101)
    q[100] = 1 - np.exp(-0.5)
    assert T.life_expectancy(q) == pytest.approx(102.0)
    assert T.life_expectancy(q, 100) == pytest.approx(2.0)
    # q0 = 0.5, then 0 to 99, open mx = 1:  L0 = 1 - 0.25 = 0.75,
    # ages 1..99: 99 * 0.5 = 49.5, open: 0.5 * 1/1 = 0.5  -> e0 = 50.75
    q = np.zeros(101)
    q[0], q[100] = 0.5, 1 - np.exp(-1.0)
    assert T.life_expectancy(q) == pytest.approx(50.75)
    assert isinstance(T.life_expectancy(q), float)


def test_cl2010_rates_and_e60():
    mx = T.death_rates_mx([2011, 2040], table="cl2010")
    assert mx.shape == (2, 2, 101)
    np.testing.assert_array_equal(mx[0], mx[1])          # same every year
    # male q0 = 0.000566 -> mx = -ln(1 - 0.000566) = 0.000566160
    assert mx[0, 0, 0] == pytest.approx(0.000566160, rel=1e-6)
    # open age 100+: 1 / e(100), e(100) from the table's ages 100-105 with deaths at mid-year
    df = pd.read_csv(DATA / "cl2010_2013_pension_business_CL5_CL6_qx.csv").set_index("age")
    for i, col in enumerate(("qx_CL5_pension_male", "qx_CL6_pension_female")):
        q = df.loc[100:105, col].to_numpy()
        lx = np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
        assert mx[0, i, 100] == pytest.approx(1 / (lx * (1 - q / 2)).sum(), rel=1e-12)
    # SOURCES.md: e60 = 25.3 (male), 29.3 (female); the model's life table gives the
    # table's own 25.34 / 29.30 (the open age is fitted to e(100))
    e60 = T.life_expectancy(T.mx_to_qx(mx[0]), 60)
    assert e60 == pytest.approx([25.34, 29.30], abs=0.01)


def test_wpp_single_age_e60_against_the_abridged_table():
    # The graduated single-age table against the abridged table of the same 5-year rates
    # (UN method, deaths at mid-interval). They differ by up to ~0.17 years at 60: within a
    # 5-year group the hazard rises, which the abridged table's straight-line l(x) misses.
    # WPP's own published e60 is not in the shipped data; its e0 is (next tests).
    mids, starts, mx = T.wpp_groups()
    ab = T.abridged_life_expectancy(starts, mx, 60)
    single = T.life_expectancy(T.mx_to_qx(T.death_rates_mx(mids)), 60)
    assert np.abs(single - ab).max() < 0.2
    assert ((single - ab) > 0).all()                  # always above, as the rising hazard implies


def test_remaining_life_expectancy_given_e0_hand_worked():
    # No deaths before 100, everybody dies in the open age (q = 1 -> 0.5 years):
    # e0 = 100 + 0.5 = 100.5 and e60 = 40.5. Asking for e0 = 101.5 with ages 0..59
    # unchanged (60 years lived, l60 = 1) puts the extra year on ages 60+: e60 = 41.5.
    q = np.zeros(101)
    q[100] = 1.0
    assert T.life_expectancy(q) == pytest.approx(100.5)
    assert T.remaining_life_expectancy_given_e0(q, 100.5, 60) == pytest.approx(40.5)
    assert T.remaining_life_expectancy_given_e0(q, 101.5, 60) == pytest.approx(41.5)
    # Half the cohort dies at age 10 (mid-year): l60 = 0.5 and sum_{x<60} L = 10 + 0.75 + 49 * 0.5
    q[10] = 0.5
    below = 10 + 0.75 + 49 * 0.5
    assert T.remaining_life_expectancy_given_e0(q, below + 0.5 * 40.5, 60) == pytest.approx(40.5)


def _wpp_e0_check():
    mids, starts, groups = T.wpp_groups()
    pub_mids, pub = T.wpp_published_e0()
    assert np.array_equal(mids, pub_mids)
    q = T.mx_to_qx(T.death_rates_mx(mids))
    return mids, pub, q, T.abridged_life_expectancy(starts, groups, 0)


def test_wpp_graduated_table_reproduces_wpp_own_e0():
    # WPP 2024 publishes e0 for the same 5-year periods as its rates (PPgp/wpp2024 e0M5/e0F5).
    # The graduated single-age table gives that e0 within 0.1 year in every period from
    # 1953 to 2053 but the famine periods; e.g. 2010-2015: 73.845 vs 73.811 (male),
    # 79.186 vs 79.160 (female). The abridged table of the same rates is further off.
    mids, pub, q, abridged = _wpp_e0_check()
    diff = T.life_expectancy(q, 0) - pub                              # (period, sex)
    famine = np.isin(mids, (1958, 1963))
    core = ~famine & (mids <= 2053)
    assert np.abs(diff[core]).max() < 0.1
    assert np.abs(diff[core]).mean() < np.abs(abridged - pub)[core].mean()
    assert diff[mids == 2013][0] == pytest.approx([0.034, 0.027], abs=0.002)
    # After 2053 the gap grows to 0.13 by 2098 (the 5-year rates average the annual tables
    # and the open 100+ rate holds a growing share of life; PROVENANCE.md).
    assert np.abs(diff[~famine]).max() < 0.15
    # 1958-1963 (the famine): e0 of averaged rates is below the average of annual e0s, as
    # Jensen's inequality says for a convex function; WPP's figure is the latter.
    assert (diff[famine] < -0.25).all() and (diff[famine] > -0.55).all()


def test_wpp_e60_given_wpp_own_e0():
    # The e60 that WPP's own e0 implies (the model's table kept below 60) against the
    # model's e60. The difference is the e0 gap divided by l60 (0.6-0.9), i.e. the e0 check
    # rescaled: how far e60 could be off if all of the gap lay above 60. Within 0.1 year in
    # every period from 1995-2000 to 2050-2055 (every year the scheme has run and the next
    # thirty); within 0.15 in every period but the famine.
    mids, pub, q, _ = _wpp_e0_check()
    implied = T.remaining_life_expectancy_given_e0(q, pub, 60)
    diff = T.life_expectancy(q, 60) - implied
    famine = np.isin(mids, (1958, 1963))
    assert np.abs(diff[(mids >= 1998) & (mids <= 2053)]).max() < 0.1
    assert np.abs(diff[~famine]).max() < 0.15
    assert np.abs(diff[mids == 2013]).max() < 0.05
    l60 = np.cumprod(1 - q[..., :60], axis=-1)[..., -1]
    np.testing.assert_allclose(diff, (T.life_expectancy(q, 0) - pub) / l60, rtol=1e-9)
    with pytest.raises(ValueError, match="101 ages"):
        T.remaining_life_expectancy_given_e0(q[..., :100], pub, 60)


def test_cl2010_file_e60_full_table():
    # The file's own table to age 105 (q105 = 1), mid-year deaths:
    # e60 = 25.34 male, 29.30 female, as SOURCES.md says.
    df = pd.read_csv(DATA / "cl2010_2013_pension_business_CL5_CL6_qx.csv")
    for col, expected in (("qx_CL5_pension_male", 25.3), ("qx_CL6_pension_female", 29.3)):
        q = df[col].to_numpy()
        lx = np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
        assert (lx * (1 - q / 2))[60:].sum() / lx[60] == pytest.approx(expected, abs=0.05)


def test_unknown_mortality_table():
    with pytest.raises(ValueError):
        T.death_rates_mx([2011], table="cl2025")


# ---------------------------------------------------------------- population

def test_census2010_national_total():
    # 682,329,104 male + 650,481,765 female = 1,332,810,869
    p = T.population_by_single_age("census2010:national")
    assert p.shape == (2, 101)
    assert p.sum() == 1_332_810_869
    assert p.sum(axis=1).tolist() == [682_329_104, 650_481_765]
    assert p[1, 100] == 27_082                          # female 100+


@pytest.mark.parametrize("year", [2010, 2020])
def test_province_split_reproduces_groups(year):
    tab = pd.read_csv(DATA / "census_2010_2020_province_urban_town_rural_sex_age5.csv",
                      dtype={"province_code": str})
    tab = tab[(tab.year == year) & (tab.residence == "total") & (tab.province_code == "530000")]
    p = T.population_by_single_age(f"census{year}:province:530000")
    edges = list(T.CENSUS_GROUP_STARTS) + [101]
    for k, sex in enumerate("MF"):
        t = tab[tab.sex == sex].set_index("age_group").population_persons
        for (a, b), label in zip(zip(edges[:-1], edges[1:]), T._CENSUS_GROUP_LABELS):
            assert p[k, a:b].sum() == pytest.approx(t[label], rel=1e-12, abs=1e-6)
    if year == 2010:
        # Yunnan 2010 male 85+ = 71,586; national male 85..100+ = 2,857,250 of
        # which age 85 = 672,819 -> age 85 = 71586 * 672819 / 2857250 = 16856.915
        assert p[0, 85] == pytest.approx(16856.915, abs=1e-3)


def test_census2020_national_matches_county_file_national_row():
    assert T.population_by_single_age("census2020:national").sum() == pytest.approx(1_409_778_724)


def test_county_qiubei():
    # 丘北县 (文山州, 云南) admin code 532626: 468,172 = 245,417 M + 222,755 F
    tot = T.county_totals(532626)
    assert tot == T.county_totals("532626")
    assert tot["county_zh"] == "丘北县" and tot["prefecture_zh"] == "文山壮族苗族自治州"
    assert tot["province_zh"] == "云南省" and tot["level"] == "county"
    assert tot["pop_total_persons"] == 468_172
    assert tot["pop_male_persons"] + tot["pop_female_persons"] == 468_172
    assert tot["pop_urban_chengzhen_persons"] + tot["pop_rural_xiangcun_persons"] == 468_172
    p = T.population_by_single_age("census2020:county:532626")
    assert p.sum() == pytest.approx(468_172, rel=1e-12)
    assert p.sum(axis=1) == pytest.approx([245_417, 222_755], rel=1e-12)
    assert np.all(p >= 0)


def test_prefecture_row_allowed():
    assert T.county_totals("532600")["level"] == "prefecture"


@pytest.mark.parametrize("source", ["census2020", "census2010:county:532626", "wpp:national",
                                    "census2020:province:990000", "census2020:county:999999"])
def test_bad_population_source(source):
    with pytest.raises(ValueError):
        T.population_by_single_age(source)


# ---------------------------------------------------------------- deposit rates

@pytest.mark.parametrize("year, rule, expected", [
    (2011, "highest", 0.035),        # 2.75 on 1 Jan, then 3.00, 3.25, 3.50 (2011-07-07)
    (2011, "in_force_jan1", 0.0275), # 2.75 since 2010-12-26
    (2012, "highest", 0.035),        # 3.50 on 1 Jan, cut to 3.25 and 3.00
    (2012, "in_force_jan1", 0.035),
    (2013, "highest", 0.03), (2013, "in_force_jan1", 0.03), (2013, "time_weighted", 0.03),
    (2015, "highest", 0.0275),       # 2.75 on 1 Jan (2014-11-22), then five cuts
    (2016, "highest", 0.015), (2016, "in_force_jan1", 0.015), (2016, "time_weighted", 0.015),
])
def test_deposit_rate_1y(year, rule, expected):
    assert T.deposit_rate_1y(year, rule) == expected


def test_deposit_rate_time_weighted_2012():
    # 2012 has 366 days: 3.50 % from 1 Jan to 7 Jun = 31+29+31+30+31+7 = 159 days,
    # 3.25 % from 8 Jun to 5 Jul = 23+5 = 28 days, 3.00 % from 6 Jul = 26+31+30+31+30+31 = 179 days.
    # (159*3.50 + 28*3.25 + 179*3.00) / 366 = 1184.5 / 366 = 3.236339 %
    assert T.deposit_rate_1y(2012, "time_weighted") == pytest.approx(0.03236339, abs=1e-8)


def test_deposit_rate_errors_and_path():
    with pytest.raises(ValueError):
        T.deposit_rate_1y(2006, "highest")
    with pytest.raises(ValueError):
        T.deposit_rate_1y(2012, "average")
    np.testing.assert_array_equal(T.deposit_rate_path([2011, 2012, 2013, 2030], "in_force_jan1"),
                                  [0.0275, 0.035, 0.03, 0.015])


# ---------------------------------------------------------------- policy tables

def test_payout_months():
    assert T.payout_months(60) == 139
    assert T.payout_months(50) == 195
    assert T.payout_months(70) == 56
    tab = T.payout_months_table()
    assert sorted(tab) == list(range(40, 71)) and tab[40] == 233 and tab[47] == 208
    assert all(np.diff([tab[a] for a in range(40, 71)]) < 0)
    with pytest.raises(ValueError):
        T.payout_months(71)


def test_national_min_basic_pension_path():
    path = T.national_min_basic_pension_path()
    assert [v for _, v, _ in path] == [55, 70, 88, 93, 98, 103, 123, 143, 163]
    assert path[0] == ("2009-01", 55.0, "high")
    assert path[1][0] == "2014-07"
    assert path[-1] == ("2026-01", 163.0, "low-medium")
    dates = [d for d, _, _ in path]
    assert dates == sorted(dates) and all(len(d) == 7 for d in dates)
