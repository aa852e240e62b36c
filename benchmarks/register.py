"""Register check speed: `python benchmarks/register.py [--rows 500000]` (figures in the README).

Generates a synthetic register (valid GB 11643 ID numbers, a few planted errors), writes it
as CSV, and times `python -m model register check` end to end (read, check, write).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "register"))

from synth import make_register  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    args = ap.parse_args()
    df = make_register(args.rows, seed=1)
    df.loc[::1000, "2025年缴费档次"] = "150"            # one row in 1,000 with a tier not allowed
    df.loc[5::1000, "身份证号"] = df.loc[5::1000, "身份证号"].str[:-1] + "0"   # some check digits wrong
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "register.csv"
        df.to_csv(path, index=False)
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "model", "register", "check", str(path), "--scenario",
                            str(ROOT / "scenarios" / "qiannan_2011.yaml"), "--out", str(Path(d) / "out")],
                           capture_output=True, text=True, cwd=ROOT)
        t = time.perf_counter() - t0
    print(r.stdout.strip() or r.stderr.strip())
    print(f"{args.rows:,} rows checked in {t:.1f} s (read, check, write; including Python start-up)")


if __name__ == "__main__":
    main()
