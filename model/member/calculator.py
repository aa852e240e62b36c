"""One resident's illustration (算账, D5 §4): what he pays, what the account holds, what he gets.

Built on the same rule functions and resolved parameters as the cohort
engine (``contributions``, ``accounts``, ``benefits``, ``parameters``), so the
two cannot disagree. Conventions (RULES.md §3 defaults, README "Timing"):

- the member pays once a year, from the enrolment year through the year of
  the 60th birthday (D1 Art. 7), unless he stops earlier;
- payments are credited at year end and earn interest from 1 January of the
  next year; the 1 January balance earns the year's rate (就高 where the
  scenario says so, D1 Art. 14);
- the balance when payment starts = last year-end balance + that year's
  payment (no part-year interest); account pension = balance ÷ 139 (or the
  scenario's payout-months table at 60), D1 Art. 20;
- the pension is paid from the month after the 60th birthday (D1 Art. 21);
  those already 60 at the start are paid from the start month if they register
  then, or from the month after they register later (D1 Art. 22; a later year
  given without its month: the expected 5.5 months of that year, as the engine);
- "age at the start" is completed years on the first day of the start month
  (a birthday in that month is not yet reached).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from model.rules import accounts, benefits, contributions
from model import dims
from model.parameters import Parameters, per_payer_amounts, resolve
from model.scenario import Scenario
from model.member.counter import (Counter, check_tiers, counter_parameters, counter_scenario,
                                  lowest_tier_by_year, own_tiers)
from model.member.counter import notes as counter_notes
from model.member.counter import sources as counter_sources
from model.member.inputs import (Member, MemberInputError, age_at_start, check_member_inputs, check_dates,
                                 next_month, tier_in, year_month_text)

@dataclass
class Illustration:
    """The illustration: key figures (``summary``), the yearly ``schedule`` and ``heirs``."""
    summary: dict
    schedule: pd.DataFrame
    heirs: pd.DataFrame
    member: Member
    scenario_title: str
    notes: list = field(default_factory=list)
    what_if: pd.DataFrame | None = None       # ``what_if``: by tier and years paid, when asked for
    sources: list = field(default_factory=list)   # (zh, en): what was taken from the counter

    def to_json_dict(self) -> dict:
        out = dict(self.summary)
        out["schedule"] = self.schedule.round(2).to_dict(orient="records")
        out["heirs"] = self.heirs.round(2).to_dict(orient="records")
        out["notes"] = self.notes
        if self.what_if is not None:
            out["what_if"] = [{k: (None if pd.isna(v) else v) for k, v in r.items()}
                              for r in self.what_if.to_dict(orient="records")]
        return out


# --------------------------------------------------------------------------
def _params_for(scen: Scenario, last_year: int, interest_rate: float | None) -> Parameters:
    """Parameters covering the member's whole life (the horizon stretched if needed)."""
    need = max(scen.scheme.horizon_years, last_year - scen.scheme.start_year + 1)
    s = scen.model_copy(update={"scheme": scen.scheme.model_copy(update={"horizon_years": need})})
    if interest_rate is not None:
        s = s.model_copy(update={"accounts": s.accounts.model_copy(
            update={"interest": "flat", "flat_rate_pa": float(interest_rate)})})
    return resolve(s)


@dataclass
class _Accumulation:
    """What the years of paying leave (D1 Art. 7-14): the schedule rows so far, the account by part
    [yuan], the years paid and made up, the member's totals [yuan] and whether and why he qualifies."""
    rows: list
    bal: np.ndarray
    paid_years: int = 0              # on time and caught up
    caught_up_years: int = 0         # of which made up in a later year (D1 Art. 7-8)
    makeup_years: int = 0            # made up at 60 (D1 Art. 21)
    totals: dict = field(default_factory=lambda: {"personal": 0.0, "government": 0.0, "collective": 0.0})
    qualifies: bool = True
    reason: str = ""
    reason_zh: str = ""


def _check_member(m: Member, P: Parameters, age0: int, year60: int, notes: list) -> None:
    """The checks that need the member's age at the start (lump sum, enrolment, catch-up); notes
    for options that do not apply."""
    s, b = P.scenario, P.scenario.benefits
    old_at_start = age0 >= dims.PENSION_AGE
    if m.lump_sum_monthly is not None:
        if not old_at_start:
            raise MemberInputError(f"--lump-sum: only for people already 60 when the scheme starts "
                                   f"(D3 §6(一)2); this member is {age0} at {s.scheme.start}")
        if float(m.lump_sum_monthly) not in set(P.lump_sum_levels.tolist()):
            levels = ", ".join(f"{x:g}" for x in P.lump_sum_levels) or "none in this scenario"
            raise MemberInputError(f"--lump-sum {m.lump_sum_monthly:g}: allowed monthly levels: {levels}")
    if not old_at_start and m.enrol_year > year60:
        raise MemberInputError(f"--enrol {m.enrol_year}: after the year of the 60th birthday ({year60}); "
                               f"nobody pays after pension payment starts (D1 Art. 7)")
    if m.lump_sum_monthly is not None and m.enrol_year >= P.start_year + b.lump_sum.purchase_window_years:
        raise MemberInputError(f"--lump-sum: purchases are modelled in the first "
                               f"{b.lump_sum.purchase_window_years} years after the start "
                               f"(benefits.lump_sum.purchase_window_years); --enrol {m.enrol_year} is later")
    for y, n in (m.catch_up or {}).items():
        if old_at_start or not (m.enrol_year <= int(y) <= year60) or int(n) < 1:
            raise MemberInputError(f"--catch-up {y}={n}: give a year from enrolment to the 60th birthday "
                                   f"({m.enrol_year}-{year60}) and at least one year to make up")
    if old_at_start and (m.stop_after_years is not None or m.make_up_at_60 or m.pay_on):
        notes.append("already 60 at the start: nothing to pay, so --stop-after-years, "
                     "--make-up-at-60 and --pay-on do not apply (D1 Art. 21(一))")
    if m.make_up_at_60 and m.pay_on:
        raise MemberInputError("--make-up-at-60 and --pay-on: give one; the missing years are made up at 60 "
                               "in one sum, or paid on year by year after 60 (延缴)")


def _premium_help(m: Member, P: Parameters, notes: list, counter: Counter | None = None):
    """(subsidy by level, paid on behalf, personal payment) per payer for this member's groups
    (the most specific matching group, D1 Art. 9); notes for flags the scenario does not help.
    Premiums paid on behalf are a share of the lowest tier: the province's own from the year
    its tiers start (``counter.lowest_tier_by_year``)."""
    s = P.scenario
    groups = contributions.matching_groups(s.on_behalf, m.flags)
    used = {f for g in s.on_behalf if g.name in groups for f in g.applies_to}
    for flag in sorted(set(m.flags) - used):
        notes.append(f"--{flag.replace('_', '-')}: this scenario has no premium help for it"
                     + (" (D1 Art. 9 helps the severely disabled on 低保)" if flag == "dibao" else ""))
    weights = {g: 1.0 for g in groups}
    low = lowest_tier_by_year(P, counter or Counter())
    out = per_payer_amounts(s, P.years, P.tiers, P.tier_allowed, low[0], weights)
    if (low != low[:1]).any():                # from the province's start: its lowest tier
        later = per_payer_amounts(s, P.years, P.tiers, P.tier_allowed, low[-1], weights)
        moved = (low != low[:1]).any(axis=1)
        out = tuple(np.where(moved.reshape((-1,) + (1,) * (a.ndim - 1)), b, a) for a, b in zip(out, later))
    return out


def _accumulate(m: Member, P: Parameters, year60: int, idx: dict, notes: list,
                counter: Counter | None = None) -> _Accumulation:
    """The years from enrolment to the 60th birthday: payments, subsidies, catch-up, interest
    (D1 Art. 7-14; RULES.md §3), one schedule row a year [yuan]."""
    help_ = _premium_help(m, P, notes, counter)
    acc = _Accumulation(rows=[], bal=np.zeros(dims.N_PART))   # personal, government, collective (yuan)
    missed: list[int] = []                      # years not paid and not yet made up
    window = P.scenario.contributions.catch_up_window_years
    for year in range(m.enrol_year, year60 + 1):
        pays = m.stop_after_years is None or acc.paid_years < m.stop_after_years
        if not pays:
            missed.append(year)
        made_up = _made_up_in(m, year, missed, window)
        _pay_year(m, P, acc, year, idx[year], help_, pays, made_up, pension_starts=year == year60)
    need = int(contributions.years_to_make_up(acc.paid_years, dims.MIN_YEARS_FULL))
    if m.make_up_at_60 and need > 0:         # D1 Art. 21(二)(三); no subsidy (D1 Art. 8)
        acc.makeup_years = need
        makeup_pay = float(need * contributions.catch_up_payment_yuan(tier_in(m, year60)))
        acc.bal[0] += makeup_pay
        acc.totals["personal"] += makeup_pay
        acc.rows[-1]["catch_up_yuan"] += makeup_pay        # on top of any year made up in the same year
        acc.rows[-1].update(_bal_cols(acc.bal))
    return acc


def _pay_year(m: Member, P: Parameters, acc: _Accumulation, year: int, i: int, help_: tuple, pays: bool,
              made_up: int, pension_starts: bool, subsidised: bool = True) -> None:
    """One year of paying [yuan]: interest on the 1 January balance (D1 Art. 14; RULES.md §3 in the
    year of the 60th birthday or payment starts), the tier paid with its subsidies (D1 Art. 7-10),
    missed years made up without subsidy (D1 Art. 8); a schedule row, added to ``acc``."""
    sub, onb, personal = help_
    ai = dims.AREAS.index(m.area)
    opening = acc.bal.copy()
    r = float(accounts.rate_on_opening_balance_pa(float(P.rate_pa[i, 0]), pension_starts,   # RULES.md §3
                                                  accounts.share_of_year_at_60(P.interest_at_60, m.birth_month)))
    interest = accounts.interest_yuan(opening, r)
    tier = tier_in(m, year)
    ti = int(np.searchsorted(P.tiers, tier))
    # paying on without the subsidy (contributions.pay_on_after_60.subsidised false): the whole tier
    own = (float(personal[i, ai, ti]) if subsidised else tier) if pays else 0.0
    gov_lv = sub[i, :, ai, ti] if pays and subsidised else np.zeros(len(dims.LEVELS))
    on_behalf = float(onb[i, :, ai, ti].sum()) if pays and subsidised else 0.0
    coll = P.collective_yuan if pays else 0.0
    catch = float(made_up * contributions.catch_up_payment_yuan(tier))   # no subsidy (D1 Art. 8)
    credit = np.array([own + catch, gov_lv.sum(), coll])
    interest = interest + accounts.payment_interest_yuan(credit, r, P.crediting)   # RULES.md §3
    acc.bal = opening + interest + credit
    acc.paid_years += int(pays) + made_up
    acc.caught_up_years += made_up
    acc.totals["personal"] += own + catch
    acc.totals["government"] += float(gov_lv.sum())
    acc.totals["collective"] += coll
    acc.rows.append(dict(year=year, age=year - m.birth_year, tier_yuan=tier if pays else 0.0,
                         personal_yuan=own, catch_up_yuan=catch,
                         **{f"subsidy_{lv}_yuan": float(v) for lv, v in zip(dims.LEVELS, gov_lv)},
                         paid_on_behalf_yuan=on_behalf, collective_yuan=coll, interest_yuan=float(interest.sum()),
                         **_bal_cols(acc.bal), pension_months=0.0, basic_pension_yuan=0.0,
                         account_pension_yuan=0.0, longevity_gap_yuan=0.0, topups_yuan=0.0))


def _pay_on(m: Member, P: Parameters, acc: _Accumulation, year60: int, age0: int, idx: dict, notes: list,
            counter: Counter | None) -> int:
    """Paying on after 60 (延缴, contributions.pay_on_after_60): a member short of the years required
    at 60 pays on year by year, with the year's subsidy where the rules give it, until the years are
    reached; returns the years paid on (0: not asked for, or not needed). Refused where the rules do
    not allow it or the years cannot be reached by the age limit."""
    if not m.pay_on:
        return 0
    po = P.scenario.contributions.pay_on_after_60
    if acc.qualifies:
        notes.append("--pay-on: the member has the years required at 60; nothing to pay on")
        return 0
    if not P.pay_on_allowed:
        raise MemberInputError("--pay-on: this scenario's rules do not let members pay on after 60 "
                               "(contributions.pay_on_after_60.allowed is false)")
    required = int(benefits.years_required(year60 - P.start_year + 1, dims.MIN_YEARS_FULL))
    need = int(contributions.years_to_make_up(acc.paid_years, required))
    most = P.pay_on_to_age - dims.PENSION_AGE
    if not contributions.may_pay_on(need, most):
        raise MemberInputError(f"--pay-on: {need} years short at 60, but paying on is allowed only to age "
                               f"{P.pay_on_to_age} ({most} years"
                               + (f", {po.reference}" if po.reference else "") + "); make up the years at 60 "
                               f"instead (--make-up-at-60)")
    check_tiers(m, counter or Counter(), range(year60 + 1, year60 + need + 1))   # the province's own tiers
    help_ = _premium_help(m, P, [], counter)
    for k in range(1, need + 1):
        year = year60 + k
        _pay_year(m, P, acc, year, idx[year], help_, pays=True, made_up=0, pension_starts=k == need,
                  subsidised=P.pay_on_subsidised)
    acc.qualifies, acc.reason, acc.reason_zh = True, "", ""
    return need


def _made_up_in(m: Member, year: int, missed: list, window: int | None) -> int:
    """Missed years the member makes up in ``year`` (removed from ``missed``, the oldest first);
    refused beyond what the catch-up window allows (D1 Art. 7; D3 §6(一)1)."""
    made_up = int((m.catch_up or {}).get(year, (m.catch_up or {}).get(str(year), 0)))
    open_years = contributions.years_open_to_catch_up(missed, year, window)
    if made_up > len(open_years):
        limit = ("" if window is None else
                 f" (contributions.catch_up_window_years: {window}; "
                 + ("D3 §6(一)1 allows only the following year)" if window == 1
                    else f"only the {window} years after a missed year)"))
        raise MemberInputError(f"--catch-up {year}={made_up}: only {len(open_years)} missed years "
                               f"may be made up in {year}{limit}")
    for y_ in open_years[:made_up]:
        missed.remove(y_)
    return made_up


def _qualifying(m: Member, P: Parameters, acc: _Accumulation, year60: int, age0: int) -> None:
    """Whether the member qualifies at 60 (D1 Art. 21(二)(三)) and, if not, why, in English and
    Chinese, with what making up would cost; set on ``acc``."""
    available = year60 - P.start_year + 1           # years from the start to the 60th birthday
    acc.qualifies = bool(benefits.qualifies_for_pension(acc.paid_years + acc.makeup_years, available,
                                                        dims.MIN_YEARS_FULL))
    if acc.qualifies:
        return
    required = int(benefits.years_required(available, dims.MIN_YEARS_FULL))
    least = required - acc.paid_years
    most = max(least, dims.MIN_YEARS_FULL - acc.paid_years)
    cost = least * tier_in(m, year60)
    near = age0 >= dims.NEAR_PENSION_AGE
    rule_en = ("D1 Art. 21(二): every year from the start to 60, at most 15, for those 45-59 at the start"
               if near else "D1 Art. 21(三): 15 years for those under 45 at the start")
    rule_zh = ("制度实施时已满45周岁的,应按年缴费至60周岁,最多15年(第二十一条(二))" if near
               else "制度实施时未满45周岁的,累计缴费须满15年(第二十一条(三))")
    acc.reason = (f"paid {acc.paid_years} years, fewer than the {required} required ({rule_en}); making up "
                  f"at least {least} years at 60 ({cost:,.0f} yuan, no subsidy"
                  + (f"; up to {most} years, 15 in all" if most > least else "") + ") would qualify")
    acc.reason_zh = (f"已缴费{acc.paid_years}年,不足应缴的{required}年({rule_zh});60岁时补缴至少{least}年"
                     f"({cost:,.0f}元,补缴无政府补贴)即可领取养老金。")


@dataclass(frozen=True)
class _Registration:
    """When one already 60 at the start starts to be paid (D1 Art. 22; RULES.md §8): the year, the
    registration month (None: spread evenly), whether at the start, the first payment (year, month)."""
    year: int
    month: int | None
    at_start: bool
    first: tuple


def _registration(m: Member, P: Parameters, notes: list) -> _Registration:
    """The 60+ at the start: paid from the start month if registered at the start (RULES.md §8),
    else from the month after registering (D1 Art. 22 次月); the month unknown: 5.5 months."""
    year = m.enrol_year
    at_start = year == P.start_year and (m.enrol_month is None or m.enrol_month <= P.start_month)
    month = P.start_month if at_start else m.enrol_month
    if at_start:
        first = (P.start_year, P.start_month)
    elif month is not None:
        first = next_month(year, month)
    else:
        first = (year, 7)
        notes.append(f"--enrol {year}: registration month not given; {year}'s pension is the "
                     f"expected 5.5 months (registered in month m, paid from m + 1, D1 Art. 22), and "
                     f"the first payment is shown as July; give --enrol {year}-MM for the exact months")
    return _Registration(year, month, at_start, first)


def _payout(m: Member, P: Parameters, acc: _Accumulation, start_pay: int, reg: _Registration | None,
            acc_monthly: float, long_monthly: float, lump_price: float | None, idx: dict) -> str | None:
    """The years of payment to age 100 (D1 Art. 20-23; D3 §8): basic and account pension, the
    longevity gap, top-ups, one schedule row a year [yuan]; returns the month the account runs out."""
    b = P.scenario.benefits
    one_child_share = 1.0 if m.one_child_parent else 0.0
    exhausted = None
    for year in range(start_pay, m.birth_year + dims.MAX_AGE + 1):
        i = idx[year]
        fm_y = benefits.first_month_paid(i, P.start_month)
        if year > start_pay:
            w = benefits.month_weights_full(fm_y)
        elif reg is not None:                                          # D1 Art. 22; RULES.md §8
            w = benefits.month_weights_registering(fm_y, reg.month, reg.at_start)
        else:                                                          # D1 Art. 21 次月
            w = benefits.month_weights_turning_60(fm_y, m.birth_month)
        n = float(w.sum())
        opening = acc.bal.copy()
        open_tot = float(opening.sum())
        # no interest in the year payment starts (RULES.md §3; the lump-sum purchase year)
        r = float(accounts.rate_on_opening_balance_pa(float(P.rate_pa[i, 0]), year == start_pay))
        interest = accounts.interest_yuan(opening, r)
        due = acc_monthly * n
        from_acc = float(benefits.paid_from_account_yuan(open_tot, due))
        if exhausted is None and due > from_acc + 1e-9:
            short = acc_monthly * np.cumsum(w) > open_tot + 1e-9
            exhausted = year_month_text(year, int(np.argmax(short)) + 1)
        shares = opening / open_tot if open_tot > 0 else np.zeros(dims.N_PART)
        acc.bal = shares * (open_tot - from_acc) + interest
        basic = float(p_basic(P, i) @ w)
        top = (float(benefits.age_topup_months(year - m.birth_year, w, b.age_topup.from_age, m.birth_month))
               * b.age_topup.monthly_yuan
               + float(benefits.one_child_topup_yuan(n, b.one_child_parent.monthly_yuan, one_child_share)))
        row = dict(year=year, age=year - m.birth_year, tier_yuan=0.0, personal_yuan=0.0,
                   catch_up_yuan=0.0, **{f"subsidy_{lv}_yuan": 0.0 for lv in dims.LEVELS},
                   paid_on_behalf_yuan=0.0, collective_yuan=0.0, interest_yuan=float(interest.sum()),
                   **_bal_cols(acc.bal), pension_months=n, basic_pension_yuan=basic + long_monthly * n,
                   account_pension_yuan=from_acc, longevity_gap_yuan=due - from_acc, topups_yuan=top)
        if acc.rows and acc.rows[-1]["year"] == year:   # the year of the 60th birthday: one row
            for k in ("interest_yuan", "pension_months", "basic_pension_yuan", "account_pension_yuan",
                      "longevity_gap_yuan", "topups_yuan"):
                acc.rows[-1][k] += row[k]
            acc.rows[-1].update(_bal_cols(acc.bal))
        else:
            if reg is not None and year == start_pay:
                row["personal_yuan"] = lump_price or 0.0
            acc.rows.append(row)
    return exhausted


WHAT_IF_YEARS = (15, 20, 25, 30, 35, 40, 45)   # years paid the what-if table shows (长缴多得)


def what_if(scenario: Scenario, m: Member, today: _dt.date | None = None,
            years: tuple[int, ...] = WHAT_IF_YEARS, counter: Counter | None = None) -> pd.DataFrame:
    """What a higher tier or longer payment buys (多缴多得, 长缴多得): the member paying every year
    at one tier for N years to 60 [yuan/month, age], one row per tier of his area and N.

    The same person (birth, sex, area, flags, interest) enrolling in the year that gives N years
    to the 60th birthday, paying the tier every year; only what the scenario allows: from the
    scheme's start and from 16 (D1 Art. 6). Columns: ``tier_yuan``, ``years_paid``,
    ``monthly_total_yuan`` and ``monthly_account_yuan`` at the first pension month, and
    ``break_even_age`` (own payments received back). Empty for those 60 or over at the start.
    With a ``counter`` province that has its own tiers, its tiers.
    """
    today = today or _dt.date.today()
    counter = counter or Counter()
    scenario = counter_scenario(scenario, counter)
    P = _params_for(scenario, m.birth_year + dims.MAX_AGE, m.interest_rate)
    year60 = m.birth_year + dims.PENSION_AGE
    if age_at_start(m, P) >= dims.PENSION_AGE or m.area not in dims.AREAS:
        return pd.DataFrame(columns=["tier_yuan", "years_paid", "monthly_total_yuan", "monthly_account_yuan",
                                     "break_even_age"])
    own = own_tiers(counter)
    tiers = P.tiers[P.tier_allowed[dims.AREAS.index(m.area)]] if own is None else own[0]
    rows = []
    for n in years:
        enrol = year60 - n + 1
        if enrol < scenario.scheme.start_year or enrol - m.birth_year < dims.ENTRY_AGE:
            continue
        for tier in tiers:
            one = replace(m, enrol_year=enrol, enrol_month=None, tier=float(tier), stop_after_years=None,
                          make_up_at_60=False, pay_on=False, catch_up=None, lump_sum_monthly=None,
                          death_age=None)
            s = _illustrate(scenario, one, today, counter).summary
            rows.append(dict(tier_yuan=float(tier), years_paid=int(s["years_paid"]),
                             monthly_total_yuan=s["monthly_total"], monthly_account_yuan=s["monthly_account_pension"],
                             break_even_age=s["break_even_age"]))
    return pd.DataFrame(rows, columns=["tier_yuan", "years_paid", "monthly_total_yuan", "monthly_account_yuan",
                                       "break_even_age"])


def illustrate(scenario: Scenario, m: Member, today: _dt.date | None = None,
               counter: Counter | None = None) -> Illustration:
    """The resident's illustration under ``scenario`` [yuan, months, years].

    The same order as the cohort engine's year: paying to 60 (``_accumulate``), qualifying
    (``_qualifying``) or, for those 60+ at the start, registering (``_registration``, a D3 lump
    sum), then the pension for life (``_payout``), heirs and the return on own payments.
    ``counter``: a province's rules and one run's own basic pension or subsidy
    (``model.member.counter``).
    """
    counter = counter or Counter()
    return _illustrate(counter_scenario(scenario, counter), m, today, counter)


def _illustrate(scenario: Scenario, m: Member, today: _dt.date | None, counter: Counter) -> Illustration:
    """``illustrate`` on a scenario that has the counter's tiers and subsidies already."""
    today = today or _dt.date.today()
    check_dates(m, scenario, today)
    P = counter_parameters(_params_for(scenario, m.birth_year + dims.MAX_AGE, m.interest_rate), counter)
    own = own_tiers(counter)
    if m.area in dims.AREAS and m.tier is None:
        lowest = float(P.lowest_tier[dims.AREAS.index(m.area)])
        last = m.birth_year + dims.PENSION_AGE + (P.pay_on_to_age - dims.PENSION_AGE if m.pay_on else 0)
        if own is not None and last >= own[1]:                     # (paying on after 60: to the limit)
            lowest = {m.enrol_year: lowest, max(own[1], m.enrol_year): float(own[0][0])}  # the province's from then
        m = replace(m, tier=lowest)
    check_member_inputs(m, P, today)
    check_tiers(m, counter)
    b = P.scenario.benefits
    year60 = m.birth_year + dims.PENSION_AGE
    age0 = age_at_start(m, P)
    old_at_start = age0 >= dims.PENSION_AGE
    notes: list[str] = counter_notes(counter)
    _check_member(m, P, age0, year60, notes)
    idx = {int(y): i for i, y in enumerate(P.years)}
    lump_price, reg = None, None
    if not old_at_start:
        acc = _accumulate(m, P, year60, idx, notes, counter)
        _qualifying(m, P, acc, year60, age0)
        paid_on = _pay_on(m, P, acc, year60, age0, idx, notes, counter)     # 延缴: 0 or the years paid on
        start_pay, first = year60 + paid_on, next_month(year60 + paid_on, m.birth_month)
        balance60 = float(acc.bal.sum())
        acc_monthly = float(benefits.account_pension_monthly(balance60, P.divisor_by_age[paid_on]))
    else:
        paid_on = 0
        _premium_help(m, P, notes)                 # notes on flags, as for any member
        acc = _Accumulation(rows=[], bal=np.zeros(dims.N_PART))
        reg = _registration(m, P, notes)
        start_pay, first = reg.year, reg.first
        balance60, acc_monthly = 0.0, 0.0
        if m.lump_sum_monthly is not None:       # D3 §6(一)2
            lump_price = float(accounts.lump_sum_expected_price_yuan(
                m.lump_sum_monthly, start_pay - m.birth_year, b.lump_sum.to_age, b.lump_sum.min_months,
                birth_month=m.birth_month, purchase_month=reg.month))
            acc.bal = np.array([lump_price, 0.0, 0.0])
            acc.totals["personal"] += lump_price
            acc_monthly, balance60 = float(m.lump_sum_monthly), lump_price
    long_years = benefits.long_contribution_years(acc.paid_years + acc.makeup_years,
                                                  acc.caught_up_years + acc.makeup_years, P.long_counts_made_up)
    long_monthly = 0.0 if old_at_start else float(benefits.long_contribution_extra_monthly(   # D1 Art. 20 加发
        long_years, P.long_bands))
    exhausted = (_payout(m, P, acc, start_pay, reg, acc_monthly, long_monthly, lump_price, idx)
                 if acc.qualifies else None)
    sched = pd.DataFrame(acc.rows)
    summary = _summary(m, P, sched, acc.qualifies, acc.reason, acc.paid_years, acc.makeup_years, balance60,
                       acc_monthly, first, exhausted, lump_price, acc.totals, long_monthly, age0)
    summary["eligibility_reason_zh"] = acc.reason_zh or None
    summary["years_paid_on"] = paid_on                  # 延缴: years paid after the 60th birthday year
    summary["balance_at_pension_start"] = summary["balance_at_60"]     # the account the pension is worked from
    if paid_on:                                          # at 60: the end of the 60th birthday year
        summary["balance_at_60"] = round(float(sched.loc[sched.year == year60, "balance_yuan"].iloc[0]), 2)
    heirs = _heirs(m, P, sched, acc_monthly if acc.qualifies else 0.0, long_monthly)
    if m.death_age is not None:
        hit = heirs[heirs.age == m.death_age]
        summary["heirs_at_death_age"] = (hit.round(2).to_dict(orient="records")[0] if len(hit)
                                         else {"age": m.death_age, "heirs_yuan": 0.0, "death_grant_yuan": 0.0})
    summary["irr"], summary["irr_assumption"] = _irr(m, P, sched, heirs, dims.SEXES.index(m.sex), acc.qualifies)
    return Illustration(summary=summary, schedule=sched, heirs=heirs, member=m,
                        scenario_title=P.scenario.title, notes=notes, sources=counter_sources(counter))


def p_basic(P: Parameters, i: int) -> np.ndarray:
    """Basic pension per month of year index ``i`` over all levels [yuan/month], shape (12,)."""
    return P.basic_monthly_by_level[i].sum(axis=0)


def _bal_cols(bal: np.ndarray) -> dict:
    return dict(balance_personal_yuan=float(bal[0]), balance_government_yuan=float(bal[1]),
                balance_collective_yuan=float(bal[2]), balance_yuan=float(bal.sum()))


def _monthly_total(m: Member, P: Parameters, year: int, month: int, acc_monthly: float,
                   long_monthly: float) -> tuple[float, float]:
    """(basic incl. long-contribution extra, top-ups) per month at a given month [yuan/month]."""
    b = P.scenario.benefits
    i = int(year - P.start_year)
    basic = float(p_basic(P, i)[month - 1]) + long_monthly
    w = (benefits.MONTHS == month).astype(float)                  # that month alone
    top = (float(benefits.age_topup_months(year - m.birth_year, w, b.age_topup.from_age, m.birth_month))
           * b.age_topup.monthly_yuan
           + float(benefits.one_child_topup_yuan(1.0, b.one_child_parent.monthly_yuan,
                                                 1.0 if m.one_child_parent else 0.0)))
    return basic, top


def _summary(m, P, sched, qualifies, reason, paid_years, makeup_years, balance60, acc_monthly, first,
             exhausted, lump_price, totals, long_monthly, age0) -> dict:
    out = dict(eligible=bool(qualifies), eligibility_reason=reason or None,
               age_at_start=int(age0), years_paid=int(paid_years), years_made_up=int(makeup_years),
               balance_at_60=round(balance60, 2),
               personal_paid_total=round(totals["personal"], 2),
               government_subsidy_total=round(totals["government"], 2),
               collective_total=round(totals["collective"], 2),
               first_payment=year_month_text(*first) if qualifies else None,
               lump_sum_price=lump_price, account_exhausted=exhausted)
    if not qualifies:
        last = sched.iloc[-1]
        own = float(accounts.own_part_yuan(last["balance_personal_yuan"], last["balance_collective_yuan"]))
        out.update(monthly_basic_pension=0.0, monthly_account_pension=0.0, monthly_topups=0.0,
                   monthly_total=0.0, monthly_total_at_70=0.0, break_even_age=None)
        if P.scenario.benefits.short_of_years_at_60 == "refund":
            out["refund_on_leaving"] = round(own, 2)
        else:                                    # D1 Art. 21(三): kept until the years are made up
            out["account_kept"] = round(float(sched.iloc[-1]["balance_yuan"]), 2)
        return out
    basic, top = _monthly_total(m, P, *first, acc_monthly, long_monthly)
    y70, m70 = next_month(m.birth_year + 70, m.birth_month)
    y70, m70 = max((y70, m70), first)
    basic70, top70 = _monthly_total(m, P, y70, m70, acc_monthly, long_monthly)
    out.update(monthly_basic_pension=round(basic, 2), monthly_account_pension=round(acc_monthly, 2),
               monthly_topups=round(top, 2), monthly_total=round(basic + acc_monthly + top, 2),
               monthly_total_at_70=round(basic70 + acc_monthly + top70, 2))
    out["break_even_age"] = _break_even(m, P, first, acc_monthly, long_monthly, totals["personal"])
    return out


def _break_even(m, P, first, acc_monthly, long_monthly, paid_total) -> float | None:
    """Age (years, one decimal) when pension received first reaches personal payments (nominal)."""
    if paid_total <= 0:
        return None                  # nothing paid: nothing to win back
    total = 0.0
    y, mo = first
    while y <= m.birth_year + dims.MAX_AGE:
        basic, top = _monthly_total(m, P, y, mo, acc_monthly, long_monthly)
        total += basic + acc_monthly + top
        if total >= paid_total:
            return round((y - m.birth_year) + (mo - m.birth_month) / 12, 1)
        y, mo = next_month(y, mo)
    return None


def _heirs(m: Member, P: Parameters, sched: pd.DataFrame, acc_monthly: float,
           long_monthly: float) -> pd.DataFrame:
    """What heirs receive on a death early in each calendar year [yuan].

    ``age`` is the completed age on 1 January of that year (the birthday comes
    later in the year). The account except the government part (D1 Art. 20;
    D3 §7(三)(四)) as it stood on 1 January (year-end crediting), plus, once the
    pension is paid, the death grant of D3 §8(五) (months x the pension of the
    month before death, December) and any funeral grant (D1 Art. 23).
    """
    b = P.scenario.benefits
    out = []
    prev = None
    for _, row in sched.iterrows():
        year = int(row["year"])
        refund = 0.0 if prev is None else accounts.refund_and_forfeit_yuan(
            prev["balance_personal_yuan"], prev["balance_government_yuan"], prev["balance_collective_yuan"], 1.0)[0]
        grant = 0.0
        if prev is not None and prev["pension_months"] > 0:
            basic, top = _monthly_total(m, P, year - 1, 12, acc_monthly, long_monthly)
            grant = float(benefits.death_grant_yuan(basic + acc_monthly + top, b.death_grant_months_of_pension,
                                                    b.funeral_grant_yuan))
        out.append(dict(age=year - m.birth_year - 1, year=year, heirs_yuan=float(refund),
                        death_grant_yuan=grant))
        prev = row
    return pd.DataFrame(out, columns=["age", "year", "heirs_yuan", "death_grant_yuan"])


def _irr(m: Member, P: Parameters, sched: pd.DataFrame, heirs: pd.DataFrame, si: int, qualifies: bool):
    """Internal rate of return on personal payments [per year], and the survival assumption.

    Cash flows by calendar year, weighted by the probability of being alive:
    out, the personal payments (incl. made-up years and lump sums); in, the
    pension (basic + account + top-ups) and, on death, the heirs' refund and
    death grant. Survival uses the scenario's death rates by sex and year for
    the member's birth cohort, from 1 January of the enrolment year; deaths
    happen at mid-year.
    """
    assumption = ("expected cash flows, survival from the enrolment year by the scenario's "
                  f"{P.scenario.population.mortality.table} death rates for a {m.sex} born "
                  f"{m.birth_year}, deaths at mid-year; refunds and grants to heirs included")
    years = sched["year"].to_numpy()
    i = years - P.start_year
    ages = np.minimum(years - m.birth_year, dims.MAX_AGE)
    q = P.q_death[i, si, ages]
    alive_start = np.concatenate([[1.0], np.cumprod(1 - q)[:-1]])
    out_flow = (sched["personal_yuan"] + sched["catch_up_yuan"]).to_numpy() * alive_start
    pension = (sched["basic_pension_yuan"] + sched["account_pension_yuan"] + sched["longevity_gap_yuan"]
               + sched["topups_yuan"]).to_numpy()
    h = heirs.set_index("year").reindex(years).fillna(0.0)
    on_death = (h["heirs_yuan"] + h["death_grant_yuan"]).to_numpy()
    in_flow = alive_start * ((1 - q / 2) * pension + q * on_death)
    if not qualifies:                # no pension: the own part is refunded, or kept for the heirs
        last = sched.iloc[-1]
        in_flow[-1] += alive_start[-1] * (1 - q[-1]) * float(accounts.own_part_yuan(
            last["balance_personal_yuan"], last["balance_collective_yuan"]))
    cf = in_flow - out_flow
    t = years - years[0]
    if not (cf < 0).any() or not (cf > 0).any():
        return None, assumption

    def npv(rate):
        return float(np.sum(cf / (1 + rate) ** t))
    lo, hi = -0.9, 1.0
    if npv(lo) * npv(hi) > 0:
        return None, assumption
    from scipy.optimize import brentq            # here: importing scipy costs every CLI start 0.3 s
    return round(brentq(npv, lo, hi, xtol=1e-10), 6), assumption
