"""The individual account: crediting, interest and who gets the balance (D1 Art. 12-15, 18, 20).

Convention (RULES.md §3, default): year-end crediting. A payment made in
year t is credited on 31 December of t and earns interest from 1 January
of t+1; the balance at 1 January earns the whole year's rate; members who
die or leave during the year take their 1 January balance (no part-year
interest); in the year of the 60th birthday the balance for the pension is
the balance at the end of the previous year plus that year's payment.
Counties read it otherwise too (issue 15): ``accounts.crediting`` (a payment
earns none, half or all of its year's interest) and ``accounts.interest_at_60``
(none, the months before the first pension month, or the whole year).
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


INTEREST_AT_60 = ("none", "until_pension", "full_year")
CREDITING = {"year_end": 0.0, "mid_year": 0.5, "year_start": 1.0}   # share of its year a payment earns


def share_of_year_at_60(reading: str, birth_month=None):
    """Share of the year's rate credited in the year of the 60th birthday [1].

    RULES.md §3 (the documents are silent), ``accounts.interest_at_60``: ``none`` (the
    default: the balance for the pension is last year-end's plus the year's payment),
    ``until_pension`` (the months before the first pension month, the month after the
    birthday, D1 Art. 21 次月: b of 12 for a birth month b; 6.5 of 12 with birth months
    pooled, as the cohort engine has them) or ``full_year`` (published examples that
    compound through the 15th year). Shape: that of ``birth_month``.
    """
    if reading not in INTEREST_AT_60:
        raise ValueError(f"accounts.interest_at_60 = {reading!r}: allowed {', '.join(INTEREST_AT_60)}")
    if reading == "none":
        return 0.0
    if reading == "full_year":
        return 1.0
    return (6.5 if birth_month is None else np.asarray(birth_month, dtype=float)) / 12.0


def rate_on_opening_balance_pa(rate_pa, pension_starts, share_at_60=0.0):
    """Rate credited at year end on the 1 January balance [per year]: ``share_at_60`` of it
    in the year payment starts (:func:`share_of_year_at_60`).

    D1 Art. 14 credits the year's rate; RULES.md §3: in the year of the 60th birthday
    the balance for the pension is last year-end's plus that year's payment, with no
    part-year interest (the default, share 0); a D3 lump sum earns none in its purchase
    year (D3 §6(一)2, paid out from the month after registration). ``pension_starts``
    [bool] marks that year. Shapes broadcast.
    """
    return np.where(pension_starts, np.asarray(rate_pa) * share_at_60, rate_pa)


def payment_interest_yuan(payment, rate_pa, crediting: str):
    """Interest credited at year end on the year's own payments [yuan].

    RULES.md §3 (the documents are silent), ``accounts.crediting``: ``year_end`` (the
    default) gives none, ``mid_year`` half a year's (``rate_pa / 2``), ``year_start``
    a whole year's (each payment earns the year it is paid). Pass the rate of
    :func:`rate_on_opening_balance_pa` (so the 60th-birthday year's reading holds for
    the payment too). Shapes broadcast.
    """
    if crediting not in CREDITING:
        raise ValueError(f"accounts.crediting = {crediting!r}: allowed {', '.join(CREDITING)}")
    return np.asarray(payment) * (np.asarray(rate_pa) * CREDITING[crediting])


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
