"""Sweeps: expansion, resume, Dask equals serial bit for bit, county roll-ups."""
from pathlib import Path

import pandas as pd
import pytest

from model.scenario import ScenarioError
from model.tools.counties import rollup
from model.tools.sweep import WORKER_ENV, load_sweep, local_cluster, run_sweep

ROOT = Path(__file__).resolve().parents[2]
GRID = ROOT / "scenarios" / "sweeps" / "uptake_grid.yaml"


def test_grid_expands_to_every_combination_and_subsets():
    spec, runs = load_sweep(GRID)
    assert len(runs[None]) == 3 * 3 * 3 and len(runs["corners"]) == 2 * 2 * 2
    assert len({r.key for r in runs[None]}) == 27                       # distinct resolved scenarios
    r = next(r for r in runs[None] if r.labels == {"enrolment": "d3_90pct", "tier_mix": "lowest",
                                                    "interest": "flat_4pct"})
    assert r.scenario.accounts.flat_rate_pa == 0.04 and r.scenario.scheme.horizon_years == 40
    assert r.scenario.enrolment.rate_path.values["2013-01"] == 0.90


@pytest.mark.slow  # a two-process Dask cluster
def test_sweep_resumes_and_dask_equals_serial_bit_for_bit(tmp_path):
    serial, man = run_sweep(GRID, tmp_path / "serial", subset="corners", workers=0, progress=False)
    assert man["computed_now"] == 8 and len(serial) == 8 * 40
    again, man = run_sweep(GRID, tmp_path / "serial", subset="corners", workers=0, progress=False)
    assert man["computed_now"] == 0                                     # nothing recomputed
    pd.testing.assert_frame_equal(serial, again)
    # a real LocalCluster of two worker processes on loopback
    dask, man = run_sweep(GRID, tmp_path / "dask", subset="corners", workers=2, progress=False)
    key = ["run_key", "year"]
    pd.testing.assert_frame_equal(serial.sort_values(key).reset_index(drop=True),
                                  dask.sort_values(key).reset_index(drop=True), check_exact=True)
    assert set(serial.columns[:4]) == {"run_key", "enrolment", "tier_mix", "interest"}


def test_county_sweep_rolls_up_to_prefectures(tmp_path):
    sweep = tmp_path / "counties.yaml"
    sweep.write_text(f"base: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\n"
                     "changes: {scheme: {start: 2021-01, horizon_years: 5}}\n"
                     "axes: {county: {counties: {province: '520000', limit: 4}}}\n", encoding="utf-8")
    res, _ = run_sweep(sweep, tmp_path / "out", workers=0, progress=False)
    counties = res["county"].unique()
    assert len(counties) == 4
    from model.io.tables import population_by_single_age
    first = population_by_single_age(f"registered2020:county:{counties[0]}").sum()
    # the county's starting population is its registered people of 2020 (before the first year's deaths)
    y0 = res[(res.county == counties[0]) & (res.year == 2021)].iloc[0]
    assert y0["population"] + y0["population_deaths"] == pytest.approx(round(first), abs=1e-6)   # whole persons
    pref = rollup(res, "prefecture")
    from model.io.tables import county_table
    census = county_table()
    names = res.county.map(census.province_zh) + "/" + res.county.map(census.prefecture_zh)
    for (name, year), grp in res.assign(p=names).groupby(["p", "year"]):
        row = pref[(pref.prefecture == name) & (pref.year == year)].iloc[0]
        assert row["members"] == pytest.approx(grp["members"].sum(), rel=1e-12)
        assert row["government_total_cost"] == pytest.approx(grp["government_total_cost"].sum(), rel=1e-12)


def test_bad_sweep_files_give_one_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    base = ROOT / "scenarios" / "qiubei_2011.yaml"
    bad.write_text(f"base: {base}\naxes: {{a: {{path: enrolment.rate_path}}}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="axes.a: keys .*needs 'path' and 'values'"):
        load_sweep(bad)
    bad.write_text("base: ../x.yaml\naxis: {}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown key 'axis'"):
        load_sweep(bad)


def _malloc_env():
    import os
    return {k: os.environ.get(k) for k in WORKER_ENV}


@pytest.mark.slow  # a two-process Dask cluster
def test_local_cluster_workers_keep_freed_memory():
    # Dask's own default is MALLOC_TRIM_THRESHOLD_=65536 (give freed memory back at once);
    # the model's workers keep up to 256 MB so state-sized temporaries do not page-fault
    # every projection year. Dask's other defaults (one BLAS thread) stay.
    from distributed import Client
    cluster = local_cluster(1)
    try:
        with Client(cluster) as client:
            env = next(iter(client.run(_malloc_env).values()))
            threads = next(iter(client.run(lambda: __import__("os").environ.get("OMP_NUM_THREADS")).values()))
    finally:
        cluster.close()
    assert env == {"MALLOC_TRIM_THRESHOLD_": "268435456", "MALLOC_MMAP_THRESHOLD_": "33554432",
                   "MALLOC_TOP_PAD_": "67108864"}
    assert threads == "1"
