"""The individual account: crediting, interest and who gets the balance (D1 Art. 12-15, 18, 20).

Convention (RULES.md §3, default): year-end crediting. A payment made in
year t is credited on 31 December of t and earns interest from 1 January
of t+1; the balance at 1 January earns the whole year's rate; members who
die or leave during the year take their 1 January balance (no part-year
interest); in the year of the 60th birthday the balance for the pension is
the balance at the end of the previous year plus that year's payment.
"""
from __future__ import annotations

import numpy as np


def interest_yuan(opening_balance, rate_pa):
    """Interest credited at year end on the 1 January balance [yuan].

    D1 Art. 14: the account earns the PBoC one-year deposit rate for the
    year (就高: the higher rate if it changed during the year; the choice of
    rate is made in ``tables.deposit_rate_1y``). Shape: any -> same.
    """
    return np.asarray(opening_balance) * rate_pa


def rate_on_opening_balance_pa(rate_pa, pension_starts):
    """Rate credited at year end on the 1 January balance [per year]: none in the year payment starts.

    D1 Art. 14 credits the year's rate; RULES.md §3: in the year of the 60th birthday
    the balance for the pension is last year-end's plus that year's payment, with no
    part-year interest; likewise a D3 lump sum earns none in its purchase year (D3
    §6(一)2, paid out from the month after registration). ``pension_starts`` [bool]
    marks that year. Shapes broadcast.
    """
    return np.where(pension_starts, 0.0, rate_pa)


def payment_interest_yuan(payment, rate_pa, mid_year):
    """Interest credited at year end on the year's own payments [yuan].

    RULES.md §3 (the documents are silent): year-end crediting, the default, gives
    none; ``accounts.crediting: mid_year`` gives half a year's, ``rate_pa / 2``. Pass
    the rate of :func:`rate_on_opening_balance_pa` (none in the 60th-birthday year).
    Shapes broadcast.
    """
    return np.asarray(payment) * (np.asarray(rate_pa) / 2.0) if mid_year else np.zeros(np.shape(payment))


def own_part_yuan(personal, collective):
    """The member's own part of an account [yuan]: the personal and collective parts.

    D1 Art. 20; D3 §7(三)(四): on death or emigration the balance except the government
    subsidy part (除政府补贴外) goes to the heirs or the member. Shapes broadcast.
    """
    return np.asarray(personal) + collective


def refund_and_forfeit_yuan(personal, government, collective, heirs_share):
    """Split of a balance on death or emigration: (to heirs/member, to pooled fund) [yuan].

    D1 Art. 20; D3 §7(三)(四): the balance except the government subsidy part
    goes to the heirs (or to the emigrant, D1 Art. 35); the government part
    stays in the fund; with no heir the whole balance stays in the fund.
    ``heirs_share`` is the share of members with an heir (1 for emigrants).
    Shapes: the three parts broadcast together; returns two arrays of that shape.
    """
    own = own_part_yuan(personal, collective)
    refund = own * heirs_share
    return refund, np.asarray(government) + own - refund


def lump_sum_price_yuan(monthly_yuan, months_to_age, min_months):
    """Price of a D3 lump-sum purchase (趸缴) by someone 60+ at the start [yuan].

    D3 §6(一)2: the chosen monthly account pension (40, 60 or 90) times the
    months from now to age 75, but never fewer than 60 months (also 60 for
    those over 75). Shape: broadcast of inputs.
    """
    return np.asarray(monthly_yuan, dtype=float) * np.maximum(min_months, months_to_age)


MONTHS = np.arange(1, 13)


def lump_sum_months_to_age(age, birth_month, purchase_month, to_age):
    """Months from the purchase month to the ``to_age`` birthday [months] (D3 §6(一)2).

    距75周岁余命的实际月数: bought in month p of the year a member attains ``age``, born
    in month b, the 75th birthday is (75 - age) x 12 + b - p months away (negative past
    75). The purchase month is the registration month: the start month for those
    registering at the start (RULES.md §8). Shapes broadcast.
    """
    return (to_age - np.asarray(age)) * 12 + np.asarray(birth_month) - np.asarray(purchase_month)


def lump_sum_expected_price_yuan(monthly_yuan, age, to_age, min_months, birth_month=None,
                                 purchase_month=None):
    """Price of a D3 lump-sum purchase, averaged over what is not known [yuan].

    D3 §6(一)2: :func:`lump_sum_price_yuan` on :func:`lump_sum_months_to_age`. A birth
    month or purchase month given as None is spread evenly over 1..12 and the price
    (not the months: the 60-month floor bends it) averaged over it: the cohort engine
    pools birth months and, after the start year, registration months; the member
    calculator knows the birth month and, with ``--enrol YYYY-MM``, the month.
    Shapes: monthly_yuan and age broadcast; returns their broadcast shape.
    """
    b = MONTHS[:, None] if birth_month is None else np.array([[birth_month]])
    p = MONTHS[None, :] if purchase_month is None else np.array([[purchase_month]])
    months = lump_sum_months_to_age(np.asarray(age)[..., None, None], b, p, to_age)
    price = lump_sum_price_yuan(np.asarray(monthly_yuan, dtype=float)[..., None, None], months, min_months)
    return price.mean(axis=(-2, -1))
