"""Stochastic paths: a batch axis in one projection, seeded, consistent with the deterministic engine."""
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model import checks, load_scenario, project
from model.parameters import resolve
from model.engine.project import run
from model.scenario import with_overrides
from model.engine.stochastic import fit_rate_model, project_paths

ROOT = Path(__file__).resolve().parents[2]
SCEN = with_overrides(load_scenario(ROOT / "scenarios" / "beibei_2011.yaml"), {"scheme": {"horizon_years": 15}})


def test_rate_model_is_fitted_to_the_deposit_history():
    m = fit_rate_model("highest")
    assert (m.first_year, m.last_year) == (2007, 2015)
    assert 0.0 < m.kappa <= 2.0 and 0.01 < m.mu < 0.06 and 0 < m.sigma < 0.02


def test_paths_are_seeded_and_chunking_does_not_matter():
    a = project_paths(SCEN, 6, seed=7, chunk=6)
    b = project_paths(SCEN, 6, seed=7, chunk=4)
    np.testing.assert_array_equal(a.flows["account_fund_balance"], b.flows["account_fund_balance"])
    c = project_paths(SCEN, 6, seed=8)
    assert not np.array_equal(a.flows["account_fund_balance"], c.flows["account_fund_balance"])


def test_every_path_is_a_projection_of_its_own_rate_and_mortality():
    # path k of the batch equals a one-path projection with path k's rates: the batch axis
    # carries nothing from one path to another
    P = resolve(SCEN)
    r = P.rate_pa[:, 0]
    rates = np.stack([r, r + 0.01, np.full_like(r, 0.05)], axis=1)
    morts = np.stack([np.ones(len(P.years)), np.full(len(P.years), 0.9), np.full(len(P.years), 1.1)], axis=1)
    flows, _ = run(replace(P, rate_pa=rates, mort_factor=morts))
    for k in range(3):
        one, _ = run(replace(P, rate_pa=rates[:, k:k + 1], mort_factor=morts[:, k:k + 1]))
        for col in ("account_fund_balance", "longevity_gap_paid", "members", "government_total_cost"):
            np.testing.assert_allclose(flows[col][:, k], one[col][:, 0], rtol=1e-12)
    # path 0 (unit mortality factor, the scenario's own rates) is the deterministic projection
    det = project(SCEN, detail=False).annual
    np.testing.assert_allclose(flows["account_fund_balance"][:, 0], det["account_fund_balance"], rtol=1e-12)


def test_paths_conserve_money_and_the_fan_is_ordered():
    p = project_paths(SCEN, 10, seed=1)
    for k in range(10):
        df = __import__("pandas").DataFrame({c: v[:, k] for c, v in p.flows.items()})
        assert checks.account_fund_identity(df) == [] and checks.pooled_fund_identity(df) == []
    t = p.percentiles(["account_fund_balance"])
    assert (t.account_fund_balance_p5 <= t.account_fund_balance_p50).all()
    assert (t.account_fund_balance_p50 <= t.account_fund_balance_p95).all()
    assert (t.account_fund_balance_p95 - t.account_fund_balance_p5).iloc[-1] > 0


def test_pooled_tiers_give_the_same_totals_when_the_mix_is_constant():
    # every rule is linear in the tier within a cell, and a constant mix keeps every cell at the mix
    from model.engine.stochastic import pool_tiers
    P = resolve(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"))
    full, _ = run(P)
    pooled, _ = run(pool_tiers(P))
    for col in ("contributions_personal", "subsidy_county", "account_fund_balance", "longevity_gap_paid",
                "members", "government_total_cost", "inheritance_refunds"):
        np.testing.assert_allclose(pooled[col], full[col], rtol=1e-9, atol=1e-6, err_msg=col)
    changing = replace(P, tier_mix=np.concatenate([P.tier_mix[:1], P.tier_mix[1:][:, :, ::-1]]))
    assert P.tier_rechoice_share < 1 and pool_tiers(changing) is None   # not exact: not pooled


def test_pooled_tiers_give_the_same_totals_when_every_payer_rechooses_a_changing_mix():
    # national.yaml: the mix changes every year (a trend) and every payer re-chooses (D1 Art. 7),
    # so every cell holds the year's mix; made-up years pay the year's average tier
    from model.engine.stochastic import pool_tiers
    from model.scenario import with_overrides
    scen = with_overrides(load_scenario(ROOT / "scenarios" / "national.yaml"),
                          {"scheme": {"horizon_years": 30, "rollout": None}})
    P = resolve(scen)
    assert P.tier_rechoice_share == 1.0 and not np.allclose(P.tier_mix, P.tier_mix[:1])
    full, _ = run(P)
    Q = pool_tiers(P)
    assert Q is not None and Q.tier_mix.shape[-1] == 1 and Q.tier_yuan_by_year.shape == (30, 2, 1)
    pooled, _ = run(Q)
    for col in ("contributions_personal", "catch_up_contributions", "subsidy_province", "account_fund_balance",
                "account_pension_paid", "members", "pensioners", "government_total_cost", "fund_balance"):
        np.testing.assert_allclose(pooled[col], full[col], rtol=1e-9, atol=1e-3, err_msg=col)


@pytest.mark.parametrize("name, over", [
    ("qiannan_2011", {"contributions": {"pay_on_after_60": {"allowed": True, "share": 0.6, "up_to_age": 66}}}),
    ("national", {"scheme": {"horizon_years": 40, "rollout": None},
                  "contributions": {"pay_on_after_60": {"allowed": True, "share": 0.6, "up_to_age": 66}}}),
])
def test_pooled_tiers_stay_exact_with_paying_on_after_60(name, over):
    # those paying on after 60 (延缴) draw from their own pensioner kinds and choose their tier as
    # other payers do, so pooling the tiers still changes no total
    from model.engine.stochastic import pool_tiers
    from model.scenario import with_overrides
    P = resolve(with_overrides(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), over))
    full, _ = run(P)
    assert full["members_paying_after_60"].sum() > 0
    pooled, _ = run(pool_tiers(P))
    for col in ("contributions_personal", "subsidy_province", "account_fund_balance", "account_pension_paid",
                "longevity_gap_paid", "inheritance_refunds", "members", "pensioners", "government_total_cost"):
        np.testing.assert_allclose(pooled[col], full[col], rtol=1e-9, atol=1e-3, err_msg=col)


def test_staged_paths_are_staged_projections_of_each_path(monkeypatch):
    # A staged scenario (half reached in 2011, half in 2013): with every path's rates the
    # scenario's own and no mortality shock, each path is project_rollout's result. With
    # shocks, each path still conserves money, and the later stage sees the same calendar
    # years of the path as the first (its rates are the first stage's from 2013 on).
    import model.engine.stochastic as st
    staged = with_overrides(SCEN, {"scheme": {"horizon_years": 8, "rollout": {"2011-10": 0.5, "2013-07": 0.5}}})
    det = project(staged, detail=False).annual
    monkeypatch.setattr(st, "rate_paths", lambda P, n, rng, m, from_year=None: np.repeat(P.rate_pa, n, axis=1))
    p = st.project_paths(staged, 3, seed=3, sigma_mortality=0.0)
    for col in ("members", "account_fund_balance", "basic_pension_paid", "population", "basic_pension_monthly_rate"):
        for k in range(3):
            np.testing.assert_allclose(p.flows[col][:, k], det[col], rtol=1e-12, atol=1e-6)
    monkeypatch.undo()
    seen = []
    real_run = st.run
    monkeypatch.setattr(st, "run", lambda P, *a, **kw: (seen.append((P.start_year, P.rate_pa.copy(),
                                                                      P.mort_factor.copy())),
                                                         real_run(P, *a, **kw))[1])
    q = st.project_paths(staged, 4, seed=5)
    first = [(r, m) for y, r, m in seen if y == 2011][0]
    later = [(r, m) for y, r, m in seen if y == 2013][0]
    np.testing.assert_array_equal(later[0], first[0][2:])           # rates: the same calendar years
    np.testing.assert_array_equal(later[1], first[1][2:])           # mortality factors too
    for k in range(4):
        df = __import__("pandas").DataFrame({c: v[:, k] for c, v in q.flows.items()})
        assert checks.account_fund_identity(df) == [] and checks.pooled_fund_identity(df) == []


def test_a_forecast_keeps_the_past_of_every_path():
    # from_year: each path has the scenario's own rates and death rates before it, so the
    # paths agree to the year before and spread after
    import model.engine.stochastic as st
    P = resolve(load_scenario(Path(__file__).parents[2] / "scenarios" / "qiannan_2011.yaml"))
    rng = np.random.default_rng(1)
    rm = st.fit_rate_model()
    r = st.rate_paths(P, 5, rng, rm, from_year=2030)
    before = P.years < 2030
    assert (r[before] == P.rate_pa[before]).all() and r[~before].std(axis=1).min() > 0
    m = st.mortality_factors(len(P.years), 5, rng, 0.01, fixed_years=2030 - P.years[0])
    assert (m[before] == 1.0).all() and m[~before].std(axis=1).min() > 0
