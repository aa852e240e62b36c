"""The assumptions page, data-sources list and method note (model/report/assumptions.py),
on small hand-written scenario files with their expected rows, and on the shipped scenarios."""
from pathlib import Path

import pandas as pd
import pytest

from model import load_scenario
from model.io import tables
from model.report.assumptions import (COLUMNS, data_sources, key_text, method_note, render_value,
                                      scenario_assumptions)
from model.report.plain import has_internal_code

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

BASE = """\
# Test base: a header line.
# ASSUMPTION: the whole file is made up.
title: base "#1"
source: "D1 Art. 6 # not a comment"
scheme:
  start: 2011-07            # D1 Art. 37
  horizon_years: 20         # ASSUMPTION: a short horizon
enrolment:
  rate_path: {2011: 0.6}    # share enrolled (ASSUMPTION)
  relative_by_age_band:
    # ASSUMPTION: flat by age
    # (no source gives it)
    rural: {"16+": 1.0}
    urban: {"16+": 1.0}
contributions:
  tiers: {rural: [100, 200], urban: [100, 200]}
  # Tier shares: ASSUMPTION, most at the lowest.
  tier_mix:
    rural: {100: 0.9, 200: 0.1}
    urban: {100: 0.9, 200: 0.1}
subsidies:
  - name: entry
    reference: "D1 Art. 8 (30 yuan; the split is an
      ASSUMPTION)"
    amount_by_tier: 30
    paid_by: {county: 1}
benefits:
  note: |
    ASSUMPTION in a block scalar # kept
  payout_divisor: 139
"""

CHILD = """\
# A child: only its changes.
extends: base.yaml
title: child
enrolment:
  rate_path: {2011: 0.8}    # D3 §4(五)
  relative_by_age_band:
    rural: {"16+": 0.9}
scheme:
  rollout:              # share reached: 10 % in 2011
    2011-07: 0.1        # (a source); later ASSUMPTION
    2012-07: 0.9        # full
subsidies:
  - name: entry2
    reference: "D3 §6(三)"
    amount_by_tier: 30
    paid_by: {county: 1}
"""


@pytest.fixture
def chain(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(CHILD, encoding="utf-8")
    return tmp_path


def _rows(df: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df[COLUMNS].itertuples(index=False)]


def test_every_assumption_of_one_file_with_its_key_value_and_reason(chain):
    # Hand-worked, line by line (1-based):
    #  1-2  header comment                 -> the file itself, both sentences (a short text)
    #  7    trailing comment               -> scheme.horizon_years = 20
    #  9    trailing comment               -> enrolment.rate_path
    #  11   comment block first inside `relative_by_age_band:` -> that key, the two lines joined
    #  17   comment block before `tier_mix:` (after a flow value) -> the next key, tier_mix
    #  23   two-line quoted reference in a list item -> the item, subsidies[0]; reference left
    #       out of the value
    #  28   block scalar under `note` (a note key) -> its mapping, benefits; the '#' inside is text
    #  Not found: '#1' in a plain value and '# not a comment' inside quotes.
    df = scenario_assumptions(chain / "base.yaml")
    assert list(df.columns) == COLUMNS
    assert _rows(df) == [
        ("base.yaml", "(file)", "", "Test base: a header line. ASSUMPTION: the whole file is made up.", False, 1),
        ("base.yaml", "scheme.horizon_years", "20", "ASSUMPTION: a short horizon", False, 7),
        ("base.yaml", "enrolment.rate_path", "{2011: 0.6}", "share enrolled (ASSUMPTION)", False, 9),
        ("base.yaml", "enrolment.relative_by_age_band", "{rural: {16+: 1}, urban: {16+: 1}}",
         "ASSUMPTION: flat by age (no source gives it)", False, 11),
        ("base.yaml", "contributions.tier_mix", "{rural: {100: 0.9, 200: 0.1}, urban: {100: 0.9, 200: 0.1}}",
         "Tier shares: ASSUMPTION, most at the lowest.", False, 17),
        ("base.yaml", "subsidies[0]", "{name: entry, amount_by_tier: 30, paid_by: {county: 1}}",
         "D1 Art. 8 (30 yuan; the split is an ASSUMPTION)", False, 23),
        ("base.yaml", "benefits", "{payout_divisor: 139}", "ASSUMPTION in a block scalar # kept", False, 28),
    ]


def test_a_child_keeps_its_parents_rows_and_marks_those_it_replaced(chain):
    # child.yaml sets enrolment.rate_path (base's row overridden), only the rural half of
    # relative_by_age_band (base's urban half still in force: not overridden) and a new
    # subsidies list (the list is replaced whole: base's subsidies[0] overridden).
    # Its own row: the comment on the first line inside `rollout:` continues the opener's
    # comment ("(a source)..." starts with '('), so the row is the rollout's; "full" is not.
    df = scenario_assumptions(chain / "child.yaml")
    assert df["file"].tolist() == ["base.yaml"] * 7 + ["child.yaml"]
    overridden = dict(zip(df["key"][:7], df["overridden"][:7]))
    assert overridden == {"(file)": False, "scheme.horizon_years": False, "enrolment.rate_path": True,
                          "enrolment.relative_by_age_band": False, "contributions.tier_mix": False,
                          "subsidies[0]": True, "benefits": False}
    assert _rows(df)[-1] == ("child.yaml", "scheme.rollout", "{2011-07: 0.1, 2012-07: 0.9}",
                             "share reached: 10 % in 2011 (a source); later ASSUMPTION", False, 9)
    in_force = df[~df["overridden"]]
    assert "enrolment.rate_path" not in in_force["key"].tolist()


def test_a_sentence_explaining_the_marker_gives_no_row(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("# Values marked ASSUMPTION are not in the documents.\ntitle: a\n"
                 "x: 1   # ASSUMPTION (D1 Art. 7)\n", encoding="utf-8")
    df = scenario_assumptions(f, lang="en")
    assert _rows(df) == [("a.yaml", "x", "1", "ASSUMPTION (the Qiannan measures, article 7)", False, 3)]


def test_values_render_short_and_keys_read_as_paths():
    assert render_value(0.5954469895141692) == "0.5954"
    assert render_value(98114874894.9912) == "98,114,874,895"
    assert render_value({"a": [1, 2], "reference": "left out"}) == "{a: [1, 2]}"
    long = render_value({k: 0.5 for k in range(100, 2000, 100)})
    assert len(long) == 60 and long.endswith("…")
    assert key_text(()) == "(file)"


@pytest.mark.parametrize("name", ["qiannan_2011", "beibei_2011", "qiubei_2011", "qiubei_2011_calibrated",
                                  "national", "national_2009", "national_2012", "national_2014",
                                  "questions/qiubei_county_topup"])
def test_shipped_scenarios_give_rows_with_reasons_that_say_assumption(name):
    df = scenario_assumptions(SCENARIOS / f"{name}.yaml")
    assert len(df) > 0
    assert df["reason"].str.contains("ASSUMPTION").all()
    assert not df.duplicated(["file", "key", "reason"]).any()
    last_file = Path(load_scenario(SCENARIOS / f"{name}.yaml")._files[-1]).name
    assert not df.loc[df["file"] == last_file, "overridden"].any()       # the last file is in force


def test_qiannan_reads_its_subsidy_split_and_not_its_header():
    df = scenario_assumptions(SCENARIOS / "qiannan_2011.yaml")
    assert "(file)" not in df["key"].tolist()          # "Values marked ASSUMPTION are ..." explains the marker
    row = df[df["key"] == "subsidies[0]"].iloc[0]
    assert "split evenly is an ASSUMPTION" in row["reason"] and not row["overridden"]
    assert df["key"].str.contains(r"^contributions\.tier_mix$").any()


def test_beibei_replaces_qiannans_tier_mix_but_keeps_its_heirs_share():
    df = scenario_assumptions(SCENARIOS / "beibei_2011.yaml")
    parent = df[df["file"] == "qiannan_2011.yaml"].set_index("key")["overridden"]
    assert parent["contributions.tier_mix"] and parent["subsidies[0]"]
    assert not parent["accounts.heirs_share"]


def test_data_sources_give_first_sentence_and_confidence_of_each_file():
    df = data_sources()
    rows = df.set_index("file")
    # "**Source:** China 2010 census population by single year of age (0–99, 100+) and sex. From repo ..."
    assert rows.loc["census_2010_china_age_sex.csv", "source"] == \
        "China 2010 census population by single year of age (0–99, 100+) and sex."
    assert rows.loc["census_2010_china_age_sex.csv", "confidence"] == "high"
    assert rows.loc["cl2010_2013_pension_business_CL5_CL6_qx.csv", "confidence"] == "medium (single source)"
    # one section naming five files: each file its own row
    assert {"interprovincial_migration_2020.csv", "urrbpi_contribution_tiers_by_province.csv"} <= set(df["file"])
    assert rows.loc["urrbpi_basic_pension_standard_by_province.csv", "confidence"] == "low"
    assert df["source"].str.len().max() <= 200
    assert df["confidence"].str.len().gt(0).all()


def test_data_sources_restricted_to_the_files_read(tmp_path):
    tables.payout_months(60)                                  # reads the Guofa [2005] 38 table
    read = tables.files_read()
    assert tables.DATA_DIR.resolve() / "guofa_2005_38_account_payout_months.csv" in read
    df = data_sources(read + [Path("raw/not_shipped.csv")], lang="zh")
    assert df["file"].tolist()[-1] == "not_shipped.csv"
    assert df["confidence"].tolist()[-1] == "not stated"
    assert "guofa_2005_38_account_payout_months.csv" in df["file"].tolist()
    assert "国发〔2005〕38号" in df.set_index("file").loc["guofa_2005_38_account_payout_months.csv", "source"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["qiannan_2011", "beibei_2011", "qiubei_2011_calibrated", "national"])
def test_method_note_names_documents_in_words_and_says_where_the_detail_is(name, lang):
    note = method_note(SCENARIOS / f"{name}.yaml", lang)
    assert not has_internal_code(note, bare=True)
    assert "docs/RULES.md" in note and f"{name}.yaml" in note
    sentences = note.count("。") if lang == "zh" else note.count(". ") + 1
    assert 4 <= sentences <= 8


def test_method_note_of_beibei_in_english():
    # D3 rule set over D1; divisor from the Guofa [2005] 38 table; top-ups of D3 §8(三)(四)(五);
    # time-weighted deposit rate (D3 §7(二)); not calibrated.
    note = method_note(load_scenario(SCENARIOS / "beibei_2011.yaml"), "en")
    assert note.startswith("This projection follows the Beibei pilot plan (scenario file "
                           "`scenarios/beibei_2011.yaml`); where it is silent it keeps the Qiannan measures.")
    assert "payout months of Guofa [2005] No. 38 (139 at 60)" in note
    assert "10 yuan a month more from age 70" in note and "a death grant of 12 months' pension" in note
    assert "averaging the year's rates by the days each was in force" in note
    assert "not calibrated" in note


def test_method_note_of_the_calibrated_national_scenario_in_chinese():
    note = method_note(SCENARIOS / "national.yaml", "zh")
    assert note.startswith("本测算依据国发〔2009〕32号、国发〔2011〕18号和国发〔2014〕8号的规定")
    assert "除以139" in note and "就高" in note
    assert "人力资源和社会保障部" in note and "docs/CALIBRATION.md" in note


def test_method_note_of_a_file_extending_a_calibrated_one_names_the_calibrated_file():
    note = method_note(SCENARIOS / "china_counties.yaml", "en")
    assert "calibrated to the Ministry of Human Resources and Social Security" in note
    assert "`scenarios/national.yaml`" in note


def test_method_note_refuses_an_unknown_language():
    with pytest.raises(ValueError, match="lang"):
        method_note(SCENARIOS / "qiannan_2011.yaml", "fr")


def test_method_note_of_a_file_naming_no_document_says_so(tmp_path):
    text = (SCENARIOS / "qiannan_2011.yaml").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith(("source:", "title:"))]
    (tmp_path / "mine.yaml").write_text("title: my county\n" + "\n".join(lines) + "\n", encoding="utf-8")
    note = method_note(tmp_path / "mine.yaml", "en")
    assert note.startswith("The scenario file `mine.yaml` does not name the documents its rules come from.")
