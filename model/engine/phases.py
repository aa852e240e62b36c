"""The phases of one projection year, in the order ``model.engine.project.step`` runs them.

Each phase takes the 1 January state, this year's parameters ``p``
(``params.at(year)``), the projection's ``params`` and the results of the phases
before it, and returns its own results as a small frozen dataclass of arrays. A
phase never changes the state, the parameters or an earlier phase's results,
with one exception for speed: the contributor arrays (state-sized) pass from
interest to enrolment to payments, and enrolment and payments update in place
the arrays the phase before handed on (no one else reads them; copying them
would cost about a tenth of the run time).
Names follow the convention of :mod:`model.engine.state` (``c_`` contributors,
``s_`` sealed accounts, ``p_`` pensioners; ``_n`` persons, ``_bal`` balances);
every array starts with the ``batch`` axis.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.rules import accounts, benefits, contributions, finance, population
from model import dims
from model.engine.state import BASIC, C_AGE_VALUES, C_AGES, LUMP0, N_PA, O_AGE0, P_AGE_VALUES, P_AGES, REG, State, age_shift, o_ages, parts, years_paid_shift
from model.parameters import Parameters, YearParams

PENSIONER_CELL = (1, 2, 3, 4, 5)     # every axis of a pensioner cell after batch


@dataclass(frozen=True)
class Decrements:
    """Deaths and emigration on the 1 January stock; the shares joining the employee scheme.

    Contributor rates depend on age and sex only, so they are kept by
    (batch, c_age, sex) and the money leaving is worked out on sums over area,
    tier and years paid. Pensioners leave through the year (paid until they go).
    """
    c_dying: np.ndarray            # (batch, c_age, sex) share of contributors dying
    c_emigrating: np.ndarray       # (batch, c_age, sex) share emigrating (D1 Art. 35)
    c_staying: np.ndarray          # (batch, c_age, sex) neither: includes those joining
    c_joining: np.ndarray          # (batch, c_age, sex) joining the employee scheme (D1 Art. 15)
    c_n_by_area: np.ndarray        # (batch, c_age, sex, area) contributors on 1 January, persons
    c_bal_by_area: np.ndarray      # (batch, part, c_age, sex, area) their balances, yuan
    c_bal_by_sex: np.ndarray       # (batch, part, c_age, sex) the same summed over areas
    c_dead: np.ndarray             # (batch, c_age, sex, area) persons
    c_emig: np.ndarray             # (batch, c_age, sex, area) persons
    s_dead: np.ndarray             # (batch, age, sex, area) sealed-account members dying, persons
    s_emig: np.ndarray             # (batch, age, sex, area) emigrating, persons
    s_n: np.ndarray                # (batch, age, sex, area) sealed-account members left, persons
    s_bal: np.ndarray              # (batch, part, age, sex, area) their balances, yuan
    p_dying: np.ndarray            # (batch, p_age, sex, 1, 1, 1) share of pensioners dying in the year
    p_emigrating: np.ndarray       # (batch, p_age, sex, 1, 1, 1)
    p_staying: np.ndarray          # (batch, p_age, sex, 1, 1, 1)
    p_dead: np.ndarray             # (batch, p_age, sex, area, tier, kind) persons
    p_emig: np.ndarray             # (batch, p_age, sex, area, tier, kind) persons
    refunds: np.ndarray            # (batch,) own parts to heirs and emigrants, yuan (D1 Art. 20, 35)
    forfeited: np.ndarray          # (batch,) to the pooled fund, yuan (D3 §7(三)(四))
    o_staying: np.ndarray | None = None   # (batch, o_age, sex) share of those paying on after 60 staying
    o_dead: np.ndarray | None = None      # (batch, o_age, sex, area) of them dying, persons
    o_emig: np.ndarray | None = None      # (batch, o_age, sex, area) emigrating, persons


def decrements(st: State, p: YearParams, params: Parameters) -> Decrements:
    """Deaths, emigration and joining the employee scheme act on the 1 January stock
    (D1 Art. 15, 23, 35); leavers take their 1 January balance (D1 Art. 20; D3 §7(三)(四))."""
    q = np.swapaxes(p.q_death, 1, 2)                               # (batch, age, sex)
    emig = params.emigration_rate                                  # (age,)
    join = p.employee_join_rate.copy()                             # (age,) this year's rates
    join[dims.PENSION_AGE:] = 0.0                                  # nobody joins from the payout phase
    c_dying = q[:, C_AGES]
    c_emigrating = (1 - c_dying) * emig[C_AGES][None, :, None]
    c_staying = 1 - c_dying - c_emigrating
    c_joining = c_staying * join[C_AGES][None, :, None]
    c_n_by_area = st.c_n.sum(axis=(-2, -1))
    c_bal_by_area = st.c_bal.sum(axis=(-2, -1))
    c_bal_by_sex = c_bal_by_area.sum(axis=-1)                     # (batch, part, c_age, sex)
    s_q = q[..., None]                                             # (batch, age, sex, 1)
    s_emigrating = (1 - s_q) * emig[None, :, None, None]
    s_bal_dead = st.s_bal * s_q[:, None]
    s_bal_emig = st.s_bal * s_emigrating[:, None]
    dead_parts = (c_bal_by_sex * c_dying[:, None]).sum(axis=(2, 3)) + s_bal_dead.sum(axis=(2, 3, 4))
    emig_parts = (c_bal_by_sex * c_emigrating[:, None]).sum(axis=(2, 3)) + s_bal_emig.sum(axis=(2, 3, 4))
    o = {}
    if st.o_n is not None:           # those paying on after 60 leave like contributors (D1 Art. 20, 35)
        ages = o_ages(params)
        o_dying = q[:, ages]                                       # (batch, o_age, sex)
        o_emigrating = (1 - o_dying) * emig[ages][None, :, None]
        o_n_by_area = st.o_n.sum(axis=(-2, -1))
        o_bal_by_sex = st.o_bal.sum(axis=(-3, -2, -1))             # (batch, part, o_age, sex)
        dead_parts = dead_parts + (o_bal_by_sex * o_dying[:, None]).sum(axis=(2, 3))
        emig_parts = emig_parts + (o_bal_by_sex * o_emigrating[:, None]).sum(axis=(2, 3))
        o = dict(o_staying=1 - o_dying - o_emigrating, o_dead=o_n_by_area * o_dying[..., None],
                 o_emig=o_n_by_area * o_emigrating[..., None])
    refund_dead, forfeit_dead = accounts.refund_and_forfeit_yuan(*parts(dead_parts), params.heirs_share)
    refund_emig, forfeit_emig = accounts.refund_and_forfeit_yuan(*parts(emig_parts), 1.0)
    p_dying = q[:, P_AGES][..., None, None, None]
    p_emigrating = (1 - p_dying) * emig[P_AGES][None, :, None, None, None, None]
    s_dead, s_emig = st.s_n * s_q, st.s_n * (1 - s_q) * emig[None, :, None, None]
    return Decrements(
        c_dying=c_dying, c_emigrating=c_emigrating, c_staying=c_staying, c_joining=c_joining,
        c_n_by_area=c_n_by_area, c_bal_by_area=c_bal_by_area, c_bal_by_sex=c_bal_by_sex,
        c_dead=c_n_by_area * c_dying[..., None], c_emig=c_n_by_area * c_emigrating[..., None],
        s_dead=s_dead, s_emig=s_emig, s_n=st.s_n - s_dead - s_emig, s_bal=st.s_bal - s_bal_dead - s_bal_emig,
        p_dying=p_dying, p_emigrating=p_emigrating, p_staying=1 - p_dying - p_emigrating,
        p_dead=st.p_n * p_dying, p_emig=st.p_n * p_emigrating,
        refunds=refund_dead + refund_emig, forfeited=forfeit_dead + forfeit_emig, **o)


@dataclass(frozen=True)
class PopulationChange:
    """The hukou population after the year's deaths and migration."""
    pop: np.ndarray                # (batch, age, sex, area) persons
    deaths: np.ndarray             # (batch, age, sex, area) persons
    member_emigrants: np.ndarray   # (batch, age, sex, area) persons
    net_migration: np.ndarray      # (batch, age, sex, area) non-members, persons


def population_change(st: State, p: YearParams, params: Parameters, dec: Decrements) -> PopulationChange:
    """Deaths, the members' emigration and the net migration of non-members."""
    q = np.swapaxes(p.q_death, 1, 2)[..., None]                    # (batch, age, sex, 1)
    members = st.s_n.copy()
    members[:, C_AGES] += dec.c_n_by_area
    members[:, P_AGES] += st.p_n.sum(axis=(-2, -1))
    member_emig = dec.s_emig.copy()
    member_emig[:, C_AGES] += dec.c_emig
    member_emig[:, P_AGES] += dec.p_emig.sum(axis=(-2, -1))
    if st.o_n is not None:
        members[:, o_ages(params)] += st.o_n.sum(axis=(-2, -1))
        member_emig[:, o_ages(params)] += dec.o_emig
    deaths = st.pop * q
    non_members = np.maximum(st.pop - members, 0.0) * (1 - q)
    net_mig = population.net_migration_persons(non_members, params.net_migration_rate)
    return PopulationChange(pop=st.pop - deaths - member_emig + net_mig, deaths=deaths,
                            member_emigrants=member_emig, net_migration=net_mig)


@dataclass(frozen=True)
class Contributors:
    """Members under 60 and the cohort turning 60, as the year goes on."""
    n: np.ndarray                  # (batch, c_age, sex, area, tier, yp) persons
    bal: np.ndarray                # (batch, part, c_age, sex, area, tier, yp) yuan
    xyears: np.ndarray             # (batch, c_age, sex, area, tier) person-years paid above the top yp cell's start
    made_up: np.ndarray | None = None   # (moment, batch, c_age, sex, area, tier, yp) made-up years and
    #                                     their squares summed, or None (not carried: State.c_made_up)

    def under_60(self) -> "Contributors":
        """Those staying contributors: without the cohort turning 60 (views)."""
        return Contributors(n=self.n[:, :-1], bal=self.bal[:, :, :-1], xyears=self.xyears[:, :-1],
                            made_up=None if self.made_up is None else self.made_up[:, :, :-1])


@dataclass(frozen=True)
class Interest:
    """Interest on the 1 January balances of those staying, and the accounts sealed."""
    rate_by_age: np.ndarray        # (batch, c_age) rate credited on contributors' opening balances
    interest: np.ndarray           # (batch,) credited, yuan
    contributors: Contributors     # those staying, with their interest
    c_join: np.ndarray             # (batch, c_age, sex, area) joined the employee scheme, persons
    s_n: np.ndarray                # (batch, age, sex, area) sealed-account members, incl. the joiners
    s_bal: np.ndarray              # (batch, part, age, sex, area) with interest, yuan


def interest_and_sealing(st: State, p: YearParams, params: Parameters, dec: Decrements) -> Interest:
    """Interest at the year's rate on the remaining 1 January balances (D1 Art. 14); for the
    cohort turning 60 as ``accounts.interest_at_60`` reads (RULES.md §3); sealed accounts earn too (D1 Art. 15); members joining the
    employee scheme take theirs into a sealed account with the year's interest."""
    r = p.rate_pa                                                  # (batch,)
    rate_by_age = accounts.rate_on_opening_balance_pa(r[:, None], C_AGE_VALUES == dims.PENSION_AGE,
                                                      accounts.share_of_year_at_60(params.interest_at_60))
    s_int = accounts.interest_yuan(dec.s_bal, r[:, None, None, None, None])
    c_int = accounts.interest_yuan(dec.c_bal_by_sex,               # on the balances of those staying
                                   (dec.c_staying * rate_by_age[..., None])[:, None])
    keep = dec.c_staying - dec.c_joining                           # (batch, c_age, sex)
    grow = 1 + rate_by_age[..., None]                              # (batch, c_age, 1)
    c_join = dec.c_n_by_area * dec.c_joining[..., None]
    s_n = dec.s_n.copy()
    s_n[:, C_AGES] += c_join
    s_bal = dec.s_bal + s_int
    s_bal[:, :, C_AGES] += dec.c_bal_by_area * (dec.c_joining * grow)[:, None, :, :, None]
    staying = Contributors(n=st.c_n * keep[..., None, None, None],
                           bal=st.c_bal * (keep * grow)[:, None, :, :, None, None, None],
                           xyears=st.c_xyears * keep[..., None, None],
                           made_up=None if st.c_made_up is None else st.c_made_up * keep[..., None, None, None])
    return Interest(rate_by_age=rate_by_age, interest=c_int.sum(axis=(1, 2, 3)) + s_int.sum(axis=(1, 2, 3, 4)),
                    contributors=staying, c_join=c_join, s_n=s_n, s_bal=s_bal)


def tier_rechoice(c: Contributors, p: YearParams, params: Parameters) -> Contributors:
    """A share of contributors choose their tier afresh each year, at this year's mix."""
    share, mix = params.tier_rechoice_share, p.tier_mix            # mix: (area, tier)
    if share == 0:
        return c
    return Contributors(n=rechosen(c.n, share, mix), bal=rechosen(c.bal, share, mix),
                        xyears=(1 - share) * c.xyears + share * mix * c.xyears.sum(axis=-1, keepdims=True),
                        made_up=None if c.made_up is None else rechosen(c.made_up, share, mix))


def rechosen(a: np.ndarray, share: float, mix: np.ndarray) -> np.ndarray:
    """``a`` (..., area, tier, yp) after ``share`` of each cell chose its tier afresh at ``mix``
    (area, tier): the tier axis second to last."""
    if share == 0 or a is None:
        return a
    return (1 - share) * a + share * mix[:, :, None] * a.sum(axis=-2, keepdims=True)


@dataclass(frozen=True)
class Enrolment:
    """New members under 60 (uptake target)."""
    eligible: np.ndarray           # (batch, age, sex, area) persons
    entrants: np.ndarray           # (batch, c_age, sex, area) persons
    contributors: Contributors     # with the entrants at 0 years paid


def enrolment(c: Contributors, p: YearParams, params: Parameters, pop: np.ndarray,
              s_n: np.ndarray) -> Enrolment:
    """New members bring each age's members up to the target share of the eligible, who exclude
    members with a sealed account (D1 Art. 6; D3 §5); the 60+ do not pay (D1 Art. 21(一))."""
    eligible = population.eligible_persons(pop, params.eligible_share, s_n)   # (batch, age, sex, area)
    may_join = (C_AGE_VALUES - p.index) < dims.PENSION_AGE         # by age at the start
    target = p.enrol_target[C_AGES][None, :, None, :] * eligible[:, C_AGES]
    entrants = np.maximum(target - c.n.sum(axis=(-2, -1)), 0.0) * may_join[None, :, None, None]
    n = c.n                                                        # taken over (module docstring)
    n[..., 0] += entrants[..., None] * p.tier_mix
    return Enrolment(eligible=eligible, entrants=entrants,
                     contributors=Contributors(n=n, bal=c.bal, xyears=c.xyears, made_up=c.made_up))


@dataclass(frozen=True)
class Payments:
    """The year's payments and subsidies into accounts, credited at year end."""
    contributors: Contributors     # after the year's payments, one more year paid for payers
    payers: np.ndarray             # (batch, c_age, sex, area, tier, yp) persons paying (before the move)
    personal: np.ndarray           # (batch,) yuan, on time and made up
    catch_up: np.ndarray           # (batch,) of which made up, yuan
    subsidy_levels: np.ndarray     # (batch, level) government money into accounts, yuan
    on_behalf_levels: np.ndarray   # (batch, level) of which paid on behalf
    collective: np.ndarray         # (batch,) yuan
    interest: np.ndarray           # (batch,) on the year's payments (mid-year crediting only), yuan
    cells_paid: np.ndarray | None  # (batch, part<2, c_age, sex, area, tier) paid per cell, for the detail


def payments(c: Contributors, p: YearParams, params: Parameters, rate_by_age: np.ndarray,
             detail: bool) -> Payments:
    """Payments (D1 Art. 7-10): on time with subsidies, or made up without (D1 Art. 8)."""
    density = p.density[C_AGES]                                    # (c_age,) pays on time this year
    catching_up = (1 - density) * params.catch_up_share            # makes up a missed year
    paying = density + catching_up
    tiers = p.tier_yuan                                            # (area, tier)
    gov_per_payer = p.subsidy_by_level.sum(axis=0)                 # (area, tier)
    per_person = np.stack([                                        # (part, c_age, area, tier) yuan
        density[:, None, None] * p.personal[None]
        + catching_up[:, None, None] * contributions.catch_up_payment_yuan(tiers)[None],
        density[:, None, None] * gov_per_payer[None],
        np.broadcast_to(density[:, None, None] * params.collective_yuan, (len(density), *gov_per_payer.shape))])
    cells_paid = (per_person[None, :2, :, None] * c.n.sum(axis=-1)[:, None]) if detail else None
    n_by_area_tier = c.n.sum(axis=(2, 5))                          # (batch, c_age, area, tier)
    per_person = np.broadcast_to(per_person[None], (len(rate_by_age), *per_person.shape))
    # RULES.md §3 switch: the year's payments earn none, half or all of the year's interest
    on_pay = accounts.payment_interest_yuan(per_person, rate_by_age[:, None, :, None, None], params.crediting)
    pay_interest = (on_pay * n_by_area_tier[:, None]).sum(axis=(1, 2, 3, 4))
    per_person = per_person + on_pay
    on_time = (n_by_area_tier * density[None, :, None, None]).sum(axis=1)        # (batch, area, tier)
    catch_up = (n_by_area_tier * catching_up[None, :, None, None]).sum(axis=1)
    catch_up_yuan = (catch_up * tiers).sum(axis=(1, 2))
    payers = c.n * paying[None, :, None, None, None, None]
    made_up = None
    if c.made_up is not None:        # payers take their made-up years up; catch-up payers add one:
        pay6, catch6 = paying[None, :, None, None, None, None], catching_up[None, :, None, None, None, None]
        m1, m2 = c.made_up           # sum m -> sum m + n, sum m² -> sum (m + 1)² = sum m² + 2 sum m + n
        moving_up = np.stack([m1 * pay6 + c.n * catch6, m2 * pay6 + (2 * m1 + c.n) * catch6])
        made_up = c.made_up * (1 - pay6) + years_paid_shift(moving_up)
    moving = c.bal * paying[None, None, :, None, None, None, None]
    bal = c.bal                                                    # taken over (module docstring)
    bal -= moving
    moving += per_person[:, :, :, None, :, :, None] * c.n[:, None]  # paid in, credited at year end
    bal[..., 1:] += moving[..., :-1]                               # one more year paid
    bal[..., -1] += moving[..., -1]
    return Payments(
        contributors=Contributors(n=c.n - payers + years_paid_shift(payers), bal=bal,
                                  xyears=c.xyears + payers[..., -1],      # one more year above the top cell's start
                                  made_up=made_up),
        payers=payers, personal=(on_time * p.personal).sum(axis=(1, 2)) + catch_up_yuan,
        catch_up=catch_up_yuan,
        subsidy_levels=(p.subsidy_by_level[None] * on_time[:, None]).sum(axis=(2, 3)),
        on_behalf_levels=(p.on_behalf_by_level[None] * on_time[:, None]).sum(axis=(2, 3)),
        collective=on_time.sum(axis=(1, 2)) * params.collective_yuan, interest=pay_interest,
        cells_paid=cells_paid)


@dataclass(frozen=True)
class TurningSixty:
    """The cohort turning 60: made-up years, who qualifies, the new pensions."""
    makeup_paid: np.ndarray        # (batch, sex, area, tier, yp) missing years paid at 60, yuan
    leavers: np.ndarray            # (batch, sex, area, tier, yp) short of years, no pension, persons
    refunds: np.ndarray            # (batch,) own parts refunded to them (``refund`` reading), yuan
    forfeited: np.ndarray          # (batch,) their government parts to the pooled fund, yuan
    s_n: np.ndarray                # (batch, age, sex, area) sealed accounts, with theirs (else reading)
    s_bal: np.ndarray              # (batch, part, age, sex, area) yuan
    new_n: np.ndarray              # (batch, sex, area, tier) new pensioners, persons
    new_bal: np.ndarray            # (batch, part, sex, area, tier) their balances, yuan
    new_acc: np.ndarray            # (batch, sex, area, tier) their account pensions, yuan/month (sum)
    new_long: np.ndarray           # (batch, sex, area, tier) long-contribution extra, yuan/month (sum)
    pay_on_n: np.ndarray | None = None      # (batch, sex, area, tier, yp) short of years, paying on (延缴), persons
    pay_on_bal: np.ndarray | None = None    # (batch, part, sex, area, tier, yp) their balances, yuan
    pay_on_made_up: np.ndarray | None = None   # (moment, batch, sex, area, tier, yp) their made-up years


def turning_60(c: Contributors, p: YearParams, params: Parameters, s_n: np.ndarray,
               s_bal: np.ndarray) -> TurningSixty:
    """The cohort turning 60 makes up missing years if it does (D1 Art. 21(二)(三), no subsidy),
    and those who qualify draw the account pension, balance / divisor (D1 Art. 20)."""
    ret_n, ret_bal, ret_x = c.n[:, -1], c.bal[:, :, -1], c.xyears[:, -1]   # (batch, sex, area, tier, yp)
    yp = np.arange(ret_n.shape[-1])                                # years paid; the top cell: that many or more
    need = contributions.years_to_make_up(yp, dims.MIN_YEARS_FULL)       # (yp,)
    share_making_up = params.catch_up_at_60 * (need > 0)
    makeup_paid = ret_n * share_making_up * need * p.tier_yuan[:, :, None]
    # years from the start year to this (60th-birthday) year: index + 1 (D1 Art. 21(二)(三))
    qualifies = benefits.qualifies_for_pension(yp, p.index + 1, dims.MIN_YEARS_FULL)
    # 延缴: of those short who do not make up at once, a share pays on after 60 if the years can be
    # reached by the age limit (contributions.pay_on_after_60)
    required = benefits.years_required(p.index + 1, dims.MIN_YEARS_FULL)
    can_pay_on = contributions.may_pay_on(contributions.years_to_make_up(yp, required),
                                          params.pay_on_to_age - dims.PENSION_AGE)
    pay_on_share = np.where(qualifies, 0.0, (1.0 - share_making_up) * params.pay_on_share * can_pay_on)
    leave_share = np.where(qualifies, 0.0, 1.0 - share_making_up - pay_on_share)   # (yp,) without a pension
    leavers = ret_n * leave_share
    pay_on = {}
    if params.pays_on:
        pay_on = dict(pay_on_n=ret_n * pay_on_share, pay_on_bal=ret_bal * pay_on_share,
                      pay_on_made_up=None if c.made_up is None else c.made_up[:, :, -1] * pay_on_share)
    leave_bal = ret_bal * leave_share
    refunds, forfeited, s_n, s_bal = _short_of_years(leavers, leave_bal, dims.PENSION_AGE, params, s_n, s_bal)
    stay_share = 1.0 - leave_share - pay_on_share                  # (yp,) drawing the pension now
    new_bal = (ret_bal * stay_share).sum(axis=-1)                  # (batch, part, sex, area, tier)
    new_bal[:, 0] += makeup_paid.sum(axis=-1)
    return TurningSixty(
        makeup_paid=makeup_paid, leavers=leavers, refunds=refunds, forfeited=forfeited, s_n=s_n, s_bal=s_bal,
        new_n=(ret_n * stay_share).sum(axis=-1), new_bal=new_bal,
        new_acc=benefits.account_pension_monthly(new_bal.sum(axis=1), params.divisor_at_60),   # D1 Art. 20
        new_long=_long_extra_of_new_pensioners(ret_n, stay_share, share_making_up, ret_x, need,
                                               None if c.made_up is None else c.made_up[:, :, -1], params),
        **pay_on)


def _short_of_years(leavers: np.ndarray, leave_bal: np.ndarray, age: int, params: Parameters, s_n: np.ndarray,
                    s_bal: np.ndarray) -> tuple:
    """Members left short of the years required, at 60 or at the limit for paying on: (refunds,
    forfeited) [yuan, (batch,)] and the sealed accounts with theirs.

    ``leavers`` (batch, sex, area, tier, yp) persons and ``leave_bal`` (batch, part, ...) yuan.
    D1 Art. 21(三): no pension until the years are made up; under ``short_of_years_at_60:
    refund`` membership ends and the own part is paid back (the government part to the pooled
    fund), else the account is kept, sealed, at ``age``.
    """
    if params.short_of_years_refund:
        refunds, forfeited = accounts.refund_and_forfeit_yuan(*parts(leave_bal.sum(axis=(2, 3, 4, 5))), 1.0)
        return refunds, forfeited, s_n, s_bal
    s_n, s_bal = s_n.copy(), s_bal.copy()
    s_n[:, age] += leavers.sum(axis=(-2, -1))
    s_bal[:, :, age] += leave_bal.sum(axis=(-2, -1))
    zero = np.zeros(len(leavers))
    return zero, zero, s_n, s_bal


def _long_extra_of_new_pensioners(cohort: np.ndarray, stay_share, making_up_share, top_x: np.ndarray, need,
                                  made_up: np.ndarray | None, params: Parameters) -> np.ndarray:
    """The new pensioners' long-contribution extra (D1 Art. 20 加发) [yuan/month, summed over persons],
    shape (batch, sex, area, tier) (or with an o_age axis after batch).

    ``cohort`` (batch, ..., yp) persons starting their pension, of whom the shares ``stay_share``
    (yp,) draw it and ``making_up_share`` (yp,) made up ``need`` (yp,) years at 60; ``top_x``
    (batch, ...) the top cell's person-years above its start; ``made_up`` the cells' made-up
    years and their squares, summed (None: not carried, made-up years count). Counting made-up
    years, each cell is exact: whole years below the top cell, and the top cell's mean where the
    bands are linear (Parameters.n_yp). Leaving them out: :func:`_expected_extra_without_made_up`;
    made-up years at 60 are left out exactly.
    """
    def per_person(total, n):
        return np.divide(total, n, out=np.zeros(n.shape), where=n > 0)
    years = np.broadcast_to(np.arange(cohort.shape[-1], dtype=float), cohort.shape).copy()
    years[..., -1] += per_person(top_x, cohort[..., -1])
    f = benefits.long_contribution_extra_monthly
    if made_up is None:              # made-up years count: years paid, or with those made up at 60
        counts = params.long_counts_made_up
        on_time = f(benefits.long_contribution_years(years, 0.0, counts), params.long_bands)
        with_60 = f(benefits.long_contribution_years(years + need, need, counts), params.long_bands)
    else:                            # left out: the expected extra over the cell's made-up years
        on_time = with_60 = _expected_extra_without_made_up(cohort, years, made_up, params)
    return (cohort * ((stay_share - making_up_share) * on_time + making_up_share * with_60)).sum(axis=-1)


def _expected_extra_without_made_up(cohort: np.ndarray, years: np.ndarray, made_up: np.ndarray,
                                    params: Parameters) -> np.ndarray:
    """The long-contribution extra a member of each cell expects with made-up years left out
    [yuan/month], shape of ``cohort`` (..., yp).

    Every number of years paid ``years`` has its own cell (Parameters.n_yp); ``made_up`` (moment,
    ...) holds the sums of its members' made-up years m and of m². Their spread is taken as a
    mixture with that mean and variance of the two extremes the engine's rules produce: all
    members alike (the mean, between two whole years: exact when the year's chances are 0 or 1,
    as for one person) and each year made up with the same chance (a binomial, the most spread a
    mean allows: exact when catch-up is as likely every year), weighted by how far the variance
    goes towards the binomial's.
    """
    from scipy.special import gammaln
    f = benefits.long_contribution_extra_monthly

    def per_person(total):
        return np.divide(total, cohort, out=np.zeros(cohort.shape), where=cohort > 0)
    mean = np.minimum(per_person(made_up[0]), years)
    var = np.maximum(per_person(made_up[1]) - mean ** 2, 0.0)
    chance = np.divide(mean, years, out=np.zeros(years.shape), where=years > 0)
    chance = np.where(chance < 1e-12, 0.0, np.where(chance > 1 - 1e-12, 1.0, chance))   # (denormals overflow)
    var_binomial = years * chance * (1 - chance)
    w = np.clip(np.divide(var, var_binomial, out=np.zeros(var.shape), where=var_binomial > 1e-12), 0.0, 1.0)
    # every cell holds whole years t = its index: the extra after k made-up years is a (t, k) table
    t = np.arange(cohort.shape[-1])
    k = t
    on_time = np.maximum(t[:, None] - k[None, :], 0)
    table = np.where(k[None, :] <= t[:, None], f(on_time, params.long_bands), 0.0)        # (t, k)
    log_choose = gammaln(t + 1)[:, None] - gammaln(k + 1)[None, :] - gammaln(np.maximum(t[:, None] - k, 0) + 1)
    with np.errstate(divide="ignore", invalid="ignore"):           # log 0 = -inf: no chance, 0 x -inf unused
        log_p, log_q = np.log(chance)[..., None], np.log1p(-chance)[..., None]
        log_pmf = log_choose + np.where(k > 0, k * log_p, 0.0) + np.where(t[:, None] - k > 0, (t[:, None] - k) * log_q, 0.0)
        spread = np.where(k[None, :] <= t[:, None], np.exp(log_pmf), 0.0)                  # binomial (t, chance)
    return (1 - w) * f(years - mean, params.long_bands) + w * (spread * table).sum(axis=-1)


@dataclass(frozen=True)
class PayingOn:
    """Those paying on after 60 (延缴): their year's payments and who reaches the years and draws.
    Arrays over (batch, o_age, ...) for ages 61 .. the limit."""
    payers: np.ndarray             # (batch, o_age, sex, area, tier) persons paying (all who stay)
    paid: np.ndarray               # (batch, part<2, o_age, sex, area, tier) personal and government, yuan
    personal: np.ndarray           # (batch,) yuan
    subsidy_levels: np.ndarray     # (batch, level) yuan
    on_behalf_levels: np.ndarray   # (batch, level) of which paid on behalf, yuan
    collective: np.ndarray         # (batch,) yuan
    interest: np.ndarray           # (batch,) on the 1 January balances and the year's payments, yuan
    n: np.ndarray                  # (batch, o_age, sex, area, tier, yp) still paying on at year end, persons
    bal: np.ndarray                # (batch, part, o_age, sex, area, tier, yp) yuan
    made_up: np.ndarray | None     # (moment, batch, o_age, sex, area, tier, yp) made-up years, squares
    new_n: np.ndarray              # (batch, o_age, sex, area, tier) reaching the years: new pensioners, persons
    new_bal: np.ndarray            # (batch, part, o_age, sex, area, tier) their balances, yuan
    new_acc: np.ndarray            # (batch, o_age, sex, area, tier) their account pensions, yuan/month (sum)
    new_long: np.ndarray           # (batch, o_age, sex, area, tier) long-contribution extra, yuan/month (sum)


def paying_on(st: State, p: YearParams, params: Parameters, dec: Decrements) -> PayingOn | None:
    """Those short of years at 60 who pay on (延缴, contributions.pay_on_after_60) pay the year's tier
    with its subsidy where the rules give it (D1 Art. 7-10), the account earning interest (D1 Art.
    14; RULES.md §3 in the year payment starts); those reaching the years required (D1 Art.
    21(二)(三)) draw from the month after the birthday, the account divided by the months for their
    age (D1 Art. 20; D3 §8(二)2). Payers choose their tier afresh as contributors do
    (``tier_rechoice_share``)."""
    if st.o_n is None:
        return None
    keep = dec.o_staying[..., None, None, None]                    # (batch, o_age, sex, 1, 1, 1)
    share, mix = params.tier_rechoice_share, p.tier_mix            # payers choose their tier as others do
    n = rechosen(st.o_n * keep, share, mix)
    made_up = None if st.o_made_up is None else rechosen(st.o_made_up * keep, share, mix)
    opening = rechosen(st.o_bal * keep[:, None], share, mix)
    ages = np.arange(O_AGE0, params.pay_on_to_age + 1)             # (o_age,)
    yp = np.arange(n.shape[-1])
    # required years of the cohort: from the start to its 60th-birthday year (D1 Art. 21(二)(三))
    required = benefits.years_required(p.index - (ages - dims.PENSION_AGE) + 1, dims.MIN_YEARS_FULL)
    reaches = yp[None, :] + 1 >= required[:, None]                 # (o_age, yp) after this year's payment
    share_at_start = accounts.share_of_year_at_60(params.interest_at_60)
    rate = accounts.rate_on_opening_balance_pa(p.rate_pa[:, None, None], reaches[None], share_at_start)
    rate_cell = rate[:, None, :, None, None, None, :]               # (batch, 1, o_age, 1, 1, 1, yp)
    opening_interest = accounts.interest_yuan(opening, rate_cell)
    subsidised = params.pay_on_subsidised
    personal = p.personal if subsidised else p.tier_yuan            # (area, tier) yuan a payer
    gov_levels = p.subsidy_by_level * subsidised                   # (level, area, tier)
    on_behalf_levels = p.on_behalf_by_level * subsidised
    per_person = np.stack([personal, gov_levels.sum(axis=0),
                           np.full(personal.shape, params.collective_yuan)])   # (part, area, tier)
    per_cell = per_person[None, :, None, None, :, :, None]          # (1, part, 1, 1, area, tier, 1)
    pay_interest = accounts.payment_interest_yuan(per_cell, rate_cell, params.crediting)
    credit = (per_cell + pay_interest) * n[:, None]
    bal = years_paid_shift(opening + opening_interest + credit)
    n_after = years_paid_shift(n)
    made_up = None if made_up is None else years_paid_shift(made_up)
    done = (yp[None, :] >= required[:, None])[None, None, :, None, None, None, :]   # reached, after paying
    new_cells = n_after * done[:, 0]
    new_bal = (bal * done).sum(axis=-1)
    new_acc = new_bal.sum(axis=1) / params.divisor_by_age[ages - dims.PENSION_AGE][None, :, None, None, None]
    zero = np.zeros(new_cells.shape[:-1])
    new_long = _long_extra_of_new_pensioners(new_cells, 1.0, 0.0, zero, 0.0,
                                             None if made_up is None else made_up * done[:, 0], params)
    # nobody is still short at the limit: only those who can reach the years by it pay on
    # (contributions.may_pay_on at 60), one year a year; the oldest age has all reached them
    n_left, bal_left = n_after - new_cells, bal * ~done
    payers = n.sum(axis=-1)                                        # (batch, o_age, sex, area, tier)
    by_area_tier = payers.sum(axis=(1, 2))                         # (batch, area, tier)
    return PayingOn(
        payers=payers, paid=per_person[None, :2, None, None] * payers[:, None],
        personal=(by_area_tier * personal).sum(axis=(1, 2)),
        subsidy_levels=(gov_levels[None] * by_area_tier[:, None]).sum(axis=(2, 3)),
        on_behalf_levels=(on_behalf_levels[None] * by_area_tier[:, None]).sum(axis=(2, 3)),
        collective=by_area_tier.sum(axis=(1, 2)) * params.collective_yuan,
        interest=(opening_interest.reshape(len(n), -1).sum(axis=1)
                  + (pay_interest * n[:, None]).reshape(len(n), -1).sum(axis=1)),
        n=n_left, bal=bal_left, made_up=None if made_up is None else made_up * ~done[:, 0],
        new_n=new_cells.sum(axis=-1), new_bal=new_bal, new_acc=new_acc, new_long=new_long)


@dataclass(frozen=True)
class LateRegistration:
    """The 60+ at the start registering for the basic pension, some buying a lump sum."""
    entrants: np.ndarray           # (batch, p_age, sex, area) persons
    buyers: np.ndarray             # (batch, p_age, sex, area) of whom buying a lump sum, persons
    lump_paid: np.ndarray          # (batch, p_age, sex, area) the price they pay, yuan
    lump_acc: np.ndarray           # (batch, p_age, sex, area) the monthly pension bought, yuan/month (sum)
    buys: bool                     # purchases are open this year


def late_registration(st: State, p: YearParams, params: Parameters, dec: Decrements,
                      eligible: np.ndarray) -> LateRegistration:
    """The 60+ at the start register up to the target (D1 Art. 21(一)); some buy a lump sum
    (D3 §6(一)2), each purchase year kept apart (D1 Art. 18)."""
    old_at_start = (P_AGE_VALUES - p.index) >= dims.PENSION_AGE
    alive = st.p_n.sum(axis=(-2, -1)) - dec.p_dead.sum(axis=(-2, -1)) - dec.p_emig.sum(axis=(-2, -1))
    target = p.enrol_target[P_AGES][None, :, None, :] * eligible[:, P_AGES]
    entrants = np.maximum(target - alive, 0.0) * old_at_start[None, :, None, None]   # (batch, p_age, sex, area)
    # registration (and purchase) month: the start month in the first year, spread evenly later
    reg_month = params.start_month if p.index == 0 else None
    if params.lump_window:                                         # birth months pooled: the mean price
        price = accounts.lump_sum_expected_price_yuan(
            params.lump_sum_levels[None, :], P_AGE_VALUES[:, None], params.lump_sum_to_age,
            params.lump_sum_min_months, purchase_month=reg_month)   # (p_age, k)
    else:
        price = np.zeros((N_PA, len(params.lump_sum_levels)))
    buys = p.index < params.lump_window
    buyers = entrants[..., None] * params.lump_sum_shares * buys   # (batch, p_age, sex, area, k)
    return LateRegistration(entrants=entrants, buyers=buyers.sum(axis=-1),
                            lump_paid=(buyers * price[None, :, None, None, :]).sum(axis=-1),
                            lump_acc=(buyers * params.lump_sum_levels).sum(axis=-1), buys=buys)


@dataclass(frozen=True)
class MonthWeights:
    """Share of each month of the year paid (12,) and months paid, by how a pensioner's year goes."""
    full: np.ndarray               # pensioner the whole year
    dying: np.ndarray              # through the month of death (D1 Art. 23)
    turning_60: np.ndarray         # from the month after the 60th birthday (D1 Art. 21)
    registering: np.ndarray        # 60+ registering: from the month after (D1 Art. 22; RULES.md §8)

    def months(self) -> tuple:
        return self.full.sum(), self.dying.sum(), self.turning_60.sum(), self.registering.sum()


def month_weights(p: YearParams) -> MonthWeights:
    """The year's month weights (birth and registration months spread evenly, RULES.md §9)."""
    fm = p.first_month
    return MonthWeights(full=benefits.month_weights_full(fm), dying=benefits.month_weights_dying(fm),
                        turning_60=benefits.month_weights_turning_60(fm),
                        registering=benefits.month_weights_registering(fm, None, at_start=(p.index == 0)))


@dataclass(frozen=True)
class AccountPensions:
    """Account pensions paid out of the accounts, and the pensioner stock at year end."""
    p_n: np.ndarray                # (batch, p_age, sex, area, tier, kind) persons
    p_bal: np.ndarray              # (batch, part, p_age, sex, area, tier, kind) yuan
    p_acc: np.ndarray              # (batch, p_age, sex, area, tier, kind) yuan/month (sum)
    p_long: np.ndarray             # (batch, p_age, sex, area, tier, kind) yuan/month (sum)
    paid: np.ndarray               # (batch,) paid out of the accounts, yuan
    gap: np.ndarray                # (batch,) due after the account is empty: the longevity gap, yuan
    refunds: np.ndarray            # (batch,) balances left by pensioners leaving, to heirs and emigrants
    forfeited: np.ndarray          # (batch,) to the pooled fund, yuan
    interest: np.ndarray           # (batch,) on the 1 January balances of those staying, yuan


def account_pensions(st: State, p: YearParams, params: Parameters, dec: Decrements, turning: TurningSixty,
                     late: LateRegistration, w: MonthWeights, on: PayingOn | None = None) -> AccountPensions:
    """Account pensions are paid out of the account while it holds money (parts reduced in
    proportion, D1 Art. 18, 20), then are the longevity gap (D1 Art. 19); those leaving leave
    the rest (D1 Art. 20, 35)."""
    m_full, m_die, m_60, m_old = w.months()
    ps, leaving = dec.p_staying, dec.p_dying + dec.p_emigrating
    bal = st.p_bal.sum(axis=1)                                     # (batch, p_age, sex, area, tier, kind)
    paid_stay = ps * benefits.paid_from_account_yuan(bal, st.p_acc * m_full)
    paid_if_leaving = benefits.paid_from_account_yuan(bal, st.p_acc * m_die)   # per unit leaver share
    paid_leave = leaving * paid_if_leaving
    part_share = st.p_bal / np.where(bal > 0, bal, 1.0)[:, None]
    left = bal - paid_if_leaving
    left_dead = (part_share * (dec.p_dying * left)[:, None]).sum(axis=(2, 3, 4, 5, 6))    # (batch, part)
    left_emig = (part_share * (dec.p_emigrating * left)[:, None]).sum(axis=(2, 3, 4, 5, 6))
    ref_dead, forf_dead = accounts.refund_and_forfeit_yuan(*parts(left_dead), params.heirs_share)
    ref_emig, forf_emig = accounts.refund_and_forfeit_yuan(*parts(left_emig), 1.0)
    p_int = accounts.interest_yuan(st.p_bal, (ps * p.rate_pa[:, None, None, None, None, None])[:, None])
    p_bal = part_share * (ps * bal - paid_stay)[:, None] + p_int   # 1 January balance earns
    p_n, p_acc, p_long = st.p_n * ps, st.p_acc * ps, st.p_long * ps
    # entrants at 60 (regular) and the 60+ at the start (basic only or lump sum)
    new_bal = turning.new_bal.sum(axis=1)
    due_new = turning.new_acc * m_60
    paid_new = benefits.paid_from_account_yuan(new_bal, due_new)
    new_share = turning.new_bal / np.where(new_bal > 0, new_bal, 1.0)[:, None]
    p_bal[:, :, 0, ..., REG] += new_share * (new_bal - paid_new)[:, None]
    p_n[:, 0, ..., REG] += turning.new_n
    p_acc[:, 0, ..., REG] += turning.new_acc
    p_long[:, 0, ..., REG] += turning.new_long
    paid_on, gap_on = 0.0, 0.0
    if on is not None:               # 延缴: from the month after the birthday at 61 .. the limit
        on_bal = on.new_bal.sum(axis=1)                            # (batch, o_age, sex, area, tier)
        due_on = on.new_acc * m_60
        paid_on_cells = benefits.paid_from_account_yuan(on_bal, due_on)
        on_share = on.new_bal / np.where(on_bal > 0, on_bal, 1.0)[:, None]
        # p_age 61 + j and kind pay_on_kind0 + j: each start age its own accounts (D1 Art. 18)
        j = np.arange(on_bal.shape[1])
        age, kind = 1 + j, params.pay_on_kind0 + j
        p_bal[:, :, age, :, :, :, kind] += np.moveaxis(on_share * (on_bal - paid_on_cells)[:, None], 2, 0)
        p_n[:, age, :, :, :, kind] += np.moveaxis(on.new_n, 1, 0)
        p_acc[:, age, :, :, :, kind] += np.moveaxis(on.new_acc, 1, 0)
        p_long[:, age, :, :, :, kind] += np.moveaxis(on.new_long, 1, 0)
        paid_on = paid_on_cells.sum(axis=(1, 2, 3, 4))
        gap_on = (due_on - paid_on_cells).clip(min=0).sum(axis=(1, 2, 3, 4))
    due_lump = late.lump_acc * m_old
    paid_lump = benefits.paid_from_account_yuan(late.lump_paid, due_lump)
    if late.buys:
        p_bal[:, 0, :, :, :, 0, LUMP0 + p.index] += late.lump_paid - paid_lump   # all personal (no subsidy)
        p_n[:, :, :, :, 0, LUMP0 + p.index] += late.buyers
        p_acc[:, :, :, :, 0, LUMP0 + p.index] += late.lump_acc
    p_n[:, :, :, :, 0, BASIC] += late.entrants - late.buyers
    due_open = st.p_acc * (ps * m_full + leaving * m_die)
    cell = PENSIONER_CELL
    return AccountPensions(
        p_n=p_n, p_bal=p_bal, p_acc=p_acc, p_long=p_long,
        paid=(paid_stay.sum(axis=cell) + paid_leave.sum(axis=cell) + paid_new.sum(axis=(1, 2, 3))
              + paid_lump.sum(axis=(1, 2, 3)) + paid_on),
        # the longevity gap, cell by cell (each term >= 0): due after the account is empty
        gap=((due_open - paid_stay - paid_leave).clip(min=0).sum(axis=cell)
             + (due_new - paid_new).clip(min=0).sum(axis=(1, 2, 3))
             + (due_lump - paid_lump).clip(min=0).sum(axis=(1, 2, 3)) + gap_on),
        refunds=ref_dead + ref_emig, forfeited=forf_dead + forf_emig,
        interest=p_int.sum(axis=(1, 2, 3, 4, 5, 6)))


@dataclass(frozen=True)
class BasicPensions:
    """The basic pension and the long-contribution extra, by paying level."""
    basic_levels: np.ndarray       # (batch, level) yuan
    long_due: np.ndarray           # (batch,) long-contribution extra, yuan
    long_levels: np.ndarray        # (batch, level) yuan


def basic_pensions(st: State, p: YearParams, params: Parameters, dec: Decrements, turning: TurningSixty,
                   late: LateRegistration, w: MonthWeights, on: PayingOn | None = None) -> BasicPensions:
    """The basic pension to everyone drawing (D1 Art. 20; D3 §8(二)1) for the months paid, and the
    extra for years paid above 15 (D1 Art. 20), split by who pays."""
    m_full, m_die, m_60, _ = w.months()
    ps, leaving = dec.p_staying, dec.p_dying + dec.p_emigrating
    bm = p.basic_monthly_by_level                                  # (level, 12)
    n_stay = (st.p_n * ps).sum(axis=PENSIONER_CELL)
    n_leave = (st.p_n * leaving).sum(axis=PENSIONER_CELL)
    basic_levels = (np.outer(n_stay, bm @ w.full) + np.outer(n_leave, bm @ w.dying)
                    + np.outer(turning.new_n.sum(axis=(1, 2, 3)), bm @ w.turning_60)
                    + np.outer(late.entrants.sum(axis=(1, 2, 3)), bm @ w.registering))
    long_due = ((st.p_long * (ps * m_full + leaving * m_die)).sum(axis=PENSIONER_CELL)
                + (turning.new_long * m_60).sum(axis=(1, 2, 3)))
    if on is not None:               # 延缴: from the month after the birthday, like those turning 60
        basic_levels = basic_levels + np.outer(on.new_n.sum(axis=(1, 2, 3, 4)), bm @ w.turning_60)
        long_due = long_due + (on.new_long * m_60).sum(axis=(1, 2, 3, 4))
    return BasicPensions(basic_levels=basic_levels, long_due=long_due,
                         long_levels=np.outer(long_due, params.long_contrib_paid_by))


@dataclass(frozen=True)
class TopupsAndGrants:
    """Top-ups (D3 §8(三)(四)), death grants (D3 §8(五)) and funeral grants (D1 Art. 23)."""
    topups: np.ndarray             # (batch,) yuan
    death_grants: np.ndarray       # (batch,) yuan
    funeral: np.ndarray            # (batch,) yuan
    pension_months: np.ndarray     # (batch,) months of pension paid, summed over pensioners (person-months)


def topups_and_grants(st: State, p: YearParams, params: Parameters, dec: Decrements, turning: TurningSixty,
                      late: LateRegistration, w: MonthWeights, on: PayingOn | None = None) -> TopupsAndGrants:
    """The one-child parents' top-up runs with the pension; the age top-up from the month after
    its birthday (D3 §8(三)(四)); grants on the deaths of pensioners (D3 §8(五); D1 Art. 23)."""
    m_full, m_die, m_60, m_old = w.months()
    ps, leaving = dec.p_staying, dec.p_dying + dec.p_emigrating
    from_age = params.age_topup_from_age
    months_by_age = ((st.p_n * (ps * m_full + leaving * m_die)).sum(axis=(2, 3, 4, 5)))   # (batch, p_age)
    months_by_age[:, 0] += turning.new_n.sum(axis=(1, 2, 3)) * m_60
    if on is not None:
        months_by_age[:, 1:1 + on.new_n.shape[1]] += on.new_n.sum(axis=(2, 3, 4)) * m_60
    months_by_age = months_by_age + late.entrants.sum(axis=(2, 3)) * m_old
    topups = benefits.one_child_topup_yuan(months_by_age.sum(axis=1), params.one_child_topup_yuan,
                                           params.one_child_share)
    # D3 §8(四): from the month after the birthday; those turning 60 averaged over their birth months
    turning_months = benefits.age_topup_months(
        dims.PENSION_AGE, benefits.month_weights_turning_60(p.first_month, benefits.MONTHS),
        from_age, benefits.MONTHS).mean()
    top_months = ((st.p_n * ps).sum(axis=(2, 3, 4, 5)) * benefits.age_topup_months(P_AGE_VALUES, w.full, from_age)
                  + (st.p_n * leaving).sum(axis=(2, 3, 4, 5))
                  * benefits.age_topup_months(P_AGE_VALUES, w.dying, from_age)
                  + late.entrants.sum(axis=(2, 3)) * benefits.age_topup_months(P_AGE_VALUES, w.registering, from_age))
    top_months[:, 0] += turning.new_n.sum(axis=(1, 2, 3)) * turning_months
    if on is not None:               # 延缴: starting at 61 .. the limit, from the month after the birthday
        k = on.new_n.shape[1]
        starting_months = benefits.age_topup_months(
            P_AGE_VALUES[1:1 + k, None], benefits.month_weights_turning_60(p.first_month, benefits.MONTHS)[None],
            from_age, benefits.MONTHS[None]).mean(axis=-1)          # (o_age,) averaged over birth months
        top_months[:, 1:1 + k] += on.new_n.sum(axis=(2, 3, 4)) * starting_months
    age_top = params.age_topup_yuan * params.age_topup_share
    topups = topups + top_months.sum(axis=1) * age_top
    topup_monthly = benefits.one_child_topup_yuan(1.0, params.one_child_topup_yuan, params.one_child_share) \
        + age_top * (P_AGE_VALUES >= from_age if age_top > 0 else 0.0)
    deaths = dec.p_dead.sum(axis=(2, 3, 4, 5))                     # (batch, p_age)
    bm = p.basic_monthly_by_level
    basic_last = float(bm.sum(axis=0) @ w.dying / m_die) if m_die > 0 else 0.0
    last_monthly = deaths.sum(axis=1) * basic_last + (dec.p_dying * (st.p_acc + st.p_long)).sum(axis=PENSIONER_CELL) \
        + (deaths * topup_monthly).sum(axis=1)
    return TopupsAndGrants(topups=topups,
                           death_grants=benefits.death_grant_yuan(last_monthly, params.death_grant_months, 0.0),
                           funeral=deaths.sum(axis=1) * params.funeral_grant_yuan,
                           pension_months=months_by_age.sum(axis=1))


@dataclass(frozen=True)
class PooledFund:
    """The pooled fund's year and the government backstop (D1 Art. 19)."""
    interest: np.ndarray           # (batch,) yuan
    taken_over: np.ndarray         # (batch,) a fund taken over in the first year (finance.legacy_fund_yuan), yuan
    paid: np.ndarray               # (batch,) the gap and the top-ups and grants it pays, yuan
    government: np.ndarray         # (batch,) government money into it, yuan
    closing: np.ndarray            # (batch,) 31 December balance, yuan
    gap_from_pool: np.ndarray      # (batch,) the longevity gap borne by the fund, yuan
    gap_from_government: np.ndarray  # (batch,) borne by government, yuan


def pooled_fund(st: State, p: YearParams, params: Parameters, gap: np.ndarray, extras: TopupsAndGrants,
                forfeited: np.ndarray) -> PooledFund:
    """The pooled fund pays the longevity gap, and the top-ups and grants the scenario puts on it;
    government pays in what it cannot (D1 Art. 19)."""
    interest = finance.pool_interest_yuan(st.pooled, p.rate_pa, params.pool_earns_interest)
    if p.fund_rate_pa is not None:                                 # the fund's own return (finance.fund_return_pa)
        interest = finance.pool_return_yuan(st.pooled, st.account_fund(), p.fund_rate_pa, p.rate_pa,
                                            params.pool_earns_interest)
    paid = gap + (extras.topups if params.topups_from_pool else 0.0) \
        + (extras.death_grants if params.grants_from_pool else 0.0)
    taken_over = np.zeros_like(st.pooled) + (params.legacy_fund_yuan if p.index == 0 else 0.0)   # scalar or (batch,)
    available = st.pooled + forfeited + interest + taken_over
    government = finance.government_to_pool_yuan(available, paid)
    from_pool, from_government = finance.longevity_gap_by_payer_yuan(gap, paid, government)
    return PooledFund(interest=interest, taken_over=taken_over, paid=paid, government=government,
                      closing=finance.pool_closing_yuan(available, paid, government),
                      gap_from_pool=from_pool, gap_from_government=from_government)


def government_cost(p: YearParams, params: Parameters, pay: Payments, enrol: Enrolment, late: LateRegistration,
                    basic: BasicPensions, extras: TopupsAndGrants, pool: PooledFund,
                    on: PayingOn | None = None) -> tuple:
    """Each level's cost (batch, level) and the work funding (batch,), yuan: work funding per paying
    member (D3 §4(四)) and per new member (D5 §2(三)4); what the fund does not pay, government pays
    directly, split like the backstop (D1 Art. 19)."""
    direct = (0.0 if params.topups_from_pool else extras.topups) \
        + (0.0 if params.grants_from_pool else extras.death_grants) + extras.funeral
    new_payers = (enrol.entrants * p.density[C_AGES][None, :, None, None]).sum(axis=(1, 2, 3)) \
        + late.buyers.sum(axis=(1, 2, 3))
    payers = pay.payers.sum(axis=(1, 2, 3, 4, 5)) + (0.0 if on is None else on.payers.sum(axis=(1, 2, 3, 4)))
    admin = finance.admin_funding_yuan(payers, new_payers, params.admin_yuan_per_payer,
                                       params.admin_yuan_per_new_member)
    levels = finance.government_cost_by_level_yuan(
        contribution_subsidy=pay.subsidy_levels + (0.0 if on is None else on.subsidy_levels), basic_pension=basic.basic_levels,
        long_contribution_extra=basic.long_levels, backstop_and_direct=pool.government + direct,
        backstop_paid_by=params.backstop_paid_by, admin=admin, admin_paid_by=params.admin_paid_by)
    return levels, admin


def ageing(pop: np.ndarray, c: Contributors, s_n: np.ndarray, s_bal: np.ndarray, pens: AccountPensions,
           pooled: np.ndarray, p: YearParams, params: Parameters, turning: TurningSixty | None = None,
           on: PayingOn | None = None) -> tuple[State, np.ndarray]:
    """Everyone ages one year; births enter at age 0; the cohort that turned 60 has left the
    contributors (the last contributor age is dropped), those of it paying on after 60 enter at 61
    and those paying on at the limit have left. Returns the next 1 January state and the births
    (batch, sex, area)."""
    births = population.births_by_sex(pop, p.births_per_woman, params.sex_ratio_at_birth)
    new_pop = age_shift(pop, 1, open_top=True)
    new_pop[:, 0] = births
    o = {}
    if on is not None:               # 延缴: the cohort turning 60 enters at 61; the oldest age leaves
        def moved(a, entering, axis):
            out = age_shift(a, axis, open_top=False)
            out[(slice(None),) * axis + (0,)] = entering
            return out
        o = dict(o_n=moved(on.n, turning.pay_on_n, 1), o_bal=moved(on.bal, turning.pay_on_bal, 2),
                 o_made_up=None if on.made_up is None else moved(on.made_up, turning.pay_on_made_up, 2))
    return State(
        pop=new_pop,
        c_n=age_shift(c.n, 1, open_top=False), c_bal=age_shift(c.bal, 2, open_top=False),
        c_xyears=age_shift(c.xyears, 1, open_top=False),
        c_made_up=None if c.made_up is None else age_shift(c.made_up, 2, open_top=False),
        s_n=age_shift(s_n, 1, open_top=True), s_bal=age_shift(s_bal, 2, open_top=True),
        p_n=age_shift(pens.p_n, 1, open_top=True), p_bal=age_shift(pens.p_bal, 2, open_top=True),
        p_acc=age_shift(pens.p_acc, 1, open_top=True), p_long=age_shift(pens.p_long, 1, open_top=True),
        pooled=pooled, **o), births
