"""The cohort engine's state: the stocks on 1 January, their axes, and moving them one age up.

Names of state arrays and of the engine's working arrays follow one convention:
a prefix says whose (``c_`` contributors under 60 and the cohort turning 60,
``s_`` members with a sealed account, ``p_`` pensioners, ``pop`` everyone), a
suffix says what (``_n`` persons, ``_bal`` account balances in yuan with a
``part`` axis: personal, government, collective). Axes are given in the
docstrings and comments, always starting with ``batch``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import dims
from model.parameters import Parameters

C_AGES = slice(dims.ENTRY_AGE, dims.PENSION_AGE + 1)    # contributor ages in 0..100
P_AGES = slice(dims.PENSION_AGE, dims.MAX_AGE + 1)       # pensioner ages in 0..100
N_CA = dims.PENSION_AGE - dims.ENTRY_AGE + 1
N_PA = dims.MAX_AGE - dims.PENSION_AGE + 1
C_AGE_VALUES = np.arange(dims.ENTRY_AGE, dims.PENSION_AGE + 1)   # (c_age,) the ages themselves
P_AGE_VALUES = np.arange(dims.PENSION_AGE, dims.MAX_AGE + 1)     # (p_age,)
REG, BASIC, LUMP0 = 0, 1, 2          # pensioner kinds; LUMP0 + i: lump sums bought in year i


@dataclass(frozen=True)
class State:
    """Stocks on 1 January of a year (ages attained in that year).

    Every array has a leading ``batch`` axis: projections run side by side
    (interest or mortality paths, or counties); a plain projection has one.
    """
    pop: np.ndarray        # (batch, age, sex, area) hukou population, persons
    c_n: np.ndarray        # (batch, c_age, sex, area, tier, yp) contributing members, persons
    c_bal: np.ndarray      # (batch, part, c_age, sex, area, tier, yp) their balances, yuan
    c_xyears: np.ndarray   # (batch, c_age, sex, area, tier) person-years paid above the top yp cell's start
    s_n: np.ndarray        # (batch, age, sex, area) members with a sealed account, persons
    s_bal: np.ndarray      # (batch, part, age, sex, area) their balances, yuan
    p_n: np.ndarray        # (batch, p_age, sex, area, tier, kind) pensioners, persons
    p_bal: np.ndarray      # (batch, part, p_age, sex, area, tier, kind) their balances, yuan
    p_acc: np.ndarray      # (batch, p_age, sex, area, tier, kind) account pension due, yuan/month (sum)
    p_long: np.ndarray     # (batch, p_age, sex, area, tier, kind) long-contribution extra, yuan/month (sum)
    pooled: np.ndarray     # (batch,) pooled fund balance, yuan
    c_made_up: np.ndarray | None = None   # (batch, c_age, sex, area, tier, yp) made-up person-years
    #                        (catch-up, D1 Art. 7-8), carried only where the long-contribution
    #                        bands leave them out (Parameters.tracks_made_up_years)

    def account_fund(self) -> np.ndarray:
        """Total of all individual account balances [yuan], shape (batch,)."""
        return per_batch(self.c_bal) + per_batch(self.s_bal) + per_batch(self.p_bal)

    def members(self) -> np.ndarray:
        """Members: contributors, sealed accounts and pensioners [persons], shape (batch,)."""
        return per_batch(self.c_n) + per_batch(self.s_n) + per_batch(self.p_n)


def per_batch(a: np.ndarray) -> np.ndarray:
    """Sum over every axis but the leading batch axis."""
    return a.reshape(a.shape[0], -1).sum(axis=1)


def initial_state(params: Parameters) -> State:
    """The state on 1 January of the start year: population only, no members yet."""
    B = params.batch
    nt = params.tier_mix.shape[-1]                                 # tiers (1 when pooled)
    sh = (dims.N_SEX, dims.N_AREA, nt)
    nk = params.n_kind
    pop = np.broadcast_to(params.population0, (B, dims.N_AGE, dims.N_SEX, dims.N_AREA)).copy()
    return State(
        pop=pop,
        c_n=np.zeros((B, N_CA, *sh, params.n_yp)), c_bal=np.zeros((B, dims.N_PART, N_CA, *sh, params.n_yp)),
        c_xyears=np.zeros((B, N_CA, *sh)),
        c_made_up=np.zeros((B, N_CA, *sh, params.n_yp)) if params.tracks_made_up_years else None,
        s_n=np.zeros((B, dims.N_AGE, dims.N_SEX, dims.N_AREA)),
        s_bal=np.zeros((B, dims.N_PART, dims.N_AGE, dims.N_SEX, dims.N_AREA)),
        p_n=np.zeros((B, N_PA, *sh, nk)), p_bal=np.zeros((B, dims.N_PART, N_PA, *sh, nk)),
        p_acc=np.zeros((B, N_PA, *sh, nk)), p_long=np.zeros((B, N_PA, *sh, nk)),
        pooled=np.zeros(B))


def age_shift(a: np.ndarray, axis: int, open_top: bool) -> np.ndarray:
    """Move every cell one age up along ``axis``; the first age is emptied.

    With ``open_top`` the last (open) age keeps its people and receives the
    age below; otherwise the last age leaves the array (it moved elsewhere).
    """
    out = np.empty_like(a)
    idx = [slice(None)] * a.ndim
    src, dst, first, last = list(idx), list(idx), list(idx), list(idx)
    src[axis], dst[axis], first[axis], last[axis] = slice(0, -1), slice(1, None), 0, -1
    out[tuple(dst)] = a[tuple(src)]
    out[tuple(first)] = 0.0
    if open_top:
        out[tuple(last)] += a[tuple(last)]
    return out


def years_paid_shift(a: np.ndarray) -> np.ndarray:
    """Move every cell one paid year up on the last axis; the top cell ("that many or more") absorbs itself."""
    out = np.empty_like(a)
    out[..., 1:] = a[..., :-1]
    out[..., 0] = 0.0
    out[..., -1] += a[..., -1]
    return out


def parts(x: np.ndarray) -> tuple:
    """The personal, government and collective parts of a (batch, part) array."""
    return x[:, 0], x[:, 1], x[:, 2]
