"""Read a scenario YAML file, resolve ``extends:``, validate, record provenance.

A scenario file holds only its changes from the scenario it extends (if
any). The fully resolved parameter set is validated with pydantic; any
mistake becomes one :class:`ScenarioError` naming the file, the key path,
the bad value and what is allowed. This module and ``tables.py`` are the
only places in ``model/`` that read files.
"""
from __future__ import annotations

import copy
import hashlib
import re
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr,
                      ValidationError, field_validator, model_validator)

from . import dims

SHARE_TOL = 1e-6


class ScenarioError(ValueError):
    """A user mistake in a scenario file: printed as one line, never a traceback."""


# --------------------------------------------------------------------------
# Small value types
# --------------------------------------------------------------------------
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


def parse_year_month(value: Any) -> tuple[int, int]:
    """(year, month) from ``2011``, ``"2011"`` or ``"2011-07"``; month 1 if absent."""
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise ValueError(f"{value!r} is not a date: use YYYY or YYYY-MM")
    year, month = int(m.group(1)), int(m.group(2) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r} has month {month}: allowed 1..12")
    if not 1900 <= year <= 2300:
        raise ValueError(f"{value!r} has year {year}: allowed 1900..2300")
    return year, month


_BAND_RE = re.compile(r"^(\d{1,3})\s*(?:-\s*(\d{1,3})|(\+))?$")


def parse_age_band(label: Any) -> tuple[int, int]:
    """(first, last) ages of a band label ``"16-59"``, ``"60"`` or ``"60+"`` (last = MAX_AGE)."""
    m = _BAND_RE.match(str(label).strip())
    if not m:
        raise ValueError(f"age band {label!r}: use 'LO-HI', 'AGE' or 'LO+' (e.g. '16-59', '60+')")
    lo = int(m.group(1))
    hi = dims.MAX_AGE if m.group(3) else int(m.group(2) or lo)
    if not 0 <= lo <= hi <= dims.MAX_AGE:
        raise ValueError(f"age band {label!r}: need 0 <= LO <= HI <= {dims.MAX_AGE}")
    return lo, hi


def _share(value: Any) -> float:
    """A share given as a number or a fraction string such as ``"1/3"``."""
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{value!r} is not a number or a fraction like '1/3'")
    return float(value)


Share = Annotated[float, Field(ge=0.0, le=1.0)]
Money = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_sums_to_one(shares: dict, what: str) -> None:
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOL:
        raise ValueError(f"{what} must sum to 1, got {total:.6g} ({dict(shares)})")


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
            return {k: _share(v) for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _sum(self) -> "PaidBy":
        _check_sums_to_one(self.model_dump(), "paid_by shares")
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
            raise ValueError("give at least one dated value, e.g. {2011: 55}")
        out = {}
        for k, val in v.items():
            y, m = parse_year_month(k)
            out[f"{y:04d}-{m:02d}"] = val
        keys = list(out)
        if keys != sorted(keys):
            raise ValueError(f"dates must be in ascending order, got {list(v)}")
        return out

    def dated(self) -> list[tuple[int, int, float]]:
        return [(*parse_year_month(k), v) for k, v in self.values.items()]


def _as_path(v: Any) -> Any:
    """Accept a bare number, a bare mapping or a shipped table as a DatedPath.

    ``{table: national_min_basic_pension}`` takes the dated national minimum
    basic pension from the shipped table (model/data/PROVENANCE.md).
    """
    if isinstance(v, dict) and "table" in v:
        from . import tables
        name = v["table"]
        if name != "national_min_basic_pension":
            raise ValueError(f"table {name!r} is not a dated table; allowed: "
                             f"'national_min_basic_pension'")
        rest = {k: x for k, x in v.items() if k != "table"}
        return {"values": {d: val for d, val, *_ in tables.national_min_basic_pension_path()},
                **rest}
    if isinstance(v, (int, float)):
        return {"values": {1900: v}}
    if isinstance(v, dict) and "values" not in v:
        return {"values": v}
    return v


DatedValue = Annotated[DatedPath, BeforeValidator(_as_path)]
OptPath = Annotated[DatedPath | None, BeforeValidator(lambda v: None if v is None else _as_path(v))]


class AgeBands(Strict):
    """Values by age band, e.g. ``{"16-59": 0.8, "60+": 0.9}``; bands may not overlap."""
    bands: dict[str, float]

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, v: Any) -> Any:
        if isinstance(v, (int, float)):
            return {"bands": {"0+": v}}
        if isinstance(v, dict) and "bands" not in v:
            return {"bands": v}
        return v

    @field_validator("bands")
    @classmethod
    def _no_overlap(cls, v: dict[str, float]) -> dict[str, float]:
        spans = sorted(parse_age_band(k) for k in v)
        for (lo1, hi1), (lo2, hi2) in zip(spans, spans[1:]):
            if lo2 <= hi1:
                raise ValueError(f"age bands overlap: {lo1}-{hi1} and {lo2}-{hi2}")
        return v

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

    @field_validator("start", mode="before")
    @classmethod
    def _date(cls, v: Any) -> str:
        y, m = parse_year_month(v)
        return f"{y:04d}-{m:02d}"

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
    total: int | None = Field(None, gt=0, description="county total, persons; "
                              "None keeps the profile's own total")
    area_totals: dict[Literal["rural", "urban"], Annotated[int, Field(ge=0)]] | None = None
    area_share_urban: Share = 0.0
    sex_ratio_at_birth: float = Field(1.18, gt=0.8, lt=1.5)
    births_per_woman_15_49: OptPath = Field(
        None, description="general fertility rate path; None = the profile's own ratio "
                          "of age-0 children to women 15-49, held constant")
    net_migration_rate: AgeBands = AgeBands(bands={"0+": 0.0})
    mortality: Mortality = Mortality()


class Eligibility(Strict):
    """Who may join: 16+, not a student, not in the employee scheme (D1 Art. 6; D3 §5)."""
    eligible_share: ByArea = Field(ByArea(), description="share of the hukou population "
                                   "that is eligible, by age band, per area")
    eligible_counts: ByArea | None = Field(None, description="eligible persons by age band "
                                           "at the start, per area (D5 §1); replaces the "
                                           "shares in those bands")
    employee_scheme_join_rate: AgeBands = AgeBands(bands={"0+": 0.0})
    emigration_rate: AgeBands = AgeBands(bands={"0+": 0.0})


class Enrolment(Strict):
    rate_path: DatedValue = Field(description="target share of the eligible who are "
                                 "members, by year (D3 §4(五): 40 %, 65 %, 90 %)")
    relative_by_age_band: ByArea = ByArea(rural={"0+": 1.0}, urban={"0+": 1.0})
    family_binding: bool = Field(False, description="D3 §6(一)2: the 60+ at start get the "
                                 "basic pension only if their children enrol; caps their "
                                 "uptake at the 16-59 rate")


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
            return {"by_year": {1900: v}}
        return v

    @field_validator("by_year")
    @classmethod
    def _sums(cls, v: dict) -> dict:
        if list(v) != sorted(v):
            raise ValueError(f"years must be ascending, got {list(v)}")
        for year, mix in v.items():
            _check_sums_to_one(mix, "tier shares" + ("" if year == 1900 else f" for {year}"))
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
    catch_up_at_60: CatchUpAt60 = CatchUpAt60()
    max_years_45_plus: int = Field(15, ge=0, le=45, description="D1 Art. 21(二): those 45+ "
                                   "at the start may make up years, total not over 15")
    collective_yuan: Money = Field(0.0, description="collective subsidy per paying member, "
                                   "yuan/year (D1 Art. 10; D3 §6(二))")


class ContributionSubsidy(Strict):
    """A per-payer government subsidy, stepped by tier (D1 Art. 8; D5 §2(三)4)."""
    name: str
    reference: str
    amount_by_tier: dict[float, Money] = Field(description="yuan/year for tiers at or "
                                                "above each key")
    paid_by: PaidBy
    areas: list[Literal["rural", "urban"]] = ["rural", "urban"]
    from_year: int = 1900
    to_year: int = 2300

    @field_validator("amount_by_tier", mode="before")
    @classmethod
    def _flat(cls, v: Any) -> Any:
        return {0: v} if isinstance(v, (int, float)) else v

    @field_validator("amount_by_tier")
    @classmethod
    def _ascending(cls, v: dict) -> dict:
        if list(v) != sorted(v):
            raise ValueError(f"tier thresholds must be ascending, got {list(v)}")
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
    extra_subsidy_yuan: Money = Field(0.0, description="added subsidy, yuan/year (D3: 40)")
    extra_lowest_tier_only: bool = True
    paid_by: PaidBy = PaidBy(county=1.0)


class BasicPensionPart(Strict):
    """One component of the basic pension and who pays it (D1 Art. 20; D3 §8(二)1)."""
    name: str
    reference: str
    monthly: DatedValue
    paid_by: PaidBy


class Topup(Strict):
    monthly_yuan: Money = 0.0
    share_of_pensioners: Share = 1.0
    from_age: int = Field(60, ge=60, le=dims.MAX_AGE)


class LumpSum(Strict):
    """D3 §6(一)2 lump-sum purchase (趸缴) by the 60+ at the start."""
    shares: dict[float, Share] = Field({}, description="monthly account pension level "
                                       "-> share of the 60+ at start who buy it")
    min_months: int = Field(60, ge=0)
    to_age: int = Field(75, ge=60, le=dims.MAX_AGE)

    @field_validator("shares")
    @classmethod
    def _sum(cls, v: dict) -> dict:
        if sum(v.values()) > 1.0 + SHARE_TOL:
            raise ValueError(f"lump-sum shares sum to {sum(v.values()):.6g} > 1")
        return v


class Benefits(Strict):
    basic_pension: list[BasicPensionPart]
    long_contribution_yuan_per_year_over_15: Money = Field(
        0.0, description="monthly extra basic pension per year paid above 15 "
                         "(加发, D1 Art. 20), at the county's cost")
    long_contribution_paid_by: PaidBy = PaidBy(county=1.0)
    payout_divisor: Literal["139", "guofa_2005_38"] = Field(
        "139", description="D1 Art. 20: 139; D3 §8(二)2: the Guofa [2005] 38 table")
    one_child_parent: Topup = Topup(share_of_pensioners=0.0)
    age_topup: Topup = Topup(from_age=70)
    topups_from_pooled_fund: bool = Field(True, description="D3 §8(三)(四): top-ups are "
                                          "paid from the fund")
    death_grant_months_of_pension: float = Field(0.0, ge=0, le=60, description="D3 §8(五): 12")
    funeral_grant_yuan: Money = Field(0.0, description="D1 Art. 23: optional one-off "
                                      "county grant")
    grants_from_pooled_fund: bool = True
    lump_sum: LumpSum = LumpSum()
    under_45_short_of_15: Literal["no_pension"] = Field(
        "no_pension", description="D1 Art. 21(三): no pension until the years are made "
        "up; those who do not make them up at 60 leave with their account refunded")

    @field_validator("payout_divisor", mode="before")
    @classmethod
    def _str(cls, v: Any) -> Any:
        return str(v)


class Accounts(Strict):
    interest: Literal["pbc_1y", "flat", "path"] = "pbc_1y"
    interest_rule: Literal["highest", "in_force_jan1", "time_weighted"] = Field(
        "highest", description="D1 Art. 14 就高: the highest rate in force in the year; "
        "D3 §7(二) the reference rate")
    flat_rate_pa: float = Field(0.0, ge=-0.05, le=0.3)
    rate_path: OptPath = None
    crediting: Literal["year_end"] = "year_end"
    heirs_share: Share = Field(1.0, description="share of deceased members with an heir; "
                               "without one the whole balance stays in the fund (D1 Art. 20)")


class Finance(Strict):
    backstop_paid_by: PaidBy = Field(PaidBy(county=1.0), description="who pays what the "
                                     "pooled fund cannot (D1 Art. 19: the county)")
    pooled_fund_earns_interest: bool = True


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
            if tiers is None:
                continue
            if not isinstance(tiers, list) or not tiers or not all(
                    isinstance(t, (int, float)) and t > 0 for t in tiers):
                raise ValueError(f"contributions.tiers.{area}: need a list of positive "
                                 f"yuan amounts, got {tiers!r}")
            if tiers != sorted(set(tiers)):
                raise ValueError(f"contributions.tiers.{area}: tiers must be strictly "
                                 f"ascending, got {tiers}")
            mix = getattr(c.tier_mix, area)
            if mix is None:
                raise ValueError(f"contributions.tier_mix.{area}: missing (tiers are given)")
            try:
                by_year = TierMix.model_validate(mix).by_year
            except ValidationError as exc:
                raise ValueError(f"contributions.tier_mix.{area}: "
                                 f"{exc.errors()[0]['msg'].removeprefix('Value error, ')}")
            for year, shares in by_year.items():
                bad = [t for t in shares if t not in tiers]
                if bad:
                    where = "" if year == 1900 else f".{year}"
                    raise ValueError(f"contributions.tier_mix.{area}{where}: tier "
                                     f"{bad[0]:g} is not allowed; allowed: {tiers}")
        for area in dims.AREAS:
            v = getattr(self.eligibility.eligible_share, area)
            if v is not None:
                try:
                    AgeBands.model_validate(v)
                except ValidationError as exc:
                    raise ValueError(f"eligibility.eligible_share.{area}: "
                                     f"{exc.errors()[0]['msg'].removeprefix('Value error, ')}")
        return self


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


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{path}:{where}: not valid YAML ({problem})")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: top level must be a mapping of keys, got "
                            f"{type(data).__name__}")
    return data


def resolve_raw(path: str | Path, _seen: tuple = ()) -> tuple[dict, list[Path]]:
    """The merged raw mapping of a scenario and its ``extends:`` chain, and the files read."""
    path = Path(path).resolve()
    if path in _seen:
        chain = " -> ".join(p.name for p in (*_seen, path))
        raise ScenarioError(f"{path}: extends: makes a cycle ({chain})")
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, [path]
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: must be a file name, got {parent!r}")
    parent_path = (path.parent / parent)
    if not parent_path.exists():
        raise ScenarioError(f"{path}: extends: {parent!r} not found next to the file")
    base, files = resolve_raw(parent_path, (*_seen, path))
    return _deep_merge(base, data), [*files, path]


def _loc(loc: tuple) -> str:
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif str(item).startswith(("function-", "constrained-")):
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _get(data: Any, loc: tuple) -> Any:
    for item in loc:
        try:
            data = data[item]
        except (KeyError, IndexError, TypeError):
            return "(missing)"
    return data


def _format_error(path: Path, exc: ValidationError, raw: dict) -> str:
    lines = []
    wrappers = {"bands", "values", "by_year"}     # keys the validators add around a bare mapping
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not str(x).startswith(("function-",))
                    and x not in wrappers)
        key = _loc(loc)
        msg = err["msg"].removeprefix("Value error, ")
        if not loc:
            lines.append(f"{path}: {msg}")
        elif err["type"] == "extra_forbidden":
            lines.append(f"{path}: {key}: unknown key (value {err['input']!r}); "
                         f"check the spelling against the scenario reference in README.md")
        elif err["type"] == "missing":
            lines.append(f"{path}: {key}: required key is missing")
        else:
            lines.append(f"{path}: {key}: bad value {_get(raw, loc)!r}: {msg}")
    return "\n".join(lines[:5])


def load_scenario(path: str | Path) -> "Scenario":
    """The validated :class:`Scenario` of a YAML file (``extends:`` resolved).

    Raises :class:`ScenarioError` with one line per problem (file, key path,
    value, what is allowed).
    """
    raw, files = resolve_raw(path)
    main = files[-1]
    try:
        scen = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_format_error(main, exc, raw)) from None
    scen._files = files
    return scen


def scenario_files(scen: Scenario) -> list[Path]:
    """The files a scenario was read from, parents first."""
    return list(scen._files)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
