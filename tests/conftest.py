"""Shared fixtures: small hand-made scenarios whose results can be worked by hand."""
from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model import dims
from model.parameters import resolve
from model.scenario import Scenario, _deep_merge

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

BASE = {
    "title": "hand-worked test scenario",
    "scheme": {"start": "2011-07", "horizon_years": 20},
    "population": {"profile": "census2010:national", "total": 1000},
    "eligibility": {"eligible_share": {"rural": {"16+": 1.0}, "urban": {"16+": 1.0}}},
    "enrolment": {"rate_path": {2011: 1.0}},
    "contributions": {"tiers": {"rural": [100, 200, 500], "urban": [100, 200, 500]},
                      "tier_mix": {"rural": {100: 1.0}, "urban": {100: 1.0}}},
    "subsidies": [{"name": "entry", "reference": "D1 Art. 8", "amount_by_tier": 30,
                   "paid_by": {"province": "1/3", "prefecture": "1/3", "county": "1/3"}}],
    "benefits": {"basic_pension": [{"name": "basic", "reference": "D1 Art. 20", "monthly": 55,
                                    "paid_by": {"central": 1}}],
                 "payout_divisor": 139},
    "accounts": {"interest": "flat", "flat_rate_pa": 0.0, "heirs_share": 1.0},
}


def make_params(overrides: dict | None = None, cohorts: dict | None = None, q: dict | None = None):
    """Parameters of BASE with ``overrides`` merged in.

    ``cohorts`` maps (age, sex, area) at the start to persons (the rest of
    the population is empty); ``q`` maps age -> death probability in every
    year (all other ages immortal). No births.
    """
    raw = _deep_merge(copy.deepcopy(BASE), overrides or {})
    P = resolve(Scenario.model_validate(raw))
    pop = np.zeros_like(P.population0)
    for (age, sex, area), n in (cohorts or {}).items():
        pop[0, age, dims.SEXES.index(sex), dims.AREAS.index(area)] = n
    qd = np.zeros_like(P.q_death)
    for age, v in (q or {}).items():
        qd[:, :, age] = v
    return replace(P, population0=pop, q_death=qd, births_per_woman=np.zeros_like(P.births_per_woman))


@pytest.fixture
def params():
    return make_params


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``python -m model ARGS`` in this process: (returncode, stdout, stderr), like subprocess.run.

    In-process runs skip the interpreter start and imports (about 1 s a call); one
    subprocess smoke test per command stays in tests/unit/test_cli_smoke.py.
    """
    from types import SimpleNamespace
    from model.__main__ import main

    def run(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:                     # argparse errors
            code = exc.code
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)
    return run
