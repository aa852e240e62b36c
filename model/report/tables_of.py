"""The report notebooks' tables, built from projections' annual tables (indexed by year).

Pure functions; the notebooks call them and show the results, the tests check them by hand
(tests/unit/test_report_helpers.py).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def variant_effects(variants: dict[str, pd.DataFrame], base: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each variant in ``year``: members, personal payments, the county's and government's cost, the
    county's cost against the base and per member [persons, yuan, yuan per member]."""
    rows = []
    for name, v in variants.items():
        members = v.loc[year, "members"]
        rows.append({"variant": name, "members": members,
                     "contributions_personal": v.loc[year, "contributions_personal"],
                     "subsidy_county": v.loc[year, "subsidy_county"],
                     "government_total_cost": v.loc[year, "government_total_cost"],
                     "subsidy_county_diff": v.loc[year, "subsidy_county"] - base.loc[year, "subsidy_county"],
                     "county_cost_per_member": v.loc[year, "subsidy_county"] / members if members else np.nan})
    return pd.DataFrame(rows)


def pensions_at_60(runs: dict[str, pd.DataFrame], start_year: int, after_years) -> pd.DataFrame:
    """Each run, ``after_years`` after the start: members, payments, cost and the average pension of
    those starting it at 60, basic and account [persons, yuan, yuan/month]."""
    rows = []
    for name, r in runs.items():
        for k in after_years:
            y = start_year + int(k)
            if y not in r.index:
                continue
            n60 = r.loc[y, "new_pensioners_60"]
            acc = r.loc[y, "new_account_pension_monthly"] / n60 if n60 else np.nan
            basic = r.loc[y, "basic_pension_monthly_rate"]
            rows.append({"variant": name, "year": y, "members": r.loc[y, "members"],
                         "contributions_personal": r.loc[y, "contributions_personal"],
                         "government_total_cost": r.loc[y, "government_total_cost"],
                         "avg_basic_pension_at_60": basic, "avg_account_pension_at_60": acc,
                         # the engine's own figure: basic, account and the long-contribution extra
                         "avg_pension_at_60": r.loc[y, "new_pension_monthly_at_60"] if n60 else np.nan,
                         "account_to_basic": acc / basic if n60 and basic else np.nan})
    return pd.DataFrame(rows)


def side_by_side(runs: dict[str, pd.DataFrame], columns: list[str]) -> tuple[list[int], pd.DataFrame,
                                                                             pd.DataFrame]:
    """(the years every run has, their columns one run after another, each run less the first)."""
    names = list(runs)
    years = sorted(set.intersection(*(set(r.index) for r in runs.values())))
    side = pd.concat([runs[n].loc[years, columns].assign(scenario=n)[["scenario", *columns]].reset_index()
                      for n in names], ignore_index=True)
    base = runs[names[0]].loc[years, columns]
    diffs = [(runs[n].loc[years, columns] - base).add_suffix("_diff").assign(scenario=f"{n} − {names[0]}")
             .reset_index() for n in names[1:]]
    diff = pd.concat(diffs, ignore_index=True) if diffs else pd.DataFrame()
    if len(diff):
        diff = diff[["year", "scenario", *[f"{c}_diff" for c in columns]]]
    return years, side, diff


LONG_RUN = ["members", "pensioners", "account_fund_balance", "pooled_fund_balance", "longevity_gap_paid",
            "longevity_gap_from_pool", "longevity_gap_from_government", "government_to_pool",
            "basic_pension_paid", "government_total_cost", "fiscal_base"]


def long_run(annual: pd.DataFrame) -> pd.DataFrame:
    """The long-run columns by year and the basic pension's share of the fiscal base [share]."""
    t = annual[[c for c in LONG_RUN if c in annual.columns]].copy()
    t["basic_pension_share_of_fiscal_base"] = annual["basic_pension_paid"] / annual["fiscal_base"]
    return t.rename_axis("year").reset_index()


def sensitivity(base_cost: float, low_high: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Each parameter's low and high cumulative cost and the larger change against ``base_cost``
    [yuan, share], sorted by that change (a tornado chart's order)."""
    rows = [{"parameter": name, "low": low, "high": high,
             "change": max(abs(low - base_cost), abs(high - base_cost)) / base_cost}
            for name, (low, high) in low_high.items()]
    return pd.DataFrame(rows).sort_values("change")


def by_unit(results: pd.DataFrame, key: str, year: int) -> pd.DataFrame:
    """Each unit (province or county, column ``key``) in ``year``: members, pensioners, the
    government's cost by level, the cost per member, the average basic pension and the
    Ministry's fund income, expenditure and balance [persons, yuan, yuan per member, yuan/month].

    The average basic pension is what was paid over the mean of the year's opening and closing
    pensioners, a month.
    """
    r = results.set_index([key, "year"]).sort_index()
    now = r.xs(year, level="year")
    before = r.xs(year - 1, level="year")["pensioners"] if (year - 1) in r.index.get_level_values("year") \
        else pd.Series(0.0, index=now.index)
    mean_pensioners = (now["pensioners"] + before.reindex(now.index).fillna(0.0)) / 2
    out = pd.DataFrame({
        "members": now["members"], "pensioners": now["pensioners"],
        "subsidy_central": now["subsidy_central"], "subsidy_province": now["subsidy_province"],
        "subsidy_prefecture": now["subsidy_prefecture"], "subsidy_county": now["subsidy_county"],
        "government_total_cost": now["government_total_cost"]})
    out["cost_per_member"] = out["government_total_cost"] / out["members"].where(out["members"] > 0)
    out["basic_pension_monthly"] = now["basic_pension_paid"] / 12 / mean_pensioners.where(mean_pensioners > 0)
    for c in ("fund_income", "fund_expenditure", "fund_balance"):
        out[c] = now[c]
    return out
