"""What the rule variants of issue 15 cost the engine: `python benchmarks/variants.py` (README, Speed).

Times one projection of a scenario (Qiannan, 90 years, annual table only; median of several
runs) as shipped and with each variant that adds state: long-contribution bands up to 25 years
(the years-paid axis grows from 17 to 26 cells), the same leaving made-up years out (made-up
person-years carried), and paying on after 60 (延缴, a stock of ages 61-65). All are timed in
one run, so the ratios hold even when the machine is busy.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from model import load_scenario, project  # noqa: E402
from model.parameters import resolve  # noqa: E402
from model.engine.project import initial_state  # noqa: E402
from model.scenario import with_overrides  # noqa: E402
from run import median_time  # noqa: E402

BANDS = [{"years_from": 16, "yuan_flat": 20}, {"years_from": 20, "yuan_flat": 30}, {"years_from": 25, "yuan_flat": 40}]
VARIANTS = {
    "as shipped": {},
    "bands to 25 years": {"benefits": {"long_contribution_yuan_per_year_over_15": 0,
                                       "long_contribution": {"bands": BANDS}}},
    "bands to 25, made-up years left out": {"benefits": {"long_contribution_yuan_per_year_over_15": 0,
                                                         "long_contribution": {"bands": BANDS,
                                                                               "counts_made_up_years": False}}},
    "paying on after 60 to 65": {"contributions": {"pay_on_after_60": {"allowed": True, "share": 0.5,
                                                                       "up_to_age": 65}}},
}


def state_cells(P) -> int:
    """Numbers in the 1 January state [cells]."""
    st = initial_state(P)
    return sum(a.size for a in vars(st).values() if hasattr(a, "size"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "qiannan_2011.yaml"))
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    base = load_scenario(args.scenario)
    first = None
    for name, over in VARIANTS.items():
        P = resolve(with_overrides(base, over) if over else base)
        project(P, detail=False)                                   # warm up
        t = median_time(lambda: project(P, detail=False), args.repeats)
        first = first or t
        print(f"{name:40s} {t * 1000:7.0f} ms  x{t / first:4.2f}  state {state_cells(P):,} cells")


if __name__ == "__main__":
    main()
