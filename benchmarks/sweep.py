"""Sweep speed: `python benchmarks/sweep.py [--counties]` (figures go in the README).

1. A 100-run sweep (5 enrolment targets x 5 tier mixes x 4 interest paths, Qiannan,
   90 years): serial vs a 2-worker Dask LocalCluster, and the speed-up.
2. With --counties: every unit of the 2020 county census (2,989),
   90 years each, on the 2-worker cluster: wall time and peak memory.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.tools.sweep import run_sweep  # noqa: E402

GRID = f"""title: benchmark, 100 runs
base: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}
axes:
  enrolment:
    path: enrolment.rate_path
    values: [{{2011: 0.5}}, {{2011: 0.6}}, {{2011: 0.7}}, {{2011: 0.8}}, {{2011: 0.9}}]
  tier_mix:
    path: contributions.tier_mix
    values:
      a: {{rural: {{100: 1.0}}, urban: {{100: 1.0}}}}
      b: {{rural: {{100: 0.9, 200: 0.1}}, urban: {{100: 0.9, 200: 0.1}}}}
      c: {{rural: {{100: 0.8, 200: 0.1, 500: 0.1}}, urban: {{100: 0.8, 200: 0.1, 500: 0.1}}}}
      d: {{rural: {{100: 0.6, 200: 0.2, 500: 0.2}}, urban: {{100: 0.6, 200: 0.2, 500: 0.2}}}}
      e: {{rural: {{100: 0.4, 300: 0.3, 1000: 0.3}}, urban: {{100: 0.4, 300: 0.3, 1000: 0.3}}}}
  interest:
    path: accounts.flat_rate_pa
    values: [0.01, 0.02, 0.03, 0.04]
changes: {{accounts: {{interest: flat}}}}
"""

COUNTIES = f"""title: benchmark, every county
base: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}
changes: {{scheme: {{start: 2021-01, horizon_years: 90}}}}
axes:
  county:
    counties: {{province: "{{prov}}"}}
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counties", action="store_true", help="also run every county (several minutes)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        grid = Path(d) / "grid.yaml"
        grid.write_text(GRID, encoding="utf-8")
        t0 = time.perf_counter()
        run_sweep(grid, Path(d) / "serial", workers=0, progress=False)
        t_serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_sweep(grid, Path(d) / "dask", workers=2, progress=False)
        t_dask = time.perf_counter() - t0
        print(f"100-run sweep, 90 years: serial {t_serial:.1f} s, 2-worker LocalCluster {t_dask:.1f} s "
              f"(incl. cluster start), speed-up {t_serial / t_dask:.2f}x")
        if args.counties:
            total, runs = 0.0, 0
            t0 = time.perf_counter()
            for prov in [f"{p}0000" for p in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                                               41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65)]:
                f = Path(d) / f"c{prov}.yaml"
                f.write_text(COUNTIES.replace("{prov}", prov), encoding="utf-8")
                res, man = run_sweep(f, Path(d) / f"out{prov}", workers=2, progress=False)
                runs += man["runs"]
            total = time.perf_counter() - t0
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"every county: {runs} runs x 90 years in {total:.0f} s on 2 workers; "
                  f"peak memory of the driver {peak:.0f} MB")


if __name__ == "__main__":
    main()
