"""Goal-seek (issue 16 §1) against answers known by hand: one parameter found for a target on an
output, under constraints (model/tools/solve.py)."""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model import dims, load_scenario, project
from model.parameters import resolve
from model.results import VARIABLES
from model.scenario import Scenario, _deep_merge
from model.tools.solve import NoSolution, SolveError, parse_condition, parse_vary, solve
from conftest import BASE, ROOT

from hand import YEARS, basic_only_runner as _runner   # 1,000 men aged 65 at the start, basic pension only
TOPUP = {"name": "county_topup", "reference": "D1 Art. 20 地方政府可以根据实际情况提高基础养老金标准 (the question)",
         "monthly": {2011: 0}, "paid_by": {"county": 1}}


def _scenario() -> Scenario:
    raw = _deep_merge(copy.deepcopy(BASE), {})
    raw["benefits"]["basic_pension"] = raw["benefits"]["basic_pension"] + [TOPUP]
    return Scenario.model_validate(raw)


def cond(text, ops=("=",), option="--target"):
    return parse_condition(text, option, ops, VARIABLES, YEARS)


def test_county_topup_the_budget_allows_is_the_budget_over_the_cost_per_yuan():
    # the county's cost is 1,000 pensioners x 12 months x the top-up a year: 2012-2013 cost
    # 24,000 yuan per yuan of top-up; a budget of 480,000 allows 20 yuan a month
    scen = _scenario()
    vary = parse_vary("benefits.basic_pension[1].monthly@2011", scen)
    sol = solve(scen, vary, cond("subsidy_county@2012-2013:sum = 480000"), bounds=(0, 100), runner=_runner)
    assert sol.value == pytest.approx(20.0, rel=1e-9)
    assert sol.achieved == pytest.approx(480_000, rel=1e-9) and sol.met()
    assert sol.method.startswith("brentq") and sol.monotone["subsidy_county@2012-2013:sum = 480000"] == "rising"


def test_a_binding_constraint_is_reported_and_a_target_beyond_it_has_no_solution():
    # the county may spend at most 120,000 in 2012 (x <= 10): a target needing 20 cannot be met;
    # the best is 10, where the constraint binds
    scen = _scenario()
    vary = parse_vary("benefits.basic_pension[1].monthly@2011", scen)
    cap = cond("subsidy_county@2012 <= 120000", ("<=", ">="), "--subject-to")
    with pytest.raises(NoSolution) as info:
        solve(scen, vary, cond("basic_pension_paid@2012 = 900000"), (cap,), bounds=(0, 100), runner=_runner)
    best = info.value.best
    assert best.value == pytest.approx(10.0, rel=1e-6)
    # 1,000 x 12 x (55 + 20) = 900,000 wanted; at 10: 1,000 x 12 x 65 = 780,000
    assert best.achieved == pytest.approx(780_000, rel=1e-6)
    # a target inside the cap: 1,000 x 12 x (55 + 10) = 780,000 met with the constraint binding
    sol = solve(scen, vary, cond("basic_pension_paid@2012 = 780000"), (cap,), bounds=(0, 100), runner=_runner)
    assert sol.value == pytest.approx(10.0, rel=1e-6) and sol.binding == ["subsidy_county@2012 <= 120000"]


def test_no_value_in_range_gives_the_best_found():
    scen = _scenario()
    vary = parse_vary("benefits.basic_pension[1].monthly@2011", scen)
    with pytest.raises(NoSolution, match="no value in 0 to 5 meets") as info:
        solve(scen, vary, cond("subsidy_county@2012 = 120000"), bounds=(0, 5), runner=_runner)
    assert info.value.best.value == pytest.approx(5.0) and info.value.best.achieved == pytest.approx(60_000)


@pytest.mark.parametrize("text, words", [
    ("subsidy_county 2012 = 5", "write"),
    ("subsidy_countyy@2012 = 5", "not a column of annual.csv; did you mean subsidy_county"),
    ("subsidy_county@2040 = 5", "must lie in the projection, 2011 to 2030"),
    ("subsidy_county@2012 <= 5", "the sign must be ="),
    ("subsidy_county@2013-2012:sum = 5", "the first before the last"),
    ("subsidy_county@2012 = nan", "finite"),
])
def test_a_badly_written_target_is_one_line(text, words):
    with pytest.raises(SolveError, match=words):
        cond(text)


@pytest.mark.parametrize("text, words", [
    ("benefits.basic_pension[1].monthly", "is a dated path; say which number"),
    ("benefits.basic_pension[5].monthly@2011", r"the scenario has no benefits.basic_pension\[5\]"),
    ("benefits.payout_divisor@2011", "is one number; give it without @YEAR"),
    ("benefits..x", "write a key path"),
    ("benefits.basic_pension[0].paid_by", "vary it with :scale"),
])
def test_a_badly_written_parameter_is_one_line(text, words):
    with pytest.raises(SolveError, match=words):
        parse_vary(text, _scenario())


def test_the_solved_scenario_runs_and_meets_the_target(tmp_path, cli):
    # the CLI on a shipped county (Qiubei): the county top-up its budget allows, the file written
    # extends the original, run accepts it and its projection meets the target; identities hold
    src = tmp_path / "qiubei_topup.yaml"
    src.write_text(f"extends: {ROOT / 'scenarios' / 'qiubei_2011.yaml'}\n"
                   "scheme: {horizon_years: 20}\n"
                   "benefits:\n  basic_pension:\n"
                   "    - {name: national_minimum, reference: D5, monthly: {table: national_min_basic_pension},"
                   " paid_by: {central: 1}}\n"
                   "    - {name: county_topup, reference: the question, monthly: {2011: 0}, paid_by: {county: 1}}\n",
                   encoding="utf-8")
    out = tmp_path / "solved"
    r = cli("solve", str(src), "--vary", "benefits.basic_pension[1].monthly@2027",
            "--range", "0", "200", "--target", "subsidy_county@2027-2030:sum = 2.0e7", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "benefits.basic_pension[1].monthly@2027 =" in r.stdout
    made = json.loads((out / "manifest.json").read_text())
    assert made["solution"]["met"] and made["identity_failures"] == []
    solved = load_scenario(out / "solved.yaml")
    annual = project(solved, detail=False).annual.set_index("year")
    assert annual.loc[2027:2030, "subsidy_county"].sum() == pytest.approx(2.0e7, rel=1e-6)
    assert "# Solved by: python -m model solve" in (out / "solved.yaml").read_text(encoding="utf-8")


@pytest.mark.slow   # a real subprocess: the full suite runs it, make quick stays under a minute
def test_cli_no_solution_exits_2_and_a_bad_question_writes_nothing(tmp_path, cli):
    src = ROOT / "scenarios" / "qiubei_2011.yaml"
    out = tmp_path / "x"
    r = cli("solve", str(src), "--vary", "benefits.long_contribution_yuan_per_year_over_15",
            "--range", "0", "1", "--target", "subsidy_county@2030 = 1e12", "--out", str(out))
    assert r.returncode == 2 and "best found" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
    r = cli("solve", str(src), "--vary", "nothing.here", "--target", "subsidy_county@2030 = 1", "--out", str(out))
    assert r.returncode == 2 and r.stderr.startswith("error: --vary") and not out.exists()


def test_a_target_not_monotone_in_the_value_is_found_by_the_bounded_minimiser():
    # a made-up output (x - 3)^2 + 5 in every year, x the top-up: falling then rising on 0..10;
    # its least, 5 at x = 3, is the target
    scen = _scenario()
    vary = parse_vary("benefits.basic_pension[1].monthly@2011", scen)

    def runner(s):
        x = s.benefits.basic_pension[1].monthly.values["2011-01"]
        return __import__("pandas").DataFrame({"year": YEARS, "subsidy_county": [(x - 3) ** 2 + 5] * len(YEARS)})
    sol = solve(scen, vary, cond("subsidy_county@2012 = 5"), bounds=(0, 10), runner=runner)
    assert sol.value == pytest.approx(3.0, abs=1e-3) and sol.method.startswith("bounded minimiser")
    assert sol.monotone["subsidy_county@2012 = 5"] == "not monotone"


@pytest.mark.slow  # eight 90-year projections of a county
def test_the_readme_example_the_county_topup_a_ten_year_budget_allows(tmp_path, cli):
    out = tmp_path / "topup"
    r = cli("solve", ROOT / "scenarios" / "questions" / "qiubei_county_topup.yaml",
            "--vary", "benefits.basic_pension[1].monthly@2027", "--range", "0", "100",
            "--target", "subsidy_county@2027-2036:sum = 1e8", "--subject-to", "subsidy_county@2036 <= 1.3e7",
            "--out", out)
    assert r.returncode == 0, r.stderr
    made = json.loads((out / "manifest.json").read_text())["solution"]
    assert 8.0 < made["value"] < 10.0 and made["met"] and made["binding"] == []
    annual = project(load_scenario(out / "solved.yaml"), detail=False).annual.set_index("year")
    assert annual.loc[2027:2036, "subsidy_county"].sum() == pytest.approx(1e8, rel=1e-6)
    assert annual.loc[2036, "subsidy_county"] <= 1.3e7


def test_a_constraint_just_past_its_limit_at_a_sample_is_a_bound_not_a_crash():
    # the cap is the county's cost at a top-up of 10 (12,000 x 10 = 120,000) less half a millionth:
    # the sample at 10 is over it by 0.06 but "holds" within the tolerance (0.12), the next (20)
    # does not; the bound is found where the tolerance ends (once a scipy error: same signs)
    scen = _scenario()
    vary = parse_vary("benefits.basic_pension[1].monthly@2011", scen)
    cap = cond("subsidy_county@2012 <= 119999.94", ("<=", ">="), "--subject-to")
    sol = solve(scen, vary, cond("basic_pension_paid@2012 = 780000"), (cap,), bounds=(0, 40), runner=_runner)
    assert sol.value == pytest.approx(10.0, rel=1e-5)


@pytest.mark.parametrize("year", [2005, 2035])
def test_a_dated_value_outside_the_projection_is_refused(year):
    with pytest.raises(SolveError, match=f"{year} is outside the projection \\(2011 to 2030\\)"):
        parse_vary(f"benefits.basic_pension[1].monthly@{year}", _scenario())
