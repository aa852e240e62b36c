"""Read a scenario YAML file, resolve ``extends:``, validate, record provenance.

A scenario file holds only its changes from the scenario it extends (if
any). The fully resolved parameter set is validated with pydantic; any
mistake becomes one :class:`ScenarioError` naming the file, the key path,
the bad value and what is allowed. This module and ``tables.py`` are the
only places in ``model/`` that read files.
"""
from __future__ import annotations

import copy
import datetime
import difflib
import hashlib
import math
import os
import re
import types
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr,
                      ValidationError, field_validator, model_validator)

from . import dims

SHARE_TOL = 1e-6
_ANY_YEAR = 1900        # the year a bare value (not given by date) applies from
_ANY_DATE = f"{_ANY_YEAR}-01"
_WRAPPERS = {"bands", "values", "by_year"}   # keys the validators add around a bare mapping
MAX_DEPTH = 50          # nesting a scenario file may have; the deepest shipped one has 5 levels
MAX_NODES = 1_000_000   # values a scenario file may stand for (aliases counted again); shipped: < 2,000
FINITE = "must be a finite number (not .nan or .inf)"

# Ranges a real scheme could have, each with its reason. A value outside is a mistake
# (a unit slip, a share given in per cent, a misplaced digit), never a scheme.
PERSONS_MAX = 2_000_000_000   # above China's whole population (1.41 billion, 2020 census)
YUAN_YEAR_MAX = 100_000       # ten times the highest tier in force (Beijing: 9,000 a year, 2018)
YUAN_MONTH_MAX = 10_000       # several times the highest basic pension paid (Shanghai: about
#                               1,500 a month in 2024; the national minimum was 55 in 2009)
INTEREST_MIN, INTEREST_MAX = 0.0, 0.3     # the PBC one-year deposit rate ran 1.5 % (2015-) to
#                               10.98 % (1993-95) and was never negative; D1 Art. 14 credits interest,
#                               it never takes members' money (the stochastic paths are floored at 0 too)
DIVISOR_MIN, DIVISOR_MAX = 56, 233        # Guofa [2005] 38 table: 233 months at 40, 56 at 70;
#                               D1 Art. 20 uses 139 (age 60)
BIRTHS_MAX = 0.3              # births per woman 15-49 a year: China 2010 about 0.035; the highest
#                               national rates (Niger, about 7 children a woman) about 0.25
MIGRATION_MAX = 0.5           # net migration a year, both ways: half the age group in one year


class ScenarioError(ValueError):
    """A user mistake in a scenario file: printed as one line, never a traceback."""


_NO = object()          # "no value given" (None is a value a user can write)


class _Bad(ValueError):
    """A validator's complaint, read by :func:`_format_error`.

    The message says what is allowed; ``value`` is the offending piece (a
    key, a label, one number) when it is smaller than the whole field,
    ``what`` names it ("date", "age band", ...), and ``at`` is the key path
    below the field being validated.
    """

    def __init__(self, msg: str, *, value: Any = _NO, what: str = "value", at: tuple = ()):
        super().__init__(msg)
        self.value, self.what, self.at = value, what, tuple(at)


# --------------------------------------------------------------------------
# Small value types
# --------------------------------------------------------------------------
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


def parse_year_month(value: Any) -> tuple[int, int]:
    """(year, month) from ``2011``, ``"2011"`` or ``"2011-07"``; month 1 if absent."""
    if isinstance(value, datetime.date):
        raise _Bad(f"give a month, not a day: write {value.year}-{value.month:02d} "
                   f"(a year and month) or {value.year}", value=value.isoformat(), what="date")
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise _Bad("not a date: write a year (2011) or a year and month (2011-07)",
                   value=value, what="date")
    year, month = int(m.group(1)), int(m.group(2) or 1)
    if not 1 <= month <= 12:
        raise _Bad(f"there is no month {month}: write a year (2011) or a year and month "
                   f"(2011-07) with a month from 1 to 12", value=value, what="date")
    if not 1900 <= year <= 2300:
        raise _Bad(f"year {year} is out of range: allowed years are 1900 to 2300",
                   value=value, what="date")
    return year, month


_BAND_RE = re.compile(r"^(\d{1,3})\s*(?:-\s*(\d{1,3})|(\+))?$")


def parse_age_band(label: Any) -> tuple[int, int]:
    """(first, last) ages of a band label ``"16-59"``, ``"60"`` or ``"60+"`` (last = MAX_AGE)."""
    m = _BAND_RE.match(str(label).strip())
    if not m:
        raise _Bad("write an age band as 'FIRST-LAST', 'AGE' or 'FIRST+' "
                   "(e.g. '16-59', '60', '60+')", value=label, what="age band")
    lo = int(m.group(1))
    hi = dims.MAX_AGE if m.group(3) else int(m.group(2) or lo)
    if not 0 <= lo <= hi <= dims.MAX_AGE:
        raise _Bad(f"ages must be from 0 to {dims.MAX_AGE}, the first age not above the last "
                   f"(e.g. '16-59')", value=label, what="age band")
    return lo, hi


def _share(value: Any) -> float:
    """A share given as a number or a fraction string such as ``"1/3"``."""
    allowed = "must be a share from 0 to 1, as a number (0.5) or a fraction (1/3)"
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError, OverflowError):
            raise _Bad(allowed, value=value) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(allowed, value=value)
    return float(value)


Share = Annotated[float, Field(ge=0.0, le=1.0)]
YuanPerYear = Annotated[float, Field(ge=0.0, le=YUAN_YEAR_MAX)]
YuanPerMonth = Annotated[float, Field(ge=0.0, le=YUAN_MONTH_MAX)]
Persons = Annotated[int, Field(ge=0, le=PERSONS_MAX)]


def _unwrap(tp: Any, meta: list) -> tuple[Any, list]:
    """The type inside Annotated[...] and Optional[...], and the constraints met on the way."""
    while True:
        if get_origin(tp) is Annotated:
            tp, *extra = get_args(tp)
            for m in extra:
                meta.extend(getattr(m, "metadata", None) or [m])
        elif get_origin(tp) in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, meta
            tp = args[0]
        else:
            return tp, meta


def _is_number_type(tp: Any) -> bool:
    tp, _ = _unwrap(tp, [])
    if get_origin(tp) in (Union, types.UnionType):
        return any(_is_number_type(a) for a in get_args(tp))
    return tp in (int, float)


def _bool_for_number(tp: Any, value: Any) -> tuple[tuple, Any, Any] | None:
    """(key path, type, true/false found) where ``value`` has a boolean for a number of ``tp``.

    Pydantic takes ``true`` as 1 where a number is expected (``horizon_years: true``
    would run one year); a scenario must write the number.
    """
    if isinstance(value, bool):
        return ((), tp, value) if _is_number_type(tp) else None
    inner, _ = _unwrap(tp, [])
    if get_origin(inner) is dict and isinstance(value, dict):
        key_tp, val_tp = get_args(inner)
        for k, v in value.items():
            if isinstance(k, bool) and _is_number_type(key_tp):
                return ("[key]",), key_tp, k
            found = _bool_for_number(val_tp, v)
            if found is not None:
                return ((k, *found[0]), *found[1:])
    if get_origin(inner) is list and isinstance(value, list):
        for i, v in enumerate(value):
            found = _bool_for_number(get_args(inner)[0], v)
            if found is not None:
                return ((i, *found[0]), *found[1:])
    return None


class Strict(BaseModel):
    """Unknown keys, non-finite numbers and true/false for a number are refused."""
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, info in cls.model_fields.items():
                if name not in data:
                    continue
                found = _bool_for_number(info.annotation, data[name])
                if found is None:
                    continue
                at, tp, value = found
                if at[-1:] == ("[key]",):
                    raise _Bad("must be a number, not true or false", value=value, what="key",
                               at=(name, *at[:-1]))
                meta = list(info.metadata) if not at else []
                desc = _describe(*_unwrap(tp, meta)) or "a number"
                raise _Bad(f"must be {desc}, not true or false", value=value, at=(name, *at))
        return data


def _check_within(values: dict, lo: float | None, hi: float | None, allowed: str,
                  at: tuple) -> None:
    """Raise a :class:`_Bad` ``allowed`` at the first key whose value is outside [lo, hi]."""
    for key, x in values.items():
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            raise _Bad(allowed, at=(*at, key))


def _check_sums_to_one(shares: dict, what: str, at: tuple = ()) -> None:
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOL:
        raise _Bad(f"{what} add up to {total:.6g} but must add up to 1", at=at)


class PaidBy(Strict):
    """Shares of a cost by level of government; they sum to 1."""
    central: Share = 0.0
    province: Share = 0.0
    prefecture: Share = 0.0
    county: Share = 0.0

    @model_validator(mode="before")
    @classmethod
    def _fractions(cls, data: Any) -> Any:
        if isinstance(data, dict):
            out = {}
            for k, v in data.items():
                try:
                    out[k] = _share(v) if k in dims.LEVELS else v
                except _Bad as exc:
                    raise _Bad(str(exc), value=v, at=(k,)) from None
            return out
        return data

    @model_validator(mode="after")
    def _sum(self) -> "PaidBy":
        _check_sums_to_one(self.model_dump(), "the shares paid by central, province, "
                           "prefecture and county")
        return self

    def vector(self) -> tuple[float, ...]:
        return tuple(getattr(self, lvl) for lvl in dims.LEVELS)


class DatedPath(Strict):
    """A step path of dated values: ``{2011: 55, "2014-07": 70}``.

    The value of the latest date on or before a month applies to that month;
    after the last date it grows at ``growth_pa_after_last`` a year.
    """
    values: dict[str, float]
    growth_pa_after_last: float = Field(0.0, ge=-0.5, le=0.5)

    @field_validator("values", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        if not isinstance(v, dict) or not v:
            raise _Bad("give at least one dated value, e.g. {2011: 55, 2014-07: 70}")
        out, first = {}, {}
        for k, val in v.items():
            y, m = parse_year_month(k)
            key = f"{y:04d}-{m:02d}"
            if key in out:
                raise _Bad(f"{first[key]} and {k} are the same month: give each date once",
                           value=k, what="date")
            try:
                if isinstance(val, bool):
                    raise TypeError
                float(val)
            except (TypeError, ValueError):
                raise _Bad("must be a number", value=val, at=(k,)) from None
            out[key], first[key] = val, k
        keys, given = list(out), list(v)
        for i in range(1, len(keys)):
            if keys[i] < keys[i - 1]:
                raise _Bad(f"the dates must be in ascending order ({given[i - 1]} comes "
                           f"before {given[i]})")
        return out

    def dated(self) -> list[tuple[int, int, float]]:
        return [(*parse_year_month(k), v) for k, v in self.values.items()]

    def check_range(self, lo: float | None, hi: float | None, allowed: str,
                    at: tuple = ()) -> "DatedPath":
        """Raise a :class:`_Bad` naming the date whose value is outside [lo, hi]."""
        _check_within(self.values, lo, hi, allowed, (*at, "values"))
        return self

    def check_covers(self, start: str, yearly: bool, at: tuple = ()) -> "DatedPath":
        """Raise a :class:`_Bad` if the path has no value at the scheme's ``start`` (YYYY-MM).

        Before its first date a path would be 0: an enrolment target, a basic pension or
        a birth rate of 0 that nobody wrote. A path read once a year (``yearly``) takes
        its January value, so it must start in January of the start year or earlier.
        """
        first = min(self.values)
        need = f"{start[:4]}-01" if yearly else start
        if first > need:
            shown = first[:4] if first.endswith("-01") else first
            read = (f"give a value for {start[:4]} or earlier (the path is read at January "
                    f"of each year)" if yearly else f"give a value from {start} or earlier")
            raise _Bad(f"the first date is {shown} but the scheme starts {start}: {read}; "
                       f"before its first date the path would be 0", at=at)
        return self


def _as_path(v: Any) -> Any:
    """Accept a bare number, a bare mapping or a shipped table as a DatedPath.

    ``{table: national_min_basic_pension}`` takes the dated national minimum
    basic pension from the shipped table (model/data/PROVENANCE.md).
    """
    if isinstance(v, dict) and "table" in v:
        from . import tables
        name = v["table"]
        if name != "national_min_basic_pension":
            raise _Bad("not a dated table; allowed: 'national_min_basic_pension'",
                       value=name, at=("table",))
        rest = {k: x for k, x in v.items() if k != "table"}
        return {"values": {d: val for d, val, *_ in tables.national_min_basic_pension_path()},
                **rest}
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return {"values": {_ANY_YEAR: v}}
    if isinstance(v, dict) and "values" not in v:          # {2011: 55, growth_pa_after_last: 0.03}
        rest = {k: x for k, x in v.items() if k != "growth_pa_after_last"}
        return {"values": rest, **({"growth_pa_after_last": v["growth_pa_after_last"]}
                                   if "growth_pa_after_last" in v else {})}
    return v


DatedValue = Annotated[DatedPath, BeforeValidator(_as_path)]
OptPath = Annotated[DatedPath | None, BeforeValidator(lambda v: None if v is None else _as_path(v))]


class AgeBands(Strict):
    """Values by age band, e.g. ``{"16-59": 0.8, "60+": 0.9}``; bands may not overlap."""
    bands: dict[str, float]

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return {"bands": {"0+": v}}
        if isinstance(v, dict) and "bands" not in v:
            return {"bands": v}
        return v

    @field_validator("bands")
    @classmethod
    def _no_overlap(cls, v: dict[str, float]) -> dict[str, float]:
        spans = sorted((parse_age_band(k), k) for k in v)
        for ((_, hi1), k1), ((lo2, _), k2) in zip(spans, spans[1:]):
            if lo2 <= hi1:
                raise _Bad(f"the age bands '{k1}' and '{k2}' overlap: each age may be in "
                           f"only one band")
        return v

    def check_range(self, lo: float | None, hi: float | None, allowed: str,
                    at: tuple = ()) -> "AgeBands":
        """Raise a :class:`_Bad` naming the band whose value is outside [lo, hi]."""
        _check_within(self.bands, lo, hi, allowed, (*at, "bands"))
        return self

    def by_age(self, default: float = 0.0) -> list[float]:
        out = [default] * dims.N_AGE
        for label, value in self.bands.items():
            lo, hi = parse_age_band(label)
            out[lo:hi + 1] = [float(value)] * (hi - lo + 1)
        return out


class ByArea(Strict):
    """The same kind of value for rural and urban members (D5 §1)."""
    rural: Any = None
    urban: Any = None


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------
class Scheme(Strict):
    start: str = Field(description="Month the scheme starts in the county (YYYY-MM); "
                                   "pensions are paid from this month (RULES.md §8)")
    horizon_years: int = Field(90, ge=1, le=150)
    rollout: dict[str, Share] | None = Field(None, description="a scheme that reaches counties in "
                                             "stages: start month (YYYY-MM) -> share of the population "
                                             "starting then (they sum to 1; the first is `start`)")

    @field_validator("start", mode="before")
    @classmethod
    def _date(cls, v: Any) -> str:
        y, m = parse_year_month(v)
        return f"{y:04d}-{m:02d}"

    @field_validator("rollout", mode="before")
    @classmethod
    def _rollout_dates(cls, v: Any) -> Any:
        if v is None:
            return v
        out = {}
        for k, share in dict(v).items():
            y, m = parse_year_month(k)
            out[f"{y:04d}-{m:02d}"] = share
        return out

    @model_validator(mode="after")
    def _rollout_sums(self) -> "Scheme":
        if self.rollout:
            _check_sums_to_one(self.rollout, "the rollout shares", at=("rollout",))
            if min(self.rollout) != self.start:
                raise _Bad(f"the first rollout month must be the start ({self.start})", at=("rollout",))
        return self

    @property
    def start_year(self) -> int:
        return parse_year_month(self.start)[0]

    @property
    def start_month(self) -> int:
        return parse_year_month(self.start)[1]


class Mortality(Strict):
    table: Literal["wpp2024", "cl2010"] = "wpp2024"
    improvement: Literal["table", "frozen"] = Field(
        "table", description="'table': the table's own path over years (WPP projections); "
                             "'frozen': the start year's rates for every year")
    extra_improvement_pa: float = Field(0.0, ge=-0.05, le=0.05,
                                        description="further yearly fall in death rates")


class Population(Strict):
    profile: str = Field(description="age-sex profile, e.g. census2010:province:520000")
    total: int | None = Field(None, gt=0, le=PERSONS_MAX, description="county total, persons; "
                              "None keeps the profile's own total (at most China's population)")
    area_totals: dict[Literal["rural", "urban"], Persons] | None = None
    area_share_urban: Share = 0.0
    profile_year: int | None = Field(None, ge=1900, le=2300, description="year of the profile's "
                                     "counts; when before the start, the profile is aged to the start "
                                     "year with the scenario's death rates (births held at the profile's)")
    band_totals: ByArea | None = Field(None, description="persons by age band per area that "
                                       "the county knows (D5 §1); the profile fills the rest")
    sex_ratio_at_birth: float = Field(1.18, gt=0.8, lt=1.5)
    births_per_woman_15_49: OptPath = Field(
        None, description="general fertility rate path, births per woman 15-49 a year, 0 to "
                          "0.3 (China 2010 about 0.035; the highest national rates about 0.25); "
                          "None = the profile's own ratio of age-0 children to women 15-49, "
                          "held constant")
    net_migration_rate: AgeBands = Field(AgeBands(bands={"0+": 0.0}), description="net "
                                         "migration of non-members a year by age, -0.5 to 0.5 "
                                         "(at most half an age group in one year)")
    mortality: Mortality = Mortality()

    @field_validator("births_per_woman_15_49")
    @classmethod
    def _births(cls, v: DatedPath | None) -> DatedPath | None:
        return v if v is None else v.check_range(
            0.0, BIRTHS_MAX, f"must be births per woman aged 15-49 a year from 0 to {BIRTHS_MAX:g} "
            f"(China 2010: about 0.035; the highest national rates are about 0.25)")

    @field_validator("net_migration_rate")
    @classmethod
    def _migration(cls, v: AgeBands) -> AgeBands:
        return v.check_range(-MIGRATION_MAX, MIGRATION_MAX, f"must be a yearly rate from "
                             f"{-MIGRATION_MAX:g} to {MIGRATION_MAX:g} (net migration of half an "
                             f"age group in one year is the most a county could see)")

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, v: str) -> str:
        problem = _profile_problem(v)
        if problem:
            raise _Bad(problem)
        return v

    @model_validator(mode="after")
    def _totals_agree(self) -> "Population":
        if self.area_totals is not None and sum(self.area_totals.values()) <= 0:
            raise _Bad("the rural and urban totals add up to 0: give the persons of at least "
                       "one area (or leave out population.area_totals)", at=("area_totals",))
        if self.total and self.area_totals:
            both = sum(self.area_totals.values())
            if abs(both - self.total) > 0.5:
                raise _Bad(f"rural + urban = {both} but population.total is {self.total}: "
                           f"they must agree (or leave out population.total)",
                           at=("area_totals",))
        return self


@lru_cache(maxsize=64)
def _profile_problem(profile: str) -> str | None:
    """Why ``profile`` names no shipped census table, or None if it does."""
    from . import tables
    try:
        tables.population_by_single_age(profile)
    except ValueError as exc:
        forms = ", ".join(getattr(tables, "_SOURCE_FORMS", ()))
        if "allowed forms" in str(exc):
            return (f"not a known population profile; allowed forms: {forms} "
                    f"(e.g. census2010:province:520000)")
        return (f"no census data for it ({str(exc).split(': ')[-1]}); allowed forms: {forms} "
                f"(e.g. census2010:province:520000)")
    return None


class Eligibility(Strict):
    """Who may join: 16+, not a student, not in the employee scheme (D1 Art. 6; D3 §5)."""
    eligible_share: ByArea = Field(ByArea(), description="share of the hukou population "
                                   "that is eligible, by age band, per area")
    eligible_counts: ByArea | None = Field(None, description="eligible persons by age band "
                                           "at the start, per area (D5 §1); replaces the "
                                           "shares in those bands")
    employee_scheme_join_rate: AgeBands = AgeBands(bands={"0+": 0.0})
    emigration_rate: AgeBands = AgeBands(bands={"0+": 0.0})

    @field_validator("employee_scheme_join_rate", "emigration_rate")
    @classmethod
    def _rates(cls, v: AgeBands) -> AgeBands:
        return v.check_range(0.0, 1.0, "must be a yearly rate from 0 to 1")


class Enrolment(Strict):
    rate_path: DatedValue = Field(description="target share of the eligible who are "
                                 "members, by year (D3 §4(五): 40 %, 65 %, 90 %), times "
                                 "relative_by_age_band; 0 or more, and not above 1 in every band")
    relative_by_age_band: ByArea = Field(ByArea(rural={"0+": 1.0}, urban={"0+": 1.0}),
                                         description="factor on rate_path by age band, 0 to 10 "
                                         "(the product is the band's target, capped at 1)")
    family_binding: bool = Field(False, description="D3 §6(一)2: the 60+ at start get the "
                                 "basic pension only if their children enrol; caps their "
                                 "uptake at the 16-59 rate")

    @field_validator("rate_path")
    @classmethod
    def _share_or_more(cls, v: DatedPath) -> DatedPath:
        return v.check_range(0.0, None, "must be a share of the eligible, 0 or more")


class TierMix(Strict):
    """Shares of payers by tier in force from a year on (they sum to 1)."""
    by_year: dict[int, dict[float, Share]]

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, v: Any) -> Any:
        if isinstance(v, dict) and "by_year" not in v:
            first = next(iter(v.values()), None)
            if isinstance(first, dict):
                return {"by_year": v}
            return {"by_year": {_ANY_YEAR: v}}
        return v

    @field_validator("by_year")
    @classmethod
    def _sums(cls, v: dict) -> dict:
        years = list(v)
        for a, b in zip(years, years[1:]):
            if b < a:
                raise _Bad(f"the years must be in ascending order ({a} comes before {b})")
        for year, mix in v.items():
            _check_sums_to_one(mix, "the tier shares", at=() if year == _ANY_YEAR else (year,))
        return v


class CatchUpAt60(Strict):
    share: Share = Field(0.0, description="share of members short of the years they may "
                         "or must have who pay the missing years at 60 (D1 Art. 21(二)(三); "
                         "D3 §8(一)); no subsidy (D1 Art. 8)")


class Contributions(Strict):
    tiers: ByArea = Field(description="allowed tiers, yuan/year, ascending (D1 Art. 7)")
    tier_mix: ByArea
    tier_rechoice_share: Share = Field(0.0, description="share of existing payers who "
                                       "re-choose their tier each year by the current mix")
    density: AgeBands = Field(AgeBands(bands={"0+": 1.0}), description="probability that "
                              "a member under 60 pays in a year, by age")
    catch_up_share: Share = Field(0.0, description="share of missed years made up later, "
                                  "without subsidy (D1 Art. 7-8); D3 allows it only in the "
                                  "next year")
    catch_up_window_years: int | None = Field(None, ge=1, le=44, description="years after a missed "
                                              "year in which it may still be made up: null for any later "
                                              "year (D1 Art. 7), 1 for the following year only "
                                              "(D3 §6(一)1); the member calculator enforces it. The "
                                              "cohort engine keeps no stock of missed years: its "
                                              "catch_up_share is made up within the year, which fits both")
    catch_up_at_60: CatchUpAt60 = CatchUpAt60()
    collective_yuan: YuanPerYear = Field(0.0, description="collective subsidy per paying "
                                         "member, yuan/year (D1 Art. 10; D3 §6(二))")

    @field_validator("density")
    @classmethod
    def _probability(cls, v: AgeBands) -> AgeBands:
        return v.check_range(0.0, 1.0, "must be a probability from 0 to 1")


class ContributionSubsidy(Strict):
    """A per-payer government subsidy, stepped by tier (D1 Art. 8; D5 §2(三)4)."""
    name: str
    reference: str
    amount_by_tier: dict[Annotated[float, Field(ge=0, le=YUAN_YEAR_MAX)], YuanPerYear] = Field(
        description="yuan/year for tiers at or above each key")
    paid_by: PaidBy
    areas: list[Literal["rural", "urban"]] = ["rural", "urban"]
    from_year: int = Field(1900, ge=1900, le=2300)
    to_year: int = Field(2300, ge=1900, le=2300)

    @field_validator("amount_by_tier", mode="before")
    @classmethod
    def _flat(cls, v: Any) -> Any:
        return {0: v} if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _years(self) -> "ContributionSubsidy":
        if self.to_year < self.from_year:
            raise _Bad(f"must be from_year ({self.from_year}) or later", at=("to_year",))
        return self

    @field_validator("amount_by_tier")
    @classmethod
    def _ascending(cls, v: dict) -> dict:
        keys = list(v)
        for a, b in zip(keys, keys[1:]):
            if b <= a:
                raise _Bad(f"the tier amounts must be in ascending order ({a:g} comes "
                           f"before {b:g})")
        return v


class OnBehalfGroup(Strict):
    """Members for whom government pays part of the premium (D1 Art. 9; D3 §6(三); D5)."""
    name: str
    reference: str
    share_of_payers: Share = 0.0
    share_of_lowest_tier: Share = Field(0.0, description="government pays this share "
                                        "of the lowest tier for them")
    share_of_contribution: Share = Field(0.0, description="government pays this share "
                                         "of their chosen tier (village cadres, D5)")
    extra_subsidy_yuan: YuanPerYear = Field(0.0, description="added subsidy, yuan/year (D3: 40)")
    extra_lowest_tier_only: bool = True
    paid_by: PaidBy = PaidBy(county=1.0)
    applies_to: list[Literal["severely_disabled", "dibao", "village_cadre"]] = Field(
        [], description="the member flags this group stands for (member calculator); "
        "a member gets the most specific matching group")

    @model_validator(mode="after")
    def _at_most_the_premium(self) -> "OnBehalfGroup":
        a, b = self.share_of_lowest_tier, self.share_of_contribution
        if a + b > 1.0 + SHARE_TOL:
            raise _Bad(f"share_of_lowest_tier and share_of_contribution add up to {a + b:g} but "
                       f"may add up to at most 1: at the lowest tier government would pay more "
                       f"than the premium (D1 Art. 9: half or the whole lowest tier; D5: half "
                       f"the contribution)", what="shares",
                       value={"share_of_lowest_tier": a, "share_of_contribution": b})
        return self


class BasicPensionPart(Strict):
    """One component of the basic pension and who pays it (D1 Art. 20; D3 §8(二)1)."""
    name: str
    reference: str
    monthly: DatedValue = Field(description="yuan a month per pensioner, 0 to 10,000 (the "
                                "highest paid, Shanghai's, is about 1,500)")
    scale: float = Field(1.0, ge=0.0, le=10.0, description="multiplies the path, e.g. a local "
                         "top-up of 60 % of the national minimum")
    paid_by: PaidBy

    @field_validator("monthly")
    @classmethod
    def _yuan(cls, v: DatedPath) -> DatedPath:
        return v.check_range(0.0, YUAN_MONTH_MAX, f"must be yuan a month from 0 to "
                             f"{YUAN_MONTH_MAX:,} (the highest basic pension paid, Shanghai's, is "
                             f"about 1,500 a month)")


class AgeTopup(Strict):
    """A monthly top-up from an age on (D3 §8(四): +10 from 70), paid from the month after
    that birthday like the pension itself (D1 Art. 21 次月)."""
    monthly_yuan: YuanPerMonth = 0.0
    share_of_pensioners: Share = 1.0
    from_age: int | None = Field(None, ge=dims.PENSION_AGE, le=dims.MAX_AGE)

    @model_validator(mode="after")
    def _age_given(self) -> "AgeTopup":
        if self.monthly_yuan > 0 and self.from_age is None:
            raise _Bad("required when monthly_yuan is above 0: the age the top-up starts "
                       "(D3 §8(四): 70)", at=("from_age",))
        return self


class OneChildTopup(Strict):
    """A monthly top-up for parents holding a one-child certificate (D3 §8(三): +10)."""
    monthly_yuan: YuanPerMonth = 0.0
    share_of_pensioners: Share = 0.0


class LumpSum(Strict):
    """D3 §6(一)2 lump-sum purchase (趸缴) by the 60+ at the start."""
    shares: dict[float, Share] = Field({}, description="monthly account pension level "
                                       "-> share of the 60+ at start who buy it")
    min_months: int | None = Field(None, ge=0, le=600, description="D3: never fewer than 60 "
                                   "months (at most 50 years of months)")
    to_age: int | None = Field(None, ge=60, le=dims.MAX_AGE, description="D3: months to age 75")
    purchase_window_years: int = Field(5, ge=1, le=30, description="years after the start in "
                                       "which registrants may buy; each year's buyers are kept "
                                       "apart (their accounts pay only their own pensions)")

    @model_validator(mode="after")
    def _rule_given(self) -> "LumpSum":
        if self.shares:
            for key in ("min_months", "to_age"):
                if getattr(self, key) is None:
                    raise _Bad("required when lump-sum shares are given (D3 §6(一)2: "
                               "60 months, age 75)", at=(key,))
        return self

    @field_validator("shares")
    @classmethod
    def _sum(cls, v: dict) -> dict:
        for level in v:
            if not 0 < level <= YUAN_MONTH_MAX:
                raise _Bad(f"must be a monthly account pension in yuan, more than 0 and at most "
                           f"{YUAN_MONTH_MAX:,} (D3 §6(一)2: 40, 60 or 90)", value=_num(level),
                           what="monthly level")
        if sum(v.values()) > 1.0 + SHARE_TOL:
            raise _Bad(f"the lump-sum shares add up to {sum(v.values()):.6g} but may add "
                       f"up to at most 1")
        return v


class Benefits(Strict):
    basic_pension: list[BasicPensionPart]
    long_contribution_yuan_per_year_over_15: float = Field(
        0.0, ge=0.0, le=100.0, description="monthly extra basic pension per year paid above 15 "
                         "(加发, D1 Art. 20), at the county's cost; 0 to 100 (provinces pay 1 to "
                         "5 yuan a month a year)")
    long_contribution_paid_by: PaidBy = PaidBy(county=1.0)
    payout_divisor: Annotated[float, Field(ge=DIVISOR_MIN, le=DIVISOR_MAX)] | Literal[
        "guofa_2005_38"] = Field(
        description="months the account at 60 is divided by: D1 Art. 20 gives 139; D3 §8(二)2 "
                    "the Guofa [2005] 38 table (139 at 60, the only age at which payment starts "
                    "in this model); a number from 56 to 233, the table's range (233 at 40, "
                    "56 at 70)")
    one_child_parent: OneChildTopup = OneChildTopup()
    age_topup: AgeTopup = AgeTopup()
    topups_from_pooled_fund: bool = Field(True, description="D3 §8(三)(四): top-ups are "
                                          "paid from the fund")
    death_grant_months_of_pension: float = Field(0.0, ge=0, le=60, description="D3 §8(五): 12")
    funeral_grant_yuan: YuanPerYear = Field(0.0, description="D1 Art. 23: optional "
                                            "one-off county grant, yuan")
    grants_from_pooled_fund: bool = True
    lump_sum: LumpSum = LumpSum()
    short_of_years_at_60: Literal["keep_account", "refund"] = Field(
        "keep_account", description="D1 Art. 21(三): no pension until the years are made up; "
        "'keep_account' keeps the account sealed (earning interest, inherited on death), "
        "'refund' pays the own part back and ends membership")

    @field_validator("payout_divisor", mode="before")
    @classmethod
    def _divisor(cls, v: Any) -> Any:
        """One line for any bad divisor (the union would give one per form)."""
        if v == "guofa_2005_38":
            return v
        allowed = f"a number from {DIVISOR_MIN} to {DIVISOR_MAX}, or 'guofa_2005_38'"
        x = v
        if isinstance(v, str):
            try:
                x = float(v.strip())
            except ValueError:
                raise _Bad(f"must be {allowed}") from None
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise _Bad(f"must be {allowed}")
        if not math.isfinite(x):
            raise _Bad(f"{FINITE}; allowed: {allowed}")
        if not DIVISOR_MIN <= x <= DIVISOR_MAX:
            raise _Bad(f"must be {allowed} (the Guofa [2005] 38 table runs from 233 months at "
                       f"40 to 56 at 70; D1 Art. 20 gives 139)")
        return float(x)


class Accounts(Strict):
    interest: Literal["pbc_1y", "flat", "path"] = "pbc_1y"
    interest_rule: Literal["highest", "in_force_jan1", "time_weighted"] = Field(
        "highest", description="D1 Art. 14 就高: the highest rate in force in the year; "
        "D3 §7(二) the reference rate")
    flat_rate_pa: float = Field(0.0, ge=INTEREST_MIN, le=INTEREST_MAX, description="yearly "
                                "rate; the deposit rate ran 1.5 % to 10.98 % in 1990-2025")
    rate_path: OptPath = Field(None, description="yearly rates by date, 0 to 0.3 like "
                               "flat_rate_pa")
    crediting: Literal["year_end", "mid_year"] = Field(
        "year_end", description="RULES.md §3: 'year_end' credits a payment on 31 December "
        "(no interest in the year paid); 'mid_year' gives it half a year's interest")
    rate_after_data_pa: float | None = Field(None, ge=INTEREST_MIN, le=INTEREST_MAX,
                                             description="pbc_1y: the "
                                             "rate for years after the shipped table; None holds "
                                             "the last published rate")
    heirs_share: Share = Field(1.0, description="share of deceased members with an heir; "
                               "without one the whole balance stays in the fund (D1 Art. 20)")

    @field_validator("rate_path")
    @classmethod
    def _rates(cls, v: DatedPath | None) -> DatedPath | None:
        return v if v is None else v.check_range(
            INTEREST_MIN, INTEREST_MAX, f"must be a yearly rate from {INTEREST_MIN:g} to "
            f"{INTEREST_MAX:g} (the deposit rate ran 1.5 % to 10.98 % in 1990-2025)")

    @model_validator(mode="after")
    def _path_given(self) -> "Accounts":
        if self.interest == "path" and self.rate_path is None:
            raise _Bad("required when accounts.interest is 'path': yearly rates by date, "
                       "e.g. {2011: 0.03, 2015: 0.025}", at=("rate_path",))
        return self


class Finance(Strict):
    backstop_paid_by: PaidBy = Field(PaidBy(county=1.0), description="who pays what the "
                                     "pooled fund cannot (D1 Art. 19: the county)")
    pooled_fund_earns_interest: bool = True
    admin_yuan_per_payer: float = Field(0.0, ge=0.0, le=1000.0, description="work funding "
                                        "per paying member, yuan/year (D3 §4(四): 15 to villages; "
                                        "at most 1,000)")
    admin_yuan_per_new_member: float = Field(0.0, ge=0.0, le=1000.0, description="work funding "
                                             "per new member, yuan (D5 §2(三)4: 1 to townships; "
                                             "at most 1,000)")
    admin_paid_by: PaidBy = PaidBy(county=1.0)
    fiscal_base_yuan: OptPath = Field(None, description="the budget the basic pension is compared "
                                      "with in reports (yuan/year, dated, with growth), 0 to 1e14 "
                                      "(China's whole budget revenue was about 2.2e13 in 2023)")

    @field_validator("fiscal_base_yuan")
    @classmethod
    def _base(cls, v: DatedPath | None) -> DatedPath | None:
        return v if v is None else v.check_range(0.0, 1e14, "must be yuan a year from 0 to 1e14 "
                                                 "(China's whole budget revenue: about 2.2e13)")


class Scenario(Strict):
    _files: list = PrivateAttr(default_factory=list)
    title: str
    source: str = ""
    scheme: Scheme
    population: Population
    eligibility: Eligibility
    enrolment: Enrolment
    contributions: Contributions
    subsidies: list[ContributionSubsidy] = []
    on_behalf: list[OnBehalfGroup] = []
    benefits: Benefits
    accounts: Accounts = Accounts()
    finance: Finance = Finance()

    @model_validator(mode="after")
    def _cross_checks(self) -> "Scenario":
        c = self.contributions
        for area in dims.AREAS:
            tiers = getattr(c.tiers, area)
            mix = getattr(c.tier_mix, area)
            at_tiers, at_mix = ("contributions", "tiers", area), ("contributions", "tier_mix", area)
            if tiers is None:
                if mix is not None:
                    raise _Bad(f"tier shares are given but contributions.tiers.{area} is not: "
                               f"give the allowed tiers too", at=at_mix)
                continue
            if not isinstance(tiers, list) or not tiers or not all(
                    isinstance(t, (int, float)) and not isinstance(t, bool) and t > 0
                    for t in tiers):
                raise _Bad("must be a list of positive yuan amounts in ascending order, "
                           "e.g. [100, 200, 300]", at=at_tiers)
            for i, t in enumerate(tiers):
                if t > YUAN_YEAR_MAX:
                    raise _Bad(f"a tier may be at most {YUAN_YEAR_MAX:,} yuan a year (ten times "
                               f"the highest in force, Beijing's 9,000)", at=(*at_tiers, i))
            for a, b in zip(tiers, tiers[1:]):
                if b <= a:
                    raise _Bad(f"the tiers must be in strictly ascending order, e.g. "
                               f"[100, 200, 300] ({a:g} comes before {b:g})", at=at_tiers)
            if mix is None:
                raise _Bad(f"required when contributions.tiers.{area} is given: the shares of "
                           f"payers by tier, e.g. {{{tiers[0]:g}: 1.0}}", at=at_mix)
            by_year = _validate_part(TierMix, mix, at_mix).by_year
            for year, shares in by_year.items():
                for t in shares:
                    if t not in tiers:
                        raise _Bad(f"not one of the allowed tiers in contributions.tiers.{area}: "
                                   f"{', '.join(f'{x:g}' for x in tiers)}",
                                   value=_num(t), what="tier",
                                   at=at_mix + (() if year == _ANY_YEAR else (year,)))
        e = self.eligibility
        for area in dims.AREAS:
            v = getattr(e.eligible_share, area)
            if v is not None:
                at = ("eligibility", "eligible_share", area)
                _validate_part(AgeBands, v, at).check_range(0.0, 1.0, "must be a share from 0 to 1",
                                                            at)
            persons = f"must be a number of persons from 0 to {PERSONS_MAX:,} (China's population)"
            if e.eligible_counts is not None and getattr(e.eligible_counts, area) is not None:
                at = ("eligibility", "eligible_counts", area)
                _validate_part(AgeBands, getattr(e.eligible_counts, area), at).check_range(
                    0.0, PERSONS_MAX, persons, at)
            bands = self.population.band_totals
            if bands is not None and getattr(bands, area) is not None:
                at = ("population", "band_totals", area)
                _validate_part(AgeBands, getattr(bands, area), at).check_range(
                    0.0, PERSONS_MAX, persons, at)
            v = getattr(self.enrolment.relative_by_age_band, area)
            if v is not None:
                at = ("enrolment", "relative_by_age_band", area)
                _validate_part(AgeBands, v, at).check_range(
                    0.0, 10.0, "must be a factor from 0 to 10 on enrolment.rate_path (the "
                    "product, a band's target share, is capped at 1)", at)
        self._check_enrolment_target()
        self._check_paths_cover_the_start()
        total = sum(g.share_of_payers for g in self.on_behalf)
        if total > 1.0 + SHARE_TOL:
            raise _Bad(f"the share_of_payers of the groups add up to {total:.6g} but may add up "
                       f"to at most 1: government would pay more than the whole premium of "
                       f"all payers (D1 Art. 9)", what="share_of_payers",
                       value=[g.share_of_payers for g in self.on_behalf], at=("on_behalf",))
        return self

    def _check_enrolment_target(self) -> None:
        """A rate_path value times every band's factor above 1 is no target (D3 §4(五))."""
        least = None
        for area in dims.AREAS:
            v = getattr(self.enrolment.relative_by_age_band, area)
            by_age = AgeBands.model_validate(v).by_age(1.0) if v is not None else [1.0] * dims.N_AGE
            factors = [x for x in by_age[dims.ENTRY_AGE:] if x > 0]
            if factors:
                least = min(factors) if least is None else min(least, min(factors))
        if least is None:
            return
        for date, x in self.enrolment.rate_path.values.items():
            if x * least > 1.0 + SHARE_TOL:
                raise _Bad(f"the target share times enrolment.relative_by_age_band is above 1 in "
                           f"every age band ({x:g} x the least factor {least:g} = {x * least:.3g}); "
                           f"here it may be at most {1 / least:.4g}",
                           at=("enrolment", "rate_path", "values", date))

    def _check_paths_cover_the_start(self) -> None:
        """Every dated path in use has a value from the scheme's start (refused otherwise)."""
        start = self.scheme.start
        paths = [(("enrolment", "rate_path"), self.enrolment.rate_path, True),
                 (("population", "births_per_woman_15_49"),
                  self.population.births_per_woman_15_49, True),
                 (("finance", "fiscal_base_yuan"), self.finance.fiscal_base_yuan, True),
                 *((("benefits", "basic_pension", i, "monthly"), part.monthly, False)
                   for i, part in enumerate(self.benefits.basic_pension))]
        if self.accounts.interest == "path":
            paths.append((("accounts", "rate_path"), self.accounts.rate_path, True))
        for at, path, yearly in paths:
            if path is not None:
                path.check_covers(start, yearly, at)


def _num(x: float) -> int | float:
    """``150.0`` as ``150`` for messages."""
    return int(x) if float(x).is_integer() else x


def _validate_part(model: type[BaseModel], value: Any, at: tuple) -> Any:
    """``model`` validated from ``value``; a problem becomes a :class:`_Bad` at key path ``at``."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        loc, bad, msg, what = _problem(exc.errors()[0], model)
        raise _Bad(msg, value=bad, what=what, at=(*at, *loc)) from None


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------
def _is_value_mapping(d: dict) -> bool:
    """A mapping that is one value (tier shares, age bands, dated values), not a section.

    Its keys are numbers, age bands or dates rather than names; an override
    replaces such a mapping whole instead of merging into it.
    """
    return any(not (isinstance(k, str) and k.isidentifier()) for k in d)


def _deep_merge(base: dict, over: dict) -> dict:
    """``base`` with ``over`` merged in: sections merge key by key, values replace."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if (isinstance(v, dict) and isinstance(out.get(k), dict)
                and not _is_value_mapping(v) and not _is_value_mapping(out[k])):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


class _Layer(NamedTuple):
    """One file of an ``extends:`` chain: where it is, how to show it, what it holds."""
    path: Path          # resolved, for reading and provenance
    shown: str          # as the user gave it (parents: joined to the child's folder)
    data: dict          # its own mapping, without ``extends``


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, first: Any, mark: Any):
        super().__init__(f"duplicate key {key!r}")
        self.key, self.first, self.mark = key, first, mark


class _Loader(yaml.SafeLoader):
    """The safe YAML loader, refusing a key given twice in one mapping (YAML keeps the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: Any, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node.start_mark)
        except TypeError:                    # unhashable key: the loader reports it
            continue
        if first is not key_node.start_mark:     # also two on one line: {2011: 0.6, 2011: 0.1}
            raise _DuplicateKey(key, first, key_node.start_mark)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.YAMLError) -> tuple[Any, str]:
    """(mark, plain-English explanation) of a YAML syntax error."""
    if isinstance(exc, _DuplicateKey):
        first = f"line {exc.first.line + 1}"
        if exc.first.line == exc.mark.line:
            first += f", column {exc.first.column + 1}"
        return exc.mark, (f"the key {exc.key!r} is given twice in the same block (first at "
                          f"{first}); give each key once")
    mark = getattr(exc, "problem_mark", None)
    ctx_mark = getattr(exc, "context_mark", None)
    problem = (getattr(exc, "problem", None) or "").strip()
    context = (getattr(exc, "context", None) or "").strip()
    if context.startswith("while scanning a quoted scalar"):
        return ctx_mark or mark, "a quote opened here is never closed; close it on the same line"
    if "mapping values are not allowed" in problem:
        return mark, ("a ':' is not allowed here: check the indentation, and put a value "
                      "that contains ': ' in quotes")
    if "'\\t'" in problem:
        return mark, "a tab character: indent with spaces only"
    if "could not find expected ':'" in problem:
        return mark, "expected 'key: value' here: a ':' is missing or the indentation is wrong"
    if problem.startswith("expected <block"):
        return mark, "the indentation does not line up with the lines above"
    if "flow mapping" in context or "flow sequence" in context:
        opened = f" opened at line {ctx_mark.line + 1}" if ctx_mark is not None else ""
        return mark, f"a {{...}} or [...]{opened} is not closed or misses a comma ({problem})"
    if not problem:
        return mark, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    where = ""
    if context and ctx_mark is not None and (mark is None or ctx_mark.line != mark.line):
        where = f" ({context} at line {ctx_mark.line + 1})"
    elif context:
        where = f" ({context})"
    return mark, problem + where


def _read_yaml(path: Path, shown: str | None = None) -> dict:
    """The top-level mapping of one YAML file; any problem is a :class:`ScenarioError`."""
    shown = str(path) if shown is None else shown
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{shown}: no such file; check the file name and folder") from None
    except IsADirectoryError:
        raise ScenarioError(f"{shown}: is a folder; give a scenario .yaml file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{shown}: is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ScenarioError(f"{shown}: cannot read ({exc.strerror})") from None
    too_deep = ScenarioError(f"{shown}: nested too deeply (more than {MAX_DEPTH} levels); a "
                             f"scenario needs at most about 6")
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark, why = _yaml_problem(exc)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
        raise ScenarioError(f"{shown}:{where} not valid YAML: {why}") from None
    except RecursionError:
        raise too_deep from None
    if _expanded_size(data) > MAX_NODES:
        raise ScenarioError(f"{shown}: the file repeats its parts (YAML '&' anchors and '*' aliases) "
                            f"into more than {MAX_NODES:,} values; a scenario has a few hundred")
    if _depth(data) > MAX_DEPTH:
        raise too_deep
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = {list: "a list", str: "a single text", int: "a single number",
                float: "a single number"}.get(type(data), type(data).__name__)
        raise ScenarioError(f"{shown}: (top level): the file is {kind}; it must be keys and "
                            f"values such as 'title: ...' and 'scheme: ...'")
    return data


def _expanded_size(data: Any) -> int:
    """Values in ``data`` with every alias counted again, computed once per shared part.

    YAML aliases share one object, so a small file ("billion laughs") can stand for
    a tree far too big to walk; this counts it without walking it.
    """
    size: dict[int, int] = {}
    visiting: set[int] = set()
    todo = [(data, False)]
    while todo:
        node, children_done = todo.pop()
        if not isinstance(node, (dict, list)) or id(node) in size:
            continue
        kids = [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, (dict, list))]
        if children_done:
            visiting.discard(id(node))
            total = 1 + (len(node) - len(kids)) + sum(size.get(id(c), 1) for c in kids)
            size[id(node)] = min(total, MAX_NODES + 1)
        elif id(node) not in visiting:                 # a part that contains itself counts once
            visiting.add(id(node))
            todo.append((node, True))
            todo.extend((c, False) for c in kids if id(c) not in size)
    return size.get(id(data), 1)


def _depth(data: Any) -> int:
    """Levels of mappings and lists in ``data`` (a bare value: 0), without recursion."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        node, level = todo.pop()
        children = (node.values() if isinstance(node, dict) else node
                    if isinstance(node, list) else None)
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            todo.extend((c, level + 1) for c in children)
    return deepest


def _non_finite(data: Any) -> list[tuple[tuple, float]]:
    """(key path, value) of every NaN or infinity in a raw mapping, keys included.

    YAML reads ``.nan``, ``.inf``, ``-.inf`` and overflowing numbers (``1e400``)
    as floats; no quantity of a scheme can be one. Found before validation, in
    one place, so every field (dated paths, age-band tables, tier lists,
    subsidy schedules, shares) refuses them alike.
    """
    bad: list[tuple[tuple, float]] = []
    todo: list[tuple[tuple, Any]] = [((), data)]
    while todo:
        at, node = todo.pop()
        if isinstance(node, float) and not math.isfinite(node):
            bad.append((at, node))
        elif isinstance(node, dict):
            bad.extend((at, k) for k in node if isinstance(k, float) and not math.isfinite(k))
            todo.extend(((*at, k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            todo.extend(((*at, i), v) for i, v in reversed(list(enumerate(node))))
    return bad


def _resolve(path: str | Path, _seen: tuple = ()) -> list[_Layer]:
    """The files of a scenario's ``extends:`` chain, parents first."""
    shown = str(path)
    chain = [(p, s) for p, s in _seen]
    layers: list[_Layer] = []
    while True:
        real = Path(shown).resolve()
        data = _read_yaml(real, shown)
        chain.append((real, shown))
        parent = data.pop("extends", None)
        layers.append(_Layer(real, shown, data))
        if parent is None:
            return layers[::-1]
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(f"{shown}: extends: bad value {_show(parent)}: must be one "
                                f"file name, e.g. 'extends: qiannan_2011.yaml'")
        parent_shown = os.path.normpath(os.path.join(os.path.dirname(shown), parent))
        parent_real = (real.parent / parent).resolve()
        if not parent_real.is_file():
            raise ScenarioError(f"{shown}: extends: bad value {parent!r}: no such file (looked "
                                f"for {parent_shown}); give the path of an existing scenario "
                                f"relative to this file's folder")
        if any(parent_real == p for p, _ in chain):
            loop = " -> ".join(Path(s).name for _, s in (*chain, (parent_real, parent_shown)))
            raise ScenarioError(f"{shown}: extends: bad value {parent!r}: this makes a loop "
                                f"({loop}); a scenario may only extend a file that does not "
                                f"lead back to it")
        shown = parent_shown


def _merge(layers: list[_Layer]) -> dict:
    raw: dict = {}
    for layer in layers:
        raw = _deep_merge(raw, layer.data)
    return raw


def resolve_raw(path: str | Path, _seen: tuple = ()) -> tuple[dict, list[Path]]:
    """The merged raw mapping of a scenario and its ``extends:`` chain, and the files read."""
    seen = tuple((Path(p).resolve(), str(p)) for p in _seen)
    layers = _resolve(path, seen)
    return _merge(layers), [layer.path for layer in layers]


# --------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------
def _walk(raw: Any, loc: tuple) -> tuple[str, bool, Any]:
    """(key path as the user wrote it, whether it is in ``raw``, the value there).

    Keys the validators add around a bare mapping (``bands``, ``values``,
    ``by_year``, the year of a value not given by date) are skipped when
    the user did not write them.
    """
    parts: list[str] = []
    cur, found = raw, True
    for item in loc:
        if found and isinstance(cur, list) and isinstance(item, int) and 0 <= item < len(cur):
            parts.append(f"[{item}]")
            cur = cur[item]
            continue
        if found and isinstance(cur, dict):
            if item in cur:
                key = next(k for k in cur if k == item)
                parts.append(("." if parts else "") + str(key))
                cur = cur[item]
                continue
            if item in _WRAPPERS or item in (_ANY_YEAR, _ANY_DATE):
                continue
            same = ([k for k in cur if str(k) == str(item)]
                    or [k for k in cur if _same_date(k, item)])
            if same:
                parts.append(("." if parts else "") + str(same[0]))
                cur = cur[same[0]]
                continue
        elif found:                 # a bare value: the rest of loc is the validators' wrapping
            break
        elif item in _WRAPPERS or item in (_ANY_YEAR, _ANY_DATE):
            continue
        found, cur = False, None
        parts.append(("." if parts else "") + str(item))
    return "".join(parts), found, cur


def _same_date(key: Any, date: Any) -> bool:
    """Whether a key as written (``2011``, ``2014-07``) is the normalised ``date`` ("2011-01")."""
    if not (isinstance(date, str) and _DATE_RE.match(date)) or isinstance(key, bool):
        return False
    try:
        return parse_year_month(key) == parse_year_month(date)
    except _Bad:
        return False


def _loc(loc: tuple, raw: Any = None) -> str:
    """A pydantic error location as a key path, e.g. ``benefits.basic_pension[0].paid_by``."""
    return _walk(raw if raw is not None else {}, loc)[0] or "(top level)"


def _get(data: Any, loc: tuple) -> Any:
    """The value at ``loc`` in the raw mapping, or ``"(missing)"``."""
    _, found, value = _walk(data, loc)
    return value if found else "(missing)"


def _show(value: Any, limit: int = 100) -> str:
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + " ...]"


def _type_at(root: Any, loc: tuple) -> tuple[Any, list, Any] | None:
    """(type, constraints, field info) that ``root`` expects at ``loc``; None if unknown."""
    tp, meta, info = root, [], None
    for item in loc:
        tp, meta = _unwrap(tp, meta)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(item) if isinstance(item, str) else None
            if info is None:
                return None
            tp, meta = info.annotation, list(info.metadata)
        elif get_origin(tp) in (list, tuple) and isinstance(item, int):
            tp, meta, info = get_args(tp)[0], [], None
        elif get_origin(tp) is dict:
            tp, meta, info = get_args(tp)[1], [], None
        else:
            return None
    tp, meta = _unwrap(tp, meta)
    return tp, meta, info


_SHAPES = {
    "AgeBands": "a number, or values by age band such as {'16-59': 0.9, '60+': 1.0}",
    "DatedPath": "a number, or values by date such as {2011: 55, 2014-07: 70}",
    "PaidBy": "shares by level of government such as {province: 0.5, county: 0.5}",
    "TierMix": ("shares of payers by tier such as {100: 0.9, 200: 0.1}, or by year such as "
                "{2011: {100: 1.0}, 2015: {100: 0.8, 200: 0.2}}"),
}


def _g(x: float) -> str:
    """A bound for a message: ``2,000,000,000`` rather than ``2e+09``."""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 10_000 else f"{x:g}"


def _describe(tp: Any, meta: list) -> str | None:
    """What a value of type ``tp`` with constraints ``meta`` may be, in plain words."""
    if get_origin(tp) in (Union, types.UnionType):
        words = []
        for arm in get_args(tp):
            if get_origin(arm) is Literal and len(get_args(arm)) == 1:
                words.append(repr(get_args(arm)[0]))
            elif arm is not type(None):
                words.append(_describe(*_unwrap(arm, [])))
        return None if None in words else ", or ".join(words)
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if tp is bool:
        return "true or false"
    if tp is str:
        return "text"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp.__name__ in _SHAPES:
            return _SHAPES[tp.__name__]
        return "a group of keys (" + ", ".join(tp.model_fields) + ")"
    if get_origin(tp) is list:
        return "a list (one item per line starting with '- ')"
    if get_origin(tp) is dict:
        return "keys and values, e.g. {key: value}"
    if tp not in (int, float):
        return None
    noun = "a whole number" if tp is int else "a number"
    b = {k: getattr(m, k) for m in meta for k in ("ge", "gt", "le", "lt")
         if getattr(m, k, None) is not None}
    lo = ("ge", b["ge"]) if "ge" in b else ("gt", b["gt"]) if "gt" in b else None
    hi = ("le", b["le"]) if "le" in b else ("lt", b["lt"]) if "lt" in b else None
    if lo and hi and lo[0] == "ge" and hi[0] == "le":
        return f"{noun} from {_g(lo[1])} to {_g(hi[1])}"
    words = []
    if lo:
        words.append(f"{_g(lo[1])} or more" if lo[0] == "ge" else f"more than {_g(lo[1])}")
    if hi:
        words.append(f"{_g(hi[1])} or less" if hi[0] == "le" else f"less than {_g(hi[1])}")
    return noun + (", " + " and ".join(words) if words else "")


_TYPE_ERRORS = {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type",
                "bool_parsing", "bool_type", "string_type", "greater_than",
                "greater_than_equal", "less_than", "less_than_equal", "finite_number",
                "literal_error", "model_type", "model_attributes_type", "dict_type",
                "list_type", "too_short", "too_long", "int_parsing_size"}


def _problem(err: dict, root: Any) -> tuple[tuple, Any, str, str]:
    """(key path, bad value or _NO, what is allowed, what the value is) of one pydantic error."""
    loc = tuple(x for x in err["loc"]
                if not (isinstance(x, str) and x.startswith(("function-", "constrained-"))))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    exc = ctx.get("error")
    if isinstance(exc, _Bad):
        return (*loc, *exc.at), exc.value, str(exc), exc.what
    if kind == "extra_forbidden":
        parent = _type_at(root, loc[:-1])
        names = list(parent[0].model_fields) if parent and isinstance(parent[0], type) \
            and issubclass(parent[0], BaseModel) else []
        if parent and parent[0] is root and root is Scenario:
            names = ["extends", *names]
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        where = "at the top level" if len(loc) == 1 else "here"
        return loc, _NO, (f"unknown key; {hint}allowed {where}: {', '.join(names)}"
                          if names else "unknown key"), "key"
    if kind == "missing":
        found = _type_at(root, loc)
        desc = found[2].description if found and found[2] is not None else None
        return loc, _NO, "required key is missing" + (f" ({desc})" if desc else ""), "value"
    is_key = len(loc) >= 2 and loc[-1] == "[key]"
    if is_key:
        loc, value = loc[:-2], loc[-2]
        found = _type_at(root, loc)
        tp = found[0] if found else None
        key_tp = get_args(tp)[0] if get_origin(tp) is dict else None
        desc = _describe(*_unwrap(key_tp, [])) if key_tp is not None else None
        if key_tp is str:
            desc = "text: put it in quotes, e.g. '60'"
        return loc, value, f"must be {desc}" if desc else _pydantic_words(err["msg"]), "key"
    if kind == "value_error" and exc is not None:
        return loc, _NO, str(exc), "value"
    if kind == "finite_number":                 # a text such as "nan" read as a number
        return loc, _NO, _finite_words(root, loc), "value"
    if kind in _TYPE_ERRORS:
        found = _type_at(root, loc)
        desc = _describe(found[0], found[1]) if found else None
        if desc is None and kind in ("model_type", "model_attributes_type") \
                and ctx.get("class_name") in _SHAPES:
            desc = _SHAPES[ctx["class_name"]]
        if desc:
            return loc, _NO, f"must be {desc}", "value"
    return loc, _NO, _pydantic_words(err["msg"]), "value"


def _finite_words(root: Any, loc: tuple) -> str:
    """What to say of a NaN or infinity at ``loc``: finite, and what is allowed there."""
    found = _type_at(root, loc)
    desc = _describe(found[0], found[1]) if found else None
    return f"{FINITE}; allowed: {desc}" if desc else FINITE


def _pydantic_words(msg: str) -> str:
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return re.sub(r"^Input should be", "must be", msg)


def _origin(layers: list[_Layer], loc: tuple) -> tuple[_Layer | None, list[_Layer]]:
    """(the file the merged value at ``loc`` comes from, the earlier files that also set it).

    Sections merge key by key, but a list or a value mapping is replaced whole by the
    last file that sets it: everything below it (even a key missing there) is that
    file's, so a list item without its ``reference`` is blamed on the file that wrote
    the list, not on the scenario it extends.
    """
    for k in range(1, len(loc) + 1):
        hits = [layer for layer in layers if _walk(layer.data, loc[:k])[1]]
        if not hits:
            return None, []
        value = _walk(hits[-1].data, loc[:k])[2]
        if isinstance(value, list) or (isinstance(value, dict) and _is_value_mapping(value)):
            return hits[-1], []
    hits = [layer for layer in layers if _walk(layer.data, loc)[1]]
    return (hits[-1], hits[:-1]) if hits else (None, [])


def _format_error(path: str | Path, exc: ValidationError, raw: dict,
                  layers: list[_Layer] | None = None) -> str:
    """One line per problem: file, key path, bad value, what is allowed."""
    problems = [(*_problem(err, Scenario), err["type"] not in ("missing", "extra_forbidden"))
                for err in exc.errors()]
    return _format_problems(path, problems, raw, layers)


def _format_problems(path: str | Path, problems: list[tuple], raw: dict,
                     layers: list[_Layer] | None = None) -> str:
    """One line per (key path, value or _NO, what is allowed, what it is, show the raw value)."""
    main = str(path)
    lines: list[str] = []
    for loc, value, msg, what, show_raw in problems:
        shown, found, at_raw = _walk(raw, loc)
        owner, also = _origin(layers or [], loc)
        file = main
        if owner is not None and owner.shown != main:
            file = f"{owner.shown} (extended by {main})"
        if value is _NO and found and show_raw:
            value = at_raw
        if value is _NO:
            text = msg
        else:
            merged = ""
            if (owner is not None and also and isinstance(value, dict)
                    and _walk(owner.data, loc)[2] != value):
                merged = f" (merged with keys from {', '.join(a.shown for a in also)})"
            text = f"bad {what} {_show(value)}{merged}: {msg}"
        line = f"{file}: {shown or '(top level)'}: {text}"
        if line not in lines:
            lines.append(line)
    if len(lines) > 10:
        lines = [*lines[:10], f"{main}: ... and {len(lines) - 10} more problems"]
    return "\n".join(lines)


def load_scenario(path: str | Path) -> "Scenario":
    """The validated :class:`Scenario` of a YAML file (``extends:`` resolved).

    Raises :class:`ScenarioError` with one line per problem (file, key path,
    value, what is allowed); file paths are shown as given.
    """
    layers = _resolve(path)
    raw = _merge(layers)
    scen = _validated(raw, path, layers)
    scen._files = [layer.path for layer in layers]
    return scen


def _validated(raw: dict, path: str | Path, layers: list[_Layer] | None = None) -> Scenario:
    """The :class:`Scenario` of a merged raw mapping; any problem is a :class:`ScenarioError`."""
    if _depth(raw) > MAX_DEPTH:
        raise ScenarioError(f"{path}: nested too deeply (more than {MAX_DEPTH} levels); a "
                            f"scenario needs at most about 6")
    bad = _non_finite(raw)
    if bad:
        problems = [(loc, value, _finite_words(Scenario, loc), "value", True) for loc, value in bad]
        raise ScenarioError(_format_problems(path, problems, raw, layers))
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_format_error(path, exc, raw, layers)) from None


def scenario_files(scen: Scenario) -> list[Path]:
    """The files a scenario was read from, parents first."""
    return list(scen._files)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def with_overrides(scen: Scenario, changes: dict, where: str = "override") -> Scenario:
    """A copy of ``scen`` with ``changes`` merged in as a file extending it would be.

    Used by reports that compare variants of one scenario (an enrolment target,
    a tier mix). Raises :class:`ScenarioError` naming ``where`` on a bad change.
    """
    merged = _deep_merge(scen.model_dump(mode="python"), changes)
    out = _validated(merged, where)
    out._files = list(scen._files)
    return out
