"""Derived tables: rebuilt from the raw public tables by `python -m model data build`, never edited.

They are written for people to read and check (and for other tools); the
engine itself computes the same quantities through ``model.tables``. A test
rebuilds them and requires the committed files to be identical.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model import dims
from model.io import tables
from model.parameters import DatedPath, monthly_values

FLOAT = "%.10g"


def mortality_single_age() -> pd.DataFrame:
    """WPP 2024 single-age death rates by period mid-year and sex (graduated; tables.graduate_mx_to_single_ages)."""
    mids = tables.wpp_groups()[0]
    mx = tables.death_rates_mx(mids)                                 # (period, sex, age)
    p, s, a = np.indices(mx.shape)
    return pd.DataFrame({"mid_year": mids[p.ravel()], "sex": np.array(dims.SEXES)[s.ravel()],
                         "age": a.ravel(), "mx_per_person_year": mx.ravel(),
                         "qx_annual": tables.mx_to_qx(mx).ravel()})


def life_expectancy_wpp() -> pd.DataFrame:
    """e0 and e60 [years] by period and sex: WPP's own e0, the single-age and the abridged tables.

    ``e60_given_published_e0_years`` is the e60 that WPP's published e0 implies
    when the model's own table is kept below 60
    (``tables.remaining_life_expectancy_given_e0``); WPP's published e60 is not
    among the shipped tables (PROVENANCE.md).
    """
    mids, starts, groups = tables.wpp_groups()
    pub_mids, pub_e0 = tables.wpp_published_e0()
    if not np.array_equal(mids, pub_mids):
        raise ValueError("the WPP e0 and mx tables cover different periods")
    q = tables.mx_to_qx(tables.death_rates_mx(mids))                      # (period, sex, age)
    cols = {"e0_published_years": pub_e0,
            "e0_single_age_years": tables.life_expectancy(q, 0),
            "e0_abridged_years": tables.abridged_life_expectancy(starts, groups, 0),
            "e60_single_age_years": tables.life_expectancy(q, 60),
            "e60_abridged_years": tables.abridged_life_expectancy(starts, groups, 60),
            "e60_given_published_e0_years": tables.remaining_life_expectancy_given_e0(q, pub_e0, 60)}
    p, s = np.indices(pub_e0.shape)
    return pd.DataFrame({"mid_year": mids[p.ravel()], "sex": np.array(dims.SEXES)[s.ravel()],
                         **{k: v.ravel() for k, v in cols.items()}})


def deposit_rates(first: int = 2007, last: int = 2030) -> pd.DataFrame:
    """Annual crediting rates from the PBoC one-year deposit rate, with and without 就高 (D1 Art. 14)."""
    years = np.arange(first, last + 1)
    return pd.DataFrame({"year": years, **{f"rate_{rule}_pa": tables.deposit_rate_path(years, rule)
                                          for rule in tables.DEPOSIT_RULES}})


def basic_pension_path(first: int = 2009, last: int = 2030) -> pd.DataFrame:
    """The national minimum basic pension by year: January, December and the mean month [yuan/month]."""
    years = np.arange(first, last + 1)
    path = DatedPath(values={f"{d}": v for d, v, *_ in tables.national_min_basic_pension_path()})
    m = monthly_values(path, years)
    return pd.DataFrame({"year": years, "january_yuan_per_month": m[:, 0],
                         "december_yuan_per_month": m[:, 11], "mean_yuan_per_month": m.mean(axis=1)})


BUILDERS = {"mortality_wpp2024_single_age.csv": mortality_single_age,
            "life_expectancy_wpp2024.csv": life_expectancy_wpp,
            "deposit_rate_1y_annual.csv": deposit_rates,
            "national_min_basic_pension_annual.csv": basic_pension_path}


def build(out_dir: Path = tables.DERIVED_DIR) -> list[Path]:
    """Write every derived table into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fn in BUILDERS.items():
        path = out_dir / name
        fn().to_csv(path, index=False, float_format=FLOAT, lineterminator="\n")
        written.append(path)
    return written
