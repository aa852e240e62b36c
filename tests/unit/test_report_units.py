"""model/report/units.py: scales chosen by size, numbers printed without "-0", hand-worked."""
import math

import numpy as np
import pandas as pd
import pytest

from model.report.units import (REN, WAN_REN, WAN_YUAN, YI_YUAN, YUAN, Scale, fmt, fmt_scaled, fmt_share,
                                money_scale, persons_scale, scaled_decimals)


def test_scales_are_the_divisors_named_in_both_languages():
    assert (YUAN.factor, YUAN.zh, YUAN.en) == (1, "元", "yuan")
    assert (WAN_YUAN.factor, WAN_YUAN.zh, WAN_YUAN.en) == (1e4, "万元", "10,000 yuan")
    assert (YI_YUAN.factor, YI_YUAN.zh, YI_YUAN.en) == (1e8, "亿元", "100 million yuan")
    assert (REN.factor, REN.zh, WAN_REN.factor, WAN_REN.zh) == (1, "人", 1e4, "万人")
    assert Scale(1e4, "万元", "10,000 yuan") == WAN_YUAN                      # frozen, compared by value
    assert WAN_YUAN.paren("zh") == "(万元)" and WAN_YUAN.paren("en") == " (10,000 yuan)"
    assert YI_YUAN.name("en") == "100 million yuan"


def test_money_scale_switches_to_yi_yuan_at_one_billion_yuan():
    # a county: 35,000,000 yuan = 3,500 万元; a prefecture like Qiannan: 4亿元 = 4e8 yuan, still 万元
    assert money_scale([3.5e7, -1.2e7]) is WAN_YUAN
    assert money_scale(4e8) is WAN_YUAN
    assert money_scale([999_999_999]) is WAN_YUAN
    # 10亿元 = 1e9 yuan and above (a province; the nation spends thousands of 亿元): 亿元
    assert money_scale(np.array([1e9])) is YI_YUAN
    assert money_scale(pd.Series([1e6, -3.2e11])) is YI_YUAN                 # by absolute size
    assert money_scale([math.nan, 2e9]) is YI_YUAN                           # NaN ignored
    assert money_scale([]) is WAN_YUAN and money_scale([math.nan]) is WAN_YUAN


def test_persons_scale_switches_to_wan_ren_at_one_million():
    assert persons_scale([180_000, 999_999]) is REN                           # a county's residents
    assert persons_scale([1_000_000]) is WAN_REN
    assert persons_scale(np.array([5.4e8])) is WAN_REN                        # the nation's members


def test_fmt_separates_thousands_and_never_prints_minus_zero():
    assert fmt(1234567.891) == "1,234,568"
    assert fmt(1234567.891, 2) == "1,234,567.89"
    assert fmt(-1234.5) == "-1,235"                   # halves away from zero, as by hand
    assert fmt(2.5) == "3" and fmt(1.005, 2) == "1.01"   # not binary 1.00499... -> 1.00
    assert fmt(-0.004) == "0"                         # rounds to zero: no "-0"
    assert fmt(-0.04, 1) == "0.0"                     # zero at the requested places, no "-0.0"
    assert fmt(-0.0) == "0"
    assert fmt(0) == "0" and fmt(np.int64(12345)) == "12,345" and fmt(10**18) == "1,000,000,000,000,000,000"


def test_fmt_prints_a_dash_for_missing_values():
    assert fmt(None) == "—" and fmt(math.nan) == "—" and fmt(np.float64("nan"), 2) == "—" and fmt(pd.NA) == "—"
    assert fmt(math.inf) == "∞" and fmt(-math.inf) == "-∞"
    with pytest.raises(TypeError):
        fmt("12")


def test_fmt_share_prints_percent_without_minus_zero():
    assert fmt_share(0.1234) == "12.3%"
    assert fmt_share(0.1234, 2) == "12.34%"
    assert fmt_share(-0.0004) == "0.0%"               # -0.04 % rounds to zero: no "-0.0%"
    assert fmt_share(-0.0006) == "-0.1%"
    assert fmt_share(1) == "100.0%" and fmt_share(None) == "—"


def test_fmt_scaled_divides_by_the_scale_and_chooses_places_by_size():
    # 123,456,789 yuan / 1e4 = 12,345.6789 万元 -> >= 100: 0 places -> "12,346"
    assert fmt_scaled(123_456_789, WAN_YUAN) == "12,346"
    # / 1e8 = 1.23456789 亿元 -> >= 1: 1 place would be "1.2"; automatic gives 1 place
    assert fmt_scaled(123_456_789, YI_YUAN) == "1.2"
    assert fmt_scaled(123_456_789, YI_YUAN, 2) == "1.23"
    # 3,500,000 yuan = 0.035 亿元 -> < 1: 2 places -> "0.04" (halves up), not "0"
    assert fmt_scaled(3_500_000, YI_YUAN) == "0.04"
    assert fmt_scaled(-400, WAN_YUAN) == "-0.04"
    assert fmt_scaled(-40, YI_YUAN) == "0.00"         # -4e-7 亿元 rounds to zero: no "-0.00"
    assert fmt_scaled(999_600, WAN_YUAN) == "100"     # 99.96 rounds to 100.0: shown as 100 (0 places)
    assert fmt_scaled(math.nan, WAN_YUAN) == "—"
    assert fmt_scaled(1234, YUAN) == "1,234"


def test_scaled_decimals_gives_one_count_for_a_column():
    # 万元 column 12,345.6789 / 2,000 / 150: largest >= 100 -> 0 places
    assert scaled_decimals([123_456_789, 20_000_000, 1_500_000], WAN_YUAN) == 0
    # 亿元 column 1.23 / 0.5: largest >= 1 -> 1 place ("1.2", "0.5")
    assert scaled_decimals([123_456_789, 50_000_000], YI_YUAN) == 1
    # 12,345 and 0.3 万元: 0 places would print 0.3 as "0" -> 1 place
    assert scaled_decimals([123_450_000, 3_000], WAN_YUAN) == 1
    # 0.004 亿元 would print "0.00" even at 2 places: capped at 2
    assert scaled_decimals([400_000, 10_000], YI_YUAN) == 2
    assert scaled_decimals([math.nan, 0.0], WAN_YUAN) == 0 and scaled_decimals([], WAN_YUAN) == 0
    assert scaled_decimals([0.0, 0.0], YI_YUAN) == 0 and fmt_scaled(0, YI_YUAN) == "0"   # an exact zero is exact
