"""The cohort engine's state: the stocks on 1 January, their axes, and moving them one age up.

Names of state arrays and of the engine's working arrays follow one convention:
a prefix says whose (``c_`` contributors under 60 and the cohort turning 60,
``o_`` members paying on after 60 (延缴), ``s_`` members with a sealed account,
``p_`` pensioners, ``pop`` everyone), a
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
O_AGE0 = dims.PENSION_AGE + 1       # the first age of those paying on after 60 (延缴)
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
    c_made_up: np.ndarray | None = None   # (moment, batch, c_age, sex, area, tier, yp) the sums over
    #                        each cell's members of their made-up years (catch-up, D1 Art. 7-8) and of
    #                        its square [years, years²], carried only where the long-contribution
    #                        bands leave them out (Parameters.tracks_made_up_years)
    o_n: np.ndarray | None = None         # (batch, o_age, sex, area, tier, yp) paying on after 60, ages
    #                        61 .. the limit (延缴, Parameters.pays_on), persons; None where nobody does
    o_bal: np.ndarray | None = None       # (batch, part, o_age, sex, area, tier, yp) their balances, yuan
    o_made_up: np.ndarray | None = None   # (moment, batch, o_age, sex, area, tier, yp) as c_made_up

    def account_fund(self) -> np.ndarray:
        """Total of all individual account balances [yuan], shape (batch,)."""
        return per_batch(self.c_bal) + per_batch(self.s_bal) + per_batch(self.p_bal) + per_batch_or_0(self.o_bal)

    def members(self) -> np.ndarray:
        """Members: contributors, those paying on, sealed accounts and pensioners [persons], shape (batch,)."""
        return per_batch(self.c_n) + per_batch(self.s_n) + per_batch(self.p_n) + per_batch_or_0(self.o_n)


def per_batch(a: np.ndarray) -> np.ndarray:
    """Sum over every axis but the leading batch axis."""
    return a.reshape(a.shape[0], -1).sum(axis=1)


def per_batch_or_0(a: np.ndarray | None):
    """:func:`per_batch`, or 0 for an array the run does not carry (None)."""
    return 0.0 if a is None else per_batch(a)


def o_ages(params: Parameters) -> slice:
    """The ages of those paying on after 60 in 0..100: 61 .. the limit (empty where nobody does)."""
    return slice(O_AGE0, params.pay_on_to_age + 1 if params.pays_on else O_AGE0)


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
        c_made_up=np.zeros((2, B, N_CA, *sh, params.n_yp)) if params.tracks_made_up_years else None,
        **(_paying_on_stock(B, params, sh) if params.pays_on else {}),
        s_n=np.zeros((B, dims.N_AGE, dims.N_SEX, dims.N_AREA)),
        s_bal=np.zeros((B, dims.N_PART, dims.N_AGE, dims.N_SEX, dims.N_AREA)),
        p_n=np.zeros((B, N_PA, *sh, nk)), p_bal=np.zeros((B, dims.N_PART, N_PA, *sh, nk)),
        p_acc=np.zeros((B, N_PA, *sh, nk)), p_long=np.zeros((B, N_PA, *sh, nk)),
        pooled=np.zeros(B))


def _paying_on_stock(B: int, params: Parameters, sh: tuple) -> dict:
    """Empty stocks of those paying on after 60 (ages 61 .. the limit)."""
    n_oa = params.pay_on_to_age - dims.PENSION_AGE
    return dict(o_n=np.zeros((B, n_oa, *sh, params.n_yp)), o_bal=np.zeros((B, dims.N_PART, n_oa, *sh, params.n_yp)),
                o_made_up=np.zeros((2, B, n_oa, *sh, params.n_yp)) if params.tracks_made_up_years else None)


class CarriedStateError(ValueError):
    """A state carried into a run does not fit its rules: one line that says why."""


def fit_carried(st: State, params: Parameters) -> State:
    """A state another run reached, fitted to ``params`` where that is exact, else CarriedStateError.

    Stocks the rules add are empty in a state from rules without them (nobody paid on after
    60: empty stocks and pensioner kinds are added); stocks the rules do not use are dropped
    where empty. What cannot be known is refused: made-up years a run did not carry, a
    different years-paid axis (long-contribution bands), people paying on or drawing after
    paying on under rules without it (D1 Art. 18 keeps their accounts apart).
    """
    from dataclasses import replace
    if st.c_n.shape[-1] != params.n_yp:
        raise CarriedStateError(f"the carried state has {st.c_n.shape[-1]} years-paid cells but these rules need "
                                f"{params.n_yp} (benefits.long_contribution): resume from a run under the same bands")
    if params.tracks_made_up_years and st.c_made_up is None:
        raise CarriedStateError("these rules leave made-up years out of the long-contribution bands "
                                "(counts_made_up_years: false) but the carried state does not know them")
    changes: dict = {}
    if not params.tracks_made_up_years and st.c_made_up is not None:
        changes["c_made_up"] = None
    kinds, k0 = st.p_n.shape[-1], params.pay_on_kind0
    if kinds < params.n_kind and kinds == k0:                        # no one paid on: empty kinds added
        extra = params.n_kind - kinds
        for name in ("p_n", "p_bal", "p_acc", "p_long"):
            a = getattr(st, name)
            changes[name] = np.concatenate([a, np.zeros((*a.shape[:-1], extra))], axis=-1)
    elif kinds > params.n_kind and kinds >= k0 and not st.p_n[..., k0:].any() and params.n_kind == k0:
        for name in ("p_n", "p_bal", "p_acc", "p_long"):
            changes[name] = getattr(st, name)[..., :k0]
    elif kinds != params.n_kind:
        raise CarriedStateError(f"the carried state has {kinds} kinds of pensioner but these rules need "
                                f"{params.n_kind} (lump-sum purchase years and years paid on after 60 differ)")
    if params.pays_on:
        n_oa = params.pay_on_to_age - dims.PENSION_AGE
        if st.o_n is None:                                           # no one paid on: empty stocks
            changes.update(_paying_on_stock(st.c_n.shape[0], params, st.c_n.shape[2:-1]))
        elif st.o_n.shape[1] != n_oa:
            raise CarriedStateError(f"the carried state has people paying on after 60 to {O_AGE0 - 1 + st.o_n.shape[1]} "
                                    f"but these rules end at {params.pay_on_to_age}: resume under the same limit")
        elif params.tracks_made_up_years and st.o_made_up is None:
            changes["o_made_up"] = np.zeros((2, *st.o_n.shape)) if not st.o_n.any() else None
            if changes["o_made_up"] is None:
                raise CarriedStateError("the carried state does not know the made-up years of those paying on")
    elif st.o_n is not None:
        if st.o_n.any():
            raise CarriedStateError("the carried state has people paying on after 60 but these rules do not "
                                    "allow it (contributions.pay_on_after_60)")
        changes.update(o_n=None, o_bal=None, o_made_up=None)
    return replace(st, **changes) if changes else st


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
