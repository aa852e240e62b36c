"""Turn a validated scenario into arrays: ``Parameters.at(year)`` gives the values in force.

Resolved once per projection (tables read, paths expanded to years), so the
year step never parses anything. Array axes follow :mod:`model.dims`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.rules import benefits, contributions
from model import dims
from model.io import tables
from model.rules.population import PopulationError, population_from_totals, women_15_49
from .scenario import AgeBands, DatedPath, Scenario, TierMix, parse_age_band
from .scenario.schema import PAY_ON_AGE_MAX


@dataclass(frozen=True)
class YearParams:
    """Parameters in force in one projection year (frozen arrays and scalars)."""
    year: int
    index: int                     # years since the start year
    first_month: int               # first month pensions are paid this year (1 after the start year)
    q_death: np.ndarray            # (batch, sex, age) probability of dying in the calendar year
    rate_pa: np.ndarray            # (batch,) account interest rate credited this year
    fund_rate_pa: np.ndarray | None  # (batch,) what the whole fund earns this year (None: rate_pa)
    density: np.ndarray            # (age,) probability a member under 60 pays this year
    employee_join_rate: np.ndarray  # (age,) yearly rate of joining the employee scheme
    enrol_target: np.ndarray       # (age, area) target members / eligible
    tier_mix: np.ndarray           # (area, tier) shares of new and re-choosing payers
    subsidy_by_level: np.ndarray   # (level, area, tier) government money into the account per payer, yuan/yr
    on_behalf_by_level: np.ndarray  # (level, area, tier) of which paid on behalf (in the above)
    personal: np.ndarray           # (area, tier) what an average payer pays himself, yuan/yr
    tier_yuan: np.ndarray          # (area, tier) each tier's payment, yuan/yr (made-up years pay it)
    basic_monthly_by_level: np.ndarray  # (level, 12) basic pension per pensioner per month, yuan
    births_per_woman: np.ndarray   # (batch,)


@dataclass(frozen=True)
class Parameters:
    """Everything the engine needs, resolved from a :class:`Scenario`."""
    scenario: Scenario
    start_year: int
    start_month: int
    years: np.ndarray                  # (year,)
    tiers: np.ndarray                  # (tier,) union of the areas' tiers, yuan/year (the tier labels)
    tier_yuan: np.ndarray              # (area, tier) each tier's payment in each area, yuan/year
    tier_allowed: np.ndarray           # (area, tier) bool
    lowest_tier: np.ndarray            # (area,) yuan/year
    population0: np.ndarray            # (batch, age, sex, area) persons at the start (batch 1: shared)
    eligible_share: np.ndarray         # (age, area)
    density: np.ndarray                # (year, age) probability a member under 60 pays
    catch_up_share: float
    catch_up_at_60: float
    employee_join_rate: np.ndarray     # (year, age) yearly rate of joining the employee scheme
    emigration_rate: np.ndarray        # (age,)
    net_migration_rate: np.ndarray     # (age,)
    collective_yuan: float
    divisor_at_60: float
    divisor_by_age: np.ndarray         # (age 60..70,) months the account is divided by when payment starts
    #                                    at that age (D1 Art. 20: 139 throughout; D3 §8(二)2: the table)
    pay_on_allowed: bool               # 延缴: the rules let those short of years at 60 pay on
    pay_on_share: float                # share of those short who pay on (contributions.pay_on_after_60)
    pay_on_to_age: int                 # the last age a member may pay in
    pay_on_subsidised: bool            # the subsidy is paid on those years
    heirs_share: float
    q_death: np.ndarray                # (year, sex, age)
    rate_pa: np.ndarray                # (year, batch) account interest rate (batch 1: shared)
    fund_rate_pa: np.ndarray | None    # (year, batch) what the whole fund earns; None: what accounts are credited
    enrol_target: np.ndarray           # (year, age, area)
    tier_mix: np.ndarray               # (year, area, tier)
    subsidy_by_level: np.ndarray       # (year, level, area, tier)
    on_behalf_by_level: np.ndarray     # (year, level, area, tier)
    personal: np.ndarray               # (year, area, tier)
    basic_monthly_by_level: np.ndarray  # (year, level, 12)
    births_per_woman: np.ndarray       # (year, batch) births per woman 15-49 (batch 1: shared)
    long_bands: np.ndarray             # (band, 3) years_from, yuan/month per year, flat yuan/month (D1 Art. 20)
    long_counts_made_up: bool          # made-up years count towards the bands
    long_contrib_paid_by: np.ndarray   # (level,)
    backstop_paid_by: np.ndarray       # (level,)
    lump_sum_levels: np.ndarray        # (k,) monthly yuan
    lump_sum_shares: np.ndarray        # (k,)
    lump_window: int                   # years after the start with lump-sum purchases (kinds 2..)
    crediting: str                     # RULES.md §3: a payment earns none, half or all of its year's interest
    interest_at_60: str                # RULES.md §3: interest in the 60th-birthday year (accounts.share_of_year_at_60)
    fiscal_base: np.ndarray | None     # (year,) yuan, for reports
    tier_rechoice_share: float         # share of payers choosing their tier afresh each year
    short_of_years_refund: bool        # at 60 short of years: own part refunded (else sealed, D1 Art. 21(三))
    lump_sum_to_age: int               # D3 §6(一)2: months to this birthday are bought
    lump_sum_min_months: int           # D3 §6(一)2: at least this many months
    one_child_topup_yuan: float        # D3 §8(三) yuan/month
    one_child_share: float             # share of pensioners receiving it
    age_topup_yuan: float              # D3 §8(四) yuan/month
    age_topup_share: float             # share of pensioners receiving it
    age_topup_from_age: int
    topups_from_pool: bool             # top-ups paid from the pooled fund (else by government directly)
    death_grant_months: float          # D3 §8(五): months of the last pension
    funeral_grant_yuan: float          # D1 Art. 23, per death
    grants_from_pool: bool             # death grants paid from the pooled fund (else by government)
    pool_earns_interest: bool
    legacy_fund_yuan: float | np.ndarray  # the pooled fund's opening balance: a fund taken over at the start, yuan (or (batch,))
    admin_yuan_per_payer: float        # D3 §4(四), yuan/year
    admin_yuan_per_new_member: float   # D5 §2(三)4, yuan
    admin_paid_by: np.ndarray          # (level,)
    sex_ratio_at_birth: float          # boys per girl
    mort_factor: np.ndarray | None = None   # (year, batch) multiplies the force of mortality (stochastic paths)
    tier_yuan_by_year: np.ndarray | None = None  # (year, area, tier) when a tier's amount moves (pooled tiers)
    warnings: tuple = field(default=())

    @property
    def n_kind(self) -> int:
        """Pensioner kinds: regular, basic-only, one per lump-sum purchase year, then one per
        number of years paid on after 60 (延缴: each started at its own age, D1 Art. 18)."""
        return self.pay_on_kind0 + (self.pay_on_to_age - dims.PENSION_AGE if self.pays_on else 0)

    @property
    def pay_on_kind0(self) -> int:
        """The kind of those who paid on one year after 60 (then two years: the next, ...)."""
        return 2 + self.lump_window

    @property
    def n_yp(self) -> int:
        """Cells of the years-paid axis: 0, 1, ..., and the top cell holding "that many or more",
        which starts no lower than 16 (the 15-year rule needs 0..15 exact, dims.N_YP) nor below
        the last long-contribution band, so that the extra is linear in the top cell's years.
        Where made-up years are left out of the bands, every possible number of years has its
        own cell (0 .. 45, ages 16 to 60), so that each cell's made-up years are spread over its
        own years only (``phases._long_extra_of_new_pensioners``)."""
        if self.tracks_made_up_years:
            return dims.PENSION_AGE - dims.ENTRY_AGE + 2
        return max(dims.N_YP, min(benefits.long_contribution_linear_from(self.long_bands),
                                  dims.PENSION_AGE - dims.ENTRY_AGE + 1) + 1)

    @property
    def pays_on(self) -> bool:
        """Whether anyone pays on after 60 (延缴): the engine then carries their stock."""
        return self.pay_on_allowed and self.pay_on_share > 0

    @property
    def tracks_made_up_years(self) -> bool:
        """The engine carries made-up person-years only where the bands leave them out."""
        return not self.long_counts_made_up and bool(np.any(self.long_bands[:, 1:]))

    @property
    def batch(self) -> int:
        """Projections run side by side: interest or mortality paths, or counties (1 if none)."""
        sizes = [self.rate_pa.shape[1], self.population0.shape[0], self.births_per_woman.shape[1]]
        if self.mort_factor is not None:
            sizes.append(self.mort_factor.shape[1])
        return max(sizes)

    def at(self, year: int) -> YearParams:
        i = int(year - self.start_year)
        B = self.batch
        q = self.q_death[i][None]                                  # (1, sex, age)
        if self.mort_factor is not None:                           # hazard scaled per path
            q = -np.expm1(self.mort_factor[i][:, None, None] * np.log1p(-np.minimum(q, 1 - 1e-15)))
        return YearParams(
            year=int(year), index=i,
            first_month=benefits.first_month_paid(i, self.start_month),
            q_death=np.broadcast_to(q, (B, *self.q_death.shape[1:])),
            rate_pa=np.broadcast_to(self.rate_pa[i].astype(float), (B,)),
            fund_rate_pa=(None if self.fund_rate_pa is None
                          else np.broadcast_to(self.fund_rate_pa[i].astype(float), (B,))),
            density=self.density[i], employee_join_rate=self.employee_join_rate[i],
            enrol_target=self.enrol_target[i], tier_mix=self.tier_mix[i],
            subsidy_by_level=self.subsidy_by_level[i],
            on_behalf_by_level=self.on_behalf_by_level[i], personal=self.personal[i],
            tier_yuan=self.tier_yuan if self.tier_yuan_by_year is None else self.tier_yuan_by_year[i],
            basic_monthly_by_level=self.basic_monthly_by_level[i],
            births_per_woman=np.broadcast_to(self.births_per_woman[i].astype(float), (B,)))


# --------------------------------------------------------------------------
def monthly_values(path: DatedPath, years: np.ndarray) -> np.ndarray:
    """Value of a dated step path in each month of each year, shape (year, 12).

    After the last dated value the path grows at ``growth_pa_after_last``
    a year, compounding from the January after the last date.
    """
    dated = path.dated()
    ym = (years[:, None] * 12 + np.arange(12)[None, :])          # months since year 0
    keys = np.array([y * 12 + m - 1 for y, m, _ in dated])
    vals = np.array([v for *_, v in dated], dtype=float)
    idx = np.searchsorted(keys, ym, side="right") - 1
    out = np.where(idx >= 0, vals[np.clip(idx, 0, None)], 0.0)
    last_year = dated[-1][0]
    grow_years = np.clip(years - last_year, 0, None)[:, None]
    return out * (1.0 + path.growth_pa_after_last) ** grow_years


def yearly_values(path: DatedPath, years: np.ndarray) -> np.ndarray:
    """Value of a dated step path in force in each year (its January value), shape (year,)."""
    return monthly_values(path, years)[:, 0]


def _by_year_and_age(by_age: list[float], factor: DatedPath | None, years: np.ndarray,
                     cap: float) -> np.ndarray:
    """(year, age) values: an age profile times a dated factor read each January, capped."""
    f = np.ones(len(years)) if factor is None else yearly_values(factor, years)
    return np.minimum(np.asarray(by_age, float)[None, :] * f[:, None], cap)


def cohort_q(mx: np.ndarray) -> np.ndarray:
    """Probability of dying in the calendar year by age attained in that year.

    Ages are "age attained in the year" (dims), so people of attained age a
    spend half the year at exact age a-1 and half at a: the hazard is the
    mean of mx(a-1) and mx(a) (half of mx(0) at age 0, who are born during
    the year). Shape (..., age) -> same.
    """
    h = mx.copy()
    h[..., 1:] = 0.5 * (mx[..., :-1] + mx[..., 1:])
    h[..., 0] = 0.5 * mx[..., 0]
    return tables.mx_to_qx(h)


def _area_tiers(s: Scenario) -> tuple[np.ndarray, np.ndarray]:
    tiers = sorted({float(t) for a in dims.AREAS for t in (getattr(s.contributions.tiers, a) or [])})
    allowed = np.array([[t in (getattr(s.contributions.tiers, a) or []) for t in tiers]
                        for a in dims.AREAS])
    return np.array(tiers), allowed


def _by_area_bands(by_area, default: float) -> np.ndarray:
    """(age, area) array from a ByArea of age-band mappings."""
    cols = []
    for a in dims.AREAS:
        v = getattr(by_area, a)
        cols.append(AgeBands.model_validate(v).by_age(default) if v is not None
                    else [default] * dims.N_AGE)
    return np.array(cols, dtype=float).T


def _population(s: Scenario) -> tuple[np.ndarray, list[str]]:
    """(age, sex, area) starting population scaled to the scenario's totals."""
    pop = s.population
    prof = tables.population_by_single_age(pop.profile)           # (sex, age)
    if pop.profile_year is not None and pop.profile_year < s.scheme.start_year:
        years = np.arange(pop.profile_year, s.scheme.start_year)
        yrs = years if pop.mortality.improvement == "table" else np.full_like(years, years[0])
        prof = age_forward(prof, tables.mx_to_qx(tables.death_rates_mx(yrs, pop.mortality.table)))
    elif pop.profile_year is not None and pop.profile_year > s.scheme.start_year:
        years = np.arange(s.scheme.start_year, pop.profile_year)
        yrs = years if pop.mortality.improvement == "table" else np.full_like(years, years[0])
        prof = age_backward(prof, tables.mx_to_qx(tables.death_rates_mx(yrs, pop.mortality.table)))
    total = float(pop.total) if pop.total else float(prof.sum())
    if pop.area_totals:
        rural = float(pop.area_totals.get("rural", 0))
        urban = float(pop.area_totals.get("urban", 0))
        if pop.total and abs(rural + urban - total) > 0.5:
            raise ValueError(f"population.area_totals sum to {rural + urban:.0f}, "
                             f"population.total is {total:.0f}")
        total = rural + urban
        share_urban = urban / total
    else:
        share_urban = pop.area_share_urban
    # The census gives no area split by age (model/data/PROVENANCE.md): both
    # areas take the profile's age-sex shape, bent to the bands the county knows.
    bands = {}
    if pop.band_totals is not None:
        for ai, area in enumerate(dims.AREAS):
            v = getattr(pop.band_totals, area)
            if v is not None:
                bands[ai] = [(*parse_age_band(k), float(n))
                             for k, n in AgeBands.model_validate(v).bands.items()]
    areas = [total * (1 - share_urban), total * share_urban]
    try:
        return population_from_totals(prof, areas, bands), []
    except PopulationError as exc:
        raise ValueError(f"population.band_totals: {exc}") from None


def age_forward(profile: np.ndarray, q_by_year: np.ndarray) -> np.ndarray:
    """A (sex, age) population moved forward one year per row of ``q_by_year`` (year, sex, age).

    Each year everyone survives with 1 - q at their age and moves up one age
    (the last age is open); the new age 0 is the profile's own age-0 count.
    """
    pop = profile.astype(float).copy()
    for q in q_by_year:
        surv = pop * (1 - q)
        new = np.empty_like(pop)
        new[:, 1:] = surv[:, :-1]
        new[:, -1] += surv[:, -1]
        new[:, 0] = profile[:, 0]
        pop = new
    return pop


def age_backward(profile: np.ndarray, q_by_year: np.ndarray) -> np.ndarray:
    """A (sex, age) population moved back one year per row of ``q_by_year`` (year, sex, age), last row first.

    The inverse of :func:`age_forward`: those of age a+1 a year later were of age a, and
    survived with 1 - q at a, so they were ``pop[a+1] / (1 - q[a])`` (age 0 too: the census's
    age 1 were the year before's age 0). The open last age holds the survivors of the two
    oldest ages, taken half from each (the oldest ages are a few thousand people). Used when a
    census is later than the scheme's start (national_2009 starts in 2009 from the 2010 census).
    """
    pop = profile.astype(float).copy()
    for q in q_by_year[::-1]:
        before = np.empty_like(pop)
        before[:, :-2] = pop[:, 1:-1] / (1 - q[:, :-2])
        before[:, -2:] = 0.5 * pop[:, -1:] / (1 - q[:, -2:])
        pop = before
    return pop


def _eligible_from_counts(s: Scenario, pop0: np.ndarray, elig: np.ndarray) -> list[str]:
    """Overwrite ``elig`` (age, area) in bands where eligible counts are given.

    The share is the count over the starting population of the band, capped
    at 1 (with a warning: the county's count exceeds the modelled population).
    """
    counts = s.eligibility.eligible_counts
    warnings = []
    if counts is None:
        return warnings
    for ai, area in enumerate(dims.AREAS):
        v = getattr(counts, area)
        if v is None:
            continue
        for label, n in AgeBands.model_validate(v).bands.items():
            lo, hi = parse_age_band(label)
            base = pop0[lo:hi + 1, :, ai].sum()
            share = n / base if base > 0 else 0.0
            if share > 1:
                warnings.append(f"eligibility.eligible_counts.{area}.{label}: {n:.0f} eligible "
                                f"but only {base:.0f} people modelled; share capped at 1")
                share = 1.0
            elig[lo:hi + 1, ai] = share
    return warnings


def _interest(s: Scenario, years: np.ndarray) -> np.ndarray:
    acc = s.accounts
    if acc.interest == "flat":
        return np.full(len(years), acc.flat_rate_pa)
    if acc.interest == "path":
        if acc.rate_path is None:
            raise ValueError("accounts.rate_path: required when accounts.interest is 'path'")
        return yearly_values(acc.rate_path, years)
    rates = tables.deposit_rate_path(years, acc.interest_rule)   # D1 Art. 14
    if acc.rate_after_data_pa is not None:
        rates[years > tables.deposit_rate_last_change_year()] = acc.rate_after_data_pa
    return rates


def per_payer_amounts(s: Scenario, years, tiers, allowed, lowest, group_weights=None):
    """Money per payer by tier: government into the account, paid on behalf, and personal.

    Returns (year, level, area, tier) government money into the account per
    payer (entry subsidies and top-ups, D1 Art. 8, D5 §2(三)4; premiums paid on
    behalf and extra subsidies, D1 Art. 9, D3 §6(三)), the (year, level, area,
    tier) part of it paid on behalf, and the (year, area, tier) personal
    payment, yuan/year. ``group_weights`` maps on-behalf group names to the
    weight of each group: the cohort engine uses the groups' shares of payers
    (the default), the member calculator 1 for the member's own groups.
    """
    n_y, n_t = len(years), len(tiers)
    sub = np.zeros((n_y, len(dims.LEVELS), dims.N_AREA, n_t))
    onb = np.zeros_like(sub)
    personal = np.broadcast_to(tiers, (n_y, dims.N_AREA, n_t)).copy()
    for comp in s.subsidies:                                       # D1 Art. 8; D5 §2(三)4
        amount = contributions.step_amount_by_tier(tiers, list(comp.amount_by_tier),
                                                   list(comp.amount_by_tier.values()))
        live = (years >= comp.from_year) & (years <= comp.to_year)
        if comp.scale is not None:                                 # the average above the minimum, by year
            live = live * yearly_values(comp.scale, years)
        for ai, area in enumerate(dims.AREAS):
            if area in comp.areas:
                sub[:, :, ai, :] += (live[:, None, None] * np.array(comp.paid_by.vector())[None, :, None]
                                     * amount[None, None, :])
    for g in s.on_behalf:                                          # D1 Art. 9; D3 §6(三)
        weight = g.share_of_payers if group_weights is None else group_weights.get(g.name, 0.0)
        lvl = np.array(g.paid_by.vector())
        for ai in range(dims.N_AREA):
            paid = contributions.paid_on_behalf_yuan(tiers, lowest[ai], g.share_of_lowest_tier,
                                                     g.share_of_contribution)
            extra = contributions.extra_subsidy_yuan(tiers, lowest[ai], g.extra_subsidy_yuan,
                                                     g.extra_lowest_tier_only)
            onb[:, :, ai, :] += weight * lvl[None, :, None] * paid[None, None, :]
            sub[:, :, ai, :] += weight * lvl[None, :, None] * (paid + extra)[None, None, :]
            personal[:, ai, :] = contributions.personal_payment_yuan(personal[:, ai, :],
                                                                     weight * paid[None, :])
    sub *= allowed[None, None]
    onb *= allowed[None, None]
    return sub, onb, personal * allowed[None]


def _tier_mix(s: Scenario, years, tiers) -> np.ndarray:
    out = np.zeros((len(years), dims.N_AREA, len(tiers)))
    for ai, area in enumerate(dims.AREAS):
        v = getattr(s.contributions.tier_mix, area)
        if v is None:
            continue
        by_year = TierMix.model_validate(v).by_year
        keys = sorted(by_year)
        for yi, year in enumerate(years):
            k = max([k for k in keys if k <= year], default=keys[0])
            for t, share in by_year[k].items():
                out[yi, ai, int(np.searchsorted(tiers, t))] = share
    return out


def basic_pension_parts(s: Scenario, years) -> dict[str, np.ndarray]:
    """Each named part of the basic pension per pensioner a month by paying level [yuan/month],
    {name: (year, level, 12)}; the parts add up to what a pensioner is paid (D1 Art. 20; D3 §8(二)1)."""
    out: dict[str, np.ndarray] = {}
    for part in s.benefits.basic_pension:
        v = (np.array(part.paid_by.vector())[None, :, None] * monthly_values(part.scale, years)[:, None, :]
             * monthly_values(part.monthly, years)[:, None, :])
        out[part.name] = out.get(part.name, 0.0) + v
    return out


def _basic_pension(s: Scenario, years) -> np.ndarray:
    out = np.zeros((len(years), len(dims.LEVELS), 12))
    for v in basic_pension_parts(s, years).values():
        out += v
    return out


def _mortality(s: Scenario, years) -> np.ndarray:
    m = s.population.mortality
    yrs = np.full_like(years, years[0]) if m.improvement == "frozen" else years
    mx = tables.death_rates_mx(yrs, m.table)                       # (year, sex, age)
    mx = mx * (1.0 - m.extra_improvement_pa) ** (years - years[0])[:, None, None]
    return cohort_q(mx)


def resolve(s: Scenario) -> Parameters:
    """Resolve a scenario into :class:`Parameters` (all years at once)."""
    start_year, start_month = s.scheme.start_year, s.scheme.start_month
    years = np.arange(start_year, start_year + s.scheme.horizon_years)
    tiers, allowed = _area_tiers(s)
    lowest = np.array([tiers[allowed[a]].min() if allowed[a].any() else 0.0
                       for a in range(dims.N_AREA)])
    pop0, warnings = _population(s)
    warnings = list(warnings)
    sub, onb, personal = per_payer_amounts(s, years, tiers, allowed, lowest)

    rel = _by_area_bands(s.enrolment.relative_by_age_band, 1.0)   # (age, area)
    rate = yearly_values(s.enrolment.rate_path, years)
    target = rate[:, None, None] * rel[None]                       # (year, age, area)
    over = np.argwhere(target[:, dims.ENTRY_AGE:] > 1.0 + 1e-9)
    if len(over):                        # the schema refuses a target above 1 in every band
        yi, ai, ar = over[0]
        warnings.append(f"enrolment: rate_path x relative_by_age_band is above 1 from {years[yi]} "
                        f"({dims.AREAS[ar]}, age {ai + dims.ENTRY_AGE}: "
                        f"{target[yi, ai + dims.ENTRY_AGE, ar]:.4g}); the target share is capped at 1")
    target = np.clip(target, 0.0, 1.0)
    if s.enrolment.family_binding:                                 # D3 §6(一)2 捆绑
        young = slice(dims.ENTRY_AGE, dims.PENSION_AGE)
        cap = target[:, young, :].mean(axis=1, keepdims=True)
        target[:, dims.PENSION_AGE:, :] = np.minimum(target[:, dims.PENSION_AGE:, :], cap)
    elig = _by_area_bands(s.eligibility.eligible_share, 0.0)
    warnings += _eligible_from_counts(s, pop0, elig)
    elig[:dims.ENTRY_AGE] = 0.0                                    # D1 Art. 6: 16 and over
    if (elig > 1).any():
        raise ValueError("eligibility.eligible_share: shares must be at most 1")

    if s.population.births_per_woman_15_49 is not None:
        gfr = yearly_values(s.population.births_per_woman_15_49, years)
    else:
        women = women_15_49(pop0).sum()
        gfr = np.full(len(years), pop0[0].sum() / women if women > 0 else 0.0)

    b = s.benefits
    start_ages = np.arange(dims.PENSION_AGE, PAY_ON_AGE_MAX + 1)   # payment starts at 60, or later after 延缴
    if b.payout_divisor == "guofa_2005_38":                        # D3 §8(二)2, Guofa [2005] 38
        divisor_by_age = np.array([float(tables.payout_months(a)) for a in start_ages])
    else:
        divisor_by_age = np.full(len(start_ages), float(b.payout_divisor))   # D1 Art. 20
    divisor = float(divisor_by_age[0])
    po = s.contributions.pay_on_after_60
    ls = b.lump_sum
    buys = bool(ls.shares) and sum(ls.shares.values()) > 0
    return Parameters(
        scenario=s, start_year=start_year, start_month=start_month, years=years,
        tiers=tiers, tier_yuan=np.broadcast_to(tiers, (dims.N_AREA, len(tiers))).copy(),
        tier_allowed=allowed, lowest_tier=lowest, population0=pop0[None],
        eligible_share=elig,
        density=_by_year_and_age(s.contributions.density.by_age(1.0), s.contributions.density_factor,
                                 years, cap=1.0),
        catch_up_share=s.contributions.catch_up_share,
        catch_up_at_60=s.contributions.catch_up_at_60.share,
        employee_join_rate=_by_year_and_age(s.eligibility.employee_scheme_join_rate.by_age(0.0),
                                            s.eligibility.employee_scheme_join_factor, years, cap=1.0),
        emigration_rate=np.array(s.eligibility.emigration_rate.by_age(0.0)),
        net_migration_rate=np.array(s.population.net_migration_rate.by_age(0.0)),
        collective_yuan=s.contributions.collective_yuan,
        divisor_at_60=divisor, divisor_by_age=divisor_by_age, heirs_share=s.accounts.heirs_share,
        pay_on_allowed=po.allowed, pay_on_share=po.share if po.allowed else 0.0, pay_on_to_age=po.up_to_age,
        pay_on_subsidised=po.subsidised,
        q_death=_mortality(s, years), rate_pa=_interest(s, years)[:, None],
        fund_rate_pa=(None if s.finance.fund_return_pa is None
                      else yearly_values(s.finance.fund_return_pa, years)[:, None]),
        enrol_target=target, tier_mix=_tier_mix(s, years, tiers),
        subsidy_by_level=sub, on_behalf_by_level=onb, personal=personal,
        basic_monthly_by_level=_basic_pension(s, years), births_per_woman=gfr[:, None],
        long_bands=np.array(b.long_bands(), dtype=float).reshape(-1, 3),
        long_counts_made_up=b.long_counts_made_up_years(),
        long_contrib_paid_by=np.array(b.long_contribution_paid_by.vector()),
        backstop_paid_by=np.array(s.finance.backstop_paid_by.vector()),
        lump_sum_levels=np.array(list(ls.shares), dtype=float),
        lump_sum_shares=np.array(list(ls.shares.values()), dtype=float),
        lump_window=ls.purchase_window_years if buys else 0,
        crediting=s.accounts.crediting, interest_at_60=s.accounts.interest_at_60,
        fiscal_base=(None if s.finance.fiscal_base_yuan is None
                     else yearly_values(s.finance.fiscal_base_yuan, years)),
        tier_rechoice_share=s.contributions.tier_rechoice_share,
        short_of_years_refund=b.short_of_years_at_60 == "refund",
        lump_sum_to_age=ls.to_age, lump_sum_min_months=ls.min_months,
        one_child_topup_yuan=b.one_child_parent.monthly_yuan,
        one_child_share=b.one_child_parent.share_of_pensioners,
        age_topup_yuan=b.age_topup.monthly_yuan, age_topup_share=b.age_topup.share_of_pensioners,
        age_topup_from_age=b.age_topup.from_age,
        topups_from_pool=b.topups_from_pooled_fund,
        death_grant_months=b.death_grant_months_of_pension, funeral_grant_yuan=b.funeral_grant_yuan,
        grants_from_pool=b.grants_from_pooled_fund,
        pool_earns_interest=s.finance.pooled_fund_earns_interest,
        legacy_fund_yuan=s.finance.legacy_fund_yuan,
        admin_yuan_per_payer=s.finance.admin_yuan_per_payer,
        admin_yuan_per_new_member=s.finance.admin_yuan_per_new_member,
        admin_paid_by=np.array(s.finance.admin_paid_by.vector()),
        sex_ratio_at_birth=s.population.sex_ratio_at_birth,
        warnings=tuple(warnings))
