"""Many counties in one call: real counties side by side on the engine's batch axis.

Each county takes its own 2020 census population (age, sex, urban/rural) and
births ratio; the rules and behaviour are the base scenario's. Counties run
``chunk`` at a time (memory), on Dask workers when asked; prefecture and
province totals are sums of their counties (``rollup``).
"""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pandas as pd

from model.io import tables
from model.parameters import Parameters, resolve
from model.rules.population import population_from_totals, women_15_49
from model.engine.project import run
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


def county_parameters(P: Parameters, codes: list[str]) -> Parameters:
    """``P`` with one batch member per county: its census population and its births ratio."""
    pops, gfr = [], []
    for code in codes:
        t = tables.county_totals(code)
        prof = tables.population_by_single_age(f"census2020:county:{code}")
        pop = population_from_totals(prof, [float(t["pop_rural_xiangcun_persons"]),
                                            float(t["pop_urban_chengzhen_persons"])])
        pops.append(pop)
        women = women_15_49(pop).sum()
        gfr.append(pop[0].sum() / women if women > 0 else 0.0)
    births = (np.broadcast_to(P.births_per_woman, (len(P.years), len(codes)))
              if P.scenario.population.births_per_woman_15_49 is not None
              else np.broadcast_to(np.array(gfr)[None], (len(P.years), len(codes))))
    return replace(P, population0=np.stack(pops), births_per_woman=np.array(births))


def _chunk(scen: Scenario, codes: list[str]) -> pd.DataFrame:
    P = county_parameters(resolve(scen), codes)
    flows, _ = run(P)
    n_y = len(P.years)
    out = pd.DataFrame({"county": np.tile(codes, n_y)})
    for c in ANNUAL_COLUMNS:
        out[c] = flows[c].ravel()
    out["year"] = out["year"].astype(int)
    return out


def project_counties(scen: Scenario, codes: list[str], chunk: int = 50, workers: int = 0,
                     scheduler: str | None = None) -> pd.DataFrame:
    """Annual results of every county (county x year, the annual columns), in chunks of counties."""
    if scen.scheme.rollout:
        raise ScenarioError("counties: a staged scenario (scheme.rollout) cannot run county by county")
    p = scen.population
    if scen.eligibility.eligible_counts is not None or p.band_totals is not None:
        raise ScenarioError("counties: the scenario gives one county's eligible counts or age bands "
                            "(eligibility.eligible_counts, population.band_totals); use a scenario with shares")
    if chunk < 1:
        raise ScenarioError(f"--chunk {chunk}: must be at least 1")
    groups = [codes[i:i + chunk] for i in range(0, len(codes), chunk)]
    address = scheduler or (os.environ.get("DASK_SCHEDULER_ADDRESS") if workers else None)   # as sweep
    if workers == 0 and not address:
        parts = [_chunk(scen, g) for g in groups]
    else:
        from distributed import Client

        from model.tools.sweep import connect, local_cluster
        cluster = None if address else local_cluster(workers)
        client = connect(address) if address else Client(cluster)
        try:
            parts = client.gather([client.submit(_chunk, scen, g, pure=False) for g in groups])
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
