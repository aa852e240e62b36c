"""Identities a projection must satisfy: money and people are conserved, nothing is negative,
nothing is NaN or infinite.

Each check returns a list of human-readable failures (empty when it holds),
so tests, the CLI and notebooks can all use them. A NaN compares as neither
more nor less than anything, so every test is written to fail on it
(:func:`_breaks`), and a relative tolerance scaled by an infinity does not
excuse it.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

REL_TOL = 1e-9

ACCOUNT_IN = ("contributions_personal", "subsidy_contribution", "collective_contribution",
              "interest_credited")
ACCOUNT_OUT = ("account_pension_paid", "inheritance_refunds", "forfeited_to_pool")
POOL_IN = ("forfeited_to_pool", "pooled_fund_interest", "government_to_pool", "fund_taken_over")
POOL_OUT = ("pooled_fund_paid",)
EMPTY_IF_NONE = ("fiscal_base",)    # all NaN when the scenario gives none (results.py)


def _breaks(err: float, tol: float) -> bool:
    """Whether an error is over its tolerance; a NaN or infinite error always is."""
    return not (math.isfinite(err) and err <= tol)


def _roll(df: pd.DataFrame, opening: str, closing: str, ins, outs, what: str,
          rel_tol: float) -> list[str]:
    fails = []
    prev = df[closing].shift(1).fillna(0.0)
    expected = df[opening] + df[list(ins)].sum(axis=1) - df[list(outs)].sum(axis=1)
    scale = np.maximum.reduce([df[c].abs() for c in (opening, closing, *ins, *outs)]) + 1.0
    for year, err, s in zip(df["year"], (df[closing] - expected).abs(), scale):
        if _breaks(err, rel_tol * s):
            fails.append(f"{year}: {what} does not balance (error {err:.6g} yuan)")
    for year, a, b in zip(df["year"], df[opening], prev):
        if _breaks(abs(a - b), rel_tol * (abs(a) + 1.0)):
            fails.append(f"{year}: {what} opening {a:.6g} != last closing {b:.6g}")
    return fails


def account_fund_identity(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """closing = opening + personal + subsidy + collective + interest - account pension - refunds - forfeits."""
    return _roll(df, "account_fund_opening", "account_fund_balance", ACCOUNT_IN, ACCOUNT_OUT,
                 "account fund", rel_tol)


def pooled_fund_identity(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """closing = opening + forfeits + interest + a fund taken over + government money - what the pool paid;
    the pool pays the whole longevity gap and at most the top-ups and grants besides;
    government money comes in only when the pool is empty."""
    pool_in = [c for c in POOL_IN if c in df]        # an older output has no fund_taken_over
    fails = _roll(df, "pooled_fund_opening", "pooled_fund_balance", pool_in, POOL_OUT,
                  "pooled fund", rel_tol)
    for y, paid, gap, extra, gov, close in zip(
            df["year"], df["pooled_fund_paid"], df["longevity_gap_paid"],
            df["topups_paid"] + df["death_grants_paid"], df["government_to_pool"], df["pooled_fund_balance"]):
        tol = rel_tol * (abs(paid) + abs(gap) + abs(extra) + 1.0)
        if not (math.isfinite(paid) and gap - tol <= paid <= gap + extra + tol):
            fails.append(f"{y}: pooled fund paid {paid:.6g}, outside gap {gap:.6g} .. gap + top-ups "
                         f"and grants {gap + extra:.6g}")
        if gov > tol and close > tol and df.attrs.get("pools", 1) == 1:   # one pool: only when empty
            fails.append(f"{y}: government topped up the pooled fund ({gov:.6g}) but it closed at {close:.6g}")
    return fails


def longevity_gap_identity(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """the gap borne by the pooled fund + the gap borne by government = the gap paid (D1 Art. 19)."""
    parts = df["longevity_gap_from_pool"] + df["longevity_gap_from_government"]
    scale = df["longevity_gap_paid"].abs() + df["longevity_gap_from_pool"].abs() + 1.0
    return [f"{y}: the longevity gap borne by the fund and by government add up to {a:.6g}, "
            f"not the gap paid {g:.6g}"
            for y, a, g, s in zip(df["year"], parts, df["longevity_gap_paid"], scale)
            if _breaks(abs(a - g), rel_tol * s)]


def headcount_identity(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """members: last year's + entrants - deaths - exits = this year's."""
    prev = df["members"].shift(1).fillna(0.0)
    expected = prev + df["entrants"] - df["deaths"] - df["exits"]
    scale = df["members"].abs() + df["entrants"] + 1.0
    return [f"{y}: members do not balance (error {e:.6g} persons)"
            for y, e, s in zip(df["year"], (df["members"] - expected).abs(), scale)
            if _breaks(e, rel_tol * s)]


def population_identity(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """population: last year's + last year's births - deaths - emigrants + net migration."""
    prev = (df["population"] + df["births"]).shift(1)
    expected = prev - df["population_deaths"] - df["emigrants"] + df["net_migration"]
    err = (df["population"] - expected).abs().iloc[1:]
    return [f"{y}: population does not balance (error {e:.6g} persons)"
            for y, e, s in zip(df["year"].iloc[1:], err, df["population"].iloc[1:])
            if _breaks(e, rel_tol * s)]


def government_cost_identity(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """The four levels add up to the government's total cost, and that cost is rebuilt
    from the flows: money into accounts + basic pension + money into the pooled fund +
    top-ups and grants paid directly (those the pool did not pay) + work funding."""
    cols = ["subsidy_central", "subsidy_province", "subsidy_prefecture", "subsidy_county"]
    levels = df[cols].sum(axis=1)
    direct = df["topups_paid"] + df["death_grants_paid"] + df["longevity_gap_paid"] - df["pooled_fund_paid"]
    rebuilt = (df["subsidy_contribution"] + df["basic_pension_paid"] + df["government_to_pool"]
               + direct + df["admin_costs_paid"])
    fails = []
    for y, a, b, c in zip(df["year"], levels, df["government_total_cost"], rebuilt):
        tol = rel_tol * (abs(b) + 1.0)
        if _breaks(abs(a - b), tol):
            fails.append(f"{y}: levels sum to {a:.6g}, total {b:.6g}")
        if _breaks(abs(c - b), tol):
            fails.append(f"{y}: total cost {b:.6g} but the flows add up to {c:.6g}")
    return fails


def ministry_fund_identity(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """The Ministry's balance rolls: year-end balance = last year-end + fund income - fund
    expenditure + a fund taken over (docs/RULES.md §10), the first year from the two funds'
    opening balances. An older output without the Ministry's columns has nothing to check."""
    if "fund_income" not in df:
        return []
    tmp = pd.DataFrame({"year": df["year"], "fund_income": df["fund_income"],
                        "fund_taken_over": df.get("fund_taken_over", 0.0),
                        "fund_expenditure": df["fund_expenditure"], "fund_balance": df["fund_balance"],
                        "fund_opening": df["account_fund_opening"] + df["pooled_fund_opening"]})
    return _roll(tmp, "fund_opening", "fund_balance", ("fund_income", "fund_taken_over"), ("fund_expenditure",),
                 "the Ministry's fund", rel_tol)


def _checked(df: pd.DataFrame, skip: tuple = ()) -> list[str]:
    """The numeric columns to check, less ``skip`` and an optional column left empty."""
    return [c for c in df.select_dtypes("number").columns
            if c not in skip and not (c in EMPTY_IF_NONE and df[c].isna().all())]


def _not_finite(df: pd.DataFrame, r: int, c: str) -> str:
    return f"{df['year'].iloc[r]}: {c} is not a finite number ({df[c].iloc[r]})"


def finite_values(df: pd.DataFrame) -> list[str]:
    """Every headcount, flow and balance is a finite number (no NaN, no infinity)."""
    cols = _checked(df)
    bad = ~np.isfinite(df[cols].to_numpy(dtype=float))
    return [_not_finite(df, r, cols[c]) for r, c in zip(*np.nonzero(bad))]


def no_negatives(df: pd.DataFrame, abs_tol: float = 1e-6) -> list[str]:
    """No negative headcount, flow or balance (net migration and the pool's investment income
    may be negative); a NaN,
    which is neither negative nor not, fails too."""
    # net migration goes both ways; the pooled fund's investment income is negative in a year
    # the fund earns less than the accounts are credited (finance.fund_return_pa)
    cols = _checked(df, skip=("net_migration", "pooled_fund_interest"))
    values = df[cols].to_numpy(dtype=float)
    return [_not_finite(df, r, cols[c]) if np.isnan(values[r, c])
            else f"{df['year'].iloc[r]}: {cols[c]} is negative ({values[r, c]:.6g})"
            for r, c in zip(*np.nonzero(~(values >= -abs_tol)))]


def state_non_negative(state, abs_tol: float = 1e-6) -> list[str]:
    """No negative cell in any stock array of a :class:`~model.engine.state.State`."""
    fails = []
    for name, arr in vars(state).items():
        if arr is None:                  # an array the run does not carry (State.c_made_up)
            continue
        a = np.asarray(arr)
        if not np.isfinite(a).all():
            fails.append(f"state.{name} has a cell that is not a finite number")
        elif (a < -abs_tol).any():
            fails.append(f"state.{name} has a negative cell ({a.min():.6g})")
    return fails


def members_within_population(state, rel_tol: float = 1e-9) -> list[str]:
    """No (age, sex, area) cell has more members than people (D1 Art. 6: one membership each)."""
    from model.engine.state import C_AGES, O_AGE0, P_AGES
    members = state.s_n.copy()                                   # (batch, age, sex, area)
    members[:, C_AGES] += state.c_n.sum(axis=(-2, -1))
    members[:, P_AGES] += state.p_n.sum(axis=(-2, -1))
    if state.o_n is not None:                                    # paying on after 60, ages 61 ..
        members[:, O_AGE0:O_AGE0 + state.o_n.shape[1]] += state.o_n.sum(axis=(-2, -1))
    excess = members - state.pop * (1 + rel_tol) - 1e-9
    if (excess > 0).any():
        b, a, sx, ar = np.unravel_index(np.argmax(excess), excess.shape)
        return [f"batch {b} age {a} sex {sx} area {ar}: {members[b, a, sx, ar]:.6g} members but "
                f"{state.pop[b, a, sx, ar]:.6g} people"]
    return []


def all_identities(df: pd.DataFrame, rel_tol: float = REL_TOL) -> list[str]:
    """Every annual identity at once; each failure once."""
    fails = (finite_values(df) + account_fund_identity(df, rel_tol)
             + pooled_fund_identity(df, rel_tol) + longevity_gap_identity(df, rel_tol)
             + ministry_fund_identity(df, rel_tol)
             + headcount_identity(df, rel_tol)
             + population_identity(df, rel_tol) + government_cost_identity(df, rel_tol)
             + no_negatives(df))
    return list(dict.fromkeys(fails))


def print_failures(failures: list[str], where: str, what: str = "the projection") -> int:
    """Print identity failures (money or people not conserved, NaN, negatives) to stderr, the first
    five; the exit status a command returns: 1 if any, else 0."""
    import sys
    if not failures:
        return 0
    print(f"error: {what} breaks {len(failures)} identities (a model error, listed in {where}); the first:",
          file=sys.stderr)
    for f in failures[:5]:
        print(f"error:   {f}", file=sys.stderr)
    return 1
