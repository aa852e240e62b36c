"""A finance bureau's budget tables from a projection's annual table: by level, by year, over windows.

Pure functions of ``annual`` (the projection's annual table indexed by year); the
county_budget notebook only calls them and shows the results.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .. import dims


def first_budget_year(budget_year: int | None, years, today: _dt.date | None = None) -> int:
    """The first budget year: the one given, else next calendar year, kept within ``years``."""
    first = int(budget_year) if budget_year else (today or _dt.date.today()).year + 1
    return int(min(max(first, min(years)), max(years)))


def budget_by_year(annual: pd.DataFrame, first: int, n_years: int = 10) -> pd.DataFrame:
    """Year by year from ``first``: each level's contribution subsidies, basic pension and whole cost,
    the total, members and cost per member [yuan, persons, yuan per member]."""
    years = [y for y in range(first, first + n_years) if y in annual.index]
    a = annual.loc[years]
    out = pd.DataFrame({"year": years})
    for lv in dims.LEVELS:
        for what in ("contribution_subsidy", "basic_pension", "subsidy"):
            out[f"{what}_{lv}"] = a[f"{what}_{lv}"].to_numpy()
    out["government_total_cost"] = a["government_total_cost"].to_numpy()
    out["members"] = a["members"].to_numpy()
    members = out["members"].where(out["members"] > 0)
    out["cost_per_member"] = out["government_total_cost"] / members
    out["county_cost_per_member"] = out["subsidy_county"] / members
    return out


def budget_windows(budget: pd.DataFrame, annual: pd.DataFrame, first: int, level_names: dict,
                   total_name: str, windows=(1, 5, 10)) -> pd.DataFrame:
    """Sums over the first 1, 5 and 10 budget years, by level and in total [yuan]."""
    rows = []
    for n in windows:
        w = budget[budget.year < first + n]
        last = first + len(w) - 1
        span = str(first) if last == first else f"{first}-{last}"
        for lv in dims.LEVELS:
            rows.append({"years": span, "level": level_names[lv],
                         "contribution_subsidy": w[f"contribution_subsidy_{lv}"].sum(),
                         "basic_pension_paid": w[f"basic_pension_{lv}"].sum(),
                         "government_total_cost": w[f"subsidy_{lv}"].sum()})
        rows.append({"years": span, "level": total_name,
                     "contribution_subsidy": annual.loc[w.year, "subsidy_contribution"].sum(),
                     "basic_pension_paid": annual.loc[w.year, "basic_pension_paid"].sum(),
                     "government_total_cost": w["government_total_cost"].sum()})
    return pd.DataFrame(rows)


def horizon_to(last_year: int, start_year: int) -> int:
    """Projection years from ``start_year`` through ``last_year`` (at least 1)."""
    return max(1, last_year - start_year + 1)


def per_member(values: pd.Series, members: pd.Series) -> pd.Series:
    """``values`` per member, NaN where there are no members [yuan per member]."""
    return values / members.where(members > 0, np.nan)
