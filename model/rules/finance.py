"""The pooled fund, the government backstop and who pays it, and work funding (D1 Art. 19; D3 §4(四)).

The pooled fund (统筹基金) receives the government parts and heirless balances of
accounts closed by death or emigration (D1 Art. 20, 35; D3 §7(三)(四)) and, if the
scenario says so, interest at the accounts' rate. It pays the longevity gap (account
pensions due after an account is empty, D1 Art. 19) and the top-ups and grants the
scenario pays from it. What it cannot pay, government pays into it: the county keeps
reserves and bears final responsibility (D1 Art. 19: 县级人民政府...承担最终责任), split
over the levels by ``finance.backstop_paid_by``.
"""
from __future__ import annotations

import numpy as np

from model.rules import accounts


def pool_interest_yuan(opening_yuan, rate_pa, earns_interest: bool):
    """Interest on the pooled fund's 1 January balance [yuan], none if it earns none.

    ``finance.pooled_fund_earns_interest`` (the documents are silent; D1 Art. 14's
    rate, as the accounts earn). Shapes: (batch,) -> (batch,).
    """
    return accounts.interest_yuan(opening_yuan, rate_pa) if earns_interest else np.zeros_like(rate_pa)


def pool_return_yuan(pool_opening_yuan, accounts_opening_yuan, fund_rate_pa, credited_rate_pa,
                     pool_earns: bool = True):
    """The pooled fund's investment income when the fund's own return is given [yuan].

    The whole fund (accounts and pool) is invested together (Guofa [2014] 8: one fiscal
    special account; from 2017 part entrusted to the national social security fund); the
    accounts are credited their own rate (D1 Art. 14) and what the fund earns on them above
    that rate stays in the pool, as does everything the pool earns on itself. Below that
    rate the pool makes up the difference (it may then need government, D1 Art. 19).
    With ``pool_earns`` false (``finance.pooled_fund_earns_interest``) the pool's own balance
    earns nothing. The spread is taken on the 1 January account balances (what leaves during
    the year and the year's payments are not counted apart: a small approximation). Shapes:
    (batch,) each -> (batch,).
    """
    own = pool_opening_yuan * fund_rate_pa if pool_earns else np.zeros_like(pool_opening_yuan)
    return own + accounts_opening_yuan * (fund_rate_pa - credited_rate_pa)


def government_to_pool_yuan(available_yuan, paid_from_pool_yuan):
    """Government money into the pooled fund: what the fund cannot pay itself [yuan] (D1 Art. 19).

    ``available_yuan`` is the fund's 1 January balance plus the year's forfeits and
    interest; ``paid_from_pool_yuan`` what it must pay. Shapes broadcast.
    """
    return np.maximum(paid_from_pool_yuan - available_yuan, 0.0)


def pool_closing_yuan(available_yuan, paid_from_pool_yuan, government_yuan):
    """The pooled fund's 31 December balance [yuan]: empty when government had to step in."""
    return np.where(government_yuan > 0, 0.0, available_yuan - paid_from_pool_yuan)


def longevity_gap_by_payer_yuan(gap_yuan, paid_from_pool_yuan, government_yuan):
    """The longevity gap split by who bears it: (borne by the pooled fund, borne by government) [yuan].

    D1 Art. 19: the pooled fund pays the gap, and government tops the fund up when it
    cannot. The fund also pays the top-ups and grants the scenario puts on it, and the
    documents set no order among the fund's payments, so government money is taken to
    cover every yuan the fund pays in the same proportion: the share of the gap borne
    by government is ``government / paid_from_pool`` of it (0 when the fund paid
    nothing); the rest is borne by the fund. The two add up to the gap. When the fund
    pays only the gap, government bears exactly ``government_to_pool``. Shapes
    broadcast; returns two arrays of their shape.
    """
    share = np.divide(government_yuan, paid_from_pool_yuan,
                      out=np.zeros(np.broadcast(government_yuan, paid_from_pool_yuan).shape),
                      where=paid_from_pool_yuan > 0)
    # government money beyond what the fund pays out covers an investment loss
    # (finance.fund_return_pa below the credited rate), not the gap
    share = np.minimum(share, 1.0)
    from_government = gap_yuan * share
    return gap_yuan - from_government, from_government


def admin_funding_yuan(payers, new_members, per_payer_yuan, per_new_member_yuan):
    """Work funding of the year [yuan]: per paying member (D3 §4(四)) and per new member (D5 §2(三)4).

    Shapes broadcast.
    """
    return payers * per_payer_yuan + new_members * per_new_member_yuan


def government_cost_by_level_yuan(*, contribution_subsidy, basic_pension, long_contribution_extra,
                                  backstop_and_direct, backstop_paid_by, admin, admin_paid_by):
    """Each level's whole cost in the year [yuan], shape (batch, level).

    Its contribution subsidies and basic pension (each (batch, level)); what government
    pays into the pooled fund and pays directly (top-ups and grants not paid by the fund),
    (batch,), split by ``finance.backstop_paid_by`` (D1 Art. 19); and work funding
    (batch,), split by ``finance.admin_paid_by``.
    """
    return contribution_subsidy + basic_pension + long_contribution_extra \
        + np.outer(backstop_and_direct, backstop_paid_by) + np.outer(admin, admin_paid_by)
