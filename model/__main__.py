"""Command line: ``python -m model run SCENARIO.yaml --out DIR``.

User mistakes (a bad scenario file, a missing file) print one clear line
and exit with status 2; they never show a traceback.
"""
from __future__ import annotations

import argparse
import sys
import time

from .scenario import ScenarioError


def _run(args) -> int:
    from .outputs import write_outputs
    from .projection import project
    from .scenario import load_scenario
    t0 = time.perf_counter()
    scen = load_scenario(args.scenario)
    try:
        proj = project(scen, detail=not args.no_detail)
    except ValueError as exc:                       # parameter combinations found on resolving
        raise ScenarioError(f"{args.scenario}: {exc}") from None
    out = write_outputs(proj, args.out, time.perf_counter() - t0)
    a = proj.annual
    print(f"{scen.title}: {int(a.year.iloc[0])}-{int(a.year.iloc[-1])}, "
          f"{proj.seconds:.2f} s; wrote {out}/annual.csv, detail.parquet, manifest.json")
    for w in proj.parameters.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m model",
                                 description="URRBPI cohort model (城乡居民社会养老保险精算模型)")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="project a scenario and write annual.csv, detail and manifest")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--out", required=True, help="output folder (replaced atomically)")
    run.add_argument("--no-detail", action="store_true", help="skip the detailed long table")
    run.set_defaults(func=_run)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
