"""Speed of the cohort engine: `python benchmarks/run.py` (figures go in the README).

Prints, for the Qiannan scenario over 90 years: the wall time of one
projection (median of several runs, with and without the detailed table),
state cell-years per second, and the speed per person-year against a
plain-Python person-level loop that computes the same totals for a sample
population (the totals are checked to agree first).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from model import load_scenario, project  # noqa: E402
from model.parameters import resolve  # noqa: E402
from model.engine.project import initial_state  # noqa: E402
from person_loop import TOTALS, deterministic, run_person_loop, sample_population  # noqa: E402


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "qiannan_2011.yaml"))
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--per-cell", type=int, default=10, help="sample persons per age x sex x area")
    args = ap.parse_args()

    scen = load_scenario(args.scenario)
    P = resolve(scen)
    n_years = len(P.years)
    st = initial_state(P)
    cells = sum(a.size for a in (st.pop, st.c_n, st.c_xyears, st.s_n, st.p_n, st.p_acc, st.p_long)) \
        + st.c_bal.size + st.s_bal.size + st.p_bal.size
    project(P, detail=False)                                   # warm-up
    t_resolve = median_time(lambda: resolve(scen), args.repeats)
    t_flows = median_time(lambda: project(P, detail=False), args.repeats)
    t_detail = median_time(lambda: project(P, detail=True), args.repeats)
    members_py = float(project(P, detail=False).annual["members"].sum())

    print(f"scenario: {scen.title}  ({n_years} years, {len(P.tiers)} tiers)")
    print(f"resolve parameters          : {t_resolve * 1e3:8.1f} ms")
    print(f"projection, annual only     : {t_flows * 1e3:8.1f} ms (median of {args.repeats})")
    print(f"projection, with detail     : {t_detail * 1e3:8.1f} ms")
    print(f"state cells                 : {cells:,} -> {cells * n_years / t_flows:,.0f} cell-years/s")
    print(f"member person-years         : {members_py:,.0f} -> "
          f"{t_flows / members_py * 1e9:.2f} ns per person-year")

    people, pop, mix = sample_population(P, per_cell=args.per_cell)
    Pd = deterministic(P, pop, mix)
    cohort = project(Pd, detail=False).annual
    t0 = time.perf_counter()
    loop = run_person_loop(Pd, people)
    t_loop = time.perf_counter() - t0
    worst = max(float(np.max(np.abs(cohort[k].to_numpy() - loop[k])
                             / (np.abs(cohort[k].to_numpy()) + 1.0))) for k in TOTALS)
    if worst > 1e-9:
        raise SystemExit(f"person loop and engine disagree (max relative error {worst:.3g})")
    loop_py = len(people) * n_years
    ratio = (t_loop / loop_py) / (t_flows / members_py)
    print(f"person-level loop           : {len(people):,} persons x {n_years} years in {t_loop:.2f} s"
          f" = {t_loop / loop_py * 1e9:,.0f} ns per person-year (totals agree, max rel. error {worst:.1e})")
    print(f"engine vs person loop       : {ratio:,.0f}x faster per person-year")


if __name__ == "__main__":
    main()
