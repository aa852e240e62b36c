"""The cohort engine and a plain person-by-person loop give the same totals."""
import sys
from pathlib import Path

import numpy as np
from dataclasses import replace

from model import load_scenario, project
from model.parameters import resolve

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from person_loop import TOTALS, deterministic, run_person_loop, sample_population  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_engine_equals_person_level_loop_on_a_sample_population():
    P = resolve(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"))
    P = replace(P, years=P.years[:25])
    people, pop, mix = sample_population(P, per_cell=10, age_step=4)
    Pd = deterministic(P, pop, mix)
    cohort = project(Pd, detail=False).annual
    persons = run_person_loop(Pd, people)
    for key in TOTALS:
        np.testing.assert_allclose(cohort[key].to_numpy(), persons[key], rtol=1e-9, atol=1e-6,
                                   err_msg=key)
    assert cohort["longevity_gap_paid"].sum() > 0        # the comparison covers the gap too
