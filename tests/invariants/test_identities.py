"""Money and people are conserved, nothing is negative: on every shipped scenario
and on random valid scenarios (hypothesis)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import checks, dims, load_scenario, project
from model.parameters import resolve
from model.engine.project import initial_state, step
from conftest import SCENARIOS, make_params

# the national and all-county scenarios take 1.3-1.9 s each: in the full suite (make test), not in make quick
BIG = {"national", "national_2009", "china_counties"}
SHIPPED = [pytest.param(p, id=p.stem, marks=[pytest.mark.slow] if p.stem in BIG else []) for p in SCENARIOS]

ANNUAL_TO_DETAIL = {"members_paying": "members_paying", "members": "members",
                    "pensioners": "pensioners", "contributions_personal": "contributions_personal",
                    "subsidy_contribution": "subsidy_contribution",
                    "account_fund_balance": "account_balance"}


def _states(P):
    """Every year's flows, and a list of failures of the state checks."""
    st_, fails, rows = initial_state(P), [], []
    for year in P.years:
        opening = st_.account_fund()
        st_, flows, _ = step(st_, P.at(int(year)), P)
        flows["account_fund_opening"] = opening
        fails += [f"{year}: {f}" for f in checks.state_non_negative(st_)]
        fails += [f"{year}: {f}" for f in checks.members_within_population(st_)]
        if st_.c_made_up is not None:    # made-up years are among the years paid (D1 Art. 7-8)
            years_paid = st_.c_n * np.arange(st_.c_n.shape[-1])
            years_paid[..., -1] += st_.c_xyears
            if (st_.c_made_up[0] > years_paid * (1 + 1e-9) + 1e-9).any():
                fails.append(f"{year}: more made-up years than years paid in a cell")
        if st_.o_n is not None and (st_.o_n[..., dims.MIN_YEARS_FULL:] > 0).any():
            fails.append(f"{year}: someone paying on after 60 already has the 15 years")
        rows.append(flows)
    return rows, fails


@pytest.mark.parametrize("path", SHIPPED)
def test_shipped_scenarios_conserve_money_and_people(path):
    proj = project(load_scenario(path))
    assert checks.all_identities(proj.annual) == []
    # the detailed table adds up to the annual totals (a staged roll-out's too: both are sums)
    sums = proj.detail.groupby("year")[list(ANNUAL_TO_DETAIL.values())].sum()
    annual = proj.annual.set_index("year")
    for col, dcol in ANNUAL_TO_DETAIL.items():
        np.testing.assert_allclose(sums[dcol], annual[col], rtol=1e-9, atol=1e-6)


def test_paying_on_after_60_detail_adds_up_to_the_annual_totals():
    # 延缴 with deaths, emigration, catch-up and make-up at 60: money and people conserved, and the
    # detailed table (ages 61 .. the limit included) sums to the annual columns
    over = {"scheme": {"horizon_years": 45},
            "contributions": {"density": {"16-44": 0.8, "45+": 0.3}, "catch_up_share": 0.2,
                              "catch_up_at_60": {"share": 0.3},
                              "pay_on_after_60": {"allowed": True, "share": 0.6, "up_to_age": 68}},
            "eligibility": {"emigration_rate": {"16+": 0.01}}}
    P = make_params(over, cohorts={(a, s, "rural"): 100.0 for a in range(16, 80, 3) for s in ("male", "female")},
                    q={a: 0.01 + a / 2000 for a in range(101)})
    proj = project(P)
    assert proj.annual["members_paying_after_60"].sum() > 0
    assert checks.all_identities(proj.annual) == []
    _, fails = _states(P)
    assert fails == []
    sums = proj.detail.groupby("year")[list(ANNUAL_TO_DETAIL.values())].sum()
    annual = proj.annual.set_index("year")
    for col, dcol in ANNUAL_TO_DETAIL.items():
        np.testing.assert_allclose(sums[dcol], annual[col], rtol=1e-9, atol=1e-6, err_msg=col)


@pytest.mark.parametrize("path", SHIPPED)
def test_shipped_scenarios_states_never_negative(path):
    P = resolve(load_scenario(path))
    _, fails = _states(P)
    assert fails == []


@pytest.fixture(scope="module")
def qiannan_annual():
    qiannan = next(p for p in SCENARIOS if p.stem == "qiannan_2011")   # no fund-paid top-ups
    return project(load_scenario(qiannan), detail=False).annual


@pytest.mark.parametrize("col, check", [
    ("interest_credited", checks.account_fund_identity),
    ("longevity_gap_paid", checks.pooled_fund_identity),
    ("basic_pension_paid", checks.government_cost_identity),
    ("subsidy_county", checks.government_cost_identity),
    ("entrants", checks.headcount_identity),
    ("population_deaths", checks.population_identity),
    ("longevity_gap_from_pool", checks.longevity_gap_identity),
    ("longevity_gap_from_government", checks.longevity_gap_identity),
    ("fund_income", checks.ministry_fund_identity),
    ("fund_expenditure", checks.ministry_fund_identity),
    ("fund_taken_over", checks.pooled_fund_identity)])
def test_each_identity_catches_an_error(col, check, qiannan_annual):
    df = qiannan_annual.copy()
    assert check(df) == []
    df.loc[40, col] += 1000.0                         # a thousand off in one year must be found
    assert len(check(df)) >= 1


def test_employee_scheme_members_are_not_enrolled_twice_d1_art6():
    # 1,000 people aged 40, all enrolled; all join the employee scheme at 41: nobody
    # may be enrolled again in their place (they are still members, sealed).
    P = make_params({"eligibility": {"employee_scheme_join_rate": {"41": 1.0}}},
                    cohorts={(40, "male", "rural"): 1000})
    a = project(P, detail=False).annual.set_index("year")
    assert a.loc[2012, "members"] == pytest.approx(1000)
    assert a.loc[2012, "members_suspended"] == pytest.approx(1000)
    assert a.loc[2012, "entrants"] == 0


tiers_st = st.lists(st.sampled_from([100, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000]),
                    min_size=1, max_size=6, unique=True).map(sorted)


@st.composite
def scenarios(draw):
    tiers = draw(tiers_st)
    weights = draw(st.lists(st.floats(0.01, 1.0), min_size=len(tiers), max_size=len(tiers)))
    mix = {t: w / sum(weights) for t, w in zip(tiers, weights)}
    mix[tiers[-1]] = 1.0 - sum(v for t, v in mix.items() if t != tiers[-1])
    share = st.floats(0.0, 1.0)
    return {
        "scheme": {"start": f"{draw(st.integers(2010, 2020))}-{draw(st.integers(1, 12)):02d}",
                   "horizon_years": draw(st.integers(5, 35))},
        "enrolment": {"rate_path": {2009: draw(share), 2015: draw(share)},
                      "relative_by_age_band": {"rural": {"16-44": draw(st.floats(0.2, 1.5)),
                                                         "45+": draw(st.floats(0.2, 1.5))},
                                               "urban": {"16+": 1.0}}},
        "eligibility": {"employee_scheme_join_rate": {"16-59": draw(st.floats(0, 0.05))},
                        "emigration_rate": {"16+": draw(st.floats(0, 0.02))}},
        "population": {"net_migration_rate": {"0+": draw(st.floats(-0.03, 0.03))}},
        "contributions": {"tiers": {"rural": tiers, "urban": tiers},
                          "tier_mix": {"rural": mix, "urban": mix},
                          "tier_rechoice_share": draw(share),
                          "density": {"16+": draw(share)},
                          "catch_up_share": draw(share),
                          "catch_up_at_60": {"share": draw(share)},
                          "pay_on_after_60": {"allowed": True, "share": draw(share),
                                              "up_to_age": draw(st.integers(61, 70)),
                                              "subsidised": draw(st.booleans())},
                          "collective_yuan": draw(st.floats(0, 50))},
        "on_behalf": [{"name": "g", "reference": "D1 Art. 9", "share_of_payers": draw(st.floats(0, 0.5)),
                       "share_of_lowest_tier": draw(share), "extra_subsidy_yuan": draw(st.floats(0, 40))}],
        "benefits": {"age_topup": {"monthly_yuan": draw(st.floats(0, 20)), "from_age": draw(st.integers(60, 90))},
                     "one_child_parent": {"monthly_yuan": 10, "share_of_pensioners": draw(share)},
                     "death_grant_months_of_pension": draw(st.floats(0, 12)),
                     "topups_from_pooled_fund": draw(st.booleans()),
                     "grants_from_pooled_fund": draw(st.booleans()),
                     **draw(st.sampled_from([
                         {"long_contribution_yuan_per_year_over_15": 2.5},
                         {"long_contribution": {"bands": [{"years_from": 1, "yuan_per_year": 1}],
                                                "counts_made_up_years": False}},
                         {"long_contribution": {"bands": [{"years_from": 16, "yuan_flat": 20},
                                                          {"years_from": 28, "yuan_per_year": 3}],
                                                "counts_made_up_years": draw(st.booleans())}}])),
                     "lump_sum": {"shares": {40: draw(st.floats(0, 0.3)), 90: draw(st.floats(0, 0.3))},
                                  "min_months": 60, "to_age": 75,
                                  "purchase_window_years": draw(st.integers(1, 6))},
                     "short_of_years_at_60": draw(st.sampled_from(["keep_account", "refund"])),
                     "payout_divisor": draw(st.sampled_from(["139", "guofa_2005_38"]))},
        "accounts": {"flat_rate_pa": draw(st.floats(0, 0.08)), "heirs_share": draw(share),
                     "crediting": draw(st.sampled_from(["year_end", "mid_year"]))},
        "finance": {"pooled_fund_earns_interest": draw(st.booleans())},
    }


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(over=scenarios(), q_scale=st.floats(0.0, 0.3))
def test_random_valid_scenarios_conserve_and_stay_non_negative(over, q_scale):
    _conserve_and_stay_non_negative(over, q_scale)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(over=scenarios(), q_scale=st.floats(0.0, 0.3))
def test_random_valid_scenarios_conserve_and_stay_non_negative_many(over, q_scale):
    _conserve_and_stay_non_negative(over, q_scale)


def _conserve_and_stay_non_negative(over, q_scale):
    """A random scenario over a population of every third age: identities hold, no state is negative."""
    P = make_params(over, cohorts={(a, s, r): 100.0 + a for a in range(0, 101, 3)
                                   for s in ("male", "female") for r in ("rural", "urban")},
                    q={a: min(1.0, q_scale * a / 100) for a in range(101)})
    proj = project(P, detail=False)
    assert checks.all_identities(proj.annual) == []
    _, fails = _states(P)
    assert fails == []


# --------------------------------------------------------------------------
# NaN and infinity never pass (a NaN compares as neither more nor less)
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def qiannan_annual():
    qiannan = next(p for p in SCENARIOS if p.stem == "qiannan_2011")
    return project(load_scenario(qiannan), detail=False).annual


def test_planted_nan_in_a_fund_balance_is_reported(qiannan_annual):
    df = qiannan_annual.copy()
    df.loc[10, "account_fund_balance"] = np.nan
    fails = checks.all_identities(df)
    year = df.loc[10, "year"]
    assert f"{year}: account_fund_balance is not a finite number (nan)" in fails
    assert any(f.startswith(f"{year}: account fund does not balance") for f in fails)
    assert len(fails) == len(set(fails))              # each failure once


@pytest.mark.parametrize("col, check", [
    ("account_fund_balance", checks.account_fund_identity),
    ("account_fund_opening", checks.account_fund_identity),
    ("pooled_fund_paid", checks.pooled_fund_identity),
    ("longevity_gap_from_government", checks.longevity_gap_identity),
    ("government_total_cost", checks.government_cost_identity),
    ("members", checks.headcount_identity),
    ("population", checks.population_identity),
    ("pensioners", checks.no_negatives),
    ("births", checks.finite_values)])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_each_identity_fails_on_nan_and_infinity(col, check, bad, qiannan_annual):
    df = qiannan_annual.copy()
    assert check(df) == []
    df.loc[40, col] = bad if check is not checks.no_negatives else np.nan
    assert len(check(df)) >= 1, col


def test_an_empty_fiscal_base_is_no_failure(qiannan_annual):
    assert qiannan_annual["fiscal_base"].isna().all()      # Qiannan gives none: empty
    assert checks.finite_values(qiannan_annual) == []
    df = qiannan_annual.copy()
    df["fiscal_base"] = 1e9
    df.loc[3, "fiscal_base"] = np.inf
    assert checks.finite_values(df) == [f"{df.loc[3, 'year']}: fiscal_base is not a finite number (inf)"]
