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


def refund_and_forfeit_yuan(personal, government, collective, heirs_share):
    """Split of a balance on death or emigration: (to heirs/member, to pooled fund) [yuan].

    D1 Art. 20; D3 §7(三)(四): the balance except the government subsidy part
    goes to the heirs (or to the emigrant, D1 Art. 35); the government part
    stays in the fund; with no heir the whole balance stays in the fund.
    ``heirs_share`` is the share of members with an heir (1 for emigrants).
    Shapes: the three parts broadcast together; returns two arrays of that shape.
    """
    own = np.asarray(personal) + collective
    refund = own * heirs_share
    return refund, np.asarray(government) + own - refund


def lump_sum_price_yuan(monthly_yuan, months_to_age, min_months):
    """Price of a D3 lump-sum purchase (趸缴) by someone 60+ at the start [yuan].

    D3 §6(一)2: the chosen monthly account pension (40, 60 or 90) times the
    months from now to age 75, but never fewer than 60 months (also 60 for
    those over 75). Shape: broadcast of inputs.
    """
    return np.asarray(monthly_yuan, dtype=float) * np.maximum(min_months, months_to_age)
