"""CLI run, output contract, manifest and atomic writing."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model import load_scenario, project
from model.io.outputs import write_outputs
from model.results import ANNUAL_COLUMNS, VARIABLES

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ["year", "eligible", "members", "members_paying", "pensioners", "deaths",
            "contributions_personal", "subsidy_contribution", "subsidy_central", "subsidy_province",
            "subsidy_prefecture", "subsidy_county", "collective_contribution", "basic_pension_paid",
            "account_pension_paid", "longevity_gap_paid", "topups_paid", "death_grants_paid",
            "inheritance_refunds", "forfeited_to_pool", "interest_credited", "account_fund_balance",
            "pooled_fund_balance"]


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory):
    d = tmp_path_factory.mktemp("scen")
    f = d / "short.yaml"
    f.write_text(f"extends: {ROOT / 'scenarios' / 'beibei_2011.yaml'}\n"
                 "scheme: {horizon_years: 12}\n", encoding="utf-8")
    return f


@pytest.mark.slow   # the full suite runs it; make quick stays under a minute
def test_cli_run_writes_annual_detail_manifest(short_scenario, tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "model", "run", str(short_scenario), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["annual.csv", "detail.parquet", "manifest.json"]
    annual = pd.read_csv(out / "annual.csv")
    assert set(CONTRACT) <= set(annual.columns)
    assert list(annual.year) == list(range(2011, 2023))
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["identity_failures"] == []
    assert man["parameters"]["scheme"]["horizon_years"] == 12
    assert len(man["scenario_files_sha256"]) == 3         # short -> beibei -> qiannan
    assert {"numpy", "pandas", "python"} <= set(man["package_versions"])
    assert man["code_version"]
    detail = pd.read_parquet(out / "detail.parquet")
    assert detail.groupby("year")["members"].sum().round(6).tolist() == annual["members"].round(6).tolist()


def test_failed_write_leaves_nothing_half_written(short_scenario, tmp_path, monkeypatch):
    proj = project(load_scenario(short_scenario))
    out = tmp_path / "out"
    write_outputs(proj, out, 0.1)                          # a good earlier run
    before = (out / "annual.csv").read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError):
        write_outputs(proj, out, 0.1)
    assert (out / "annual.csv").read_bytes() == before    # the earlier output is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left
    with pytest.raises(OSError):
        write_outputs(proj, tmp_path / "new", 0.1)
    assert not (tmp_path / "new").exists()


def test_every_output_column_has_unit_and_labels_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for col in ANNUAL_COLUMNS:
        unit, zh, en = VARIABLES[col]
        assert unit in ("year", "persons", "person_months", "yuan", "yuan_per_month") and zh and en
        assert f"| `{col}` |" in readme, col


def test_python_api_matches_cli_contract(short_scenario):
    proj = project(load_scenario(short_scenario))
    assert list(proj.annual.columns) == list(ANNUAL_COLUMNS)
    assert {"year", "age", "sex", "area", "tier_yuan"} <= set(proj.detail.columns)
