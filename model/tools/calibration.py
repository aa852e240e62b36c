"""Fit a scenario's behaviour to what a county reported: Qiubei 2011 (D5 §1).

The fitted quantities are the enrolment rates of the 16-59 (rural, urban)
and of the 60+, and the tier mix of each area, described by one number
each: the share at each tier falls by a factor rho from one tier to the
next (rho small: nearly everyone at the lowest tier). Five numbers, five
reported figures (enrolled 16-59 rural and urban, premiums rural and urban,
pension paid), solved with scipy's least squares on relative errors. The
other reported figures are shown beside the model's for comparison.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import least_squares

from model import dims
from model.io import tables
from model.engine.project import project
from model.scenario import Scenario, load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[2]
QIUBEI = ROOT / "scenarios" / "qiubei_2011.yaml"
QIUBEI_FITTED = ROOT / "scenarios" / "qiubei_2011_calibrated.yaml"
FITTED_TARGETS = ("enrolled_16_59_rural", "enrolled_16_59_urban", "premiums_rural", "premiums_urban",
                  "pension_paid")
GOALS = {"pension_paid": 0.01, "enrolled_16_59": 0.01, "enrolled_16_59_rural": 0.01,
         "enrolled_16_59_urban": 0.01, "premiums": 0.03, "premiums_rural": 0.03, "premiums_urban": 0.03}


def reported_qiubei() -> dict[str, float]:
    """Qiubei's 2011 figures (D5 §1) from the shipped table [persons, yuan]."""
    df = tables.read_data_csv(tables.DATA_DIR / "qiubei_2011_reported.csv")
    return dict(zip(df["measure"], df["value"].astype(float)))


def geometric_mix(tiers: list[float], rho: float) -> dict[float, float]:
    """Tier shares falling by ``rho`` from each tier to the next; they sum to 1."""
    w = rho ** np.arange(len(tiers))
    return {float(t): float(v) for t, v in zip(tiers, w / w.sum())}


def overrides(scen: Scenario, x) -> dict:
    """Scenario changes for parameters x = (uptake rural 16-59, urban 16-59, 60+, rho rural, rho urban)."""
    u_r, u_u, u_60, rho_r, rho_u = (float(v) for v in x)
    return {"enrolment": {"relative_by_age_band": {"rural": {"16-59": u_r, "60+": u_60},
                                                   "urban": {"16-59": u_u, "60+": u_60}}},
            "contributions": {"tier_mix": {"rural": geometric_mix(scen.contributions.tiers.rural, rho_r),
                                           "urban": geometric_mix(scen.contributions.tiers.urban, rho_u)}}}


def model_figures(scen: Scenario) -> dict[str, float]:
    """The model's first-year figures comparable with D5 §1 [persons, yuan]."""
    one = with_overrides(scen, {"scheme": {"horizon_years": 1}})
    proj = project(one, detail=True)
    a = proj.annual.iloc[0]
    d = proj.detail
    young = d[d.age < dims.PENSION_AGE]
    out = {}
    for area in dims.AREAS:
        sel = young[young.area == area]
        out[f"enrolled_16_59_{area}"] = float(sel["members_paying"].sum())
        out[f"premiums_{area}"] = float(d.loc[d.area == area, "contributions_personal"].sum())
    out["enrolled_16_59"] = out["enrolled_16_59_rural"] + out["enrolled_16_59_urban"]
    out["premiums"] = out["premiums_rural"] + out["premiums_urban"]
    out["registered_60_plus"] = float(a["pensioners"])
    out["pension_recipients"] = float(a["pensioners"])
    out["pension_paid"] = float(a["basic_pension_paid"] + a["account_pension_paid"])
    out["fiscal_subsidy_central"] = float(a["subsidy_central"])
    out["fiscal_subsidy_province"] = float(a["subsidy_province"])
    out["fiscal_subsidy_received"] = float(a["government_total_cost"])
    return out


@dataclass
class Fit:
    x: np.ndarray                      # fitted parameters
    scenario: Scenario                 # the scenario with them applied
    table: pd.DataFrame                # reported vs model, relative error
    evaluations: int


NOTES = {
    "registered_60_plus": "not fitted: the model pays everyone it registers; D5 had registered 3,974 not yet paid",
    "fiscal_subsidy_received": "not fitted: money received in advance, not spent in the year",
    "fiscal_subsidy_central": "not fitted: the central transfer is an advance for the basic pension",
    "fiscal_subsidy_province": "not fitted: the province's transfer is an advance",
}


def comparison(reported: dict, model: dict) -> pd.DataFrame:
    """Reported vs model with the relative error of each, and whether it meets its goal."""
    rows = []
    for k in ("enrolled_16_59", "enrolled_16_59_rural", "enrolled_16_59_urban", "premiums", "premiums_rural",
              "premiums_urban", "pension_paid", "pension_recipients", "registered_60_plus",
              "fiscal_subsidy_central", "fiscal_subsidy_province", "fiscal_subsidy_received"):
        rep, mod = reported[k], model[k]
        err = (mod - rep) / rep
        goal = GOALS.get(k)
        rows.append({"measure": k, "reported": rep, "model": mod, "relative_error": err,
                     "goal": goal, "meets_goal": None if goal is None else bool(abs(err) <= goal),
                     "fitted": k in FITTED_TARGETS, "note": NOTES.get(k, "")})
    return pd.DataFrame(rows)


def fit_qiubei(scen: Scenario | None = None) -> Fit:
    """Fit Qiubei's uptake and tier mix to its 2011 figures (scipy least squares)."""
    scen = scen or load_scenario(QIUBEI)
    rep = reported_qiubei()
    count = {"n": 0}

    def residuals(x):
        count["n"] += 1
        m = model_figures(with_overrides(scen, overrides(scen, x), "calibration"))
        return [(m[k] - rep[k]) / rep[k] for k in FITTED_TARGETS]

    x0 = np.array([0.6, 0.6, 0.7, 0.2, 0.5])
    res = least_squares(residuals, x0, bounds=([0.01, 0.01, 0.01, 1e-4, 1e-4], [1.0, 1.0, 1.0, 0.99, 0.99]),
                        x_scale="jac", xtol=1e-12, ftol=1e-12, gtol=1e-12)
    fitted = with_overrides(scen, overrides(scen, res.x), "calibration")
    return Fit(x=res.x, scenario=fitted, table=comparison(rep, model_figures(fitted)),
               evaluations=count["n"])


def write_fitted(fit: Fit, path: Path = QIUBEI_FITTED) -> Path:
    """The fitted parameters as a scenario extending qiubei_2011.yaml, with the errors in its header."""
    scen = load_scenario(QIUBEI)
    over = overrides(scen, fit.x)
    lines = ["# Qiubei 2011 calibrated to the county's own figures (D5 §1) by",
             "# `python -m model calibrate qiubei --write` (model/tools/calibration.py). Do not edit by hand.",
             "# Reported vs model (relative error):"]
    for r in fit.table.itertuples():
        lines.append(f"#   {r.measure:<26} {r.reported:>14,.0f} {r.model:>16,.1f}  {r.relative_error:+.4%}"
                     + ("  (fitted)" if r.fitted else ""))
    body = {"extends": "qiubei_2011.yaml",
            "title": "丘北县城乡居民社会养老保险试点 (2011年, 按实际数校准)",
            "title_en": "Qiubei County residents' pension pilot (2011, calibrated to reported figures)",
            "source": "D5 §1 figures; model/tools/calibration.py", **over}
    return _write_scenario_file(path, lines, body)


def _write_scenario_file(path: Path, header: list[str], body: dict) -> Path:
    """A fitted scenario file: comment lines, then the YAML body."""
    text = "\n".join(header) + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)
