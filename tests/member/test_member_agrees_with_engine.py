"""The member calculator and the cohort engine cannot disagree.

The engine is run on a population of one cohort cell (one person, no
deaths) and compared with the calculator for random inputs: yearly
payments, subsidies, interest and balances up to 60, the balance at 60, and
for ten years after 60 the pensions paid and the balances (the engine
spreads birth months evenly, so after 60 it is compared with the
calculator's average over the 12 birth months; the account cannot run out
in those years, 5.5 + 120 < 139 months).

The engine classifies people by the age reached in the start year, the
calculator by completed age on the first day of the start month; the two
differ for those born in or after the start month. They put someone in a
different group only at the boundary age 45 (44 completed), so 45 is left
out here; the calculator's own tests cover it.
"""
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import project
from model.member import Member, illustrate
from conftest import make_params

TODAY = dt.date(2026, 11, 28)
TIERS = [100, 200, 300, 500, 1000]
GROUPS = [{"name": "disabled", "reference": "D1 Art. 9", "share_of_lowest_tier": 0.5,
           "applies_to": ["severely_disabled"]},
          {"name": "disabled_dibao", "reference": "D1 Art. 9", "share_of_lowest_tier": 1.0,
           "applies_to": ["severely_disabled", "dibao"]},
          {"name": "cadre", "reference": "D5 §2(三)4", "share_of_contribution": 0.5,
           "extra_lowest_tier_only": False, "applies_to": ["village_cadre"]}]


@settings(max_examples=20, deadline=None)
@given(age_at_start=st.integers(16, 59).filter(lambda a: a != 45), start_month=st.integers(1, 12),
       enrol_delay=st.integers(0, 12), tier=st.sampled_from(TIERS),
       rate=st.floats(0.0, 0.06), area=st.sampled_from(["rural", "urban"]),
       sex=st.sampled_from(["male", "female"]),
       flags=st.sampled_from([(), ("severely_disabled",), ("severely_disabled", "dibao"), ("village_cadre",)]))
def test_engine_on_one_cohort_equals_member_calculator(age_at_start, start_month, enrol_delay, tier, rate, area,
                                                       sex, flags):
    start = 2011
    birth_year = start - age_at_start
    enrol = min(start + enrol_delay, birth_year + 60)
    groups = [dict(g, share_of_payers=1.0 if g["name"] in _names(flags) else 0.0) for g in GROUPS]
    over = {"scheme": {"start": f"2011-{start_month:02d}", "horizon_years": birth_year + 72 - start},
            "contributions": {"tiers": {"rural": TIERS, "urban": TIERS},
                              "tier_mix": {"rural": {tier: 1.0}, "urban": {tier: 1.0}}},
            "enrolment": {"rate_path": {2011: 1.0} if enrol == start else {2011: 0.0, enrol: 1.0}},
            "accounts": {"flat_rate_pa": rate}, "on_behalf": groups}
    P = make_params(over, cohorts={(age_at_start, sex, area): 1.0})
    eng = project(P, detail=False).annual.set_index("year")
    scen = P.scenario
    ills = [illustrate(scen, Member(birth_year=birth_year, birth_month=bm, enrol_year=enrol, tier=tier,
                                    sex=sex, area=area, flags=frozenset(flags)), today=TODAY)
            for bm in range(1, 13)]
    sched = ills[0].schedule.set_index("year")
    year60 = birth_year + 60
    pre = [y for y in sched.index if y < year60]
    # before 60: the same payments, subsidies and balances, for any birth month
    for col_e, col_m in (("contributions_personal", "personal_yuan"), ("interest_credited", "interest_yuan")):
        np.testing.assert_allclose(eng.loc[pre, col_e], sched.loc[pre, col_m], rtol=1e-9, atol=1e-9)
    subsidy_m = sched.loc[pre, [c for c in sched.columns if c.startswith("subsidy_")]].sum(axis=1)
    np.testing.assert_allclose(eng.loc[pre, "subsidy_contribution"], subsidy_m, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(eng.loc[pre, "account_fund_balance"], sched.loc[pre, "balance_yuan"],
                               rtol=1e-9, atol=1e-9)
    if not ills[0].summary["eligible"]:
        assert eng.loc[year60, "reached_60_without_pension"] == pytest.approx(1.0)
        assert eng.loc[year60, "members_suspended"] == pytest.approx(1.0)     # account kept, sealed
        assert eng.loc[year60:, "basic_pension_paid"].sum() == 0
        return
    # the account pension and the first years' pensions (mean over birth months)
    b60 = ills[0].summary["balance_at_60"]
    # (balance_at_60 is rounded to the fen)
    assert eng.loc[year60, "account_fund_balance"] == pytest.approx(b60 * (1 - 5.5 / 139), abs=0.006)
    for year in range(year60, year60 + 11):
        for col_e, col_m in (("basic_pension_paid", "basic_pension_yuan"),
                             ("account_pension_paid", "account_pension_yuan"),
                             ("account_fund_balance", "balance_yuan"),
                             ("interest_credited", "interest_yuan")):
            mean_m = np.mean([il.schedule.set_index("year").loc[year, col_m] for il in ills])
            assert eng.loc[year, col_e] == pytest.approx(mean_m, rel=1e-9, abs=1e-9), (year, col_e)
        assert eng.loc[year, "longevity_gap_paid"] == 0


def _names(flags):
    flags = set(flags)
    hits = [g for g in GROUPS if set(g["applies_to"]) <= flags]
    return {g["name"] for g in hits if not any(set(g["applies_to"]) < set(h["applies_to"]) for h in hits)}
