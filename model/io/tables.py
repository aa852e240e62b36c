"""Data-access layer: the package's data tables as numpy arrays.

Every function here is pure: it reads only the CSV files shipped in
``model/data/`` (see ``model/data/PROVENANCE.md`` for sources, units and
confidence) and returns fresh arrays or plain Python values; the one record
kept is which files were read (:func:`files_read`).  Parsed
files are cached with :func:`functools.lru_cache`; cached arrays are
read-only so a caller cannot alter them by accident.

Axis conventions follow :mod:`model.dims`: ages 0..100 where 100 is the
open 100+ cell, sexes in the order ``("male", "female")``.
"""
from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from model.dims import MAX_AGE, N_AGE

DATA_DIR = Path(__file__).parent.parent / "data" / "raw"        # public tables, copied unchanged
DERIVED_DIR = Path(__file__).parent.parent / "data" / "derived"  # rebuilt by `python -m model data build`

_SEX_CODES = ("M", "F")            # census files' codes, in dims.SEXES order
# Census 5-year groups (provincial and county tables): start ages; 85+ is open.
CENSUS_GROUP_STARTS = (0, 1) + tuple(range(5, 90, 5))
_CENSUS_GROUP_LABELS = ("0", "1-4") + tuple(f"{a}-{a + 4}" for a in range(5, 85, 5)) + ("85+",)
_COUNTY_GROUP_COLS = ("0", "1_4") + tuple(f"{a}_{a + 4}" for a in range(5, 85, 5)) + ("85plus",)
DEPOSIT_RULES = ("highest", "in_force_jan1", "time_weighted")


# The data files read in this process (a report lists their sources: model.report.assumptions).
_FILES_READ: set[Path] = set()


def _read_csv(name: str, **kw) -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / name, **kw)
    note_file_read(DATA_DIR / name)
    return df


def read_data_csv(path: str | Path, **kw) -> pd.DataFrame:
    """A data file read with pandas and noted as read (its provenance then appears in reports)."""
    note_file_read(path)
    return pd.read_csv(path, **kw)


def note_file_read(path: str | Path) -> None:
    """None; marks the data file ``path`` as read in this process (listed by :func:`files_read`).

    ``_read_csv`` calls it; a module that opens a file under ``DATA_DIR`` or
    ``DERIVED_DIR`` itself may call it too.
    """
    _FILES_READ.add(Path(path).resolve())


def files_read() -> list[Path]:
    """The data files (model/data/raw, model/data/derived) read in this process, sorted by path.

    A file read once stays listed: its parsed table is cached for the process.
    """
    return sorted(_FILES_READ)


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# --------------------------------------------------------------------------
# Mortality
# --------------------------------------------------------------------------

def graduate_mx_to_single_ages(group_starts, mx_groups, max_age: int = MAX_AGE) -> np.ndarray:
    """Single-age death rates (per person-year) from age-group rates; shape (..., max_age+1 ages).

    ``group_starts`` are the groups' first ages, increasing from 0 (e.g. 0, 1, 5,
    10, ..., 100); the last group is open.  ``mx_groups`` has the group axis
    last, shape (..., n_groups); leading axes (e.g. period x sex) are kept.

    Method: the cumulative hazard H(x) = sum of width * mx over the groups below
    x is known exactly at the group boundaries.  H is interpolated with a
    monotone cubic (PCHIP, :class:`scipy.interpolate.PchipInterpolator`) and the
    rate for single age a is H(a+1) - H(a).  Because the interpolant passes
    through every knot, each closed group's integrated hazard (width * mx) is
    reproduced exactly, and because H is increasing, every rate is positive.
    The open group's rate is used once more as a pseudo-group of the same width
    as the last closed group, beyond the top boundary, only to inform the
    spline's slope there.  Ages from the open group's start to ``max_age`` keep
    the open group's rate (age ``max_age`` is the open cell).
    """
    starts = np.asarray(group_starts, dtype=float)
    mx = np.asarray(mx_groups, dtype=float)
    if starts[0] != 0 or np.any(np.diff(starts) <= 0) or starts[-1] > max_age:
        raise ValueError("group_starts must increase from 0 and the open group start at or below max_age")
    if mx.shape[-1] != starts.size:
        raise ValueError(f"mx_groups has {mx.shape[-1]} groups on its last axis, group_starts {starts.size}")
    widths = np.diff(starts)
    knots = np.append(starts, starts[-1] + widths[-1])          # + pseudo-knot for the open group
    width_all = np.append(widths, widths[-1])
    H = np.concatenate([np.zeros(mx.shape[:-1] + (1,)), np.cumsum(mx * width_all, axis=-1)], axis=-1)
    from scipy.interpolate import PchipInterpolator   # here: importing it costs every CLI start 0.3 s
    spline = PchipInterpolator(knots, H, axis=-1)
    top = int(starts[-1])
    out = np.empty(mx.shape[:-1] + (max_age + 1,))
    out[..., :top] = np.diff(spline(np.arange(top + 1)), axis=-1)
    out[..., top:] = mx[..., -1:]
    return out


@lru_cache(maxsize=None)
def _wpp_single_age() -> tuple[np.ndarray, np.ndarray]:
    """(mid_years (P,), mx (P periods, 2 sexes, 101 ages)) graduated from WPP 2024."""
    mid_years, starts, groups = wpp_groups()
    return _frozen(mid_years.astype(float)), _frozen(graduate_mx_to_single_ages(starts, groups))


@lru_cache(maxsize=None)
def _cl2010_mx() -> np.ndarray:
    """CL5/CL6 mx = -ln(1-q), shape (2 sexes, 101 ages).

    The open age 100+ gets the rate 1 / e(100) with e(100) the table's own
    expectation of life at 100 (ages 100-105, q(105) = 1), so that the model's
    life expectancies equal the table's (tested at 60).
    """
    df = _read_csv("cl2010_2013_pension_business_CL5_CL6_qx.csv").set_index("age")
    q_all = df[["qx_CL5_pension_male", "qx_CL6_pension_female"]].to_numpy().T      # (2, 106)
    mx = -np.log1p(-np.minimum(q_all[:, :N_AGE], 1 - 1e-12))
    top = q_all[:, MAX_AGE:]                                                         # ages 100..105
    lx = np.concatenate([np.ones((2, 1)), np.cumprod(1 - top[:, :-1], axis=1)], axis=1)
    e100 = (lx * (1 - 0.5 * top)).sum(axis=1)                                        # deaths at mid-year
    mx[:, MAX_AGE] = 1.0 / e100
    return _frozen(mx)


def death_rates_mx(years, table: str = "wpp2024") -> np.ndarray:
    """Central death rates mx per person-year; shape (len(years) years, 2 sexes, 101 ages).

    ``table="wpp2024"``: UN WPP 2024 China, graduated to single ages with
    :func:`graduate_mx_to_single_ages` for each 5-year period; a calendar year
    is interpolated log-linearly between the periods' ``mid_year`` values
    (1953, 1958, ..., 2098).  Years before 1953 use the 1950-55 rates and years
    after 2098 the 2095-2100 rates.

    ``table="cl2010"``: China Life 2010-2013 pension-business tables CL5 (male)
    and CL6 (female), mx = -ln(1 - qx); the open age 100 uses qx(100) (ages
    101-105 of the table are not used).  The same rates in every year.
    """
    years = np.atleast_1d(np.asarray(years, dtype=float))
    if table == "cl2010":
        mx = _cl2010_mx()
        return np.broadcast_to(mx, (years.size,) + mx.shape).copy()
    if table != "wpp2024":
        raise ValueError(f"unknown mortality table {table!r}; use 'wpp2024' or 'cl2010'")
    t, mx = _wpp_single_age()
    y = np.clip(years, t[0], t[-1])
    i = np.clip(np.searchsorted(t, y, side="right") - 1, 0, t.size - 2)
    w = ((y - t[i]) / (t[i + 1] - t[i]))[:, None, None]
    return np.exp((1 - w) * np.log(mx[i]) + w * np.log(mx[i + 1]))


def abridged_life_expectancy(group_starts, mx_groups, at_age: int) -> np.ndarray:
    """Life expectancy at ``at_age`` [years] from age-group death rates: the abridged life table.

    The classic method the UN's own e(x) figures come from: nqx = n m / (1 + n m / 2)
    (deaths at mid-interval), nLx = n (l_x + l_{x+n}) / 2, and the open last group
    lives l / m. ``at_age`` must be a group start. Shape: mx_groups (..., groups).
    """
    starts = np.asarray(group_starts)
    m = np.asarray(mx_groups, dtype=float)
    n = np.diff(starts).astype(float)
    k = int(np.searchsorted(starts, at_age))
    if starts[k] != at_age:
        raise ValueError(f"age {at_age} does not start a group ({list(starts)})")
    nq = n * m[..., :-1] / (1 + n * m[..., :-1] / 2)
    lx = np.concatenate([np.ones(m.shape[:-1] + (1,)), np.cumprod(1 - nq, axis=-1)], axis=-1)
    L = np.concatenate([n * (lx[..., :-1] + lx[..., 1:]) / 2, (lx[..., -1] / m[..., -1])[..., None]], axis=-1)
    return L[..., k:].sum(axis=-1) / lx[..., k]


@lru_cache(maxsize=1)
def wpp_groups() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WPP 2024 group rates: (mid_years (P,), group_starts (G,), mx (P periods, 2 sexes, G groups))."""
    df = _read_csv("wpp2024_china_mx_5yr_age_by_sex_1950_2100.csv")
    df["start"] = df["age_group_start"].astype(str).str.rstrip("+").astype(int)
    df = df.sort_values(["mid_year", "start"])
    mid_years = np.unique(df["mid_year"].to_numpy())
    starts = np.unique(df["start"].to_numpy())
    groups = np.stack([df[f"mx_{s}_per_person_year"].to_numpy().reshape(mid_years.size, starts.size)
                       for s in ("male", "female")], axis=1)            # (P, sex, group)
    return _frozen(mid_years), _frozen(starts), _frozen(groups)


@lru_cache(maxsize=1)
def wpp_published_e0() -> tuple[np.ndarray, np.ndarray]:
    """WPP 2024's own life expectancy at birth [years]: (mid_years (P,), e0 (P periods, 2 sexes)).

    The figures the UN publishes for the same periods as the 5-year rates in
    ``wpp_groups`` (estimates to 2015-2020, medium variant after), used to check
    the graduated single-age table against the source's own numbers.
    """
    df = _read_csv("wpp2024_china_e0_5yr_by_sex.csv").sort_values("mid_year")
    return (_frozen(df["mid_year"].to_numpy()),
            _frozen(df[[f"e0_{s}_years" for s in ("male", "female")]].to_numpy(dtype=float)))


def _life_table(q) -> tuple[np.ndarray, np.ndarray]:
    """(l_x survivors, L_x person-years) per person born, from annual qx over ages (..., 101).

    Deaths in closed ages occur at mid-year (L_x = l_x - d_x / 2); the open age 100
    lives 1 / mx years with mx = -ln(1 - q(100)) (0.5 years if q(100) = 1).
    """
    q = np.asarray(q, dtype=float)
    if q.shape[-1] != N_AGE:
        raise ValueError(f"q must have {N_AGE} ages (0..{MAX_AGE}, last open) on its last axis")
    lx = np.concatenate([np.ones(q.shape[:-1] + (1,)), np.cumprod(1 - q[..., :-1], axis=-1)], axis=-1)
    Lx = lx * (1 - 0.5 * q)
    q_top = q[..., -1]
    with np.errstate(divide="ignore"):
        open_years = np.where(q_top < 1, 1 / -np.log1p(-np.minimum(q_top, 1 - 1e-16)), 0.5)
    Lx[..., -1] = lx[..., -1] * open_years
    return lx, Lx


def remaining_life_expectancy_given_e0(q, e0, at_age: int) -> np.ndarray:
    """e(at_age) [years] that makes the table's e0 equal ``e0`` when the ages below stay as they are.

    With l0 = 1, e0 = sum_{x<a} L_x + l_a * e_a (the same mid-year deaths as
    ``life_expectancy``), so e_a = (e0 - sum_{x<a} L_x) / l_a: the whole
    difference between ``e0`` and the table's own e0 is put on the ages from
    ``at_age`` up. The model's e_a minus this is the e0 gap divided by l_a: how far
    e_a could be off if all of the gap lay above ``at_age``. ``q`` has ages on its last
    axis (..., 101); ``e0`` has the leading shape.
    """
    lx, Lx = _life_table(q)
    return (np.asarray(e0, dtype=float) - Lx[..., :at_age].sum(axis=-1)) / lx[..., at_age]


def mx_to_qx(mx) -> np.ndarray:
    """Annual death probability q = 1 - exp(-mx) (constant hazard within the year), same shape."""
    return -np.expm1(-np.asarray(mx, dtype=float))


def life_expectancy(q, start_age: int = 0):
    """Complete life expectancy in years at ``start_age``, from annual qx over ages (..., 101).

    Ages 0..100, the last cell open.  Deaths in closed ages occur at mid-year
    (L_x = l_x - d_x / 2); the open age lives 1 / mx years with
    mx = -ln(1 - q(100)) (0.5 years if q(100) = 1).  A 1-D ``q`` gives a float;
    leading axes give an array of that shape.
    """
    lx, Lx = _life_table(q)
    e = Lx[..., start_age:].sum(axis=-1) / lx[..., start_age]
    return float(e) if e.ndim == 0 else e


# --------------------------------------------------------------------------
# Population
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _census2010_single() -> np.ndarray:
    """2010 census national population, shape (2 sexes, 101 ages), persons; 100+ in age 100."""
    df = _read_csv("census_2010_china_age_sex.csv", dtype={"age": str})
    df["a"] = df["age"].str.rstrip("+").astype(int)
    out = np.zeros((2, N_AGE))
    for k, s in enumerate(_SEX_CODES):
        d = df[df["sex"] == s]
        np.add.at(out[k], np.minimum(d["a"].to_numpy(), MAX_AGE), d["population_persons"].to_numpy())
    return _frozen(out)


def _group_index() -> np.ndarray:
    """For each single age 0..100, the index of its census 5-year group (85+ open)."""
    return np.searchsorted(np.asarray(CENSUS_GROUP_STARTS), np.arange(N_AGE), side="right") - 1


def split_census_groups(groups) -> np.ndarray:
    """Single-age persons from census 5-year-group persons; (2 sexes, 19 groups) -> (2 sexes, 101 ages).

    Groups are 0, 1-4, 5-9, ..., 80-84, 85+.  Each group is split in proportion
    to the single-age shares within that group in the 2010 national census for
    the same sex, so every group total is reproduced.
    """
    groups = np.asarray(groups, dtype=float)
    g = _group_index()
    ref = _census2010_single()
    ref_tot = np.zeros((2, len(CENSUS_GROUP_STARTS)))
    np.add.at(ref_tot, (slice(None), g), ref)
    return groups[:, g] * ref / ref_tot[:, g]


@lru_cache(maxsize=None)
def _province_table() -> pd.DataFrame:
    return _read_csv("census_2010_2020_province_urban_town_rural_sex_age5.csv",
                     dtype={"province_code": str, "age_group": str})


@lru_cache(maxsize=None)
def _county_table() -> pd.DataFrame:
    df = _read_csv("county_census_2020.csv", dtype={"admin_code": str})
    # rows without an admin code (development zones) get "Z" + their row number, so that
    # they can be selected like any county
    missing = df["admin_code"].isna()
    df.loc[missing, "admin_code"] = [f"Z{i:05d}" for i in df.index[missing]]
    return df.set_index("admin_code", drop=False)


def county_table() -> pd.DataFrame:
    """The 2020 county census table, every row with a code (see ``_county_table``)."""
    return _county_table().copy()


def _county_row(admin_code) -> pd.Series:
    code = str(admin_code).strip()
    df = _county_table()
    if not code or code not in df.index:
        raise ValueError(f"admin_code {admin_code!r} not found in county_census_2020.csv")
    return df.loc[code]


_SOURCE_FORMS = ("census2010:national", "census2020:national", "census2010:province:<6-digit code>",
                 "census2020:province:<6-digit code>", "census2020:county:<admin_code>",
                 "registered2020:county:<admin_code>")


def population_by_single_age(source: str) -> np.ndarray:
    """Census population in persons by sex and single age; shape (2 sexes, 101 ages), 100 = 100+.

    ``source`` is one of
      * ``"census2010:national"``: the 2010 single-year table (31 provinces);
      * ``"census2020:national"``: sum of the 31 provinces' 2020 5-year tables;
      * ``"census2010:province:<code>"`` / ``"census2020:province:<code>"``:
        a province's 5-year table (residence=total), e.g. ``"census2020:province:530000"``;
      * ``"census2020:county:<admin_code>"``: a row of county_census_2020.csv
        (county, prefecture or province), e.g. ``"census2020:county:532626"``;
      * ``"registered2020:county:<admin_code>"``: a county's registered (hukou) people in
        2020, its residents less those registered in another province plus its own people
        living in another province (``model.io.registered``; docs/COUNTIES.md).
    5-year groups (0, 1-4, ..., 80-84, 85+) are split into single ages with
    :func:`split_census_groups` (2010 national single-age shares by sex); the
    result reproduces every group total.
    """
    reg = re.fullmatch(r"registered2020:county:(\d{6}|Z\d{5})", str(source).strip())
    if reg:                                   # the county's hukou people (model/io/registered.py)
        from model.io import registered
        try:
            return registered.registered_2020([reg.group(1)])[1][0]
        except ValueError as exc:
            raise ValueError(f"no data for population source {source!r}: {exc}") from None
    m = re.fullmatch(r"census(2010|2020):(national|province|county)(?::(\d{6}|Z\d{5}))?", str(source).strip())
    year, kind, code = (int(m.group(1)), m.group(2), m.group(3)) if m else (None, None, None)
    if m is None or (kind == "national") != (code is None) or (kind == "county" and year != 2020):
        raise ValueError(f"unknown population source {source!r}; allowed forms: {', '.join(_SOURCE_FORMS)}")
    if kind == "national" and year == 2010:
        return _census2010_single().copy()
    if kind == "county":
        row = _county_row(code)
        groups = np.array([[row[f"pop_{s}_age_{c}_persons"] for c in _COUNTY_GROUP_COLS] for s in ("m", "f")])
        return split_census_groups(groups)
    df = _province_table()
    d = df[(df["year"] == year) & (df["residence"] == "total")]
    if kind == "province":
        d = d[d["province_code"] == code]
    if d.empty:
        raise ValueError(f"no data for population source {source!r}: unknown province code")
    tab = d.pivot_table(index="sex", columns="age_group", values="population_persons", aggfunc="sum")
    groups = tab.loc[list(_SEX_CODES), list(_CENSUS_GROUP_LABELS)].to_numpy(dtype=float)
    return split_census_groups(groups)


def county_totals(admin_code) -> dict:
    """2020 census totals (persons) and names for one row of county_census_2020.csv.

    ``admin_code`` (str or int) may be a county, prefecture or province code.
    Keys: pop_total_persons, pop_male_persons, pop_female_persons,
    pop_urban_chengzhen_persons, pop_rural_xiangcun_persons (int persons) and
    county_zh, prefecture_zh, province_zh, level (str).
    """
    row = _county_row(admin_code)
    out = {k: int(row[k]) for k in ("pop_total_persons", "pop_male_persons", "pop_female_persons",
                                    "pop_urban_chengzhen_persons", "pop_rural_xiangcun_persons")}
    out.update({k: str(row[k]) for k in ("county_zh", "prefecture_zh", "province_zh", "level")})
    return out


# --------------------------------------------------------------------------
# Interest rates
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _deposit_changes() -> tuple[tuple[_dt.date, float], ...]:
    """((effective date, 1-year rate as a fraction per year), ...) in date order."""
    df = _read_csv("pbc_benchmark_deposit_rates_2006_2015.csv")
    return tuple((_dt.date.fromisoformat(d), round(r / 100, 10))
                 for d, r in zip(df["effective_date"], df["time_1y_pct_pa"]))


def deposit_rate_1y(year: int, rule: str) -> float:
    """PBoC 1-year benchmark deposit rate for a calendar year, as a fraction per year (0.035 = 3.5 %).

    ``rule``:
      * ``"highest"``: the highest rate in force at any time in the year (the
        rate in force on 1 January and every rate that took effect during the
        year; D1 Art. 14, 就高原则);
      * ``"in_force_jan1"``: the rate in force on 1 January;
      * ``"time_weighted"``: the day-weighted average over the year (a new rate
        applies from its effective date).
    Years 2007-2015 come from the table; later years keep the last rate (1.50 %,
    unchanged since 2015-10-24).  Years before 2007 raise ValueError.
    """
    if rule not in DEPOSIT_RULES:
        raise ValueError(f"unknown rule {rule!r}; use one of {DEPOSIT_RULES}")
    year = int(year)
    changes = _deposit_changes()
    if year < 2007:
        raise ValueError(f"deposit rates start with the rate in force on 2007-01-01; year {year} not covered")
    start, end = _dt.date(year, 1, 1), _dt.date(year + 1, 1, 1)
    jan1 = [r for d, r in changes if d <= start][-1]
    # Segments of the year: (first day, rate) starting with 1 January.
    segs = [(start, jan1)] + [(d, r) for d, r in changes if start < d < end]
    if rule == "in_force_jan1" or len(segs) == 1:
        return jan1
    if rule == "highest":
        return max(r for _, r in segs)
    bounds = [d for d, _ in segs] + [end]
    days = np.array([(b - a).days for a, b in zip(bounds[:-1], bounds[1:])])
    return float(np.dot(days, [r for _, r in segs]) / days.sum())


def deposit_rate_last_change_year() -> int:
    """Year of the last rate change in the shipped table (later years hold that rate)."""
    return _deposit_changes()[-1][0].year


def deposit_rate_path(years, rule: str) -> np.ndarray:
    """PBoC 1-year deposit rate, fraction per year, for each year; shape (len(years) years,).

    See :func:`deposit_rate_1y` for the rules.
    """
    return np.array([deposit_rate_1y(y, rule) for y in np.atleast_1d(years)], dtype=float)


# --------------------------------------------------------------------------
# Policy tables
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _payout_months() -> dict[int, int]:
    df = _read_csv("guofa_2005_38_account_payout_months.csv")
    return {int(a): int(m) for a, m in zip(df["retirement_age_years"], df["payout_months"])}


def payout_months_table() -> dict[int, int]:
    """Individual-account payout months (计发月数) by retirement age 40..70, Guofa [2005] 38; {age: months}."""
    return dict(_payout_months())


def payout_months(age) -> int:
    """Individual-account payout months (计发月数) for a whole retirement age 40..70 (months)."""
    tab = _payout_months()
    if int(age) != age or int(age) not in tab:
        raise ValueError(f"payout months defined for whole ages {min(tab)}..{max(tab)}, got {age!r}")
    return tab[int(age)]


def national_min_basic_pension_path() -> list[tuple[str, float, str]]:
    """National minimum basic pension steps: [(effective "YYYY-MM", yuan per month, confidence), ...].

    Rows whose date has no month take January: "2009 (NRPS pilots ...)" ->
    "2009-01" (the scheme start; pilots began county by county from late 2009)
    and "2026 (date UNCONFIRMED)" -> "2026-01".  The confidence string is the
    file's, e.g. "high (value); medium (date)".
    """
    df = _read_csv("urrbpi_national_min_basic_pension.csv", dtype=str)
    out = []
    for d, v, c in zip(df["effective_date"], df["national_min_basic_pension_yuan_per_month"], df["confidence"]):
        m = re.match(r"\s*(\d{4})(?:-(\d{2}))?", d)
        if m is None:
            raise ValueError(f"unparseable effective_date {d!r} in urrbpi_national_min_basic_pension.csv")
        out.append((f"{m.group(1)}-{m.group(2) or '01'}", float(v), c))
    return out


def ncssf_returns() -> dict[int, float]:
    """Yearly return of the basic pension money entrusted to the National Council for Social
    Security Fund, fraction a year, {year: return} (2017-2024; 2021 and 2022 derived from the
    published averages, model/data/PROVENANCE.md)."""
    df = _read_csv("ncssf_basic_pension_fund_returns.csv")
    return {int(y): float(r) / 100.0 for y, r in zip(df["year"], df["return_pct"])}


def entrusted_share_2021() -> float:
    """Share of all basic pension money invested through the national social security fund at the
    end of 2021 (1.46 trillion of 6.397 trillion yuan, the 2021 bulletin; PROVENANCE.md)."""
    df = _read_csv("basic_pension_fund_invested_2021.csv")
    r = df.iloc[0]
    return float(r["invested_through_ncssf_100m_yuan"]) / float(r["all_basic_pension_balance_100m_yuan"])


def nbs_births() -> dict[int, int]:
    """Births in mainland China by year as the National Bureau of Statistics published them
    [persons], {year: births} (2021-2024; PROVENANCE.md)."""
    df = _read_csv("nbs_births_2021_2024.csv")
    return {int(y): int(b) for y, b in zip(df["year"], df["births_persons"])}
