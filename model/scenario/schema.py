"""The scenario schema: one pydantic model per section, every value validated for meaning
(type, range with its reason, cross-checks between sections)."""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (Field, PrivateAttr, field_validator, model_validator)

from .. import dims
from .errors import _ANY_YEAR, FINITE, _Bad
from .values import (BIRTHS_MAX, DIVISOR_MAX, DIVISOR_MIN, INTEREST_MAX, INTEREST_MIN, MIGRATION_MAX,
                     PERSONS_MAX, SHARE_TOL, TierMix, YUAN_MONTH_MAX, YUAN_YEAR_MAX, AgeBands, ByArea, DatedPath,
                     DatedValue, Factor, OptFactor, OptPath, PaidBy, Persons, Share, Strict, YuanPerMonth, YuanPerYear, _check_sums_to_one, _num, _validate_part,
                     parse_year_month)


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
    from model.io import tables
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
    employee_scheme_join_factor: OptFactor = Field(None, description="multiplies "
                                                 "employee_scheme_join_rate by year, 0 to 10 (the "
                                                 "rate is capped at 1); null: 1 every year")
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


class CatchUpAt60(Strict):
    share: Share = Field(0.0, description="share of members short of the years they may "
                         "or must have who pay the missing years at 60 (D1 Art. 21(二)(三); "
                         "D3 §8(一)); no subsidy (D1 Art. 8)")


PAY_ON_AGE_MAX = 70     # the Guofa [2005] 38 payout-months table ends at 70 (56 months)


class PayOnAfter60(Strict):
    """Paying on after 60 (延缴): members short of the years required at 60 keep paying year by year,
    with the year's subsidy, until the years are reached, and draw the pension from the month after
    the birthday in the year of the last payment. A provincial rule, not in the pilot texts (D1 Art.
    21 asks for the years to be made up at 60); ``reference`` names the article."""
    allowed: bool = Field(False, description="the scheme's rules let members pay on after 60")
    share: Share = Field(0.0, description="share of those short of years at 60 who do not make up the "
                         "years at once (catch_up_at_60) and could reach them by up_to_age, who pay on "
                         "(a behaviour: ASSUMPTION unless observed)")
    up_to_age: int = Field(65, ge=dims.PENSION_AGE + 1, le=PAY_ON_AGE_MAX, description="the last age at "
                           "which a member may pay (the year of that birthday), 61 to 70 (the Guofa "
                           "[2005] 38 table, which gives the divisor at a later start, ends at 70)")
    subsidised: bool = Field(True, description="the year's contribution subsidy is paid on these years")
    reference: str | None = Field(None, description="the article that allows it")

    @model_validator(mode="after")
    def _share_needs_the_rule(self) -> "PayOnAfter60":
        if self.share > 0 and not self.allowed:
            raise _Bad("members can pay on after 60 only where the rules allow it: give allowed: true "
                       "(with the article in reference) or share 0", at=("share",))
        return self


class GeometricMix(Strict):
    """A tier mix described by one number a year: the share at each tier is ``geometric``
    times the share at the tier below (near 0: nearly everyone at the lowest tier; 1: the
    same share at every tier). A dated path or a trend: the mean tier rising over the years."""
    geometric: DatedValue

    @field_validator("geometric")
    @classmethod
    def _ratio(cls, v: DatedPath) -> DatedPath:
        if v.growth_pa_after_last:
            raise _Bad("a tier mix does not grow after its last date: give no growth_pa_after_last",
                       at=("growth_pa_after_last",))
        for key in v.values:
            if not key.endswith("-01"):
                raise _Bad("a tier mix changes in January: give a year (e.g. 2014), not a month",
                           value=key, what="date")
        return v.check_range(0.0, 1.0, "must be a ratio from 0 to 1 (each tier's share over "
                             "the share at the tier below)")


def geometric_tier_mix(tiers: list[float], ratio: DatedPath) -> dict[int, dict[float, float]]:
    """{year: {tier: share}} for each dated value of ``ratio``: shares falling by the ratio from
    one tier to the next, summing to 1 (a ratio of 0 puts everyone at the lowest tier)."""
    out = {}
    for y, _, r in ratio.dated():
        w = [1.0] + [float(r) ** k for k in range(1, len(tiers))]
        total = sum(w)
        out[y] = {float(t): x / total for t, x in zip(tiers, w)}
    return out


class Contributions(Strict):
    tiers: ByArea = Field(description="allowed tiers, yuan/year, ascending (D1 Art. 7)")
    tier_mix: ByArea
    tier_rechoice_share: Share = Field(0.0, description="share of existing payers who "
                                       "re-choose their tier each year by the current mix")
    density: AgeBands = Field(AgeBands(bands={"0+": 1.0}), description="probability that "
                              "a member under 60 pays in a year, by age")
    density_factor: OptFactor = Field(None, description="multiplies density by year, 0 to 10 "
                                    "(the probability is capped at 1); null: 1 every year")
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
    pay_on_after_60: PayOnAfter60 = PayOnAfter60()
    collective_yuan: YuanPerYear = Field(0.0, description="collective subsidy per paying "
                                         "member, yuan/year (D1 Art. 10; D3 §6(二))")

    @model_validator(mode="before")
    @classmethod
    def _expand_geometric(cls, data: Any) -> Any:
        """A tier mix given as ``{geometric: ratio}`` becomes the mix of each dated year."""
        if not isinstance(data, dict) or not isinstance(data.get("tier_mix"), dict):
            return data
        mixes = dict(data["tier_mix"])
        for area, mix in mixes.items():
            tiers = (data.get("tiers") or {}).get(area) if isinstance(data.get("tiers"), dict) else None
            if isinstance(mix, dict) and "geometric" in mix:
                if len(mix) > 1:
                    other = next(k for k in mix if k != "geometric")
                    raise _Bad("give the shares by tier or a geometric ratio, not both",
                               at=("tier_mix", area, other))
                ratio = _validate_part(GeometricMix, mix, ("tier_mix", area)).geometric
                if isinstance(tiers, list) and tiers and all(
                        isinstance(t, (int, float)) and not isinstance(t, bool) for t in tiers):
                    mixes[area] = geometric_tier_mix(sorted(tiers), ratio)
        return {**data, "tier_mix": mixes}

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
    scale: OptFactor = Field(None, description="multiplies the amounts by year, 0 to 10: the "
                           "average paid where provinces give more than the national minimum "
                           "(Guofa [2014] 8: at least 30 / 60); null: 1 every year")

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
    scale: Factor = Field(DatedPath(values={_ANY_YEAR: 1.0}), description="multiplies the "
                              "path, 0 to 10, a number or a dated path (e.g. a local top-up of 60 % "
                              "of the national minimum, rising over the years)")
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


LONG_YUAN_PER_YEAR_MAX = 100.0   # yuan a month per year paid: provinces pay 1 to 5 (Wuhan 1 for every year)
LONG_YEARS_FROM_MAX = dims.PENSION_AGE - dims.ENTRY_AGE + 1   # 45: every year from 16 to 60 paid


class LongContributionBand(Strict):
    """One band of the long-contribution extra (加发, D1 Art. 20): from ``years_from`` years paid
    up to the next band's start, either ``yuan_per_year`` a month for each year in the band or
    ``yuan_flat`` a month to a member whose years fall in the band."""
    years_from: int = Field(ge=1, le=LONG_YEARS_FROM_MAX, description="the band's first year paid, "
                            "1 to 45 (16: above the 15 years required; 45: every year from 16 to 60)")
    yuan_per_year: float | None = Field(None, ge=0.0, le=LONG_YUAN_PER_YEAR_MAX, description="yuan a month "
                                        "for each year paid in the band, 0 to 100")
    yuan_flat: float | None = Field(None, ge=0.0, le=YUAN_MONTH_MAX, description="yuan a month to a member "
                                    f"whose years fall in the band, 0 to {YUAN_MONTH_MAX:,}")

    @model_validator(mode="after")
    def _one_amount(self) -> "LongContributionBand":
        if (self.yuan_per_year is None) == (self.yuan_flat is None):
            raise _Bad("give either yuan_per_year (yuan a month for each year in the band) or yuan_flat "
                       "(yuan a month for a member whose years fall in the band), not both or neither")
        return self


class LongContribution(Strict):
    """The long-contribution extra basic pension in bands (加发, D1 Art. 20 对长期缴费的城乡居民,
    可适当加发基础养老金): counties pay it in several shapes (1 yuan a month for every year paid in
    Wuhan; 20 / 30 / 40 yuan for 16-19 / 20-24 / 25+ continuous years elsewhere)."""
    bands: list[LongContributionBand] = Field(description="bands in ascending order of years_from")
    counts_made_up_years: bool = Field(True, description="years made up (补缴: catch-up and at 60) "
                                       "count towards the bands; false: only years paid on time")
    reference: str | None = Field(None, description="the article the bands come from")

    @field_validator("bands")
    @classmethod
    def _ascending(cls, v: list) -> list:
        if not v:
            raise _Bad("give at least one band, e.g. [{years_from: 16, yuan_per_year: 2}]")
        for i in range(1, len(v)):
            if v[i].years_from <= v[i - 1].years_from:
                raise _Bad(f"the bands must be in ascending order of years_from ({v[i].years_from} comes "
                           f"after {v[i - 1].years_from})", at=(i, "years_from"))
        return v


class Benefits(Strict):
    basic_pension: list[BasicPensionPart]
    long_contribution_yuan_per_year_over_15: float = Field(
        0.0, ge=0.0, le=LONG_YUAN_PER_YEAR_MAX, description="monthly extra basic pension per year paid above 15 "
                         "(加发, D1 Art. 20), at the county's cost; 0 to 100 (provinces pay 1 to "
                         "5 yuan a month a year); shorthand for long_contribution: "
                         "{bands: [{years_from: 16, yuan_per_year: X}]}")
    long_contribution: LongContribution | None = Field(
        None, description="the extra in bands (a list of bands, or {bands, counts_made_up_years, "
        "reference}); replaces long_contribution_yuan_per_year_over_15")
    long_contribution_paid_by: PaidBy = PaidBy(county=1.0)

    @field_validator("long_contribution", mode="before")
    @classmethod
    def _band_list(cls, v: Any) -> Any:
        """A plain list of bands is ``{bands: [...]}`` with made-up years counted."""
        return {"bands": v} if isinstance(v, list) else v

    @model_validator(mode="after")
    def _one_long_rule(self) -> "Benefits":
        if self.long_contribution is not None and self.long_contribution_yuan_per_year_over_15:
            raise _Bad("give the long-contribution extra once: either long_contribution (bands) or "
                       "long_contribution_yuan_per_year_over_15 (the same as one band "
                       "{years_from: 16, yuan_per_year: X}), not both",
                       at=("long_contribution_yuan_per_year_over_15",))
        return self

    def long_bands(self) -> tuple[tuple[int, float, float], ...]:
        """The long-contribution bands as (years_from, yuan a month per year, flat yuan a month)."""
        if self.long_contribution is None:      # the shorthand: every year above 15 (D1 Art. 20)
            return ((dims.MIN_YEARS_FULL + 1, float(self.long_contribution_yuan_per_year_over_15), 0.0),)
        return tuple((b.years_from, b.yuan_per_year or 0.0, b.yuan_flat or 0.0) for b in self.long_contribution.bands)

    def long_counts_made_up_years(self) -> bool:
        """Whether made-up years (补缴) count towards the long-contribution bands."""
        return self.long_contribution is None or self.long_contribution.counts_made_up_years
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
    crediting: Literal["year_end", "mid_year", "year_start"] = Field(
        "year_end", description="RULES.md §3: 'year_end' credits a payment on 31 December "
        "(no interest in the year paid); 'mid_year' gives it half a year's interest; "
        "'year_start' a whole year's (some bureaus' worked examples)")
    interest_at_60: Literal["none", "until_pension", "full_year"] = Field(
        "none", description="RULES.md §3: interest on the account in the year of the 60th "
        "birthday: 'none' (the balance for the pension is last year-end's plus the year's "
        "payment), 'until_pension' (the months before the first pension month, the month "
        "after the birthday) or 'full_year' (examples that compound through the 15th year)")
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
    legacy_fund_yuan: float = Field(0.0, ge=0.0, le=1e13, description="a fund taken over at the "
                                    "start, yuan, 0 to 1e13: the old rural pension's balance (农村社会养老"
                                    "保险, 1992-2009) joined the new rural scheme's fund (Guofa [2009] 32). "
                                    "It opens the pooled fund and earns its return; in a staged roll-out "
                                    "each stage brings its share")
    fund_return_pa: OptPath = Field(None, description="what the whole fund earns a year, -0.3 to "
                                    "0.3 (deposits, bonds, and from 2017 the part entrusted to the "
                                    "national social security fund); what it earns on the accounts "
                                    "above their crediting rate stays in the pooled fund. null: the "
                                    "fund earns what the accounts are credited")
    fiscal_base_yuan: OptPath = Field(None, description="the budget the basic pension is compared "
                                      "with in reports (yuan/year, dated, with growth), 0 to 1e14 "
                                      "(China's whole budget revenue was about 2.2e13 in 2023)")

    @field_validator("fund_return_pa")
    @classmethod
    def _return(cls, v: DatedPath | None) -> DatedPath | None:
        return v if v is None else v.check_range(-0.3, 0.3, "must be a yearly return from -0.3 to 0.3")

    @field_validator("fiscal_base_yuan")
    @classmethod
    def _base(cls, v: DatedPath | None) -> DatedPath | None:
        return v if v is None else v.check_range(0.0, 1e14, "must be yuan a year from 0 to 1e14 "
                                                 "(China's whole budget revenue: about 2.2e13)")


class Scenario(Strict):
    _files: list = PrivateAttr(default_factory=list)
    title: str
    title_en: str | None = Field(None, description="the title in English reports (default: the title)")
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
                   for i, part in enumerate(self.benefits.basic_pension)),
                 *((("benefits", "basic_pension", i, "scale"), part.scale, False)
                   for i, part in enumerate(self.benefits.basic_pension)),
                 *((("subsidies", i, "scale"), sub.scale, True) for i, sub in enumerate(self.subsidies)),
                 (("contributions", "density_factor"), self.contributions.density_factor, True),
                 (("eligibility", "employee_scheme_join_factor"), self.eligibility.employee_scheme_join_factor,
                  True),
                 (("finance", "fund_return_pa"), self.finance.fund_return_pa, True)]
        if self.accounts.interest == "path":
            paths.append((("accounts", "rate_path"), self.accounts.rate_path, True))
        for at, path, yearly in paths:
            if path is not None:
                path.check_covers(start, yearly, at)
