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


def month_weights_turning_60(first_month=1):
    """Expected share of each month paid to a member turning 60 in the year, shape (12,).

    Birth in month m (uniform over 1..12) is paid from month m + 1 (D1 Art. 21
    从年满60周岁的次月起), so month k is paid with probability (k - 1) / 12.
    """
    return birthday_month_weights(month_weights_full(first_month))


def account_pension_monthly(balance_at_60, divisor):
    """Monthly account pension at the start of payment [yuan/month].

    D1 Art. 20: the account balance at 60 divided by 139; D3 §8(二)2 uses the
    Guofa [2005] 38 payout-months table, which is also 139 at age 60.
    Shape: any -> same.
    """
    return np.asarray(balance_at_60) / divisor


def years_required(age_at_start, years_from_start_to_60, min_years, near_age=45):
    """Years a member must have paid by 60 to draw the pension [years].

    D1 Art. 21(三): 15 for those under 45 at the start; D1 Art. 21(二): those
    45-59 at the start pay every year from the start to the year of their
    60th birthday (RULES.md §5 default reading: the 15-year cap limits only
    made-up years). Shapes broadcast.
    """
    return np.where(np.asarray(age_at_start) >= near_age, years_from_start_to_60, min_years)


def qualifies_for_pension(years_paid, age_at_start, years_from_start_to_60, min_years, near_age=45):
    """Whether a member reaching 60 gets the pension [bool] (D1 Art. 21(二)(三)).

    Those already 60 at the start get the basic pension without paying
    (D1 Art. 21(一)); they are not contributors and do not come here.
    """
    return np.asarray(years_paid) >= years_required(age_at_start, years_from_start_to_60,
                                                    min_years, near_age)


def birthday_month_weights(weights):
    """Share of each month paid after a birthday in the year, from pension weights, shape (12,).

    Birth month m (uniform over 1..12) counts from month m + 1 (D1 Art. 21 次月):
    month k is after the birthday with probability (k - 1) / 12. Used for a
    top-up starting at an age (D3 §8(四)) in the year that age is reached.
    """
    return np.asarray(weights) * (MONTHS - 1) / 12.0


def long_contribution_extra_monthly(years_over_min, yuan_per_year):
    """Extra basic pension for long contributors [yuan/month].

    D1 Art. 20 对长期缴费的城乡居民,可适当加发基础养老金: modelled as a fixed
    amount a month per year paid above 15, at the county's cost.
    """
    return np.asarray(years_over_min) * yuan_per_year


def age_topup_monthly(age, from_age, monthly_yuan):
    """Monthly top-up by age [yuan/month]: D3 §8(四) +10 from age 70."""
    if from_age is None:                         # no age top-up in the rule set
        return np.zeros(np.shape(age))
    return np.where(np.asarray(age) >= from_age, monthly_yuan, 0.0)


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
