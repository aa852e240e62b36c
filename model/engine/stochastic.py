"""Stochastic projections: interest and mortality paths as a batch axis inside one projection.

Interest: a mean-reverting (discrete Ornstein-Uhlenbeck / AR(1)) model of the
yearly crediting rate, r(t+1) = r(t) + kappa (m(t+1) - r(t)) + sigma e(t), its
speed kappa and spread sigma fitted by least squares (scipy) to the PBoC one-year
deposit rate history in the shipped table (2007-2015, the scenario's 就高 or other
rule). The paths revert to m(t), the scenario's own rate of the year (its central
assumption), not to the history's mean (``RateModel.mu``, 3.1 % against the 1.5 %
in force since 2015), so the band is around the deterministic projection. Years
the history covers keep the history, later years are simulated from the last
known rate, floored at 0. Mortality: the scenario's death rates with the force of mortality scaled by
exp(W(t)), W a random walk with yearly standard deviation ``sigma_mortality``
(improvement faster or slower than the table's). Seeded and reproducible.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from model.io import tables
from model.parameters import Parameters, resolve
from model.engine.project import combine_stages, rollout_stages, run
from model.scenario import Scenario

SUMMARY = ("account_fund_balance", "pooled_fund_balance", "longevity_gap_paid", "government_total_cost",
           "subsidy_county", "basic_pension_paid", "interest_credited", "pensioners", "members")


@dataclass(frozen=True)
class RateModel:
    """r(t+1) = r(t) + kappa (mu - r(t)) + sigma e(t), rates as fractions a year."""
    kappa: float
    mu: float
    sigma: float
    first_year: int
    last_year: int


def fit_rate_model(rule: str = "highest") -> RateModel:
    """Fit the mean-reverting model to the yearly deposit rates of the shipped table (least squares)."""
    last = tables.deposit_rate_last_change_year()
    years = np.arange(2007, last + 1)
    r = tables.deposit_rate_path(years, rule)
    fit = stats.linregress(r[:-1], r[1:])                    # r(t+1) = a + b r(t)
    kappa = 1.0 - fit.slope
    mu = fit.intercept / kappa if kappa > 1e-9 else float(r.mean())
    resid = r[1:] - (fit.intercept + fit.slope * r[:-1])
    sigma = float(np.sqrt((resid ** 2).sum() / max(len(resid) - 2, 1)))
    return RateModel(kappa=float(kappa), mu=float(mu), sigma=sigma, first_year=int(years[0]),
                     last_year=int(years[-1]))


def rate_paths(P: Parameters, n: int, rng: np.random.Generator, model: RateModel,
               from_year: int | None = None) -> np.ndarray:
    """Crediting-rate paths, shape (year, path): the scenario's own path where known (the
    table's years, and every year before ``from_year``), then simulated."""
    years = P.years
    out = np.empty((len(years), n))
    base = np.asarray(P.rate_pa[:, 0], dtype=float)             # the scenario's own path
    known = years <= max(model.last_year, (from_year or 0) - 1)
    out[known] = base[known][:, None]
    r = np.full(n, base[known][-1] if known.any() else base[0])
    for t in np.nonzero(~known)[0]:               # reverting to the scenario's own rate of the year
        r = np.maximum(r + model.kappa * (base[t] - r) + model.sigma * rng.standard_normal(n), 0.0)
        out[t] = r
    return out


def mortality_factors(n_years: int, n: int, rng: np.random.Generator, sigma: float,
                      fixed_years: int = 1) -> np.ndarray:
    """Multipliers of the force of mortality, shape (year, path): exp of a random walk, 1 in the
    first ``fixed_years`` years (the start year; and the past, in a forecast)."""
    steps = sigma * rng.standard_normal((n_years, n))
    steps[:max(fixed_years, 1)] = 0.0
    return np.exp(np.cumsum(steps, axis=0))


@dataclass
class Paths:
    """Flows of every path: ``flows[name]`` has shape (year, path)."""
    years: np.ndarray
    flows: dict
    rate_model: RateModel
    seed: int

    def percentiles(self, columns=SUMMARY, q=(5, 50, 95)) -> pd.DataFrame:
        """Percentiles over paths by year, one column per (variable, percentile)."""
        out = {"year": self.years}
        for c in columns:
            for qq, v in zip(q, np.percentile(self.flows[c], q, axis=1)):
                out[f"{c}_p{qq}"] = v
        return pd.DataFrame(out)

    def long(self, columns=SUMMARY) -> pd.DataFrame:
        """A tidy table: path x year x the chosen columns."""
        n_y, n = self.flows[columns[0]].shape
        return pd.DataFrame({"path": np.tile(np.arange(n), n_y), "year": np.repeat(self.years, n),
                             **{c: self.flows[c].ravel() for c in columns}})


def pool_tiers(P: Parameters) -> Parameters | None:
    """``P`` with the tiers of each area pooled into one average tier, or None when not exact.

    Within a cell (age, sex, area, years paid) every tier has the same deaths, exits and
    density, and every rule is linear in the tier's amounts, so when every cell holds the
    year's tier mix one tier at the mix's average amounts gives the same totals (tested).
    Every cell holds it when the mix never changes, or when every payer chooses afresh each
    year (``tier_rechoice_share`` 1, D1 Art. 7): then the average amounts are the year's.
    Otherwise a mix that changes would give cohorts different mixes.
    """
    mix = P.tier_mix                                               # (year, area, tier)
    if np.allclose(mix, mix[:1]):
        mix = np.broadcast_to(mix[:1], mix.shape)
    elif P.tier_rechoice_share != 1.0:
        return None
    avg = lambda a: (a * mix[:, None]).sum(axis=-1, keepdims=True)   # noqa: E731  (year, level, area, 1)
    by_year = (P.tier_yuan[None] * mix).sum(axis=-1, keepdims=True)    # (year, area, 1)
    return replace(P, tiers=np.array([np.nan]), tier_yuan=by_year[0],   # the pooled tier has no one amount
                   tier_yuan_by_year=by_year,
                   tier_allowed=np.ones((mix.shape[1], 1), bool),
                   tier_mix=np.ones((len(P.years), mix.shape[1], 1)),
                   subsidy_by_level=avg(P.subsidy_by_level), on_behalf_by_level=avg(P.on_behalf_by_level),
                   personal=(P.personal * mix).sum(axis=-1, keepdims=True))


def _run_paths(P: Parameters, rates: np.ndarray, morts: np.ndarray, chunk: int, pooled: bool) -> dict:
    """Flows (year, path) of ``P`` under the given rate and mortality paths, ``chunk`` paths at a time."""
    if pooled:
        P = pool_tiers(P) or P
    parts = []
    for lo in range(0, rates.shape[1], chunk):
        hi = min(lo + chunk, rates.shape[1])
        fund = (None if P.fund_rate_pa is None       # the fund's return moves with the credited rate
                else P.fund_rate_pa[:, :1] + rates[:, lo:hi] - P.rate_pa[:, :1])
        flows, _ = run(replace(P, rate_pa=rates[:, lo:hi], fund_rate_pa=fund, mort_factor=morts[:, lo:hi]))
        parts.append(flows)
    return {k: np.concatenate([p[k] for p in parts], axis=1) for k in parts[0]}


def project_paths(scenario: Scenario | Parameters, n_paths: int = 1000, seed: int = 2011,
                  sigma_mortality: float = 0.01, chunk: int = 25, rule: str | None = None,
                  pooled: bool = True, from_year: int | None = None) -> Paths:
    """Project ``n_paths`` interest and mortality paths of one scenario [yuan, persons].

    Paths run ``chunk`` at a time along the engine's batch axis (memory), drawn from
    one seeded generator so the result does not depend on the chunk size. With
    ``pooled`` the tiers are pooled where that is exact (``pool_tiers``), which makes
    each path several times cheaper. A staged scenario (``scheme.rollout``) runs each
    stage under the same calendar years of every path and adds them as
    ``projection.project_rollout`` does. A later stage starts from the deterministically
    aged population, so a path's mortality shocks before that stage starts do not reach it.
    With ``from_year`` (a forecast from a calibrated backcast) every path keeps the
    scenario's own rates and death rates before that year.
    """
    staged = isinstance(scenario, Scenario) and scenario.scheme.rollout
    stages = rollout_stages(scenario) if staged else None
    P = stages[0][2] if staged else (scenario if isinstance(scenario, Parameters) else resolve(scenario))
    rm = fit_rate_model(rule or P.scenario.accounts.interest_rule)
    rng = np.random.default_rng(seed)
    rates = rate_paths(P, n_paths, rng, rm, from_year)             # (year, path), calendar years of P
    fixed = 1 if from_year is None else int(np.clip(from_year - P.years[0], 1, len(P.years)))
    morts = mortality_factors(len(P.years), n_paths, rng, sigma_mortality, fixed)
    if not staged:
        return Paths(years=P.years, flows=_run_paths(P, rates, morts, chunk, pooled), rate_model=rm, seed=seed)
    parts = [(off, share, _run_paths(Ps, rates[off:], morts[off:], chunk, pooled)) for off, share, Ps in stages]
    whole = _run_paths(P, rates, morts, chunk, pooled)
    return Paths(years=P.years, flows=combine_stages(scenario, P.years, parts, whole), rate_model=rm, seed=seed)
