"""The cohort engine: ``step(state, p, params) -> (state, flows, detail)`` and ``project()``.

One Python loop over projection years; everything inside a year is array
arithmetic over age x sex x area x tier x years-paid (contributors) and
age x sex x area x tier x kind (pensioners), in the phases of
:mod:`model.engine.phases` (the state is in :mod:`model.engine.state`). Balances
are carried per cell as sums; every rule applied to them is linear in the
balance except the account running empty. Everyone in a pensioner cell started
drawing in the same year with the same ratio of balance to monthly pension (139,
or the lump-sum price ratio), but birth months are pooled: in the year a cell's
account runs out the engine pays the cell's pooled balance, where people born
early in the year would run out a few months before those born late.

The body of :func:`step` is the order of events within a year (README, "Timing
conventions").
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from model import dims
from model.engine import phases as ph
from model.engine.memory import keep_freed_memory
from model.engine.state import BASIC, C_AGES, P_AGES, REG, State, fit_carried, initial_state, o_ages, per_batch
from model.parameters import Parameters, YearParams, resolve
from model.results import DETAIL_VARS, annual_frame, detail_frame, ministry_columns
from model.scenario import Scenario

__all__ = ["State", "initial_state", "step", "run", "project", "project_from", "state_on", "Projection",
           "DETAIL_VARS"]


def step(st: State, p: YearParams, params: Parameters, detail: bool = False):
    """One projection year: the next 1 January state, the year's flows [yuan, persons] and the detail.

    ``p`` is ``params.at(year)``. Flows are arrays over the batch axis, shape (batch,)
    (levels: (batch, level)); the detail is (var, age, sex, area, tier+1) of the first
    batch member, or None.
    """
    dec = ph.decrements(st, p, params)
    people = ph.population_change(st, p, params, dec)
    interest = ph.interest_and_sealing(st, p, params, dec)
    rechosen = ph.tier_rechoice(interest.contributors, p, params)
    enrol = ph.enrolment(rechosen, p, params, people.pop, interest.s_n)
    pay = ph.payments(enrol.contributors, p, params, interest.rate_by_age, detail)
    turning = ph.turning_60(pay.contributors, p, params, interest.s_n, interest.s_bal)
    on = ph.paying_on(st, p, params, dec)                          # 延缴 (None: nobody)
    s_n, s_bal = turning.s_n, turning.s_bal
    late = ph.late_registration(st, p, params, dec, enrol.eligible)
    weights = ph.month_weights(p)
    pens = ph.account_pensions(st, p, params, dec, turning, late, weights, on)
    basic = ph.basic_pensions(st, p, params, dec, turning, late, weights, on)
    extras = ph.topups_and_grants(st, p, params, dec, turning, late, weights, on)
    forfeited = dec.forfeited + turning.forfeited + pens.forfeited
    pool = ph.pooled_fund(st, p, params, pens.gap, extras, forfeited)
    levels, admin = ph.government_cost(p, params, pay, enrol, late, basic, extras, pool, on)
    new_state, births = ph.ageing(people.pop, pay.contributors, s_n, s_bal, pens, pool.closing,
                                  p, params, turning, on)
    flows = annual_flows(p, params, dec=dec, people=people, interest=interest, enrol=enrol, pay=pay,
                         turning=turning, late=late, pens=pens, basic=basic, extras=extras, pool=pool,
                         levels=levels, admin=admin, births=births, forfeited=forfeited, new_state=new_state,
                         on=on, s_n=s_n)
    det = _detail(pay, turning, late, pens, params, on, s_n, s_bal) if detail else None
    return new_state, flows, det


def annual_flows(p: YearParams, params: Parameters, *, dec, people, interest, enrol, pay, turning, late, pens,
                 basic, extras, pool, levels, admin, births, forfeited, new_state, on=None, s_n=None) -> dict:
    """The year's row of ``annual`` (README, "Outputs") from the phases' results, each (batch,)."""
    B = len(p.rate_pa)
    under_60 = pay.contributors.under_60()
    s_n = turning.s_n if s_n is None else s_n
    z = np.zeros(B)
    if on is None:                                                 # nobody pays on after 60 (延缴)
        o_members = o_payers = o_dead = o_emig = o_new = z
        o_personal = o_subsidy = o_behalf = o_coll = o_interest = z
    else:
        o_members = per_batch(on.n) + per_batch(turning.pay_on_n)  # at year end, the cohort of 60 entering
        o_payers, o_dead, o_emig = per_batch(on.payers), per_batch(dec.o_dead), per_batch(dec.o_emig)
        o_new = per_batch(on.new_n)
        o_personal, o_subsidy, o_behalf = on.personal, on.subsidy_levels.sum(axis=1), on.on_behalf_levels.sum(axis=1)
        o_coll, o_interest = on.collective, on.interest
    leavers = per_batch(turning.leavers)
    lump_total = per_batch(late.lump_paid)
    f = dict(
        year=np.full(B, p.year),
        population=per_batch(people.pop),
        eligible=per_batch(enrol.eligible[:, dims.ENTRY_AGE:]),
        members=per_batch(under_60.n) + per_batch(s_n) + per_batch(pens.p_n) + o_members,
        members_paying=per_batch(pay.payers) + o_payers,
        members_paying_after_60=o_payers,
        members_suspended=per_batch(s_n),
        pensioners=per_batch(pens.p_n),
        pensioners_basic_only=per_batch(pens.p_n[..., BASIC]),
        entrants=per_batch(enrol.entrants) + per_batch(late.entrants),
        deaths=per_batch(dec.c_dead) + per_batch(dec.s_dead) + per_batch(dec.p_dead) + o_dead,
        exits=per_batch(dec.c_emig) + per_batch(dec.s_emig) + per_batch(dec.p_emig) + o_emig
        + (leavers if params.short_of_years_refund else 0.0),
        reached_60_without_pension=leavers,
        emigrants=per_batch(people.member_emigrants),
        joined_employee_scheme=per_batch(interest.c_join),
        population_deaths=per_batch(people.deaths),
        births=per_batch(births),
        net_migration=per_batch(people.net_migration),
        contributions_personal=pay.personal + per_batch(turning.makeup_paid) + lump_total + o_personal,
        catch_up_contributions=pay.catch_up + per_batch(turning.makeup_paid),
        lump_sum_purchases=lump_total,
        subsidy_contribution=pay.subsidy_levels.sum(axis=1) + o_subsidy,
        subsidy_paid_on_behalf=pay.on_behalf_levels.sum(axis=1) + o_behalf,
        collective_contribution=pay.collective + o_coll,
        basic_pension_paid=basic.basic_levels.sum(axis=1) + basic.long_due,
        account_pension_paid=pens.paid,
        longevity_gap_paid=pens.gap,
        longevity_gap_from_pool=pool.gap_from_pool,
        longevity_gap_from_government=pool.gap_from_government,
        topups_paid=extras.topups,
        death_grants_paid=extras.death_grants + extras.funeral,
        admin_costs_paid=admin,
        inheritance_refunds=dec.refunds + turning.refunds + pens.refunds,
        forfeited_to_pool=forfeited,
        interest_credited=interest.interest + pay.interest + pens.interest + o_interest,
        pooled_fund_interest=pool.interest,
        fund_taken_over=pool.taken_over,
        government_to_pool=pool.government,
        pooled_fund_paid=pool.paid,
        account_fund_balance=new_state.account_fund(),
        pooled_fund_balance=pool.closing,
    )
    for li, lvl in enumerate(dims.LEVELS):
        f[f"subsidy_{lvl}"] = levels[:, li]
        f[f"contribution_subsidy_{lvl}"] = pay.subsidy_levels[:, li] + (0.0 if on is None else on.subsidy_levels[:, li])
        f[f"basic_pension_{lvl}"] = basic.basic_levels[:, li] + basic.long_levels[:, li]
    f["pension_months"] = extras.pension_months
    paid = f["basic_pension_paid"] + f["account_pension_paid"] + f["longevity_gap_paid"] + f["topups_paid"]
    f["average_monthly_pension"] = np.divide(paid, extras.pension_months, out=np.zeros(B),
                                             where=extras.pension_months > 0)
    f["new_pensioners_60"] = per_batch(turning.new_n)
    f["new_pensioners_after_paying_on"] = o_new
    f["new_account_pension_monthly"] = per_batch(turning.new_acc)
    f["basic_pension_monthly_rate"] = np.full(B, float(p.basic_monthly_by_level.sum(axis=0).mean()))
    new60 = per_batch(turning.new_n)
    # the first monthly pension of those starting at 60: basic (the year's mean rate), account and extra
    f["new_pension_monthly_at_60"] = np.where(
        new60 > 0, f["basic_pension_monthly_rate"] + np.divide(per_batch(turning.new_acc) + per_batch(turning.new_long),
                                                               new60, out=np.zeros(B), where=new60 > 0), 0.0)
    f["fiscal_base"] = np.full(B, float(params.fiscal_base[p.index]) if params.fiscal_base is not None else np.nan)
    f["government_total_cost"] = levels.sum(axis=1)
    return f


def _detail(pay, turning, late, pens, params: Parameters, on=None, s_n=None, s_bal=None) -> np.ndarray:
    """Per-year detail arrays (var, age, sex, area, tier+1) at year end, before ageing, of the first
    batch member.

    Tier slot 0 holds people without a tier: suspended members and basic-only
    or lump-sum pensioners. Summed over cells each variable equals its
    column in ``annual`` (tested).
    """
    under_60 = slice(dims.ENTRY_AGE, dims.PENSION_AGE)
    c = pay.contributors.under_60()
    out = np.zeros((len(DETAIL_VARS), dims.N_AGE, dims.N_SEX, dims.N_AREA, len(params.tiers) + 1))
    paying, members, pens_n, personal, subsidy, balance = out
    paying[C_AGES, :, :, 1:] = pay.payers[0].sum(axis=-1)
    members[under_60, :, :, 1:] = c.n[0].sum(axis=-1)
    s_n = turning.s_n if s_n is None else s_n
    s_bal = turning.s_bal if s_bal is None else s_bal
    members[:, :, :, 0] += s_n[0]
    k0 = params.pay_on_kind0                                       # regular kinds: REG and those paying on
    pens_n[P_AGES, :, :, 1:] = pens.p_n[0, ..., REG] + pens.p_n[0, ..., k0:].sum(axis=-1)
    pens_n[P_AGES, :, :, 0] = pens.p_n[0, ..., BASIC:k0].sum(axis=-1)[..., 0]
    members[P_AGES] += pens_n[P_AGES]
    personal[C_AGES, :, :, 1:] = pay.cells_paid[0, 0]
    personal[dims.PENSION_AGE, :, :, 1:] += turning.makeup_paid[0].sum(axis=-1)
    personal[P_AGES, :, :, 0] += late.lump_paid[0]
    subsidy[C_AGES, :, :, 1:] = pay.cells_paid[0, 1]
    balance[under_60, :, :, 1:] = c.bal[0].sum(axis=(0, -1))
    balance[P_AGES, :, :, 1:] += pens.p_bal[0, ..., REG].sum(axis=0) + pens.p_bal[0, ..., k0:].sum(axis=(0, -1))
    balance[P_AGES, :, :, 0] += pens.p_bal[0, ..., BASIC:k0].sum(axis=(0, -1))[..., 0]
    balance[:, :, :, 0] += s_bal[0].sum(axis=0)
    if on is not None:               # 延缴: those paying on at 61 .. the limit, and the cohort of 60 joining them
        ages = o_ages(params)
        paying[ages, :, :, 1:] += on.payers[0]
        personal[ages, :, :, 1:] += on.paid[0, 0]
        subsidy[ages, :, :, 1:] += on.paid[0, 1]
        members[ages, :, :, 1:] += on.n[0].sum(axis=-1)
        balance[ages, :, :, 1:] += on.bal[0].sum(axis=(0, -1))
        members[dims.PENSION_AGE, :, :, 1:] += turning.pay_on_n[0].sum(axis=-1)
        balance[dims.PENSION_AGE, :, :, 1:] += turning.pay_on_bal[0].sum(axis=(0, -1))
    return out


@dataclass(frozen=True)
class Projection:
    """Result of :func:`project`: ``annual`` (one row a year) and ``detail`` (long table)."""
    annual: "object"
    detail: "object"
    parameters: Parameters
    seconds: float


def run(params: Parameters, detail: bool = False, carried: tuple[int, State] | None = None):
    """Every year's flows as arrays over the batch axis: ({name: (year, batch)}, detail list).

    ``carried`` = (year, the state on 1 January of that year) resumes a run from a state an
    earlier run reached (``state_on``): the flows are those of that year on. The rules count
    their years from the scheme's start (``params``), not from the year resumed.
    """
    keep_freed_memory()                            # model/engine/memory.py: 9-12 % faster
    st = initial_state(params) if carried is None else fit_carried(carried[1], params)
    first = params.years[0] if carried is None else carried[0]
    flows, details = {}, []
    for year in params.years[params.years >= first]:
        opening_acc, opening_pool = st.account_fund(), st.pooled
        st, f, det = step(st, params.at(int(year)), params, detail)
        f["account_fund_opening"] = opening_acc
        f["pooled_fund_opening"] = opening_pool
        for k, v in f.items():
            flows.setdefault(k, []).append(v)
        if detail:
            details.append(det)
    out = {k: np.stack(v) for k, v in flows.items()}
    out.update(ministry_columns(out))              # the Ministry's fund income, expenditure, balance
    return out, details


def state_on(params: Parameters, year: int) -> State:
    """The state on 1 January of ``year`` of a run from the start (the start's own state before)."""
    st = initial_state(params)
    for y in params.years[params.years < year]:
        st, _, _ = step(st, params.at(int(y)), params)
    return st


def project_from(scenario: Scenario, year: int, carried: dict | None = None) -> Projection:
    """The projection from ``year`` on, each run resumed from the state another run reached.

    ``carried`` maps each stage's index (0 for an unstaged scenario; and ``"whole"`` for a
    staged scenario's whole-population run) to its state on 1 January of ``year``; by
    default the states of a run of ``scenario`` from its start (``state_on``).
    A stage that starts later starts as usual. Every flow and the Ministry's columns are
    those of ``project`` in the same years (the engine's state is everything it carries;
    tested), except that a staged scenario's population counts only the emigrants after
    ``year`` (none in the shipped scenarios).
    """
    t0 = time.perf_counter()
    if scenario.scheme.rollout:
        stages = rollout_stages(scenario)
        P0 = stages[0][2]
    else:
        P0 = resolve(scenario)
        stages = [(0, 1.0, P0)]
    if carried is None:
        carried = {i: state_on(P, year) for i, (_, _, P) in enumerate(stages) if P.start_year < year}
        if scenario.scheme.rollout:
            carried["whole"] = state_on(P0, year)
    years = P0.years[P0.years >= year]
    staged = []
    for i, (_, share, P) in enumerate(stages):
        resumed = (year, carried[i]) if P.start_year < year else None
        flows, _ = run(P, carried=resumed)
        staged.append((max(P.start_year - year, 0), share, flows))
    if scenario.scheme.rollout:
        whole, _ = run(P0, carried=(year, carried["whole"]))
        total = combine_stages(scenario, years, staged, whole)
    else:
        total = staged[0][2]
    annual = annual_frame([{k: v[t, 0] for k, v in total.items()} for t in range(len(years))])
    return Projection(annual=annual, detail=None, parameters=P0, seconds=time.perf_counter() - t0)


def rollout_stages(scen: Scenario) -> list[tuple[int, float, Parameters]]:
    """(years after the first stage, population share, parameters) of each stage of ``scheme.rollout``.

    Each stage is the scenario started in its own month and run to the same last year; the
    first stage starts with the scenario.
    """
    from model.scenario import with_overrides
    first = scen.scheme.start_year
    end = first + scen.scheme.horizon_years - 1
    out = []
    for start, share in sorted(scen.scheme.rollout.items()):
        y = int(start[:4])
        part = with_overrides(scen, {"scheme": {"start": start, "rollout": None, "horizon_years": end - y + 1}})
        out.append((y - first, float(share), resolve(part)))
    return out


def combine_stages(scen: Scenario, years: np.ndarray, staged: list[tuple[int, float, dict]],
                   whole: dict) -> dict:
    """The staged scheme's flows, each (year, batch), from its stages' flows and a whole-population run.

    ``staged`` holds (years after the first stage, share, flows) per stage; ``whole`` is the
    first stage run over the whole population. Money and members are the share-weighted sums
    (every flow is linear in the population); the population columns are everyone's, from
    ``whole``; the basic pension rate is a rate, not a total.
    """
    n = len(years)
    total = {}
    for off, share, flows in staged:
        for k, v in flows.items():
            if k == "year":
                continue
            acc = total.setdefault(k, np.zeros((n,) + v.shape[1:]))
            acc[off:] += share * v
    for c in POPULATION_COLUMNS:
        total[c] = whole[c].copy()
    # members emigrate only once reached: those the whole-population run lets emigrate earlier stay
    total["population"] = total["population"] + np.cumsum(whole["emigrants"] - total["emigrants"], axis=0)
    total["fiscal_base"] = whole["fiscal_base"].copy()
    rate = total["basic_pension_monthly_rate"]
    covered = _covered(scen, years)[:, None]
    total["basic_pension_monthly_rate"] = rate / np.where(rate > 0, covered, 1.0)
    total["year"] = np.broadcast_to(np.asarray(years)[:, None], rate.shape).copy()
    return total


def project_rollout(scen: Scenario, detail: bool = True) -> Projection:
    """A scheme reaching counties in stages (``scheme.rollout``): the sum of one projection per
    start month, each scaled by its share of the population. Every flow and stock is linear in
    the population, so the sum is the staged scheme; years before a stage starts add nothing.
    The detailed table (every variable a total) is the same share-weighted sum.
    """
    t0 = time.perf_counter()
    stages = rollout_stages(scen)
    P0 = stages[0][2]
    staged, cells = [], None          # cells: (year, var, age, sex, area, tier+1) summed over the stages
    for off, share, P in stages:
        flows, details = run(P, detail)
        staged.append((off, share, flows))
        if detail:
            if not np.array_equal(P.tiers, P0.tiers):
                raise ValueError(f"scheme.rollout: the stage from {P.start_year} has other tiers than the first")
            arr = np.stack(details) * share
            if cells is None:
                cells = np.zeros((len(P0.years),) + arr.shape[1:])
            cells[off:] += arr
    # the population is everyone's, whichever stage reached them: from a run of the first
    # stage over the whole population (member emigration then counts that run's members)
    whole, _ = run(P0)
    total = combine_stages(scen, P0.years, staged, whole)
    annual = annual_frame([{k: v[t, 0] for k, v in total.items()} for t in range(len(P0.years))])
    annual.attrs["pools"] = len(scen.scheme.rollout)      # each stage's counties keep their own pool
    det = detail_frame(cells, P0) if detail else None
    return Projection(annual=annual, detail=det, parameters=P0, seconds=time.perf_counter() - t0)


POPULATION_COLUMNS = ("population", "eligible", "population_deaths", "births", "net_migration")


def _covered(scen: Scenario, years) -> np.ndarray:
    """Share of the population the staged scheme has reached by each year."""
    starts = sorted(scen.scheme.rollout.items())
    return np.array([sum(s for d, s in starts if int(d[:4]) <= y) for y in years])


def project(scenario: Scenario | Parameters, detail: bool = True) -> Projection:
    """Project a scenario year by year; returns annual flows and the detailed table."""
    t0 = time.perf_counter()
    if isinstance(scenario, Scenario) and scenario.scheme.rollout:
        return project_rollout(scenario, detail)
    P = scenario if isinstance(scenario, Parameters) else resolve(scenario)
    if P.batch != 1:
        raise ValueError("project() runs one projection; use model.engine.stochastic for paths")
    flows, details = run(P, detail)
    rows = [{k: v[t, 0] for k, v in flows.items()} for t in range(len(P.years))]
    annual = annual_frame(rows)
    det = detail_frame(np.stack(details), P) if detail else None
    return Projection(annual=annual, detail=det, parameters=P, seconds=time.perf_counter() - t0)
