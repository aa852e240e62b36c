"""The cohort engine: ``step(state, p) -> (state, flows)`` and ``project()``.

One Python loop over projection years; everything inside a year is array
arithmetic over age x sex x area x tier x years-paid (contributors) and
age x sex x area x tier x kind (pensioners). Balances are carried per cell
as sums; every rule applied to them is linear in the balance except the
account running empty. Everyone in a pensioner cell started drawing in the
same year with the same ratio of balance to monthly pension (139, or the
lump-sum price ratio), but birth months are pooled: in the year a cell's
account runs out the engine pays the cell's pooled balance, where people
born early in the year would run out a few months before those born late.

Order of events within year t (see README, "Timing"):
 1. deaths, emigration and joining the employee scheme (D1 Art. 15, 23, 35)
    act on the 1 January state; leavers take their 1 January balance;
 2. interest at the year's rate on the remaining 1 January balances
    (D1 Art. 14), except the cohort turning 60 (RULES.md §3);
 3. tier re-choice, new members (uptake target), payments and subsidies,
    credited at year end;
 4. the cohort turning 60 makes up missing years if it does, and draws its
    pension from the month after the birthday (D1 Art. 21);
 5. pensions, top-ups and grants; the longevity gap from the pooled fund,
    then government (D1 Art. 19);
 6. everyone ages one year; births enter at age 0.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import accounts, benefits, contributions, dims, population
from .parameters import Parameters, YearParams, resolve
from .scenario import Scenario

C_AGES = slice(dims.ENTRY_AGE, dims.PENSION_AGE + 1)    # contributor ages in 0..100
P_AGES = slice(dims.PENSION_AGE, dims.MAX_AGE + 1)       # pensioner ages in 0..100
N_CA = dims.PENSION_AGE - dims.ENTRY_AGE + 1
N_PA = dims.MAX_AGE - dims.PENSION_AGE + 1
REG, BASIC, LUMP0 = 0, 1, 2          # pensioner kinds; LUMP0 + i: lump sums bought in year i
YP = np.arange(dims.N_YP)


@dataclass(frozen=True)
class State:
    """Stocks on 1 January of a year (ages attained in that year).

    Every array has a leading ``batch`` axis: projections run side by side
    (interest or mortality paths, or counties); a plain projection has one.
    """
    pop: np.ndarray        # (batch, age, sex, area) hukou population, persons
    c_n: np.ndarray        # (batch, c_age, sex, area, tier, yp) contributing members, persons
    c_bal: np.ndarray      # (batch, part, c_age, sex, area, tier, yp) their balances, yuan
    c_xyears: np.ndarray   # (batch, c_age, sex, area, tier) person-years paid above 16 (yp = 16+ cell)
    s_n: np.ndarray        # (batch, age, sex, area) members with a sealed account, persons
    s_bal: np.ndarray      # (batch, part, age, sex, area) their balances, yuan
    p_n: np.ndarray        # (batch, p_age, sex, area, tier, kind) pensioners, persons
    p_bal: np.ndarray      # (batch, part, p_age, sex, area, tier, kind) their balances, yuan
    p_acc: np.ndarray      # (batch, p_age, sex, area, tier, kind) account pension due, yuan/month (sum)
    p_long: np.ndarray     # (batch, p_age, sex, area, tier, kind) long-contribution extra, yuan/month (sum)
    pooled: np.ndarray     # (batch,) pooled fund balance, yuan

    def account_fund(self) -> np.ndarray:
        """Total of all individual account balances [yuan], shape (batch,)."""
        return _per_batch(self.c_bal) + _per_batch(self.s_bal) + _per_batch(self.p_bal)

    def members(self) -> np.ndarray:
        """Members: contributors, sealed accounts and pensioners [persons], shape (batch,)."""
        return _per_batch(self.c_n) + _per_batch(self.s_n) + _per_batch(self.p_n)


def _per_batch(a: np.ndarray) -> np.ndarray:
    """Sum over every axis but the leading batch axis."""
    return a.reshape(a.shape[0], -1).sum(axis=1)


def initial_state(P: Parameters) -> State:
    """The state on 1 January of the start year: population only, no members yet."""
    B = P.batch
    nt = P.tier_mix.shape[-1]                                      # tiers (1 when pooled)
    sh = (dims.N_SEX, dims.N_AREA, nt)
    pop = np.broadcast_to(P.population0, (B, dims.N_AGE, dims.N_SEX, dims.N_AREA)).copy()
    return State(
        pop=pop,
        c_n=np.zeros((B, N_CA, *sh, dims.N_YP)), c_bal=np.zeros((B, dims.N_PART, N_CA, *sh, dims.N_YP)),
        c_xyears=np.zeros((B, N_CA, *sh)),
        s_n=np.zeros((B, dims.N_AGE, dims.N_SEX, dims.N_AREA)),
        s_bal=np.zeros((B, dims.N_PART, dims.N_AGE, dims.N_SEX, dims.N_AREA)),
        p_n=np.zeros((B, N_PA, *sh, P.n_kind)), p_bal=np.zeros((B, dims.N_PART, N_PA, *sh, P.n_kind)),
        p_acc=np.zeros((B, N_PA, *sh, P.n_kind)), p_long=np.zeros((B, N_PA, *sh, P.n_kind)),
        pooled=np.zeros(B))


def _age_shift(a: np.ndarray, axis: int, open_top: bool) -> np.ndarray:
    """Move every cell one age up along ``axis``; the first age is emptied.

    With ``open_top`` the last (open) age keeps its people and receives the
    age below; otherwise the last age leaves the array (it moved elsewhere).
    """
    out = np.empty_like(a)
    idx = [slice(None)] * a.ndim
    src, dst, first, last = list(idx), list(idx), list(idx), list(idx)
    src[axis], dst[axis], first[axis], last[axis] = slice(0, -1), slice(1, None), 0, -1
    out[tuple(dst)] = a[tuple(src)]
    out[tuple(first)] = 0.0
    if open_top:
        out[tuple(last)] += a[tuple(last)]
    return out


def _yp_shift(a: np.ndarray) -> np.ndarray:
    """Move every cell one paid year up on the last axis; the top cell (16+) absorbs itself."""
    out = np.empty_like(a)
    out[..., 1:] = a[..., :-1]
    out[..., 0] = 0.0
    out[..., -1] += a[..., -1]
    return out


def _parts(x: np.ndarray) -> tuple:
    """The personal, government and collective parts of a (batch, part) array."""
    return x[:, 0], x[:, 1], x[:, 2]


def step(st: State, p: YearParams, P: Parameters, detail: bool = False):
    """One projection year: the next 1 January state and the year's flows [yuan, persons].

    Flows are arrays over the batch axis, shape (batch,) (levels: (batch, level)).
    """
    s = P.scenario
    r = p.rate_pa                                                  # (B,)
    i = p.index
    f = {}
    qa = np.swapaxes(p.q_death, 1, 2)                              # (B, age, sex)
    em = P.emigration_rate
    jn = P.employee_join_rate.copy()
    jn[dims.PENSION_AGE:] = 0.0                                   # nobody joins from the payout phase
    heirs = P.heirs_share

    # ---- 1. decrements on 1 January stocks ---------------------------------------
    # Contributors. Every rate depends on age and sex only, so the money and
    # people leaving are worked out on sums over area, tier and years paid, and
    # the big arrays are scaled once.
    d_as = qa[:, C_AGES]                                          # (B, c_age, sex) deaths
    e_as = (1 - d_as) * em[C_AGES][None, :, None]                 # emigration
    stay_as = 1 - d_as - e_as                                     # includes those joining
    j_as = stay_as * jn[C_AGES][None, :, None]                    # joining the employee scheme
    # interest on the 1 January balance of those not dying or emigrating (D1 Art. 14),
    # not for the cohort turning 60 (RULES.md §3); pensioners are done in 5.
    c_ages = np.arange(dims.ENTRY_AGE, dims.PENSION_AGE + 1)
    r_age = accounts.rate_on_opening_balance_pa(r[:, None], c_ages == dims.PENSION_AGE)   # (B, c_age)
    cn_asr = st.c_n.sum(axis=(-2, -1))                            # (B, c_age, sex, area)
    cb_asr = st.c_bal.sum(axis=(-2, -1))                          # (B, part, c_age, sex, area)
    cb_as = cb_asr.sum(axis=-1)                                   # (B, part, c_age, sex)
    c_dead, c_emig = cn_asr * d_as[..., None], cn_asr * e_as[..., None]
    # sealed accounts
    qs = qa[..., None]                                            # (B, age, sex, 1)
    s_dead, s_emig = st.s_n * qs, st.s_n * (1 - qs) * em[None, :, None, None]
    s_bal_dead = st.s_bal * qs[:, None]
    s_bal_emig = st.s_bal * ((1 - qs) * em[None, :, None, None])[:, None]
    # death and emigration refunds (D1 Art. 20, 35; D3 §7(三)(四))
    dead_parts = (cb_as * d_as[:, None]).sum(axis=(2, 3)) + s_bal_dead.sum(axis=(2, 3, 4))   # (B, part)
    emig_parts = (cb_as * e_as[:, None]).sum(axis=(2, 3)) + s_bal_emig.sum(axis=(2, 3, 4))
    ref_d, forf_d = accounts.refund_and_forfeit_yuan(*_parts(dead_parts), heirs)
    ref_e, forf_e = accounts.refund_and_forfeit_yuan(*_parts(emig_parts), 1.0)
    refunds, forfeited = ref_d + ref_e, forf_d + forf_e            # (B,)

    s_bal = st.s_bal - s_bal_dead - s_bal_emig
    s_int = s_bal * r[:, None, None, None, None]                   # sealed but earning (D1 Art. 15)
    interest = (cb_as * (stay_as * r_age[..., None])[:, None]).sum(axis=(1, 2, 3)) \
        + s_int.sum(axis=(1, 2, 3, 4))
    s_bal = s_bal + s_int

    # joining the employee scheme: account sealed with its interest (D1 Art. 15)
    keep_as = stay_as - j_as
    grow = 1 + r_age[..., None]                                    # (B, c_age, 1)
    c_n = st.c_n * keep_as[..., None, None, None]
    c_bal = st.c_bal * (keep_as * grow)[:, None, :, :, None, None, None]
    c_x = st.c_xyears * keep_as[..., None, None]
    c_join = cn_asr * j_as[..., None]                              # (B, c_age, sex, area)
    s_n = st.s_n - s_dead - s_emig
    s_n[:, C_AGES] += c_join
    s_bal[:, :, C_AGES] += cb_asr * (j_as * grow)[:, None, :, :, None]

    # pensioners: decrements act through the year (payments until death)
    qp = qa[:, P_AGES][..., None, None, None]                      # (B, p_age, sex, 1, 1, 1)
    pd_frac = qp
    pe_frac = (1 - qp) * em[P_AGES][None, :, None, None, None, None]
    ps_frac = 1 - pd_frac - pe_frac
    p_dead, p_emig = st.p_n * pd_frac, st.p_n * pe_frac

    # population: deaths, member emigration, net migration of non-members
    pop_dead = st.pop * qa[..., None]
    members_age = st.s_n.copy()
    members_age[:, C_AGES] += cn_asr
    members_age[:, P_AGES] += st.p_n.sum(axis=(-2, -1))
    member_emig = s_emig.copy()
    member_emig[:, C_AGES] += c_emig
    member_emig[:, P_AGES] += p_emig.sum(axis=(-2, -1))
    non_members = np.maximum(st.pop - members_age, 0.0) * (1 - qa[..., None])
    net_mig = np.maximum(P.net_migration_rate[None, :, None, None] * non_members, -non_members)
    pop = st.pop - pop_dead - member_emig + net_mig
    # the eligible exclude members in the employee scheme (D1 Art. 6; D3 §5)
    eligible = population.eligible_persons(pop, P.eligible_share, s_n)   # (B, age, sex, area)

    # ---- 3. tier re-choice, new members, payments --------------------------------
    mix = p.tier_mix                                               # (area, tier)
    resh = P.scenario.contributions.tier_rechoice_share
    if resh > 0:                                                   # the tier axis is second to last (last for c_x)
        c_n = (1 - resh) * c_n + resh * mix[:, :, None] * c_n.sum(axis=-2, keepdims=True)
        c_bal = (1 - resh) * c_bal + resh * mix[:, :, None] * c_bal.sum(axis=-2, keepdims=True)
        c_x = (1 - resh) * c_x + resh * mix * c_x.sum(axis=-1, keepdims=True)

    age_at_start_c = np.arange(dims.ENTRY_AGE, dims.PENSION_AGE + 1) - i
    may_join_c = age_at_start_c < dims.PENSION_AGE                 # D1 Art. 21(一): 60+ do not pay
    target_c = p.enrol_target[C_AGES][None, :, None, :] * eligible[:, C_AGES]
    entrants_c = np.maximum(target_c - c_n.sum(axis=(-2, -1)), 0.0) * may_join_c[None, :, None, None]
    c_n[..., 0] += entrants_c[..., None] * mix

    # Payments (D1 Art. 7-10): on time with subsidies, or made up without (D1 Art. 8).
    # Per person in a cell, by (c_age, area, tier): what goes into each account part.
    dens = P.density[C_AGES]                                       # (c_age,)
    cu = P.catch_up_share
    move_a = dens + (1 - dens) * cu                                # share paying this year
    tiers = P.tiers                                                # (tier,), or (area, tier) when pooled
    gov_per_payer = p.subsidy_by_level.sum(axis=0)                 # (area, tier)
    per_person = np.stack([
        dens[:, None, None] * p.personal[None]
        + ((1 - dens) * cu)[:, None, None] * contributions.catch_up_payment_yuan(tiers)[None],
        dens[:, None, None] * gov_per_payer[None],
        np.broadcast_to(dens[:, None, None] * P.collective_yuan, (N_CA, *gov_per_payer.shape))])
    cells_paid = (per_person[None, :2, :, None] * c_n.sum(axis=-1)[:, None]) if detail else None
    cn_art = c_n.sum(axis=(2, 5))                                  # (B, c_age, area, tier)
    per_person = np.broadcast_to(per_person[None], (len(r), *per_person.shape))
    # RULES.md §3 switch: with mid-year crediting the year's payments earn half a year
    on_pay = accounts.payment_interest_yuan(per_person, r_age[:, None, :, None, None], P.mid_year_crediting)
    interest = interest + (on_pay * cn_art[:, None]).sum(axis=(1, 2, 3, 4))
    per_person = per_person + on_pay
    on_time_rt = (cn_art * dens[None, :, None, None]).sum(axis=1)  # (B, area, tier)
    catch_rt = (cn_art * ((1 - dens) * cu)[None, :, None, None]).sum(axis=1)
    contrib_personal = (on_time_rt * p.personal).sum(axis=(1, 2)) + (catch_rt * tiers).sum(axis=(1, 2))
    subsidy_levels = (p.subsidy_by_level[None] * on_time_rt[:, None]).sum(axis=(2, 3))   # (B, level)
    on_behalf_levels = (p.on_behalf_by_level[None] * on_time_rt[:, None]).sum(axis=(2, 3))
    collective = on_time_rt.sum(axis=(1, 2)) * P.collective_yuan
    movers = c_n * move_a[None, :, None, None, None, None]
    c_x = c_x + movers[..., -1]                                    # one more year above 16
    moving = c_bal * move_a[None, None, :, None, None, None, None]
    c_bal -= moving
    moving += per_person[:, :, :, None, :, :, None] * c_n[:, None]   # paid in, credited at year end
    c_bal[..., 1:] += moving[..., :-1]                             # one more year paid
    c_bal[..., -1] += moving[..., -1]
    c_n = c_n - movers + _yp_shift(movers)

    # ---- 4. the cohort turning 60 --------------------------------------------------
    ret_n, ret_bal, ret_x = c_n[:, -1], c_bal[:, :, -1], c_x[:, -1]   # (B, sex, area, tier, yp)
    need = contributions.years_to_make_up(YP, dims.MIN_YEARS_FULL)  # (yp,)
    k = P.catch_up_at_60
    short = need > 0
    makeup_n = ret_n * (k * short)
    makeup_pay = makeup_n * need * tiers[:, None]                  # D1 Art. 21(二)(三), no subsidy
    # years from the start year to this (60th-birthday) year: i + 1 (D1 Art. 21(二)(三))
    qualifies = benefits.qualifies_for_pension(YP, i + 1, dims.MIN_YEARS_FULL)
    leave_w = np.where(qualifies, 0.0, 1.0 - k * short)            # (yp,) share without a pension
    leavers = ret_n * leave_w
    leave_bal = ret_bal * leave_w
    refund_short = s.benefits.short_of_years_at_60 == "refund"
    if refund_short:                                               # membership ends, own part back
        ref_l, forf_l = accounts.refund_and_forfeit_yuan(*_parts(leave_bal.sum(axis=(2, 3, 4, 5))), 1.0)
        refunds = refunds + ref_l
        forfeited = forfeited + forf_l
    else:                                                          # account kept, sealed (D1 Art. 21(三))
        s_n[:, dims.PENSION_AGE] += leavers.sum(axis=(-2, -1))
        s_bal[:, :, dims.PENSION_AGE] += leave_bal.sum(axis=(-2, -1))
    new_n = (ret_n - leavers).sum(axis=-1)                         # (B, sex, area, tier)
    new_bal = (ret_bal - leave_bal).sum(axis=-1)                   # (B, part, sex, area, tier)
    new_bal[:, 0] += makeup_pay.sum(axis=-1)
    contrib_personal = contrib_personal + makeup_pay.sum(axis=(1, 2, 3, 4))
    new_acc = benefits.account_pension_monthly(new_bal.sum(axis=1), P.divisor_at_60)  # D1 Art. 20
    # person-years above 15: those of each paid-years cell, plus the 16+ cell's years above 16
    years_above = (ret_n * benefits.years_over_min(YP, dims.MIN_YEARS_FULL)).sum(axis=-1) + ret_x
    new_long = benefits.long_contribution_extra_monthly(years_above, P.long_contrib_yuan)
    c_n[:, -1] = 0.0
    c_bal[:, :, -1] = 0.0
    c_x[:, -1] = 0.0

    # the 60+ at the start registering for the basic pension (D1 Art. 21(一))
    p_ages = np.arange(dims.PENSION_AGE, dims.MAX_AGE + 1)
    old_at_start = (p_ages - i) >= dims.PENSION_AGE
    p_tot = st.p_n.sum(axis=(-2, -1)) - p_dead.sum(axis=(-2, -1)) - p_emig.sum(axis=(-2, -1))
    target_p = p.enrol_target[P_AGES][None, :, None, :] * eligible[:, P_AGES]
    entrants_old = np.maximum(target_p - p_tot, 0.0) * old_at_start[None, :, None, None]  # (B, p_age, sex, area)
    # registration (and purchase) month: the start month in the first year, spread evenly later
    reg_month = P.start_month if i == 0 else None
    ls = P.scenario.benefits.lump_sum
    if P.lump_window:                                              # birth months pooled: the mean price
        price = accounts.lump_sum_expected_price_yuan(P.lump_sum_levels[None, :], p_ages[:, None], ls.to_age,
                                                      ls.min_months, purchase_month=reg_month)   # (p_age, k)
    else:
        price = np.zeros((N_PA, len(P.lump_sum_levels)))
    # D3 §6(一)2; each purchase year is kept apart (D1 Art. 18: an account pays its own pension)
    buys = i < P.lump_window
    buyers = entrants_old[..., None] * P.lump_sum_shares * buys      # (B, p_age, sex, area, k)
    lump_paid = (buyers * price[None, :, None, None, :]).sum(axis=-1)
    lump_acc = (buyers * P.lump_sum_levels).sum(axis=-1)
    lump_n = buyers.sum(axis=-1)
    contrib_personal = contrib_personal + lump_paid.sum(axis=(1, 2, 3))

    # ---- 5. pensions ---------------------------------------------------------------
    fm = p.first_month
    w_full, w_die = benefits.month_weights_full(fm), benefits.month_weights_dying(fm)
    w_60 = benefits.month_weights_turning_60(fm)
    w_old = benefits.month_weights_registering(fm, None, at_start=(i == 0))   # D1 Art. 22; RULES.md §8
    m_full, m_die, m_60, m_old = w_full.sum(), w_die.sum(), w_60.sum(), w_old.sum()
    bm = p.basic_monthly_by_level                                  # (level, 12)
    cells = (1, 2, 3, 4, 5)                                        # every axis of a pensioner cell

    # opening pensioners
    leave_frac = pd_frac + pe_frac
    bal_tot = st.p_bal.sum(axis=1)                                 # (B, p_age, sex, area, tier, kind)
    paid_stay = ps_frac * benefits.paid_from_account_yuan(bal_tot, st.p_acc * m_full)
    paid_leave = leave_frac * benefits.paid_from_account_yuan(bal_tot, st.p_acc * m_die)
    due_acc_open = st.p_acc * (ps_frac * m_full + leave_frac * m_die)
    rem_leave = bal_tot - benefits.paid_from_account_yuan(bal_tot, st.p_acc * m_die)   # per unit leaver share
    part_share = st.p_bal / np.where(bal_tot > 0, bal_tot, 1.0)[:, None]
    rem_dead_parts = (part_share * (pd_frac * rem_leave)[:, None]).sum(axis=(2, 3, 4, 5, 6))
    rem_emig_parts = (part_share * (pe_frac * rem_leave)[:, None]).sum(axis=(2, 3, 4, 5, 6))
    ref_pd, forf_pd = accounts.refund_and_forfeit_yuan(*_parts(rem_dead_parts), heirs)
    ref_pe, forf_pe = accounts.refund_and_forfeit_yuan(*_parts(rem_emig_parts), 1.0)
    refunds = refunds + ref_pd + ref_pe
    forfeited = forfeited + forf_pd + forf_pe
    stay_bal_tot = ps_frac * bal_tot - paid_stay
    p_int = st.p_bal * (ps_frac * r[:, None, None, None, None, None])[:, None]   # 1 January balance earns
    interest = interest + p_int.sum(axis=(1, 2, 3, 4, 5, 6))
    p_bal = part_share * stay_bal_tot[:, None] + p_int
    p_n = st.p_n * ps_frac
    p_acc = st.p_acc * ps_frac
    p_long = st.p_long * ps_frac

    # entrants at 60 (regular) and the 60+ at the start (basic only or lump sum)
    new_tot = new_bal.sum(axis=1)
    paid_new = benefits.paid_from_account_yuan(new_tot, new_acc * m_60)
    due_new = new_acc * m_60
    new_share = new_bal / np.where(new_tot > 0, new_tot, 1.0)[:, None]
    p_bal[:, :, 0, ..., REG] += new_share * (new_tot - paid_new)[:, None]
    p_n[:, 0, ..., REG] += new_n
    p_acc[:, 0, ..., REG] += new_acc
    p_long[:, 0, ..., REG] += new_long
    paid_lump = benefits.paid_from_account_yuan(lump_paid, lump_acc * m_old)
    if buys:
        p_bal[:, 0, :, :, :, 0, LUMP0 + i] += lump_paid - paid_lump   # all personal (no subsidy)
        p_n[:, :, :, :, 0, LUMP0 + i] += lump_n
        p_acc[:, :, :, :, 0, LUMP0 + i] += lump_acc
    p_n[:, :, :, :, 0, BASIC] += entrants_old - lump_n

    acc_paid = (paid_stay.sum(axis=cells) + paid_leave.sum(axis=cells) + paid_new.sum(axis=(1, 2, 3))
                + paid_lump.sum(axis=(1, 2, 3)))
    # the longevity gap, cell by cell (each term >= 0): due after the account is empty
    gap = ((due_acc_open - paid_stay - paid_leave).clip(min=0).sum(axis=cells)
           + (due_new - paid_new).clip(min=0).sum(axis=(1, 2, 3))
           + (lump_acc * m_old - paid_lump).clip(min=0).sum(axis=(1, 2, 3)))

    # person-months of pension in the year, by pensioner age
    pm_open = (st.p_n * (ps_frac * m_full + leave_frac * m_die)).sum(axis=(2, 3, 4, 5))   # (B, p_age)
    pm_new = np.zeros_like(pm_open)
    pm_new[:, 0] = new_n.sum(axis=(1, 2, 3)) * m_60
    pm_old = entrants_old.sum(axis=(2, 3)) * m_old
    person_months = pm_open + pm_new + pm_old                      # (B, p_age)
    n_stay = (st.p_n * ps_frac).sum(axis=cells)
    n_leave = (st.p_n * leave_frac).sum(axis=cells)
    basic_levels = (np.outer(n_stay, bm @ w_full) + np.outer(n_leave, bm @ w_die)
                    + np.outer(new_n.sum(axis=(1, 2, 3)), bm @ w_60)
                    + np.outer(entrants_old.sum(axis=(1, 2, 3)), bm @ w_old))       # (B, level)
    long_due = ((st.p_long * (ps_frac * m_full + leave_frac * m_die)).sum(axis=cells)
                + (new_long * m_60).sum(axis=(1, 2, 3)))
    long_levels = np.outer(long_due, P.long_contrib_paid_by)
    b = s.benefits
    oc, at = b.one_child_parent, b.age_topup
    topups = benefits.one_child_topup_yuan(person_months.sum(axis=1), oc.monthly_yuan, oc.share_of_pensioners)
    # D3 §8(四): from the month after the birthday; those turning 60 averaged over their birth months
    turning = benefits.age_topup_months(dims.PENSION_AGE, benefits.month_weights_turning_60(fm, benefits.MONTHS),
                                        at.from_age, benefits.MONTHS).mean()
    top_months = ((st.p_n * ps_frac).sum(axis=(2, 3, 4, 5)) * benefits.age_topup_months(p_ages, w_full, at.from_age)
                  + (st.p_n * leave_frac).sum(axis=(2, 3, 4, 5)) * benefits.age_topup_months(p_ages, w_die, at.from_age)
                  + entrants_old.sum(axis=(2, 3)) * benefits.age_topup_months(p_ages, w_old, at.from_age))
    top_months[:, 0] += new_n.sum(axis=(1, 2, 3)) * turning
    topups = topups + top_months.sum(axis=1) * at.monthly_yuan * at.share_of_pensioners
    age_top = at.monthly_yuan * at.share_of_pensioners
    topup_monthly = benefits.one_child_topup_yuan(1.0, oc.monthly_yuan, oc.share_of_pensioners) \
        + age_top * (p_ages >= at.from_age if age_top > 0 else 0.0)

    # death grants (D3 §8(五)) and funeral grants (D1 Art. 23)
    deaths_p = p_dead.sum(axis=(2, 3, 4, 5))                       # (B, p_age)
    basic_last = float(bm.sum(axis=0) @ w_die / m_die) if m_die > 0 else 0.0
    last_monthly_total = deaths_p.sum(axis=1) * basic_last + (pd_frac * (st.p_acc + st.p_long)).sum(axis=cells) \
        + (deaths_p * topup_monthly).sum(axis=1)
    grants_fund = benefits.death_grant_yuan(last_monthly_total, b.death_grant_months_of_pension, 0.0)
    funeral = deaths_p.sum(axis=1) * b.funeral_grant_yuan

    # ---- pooled fund (D1 Art. 19, 20) ------------------------------------------------
    pool_int = st.pooled * r if s.finance.pooled_fund_earns_interest else np.zeros_like(r)
    from_pool = gap + (topups if b.topups_from_pooled_fund else 0.0) \
        + (grants_fund if b.grants_from_pooled_fund else 0.0)
    available = st.pooled + forfeited + pool_int
    gov_to_pool = np.maximum(from_pool - available, 0.0)
    pooled = np.where(gov_to_pool > 0, 0.0, available - from_pool)
    direct = (0.0 if b.topups_from_pooled_fund else topups) \
        + (0.0 if b.grants_from_pooled_fund else grants_fund) + funeral
    # work funding: per paying member (D3 §4(四)) and per new member (D5 §2(三)4)
    fin = s.finance
    new_payers = (entrants_c * dens[None, :, None, None]).sum(axis=(1, 2, 3)) + lump_n.sum(axis=(1, 2, 3))
    admin = movers.sum(axis=(1, 2, 3, 4, 5)) * fin.admin_yuan_per_payer + new_payers * fin.admin_yuan_per_new_member
    levels = subsidy_levels + basic_levels + long_levels + np.outer(gov_to_pool + direct, P.backstop_paid_by) \
        + np.outer(admin, np.array(fin.admin_paid_by.vector()))

    # ---- 6. ageing and births ------------------------------------------------------
    women = population.women_15_49(pop)                            # (B, area)
    births = p.births_per_woman[:, None] * women
    srb = s.population.sex_ratio_at_birth
    new_pop = _age_shift(pop, 1, open_top=True)
    new_pop[:, 0] = np.stack([births * srb / (1 + srb), births / (1 + srb)], axis=1)

    new_state = State(
        pop=new_pop,
        c_n=_age_shift(c_n, 1, open_top=False), c_bal=_age_shift(c_bal, 2, open_top=False),
        c_xyears=_age_shift(c_x, 1, open_top=False),
        s_n=_age_shift(s_n, 1, open_top=True), s_bal=_age_shift(s_bal, 2, open_top=True),
        p_n=_age_shift(p_n, 1, open_top=True), p_bal=_age_shift(p_bal, 2, open_top=True),
        p_acc=_age_shift(p_acc, 1, open_top=True), p_long=_age_shift(p_long, 1, open_top=True),
        pooled=pooled)

    B = len(r)
    f.update(
        year=np.full(B, p.year),
        population=_per_batch(pop),
        eligible=_per_batch(eligible[:, dims.ENTRY_AGE:]),
        members=_per_batch(c_n) + _per_batch(s_n) + _per_batch(p_n),
        members_paying=_per_batch(movers),
        members_suspended=_per_batch(s_n),
        pensioners=_per_batch(p_n),
        pensioners_basic_only=_per_batch(p_n[..., BASIC]),
        entrants=_per_batch(entrants_c) + _per_batch(entrants_old),
        deaths=_per_batch(c_dead) + _per_batch(s_dead) + _per_batch(p_dead),
        exits=_per_batch(c_emig) + _per_batch(s_emig) + _per_batch(p_emig)
        + (_per_batch(leavers) if refund_short else 0.0),
        reached_60_without_pension=_per_batch(leavers),
        emigrants=_per_batch(member_emig),
        joined_employee_scheme=_per_batch(c_join),
        population_deaths=_per_batch(pop_dead),
        births=births.sum(axis=1),
        net_migration=_per_batch(net_mig),
        contributions_personal=contrib_personal,
        catch_up_contributions=(catch_rt * tiers).sum(axis=(1, 2)) + _per_batch(makeup_pay),
        lump_sum_purchases=_per_batch(lump_paid),
        subsidy_contribution=subsidy_levels.sum(axis=1),
        subsidy_paid_on_behalf=on_behalf_levels.sum(axis=1),
        collective_contribution=collective,
        basic_pension_paid=basic_levels.sum(axis=1) + long_due,
        account_pension_paid=acc_paid,
        longevity_gap_paid=gap,
        topups_paid=topups,
        death_grants_paid=grants_fund + funeral,
        admin_costs_paid=admin,
        inheritance_refunds=refunds,
        forfeited_to_pool=forfeited,
        interest_credited=interest,
        pooled_fund_interest=pool_int,
        government_to_pool=gov_to_pool,
        pooled_fund_paid=from_pool,
        account_fund_balance=new_state.account_fund(),
        pooled_fund_balance=pooled,
    )
    for li, lvl in enumerate(dims.LEVELS):
        f[f"subsidy_{lvl}"] = levels[:, li]
        f[f"contribution_subsidy_{lvl}"] = subsidy_levels[:, li]
        f[f"basic_pension_{lvl}"] = basic_levels[:, li] + long_levels[:, li]
    f["new_pensioners_60"] = _per_batch(new_n)
    f["new_account_pension_monthly"] = _per_batch(new_acc)
    f["basic_pension_monthly_rate"] = np.full(B, float(bm.sum(axis=0).mean()))
    f["fiscal_base"] = np.full(B, float(P.fiscal_base[i]) if P.fiscal_base is not None else np.nan)
    f["government_total_cost"] = levels.sum(axis=1)
    det = (_detail(c_n[0], movers[0], cells_paid[0], s_n[0], s_bal[0], p_n[0], p_bal[0], c_bal[0],
                   makeup_pay[0], lump_paid[0], P) if detail else None)
    return new_state, f, det


def _detail(c_n, movers, cells_paid, s_n, s_bal, p_n, p_bal, c_bal, makeup_pay, lump_paid, P):
    """Per-year detail arrays (var, age, sex, area, tier+1) at year end, before ageing.

    Tier slot 0 holds people without a tier: suspended members and basic-only
    or lump-sum pensioners. Summed over cells each variable equals its
    column in ``annual`` (tested).
    """
    nt = len(P.tiers)
    out = np.zeros((len(DETAIL_VARS), dims.N_AGE, dims.N_SEX, dims.N_AREA, nt + 1))
    paying, members, pens, personal, subsidy, balance = out
    paying[C_AGES, :, :, 1:] = movers.sum(axis=-1)
    members[C_AGES, :, :, 1:] = c_n.sum(axis=-1)
    members[:, :, :, 0] += s_n
    pens[P_AGES, :, :, 1:] = p_n[..., REG]
    pens[P_AGES, :, :, 0] = p_n[..., BASIC:].sum(axis=-1)[..., 0]
    members[P_AGES] += pens[P_AGES]
    personal[C_AGES, :, :, 1:] = cells_paid[0]
    personal[dims.PENSION_AGE, :, :, 1:] += makeup_pay.sum(axis=-1)
    personal[P_AGES, :, :, 0] += lump_paid
    subsidy[C_AGES, :, :, 1:] = cells_paid[1]
    balance[C_AGES, :, :, 1:] = c_bal.sum(axis=(0, -1))
    balance[P_AGES, :, :, 1:] += p_bal[..., REG].sum(axis=0)
    balance[P_AGES, :, :, 0] += p_bal[..., BASIC:].sum(axis=(0, -1))[..., 0]
    balance[:, :, :, 0] += s_bal.sum(axis=0)
    return out


DETAIL_VARS = ("members_paying", "members", "pensioners", "contributions_personal",
               "subsidy_contribution", "account_balance")


@dataclass(frozen=True)
class Projection:
    """Result of :func:`project`: ``annual`` (one row a year) and ``detail`` (long table)."""
    annual: "object"
    detail: "object"
    parameters: Parameters
    seconds: float


def run(P: Parameters, detail: bool = False):
    """Every year's flows as arrays over the batch axis: ({name: (year, batch)}, detail list)."""
    st = initial_state(P)
    flows, details = {}, []
    for year in P.years:
        opening_acc, opening_pool = st.account_fund(), st.pooled
        st, f, det = step(st, P.at(int(year)), P, detail)
        f["account_fund_opening"] = opening_acc
        f["pooled_fund_opening"] = opening_pool
        for k, v in f.items():
            flows.setdefault(k, []).append(v)
        if detail:
            details.append(det)
    return {k: np.stack(v) for k, v in flows.items()}, details


def rollout_stages(scen: Scenario) -> list[tuple[int, float, Parameters]]:
    """(years after the first stage, population share, parameters) of each stage of ``scheme.rollout``.

    Each stage is the scenario started in its own month and run to the same last year; the
    first stage starts with the scenario.
    """
    from .scenario import with_overrides
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
    from .results import annual_frame, detail_frame
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
    from .results import annual_frame, detail_frame
    t0 = time.perf_counter()
    if isinstance(scenario, Scenario) and scenario.scheme.rollout:
        return project_rollout(scenario, detail)
    P = scenario if isinstance(scenario, Parameters) else resolve(scenario)
    if P.batch != 1:
        raise ValueError("project() runs one projection; use model.stochastic for paths")
    flows, details = run(P, detail)
    rows = [{k: v[t, 0] for k, v in flows.items()} for t in range(len(P.years))]
    annual = annual_frame(rows)
    det = detail_frame(np.stack(details), P) if detail else None
    return Projection(annual=annual, detail=det, parameters=P, seconds=time.perf_counter() - t0)
