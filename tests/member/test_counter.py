"""The calculator at the counter (issue 15): a province's rules without a scenario file, and one
run's own basic pension and subsidy (model/member/counter.py), against hand-worked cases."""
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from model import load_scenario
from model.member.calculator import Member, MemberInputError, illustrate, what_if
from model.member.counter import Counter, province_code
from model.parameters import basic_pension_parts, resolve
from model.tools import provinces as pv

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = load_scenario(ROOT / "scenarios" / "national.yaml")
TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize("text, code", [("520000", "520000"), ("贵州", "520000"), ("贵州省", "520000"),
                                        ("广西", "450000"), ("内蒙古", "150000"), ("北京市", "110000")])
def test_a_province_by_its_code_or_its_name(text, code):
    assert province_code(text) == code


def test_an_unknown_province_is_one_clear_line():
    with pytest.raises(MemberInputError, match="--province 火星: not a province; give its 6-digit code or its name"):
        province_code("火星")


def test_a_provinces_basic_pension_is_the_minimum_and_its_own_top_up():
    # born 1964-05, 60 in 2024, paid from June 2024: the national minimum 123 plus the national
    # scenario's local top-up of 2024 times Guizhou's ratio (scenarios/provinces.csv)
    m = Member(birth_year=1964, birth_month=5, enrol_year=2009, tier=100)
    P = resolve(NATIONAL)
    parts = {k: float(v[2024 - P.start_year].sum(axis=0)[5]) for k, v in basic_pension_parts(NATIONAL, P.years).items()}
    assert parts["national_minimum"] == pytest.approx(123.0)
    ratio = float(pv.read_table().loc["520000", "top_up_ratio"])
    want = 123.0 + parts["local_top_up"] * ratio + parts["arrears_of_the_2014_raise"]
    got = illustrate(NATIONAL, m, TODAY, Counter(province="520000")).summary["monthly_basic_pension"]
    assert got == pytest.approx(want, abs=0.005)
    plain = illustrate(NATIONAL, m, TODAY).summary["monthly_basic_pension"]
    assert plain == pytest.approx(123.0 + parts["local_top_up"] + parts["arrears_of_the_2014_raise"], abs=0.005)
    assert got < plain                       # Guizhou tops up less than the national average


def test_a_provinces_own_tiers_and_subsidies_from_their_year():
    # Beijing (low-confidence data): 1,000-9,000 yuan tiers with 60-150 subsidies from 2025. Paying
    # 300 in 2012-2024 (national subsidy 30, 13 years: 390) and 1,000 from 2025 to 60 in 2035
    # (subsidy 60, 11 years: 660): 3,900 + 11,000 = 14,900 paid, 1,050 of subsidy
    m = Member(birth_year=1975, birth_month=5, enrol_year=2012, tier={2012: 300.0, 2025: 1000.0})
    s = illustrate(NATIONAL, m, TODAY, Counter(province="110000")).summary
    assert s["personal_paid_total"] == pytest.approx(14_900) and s["government_subsidy_total"] == pytest.approx(1_050)
    # no tier given: the national lowest, then Beijing's lowest
    d = illustrate(NATIONAL, Member(birth_year=1975, birth_month=5, enrol_year=2012), TODAY, Counter(province="110000"))
    assert d.member.tier == {2012: 100.0, 2025: 1000.0} and any("北京市" in n for n in d.notes)
    with pytest.raises(MemberInputError, match="--tier 300 in 2025: 北京市's tiers from 2025 are 1000, 2000"):
        illustrate(NATIONAL, Member(birth_year=1975, birth_month=5, enrol_year=2012, tier=300), TODAY,
                   Counter(province="110000"))
    w = what_if(NATIONAL, m, TODAY, counter=Counter(province="110000"))
    assert sorted(w.tier_yuan.unique()) == [1000.0, 2000.0, 4000.0, 6000.0, 9000.0]


def test_a_basic_pension_and_a_subsidy_given_for_one_run():
    # 300 a year for 24 years (2012-2035) with 50 added each year: 1,200 of subsidy; 200 a month basic
    m = Member(birth_year=1975, birth_month=5, enrol_year=2012, tier=300)
    il = illustrate(NATIONAL, m, TODAY, Counter(basic_pension_yuan=200.0, subsidy_yuan=50.0))
    s = il.summary
    assert s["government_subsidy_total"] == pytest.approx(24 * 50) and s["monthly_basic_pension"] == pytest.approx(200)
    assert s["monthly_total_at_70"] == pytest.approx(200 + s["monthly_account_pension"], abs=0.01)   # every year
    assert len(il.notes) == 2
    for c, msg in ((Counter(basic_pension_yuan=-5), "--basic-pension -5"), (Counter(subsidy_yuan=np.inf), "--subsidy inf")):
        with pytest.raises(MemberInputError, match=msg):
            illustrate(NATIONAL, m, TODAY, c)


def test_one_command_and_no_scenario_file_for_any_province(cli):
    r = cli("member", "--province", "贵州", "--birth", "1975-05", "--enrol", "2012", "--tier", "300", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert any("贵州省" in n for n in d["notes"]) and d["what_if"] and d["monthly_basic_pension"] > 0
    r = cli("member", "--province", "北京", "--birth", "1975-05", "--enrol", "2012", "--tier", "300")
    assert r.returncode == 2 and "2012=300,2025=1000" in r.stderr and "Traceback" not in r.stderr


def test_the_provinces_lowest_tier_is_what_is_paid_on_behalf_and_stopping_is_allowed():
    # Beijing from 2025: the severely disabled's premium (the whole lowest tier, national_2014.yaml) is
    # Beijing's lowest, 1,000, not the nation's 100; a member who stopped before 2025 pays no tier then
    d = illustrate(NATIONAL, Member(birth_year=1975, birth_month=5, enrol_year=2012, flags=frozenset({"severely_disabled"})),
                   TODAY, Counter(province="110000")).schedule.set_index("year")
    assert d.loc[2024, "paid_on_behalf_yuan"] == 100 and d.loc[2025, "paid_on_behalf_yuan"] == 1000
    assert d.loc[2025, "personal_yuan"] == 0
    stopped = illustrate(NATIONAL, Member(birth_year=1975, birth_month=5, enrol_year=2012, tier=300, stop_after_years=10),
                         TODAY, Counter(province="110000"))
    assert stopped.summary["years_paid"] == 10


def test_the_statement_says_what_was_taken_from_the_counter():
    from model.member.statement import statement_html
    il = illustrate(NATIONAL, Member(birth_year=1975, birth_month=5, enrol_year=2012, tier=300), TODAY,
                    Counter(province="520000", basic_pension_yuan=900.0))
    zh, en = statement_html(il, "zh"), statement_html(il, "en")
    assert "基础养老金按贵州省标准" in zh and "基础养老金按输入的每月900元计算" in zh
    assert "--basic-pension 900: the basic pension is 900 yuan a month" in en


def test_paying_on_after_60_in_a_province_with_its_own_tiers():
    # Beijing's own tiers start in 2025 (low confidence): a member born 1963-05 paying 2012-2023
    # (12 years) pays on in 2024-2026 (延缴); from 2025 he must pay one of Beijing's tiers, and by
    # default pays its lowest (1,000)
    from model.scenario import with_overrides
    scen = with_overrides(NATIONAL, {"contributions": {"pay_on_after_60": {"allowed": True, "share": 0.5,
                                                                           "up_to_age": 65}}})
    m = Member(birth_year=1963, birth_month=5, enrol_year=2012, tier=100, stop_after_years=12, pay_on=True)
    with pytest.raises(MemberInputError, match="--tier 100 in 2025: 北京市's tiers from 2025"):
        illustrate(scen, m, TODAY, Counter(province="110000"))
    from dataclasses import replace
    il = illustrate(scen, replace(m, tier=None), TODAY, Counter(province="110000"))
    paid = il.schedule.set_index("year")["tier_yuan"]
    assert il.summary["years_paid_on"] == 3 and paid.loc[2024] == 100 and paid.loc[2025] == paid.loc[2026] == 1000
