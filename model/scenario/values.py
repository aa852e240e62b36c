"""Small value types of a scenario: dates, age bands, shares, dated paths, values by age
band or area, and the ranges a real scheme could have (each with its reason)."""
from __future__ import annotations

import datetime
import math
import re
import types
from fractions import Fraction
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from .. import dims
from .errors import _ANY_YEAR, _Bad, _describe, _problem, _unwrap

SHARE_TOL = 1e-6
MAX_DEPTH = 50          # nesting a scenario file may have; the deepest shipped one has 5 levels
MAX_NODES = 1_000_000   # values a scenario file may stand for (aliases counted again); shipped: < 2,000

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
    from_trend: str | None = Field(None, exclude=True, description="set when the values were "
                                   "expanded from a trend (its form), for messages")

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
        """Raise a :class:`_Bad` naming the date whose value is outside [lo, hi] (for a path
        expanded from a trend: the trend, and the year and value it gives)."""
        if self.from_trend is not None:
            for key, x in self.values.items():
                if (lo is not None and x < lo) or (hi is not None and x > hi):
                    raise _Bad(f"the {self.from_trend} trend gives {x:.6g} in {key[:4]}; {allowed}",
                               at=(*at, "trend"))
            return self
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


class Trend(Strict):
    """A smooth path of yearly values from two to four numbers, written where no yearly source exists.

    ``linear``: ``start + rate_pa * (year - from_year)``; ``exponential``: ``start *
    (1 + rate_pa) ** (year - from_year)``; ``logistic``: from ``start`` towards ``end``
    along an S-curve whose midpoint is ``midpoint`` (a year) and whose steepness is
    ``rate_pa`` (a year's change at the midpoint is ``rate_pa / 4`` of the distance);
    ``start`` and ``end`` are the levels long before and long after the midpoint, not the
    values at ``from_year`` and ``to_year``.
    Expanded into one value each January from ``from_year`` to ``to_year``, held after.
    """
    form: Literal["linear", "exponential", "logistic"]
    from_year: int = Field(ge=1900, le=2300)
    to_year: int = Field(2100, ge=1900, le=2300)
    start: float
    end: float | None = None
    midpoint: float | None = Field(None, ge=1900, le=2300)
    rate_pa: float = Field(0.0, description="linear: the change a year, in the path's unit; "
                           "exponential: the growth a year, -0.5 to 5; logistic: the steepness, 0 to 5")
    reason: str = Field(min_length=1, description="why this trend: its source or the assumption")

    @model_validator(mode="after")
    def _complete(self) -> "Trend":
        if self.form == "logistic":
            for key in ("end", "midpoint"):
                if getattr(self, key) is None:
                    raise _Bad("required for a logistic trend (the level it tends to and the "
                               "year it is half way)", at=(key,))
        lo, hi = {"linear": (-1e9, 1e9), "exponential": (-0.5, 5.0), "logistic": (0.0, 5.0)}[self.form]
        if not lo <= self.rate_pa <= hi or (self.form == "logistic" and self.rate_pa == 0):
            allowed = "above 0 and at most 5" if self.form == "logistic" else f"from {lo:g} to {hi:g}"
            raise _Bad(f"must be {allowed} for a {self.form} trend", at=("rate_pa",))
        if self.form != "logistic":
            for key in ("end", "midpoint"):
                if getattr(self, key) is not None:
                    raise _Bad(f"only a logistic trend has an {key}; a {self.form} trend has start "
                               f"and rate_pa", at=(key,))
        if self.to_year < self.from_year:
            raise _Bad(f"must be from_year ({self.from_year}) or later", at=("to_year",))
        return self

    def values(self) -> dict[str, float]:
        """The trend's value in each year from ``from_year`` to ``to_year`` ("YYYY-01" keys)."""
        out = {}
        for y in range(self.from_year, self.to_year + 1):
            t = y - self.from_year
            if self.form == "linear":
                v = self.start + self.rate_pa * t
            elif self.form == "exponential":
                v = self.start * (1.0 + self.rate_pa) ** t
            else:
                z = min(max(-self.rate_pa * (y - self.midpoint), -700.0), 700.0)
                v = self.start + (self.end - self.start) / (1.0 + math.exp(z))
            out[f"{y:04d}-01"] = float(v)
        return out


def _as_path(v: Any) -> Any:
    """Accept a bare number, a bare mapping, a trend or a shipped table as a DatedPath.

    ``{table: national_min_basic_pension}`` takes the dated national minimum
    basic pension from the shipped table (model/data/PROVENANCE.md);
    ``{trend: {form: logistic, ...}}`` a smooth path (:class:`Trend`).
    """
    if isinstance(v, dict) and "trend" in v:
        trend = _validate_part(Trend, v["trend"], ("trend",))
        rest = {k: x for k, x in v.items() if k != "trend"}
        if set(rest) - {"growth_pa_after_last"}:
            extra = sorted(set(rest) - {"growth_pa_after_last"})[0]
            raise _Bad("not allowed beside a trend (give dated values or a trend, not both)",
                       at=(extra,))
        return {"values": trend.values(), "from_trend": trend.form, **rest}
    if isinstance(v, dict) and "table" in v:
        from model.io import tables
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


def _factor(v: DatedPath | None) -> DatedPath | None:
    return v if v is None else v.check_range(0.0, 10.0, "must be a factor from 0 to 10")


# a dated factor on another value (density, joining the employee scheme, a subsidy, a pension part)
Factor = Annotated[DatedValue, AfterValidator(_factor)]
OptFactor = Annotated[OptPath, AfterValidator(_factor)]


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
