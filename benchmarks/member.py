"""Speed of the member calculator (算账): `python benchmarks/member.py` (figures go in the README).

For one resident under scenarios/national.yaml (born 1995-03, enrolled 2012, tier 300): one
illustration, the what-if table (12 tiers x 7 spans of years), the statement's HTML (its
chart most of it), and a batch of N residents written to a temporary folder (statements and
summary, no PDF): medians of several runs, after one warm-up.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from model import load_scenario  # noqa: E402
from model.member.batch import read_rows, run_batch  # noqa: E402
from model.member.calculator import Member, illustrate, what_if  # noqa: E402
from model.member.counter import Counter  # noqa: E402
from model.member.statement import statement_html  # noqa: E402
from run import median_time  # noqa: E402


def warm_median(fn, repeats: int) -> float:
    """``run.median_time`` after one warm-up call (tables read, imports done) [s]."""
    fn()
    return median_time(fn, repeats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=200, help="rows in the batch (default 200)")
    args = ap.parse_args()
    scen = load_scenario(ROOT / "scenarios" / "national.yaml")
    today = dt.date(2026, 11, 28)
    m = Member(birth_year=1995, birth_month=3, enrol_year=2012, tier=300)
    il = illustrate(scen, m, today)
    print(f"one illustration:          {1000 * warm_median(lambda: illustrate(scen, m, today), 9):7.1f} ms")
    print(f"what-if table (84 cells):  {1000 * warm_median(lambda: what_if(scen, m, today), 3):7.1f} ms")
    print(f"statement HTML:            {1000 * warm_median(lambda: statement_html(il), 9):7.1f} ms")
    rng = random.Random(1)
    lines = ["birth,enrol,tier"] + [f"{y}-{rng.randint(1, 12):02d},{max(2009, y + 16)},{rng.choice([100, 300, 500])}"
                                    for y in (rng.randint(1960, 2000) for _ in range(args.residents))]
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "residents.csv"
        f.write_text("\n".join(lines) + "\n", encoding="utf-8")
        rows = read_rows(f)
        t0 = time.perf_counter()
        counts = run_batch(scen, rows, Path(d) / "out", Counter(), progress=False)
        t = time.perf_counter() - t0
    print(f"batch of {args.residents}:            {t:7.1f} s ({1000 * t / args.residents:.0f} ms a resident; "
          f"{counts['statements']} statements, {counts['errors']} errors)")


if __name__ == "__main__":
    main()
