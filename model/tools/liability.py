"""Fiscal liability (issue 16 §3): what the scheme will cost each level of government, as one number.

``python -m model liability SCENARIO --valuation-year YEAR [--discount-rate R] [--gdp-growth G]
--out DIR``, or :func:`liability` from Python. Every number is read off projections of the engine
(``annual.csv``), so every rule is the engine's; this module only discounts and compares.

- **Present value** (:func:`present_value`): each year's flow is taken at mid-year (the engine's
  flows are spread over the year) and discounted to 1 January of the valuation year:
  PV = sum over years y >= V of flow_y / (1 + r) ** (y - V + 0.5). Nominal yuan, a nominal rate.
- **By level of government**: the columns ``subsidy_central``, ``subsidy_province``,
  ``subsidy_prefecture``, ``subsidy_county`` (each level's whole cost) and ``government_total_cost``,
  over 30 years, 75 years and to the projection's horizon. A span longer than what is left of the
  projection stops at its last year and says so (``years_counted``, ``truncated``).
- **Open and closed group**: the open group is the scenario as it is (everyone who will ever
  join). The closed group is today's members only: the same scenario in which nobody joins from
  the valuation year on (:func:`closed_group_scenario`). It includes what government will still
  pay for them: subsidies on their future payments as well as the pensions already promised.
  ``new_entrants`` = open − closed: the cost of those who join later, including what their
  forfeited balances do to the pooled fund (the backstop is not linear, so this is the
  difference the new entrants make, not a cost computed for them alone).
- **The longevity gap** (account pensions paid after the account is empty, D1 Art. 19): its
  present value, borne by the pooled fund (``longevity_gap_from_pool``) or by government
  (``longevity_gap_from_government``), the government's part split over the levels by
  ``finance.backstop_paid_by`` (the engine splits the backstop so: ``model/rules/finance.py``).
- **Trustee indicators**: the first year the pooled fund cannot pay and the government backstop
  starts (``government_to_pool`` above a yuan; the pool then closes the year at 0,
  ``finance.pool_closing_yuan``), and the first year the pooled fund's year-end balance is 0 after
  having been positive (the same year where there is one pool; a staged scenario keeps one pool per
  stage, ``annual.attrs["pools"]``, and the backstop may start while other pools still hold money);
  the government's cost as a share of the scenario's fiscal base (``finance.fiscal_base_yuan``)
  and, for a national scenario (:func:`is_national`), of GDP: the National Bureau of Statistics'
  nominal GDP 2009-2024 (``model/data/raw/nbs_gdp_2009_2024.csv``) and a stated growth after 2024
  (:data:`DEFAULT_GDP_GROWTH_PA`).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from model import dims
from model.io.tables import DATA_DIR, read_data_csv
from model.scenario import Scenario, ScenarioError, with_overrides
from model.tools.solve import default_runner   # a projection's annual table

# The default discount rate: the government's own long-term borrowing rate, because the liability
# is a promise of government and the flows are nominal yuan. Chinese government bonds of 20 years
# yielded 2.93 % on 3 January 2024, 2.15 % at the year's low (23 September) and 2.32 % on 21 October
# 2024 (worldgovernmentbonds.com, China 20 years); the 10-year yield ran from 2.60 % (2 January 2024)
# to 1.69 % (22 December 2024), with a median of 3.26 % since 2006 (CEIC, China Central Depository &
# Clearing). 2.5 % is about the middle of the long yields in 2024: above the 2025 trough (10 years
# 1.60 % on 6 February 2025; a 30-year auction at 1.97 % in July 2025), below the long-run median.
# It is close to what the national scenario's fund earns in 2025 (finance.fund_return_pa 2.31 %).
# Not the accounts' crediting rate (the deposit rate, 1.50 % held after 2015): that is what members
# are promised on their accounts, not what money costs the government.
DEFAULT_DISCOUNT_RATE_PA = 0.025
DISCOUNT_RATE_REASON = (
    "the government's long-term borrowing rate, nominal like the flows: Chinese government bonds of "
    "20 years yielded 2.93 % (3 Jan 2024) to 2.15 % (23 Sep 2024), 2.32 % on 21 Oct 2024 "
    "(worldgovernmentbonds.com); 10 years 2.60 % to 1.69 % in 2024, median 3.26 % since 2006 (CEIC/CCDC). "
    "2.5 % is about the middle of the long yields in 2024")
# Allowed discount rates and GDP growth: -5 % to 20 % a year. Wide enough for any nominal or real rate
# a government discounts at (Chinese 10-year yields ran 1.6-4.7 % since 2006; real rates can be
# negative), and 1 / (1 + r) stays finite; outside it is a typo, such as 2.5 meant as 2.5 %.
RATE_RANGE = (-0.05, 0.2)
# GDP after the last year of the shipped table (ASSUMPTION): 4 % a year nominal. Nominal GDP grew
# 4.2 % in 2024 (real 5.0 %, prices -0.8 %), and the 2025 preliminary figure (140.1879 trillion yuan,
# NBS 2026-01-19) is 4.0 % above 2024's final; real growth is expected to slow as the population
# shrinks while prices recover, so one steady 4 % is taken for the whole projection. The share of
# GDP is sensitive to it: over 75 years, 1 point of growth a year changes the last year's GDP by a
# factor of about 2.
DEFAULT_GDP_GROWTH_PA = 0.04
GDP_GROWTH_REASON = (
    "ASSUMPTION: nominal GDP grew 4.2 % in 2024 and the 2025 preliminary figure (140.1879 trillion "
    "yuan, NBS 2026-01-19) is 4.0 % above 2024; slower real growth and recovering prices are taken "
    "to balance at a steady 4 % a year")
GDP_FILE = "nbs_gdp_2009_2024.csv"
GDP_SOURCE = ("National Bureau of Statistics (NBS), nominal GDP 2009-2024 (model/data/raw/nbs_gdp_2009_2024.csv; "
              "model/data/PROVENANCE.md): 2009-2022 on the 4th economic census base, 2023-2024 on the 5th")

LEVEL_COLUMNS = {**{lvl: f"subsidy_{lvl}" for lvl in dims.LEVELS}, "total": "government_total_cost"}
GROUPS = ("open", "closed", "new_entrants")
HORIZONS = (30, 75, None)
BACKSTOP_TOL_YUAN = 1.0          # a yuan: below it, rounding noise of sums in the trillions
COMMAND = "liability"
WRITES = ("liability.csv", "indicators.csv", "summary.json")


class LiabilityError(ScenarioError):
    """A question that cannot be asked as written: one line naming the option, the value and what is allowed."""


# --------------------------------------------------------------------------
# Discounting
# --------------------------------------------------------------------------
def present_value(flows_by_year: pd.Series, rate: float, valuation_year: int, years: int | None = None) -> float:
    """The present value of yearly flows on 1 January of ``valuation_year`` [yuan].

    Each year's flow is taken at mid-year and discounted by ``(1 + rate) ** (y - V + 0.5)``
    (V the valuation year; a flow of the valuation year itself is half a year away). Flows of
    years before V are left out; ``years`` counts the years V .. V + years - 1 (None: every
    year from V on). Years the series does not hold count as nothing, so a span longer than the
    series stops at its last year. ``flows_by_year`` is indexed by calendar year, in yuan.
    """
    if not rate > -1.0:
        raise LiabilityError(f"discount rate {rate!r}: must be above -1 (a factor 1 / (1 + r))")
    if years is not None and years < 1:
        raise LiabilityError(f"years {years!r}: give a number of years of 1 or more, or None for all")
    y = np.asarray(flows_by_year.index, dtype=int)
    keep = y >= valuation_year
    if years is not None:
        keep &= y < valuation_year + years
    t = y[keep] - valuation_year + 0.5                             # mid-year
    return float((np.asarray(flows_by_year, dtype=float)[keep] * (1.0 + rate) ** -t).sum())


def discount_factors(years, rate: float, valuation_year: int) -> np.ndarray:
    """The mid-year discount factor of each year to 1 January of ``valuation_year`` (NaN before it)."""
    y = np.asarray(years, dtype=float)
    return np.where(y >= valuation_year, (1.0 + rate) ** -(y - valuation_year + 0.5), np.nan)


@dataclass(frozen=True)
class Span:
    """The years a horizon counts: ``label`` (30y, 75y, to_horizon), first and last year, how many."""
    label: str
    asked_years: int | None
    first_year: int
    last_year: int
    years_counted: int
    truncated: bool                  # the projection ends before the years asked

    def text(self) -> str:
        if self.asked_years is None:
            return f"to the horizon, {self.first_year}-{self.last_year} ({self.years_counted} years)"
        cut = f" ({self.years_counted} years: the projection ends)" if self.truncated else ""
        return f"{self.asked_years} years, {self.first_year}-{self.last_year}{cut}"


def span(valuation_year: int, years: int | None, last_year: int) -> Span:
    """The years ``years`` from ``valuation_year`` count in a projection ending in ``last_year``."""
    want_last = last_year if years is None else valuation_year + years - 1
    last = min(want_last, last_year)
    return Span(label="to_horizon" if years is None else f"{years}y", asked_years=years,
                first_year=valuation_year, last_year=last, years_counted=last - valuation_year + 1,
                truncated=years is not None and want_last > last_year)


# --------------------------------------------------------------------------
# The closed group, national scenarios, GDP
# --------------------------------------------------------------------------
def closed_group_scenario(scenario: Scenario, valuation_year: int) -> Scenario:
    """``scenario`` with nobody joining from ``valuation_year`` on: today's members only.

    New members come in through the enrolment target (``enrolment.rate_path`` ×
    ``relative_by_age_band`` × the eligible): each age's entrants are what the target exceeds
    its members by, never fewer than none (``phases.enrolment``, D1 Art. 6), and the 60+ at the
    start register up to the same target (``phases.late_registration``). A target of 0 therefore
    admits nobody and removes nobody. The rate path is rewritten as its January value in each
    year before the valuation year (the engine reads it once a year, in January) and 0 from it,
    so every year before is the scenario's own (tested); a staged scenario's stages all read it.
    """
    from model.parameters import yearly_values
    first = scenario.scheme.start_year
    years = np.arange(first, valuation_year)
    rates = yearly_values(scenario.enrolment.rate_path, years) if len(years) else np.array([])
    values = {f"{y}-01": float(r) for y, r in zip(years, rates)}
    values[f"{valuation_year}-01"] = 0.0
    closed = with_overrides(scenario, {"enrolment": {"rate_path": {"values": values, "growth_pa_after_last": 0.0}}},
                            f"the closed group from {valuation_year}")
    return closed


def is_national(scenario: Scenario) -> bool:
    """Whether the scenario's population is the whole nation: a national census profile at its own
    total (``population.profile: census2010:national`` with no ``total``, ``area_totals`` or
    ``band_totals``, as scenarios/national*.yaml). A national profile scaled to a county's total is
    only that county's age shape."""
    pop = scenario.population
    return (pop.profile.endswith(":national") and pop.total is None and pop.area_totals is None
            and pop.band_totals is None)


def gdp_table() -> pd.DataFrame:
    """China's nominal GDP by year as the National Bureau of Statistics published it [yuan]
    (model/data/raw/nbs_gdp_2009_2024.csv: year, gdp_yuan, vintage, source, confidence)."""
    return read_data_csv(DATA_DIR / GDP_FILE)


def gdp_path(years, growth_pa: float = DEFAULT_GDP_GROWTH_PA) -> pd.DataFrame:
    """Nominal GDP in each of ``years`` [yuan], with its basis: the NBS table where it has the year,
    the last year's GDP grown at ``growth_pa`` a year after it (ASSUMPTION), NaN before the table.

    Returns columns ``year``, ``gdp_yuan``, ``gdp_basis`` (``NBS`` or ``assumed growth``).
    """
    t = gdp_table().set_index("year")["gdp_yuan"].astype(float)
    last = int(t.index.max())
    out = []
    for y in (int(v) for v in years):
        if y in t.index:
            out.append((y, float(t.loc[y]), "NBS"))
        elif y > last:
            out.append((y, float(t.loc[last]) * (1.0 + growth_pa) ** (y - last), "assumed growth"))
        else:
            out.append((y, math.nan, ""))
    return pd.DataFrame(out, columns=["year", "gdp_yuan", "gdp_basis"])


def backstop_first_year(annual: pd.DataFrame) -> int | None:
    """The first year government pays into the pooled fund because it cannot pay (D1 Art. 19), or None."""
    hit = annual.loc[annual["government_to_pool"] > BACKSTOP_TOL_YUAN, "year"]
    return int(hit.iloc[0]) if len(hit) else None


def pool_empty_first_year(annual: pd.DataFrame) -> int | None:
    """The first year the pooled fund closes at 0 after a year-end above 0, or None."""
    bal = annual["pooled_fund_balance"].to_numpy(dtype=float)
    was_positive = np.maximum.accumulate(bal > BACKSTOP_TOL_YUAN)
    empty = (bal <= BACKSTOP_TOL_YUAN) & np.concatenate([[False], was_positive[:-1]])
    return int(annual["year"].to_numpy()[empty][0]) if empty.any() else None


# --------------------------------------------------------------------------
# The answer
# --------------------------------------------------------------------------
@dataclass
class LiabilityResult:
    """Present values and trustee indicators of one scenario at one valuation date.

    ``open_annual`` and ``closed_annual`` are the two projections' annual tables (README,
    Outputs); everything else is computed from them on demand (:meth:`tables`).
    """
    title: str
    valuation_year: int
    discount_rate_pa: float
    discount_rate_reason: str
    spans: list
    open_annual: pd.DataFrame
    closed_annual: pd.DataFrame
    backstop_paid_by: dict            # level -> share (finance.backstop_paid_by)
    national: bool
    gdp_growth_pa: float
    gdp_growth_reason: str = GDP_GROWTH_REASON
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # ---- flows by year of each group
    def flows(self, group: str, column: str) -> pd.Series:
        """A column of ``annual.csv`` for ``group`` (open, closed, new_entrants = open − closed), by year."""
        o = self.open_annual.set_index("year")[column].astype(float)
        if group == "open":
            return o
        c = self.closed_annual.set_index("year")[column].astype(float)
        if group == "closed":
            return c
        if group == "new_entrants":
            return o - c
        raise KeyError(group)

    def pv(self, group: str, column: str, s: Span) -> float:
        """The present value of ``column`` for ``group`` over the span [yuan]."""
        return present_value(self.flows(group, column), self.discount_rate_pa, self.valuation_year,
                             s.asked_years)

    # ---- tables
    def liability_table(self) -> pd.DataFrame:
        """PV of each level's cost: group × level × horizon, one row each (pv_yuan)."""
        rows = []
        for g in GROUPS:
            for s in self.spans:
                for lvl, col in LEVEL_COLUMNS.items():
                    rows.append({"group": g, "level": lvl, "column": col, "horizon": s.label,
                                 "horizon_years": s.asked_years, "first_year": s.first_year,
                                 "last_year": s.last_year, "years_counted": s.years_counted,
                                 "truncated": s.truncated, "pv_yuan": self.pv(g, col, s)})
        out = pd.DataFrame(rows)
        out["horizon_years"] = out["horizon_years"].astype("Int64")
        return out

    def longevity_gap_table(self) -> pd.DataFrame:
        """PV of the longevity gap by who bears it: group × horizon × bearer (pv_yuan).

        ``all`` = ``pooled_fund`` + ``government``; the government's part by level follows
        ``finance.backstop_paid_by``.
        """
        rows = []
        for g in ("open", "closed"):
            for s in self.spans:
                base = {"group": g, "horizon": s.label, "first_year": s.first_year, "last_year": s.last_year,
                        "years_counted": s.years_counted, "truncated": s.truncated}
                gov = self.pv(g, "longevity_gap_from_government", s)
                rows.append({**base, "borne_by": "all", "pv_yuan": self.pv(g, "longevity_gap_paid", s)})
                rows.append({**base, "borne_by": "pooled_fund", "pv_yuan": self.pv(g, "longevity_gap_from_pool", s)})
                rows.append({**base, "borne_by": "government", "pv_yuan": gov})
                for lvl in dims.LEVELS:
                    rows.append({**base, "borne_by": f"government_{lvl}",
                                 "pv_yuan": gov * self.backstop_paid_by[lvl]})
        return pd.DataFrame(rows)

    def indicators_table(self) -> pd.DataFrame:
        """By year: each group's cost, the pooled fund and the backstop, and the cost's share of the
        fiscal base and (national scenarios) of GDP."""
        o = self.open_annual.set_index("year")
        years = o.index.to_numpy(dtype=int)
        out = pd.DataFrame({"year": years})
        out["discount_factor"] = discount_factors(years, self.discount_rate_pa, self.valuation_year)
        for g in GROUPS:
            out[f"government_total_cost_{g}_yuan"] = self.flows(g, "government_total_cost").to_numpy()
        out["pooled_fund_balance_yuan"] = o["pooled_fund_balance"].to_numpy(dtype=float)
        out["government_to_pool_yuan"] = o["government_to_pool"].to_numpy(dtype=float)
        out["longevity_gap_paid_yuan"] = o["longevity_gap_paid"].to_numpy(dtype=float)
        base = o["fiscal_base"].to_numpy(dtype=float) if "fiscal_base" in o else np.full(len(years), np.nan)
        cost = out["government_total_cost_open_yuan"].to_numpy()
        out["fiscal_base_yuan"] = base
        out["cost_share_of_fiscal_base"] = np.divide(cost, base, out=np.full(len(years), np.nan),
                                                     where=np.isfinite(base) & (base > 0))
        if self.national:
            gdp = gdp_path(years, self.gdp_growth_pa)
            out["gdp_yuan"] = gdp["gdp_yuan"].to_numpy()
            out["gdp_basis"] = gdp["gdp_basis"].to_numpy()
            out["cost_share_of_gdp"] = cost / out["gdp_yuan"].to_numpy()
        else:
            out["gdp_yuan"] = np.nan
            out["gdp_basis"] = ""
            out["cost_share_of_gdp"] = np.nan
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tidy tables: ``liability``, ``longevity_gap``, ``indicators`` (columns named with their unit)."""
        if not self._cache:
            self._cache.update(liability=self.liability_table(), longevity_gap=self.longevity_gap_table(),
                               indicators=self.indicators_table())
        return {k: v.copy() for k, v in self._cache.items()}

    # ---- the summary
    def pooled_fund(self, group: str = "open") -> dict:
        a = self.open_annual if group == "open" else self.closed_annual
        return {"backstop_first_year": backstop_first_year(a), "pool_empty_first_year": pool_empty_first_year(a),
                "pools": int(a.attrs.get("pools", 1))}

    def summary(self) -> dict:
        """The headline figures, JSON-ready (no NaN: None where a figure does not apply)."""
        t = self.tables()
        liab, gap, ind = t["liability"], t["longevity_gap"], t["indicators"]
        by = liab.set_index(["group", "horizon", "level"])["pv_yuan"]
        pv_levels = {g: {s.label: {lvl: by[(g, s.label, lvl)] for lvl in LEVEL_COLUMNS} for s in self.spans}
                     for g in GROUPS}
        pv_total = {g: {h: v["total"] for h, v in pv_levels[g].items()} for g in GROUPS}
        gaps: dict = {}
        for r in gap.itertuples():
            gaps.setdefault(r.group, {}).setdefault(r.horizon, {})[r.borne_by] = r.pv_yuan
        after = ind[ind["year"] >= self.valuation_year]
        out = {
            "scenario": self.title,
            "valuation_year": self.valuation_year,
            "valuation_date": f"{self.valuation_year}-01-01",
            "discount_rate_pa": self.discount_rate_pa,
            "discount_rate_reason": self.discount_rate_reason,
            "timing": "each year's flow at mid-year, discounted to 1 January of the valuation year: "
                      "PV = sum of flow_y / (1 + r) ** (y - V + 0.5); nominal yuan",
            "projection_years": [int(ind["year"].iloc[0]), int(ind["year"].iloc[-1])],
            "horizons": [{"horizon": s.label, "first_year": s.first_year, "last_year": s.last_year,
                          "years_counted": s.years_counted, "truncated": s.truncated} for s in self.spans],
            "groups": {"open": "the scenario as it is: everyone who is or will be a member",
                       "closed": f"members on 1 January {self.valuation_year} only: nobody joins from "
                                 f"{self.valuation_year} on (enrolment target 0)",
                       "new_entrants": "open minus closed: what those joining later add"},
            "pv_government_total_cost_yuan": pv_total,
            "pv_cost_by_level_yuan": pv_levels,
            "pv_longevity_gap_yuan": gaps,
            "backstop_paid_by": self.backstop_paid_by,
            "pooled_fund": {g: self.pooled_fund(g) for g in ("open", "closed")},
            "fiscal_base": _share_summary(after, "cost_share_of_fiscal_base", self.valuation_year),
            "gdp": None,
        }
        if self.national:
            gdp = _share_summary(after, "cost_share_of_gdp", self.valuation_year) or {}
            pv_gdp = {s.label: present_value(ind.set_index("year")["gdp_yuan"], self.discount_rate_pa,
                                             self.valuation_year, s.asked_years) for s in self.spans}
            out["gdp"] = {"source": GDP_SOURCE, "growth_pa_after_2024": self.gdp_growth_pa,
                          "growth_reason": self.gdp_growth_reason, **gdp,
                          "pv_cost_share_of_pv_gdp": {k: pv_total["open"][k] / v for k, v in pv_gdp.items()}}
        return _plain(out)

    def to_files(self, folder: str | Path) -> list[Path]:
        """Write ``liability.csv``, ``indicators.csv`` and ``summary.json`` into ``folder`` (which must exist)."""
        folder = Path(folder)
        t = self.tables()
        paths = [folder / name for name in WRITES]
        t["liability"].to_csv(paths[0], index=False)
        t["indicators"].to_csv(paths[1], index=False)
        paths[2].write_text(json.dumps(self.summary(), ensure_ascii=False, indent=1, allow_nan=False),
                            encoding="utf-8")
        return paths


def _share_summary(after: pd.DataFrame, col: str, valuation_year: int) -> dict | None:
    """The share in the valuation year, at its highest (and when) and in the last year, or None if none."""
    s = after.set_index("year")[col]
    if not np.isfinite(s.to_numpy(dtype=float)).any():
        return None
    s = s.dropna()
    return {"share_in_valuation_year": s.get(valuation_year), "highest_share": float(s.max()),
            "highest_share_year": int(s.idxmax()), "share_in_last_year": float(s.iloc[-1]),
            "last_year": int(s.index[-1])}


def _plain(x):
    """JSON-safe: numpy numbers to Python numbers, NaN to None."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, np.bool_):
        return bool(x)
    return x


# --------------------------------------------------------------------------
# The calculation
# --------------------------------------------------------------------------


def check_rate(value: float, option: str, example: str) -> float:
    """``value`` if it is a yearly rate in :data:`RATE_RANGE`, else LiabilityError (one line)."""
    lo, hi = RATE_RANGE
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise LiabilityError(f"{option} {value!r}: give a yearly rate as a number, e.g. {example}") from None
    if not (lo <= v <= hi):                                        # NaN fails too
        hint = f" ({v:g} % is {v / 100:g})" if 1.0 <= v <= 100.0 else ""
        raise LiabilityError(f"{option} {value!r}: must be a yearly rate from {lo:g} to {hi:g}{hint}, e.g. {example}")
    return v


def check_valuation_year(scenario: Scenario, year) -> int:
    """``year`` if it lies in the projection, else LiabilityError (one line)."""
    first = scenario.scheme.start_year
    last = first + scenario.scheme.horizon_years - 1
    whole = isinstance(year, (int, np.integer)) and not isinstance(year, bool)
    if not whole:
        raise LiabilityError(f"--valuation-year {year!r}: give a whole year from {first} to {last}")
    y = int(year)
    if not first <= y <= last:
        raise LiabilityError(f"--valuation-year {y}: must lie in the projection, {first} to {last}")
    return y


def liability(scenario: Scenario, valuation_year: int, discount_rate: float = DEFAULT_DISCOUNT_RATE_PA,
              horizons=HORIZONS, *, gdp_growth_pa: float = DEFAULT_GDP_GROWTH_PA,
              discount_rate_reason: str | None = None,
              runner: Callable[[Scenario], pd.DataFrame] = default_runner) -> LiabilityResult:
    """Present values of government's cost and trustee indicators at 1 January of ``valuation_year``.

    Two projections: the scenario (open group) and :func:`closed_group_scenario` (closed group),
    each by ``runner`` (the engine by default). ``horizons``: numbers of years, None for the
    projection's last year. LiabilityError (a ScenarioError, one line) for a valuation year
    outside the projection or a rate outside -5 % to 20 % a year.
    """
    valuation_year = check_valuation_year(scenario, valuation_year)
    rate = check_rate(discount_rate, "--discount-rate", "0.025 for 2.5 %")
    growth = check_rate(gdp_growth_pa, "--gdp-growth", "0.04 for 4 %")
    for h in horizons:
        if h is not None and (isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1):
            raise LiabilityError(f"horizon {h!r}: give a number of years of 1 or more, or None (to the horizon)")
    if discount_rate_reason is None:
        discount_rate_reason = (DISCOUNT_RATE_REASON if rate == DEFAULT_DISCOUNT_RATE_PA
                                else "given by the user (the default 2.5 %: " + DISCOUNT_RATE_REASON + ")")
    open_annual = runner(scenario)
    closed_annual = runner(closed_group_scenario(scenario, valuation_year))
    last = int(open_annual["year"].iloc[-1])
    spans = list({s.label: s for s in (span(valuation_year, h, last) for h in horizons)}.values())   # each once
    paid_by = dict(zip(dims.LEVELS, (float(x) for x in scenario.finance.backstop_paid_by.vector())))
    return LiabilityResult(title=scenario.title, valuation_year=valuation_year, discount_rate_pa=rate,
                           discount_rate_reason=discount_rate_reason, spans=spans, open_annual=open_annual,
                           closed_annual=closed_annual, backstop_paid_by=paid_by, national=is_national(scenario),
                           gdp_growth_pa=growth)


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------
def add_parser(sub) -> argparse.ArgumentParser:
    """Add ``liability SCENARIO --valuation-year YEAR [--discount-rate R] [--gdp-growth G] --out DIR
    [--force]`` to the subcommands ``sub`` (its ``func`` is :func:`main`)."""
    p = sub.add_parser(COMMAND, help="present value of each level of government's cost, open and closed group, "
                                     "the longevity gap, when the pooled fund runs out, the cost's share of GDP")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--valuation-year", required=True, type=int, metavar="YEAR",
                   help="value on 1 January of this year; the closed group is the members on that day")
    p.add_argument("--discount-rate", type=float, default=DEFAULT_DISCOUNT_RATE_PA, metavar="R",
                   help=f"nominal yearly rate, {RATE_RANGE[0]:g} to {RATE_RANGE[1]:g} (default "
                        f"{DEFAULT_DISCOUNT_RATE_PA:g}: long Chinese government bond yields in 2024)")
    p.add_argument("--gdp-growth", type=float, default=DEFAULT_GDP_GROWTH_PA, metavar="G",
                   help=f"national scenarios: nominal GDP growth a year after 2024 (default "
                        f"{DEFAULT_GDP_GROWTH_PA:g}, ASSUMPTION)")
    p.add_argument("--out", required=True, help="output folder: " + ", ".join(WRITES) + ", manifest.json")
    from model.io.outputs import add_force_option
    add_force_option(p)
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    """``liability``: checks the question and the output folder before any work, projects the open
    and closed group, writes the files in one step (model.io.outputs). 0 done; 1 if a projection
    breaks an identity (a model error, listed in the manifest); bad input raises ScenarioError."""
    from model import checks
    from model.io.outputs import Owned, check_out, output_folder
    from model.scenario import file_sha256, load_scenario
    scen = load_scenario(args.scenario)
    check_valuation_year(scen, args.valuation_year)
    check_rate(args.discount_rate, "--discount-rate", "0.025 for 2.5 %")
    check_rate(args.gdp_growth, "--gdp-growth", "0.04 for 4 %")
    check_out(args.out, Owned(COMMAND), args.force)                 # refuse before any work
    try:
        res = liability(scen, args.valuation_year, args.discount_rate, gdp_growth_pa=args.gdp_growth)
    except ValueError as exc:                        # parameter combinations found on resolving
        raise ScenarioError(f"{args.scenario}: {exc}") from None
    failures = [f"open group: {f}" for f in checks.all_identities(res.open_annual)] \
        + [f"closed group: {f}" for f in checks.all_identities(res.closed_annual)]
    summary = res.summary()
    with output_folder(args.out, COMMAND, force=args.force) as st:
        res.to_files(st.dir)
        st.manifest.update({
            "scenario": str(Path(args.scenario).resolve()), "scenario_sha256": file_sha256(Path(args.scenario)),
            "gdp_table_sha256": file_sha256(DATA_DIR / GDP_FILE),
            "question": {"valuation_year": res.valuation_year, "discount_rate_pa": res.discount_rate_pa,
                         "gdp_growth_pa": res.gdp_growth_pa},
            "identity_failures": failures})
    for line in summary_lines(res, summary):
        print(line)
    print(f"wrote {args.out}/" + ", ".join((*WRITES, "manifest.json")))
    from model import checks
    return checks.print_failures(failures, f"{args.out}/manifest.json", "the projections")


def _money(x) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if abs(x) >= 1e12:
        return f"{x / 1e12:,.2f} trillion"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f} billion"
    return f"{x:,.0f}"


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.2f} %"


def summary_lines(res: LiabilityResult, summary: dict | None = None) -> list[str]:
    """The result in a few lines, as the command prints it (yuan)."""
    s = summary or res.summary()
    pv = s["pv_government_total_cost_yuan"]
    lines = [f"{res.title}: valued at 1 January {res.valuation_year}, discount rate "
             f"{100 * res.discount_rate_pa:g} % a year (flows at mid-year, nominal yuan)",
             "present value of government's cost (all levels), yuan:"]
    for sp in res.spans:
        lines.append(f"  {sp.text()}: open group {_money(pv['open'][sp.label])}, closed group "
                     f"{_money(pv['closed'][sp.label])}, new entrants {_money(pv['new_entrants'][sp.label])}")
    last = res.spans[-1].label
    lv = s["pv_cost_by_level_yuan"]["open"][last]
    lines.append("  open group to the horizon by level: " + ", ".join(f"{k} {_money(lv[k])}" for k in dims.LEVELS))
    g = s["pv_longevity_gap_yuan"]["open"][last]
    who = ", ".join(f"{k} {_money(g['government_' + k])}" for k in dims.LEVELS if res.backstop_paid_by[k] > 0)
    lines.append(f"longevity gap to the horizon (open group): {_money(g['all'])}, of which the pooled fund "
                 f"{_money(g['pooled_fund'])}, government {_money(g['government'])}" + (f" ({who})" if who else ""))
    pf = s["pooled_fund"]["open"]
    if pf["backstop_first_year"] is None:
        lines.append("pooled fund: never runs out within the projection")
    else:
        empty = pf["pool_empty_first_year"]
        pools = "" if pf["pools"] == 1 else (f" ({pf['pools']} pools; all empty in {empty})" if empty else
                                             f" ({pf['pools']} pools; not all empty within the projection)")
        lines.append(f"pooled fund: runs out in {pf['backstop_first_year']}, when the government backstop starts"
                     + pools)
    for key, what in (("fiscal_base", "fiscal base"), ("gdp", "GDP")):
        sh = s[key]
        if sh and "highest_share" in sh:
            lines.append(f"cost as a share of {what}: {_pct(sh['share_in_valuation_year'])} in {res.valuation_year}, "
                         f"highest {_pct(sh['highest_share'])} in {sh['highest_share_year']}, "
                         f"{_pct(sh['share_in_last_year'])} in {sh['last_year']}"
                         + (f" (GDP: NBS to 2024, then {100 * res.gdp_growth_pa:g} % a year, ASSUMPTION)"
                            if key == "gdp" else ""))
    return lines
