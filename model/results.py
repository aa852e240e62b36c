"""Arrays -> tidy pandas tables with units; the registry of output variables.

Money is in nominal yuan; people in persons. ``VARIABLES`` says, for each
column of ``annual.csv``, its unit and its meaning in Chinese and English
(the contract of the CLI output, README "Outputs").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import dims

# name: (unit, 中文, English meaning)
VARIABLES = {
    "year": ("year", "年份", "calendar year"),
    "population": ("persons", "户籍人口(年内减员后)", "hukou population after the year's deaths and migration"),
    "eligible": ("persons", "应参保人数", "people eligible to join (16+, D1 Art. 6)"),
    "members": ("persons", "参保人数(年末)", "members at year end: contributors, suspended and pensioners"),
    "members_paying": ("persons", "缴费人数", "members who paid in the year (on time or made up), incl. those paying on after 60"),
    "members_paying_after_60": ("persons", "60岁后延长缴费人数", "of which paying on after 60 until the years required are reached (延缴, contributions.pay_on_after_60)"),
    "members_suspended": ("persons", "账户封存人数", "members with a sealed account: in the employee scheme (D1 Art. 15) or short of years at 60 (D1 Art. 21(三))"),
    "pensioners": ("persons", "领取养老金人数(年末)", "pensioners at year end"),
    "pensioners_basic_only": ("persons", "仅领基础养老金人数", "pensioners with no account (60+ at the start)"),
    "entrants": ("persons", "新参保人数", "new members in the year"),
    "deaths": ("persons", "参保人员死亡人数", "deaths of members"),
    "exits": ("persons", "退保人数", "members leaving: emigration (D1 Art. 35), or reaching 60 short of years under the 'refund' reading"),
    "reached_60_without_pension": ("persons", "60岁缴费年限不足人数", "members reaching 60 short of the years required (D1 Art. 21(二)(三)); their account is kept sealed or refunded as the scenario says"),
    "emigrants": ("persons", "出国(境)定居人数", "members emigrating (D1 Art. 35), included in exits"),
    "joined_employee_scheme": ("persons", "转入职工养老保险人数", "members who joined the employee scheme"),
    "population_deaths": ("persons", "户籍人口死亡人数", "deaths in the whole population"),
    "births": ("persons", "出生人数(次年0岁)", "births entering age 0 next year"),
    "net_migration": ("persons", "净迁移人数", "net migration of non-members"),
    "contributions_personal": ("yuan", "个人缴费", "premiums paid by members (incl. catch-up and lump sums)"),
    "catch_up_contributions": ("yuan", "补缴", "of which made-up years, no subsidy (D1 Art. 8)"),
    "lump_sum_purchases": ("yuan", "趸缴", "of which D3 lump-sum purchases"),
    "subsidy_contribution": ("yuan", "政府缴费补贴(入账)", "all government money paid into accounts"),
    "subsidy_paid_on_behalf": ("yuan", "政府代缴", "of which premiums paid on behalf (D1 Art. 9)"),
    "collective_contribution": ("yuan", "集体补助", "collective subsidies into accounts (D1 Art. 10)"),
    "basic_pension_paid": ("yuan", "基础养老金支出", "basic pension incl. long-contribution extra"),
    "account_pension_paid": ("yuan", "个人账户养老金支出", "account pension paid out of accounts"),
    "longevity_gap_paid": ("yuan", "长寿风险缺口支出", "account pension paid after the account is empty"),
    "longevity_gap_from_pool": ("yuan", "长寿风险缺口(统筹基金承担)", "of the longevity gap: borne by the pooled fund (the part of the fund's payments not covered by government money, D1 Art. 19)"),
    "longevity_gap_from_government": ("yuan", "长寿风险缺口(财政兜底承担)", "of the longevity gap: borne by government, government_to_pool x gap / pooled_fund_paid (D1 Art. 19)"),
    "topups_paid": ("yuan", "加发待遇", "top-ups (D3 §8(三)(四))"),
    "death_grants_paid": ("yuan", "丧葬补助/死亡补助金", "death and funeral grants"),
    "admin_costs_paid": ("yuan", "经办工作经费", "work funding per payer or new member (D3 §4(四); D5 §2(三)4), in the levels' cost"),
    "inheritance_refunds": ("yuan", "继承及退保退还", "balances paid to heirs, emigrants and leavers"),
    "forfeited_to_pool": ("yuan", "政府补贴余额并入基金", "government parts and heirless balances to the pooled fund"),
    "interest_credited": ("yuan", "个人账户利息", "interest credited to accounts"),
    "pooled_fund_interest": ("yuan", "统筹基金利息", "interest on the pooled fund"),
    "fund_taken_over": ("yuan", "接收原有基金", "a fund taken over in the first year (finance.legacy_fund_yuan: the old rural pension's balance), into the pooled fund; not income"),
    "government_to_pool": ("yuan", "财政兜底拨入", "government money covering the pooled fund's shortfall (D1 Art. 19)"),
    "pooled_fund_paid": ("yuan", "统筹基金支出", "paid from the pooled fund: the longevity gap and fund-paid top-ups and grants"),
    "account_fund_opening": ("yuan", "个人账户基金年初余额", "account fund on 1 January"),
    "account_fund_balance": ("yuan", "个人账户基金年末余额", "account fund on 31 December"),
    "pooled_fund_opening": ("yuan", "统筹基金年初余额", "pooled fund on 1 January"),
    "pooled_fund_balance": ("yuan", "统筹基金年末余额", "pooled fund on 31 December"),
    "subsidy_central": ("yuan", "中央财政支出", "central government's whole cost in the year"),
    "subsidy_province": ("yuan", "省级财政支出", "province's whole cost"),
    "subsidy_prefecture": ("yuan", "州市级财政支出", "prefecture's whole cost"),
    "subsidy_county": ("yuan", "县级财政支出", "county's whole cost"),
    "government_total_cost": ("yuan", "财政总支出", "sum of the four levels"),
    "contribution_subsidy_central": ("yuan", "中央缴费补贴", "of the central cost: money into accounts"),
    "contribution_subsidy_province": ("yuan", "省级缴费补贴", "of the province's cost: money into accounts"),
    "contribution_subsidy_prefecture": ("yuan", "州市级缴费补贴", "of the prefecture's cost: money into accounts"),
    "contribution_subsidy_county": ("yuan", "县级缴费补贴", "of the county's cost: money into accounts"),
    "basic_pension_central": ("yuan", "中央承担基础养老金", "of the central cost: basic pension"),
    "basic_pension_province": ("yuan", "省级承担基础养老金", "of the province's cost: basic pension"),
    "basic_pension_prefecture": ("yuan", "州市级承担基础养老金", "of the prefecture's cost: basic pension"),
    "basic_pension_county": ("yuan", "县级承担基础养老金", "of the county's cost: basic pension (incl. long-contribution extra)"),
    "pension_months": ("person_months", "养老金发放人月数", "months of pension paid in the year, summed over pensioners"),
    "average_monthly_pension": ("yuan_per_month", "人均月养老金", "pension paid per pensioner-month: basic (with the long-contribution extra), account pension, longevity gap and top-ups"),
    "new_pension_monthly_at_60": ("yuan_per_month", "当年60岁新领取人员月养老金", "the first monthly pension of those starting at 60 in the year, on average: the year's basic pension (its mean rate), account pension and long-contribution extra; 0 if none start"),
    "new_pensioners_60": ("persons", "当年新增60岁领取人数", "members starting their pension at 60 in the year"),
    "new_pensioners_after_paying_on": ("persons", "延长缴费后新增领取人数", "members starting their pension after paying on past 60 (延缴)"),
    "new_account_pension_monthly": ("yuan_per_month", "新增60岁领取人员个人账户月养老金合计", "the monthly account pensions of those starting at 60, summed"),
    "basic_pension_monthly_rate": ("yuan_per_month", "基础养老金月标准(年均)", "basic pension per pensioner a month, mean of the year's months"),
    "fiscal_base": ("yuan", "财政收入基数", "the scenario's fiscal base (finance.fiscal_base_yuan); empty if none"),
    "fund_income": ("yuan", "基金收入(人社部统计口径)", "fund income as the Ministry counts it: contributions, all government money into the fund (for subsidies and pensions), interest and investment income"),
    "fund_expenditure": ("yuan", "基金支出(人社部统计口径)", "fund expenditure as the Ministry counts it: every benefit paid and balances paid to heirs and leavers"),
    "fund_balance": ("yuan", "基金累计结存(年末)", "the fund's year-end balance as the Ministry counts it: account fund and pooled fund on 31 December"),
}
MINISTRY_COLUMNS = ("fund_income", "fund_expenditure", "fund_balance")
ANNUAL_COLUMNS = tuple(VARIABLES)

# the variables of ``detail.parquet`` (README, "Outputs"), each by year x age x sex x area x tier
DETAIL_VARS = ("members_paying", "members", "pensioners", "contributions_personal",
               "subsidy_contribution", "account_balance")


def ministry_columns(a) -> dict:
    """The Ministry's fund income, expenditure and year-end balance [yuan] from the engine's flows.

    ``a`` maps column names to arrays (or is a DataFrame); returns the three columns of
    ``MINISTRY_COLUMNS`` of the same shape. The statistical bulletins (人力资源和社会保障事业
    发展统计公报) report 基金收入 "of which individual contributions", 基金支出 and 累计结存
    (docs/RULES.md §10). Government money reaches pensioners through the fund, so the basic
    pension, the top-ups and grants government pays directly and its payments into the
    pooled fund count as income, and the whole benefit as expenditure. A fund taken over
    (``fund_taken_over``) is neither: income less expenditure plus what was taken over is
    the change in the balance (tested).
    """
    direct = a["topups_paid"] + a["death_grants_paid"] + a["longevity_gap_paid"] - a["pooled_fund_paid"]
    return {
        "fund_income": (a["contributions_personal"] + a["collective_contribution"] + a["subsidy_contribution"]
                        + a["interest_credited"] + a["pooled_fund_interest"] + a["basic_pension_paid"]
                        + a["government_to_pool"] + direct),
        "fund_expenditure": (a["basic_pension_paid"] + a["account_pension_paid"] + a["longevity_gap_paid"]
                             + a["topups_paid"] + a["death_grants_paid"] + a["inheritance_refunds"]),
        "fund_balance": a["account_fund_balance"] + a["pooled_fund_balance"],
    }


def annual_frame(rows: list[dict]) -> pd.DataFrame:
    """One row a year, columns in ``ANNUAL_COLUMNS`` order (units in ``VARIABLES``)."""
    df = pd.DataFrame(rows)
    df["year"] = df["year"].astype(int)
    if "fund_income" not in df:
        for k, v in ministry_columns(df).items():
            df[k] = v
    return df[list(ANNUAL_COLUMNS)]


def detail_frame(arr: np.ndarray, P) -> pd.DataFrame:
    """Long table year x age x sex x area x tier from (year, var, age, sex, area, tier+1) arrays.

    ``tier_yuan`` 0 marks people without a tier (suspended members,
    basic-only and lump-sum pensioners). Rows where every variable is 0 are
    dropped. Money in yuan, people in persons.
    """
    n_y, n_v = arr.shape[:2]
    cells = arr.reshape(n_y, n_v, -1)
    idx = np.indices((n_y, dims.N_AGE, dims.N_SEX, dims.N_AREA, len(P.tiers) + 1)).reshape(5, n_y, -1)
    vals = cells.transpose(1, 0, 2).reshape(n_v, -1)
    keep = np.abs(vals).sum(axis=0) > 0
    tiers = np.concatenate([[0.0], P.tiers])
    sel = [ix.ravel()[keep] for ix in idx]
    out = pd.DataFrame({
        "year": P.years[sel[0]],
        "age": sel[1].astype(np.int16),
        "sex": pd.Categorical.from_codes(sel[2], dims.SEXES),
        "area": pd.Categorical.from_codes(sel[3], dims.AREAS),
        "tier_yuan": tiers[sel[4]],
    })
    for k, name in enumerate(DETAIL_VARS):
        out[name] = vals[k, keep]
    return out
