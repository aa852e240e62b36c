"""The model's population against the 2020 census, and the births that meet its children.

Issue #13. Two quantities:

* :func:`census_comparison`: the hukou population the engine projects for the census year
  against the 2020 census (``census2020:national``, the 31 provinces' 5-year tables summed),
  by 5-year age group and sex and by the bands 0-14, 15-59, 60+ [persons, relative difference].
* :func:`births_per_woman_from_census`: the general fertility rate path (births per woman
  15-49, the base of ``population.births_per_woman_15_49``, model/rules/population.py) that
  makes the projection's children meet the census's ages 0-14, the census children survived
  back to birth with the model's own death rates; after the census year, the births the
  National Bureau of Statistics published. ``scenarios/national_2012.yaml`` holds its values
  (tests/calibration/test_census_2020.py checks the file against this function).

Timing. A census counts completed ages on 1 November. The model reads a census profile
as the stock of its year by age attained in that year (``population.profile_year``: the 2010
census is the 2010 stock, aged one age a year), so the 2020 census is compared with the
stock the engine holds for 2020 (its "1 January 2020" state, whose ages are those attained
in 2020): completed age x on 1 November 2020 is the cohort born in 2020 - x for ten months
of births in twelve, the same reading the model gives the 2010 census. Taking the
1 January 2021 stock instead would count everyone one year older than the census did.

The engine's births of year Y (``population.births_by_sex``: the year-Y rate times the women
15-49 alive at the end of Y) enter the next year at age 0: they are the cohort of age 0 in
Y + 1. So the census's age x in 2020 is made of the births of year 2019 - x, and the
published births of calendar year Y + 1 are the engine's births of year Y (the census's
age 0, 11.99 m, is the NBS's 12.0 m births of 2020).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model import dims
from model.engine.project import initial_state, rollout_stages, step
from model.io import tables
from model.parameters import Parameters, cohort_q, resolve
from model.rules.population import women_15_49
from model.scenario import Scenario, with_overrides

CENSUS_YEAR = 2020
CENSUS_SOURCE = "census2020:national"
CHILD_GROUP_STARTS = (0, 1, 5, 10, 15)     # the census's groups 0, 1-4, 5-9, 10-14 (and where 15+ starts)
BANDS = {"0-14": (0, 14), "15-59": (15, 59), "60+": (60, dims.MAX_AGE)}

# Births in mainland China in the year [persons], as the National Bureau of Statistics
# published them (model/data/raw/nbs_births_2021_2024.csv; PROVENANCE.md).
NBS_BIRTHS = tables.nbs_births()


def _age_groups() -> tuple[list[str], np.ndarray]:
    """Labels of the comparison's 5-year groups (0-4, ..., 80-84, 85+) and each single age's group."""
    starts = list(range(0, 90, 5))
    labels = [f"{a}-{a + 4}" for a in starts[:-1]] + [f"{starts[-1]}+"]
    return labels, np.searchsorted(starts, np.arange(dims.N_AGE), side="right") - 1


def whole_population_parameters(scen: Scenario, last_year: int) -> Parameters:
    """The parameters of the run that holds everyone's population, from the start to ``last_year``.

    A staged scenario (``scheme.rollout``) counts its population once, from its first stage
    run over the whole population (``model.engine.project.combine_stages``); the stages add
    only members and money. That population is the staged one only while members do not
    emigrate (the national scenarios have no emigration): otherwise it is refused.
    """
    cut = with_overrides(scen, {"scheme": {"horizon_years": last_year - scen.scheme.start_year + 1}})
    if not cut.scheme.rollout:
        return resolve(cut)
    if any(cut.eligibility.emigration_rate.by_age(0.0)):
        raise ValueError("census_check: a staged scenario whose members emigrate has no single "
                         "population by age (model.engine.project.combine_stages corrects only the total)")
    return rollout_stages(cut)[0][2]


def population_and_women(scen: Scenario, last_year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The engine's population in each year from the start to ``last_year`` and the base of its births.

    Returns (years (year,), stock (year, sex, age) [persons] on 1 January of each year by age
    attained in that year, women (year,) [persons] aged 15-49 alive at the end of each year:
    the women the year's births are counted on, model/rules/population.py ``births_by_sex``).
    """
    P = whole_population_parameters(scen, last_year)
    st = initial_state(P)
    stock, women = [], []
    for year in P.years:
        stock.append(st.pop[0].sum(axis=-1).T)                    # (sex, age)
        st, _, _ = step(st, P.at(int(year)), P)
        women.append(women_15_49(st.pop[0, 1:]).sum())            # the year's survivors, one age up
    return P.years.copy(), np.array(stock), np.array(women)


def census_comparison(scen: Scenario) -> pd.DataFrame:
    """The model's population in 2020 against the 2020 census [persons; relative difference].

    The model's stock held for 2020 (see the module docstring, "Timing") against the census's
    31 provinces summed (``census2020:national``, model/io/tables.py), by sex (``male``,
    ``female``, ``both``) and by age group: 0-4 ... 80-84, 85+, then the bands 0-14, 15-59,
    60+ and ``total``. Columns: age_group, sex, model, census, difference (model / census - 1).
    Long table, 22 groups x 3 sexes.
    """
    _, stock, _ = population_and_women(scen, CENSUS_YEAR)
    model = stock[-1]                                                  # (sex, age) in 2020
    census = tables.population_by_single_age(CENSUS_SOURCE)            # (sex, age)
    labels, group = _age_groups()
    ages = np.arange(dims.N_AGE)
    masks = [group == g for g in range(len(labels))]
    masks += [(ages >= lo) & (ages <= hi) for lo, hi in BANDS.values()] + [ages >= 0]
    names = labels + list(BANDS) + ["total"]
    m = np.stack([(model * k).sum(axis=1) for k in masks])            # (group, sex)
    c = np.stack([(census * k).sum(axis=1) for k in masks])
    m, c = np.column_stack([m, m.sum(axis=1)]), np.column_stack([c, c.sum(axis=1)])
    sexes = list(dims.SEXES) + ["both"]
    out = pd.DataFrame({"age_group": np.repeat(names, len(sexes)), "sex": sexes * len(names),
                        "model": m.ravel(), "census": c.ravel()})
    out["difference"] = out["model"] / out["census"] - 1
    return out


def survival_to_census(q_by_year: np.ndarray) -> np.ndarray:
    """Share of a cohort alive in the census year's stock at each age [fraction], (sex, age).

    Age x in the census year's stock entered age 0 x years earlier and has lived through the
    years census - x .. census - 1 at ages 0 .. x - 1: S(x) = prod_k (1 - q[census - x + k, k]).
    ``q_by_year`` (year, sex, age): the engine's probabilities of dying in each of the A years
    before the census (row A - 1 is the year before it), at least A ages; returns ages 0..A-1.
    """
    q = np.asarray(q_by_year, dtype=float)
    n = q.shape[0]
    x, k = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")      # (age at census, age lived)
    lived = k < x
    rows = np.where(lived, n - x + k, 0)
    log_s = np.where(lived[..., None], np.log1p(-q[rows, :, k]), 0.0)  # (x, k, sex)
    return np.exp(log_s.sum(axis=1)).T


def births_by_cohort(children: np.ndarray, group_starts, survival: np.ndarray) -> np.ndarray:
    """Births of each cohort that make the census's children [persons], (sex, age at census).

    ``children`` (sex, group): the census's counts in the groups starting at ``group_starts``
    (the last start closes the last group); ``survival`` (sex, age) from
    :func:`survival_to_census`. Within a census group the same number is taken to be born each
    year (the census gives no single ages), so the group's count divided by its summed
    survival: B = N_g / sum_{x in g} S(x), for every age x of the group.
    """
    starts = np.asarray(group_starts)
    ages = np.arange(starts[-1])
    group = np.searchsorted(starts, ages, side="right") - 1            # (age,)
    s = np.asarray(survival, dtype=float)[:, ages]
    summed = np.zeros((s.shape[0], len(starts) - 1))
    np.add.at(summed, (slice(None), group), s)
    return (np.asarray(children, dtype=float) / summed)[:, group]


def census_children() -> np.ndarray:
    """The 2020 census's children by sex in the groups 0, 1-4, 5-9, 10-14 [persons], (sex, group)."""
    census = tables.population_by_single_age(CENSUS_SOURCE)
    starts = CHILD_GROUP_STARTS
    return np.stack([census[:, a:b].sum(axis=1) for a, b in zip(starts[:-1], starts[1:])], axis=1)


def births_per_woman_from_census(scen: Scenario) -> pd.DataFrame:
    """General fertility rate [births per woman 15-49 a year] of each engine year, from births.

    Years from the scenario's start to 2019: the cohorts of the 2020 census's ages 0-14
    (:func:`census_children`), survived back to birth with the scenario's death rates
    (``tables.death_rates_mx`` of its mortality table, ``cohort_q`` as in the engine;
    :func:`survival_to_census`, :func:`births_by_cohort`). Later years: the published births
    (``NBS_BIRTHS``). The engine's births of year Y make the cohort of age 0 in Y + 1, so the
    rate of year Y is the births of cohort Y + 1 over the model's women 15-49 at the end of Y
    (:func:`population_and_women`): the scenario's own women.

    Returns one row per year: year, cohort (Y + 1), births [persons, both sexes], source
    (``census2020`` or ``nbs``), women_15_49 [persons], births_per_woman.
    """
    m = scen.population.mortality
    if m.improvement != "table" or m.extra_improvement_pa:
        raise ValueError("census_check: the back-survival uses the mortality table's own years "
                         "(population.mortality.improvement: table, no extra improvement)")
    n = CHILD_GROUP_STARTS[-1]
    q = cohort_q(tables.death_rates_mx(np.arange(CENSUS_YEAR - n, CENSUS_YEAR), m.table))
    born = births_by_cohort(census_children(), CHILD_GROUP_STARTS, survival_to_census(q)).sum(axis=0)
    cohort_births = {CENSUS_YEAR - x: b for x, b in enumerate(born)}   # cohort -> births
    cohort_births.update(NBS_BIRTHS)
    last_cohort = max(NBS_BIRTHS)
    years, _, women = population_and_women(scen, last_cohort - 1)
    rows = [dict(year=int(y), cohort=int(y) + 1, births=float(cohort_births[int(y) + 1]),
                 source="nbs" if int(y) + 1 in NBS_BIRTHS else "census2020", women_15_49=float(w))
            for y, w in zip(years, women)]
    out = pd.DataFrame(rows)
    out["births_per_woman"] = out["births"] / out["women_15_49"]
    return out


SUMMARY_ROWS = ("0-4", "5-9", "10-14", *BANDS, "total")


def bands_before_and_after(scen: Scenario) -> pd.DataFrame:
    """The children's groups, the bands and the total in 2020 with and without the births path.

    ``before``: births at the profile's own ratio of age 0 to women 15-49 (the default when
    ``population.births_per_woman_15_49`` is not given); ``after``: the scenario as it is.
    Index: band (0-4, 5-9, 10-14, 0-14, 15-59, 60+, total); columns census, before, after
    [persons], difference_before, difference_after (model / census - 1), both sexes.
    """
    without = with_overrides(scen, {"population": {"births_per_woman_15_49": None}}, "census_check")
    out = {}
    for when, s in (("before", without), ("after", scen)):
        t = census_comparison(s)
        t = t[(t.sex == "both") & t.age_group.isin(SUMMARY_ROWS)].set_index("age_group")
        out["census"], out[when] = t["census"], t["model"]
    df = pd.DataFrame(out).loc[list(SUMMARY_ROWS)].rename_axis("band")
    for when in ("before", "after"):
        df[f"difference_{when}"] = df[when] / df["census"] - 1
    return df


def bands_markdown(by_scenario: dict[str, pd.DataFrame]) -> str:
    """A Markdown table of :func:`bands_before_and_after` for several scenarios [millions, %]."""
    names = list(by_scenario)
    head = "| band | census 2020 (m) | " + " | ".join(f"{n} before | {n} after" for n in names) + " |"
    rule = "|---|---:|" + "---:|---:|" * len(names)
    first = by_scenario[names[0]]
    lines = [head, rule]
    for band in first.index:
        cells = [f"{first.loc[band, 'census'] / 1e6:,.1f}"]
        for n in names:
            r = by_scenario[n].loc[band]
            cells += [f"{r[w] / 1e6:,.1f} ({round(r[f'difference_{w}'], 3) + 0.0:+.1%})"   # no -0.0 %
                      for w in ("before", "after")]
        lines.append(f"| {band} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
