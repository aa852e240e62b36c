"""What changed and why (issue 16 §4): a difference split by group of parameters, the parts adding
up exactly, against cases worked by hand (model/tools/explain.py)."""
from __future__ import annotations

import copy
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from model import load_scenario, project
from model.parameters import resolve
from model.results import VARIABLES
from model.scenario import Scenario, _deep_merge, with_overrides
from model.tools.explain import ExplainError, explain, scenario_of
from model.tools.solve import parse_measure
from conftest import BASE, ROOT

from hand import YEARS, basic_only_runner as _runner, scenario as _scen   # 1,000 men aged 65, basic pension only


OLD = _scen({})
NEW = _scen({"enrolment": {"rate_path": {2011: 0.5}},
             "benefits": {"basic_pension": [{"name": "basic", "reference": "D1 Art. 20", "monthly": 70,
                                             "paid_by": {"central": 1}}]}})
MEASURE = parse_measure("basic_pension_paid@2012", "--column", VARIABLES, YEARS)


def test_two_groups_step_by_step_and_shapley_worked_by_hand():
    # basic pension paid in 2012: OLD 1,000 x 12 x 55 = 660,000; NEW 500 x 12 x 70 = 420,000.
    # Stepping enrolment first: 500 x 12 x 55 - 660,000 = -330,000; then benefits: 500 x 12 x 15 = +90,000.
    # Shapley: enrolment (-330,000 - 420,000) / 2 = -375,000; benefits (90,000 + 180,000) / 2 = +135,000.
    ex = explain(OLD, NEW, MEASURE, shapley=True, runner=_runner)
    assert ex.old_value == pytest.approx(660_000) and ex.new_value == pytest.approx(420_000)
    parts = ex.steps.set_index("group")["part"]
    assert list(parts.index) == ["enrolment", "benefits"]
    assert parts["enrolment"] == pytest.approx(-330_000) and parts["benefits"] == pytest.approx(90_000)
    assert ex.shapley["enrolment"] == pytest.approx(-375_000) and ex.shapley["benefits"] == pytest.approx(135_000)
    t = ex.table()
    assert t.iloc[-1]["group"] == "total" and t.iloc[-1]["part"] == pytest.approx(-240_000)
    assert ex.projections == 4                                    # every subset of two groups


def test_the_same_scenario_has_nothing_to_explain():
    ex = explain(OLD, OLD, MEASURE, runner=_runner)
    assert ex.total == 0 and ex.steps.empty


def test_the_parts_add_up_exactly_on_a_shipped_county():
    # Qiannan with a higher interest rate, a county top-up of the basic pension and a longer catch-up:
    # three groups; the steps and the Shapley parts each add up to the whole difference to 1e-9
    base = with_overrides(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"), {"scheme": {"horizon_years": 25}})
    new = with_overrides(base, {"accounts": {"interest": "flat", "flat_rate_pa": 0.04},
                                "benefits": {"long_contribution_yuan_per_year_over_15": 3},
                                "contributions": {"catch_up_share": 0.5}})
    m = parse_measure("government_total_cost@2011-2035:sum", "--column", VARIABLES, list(range(2011, 2036)))
    ex = explain(base, new, m, shapley=True)
    assert set(ex.steps.group) == {"tiers", "interest", "benefits"}
    assert ex.steps.part.sum() == pytest.approx(ex.total, rel=1e-9)
    assert ex.shapley.sum() == pytest.approx(ex.total, rel=1e-9)
    full = project(new, detail=False).annual
    assert ex.new_value == pytest.approx(m.of(full), rel=1e-12)


def test_groups_that_cannot_change_apart_are_one_line():
    # NEW starts a year later with an enrolment path from then: OLD's start with NEW's path (a
    # subset the Shapley average needs) has no enrolment rate in its first year, so is no scenario
    new = _scen({"scheme": {"start": "2012-07"}, "enrolment": {"rate_path": {2012: 1.0}}})
    m = parse_measure("basic_pension_paid@2014", "--column", VARIABLES, YEARS)
    assert explain(OLD, new, m, runner=_runner).steps.group.tolist() == ["scheme", "enrolment"]   # stepping works
    with pytest.raises(ExplainError, match="OLD with enrolment from NEW is not a scenario .*cannot change apart"):
        explain(OLD, new, m, shapley=True, runner=_runner)


def test_cli_explains_a_saved_run_against_a_scenario_file(tmp_path, cli):
    src = ROOT / "scenarios" / "qiubei_2011.yaml"
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {src}\nscheme: {{horizon_years: 15}}\n", encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text(f"extends: {short}\naccounts: {{interest: flat, flat_rate_pa: 0.05}}\n", encoding="utf-8")
    assert cli("run", short, "--out", tmp_path / "run").returncode == 0
    out = tmp_path / "why"
    r = cli("explain", tmp_path / "run", new, "--column", "account_fund_balance@2025", "--out", out, "--lang", "en")
    assert r.returncode == 0, r.stderr
    t = pd.read_csv(out / "explain.csv")
    assert list(t.group) == ["interest", "total"] and t.part.iloc[0] == pytest.approx(t.part.iloc[1])
    made = json.loads((out / "manifest.json").read_text())
    assert made["difference"] > 0 and (out / "waterfall.png").stat().st_size > 1000
    r = cli("explain", src, new, "--column", "no_such_column@2020", "--out", tmp_path / "bad")
    assert r.returncode == 2 and "not a column of annual.csv" in r.stderr and not (tmp_path / "bad").exists()


def test_a_start_date_and_its_enrolment_path_step_together():
    # stepping, a group that cannot change alone joins the next: scheme+enrolment, one part
    new = _scen({"scheme": {"start": "2012-07"}, "enrolment": {"rate_path": {2012: 0.5}}})
    m = parse_measure("basic_pension_paid@2014", "--column", VARIABLES, YEARS)
    ex = explain(_scen({"enrolment": {"rate_path": {2011: 1.0}}}), new, m, runner=_runner)
    assert ex.steps.group.tolist() in (["scheme", "enrolment"], ["scheme+enrolment"])
    assert ex.steps.part.sum() == pytest.approx(ex.total)


def test_nothing_to_explain_and_a_bad_manifest_are_not_tracebacks(tmp_path, cli):
    src = ROOT / "scenarios" / "qiubei_2011.yaml"
    r = cli("explain", src, src, "--column", "government_total_cost@2020", "--out", tmp_path / "same")
    assert r.returncode == 0 and "nothing differs" in r.stdout
    assert pd.read_csv(tmp_path / "same" / "explain.csv").group.tolist() == ["total"]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    r = cli("explain", bad, src, "--column", "government_total_cost@2020", "--out", tmp_path / "x")
    assert r.returncode == 2 and r.stderr.startswith("error:") and len(r.stderr.strip().splitlines()) == 1
