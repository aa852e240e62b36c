"""Each county's registered (hukou) population, and its share of the national stock (issue 14).

Residents join the scheme where their hukou is registered (D1 Art. 6: 具有本地户籍), so a
county's members come from its registered population, not its residents. From the 2020
census (``county_census_2020.csv``) and docs/COUNTIES.md:

    registered = residents - hukou in another province (inflow) + own people living in
                 another province (outflow)

* **Inflow** by county: the census column ``pop_hukou_other_province_persons``.
* **Outflow** by province (``province_outflow``): Henan (16.1 m) and Anhui (11.52 m) are
  published (``interprovincial_migration_2020.csv``); the rest of the national outflow, which
  equals the national inflow (124.8 m; emigrants abroad are not in the census), is allocated to
  the other 29 provinces in proportion to their locally registered rural residents (ASSUMPTION:
  migrants leave from rural hukou; tested against Henan and Anhui, docs/COUNTIES.md). Within a
  province, a county's share of the outflow is its share of those rural residents.
* **Ages** of migrants (ASSUMPTION, no table found): in a county, its residents' age profile
  weighted by ``MIGRANT_AGE_WEIGHT`` (working ages move, children and the old less); its people
  living elsewhere have the ages of all the in-migrants of China (they are the same people), so
  the registered people of China equal its residents at every age and sex.

The counties' populations at the start of a run (``county_start_population``) are the national
scenario's own stock shared out by cohort: a county's share of the people aged ``a`` in year
``y`` is its share of the registered people aged ``a + 2020 - y`` in 2020 (the same cohort),
and the rural/urban hukou split is raked to the national stock's (iterative proportional
fitting from the county's residence split), so the counties add up to the national stock in
every age, sex and area cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from model import dims
from model.io import tables

CENSUS_YEAR = 2020
# Migrants' age profile relative to the residents' (ASSUMPTION: no age table of migrants was
# found; the 2020 census counts migrants mostly of working age, children and the old move less).
MIGRANT_AGE_WEIGHT = ((0, 14, 0.5), (15, 44, 1.0), (45, 59, 0.7), (60, dims.MAX_AGE, 0.2))
MIN_LOCAL_SHARE = 0.05      # at least this share of each age's residents stays as locally registered


def migrant_weights() -> np.ndarray:
    """Weight of each age in the migrants' profile relative to the residents' [1], shape (age,)."""
    w = np.zeros(dims.N_AGE)
    for lo, hi, v in MIGRANT_AGE_WEIGHT:
        w[lo:hi + 1] = v
    return w


@lru_cache(maxsize=None)
def _units() -> pd.DataFrame:
    """The lowest-level units (counties) with their province code, residents and inflow."""
    df = tables.county_table()
    prov = df[df["level"] == "province"].set_index("province_zh")["admin_code"]
    units = df[df["is_lowest_level_unit"]].copy()
    units["province_code"] = units["province_zh"].map(prov)
    units["inflow"] = units["pop_hukou_other_province_persons"].fillna(0.0).astype(float)
    units["rural_local"] = (units["pop_rural_xiangcun_persons"].astype(float)
                            * (1.0 - units["inflow"] / units["pop_total_persons"].clip(lower=1)))
    return units


def province_outflow() -> pd.DataFrame:
    """Each province's own people living in another province, 2020 [persons]: code, outflow, source.

    Published for Henan and Anhui; the rest of the national outflow (= the national inflow)
    in proportion to each province's locally registered rural residents (ASSUMPTION).
    ``by_key`` is what the key alone would give every province (a check against the two
    published values).
    """
    mig = tables.read_data_csv(tables.DATA_DIR / "interprovincial_migration_2020.csv", dtype={"province_code": str})
    mig = mig[mig["province_code"].notna()]
    known = mig.set_index("province_code")["outflow_hukou_here_living_in_other_province_persons"].dropna()
    units = _units()
    key = units.groupby("province_code")["rural_local"].sum()
    national = float(units["inflow"].sum())
    rest = national - float(known.sum())
    others = key.drop(known.index)
    out = pd.DataFrame({"province_code": key.index})
    out["outflow"] = [float(known[c]) if c in known.index else rest * others[c] / others.sum() for c in key.index]
    out["source"] = ["published" if c in known.index else "allocated (ASSUMPTION)" for c in key.index]
    out["by_key"] = (national * key / key.sum()).to_numpy()
    return out


def county_profiles(codes: list[str]) -> np.ndarray:
    """2020 census residents by single age [persons], shape (county, sex, age).

    A few units (islands, development zones) have no age table: the national profile scaled
    to their total.
    """
    prof = np.nan_to_num(np.stack([tables.population_by_single_age(f"census2020:county:{c}") for c in codes]))
    empty = prof.sum(axis=(1, 2)) <= 0
    if empty.any():
        nat = tables.population_by_single_age("census2020:national")
        totals = tables.county_table().loc[list(np.array(codes)[empty]), "pop_total_persons"].astype(float)
        prof[empty] = nat[None] / nat.sum() * totals.to_numpy()[:, None, None]
    return prof


@dataclass(frozen=True)
class Migration:
    """The 2020 census residents of every county and the migrants moved to make them registered."""
    codes: list[str]
    residents: np.ndarray          # (county, sex, age) persons living there
    inflow: np.ndarray             # (county, sex, age) of whom registered in another province
    outflow: np.ndarray            # (county, sex, age) registered there, living in another province
    urban: np.ndarray              # (county,) urban share of the residents

    @property
    def registered(self) -> np.ndarray:
        """Registered (hukou) people [persons], (county, sex, age)."""
        return self.residents - self.inflow + self.outflow


@lru_cache(maxsize=1)
def migration() -> Migration:
    """Residents, inflow and outflow by county, sex and age, 2020 [persons] (module docstring)."""
    units = _units()
    codes = units["admin_code"].tolist()
    res = county_profiles(codes)                                        # (C, sex, age)
    w = migrant_weights()[None, None, :]
    prof_in = res * w
    inflow = units["inflow"].to_numpy()
    ins = prof_in / np.maximum(prof_in.sum(axis=(1, 2), keepdims=True), 1e-12) * inflow[:, None, None]
    ins = np.minimum(ins, (1.0 - MIN_LOCAL_SHARE) * res)               # never more than the residents
    outflow = province_outflow().set_index("province_code")["outflow"]
    share_in_prov = units["rural_local"] / units.groupby("province_code")["rural_local"].transform("sum")
    out_total = units["province_code"].map(outflow).to_numpy() * share_in_prov.to_numpy()
    nat_prof = ins.sum(axis=0)          # (sex, age): out-migrants are the in-migrants, nationally
    outs = out_total[:, None, None] * (nat_prof / nat_prof.sum())[None]
    urban = (units["pop_urban_chengzhen_persons"].astype(float)
             / units["pop_total_persons"].clip(lower=1)).to_numpy()
    return Migration(codes=codes, residents=res, inflow=ins, outflow=outs, urban=urban)


def province_of(codes: list[str]) -> np.ndarray:
    """The 6-digit province code of each county (by the census table's province name)."""
    return _units().loc[list(codes), "province_code"].to_numpy()


def registered_2020(codes: list[str] | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Registered (hukou) population of every county in 2020 [persons].

    Returns (codes, population (county, sex, age), urban residence share (county,)). Without
    ``codes``, every county of China (the outflow of a province is spread over all its
    counties, so a subset is cut from the whole).
    """
    m = migration()
    if codes is None:
        return list(m.codes), m.registered, m.urban
    index = {c: i for i, c in enumerate(m.codes)}
    missing = [c for c in codes if c not in index]
    if missing:
        raise ValueError(f"not a county of county_census_2020.csv: {missing[0]}")
    pick = [index[c] for c in codes]
    return list(codes), m.registered[pick], m.urban[pick]


def cohort_shares(registered: np.ndarray, year: int) -> np.ndarray:
    """Each county's share of the national people of each age and sex in ``year`` [1].

    The same cohort's share among the registered in 2020: age ``a`` in ``year`` is age
    ``a + 2020 - year`` in 2020 (the open last age for those beyond it; for a year after 2020,
    the youngest cohorts take the share of age 0). ``registered`` (county, sex, age); returns
    (county, age, sex), summing to 1 over counties.
    """
    shift = CENSUS_YEAR - int(year)
    ages = np.clip(np.arange(dims.N_AGE) + shift, 0, dims.MAX_AGE)
    reg = registered[:, :, ages]                                        # (C, sex, age)
    tot = reg.sum(axis=0, keepdims=True)
    share = np.where(tot > 0, reg / np.where(tot > 0, tot, 1.0), 1.0 / registered.shape[0])
    return share.transpose(0, 2, 1)


def common_odds_factor(weights: np.ndarray, shares: np.ndarray, want: np.ndarray,
                       iterations: int = 260) -> np.ndarray:
    """The one factor per cell that, multiplying every unit's odds, makes the units' weighted
    shares add up to ``want`` [1]: Σ_u weights_u · s_u f / (1 − s_u + s_u f) = want.

    ``weights`` (unit, *cell) persons; ``shares`` (unit, *cell) or broadcastable, in [0, 1];
    ``want`` (*cell) persons. Units at share 0 or 1 stay there. The sum rises with the factor:
    Newton's method on its logarithm, kept inside a bracket by halving. Where ``want`` is out of
    reach (at or below the units at 1, or at or above all units that can move) the factor is
    e^-60 or e^60, as near as shares go. A ValueError if it fails to converge.
    """
    w = np.asarray(weights, dtype=float)
    s = np.broadcast_to(np.clip(shares, 0.0, 1.0), w.shape)
    odds = np.where(s >= 1.0, 0.0, s / np.maximum(1.0 - s, 1e-300))   # the units at 1 are kept apart
    floor = (w * (s >= 1.0)).sum(axis=0)                               # never less
    ceiling = (w * (s > 0.0)).sum(axis=0)                              # never more
    lo, hi = np.full(want.shape, -60.0), np.full(want.shape, 60.0)
    out_low, out_high = want <= floor, want >= ceiling
    log_f = np.where(out_low, lo, np.where(out_high, hi, 0.0))
    tol = 1e-12 * np.maximum(ceiling, 1.0)
    for _ in range(iterations):
        o = odds * np.exp(log_f)
        share = np.where(s >= 1.0, 1.0, o / (1.0 + o))
        gap = (w * share).sum(axis=0) - want
        done = (np.abs(gap) <= tol) | out_low | out_high
        if np.all(done):
            return np.exp(log_f)
        lo, hi = np.where(gap < 0, log_f, lo), np.where(gap > 0, log_f, hi)
        slope = (w * share * (1.0 - share)).sum(axis=0)
        step = log_f - np.where(slope > 0, gap / np.where(slope > 0, slope, 1.0), np.inf)
        log_f = np.where(done, log_f, np.where((step > lo) & (step < hi), step, (lo + hi) / 2))
    raise ValueError("common_odds_factor: did not converge")


def rake_areas(totals: np.ndarray, urban_seed: np.ndarray, national: np.ndarray) -> np.ndarray:
    """Split each county's people into rural and urban hukou so the counties add up to the
    national split [persons] (iterative proportional fitting, solved directly).

    ``totals`` (county, age, sex) people; ``urban_seed`` (county,) the county's urban residence
    share (the starting guess); ``national`` (age, sex, area). Returns (county, age, sex, area):
    every county keeps its totals and the sum over counties is ``national`` in every cell.
    Raking a county x 2 table from the seed ends where each county's urban odds are its seed's
    odds times one factor per cell, the same for all counties (``common_odds_factor``: a
    handful of Newton steps instead of IPF's slow sweeps).
    """
    seed = np.clip(urban_seed, 0.01, 0.99)[:, None, None]              # (county, 1, 1)
    want = national[..., 1]                                            # (age, sex) urban
    have = totals.sum(axis=0)                                          # = national.sum(-1)
    f = common_odds_factor(totals, seed, want)
    share = seed * f / (1.0 - seed + seed * f)
    share = np.where(want[None] <= 0, 0.0, np.where(want[None] >= have[None], 1.0, share))
    urban = totals * share
    return np.stack([totals - urban, urban], axis=-1)


def county_start_population(national: np.ndarray, registered: np.ndarray, urban: np.ndarray,
                            year: int) -> np.ndarray:
    """Counties' people at the start of a run in ``year`` [persons], shape (county, age, sex, area).

    ``national`` (age, sex, area) is the national scenario's own stock in that year; it is
    shared out by ``cohort_shares`` and ``rake_areas``, so the counties add up to it exactly.
    """
    totals = cohort_shares(registered, year) * national.sum(axis=-1)[None]
    return rake_areas(totals, urban, national)
