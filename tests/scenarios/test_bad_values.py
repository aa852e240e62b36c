"""Values are checked for meaning, not only for type (issue 11 §2, §4).

Each case extends the Qiubei scenario with one bad value written as a user
would write it in YAML. Loading must raise one :class:`ScenarioError` line
naming the file, the key path, the bad value and what is allowed; the
command line turns it into exit status 2. Before these checks every case
here ran with exit 0 and wrote NaN, infinities, negative headcounts or
money, or a figure no scheme could have (or crashed with a traceback).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from model import ScenarioError, load_scenario
from model.__main__ import main
from model.parameters import resolve

ROOT = Path(__file__).resolve().parent.parent.parent
QIUBEI = ROOT / "scenarios" / "qiubei_2011.yaml"
JARGON = ("Traceback", "Input should", "Value error", "validation error", "pydantic",
          "by_year", ".bands", ".values", "1900", "[key]", "function-")

ON_BEHALF = "on_behalf: [{name: g, reference: r, share_of_payers: %s, %s}]"
SUBSIDY = "subsidies: [{name: s, reference: r, paid_by: {county: 1}, %s}]"
PART = "benefits: {basic_pension: [{name: b, reference: r, paid_by: {central: 1}, monthly: %s}]}"

# id -> (YAML lines added to a file extending Qiubei, key path, value as shown, words allowed)
CASES = {
    # NaN or infinity anywhere a number is read
    "nan_in_dated_path": ("enrolment: {rate_path: {2011: .nan, 2012: 1.2}}",
                          "enrolment.rate_path.2011", "bad value nan", "must be a finite number"),
    "inf_in_age_band_table": ('contributions: {density: {"16-60": .inf}}',
                              "contributions.density.16-60", "bad value inf", "must be a finite number"),
    "nan_in_tier_list": ("contributions: {tiers: {rural: [100, .nan, 300, 400, 500]}}",
                         "contributions.tiers.rural[1]", "bad value nan", "must be a finite number"),
    "inf_subsidy_amount": (SUBSIDY % "amount_by_tier: {100: .inf}",
                           "subsidies[0].amount_by_tier.100", "bad value inf", "must be a finite number"),
    "nan_collective": ("contributions: {collective_yuan: .nan}", "contributions.collective_yuan",
                       "bad value nan", "must be a finite number"),
    "inf_admin_money": ("finance: {admin_yuan_per_payer: .inf}", "finance.admin_yuan_per_payer",
                        "bad value inf", "must be a finite number"),
    "minus_inf_density": ("contributions: {density: -.inf}", "contributions.density",
                          "bad value -inf", "must be a finite number"),
    "nan_enrolment": ("enrolment: {rate_path: .nan}", "enrolment.rate_path", "bad value nan",
                      "must be a finite number"),
    "nan_eligible_share": ('eligibility: {eligible_share: {rural: {"16+": .nan}}}',
                           "eligibility.eligible_share.rural.16+", "bad value nan",
                           "must be a finite number"),
    "nan_join_rate": ("eligibility: {employee_scheme_join_rate: .nan}",
                      "eligibility.employee_scheme_join_rate", "bad value nan", "must be a finite number"),
    "overflow_is_inf": ("benefits: {funeral_grant_yuan: 1.0e+400}", "benefits.funeral_grant_yuan",
                        "bad value inf", "must be a finite number"),
    "huge_fraction_text": ('finance: {admin_paid_by: {county: "1e400"}}', "finance.admin_paid_by.county",
                           "bad value '1e400'", "must be a share from 0 to 1"),
    # the account pension's divisor
    "divisor_nan": ("benefits: {payout_divisor: .nan}", "benefits.payout_divisor", "bad value nan",
                    "must be a finite number"),
    "divisor_nan_text": ('benefits: {payout_divisor: "nan"}', "benefits.payout_divisor",
                         "bad value 'nan'", "must be a finite number"),
    "divisor_zero": ("benefits: {payout_divisor: 0}", "benefits.payout_divisor", "bad value 0:",
                     "56 to 233"),
    "divisor_negative": ("benefits: {payout_divisor: -139}", "benefits.payout_divisor",
                         "bad value -139:", "56 to 233"),
    "divisor_tiny": ("benefits: {payout_divisor: 0.001}", "benefits.payout_divisor",
                     "bad value 0.001:", "56 to 233"),
    "divisor_tiny_text": ('benefits: {payout_divisor: "0.001"}', "benefits.payout_divisor",
                          "bad value '0.001'", "56 to 233"),
    # money that cannot be negative
    "basic_pension_negative": (PART % "-55", "benefits.basic_pension[0].monthly", "bad value -55:",
                               "yuan a month from 0 to"),
    "basic_pension_negative_later": (PART % "{2011: 55, 2014-07: -70}",
                                     "benefits.basic_pension[0].monthly.2014-07", "bad value -70:",
                                     "yuan a month from 0 to"),
    "lump_sum_level_negative": ("benefits: {lump_sum: {shares: {-40: 0.1}, min_months: 60, to_age: 75}}",
                                "benefits.lump_sum.shares", "bad monthly level -40:",
                                "more than 0"),
    # rates
    "account_rate_path_negative": ("accounts: {interest: path, rate_path: {2011: -0.5}}",
                                   "accounts.rate_path.2011", "bad value -0.5:", "from 0 to 0.3"),
    "account_rate_path_huge": ("accounts: {interest: path, rate_path: {2011: 0.03, 2015: 5.0}}",
                               "accounts.rate_path.2015", "bad value 5.0:", "from 0 to 0.3"),
    "births_negative": ("population: {births_per_woman_15_49: -0.1}",
                        "population.births_per_woman_15_49", "bad value -0.1:", "from 0 to 0.3"),
    "births_huge": ("population: {births_per_woman_15_49: {2011: 1.0e+6}}",
                    "population.births_per_woman_15_49.2011", "bad value 1000000.0:", "from 0 to 0.3"),
    "net_migration_huge": ("population: {net_migration_rate: 5}", "population.net_migration_rate",
                           "bad value 5:", "from -0.5 to 0.5"),
    "net_migration_minus_two": ('population: {net_migration_rate: {"0-15": 0, "16+": -2}}',
                                "population.net_migration_rate.16+", "bad value -2:", "from -0.5 to 0.5"),
    "enrolment_negative": ("enrolment: {rate_path: {2011: 1.0, 2012: -0.2}}", "enrolment.rate_path.2012",
                           "bad value -0.2:", "0 or more"),
    "enrolment_over_one_everywhere": ("enrolment: {rate_path: {2011: 1.0, 2013: 5.0}}",
                                      "enrolment.rate_path.2013", "bad value 5.0:", "above 1 in every age band"),
    # shares that together exceed the whole
    "on_behalf_group_over_one": (ON_BEHALF % ("0.1", "share_of_lowest_tier: 0.8, share_of_contribution: 0.5"),
                                 "on_behalf[0]", "bad shares {'share_of_lowest_tier': 0.8, 'share_of_contribution': 0.5}",
                                 "add up to 1.3 but may add up to at most 1"),
    "on_behalf_payers_over_one": (
        "on_behalf: [{name: a, reference: r, share_of_payers: 0.7, share_of_lowest_tier: 1},\n"
        "            {name: b, reference: r, share_of_payers: 0.6, share_of_lowest_tier: 0.5}]",
        "on_behalf", "share_of_payers of the groups add up to 1.3", "at most 1"),
    "subsidy_years_reversed": (SUBSIDY % "amount_by_tier: 30, from_year: 2020, to_year: 2015",
                               "subsidies[0].to_year", "bad value 2015:", "from_year (2020) or later"),
    # dated paths must cover the start
    "enrolment_path_starts_late": ("enrolment: {rate_path: {2015: 0.9}}", "enrolment.rate_path",
                                   "first date is 2015", "scheme starts 2011-08"),
    "basic_pension_starts_late": (PART % "{2011-09: 55}", "benefits.basic_pension[0].monthly",
                                  "first date is 2011-09", "scheme starts 2011-08"),
    "births_start_late": ("population: {births_per_woman_15_49: {2012: 0.04}}",
                          "population.births_per_woman_15_49", "first date is 2012",
                          "scheme starts 2011-08"),
    # booleans are not numbers
    "horizon_true": ("scheme: {horizon_years: true}", "scheme.horizon_years", "bad value True:",
                     "must be a whole number from 1 to 150"),
    "total_true": ("population: {total: true}", "population.total", "bad value True:",
                   "must be a whole number"),
    "divisor_true": ("benefits: {payout_divisor: true}", "benefits.payout_divisor", "bad value True:",
                     "56 to 233"),
    "flat_rate_true": ("accounts: {interest: flat, flat_rate_pa: true}", "accounts.flat_rate_pa",
                       "bad value True:", "must be a number"),
    "density_true": ("contributions: {density: true}", "contributions.density", "bad value True:",
                     "must be a number"),
    "tier_share_key_true": ("contributions: {tier_mix: {rural: {true: 1.0}, urban: {100: 1.0}}}",
                            "contributions.tier_mix.rural", "True", "tier"),
    # the long-contribution bands (D1 Art. 20)
    "long_bands_not_ascending": ("benefits: {long_contribution: [{years_from: 20, yuan_flat: 30}, "
                                 "{years_from: 16, yuan_flat: 20}]}", "benefits.long_contribution[1].years_from",
                                 "bad value 16", "ascending order of years_from"),
    "long_band_without_amount": ("benefits: {long_contribution: [{years_from: 16}]}",
                                 "benefits.long_contribution[0]", "years_from", "not both or neither"),
    "long_band_both_amounts": ("benefits: {long_contribution: {bands: [{years_from: 16, yuan_flat: 20, "
                               "yuan_per_year: 2}], counts_made_up_years: false}}",
                               "benefits.long_contribution.bands[0]", "yuan_flat", "not both or neither"),
    "long_band_from_zero": ("benefits: {long_contribution: [{years_from: 0, yuan_per_year: 1}]}",
                            "benefits.long_contribution[0].years_from", "bad value 0", "from 1 to 45"),
    "long_band_yuan_per_year_too_high": ("benefits: {long_contribution: [{years_from: 16, yuan_per_year: 200}]}",
                                         "benefits.long_contribution[0].yuan_per_year", "bad value 200",
                                         "from 0 to 100"),
    "long_no_bands": ("benefits: {long_contribution: []}", "benefits.long_contribution", "bad value []",
                      "at least one band"),
    "long_given_twice": ("benefits: {long_contribution_yuan_per_year_over_15: 2, long_contribution: "
                         "[{years_from: 16, yuan_flat: 20}]}", "benefits.long_contribution_yuan_per_year_over_15",
                         "bad value 2", "not both"),
    # paying on after 60 (延缴)
    "pay_on_share_without_the_rule": ("contributions: {pay_on_after_60: {share: 0.5}}",
                                      "contributions.pay_on_after_60.share", "bad value 0.5", "allowed: true"),
    "pay_on_past_the_payout_table": ("contributions: {pay_on_after_60: {allowed: true, share: 0.5, up_to_age: 72}}",
                                     "contributions.pay_on_after_60.up_to_age", "bad value 72", "from 61 to 70"),
    # population totals
    "area_totals_zero": ("population: {total: null, area_totals: {rural: 0, urban: 0}}",
                         "population.area_totals", "{'rural': 0, 'urban': 0}", "add up to 0"),
    "total_above_china": ("population: {total: 3000000000, area_totals: null}", "population.total",
                          "bad value 3000000000:", "2,000,000,000 or less"),
}


def _scenario(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    f = tmp_path / name
    f.write_text(f"extends: {QIUBEI}\n{text}\n", encoding="utf-8")
    return f


def _message(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_value_gives_one_clear_line(case, tmp_path):
    text, key, value, allowed = CASES[case]
    f = _scenario(tmp_path, text)
    msg = _message(f)
    assert "\n" not in msg, msg
    assert msg.startswith(f"{f}: {key}: "), msg
    assert value in msg, msg
    assert allowed in msg, msg
    for word in JARGON:
        if word == ".bands" and "bands:" in text:       # a key the user wrote (long_contribution)
            continue
        assert word not in msg, f"{word!r} in {msg!r}"


@pytest.mark.parametrize("case", ["nan_in_dated_path", "divisor_zero", "horizon_true",
                                  "area_totals_zero", "enrolment_path_starts_late"])
def test_cli_exits_2_on_a_bad_value(case, tmp_path, capsys):
    text, key, value, _ = CASES[case]
    f = _scenario(tmp_path, text)
    out = tmp_path / "out"
    assert main(["run", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {f}: {key}: "), err
    assert not out.exists()


def test_nan_in_extended_file_names_that_file(tmp_path):
    base = _scenario(tmp_path, "benefits: {payout_divisor: .nan}", "base.yaml")
    mine = tmp_path / "mine.yaml"
    mine.write_text(f"extends: {base.name}\ntitle: mine\n", encoding="utf-8")
    assert _message(mine) == (f"{base} (extended by {mine}): benefits.payout_divisor: bad value nan: "
                              f"must be a finite number (not .nan or .inf); "
                              f"allowed: a number from 56 to 233, or 'guofa_2005_38'")


def test_every_non_finite_value_is_its_own_line(tmp_path):
    f = _scenario(tmp_path, "contributions: {collective_yuan: .nan}\nfinance: {admin_yuan_per_payer: .inf}")
    lines = _message(f).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["contributions.collective_yuan",
                                                        "finance.admin_yuan_per_payer"]


def test_duplicate_key_in_a_one_line_mapping(tmp_path):
    f = _scenario(tmp_path, "enrolment: {rate_path: {2011: 0.60, 2012: 0.80, 2011: 0.10}}")
    msg = _message(f)
    assert msg == (f"{f}: line 2, column 49: not valid YAML: the key 2011 is given twice in the same "
                   f"block (first at line 2, column 25); give each key once")


def test_duplicate_key_in_a_block_mapping_still_named_by_line(tmp_path):
    f = _scenario(tmp_path, "scheme:\n  start: 2011-08\n  start: 2012-01")
    assert "the key 'start' is given twice in the same block (first at line 3)" in _message(f)


def test_same_key_in_two_mappings_on_one_line_is_fine(tmp_path):
    f = _scenario(tmp_path, 'enrolment: {relative_by_age_band: {rural: {"16+": 0.7}, urban: {"16+": 0.7}}}')
    assert load_scenario(f).enrolment.relative_by_age_band.urban == {"16+": 0.7}


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}")])
def test_yaml_nested_too_deeply(opener, closer, tmp_path):
    f = tmp_path / "deep.yaml"
    f.write_text("title: " + opener * 3000 + "1" + closer * 3000 + "\n", encoding="utf-8")
    msg = _message(f)
    assert msg == (f"{f}: nested too deeply (more than 50 levels); a scenario needs at most "
                   f"about 6")


def test_yaml_nested_over_the_limit_but_parseable(tmp_path):
    f = _scenario(tmp_path, "source: " + "[" * 60 + "1" + "]" * 60)
    assert "nested too deeply (more than 50 levels)" in _message(f)


def test_a_target_above_1_in_some_bands_is_capped_with_a_warning(tmp_path):
    # Qiannan's 45+ enrol at 1.10 x the target: 0.95 x 1.10 = 1.045, capped at 1 there
    # (the younger bands, 0.80 and 1.00 x 0.95, are not): a warning, not a refusal.
    f = tmp_path / "near_full.yaml"
    f.write_text(f"extends: {ROOT / 'scenarios' / 'qiannan_2011.yaml'}\n"
                 "enrolment: {rate_path: {2011: 0.80, 2012: 0.95}}\n", encoding="utf-8")
    P = resolve(load_scenario(f))
    assert P.warnings == ("enrolment: rate_path x relative_by_age_band is above 1 from 2012 "
                          "(rural, age 45: 1.045); the target share is capped at 1",)
    assert P.enrol_target.max() == 1.0


def test_yaml_aliases_repeated_into_a_huge_tree_are_refused_at_once(tmp_path):
    # "billion laughs": nine levels of ten aliases stand for 10^9 values; walking them hung
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    f = tmp_path / "laughs.yaml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"repeats its parts .* into more than 1,000,000 values"):
        load_scenario(f)


def test_a_few_aliases_as_yaml_writes_them_still_load():
    # the calibrated national scenario was written by yaml.safe_dump, which shares a repeated
    # mapping with an anchor (&id001) and an alias (*id001)
    scen = load_scenario(ROOT / "scenarios" / "national.yaml")
    assert scen.title


def test_a_key_missing_in_a_replaced_list_is_blamed_on_the_file_that_wrote_the_list(tmp_path):
    # lists replace the base's whole: the missing `reference` is this file's, not qiubei's
    f = tmp_path / "noref.yaml"
    f.write_text(f"extends: {ROOT / 'scenarios' / 'qiubei_2011.yaml'}\n"
                 "subsidies:\n  - {name: entry, amount_by_tier: 30, paid_by: {central: 1}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    assert str(exc.value) == f"{f}: subsidies[0].reference: required key is missing"
