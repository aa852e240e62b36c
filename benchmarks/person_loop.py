"""A plain-Python person-level loop computing the same totals as the cohort engine.

It is the yardstick for benchmarks/run.py (how much faster the vectorised
engine is per person-year) and a second bookkeeping of the same rules for
tests/unit/test_person_loop.py: each person is a record with a weight (the
probability of still being alive), updated one at a time with the same rule
functions as the engine (model.contributions, accounts, benefits). It
covers the deterministic behaviour the benchmark scenario uses: everyone
eligible enrols at the start and pays every year at one tier; no catch-up,
suspension, emigration, top-ups or lump sums.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from model.rules import accounts, benefits
from model import dims
from model.parameters import Parameters

TOTALS = ("contributions_personal", "subsidy_contribution", "basic_pension_paid",
          "account_pension_paid", "longevity_gap_paid", "inheritance_refunds", "forfeited_to_pool",
          "interest_credited", "deaths", "members_paying", "pensioners", "account_fund_balance")


def sample_population(P: Parameters, per_cell: int = 10, age_step: int = 1):
    """Persons (age, sex, area, tier index) spread over ages, sexes, areas and the tier mix.

    ``per_cell`` persons per (age, sex, area), split over tiers in proportion
    to the start year's mix (rounded); returns the list and the matching
    (age, sex, area) population and (area, tier) mix for the engine.
    """
    people = []
    pop = np.zeros_like(P.population0[0])
    mix = P.tier_mix[0]
    for ai in range(dims.N_AREA):
        counts = np.floor(mix[ai] * per_cell + 1e-9).astype(int)
        counts[np.argmax(mix[ai])] += per_cell - counts.sum()
        for age in range(dims.ENTRY_AGE, dims.MAX_AGE + 1, age_step):
            for si in range(dims.N_SEX):
                for ti, n in enumerate(counts):
                    people += [(age, si, ai, ti)] * int(n)
                pop[age, si, ai] = per_cell
    exact_mix = np.zeros_like(mix)
    for ai in range(dims.N_AREA):
        counts = np.floor(mix[ai] * per_cell + 1e-9).astype(int)
        counts[np.argmax(mix[ai])] += per_cell - counts.sum()
        exact_mix[ai] = counts / per_cell
    return people, pop, exact_mix


def deterministic(P: Parameters, pop: np.ndarray, mix: np.ndarray) -> Parameters:
    """``P`` with the sample population, full uptake and deterministic behaviour."""
    s = P.scenario
    c = s.contributions.model_copy(update={"tier_rechoice_share": 0.0})
    b = s.benefits.model_copy(update={
        "age_topup": s.benefits.age_topup.model_copy(update={"monthly_yuan": 0.0}),
        "one_child_parent": s.benefits.one_child_parent.model_copy(update={"monthly_yuan": 0.0}),
        "death_grant_months_of_pension": 0.0, "funeral_grant_yuan": 0.0})
    scen = s.model_copy(update={"contributions": c, "benefits": b})
    n_y = len(P.years)
    return replace(
        P, scenario=scen, population0=pop[None], births_per_woman=np.zeros((n_y, 1)),
        eligible_share=np.ones_like(P.eligible_share) * (np.arange(dims.N_AGE) >= dims.ENTRY_AGE)[:, None],
        enrol_target=np.ones_like(P.enrol_target), tier_mix=np.broadcast_to(mix, P.tier_mix.shape).copy(),
        density=np.ones_like(P.density), catch_up_share=0.0, catch_up_at_60=0.0,
        employee_join_rate=np.zeros_like(P.employee_join_rate),
        emigration_rate=np.zeros_like(P.emigration_rate),
        net_migration_rate=np.zeros_like(P.net_migration_rate),
        long_bands=np.array([[dims.MIN_YEARS_FULL + 1, 0.0, 0.0]]), pay_on_share=0.0, lump_sum_levels=np.zeros(0), lump_sum_shares=np.zeros(0),
        tier_rechoice_share=0.0, age_topup_yuan=0.0, one_child_topup_yuan=0.0,
        death_grant_months=0.0, funeral_grant_yuan=0.0)


def run_person_loop(P: Parameters, people) -> dict[str, list[float]]:
    """Year-by-year totals over the persons, one Python step per person and year."""
    out = {k: [] for k in TOTALS}
    n = len(people)
    age0 = [a for a, *_ in people]
    sex = [s for _, s, _, _ in people]
    area = [r for _, _, r, _ in people]
    tier = [t for *_, t in people]
    w = [1.0] * n                      # probability of being alive
    bal = [[0.0, 0.0, 0.0] for _ in range(n)]
    status = ["none"] * n               # none -> contrib -> pension
    acc = [0.0] * n                     # monthly account pension due (x weight)
    heirs = P.heirs_share
    gov_total = P.subsidy_by_level.sum(axis=1)          # (year, area, tier)
    for i, year in enumerate(P.years):
        p = P.at(int(year))
        r = float(p.rate_pa[0])
        fm = p.first_month
        w_full, w_die, w_60 = (benefits.month_weights_full(fm), benefits.month_weights_dying(fm),
                               benefits.month_weights_turning_60(fm))
        m_full, m_die, m_60 = w_full.sum(), w_die.sum(), w_60.sum()
        basic = p.basic_monthly_by_level.sum(axis=0)
        b_full, b_die, b_60 = float(basic @ w_full), float(basic @ w_die), float(basic @ w_60)
        t = dict.fromkeys(TOTALS, 0.0)
        for k in range(n):
            age = min(age0[k] + i, dims.MAX_AGE)
            q = float(p.q_death[0, sex[k], age])
            if status[k] == "none":                      # first year: the population dies first
                w[k] *= 1 - q
                status[k] = "pension" if age >= dims.PENSION_AGE else "contrib"
                if status[k] == "pension":
                    t["basic_pension_paid"] += w[k] * b_full
                    t["pensioners"] += w[k]
                    continue
            elif status[k] == "contrib":
                dead = [x * q for x in bal[k]]
                ref, forf = accounts.refund_and_forfeit_yuan(*dead, heirs)
                t["inheritance_refunds"] += ref
                t["forfeited_to_pool"] += forf
                t["deaths"] += w[k] * q
                w[k] *= 1 - q
                bal[k] = [x * (1 - q) for x in bal[k]]
                if age < dims.PENSION_AGE:
                    t["interest_credited"] += sum(bal[k]) * r
                    bal[k] = [x + accounts.interest_yuan(x, r) for x in bal[k]]
            else:                                        # pensioner on 1 January
                tot = sum(bal[k])
                paid_s = (1 - q) * benefits.paid_from_account_yuan(tot, acc[k] * m_full)
                paid_d = q * benefits.paid_from_account_yuan(tot, acc[k] * m_die)
                due = acc[k] * ((1 - q) * m_full + q * m_die)
                t["account_pension_paid"] += paid_s + paid_d
                t["longevity_gap_paid"] += due - paid_s - paid_d
                t["basic_pension_paid"] += w[k] * ((1 - q) * b_full + q * b_die)
                shares = [x / tot if tot > 0 else 0.0 for x in bal[k]]
                rem_d = q * (tot - benefits.paid_from_account_yuan(tot, acc[k] * m_die))
                ref, forf = accounts.refund_and_forfeit_yuan(*[s_ * rem_d for s_ in shares], heirs)
                t["inheritance_refunds"] += ref
                t["forfeited_to_pool"] += forf
                t["deaths"] += w[k] * q
                interest = [x * (1 - q) * r for x in bal[k]]
                t["interest_credited"] += sum(interest)
                stay = (1 - q) * tot - paid_s
                bal[k] = [s_ * stay + x for s_, x in zip(shares, interest)]
                w[k] *= 1 - q
                acc[k] *= 1 - q
                t["pensioners"] += w[k]
                t["account_fund_balance"] += sum(bal[k])
                continue
            # a contributor pays this year's premium (D1 Art. 7) ...
            t["members_paying"] += w[k]
            personal = float(p.personal[area[k], tier[k]]) * w[k]
            gov = float(gov_total[i, area[k], tier[k]]) * w[k]
            bal[k][0] += personal
            bal[k][1] += gov
            t["contributions_personal"] += personal
            t["subsidy_contribution"] += gov
            if age == dims.PENSION_AGE:                  # ... and draws from the next month
                status[k] = "pension"
                tot = sum(bal[k])
                acc[k] = benefits.account_pension_monthly(tot, P.divisor_at_60)
                paid = benefits.paid_from_account_yuan(tot, acc[k] * m_60)
                t["account_pension_paid"] += paid
                t["longevity_gap_paid"] += acc[k] * m_60 - paid
                t["basic_pension_paid"] += w[k] * b_60
                bal[k] = [x / tot * (tot - paid) if tot > 0 else 0.0 for x in bal[k]]
                t["pensioners"] += w[k]
            t["account_fund_balance"] += sum(bal[k])
        for key in TOTALS:
            out[key].append(t[key])
    return out
