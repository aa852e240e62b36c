"""Scale benchmarks: `python benchmarks/scale.py [--paths N]` (figures go in the README).

- one county (Qiubei), 90 years, deterministic: median wall time;
- N stochastic paths for the same county, 90 years, in one process (the batch axis);
- the engine's throughput in state cell-years per second against numpy streaming over an
  array of the same size (one multiply-add pass per cell), i.e. how many passes over its
  state the engine makes per year.
The all-counties figure comes from `/usr/bin/time -v python -m model counties scenarios/china_counties.yaml
--workers 2 --out DIR` (wall time and the largest resident set).
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

from model import load_scenario, project  # noqa: E402
from model.parameters import resolve  # noqa: E402
from model.engine.project import initial_state  # noqa: E402
from model.engine.stochastic import project_paths  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    scen = load_scenario(ROOT / "scenarios" / "qiubei_2011.yaml")
    P = resolve(scen)
    project(P, detail=False)
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        project(P, detail=False)
        times.append(time.perf_counter() - t0)
    t_det = statistics.median(times)
    st = initial_state(P)
    cells = sum(np.asarray(a).size for a in vars(st).values())
    years = len(P.years)
    print(f"one county (Qiubei), 90 years, deterministic: {t_det * 1e3:.0f} ms (median of {args.repeats})")
    t0 = time.perf_counter()
    project_paths(scen, args.paths, seed=1)
    t_paths = time.perf_counter() - t0
    print(f"{args.paths} stochastic paths, 90 years, one process: {t_paths:.1f} s "
          f"({t_paths / args.paths * 1e3:.0f} ms a path)")
    a = np.random.default_rng(0).random(cells)
    b = np.random.default_rng(1).random(cells)
    c = np.empty_like(a)
    reps = 200
    t0 = time.perf_counter()
    for _ in range(reps):
        np.multiply(a, b, out=c)
        c += a
    t_stream = (time.perf_counter() - t0) / reps
    engine_rate = cells * years / t_det
    stream_rate = cells / t_stream
    print(f"state: {cells:,} cells; engine {engine_rate / 1e6:.1f} million cell-years/s; numpy streaming "
          f"(multiply-add over the same size) {stream_rate / 1e6:.0f} million cells/s; the engine makes "
          f"about {stream_rate / engine_rate:.0f} such passes over its state per year")


if __name__ == "__main__":
    main()
