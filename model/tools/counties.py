"""Many counties in one call: real counties side by side on the engine's batch axis (issue 14).

Each county starts from its share of the national scenario's own population: its registered
(hukou) people of each cohort (``model.io.registered``: the 2020 census residents less those
registered in another province, plus its own people living in another province), with the
rural/urban hukou split raked to the national one, so the counties add up to the national
stock. A staged scenario (``scheme.rollout``) runs every county through the same stages with
the national shares (a county's own start is not known: ASSUMPTION, docs/COUNTIES.md), so each
county's 2024 state has its accounts, its pensioners and the 45+ rule from the real start.
The rules and behaviour are the base scenario's. Counties run ``chunk`` at a time (memory),
a province at a time, on Dask workers when asked; prefecture and province totals are sums of
their counties (``rollup``).
"""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pandas as pd

from model.engine.project import combine_stages, rollout_stages, run
from model.engine.stochastic import pool_tiers
from model.io import registered, tables
from model.parameters import Parameters, resolve
from model.results import ANNUAL_COLUMNS
from model.scenario import Scenario, ScenarioError


def county_codes(province: str | None = None) -> list[str]:
    """Admin codes of the lowest-level units (counties) of a province, or of the whole country."""
    df = tables.county_table()
    units = df[df["is_lowest_level_unit"]]
    if province:
        prov_name = df.loc[df["admin_code"] == str(province), "province_zh"]
        units = units[units["province_zh"].isin(prov_name)]
        if units.empty:
            raise ScenarioError(f"--province {province}: no counties; give a 6-digit code such as 520000")
    return units["admin_code"].tolist()


def start_populations(stages, reg: np.ndarray, urban: np.ndarray) -> list[np.ndarray]:
    """Every unit's people at the start of each stage [persons], (unit, age, sex, area) a stage:
    the stage's national stock shared out by cohort (``registered.county_start_population``).

    ``reg`` (unit, sex, age) and ``urban`` (unit,) must cover every unit that shares the
    nation (all counties, or all provinces), so that the units add up to the national stock.
    """
    return [registered.county_start_population(P.population0[0], reg, urban, P.start_year)
            for _, _, P in stages]


def stages_of(scen: Scenario) -> list[tuple[int, float, Parameters]]:
    """(years after the start, population share, parameters) of each stage; one for an unstaged scheme.

    The tiers are pooled where that is exact (``stochastic.pool_tiers``: the same totals from
    about a tenth of the cells).
    """
    stages = rollout_stages(scen) if scen.scheme.rollout else [(0, 1.0, resolve(scen))]
    return [(off, share, pool_tiers(P) or P) for off, share, P in stages]


def run_units(scen: Scenario, stages, codes: list[str], pops: list[np.ndarray],
              rules: pd.Series | None = None, centre=None) -> pd.DataFrame:
    """Annual results of units sharing one province's rules, side by side (unit x year).

    ``pops``: each stage's starting people of these units (``start_populations``). ``rules``:
    the province's row of a province table (``provinces.province_parameters``), or None for
    the national rules; ``centre`` the provinces' common multipliers (``provinces.centre_of``).
    """
    from model.tools.provinces import numbers, province_parameters
    staged = []
    for (off, share, P), pop in zip(stages, pops):
        # the old rural pension's fund taken over goes with the rural hukou people (ASSUMPTION)
        rural = pop[..., 0].sum(axis=(1, 2)) / P.population0[0][..., 0].sum()
        Q = replace(P, population0=pop, legacy_fund_yuan=P.legacy_fund_yuan * rural)
        if rules is not None:
            Q = province_parameters(Q, *numbers(rules), centre, str(rules.name))
        staged.append((off, share, run(Q)[0]))
    P0 = stages[0][2]
    if scen.scheme.rollout:                      # as engine.project.project_rollout, per unit;
        flows = combine_stages(scen, P0.years, staged, staged[0][2])   # the first stage's run is everyone's
    else:
        flows = staged[0][2]
    n_y = len(P0.years)
    out = pd.DataFrame({"county": np.tile(codes, n_y)})
    for c in ANNUAL_COLUMNS:
        out[c] = flows[c].ravel()
    out["year"] = out["year"].astype(int)
    return out


def check_national(scen: Scenario) -> None:
    """Refuse a scenario whose population is not the nation's (counties share out its stock)."""
    p = scen.population
    if scen.eligibility.eligible_counts is not None or p.band_totals is not None:
        raise ScenarioError("counties: the scenario gives one county's eligible counts or age bands "
                            "(eligibility.eligible_counts, population.band_totals); use a scenario with shares")
    if not str(p.profile).endswith(":national") or p.total is not None or p.area_totals is not None:
        raise ScenarioError(f"counties: population.profile {p.profile!r} with total {p.total!r}: the counties "
                            "share out a national population; give census2010:national or census2020:national "
                            "and no total or area_totals (e.g. a scenario extending national.yaml)")


def _groups(codes: list[str], province: list[str], chunk: int) -> list[list[str]]:
    """Counties in chunks of at most ``chunk``, each within one province (``province``: each county's)."""
    by: dict[str, list[str]] = {}
    for c, p in zip(codes, province):
        by.setdefault(p, []).append(c)
    return [g[i:i + chunk] for g in by.values() for i in range(0, len(g), chunk)]


def project_counties(scen: Scenario, codes: list[str], chunk: int = 50, workers: int = 0,
                     scheduler: str | None = None, provinces: pd.DataFrame | None = None) -> pd.DataFrame:
    """Annual results of every county (county x year, the annual columns), in chunks of counties.

    ``provinces``: a province table (``model.tools.provinces``: each province's employees'
    scheme, top-up and enrolment factor), or None for the national rules everywhere.
    """
    check_national(scen)
    if chunk < 1:
        raise ScenarioError(f"--chunk {chunk}: must be at least 1")
    all_codes, reg, urban = registered.registered_2020()
    where = {c: i for i, c in enumerate(all_codes)}
    bad = [c for c in codes if c not in where]
    if bad:
        raise ScenarioError(f"counties: {bad[0]} is not a county of the 2020 census table")
    stages = stages_of(scen)
    pops = start_populations(stages, reg, urban)
    prov = dict(zip(codes, registered.province_of(codes)))
    mid = None
    if provinces is not None:                    # from every county, whichever are run
        from model.tools.provinces import centre_of
        mid = centre_of(stages, pops[0], registered.province_of(all_codes), provinces)
    jobs = []
    for g in _groups(codes, [prov[c] for c in codes], chunk):
        rules = None if provinces is None else provinces.loc[prov[g[0]]]
        jobs.append((g, [p[[where[c] for c in g]] for p in pops], rules))
    address = scheduler or (os.environ.get("DASK_SCHEDULER_ADDRESS") if workers else None)   # as sweep
    if workers == 0 and not address:
        parts = [run_units(scen, stages, g, p, r, mid) for g, p, r in jobs]
    else:
        from distributed import Client

        from model.tools.sweep import connect, local_cluster
        cluster = None if address else local_cluster(workers)
        client = connect(address) if address else Client(cluster)
        try:
            parts = client.gather([client.submit(run_units, scen, stages, g, p, r, mid, pure=False) for g, p, r in jobs])
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return pd.concat(parts, ignore_index=True).sort_values(["county", "year"], ignore_index=True)


def rollup(results: pd.DataFrame, level: str = "prefecture", column: str = "county") -> pd.DataFrame:
    """Prefecture or province totals from a county run: the sum of its counties, by year.

    ``column`` holds the counties' admin codes; the prefecture and province each county
    belongs to come from the 2020 census table (by name: a few units, such as scenic areas,
    have codes outside their province's range). Stocks and flows add up; rates such as
    ``basic_pension_monthly_rate`` are left out.
    """
    where = tables.county_table()
    codes = results[column].astype(str)
    key = codes.map(where["province_zh"])
    if level == "prefecture":                       # prefecture names repeat across provinces
        key = key + "/" + codes.map(where["prefecture_zh"])
    elif level != "province":
        raise ValueError(f"level {level!r}: allowed prefecture or province")
    numeric = [c for c in results.select_dtypes("number").columns
               if c not in ("year", "basic_pension_monthly_rate", "fiscal_base")]
    return results.assign(**{level: key}).groupby([level, "year"], as_index=False)[numeric].sum()
