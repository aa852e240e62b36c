"""Deliberately broken scenario files: each must give one clear line, never a traceback.

Every ``*.yaml`` here extends the Qiannan scenario and breaks one thing
(the two ``cycle_*`` files extend each other). For each, ``load_scenario``
must raise :class:`ScenarioError` whose message names the file, the key
path, the bad value and what is allowed, in words a county finance officer
can act on. The command line must print it as one ``error:`` line, exit
with status 2 and write nothing.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import model
from model import ScenarioError, load_scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REL = HERE.relative_to(ROOT)            # tests/scenarios, as a user in the repo would type it

# Internal names and library wording that must never reach the user.
JARGON = ("Traceback", "Input should", "Value error", "validation error", "pydantic",
          "by_year", ".bands", ".values", "1900", "[key]", "function-", "/work/")

# file -> (key path, bad value as shown, words saying what is allowed)
CASES = {
    "unknown_top_level_key.yaml":
        ("colour", None, "allowed at the top level: extends, title, title_en, source, scheme"),
    "misspelt_nested_key.yaml":
        ("contributions.tier_mixx", None, "did you mean 'tier_mix'?"),
    "wrong_type_horizon.yaml":
        ("scheme.horizon_years", "'ninety'", "must be a whole number from 1 to 150"),
    "horizon_zero.yaml":
        ("scheme.horizon_years", "bad value 0:", "must be a whole number from 1 to 150"),
    "catch_up_window_zero.yaml":
        ("contributions.catch_up_window_years", "bad value 0:", "must be a whole number from 1 to 44"),
    "share_above_one.yaml":
        ("accounts.heirs_share", "1.5", "must be a number from 0 to 1"),
    "tiers_not_ascending.yaml":
        ("contributions.tiers.rural", "[100, 300, 200, 400]", "strictly ascending order"),
    "tier_not_in_list.yaml":
        ("contributions.tier_mix.rural", "bad tier 150:",
         "allowed tiers in contributions.tiers.rural: 100, 200, 300"),
    "tier_shares_not_one.yaml":
        ("contributions.tier_mix.rural", "{100: 0.5, 200: 0.3}", "add up to 0.8 but must add up to 1"),
    "paid_by_not_one.yaml":
        ("finance.backstop_paid_by", "{'county': 0.5, 'province': 0.3}",
         "add up to 0.8 but must add up to 1"),
    "paid_by_in_list_not_one.yaml":
        ("benefits.basic_pension[0].paid_by", "{'central': 1, 'county': 0.5}",
         "add up to 1.5 but must add up to 1"),
    "bad_date.yaml":
        ("scheme.start", "'2011-13'", "month from 1 to 12"),
    "bad_age_band.yaml":
        ("contributions.density", "'16to59'", "'FIRST-LAST', 'AGE' or 'FIRST+' (e.g. '16-59'"),
    "overlapping_age_bands.yaml":
        ("contributions.density", "'50-70'", "each age may be in only one band"),
    "dates_not_ascending.yaml":
        ("enrolment.rate_path", "{2013: 0.9, 2011: 0.6, 2012: 0.8}",
         "must be in ascending order (2013 comes before 2011)"),
    "unknown_mortality_table.yaml":
        ("population.mortality.table", "'cl2000'", "must be one of 'wpp2024', 'cl2010'"),
    "unknown_interest_rule.yaml":
        ("accounts.interest_rule", "'lowest'",
         "must be one of 'highest', 'in_force_jan1', 'time_weighted'"),
    "unknown_profile.yaml":
        ("population.profile", "'guizhou'", "allowed forms: census2010:national"),
    "unknown_profile_code.yaml":
        ("population.profile", "'census2010:province:999999'", "unknown province code"),
    "extends_missing_file.yaml":
        ("extends", "'../../scenarios/no_such_scenario.yaml'",
         "no such file (looked for scenarios/no_such_scenario.yaml)"),
    "extends_not_a_name.yaml":
        ("extends", "['../../scenarios/qiannan_2011.yaml']", "must be one file name"),
    "cycle_a.yaml":
        ("extends", "'cycle_a.yaml'", "makes a loop (cycle_a.yaml -> cycle_b.yaml -> cycle_a.yaml)"),
    "invalid_yaml.yaml":
        ("line 5, column 18", None, "not valid YAML: a quote opened here is never closed"),
    "duplicate_key.yaml":
        ("line 6, column 3", "'start'", "given twice in the same block (first at line 4)"),
    "not_a_mapping.yaml":
        ("(top level)", None, "the file is a list; it must be keys and values"),
}
# Files that are only reached through another case.
HELPERS = {"cycle_b.yaml"}


def _message(path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


def _check_clean(msg: str) -> None:
    for word in JARGON:
        assert word not in msg, f"{word!r} in {msg!r}"


def test_every_broken_file_has_a_case():
    files = {p.name for p in HERE.glob("*.yaml")}
    assert files == set(CASES) | HELPERS | {"missing_required_key.yaml"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_gives_one_clear_line(name, monkeypatch):
    key, value, allowed = CASES[name]
    monkeypatch.chdir(ROOT)
    shown = str(REL / name)                  # the path as the user typed it
    msg = _message(shown)
    assert "\n" not in msg, msg              # one problem, one line
    assert name in msg
    assert f": {key}" in msg, msg
    if value is not None:
        assert value in msg, msg
    assert allowed in msg, msg
    _check_clean(msg)


def test_cycle_names_both_files():
    msg = _message(HERE / "cycle_b.yaml")
    assert "cycle_a.yaml: extends: bad value 'cycle_b.yaml'" in msg
    assert "(cycle_b.yaml -> cycle_a.yaml -> cycle_b.yaml)" in msg


def test_file_not_found():
    msg = _message(str(REL / "no_such_file.yaml"))
    assert msg == f"{REL / 'no_such_file.yaml'}: no such file; check the file name and folder"


def test_each_missing_key_is_its_own_line():
    msg = _message(HERE / "missing_required_key.yaml")
    lines = msg.splitlines()
    assert len(lines) >= 5
    for line in lines:
        assert line.startswith(f"{HERE / 'missing_required_key.yaml'}: ")
        assert line.endswith("required key is missing")
    assert any(": scheme: " in line for line in lines)


def test_message_shows_paths_as_given(monkeypatch):
    monkeypatch.chdir(HERE)
    msg = _message("bad_date.yaml")
    assert msg.startswith("bad_date.yaml: scheme.start: bad date '2011-13': ")
    msg = _message("extends_missing_file.yaml")
    assert msg.startswith("extends_missing_file.yaml: extends: ")
    assert "(looked for ../../scenarios/no_such_scenario.yaml)" in msg


def test_problem_in_extended_file_names_that_file(tmp_path):
    (tmp_path / "base.yaml").write_text(
        f"extends: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\nscheme: {{horizon_years: 999}}\n",
        encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("extends: base.yaml\ntitle: mine\n", encoding="utf-8")
    msg = _message(tmp_path / "mine.yaml")
    assert msg == (f"{tmp_path / 'base.yaml'} (extended by {tmp_path / 'mine.yaml'}): "
                   f"scheme.horizon_years: bad value 999: must be a whole number from 1 to 150")


def test_merged_mapping_is_explained(tmp_path):
    # paid_by merges key by key: {province: 1} over the parent's {county: 1} sums to 2.
    f = tmp_path / "x.yaml"
    f.write_text(f"extends: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\n"
                 "finance: {backstop_paid_by: {province: 1}}\n", encoding="utf-8")
    msg = _message(f)
    assert "finance.backstop_paid_by: bad value {'county': 1, 'province': 1} (merged with keys " \
           "from " in msg
    assert "add up to 2 but must add up to 1" in msg


def test_unknown_profile_is_caught_before_projecting():
    # It used to surface only inside project() as a bare ValueError; now loading names the key.
    with pytest.raises(ScenarioError, match=r"population\.profile: bad value 'guizhou'"):
        model.project(model.load_scenario(HERE / "unknown_profile.yaml"), detail=False)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_still_load(path):
    assert load_scenario(path).title


# --------------------------------------------------------------------------
# The command line: one `error:` line, exit status 2, nothing written
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name, expect", [
    ("unknown_profile.yaml", "population.profile: bad value 'guizhou'"),
    ("bad_date.yaml", "scheme.start: bad date '2011-13'"),
    ("invalid_yaml.yaml", "line 5, column 18: not valid YAML"),
    ("cycle_a.yaml", "extends: bad value 'cycle_a.yaml': this makes a loop"),
    ("no_such_file.yaml", "no such file"),
])
def test_cli_reports_one_line_and_writes_nothing(name, expect, tmp_path, cli):
    out = tmp_path / "out"
    run = cli("run", REL / name, "--out", out, cwd=ROOT)
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in run.stderr
    assert expect in lines[0]
    assert str(REL) in lines[0]              # the path as typed, not made absolute
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_section_with_a_key_named_like_a_value_form_still_merges(tmp_path):
    # population.mortality has a field `table`; a child changing one of its keys keeps the rest
    base = tmp_path / "base.yaml"
    base.write_text(f"extends: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\n"
        "population: {mortality: {table: cl2010, improvement: frozen}}\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\npopulation: {mortality: {extra_improvement_pa: 0.01}}\n", encoding="utf-8")
    m = load_scenario(child).population.mortality
    assert (m.table, m.improvement, m.extra_improvement_pa) == ("cl2010", "frozen", 0.01)
    # while a dated path given as a trend replaces the parent's dated values whole
    child.write_text("extends: base.yaml\nenrolment: {rate_path: {trend: {form: linear, from_year: 2011, "
                     "start: 0.5, rate_pa: 0.1, to_year: 2013, reason: test}}}\n", encoding="utf-8")
    assert load_scenario(child).enrolment.rate_path.values == pytest.approx(
        {"2011-01": 0.5, "2012-01": 0.6, "2013-01": 0.7})
