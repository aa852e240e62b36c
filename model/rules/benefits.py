"""The pension: who qualifies, basic and account pension, top-ups and grants (D1 Art. 16, 20-24; D3 §8).

Timing within the year: pensions are monthly; a member is paid from the
month after the 60th birthday (D1 Art. 21) and up to the month of death
(payment stops the month after death, D1 Art. 23). With birth and death
months spread evenly over the year, ``month_weights_*`` give the expected
share of each calendar month that is paid.
"""
from __future__ import annotations

import numpy as np


MONTHS = np.arange(1, 13)


def month_weights_full(first_month=1):
    """Share of each month paid to a pensioner alive all year [0..1], shape (12,).

    Months before ``first_month`` (the scheme's start month in its first
    year; RULES.md §8: a scheme starting in August pays 5 months) are unpaid.
    """
    return (MONTHS >= first_month).astype(float)


def month_weights_dying(first_month=1):
    """Expected share of each month paid to a pensioner who dies in the year, shape (12,).

    Death in month d (uniform over 1..12) is paid through month d (D1 Art. 23:
    stops from the month after death), so month k is paid with probability
    (13 - k) / 12.
    """
    return month_weights_full(first_month) * (13 - MONTHS) / 12.0


def month_weights_turning_60(first_month=1, birth_month=None):
    """Share of each month paid to a member turning 60 in the year [0..1], shape (..., 12).

    D1 Art. 21 从年满60周岁的次月起: born in month m, paid from month m + 1. With
    ``birth_month`` given (the member calculator) that is 0 or 1 a month; without
    (the cohort engine) birth months are spread evenly over 1..12, so month k is
    paid with probability (k - 1) / 12 (5.5 months a year). ``birth_month`` may be
    an array: the result has its shape plus a last axis of 12 months.
    """
    if birth_month is None:
        return birthday_month_weights(month_weights_full(first_month))
    return month_weights_full(first_month) * (MONTHS > np.asarray(birth_month)[..., None])


def month_weights_registering(first_month=1, registration_month=None, at_start=False):
    """Share of each month paid in the year of registration to someone 60+ at the start [0..1], shape (12,).

    D1 Art. 21(一): no contribution needed; D1 Art. 22 从办理养老金领取手续的次月起按标准
    发放: registered in month m, paid from month m + 1 (December: from next January).
    Those registering when the scheme starts (``at_start``; the start month or a month
    before it given) are paid from the start month (RULES.md §8: Qiubei, launched in
    August 2011, paid 55 x 5 months, August-December, D5 §1). A later registration with
    the month unknown (``registration_month`` None, the cohort engine; the calculator
    given a year only) is spread evenly over 1..12: month k is paid with probability
    (k - 1) / 12, 5.5 months (RULES.md §9).
    """
    if at_start:
        return month_weights_full(first_month)
    if registration_month is None:
        return birthday_month_weights(month_weights_full(first_month))
    return month_weights_full(max(first_month, int(registration_month) + 1))


def first_month_paid(years_since_start, start_month):
    """First month pensions can be paid in a calendar year [month 1..12].

    RULES.md §8: in the scheme's first year pensions are paid from its start month
    (a start in August pays 5 months); in every later year from January.
    """
    return start_month if years_since_start == 0 else 1


def account_pension_monthly(balance_at_60, divisor):
    """Monthly account pension at the start of payment [yuan/month].

    D1 Art. 20: the account balance at 60 divided by 139; D3 §8(二)2 uses the
    Guofa [2005] 38 payout-months table, which is also 139 at age 60.
    Shape: any -> same.
    """
    return np.asarray(balance_at_60) / divisor


def years_required(years_from_start_to_60, min_years):
    """Years a member must have paid by 60 to draw the pension [years]: min(15, years from the start to 60).

    D1 Art. 21(三): 15 for those under 45 at the start (they have at least 17 years
    from the start to the year of their 60th birthday, so the minimum is 15); D1 Art.
    21(二) 按年缴费直至年满60周岁当年 ... 累计缴费不得超过15年: those 45-59 at the start pay
    every year from the start to the year of their 60th birthday, but never more than
    15 are asked (RULES.md §9: a 45-year-old, with 16 years to 60, needs 15, as a
    44-year-old does). ``years_from_start_to_60`` counts the start year and the year of
    the 60th birthday. Shapes broadcast.
    """
    return np.minimum(min_years, years_from_start_to_60)


def qualifies_for_pension(years_paid, years_from_start_to_60, min_years):
    """Whether a member reaching 60 gets the pension [bool] (D1 Art. 21(二)(三)).

    Those already 60 at the start get the basic pension without paying
    (D1 Art. 21(一)); they are not contributors and do not come here.
    """
    return np.asarray(years_paid) >= years_required(years_from_start_to_60, min_years)


def long_contribution_years(years_paid, years_made_up, counts_made_up):
    """Years that count towards the long-contribution extra [years].

    D1 Art. 20 对长期缴费的城乡居民,可适当加发基础养老金 (RULES.md §4): every year paid,
    made-up years (补缴: catch-up, D1 Art. 7-8, and at 60, D1 Art. 21) included; some
    counties count only continuous years paid on time (``counts_made_up`` false).
    Shapes broadcast; years may be fractional (a cell's mean, in the engine).
    """
    return np.asarray(years_paid, dtype=float) - (0.0 if counts_made_up else np.asarray(years_made_up, dtype=float))


def birthday_month_weights(weights):
    """Share of each month paid after a birthday in the year, from pension weights, shape (12,).

    Birth month m (uniform over 1..12) counts from month m + 1 (D1 Art. 21 次月):
    month k is after the birthday with probability (k - 1) / 12. Used for a
    top-up starting at an age (D3 §8(四)) in the year that age is reached.
    """
    return np.asarray(weights) * (MONTHS - 1) / 12.0


def long_contribution_extra_monthly(years, bands):
    """Extra basic pension for long contributors [yuan/month], by years counted.

    D1 Art. 20 对长期缴费的城乡居民,可适当加发基础养老金, at the county's cost, in bands
    ``(years_from, yuan_per_year, yuan_flat)`` in ascending order: a band runs from its
    ``years_from`` to the year before the next band's (the last has no end); a per-year band
    pays ``yuan_per_year`` a month for each year counted in it (progressively, like tax
    brackets), a flat band ``yuan_flat`` a month to a member whose years fall in it. The old
    shorthand, X a month for every year above 15, is the one band (16, X, 0).

    Whole years give the rule exactly; between two whole years the result is the straight
    line between them (the engine's cells hold mean years: exact wherever the rule is
    linear, as it is above the last band's start). Shape: years (...) -> (...).
    """
    y = np.asarray(years, dtype=float)[..., None]                 # (..., band)
    b = np.asarray(bands, dtype=float).reshape(-1, 3)
    start, per_year, flat = b[:, 0], b[:, 1], b[:, 2]
    end = np.append(start[1:] - 1, np.inf)                         # each band's last year
    in_band_years = np.clip(y - start + 1, 0.0, end - start + 1)
    # 1 from the band's first year to its last, 0 outside, straight lines between whole years
    in_band = np.clip(y - start + 1, 0.0, 1.0) - np.clip(y - end, 0.0, 1.0)
    return (per_year * in_band_years + flat * in_band).sum(axis=-1)


def long_contribution_linear_from(bands) -> int:
    """Years paid from which the long-contribution extra is linear in the years [years]: the
    last band's start (the engine's top years-paid cell must not start below it)."""
    return int(np.asarray(bands, dtype=float).reshape(-1, 3)[-1, 0])


def age_topup_months(age, weights, from_age, birth_month=None):
    """Months of the age top-up paid in a year to a pensioner of attained ``age`` [months].

    D3 §8(四) 年满70周岁及其以上的,每月增发10元: from the month after the 70th birthday
    (like the pension itself, D1 Art. 21 次月). ``weights`` (..., 12) are the months the
    pension is paid. Above ``from_age`` every paid month counts; at ``from_age`` the
    months after the birth month (given: the member calculator; None: birth months
    spread evenly, month k with probability (k - 1) / 12, independent of ``weights``);
    below it none. ``from_age`` None: no age top-up in the rule set.
    Shapes: age (...), weights (..., 12), birth_month (...) broadcast; returns (...).
    """
    w = np.asarray(weights, dtype=float)
    age = np.asarray(age)[..., None]
    if from_age is None:
        return np.zeros(np.broadcast_shapes(age.shape, w.shape)[:-1])
    after = ((MONTHS - 1) / 12.0 if birth_month is None
             else (MONTHS > np.asarray(birth_month)[..., None]).astype(float))
    share = np.where(age > from_age, 1.0, np.where(age == from_age, after, 0.0))
    return (w * share).sum(axis=-1)


def one_child_topup_yuan(pension_months, monthly_yuan, share_of_pensioners):
    """One-child parents' top-up paid [yuan]: D3 §8(三) +10 a month with the pension.

    持有《独生子女父母光荣证》的父母领取基本养老待遇时,每月增发10元: paid for every month
    the pension is paid, to the share of pensioners who hold the certificate (the
    member calculator: 1 or 0). Shapes broadcast.
    """
    return np.asarray(pension_months) * monthly_yuan * share_of_pensioners


def paid_from_account_yuan(balance, due):
    """Account pension paid out of the account while it holds money [yuan].

    D1 Art. 18: the account pays only its owner's account pension; D1 Art. 20
    支付终身: what is due after the account is empty is the longevity gap
    (``due - paid``), paid from the pooled fund or by government (D1 Art. 19).
    """
    return np.minimum(np.maximum(balance, 0.0), due)


def death_grant_yuan(last_monthly_pension, months, funeral_yuan):
    """One-off grant on a pensioner's death [yuan].

    D3 §8(五): 12 x the last monthly pension, from the fund; D1 Art. 23: a
    county may pay a funeral grant at its own cost.
    """
    return np.asarray(last_monthly_pension) * months + funeral_yuan
