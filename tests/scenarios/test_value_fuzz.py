"""Every number of a scenario set to NaN, an infinity, a huge or a negative value.

Each variant of the Qiubei scenario (with the optional keys it leaves out
given too, so they are fuzzed as well) must either be refused with one
:class:`ScenarioError` line per problem naming the key, or run to a table with
no NaN or infinity that passes every identity: never a traceback, never NaN.
About 500 variants, 5-year runs: about 10 s.
"""
from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from model import ScenarioError, checks, load_scenario, project
from model.scenario import _deep_merge, resolve_raw

ROOT = Path(__file__).resolve().parent.parent.parent
BAD = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "huge": 1e12, "negative": -1e6}

# Keys Qiubei leaves to their defaults, given valid values so that they are fuzzed too.
EXTRA = {
    "scheme": {"horizon_years": 5},                          # five years keep each run short
    "population": {"births_per_woman_15_49": {2011: 0.04}, "net_migration_rate": {"0-15": 0.0, "16+": 0.01},
                   "mortality": {"extra_improvement_pa": 0.01}},
    "eligibility": {"emigration_rate": {"16+": 0.001}},
    "contributions": {"tier_rechoice_share": 0.1, "catch_up_window_years": 1},
    "benefits": {"death_grant_months_of_pension": 12,
                 "one_child_parent": {"monthly_yuan": 10, "share_of_pensioners": 0.1},
                 "lump_sum": {"shares": {60: 0.1}, "min_months": 60, "to_age": 75,
                              "purchase_window_years": 2}},
    "accounts": {"interest": "path", "rate_path": {2011: 0.03, 2013: 0.025}},
    "finance": {"admin_yuan_per_payer": 15, "fiscal_base_yuan": {2011: 1.0e9}},
}


def _base() -> dict:
    raw, _ = resolve_raw(ROOT / "scenarios" / "qiubei_2011.yaml")
    raw = _deep_merge(raw, EXTRA)
    raw["on_behalf"][0]["extra_subsidy_yuan"] = 40
    raw["benefits"]["basic_pension"][0]["scale"] = 1.0
    return raw


def _numbers(node, at=()):
    """Key paths of every number (not true/false) in a raw mapping."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numbers(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numbers(v, (*at, i))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield at


BASE = _base()
CASES = [(at, name) for at in _numbers(BASE) for name in BAD]


def _with(at: tuple, value: float) -> dict:
    raw = copy.deepcopy(BASE)
    node = raw
    for k in at[:-1]:
        node = node[k]
    node[at[-1]] = value
    return raw


def _outcome(at: tuple, name: str, tmp_path: Path) -> str:
    """'refused' or 'ran'; fails the test on a traceback, NaN or a broken identity."""
    f = tmp_path / "fuzz.yaml"
    f.write_text(yaml.safe_dump(_with(at, BAD[name]), allow_unicode=True, sort_keys=False),
                 encoding="utf-8")
    key = ".".join(str(k) for k in at)
    try:
        scen = load_scenario(f)
    except ScenarioError as exc:
        for line in str(exc).splitlines():
            assert line.startswith(f"{f}: ") and "Traceback" not in line, line
        return "refused"
    try:
        proj = project(scen, detail=False)
    except ValueError as exc:              # the CLI prints it as one 'error:' line, exit 2
        assert "\n" not in str(exc), f"{key}={name}: {exc}"
        return "refused"
    a = proj.annual.drop(columns="fiscal_base")
    assert np.isfinite(a.to_numpy(dtype=float)).all(), f"{key}={name} ran to NaN or infinity"
    assert checks.all_identities(proj.annual) == [], f"{key}={name}"
    return "ran"


def test_the_base_runs(tmp_path):
    f = tmp_path / "base.yaml"
    f.write_text(yaml.safe_dump(BASE, allow_unicode=True, sort_keys=False), encoding="utf-8")
    proj = project(load_scenario(f), detail=False)
    assert checks.all_identities(proj.annual) == []
    assert len(CASES) > 400


@pytest.mark.parametrize("at, name", CASES, ids=[f"{'.'.join(map(str, a))}={n}" for a, n in CASES])
def test_a_bad_number_is_refused_or_harmless(at, name, tmp_path):
    outcome = _outcome(at, name, tmp_path)
    if name in ("nan", "inf", "-inf"):          # refused wherever it is written
        assert outcome == "refused"
