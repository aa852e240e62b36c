"""A register's clean rows as counts for the model: members by cell and a scenario extending
the county's own with its enrolment rates, tier mix and on-behalf shares (no personal data)."""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from model.rules import contributions, population
from model import dims
from model.io.safe_text import escape_formulas
from model.scenario import Scenario


from model.tools.register.check import YES, tier_fields, tier_yuan


def aggregate(clean: pd.DataFrame, tier_cols: dict, scen: Scenario, today: _dt.date | None = None) -> dict:
    """Counts for the scenario, from the clean rows: no names, no ID numbers.

    Returns ``members`` (age x sex x area x status x tier counts, as a table), and
    ``changes``: the enrolment rate by age band and area (members over the scenario's
    eligible population this year), the tier mix by area (this year's tiers) and the
    shares of payers who are severely disabled or on 低保 — written as a scenario file
    extending the given one, so that ``run`` starts from the register.
    """
    year = (today or _dt.date.today()).year
    birth = pd.to_datetime(clean["birth_date_checked"], errors="coerce")
    tier = _this_years_tier_field(clean, tier_cols)
    t = pd.DataFrame({"age": year - birth.dt.year, "sex": clean["sex_checked"], "area": clean["hukou_checked"],
                      "status": clean["status_checked"],
                      "tier_yuan": tier_yuan(clean[tier]) if tier else np.nan,
                      "disabled": pd.to_numeric(clean["disability_grade"], errors="coerce").isin([1, 2]),
                      "dibao": clean["dibao"].isin(YES)})
    members = (t.groupby(["age", "sex", "area", "status", "tier_yuan"], dropna=False).size()
               .rename("persons").reset_index())
    paying = t[t.status == "paying"]
    mix = {}
    for area in dims.AREAS:
        tiers = paying.loc[paying.area == area, "tier_yuan"].dropna()
        if len(tiers):
            shares = tiers.value_counts(normalize=True).sort_index()
            mix[area] = {float(k): float(v) for k, v in shares.items()}
        elif getattr(scen.contributions.tiers, area):              # nobody there: the lowest tier, no uptake
            mix[area] = {float(getattr(scen.contributions.tiers, area)[0]): 1.0}
    changes: dict = {}
    if mix:
        changes["contributions"] = {"tier_mix": mix}
    rates = enrolment_rates(t[t.status.isin(["paying", "suspended", "receiving"])], scen, year)
    if rates:
        changes["enrolment"] = {"rate_path": {scen.scheme.start_year: 1.0}, "relative_by_age_band": rates}
    if len(paying):
        # each payer in the most specific group his register flags match (D1 Art. 9), as the
        # calculator applies them; groups on flags the register has no column for keep their share
        flags = [{f for f, on in (("severely_disabled", d), ("dibao", b)) if on}
                 for d, b in zip(paying.disabled, paying.dibao)]
        shares = contributions.matching_group_shares(scen.on_behalf, flags)
        groups = []
        for g in scen.on_behalf:
            known = bool(g.applies_to) and set(g.applies_to) <= REGISTER_FLAGS
            share = float(shares[g.name]) if known else g.share_of_payers
            groups.append({**g.model_dump(mode="python"), "share_of_payers": share})
        if groups:
            changes["on_behalf"] = groups
    return {"members": members, "changes": changes}


def _this_years_tier_field(clean: pd.DataFrame, tier_cols: dict) -> str | None:
    """The column taken as this year's tier: the latest year's; if no tier column has a year,
    the first one without (a register with one 缴费档次 column holds the current tier)."""
    fields = tier_fields(clean, tier_cols)
    dated = [year for year in fields if year is not None]
    if dated:
        return fields[max(dated)][0]
    return fields[None][0] if None in fields else None


BANDS = ((16, 29), (30, 44), (45, 59), (60, dims.MAX_AGE))
REGISTER_FLAGS = {"severely_disabled", "dibao"}          # member flags the register has columns for


def enrolment_rates(members: pd.DataFrame, scen: Scenario, year: int) -> dict:
    """Members over the eligible, by age band and area, in ``year`` [share, at most 1].

    The eligible come from the scenario as the cohort engine counts them
    (``population.eligible_persons``): its population projected to 1 January of ``year``
    times its eligible shares, less the members whose account it has sealed by then
    (D1 Art. 6, 15).
    """
    from model.parameters import resolve
    from model.engine.project import initial_state, step
    P = resolve(scen)
    if not P.years[0] <= year <= P.years[-1]:
        return {}
    st = initial_state(P)
    for y in range(int(P.years[0]), year):
        st, _, _ = step(st, P.at(y), P)
    eligible = population.eligible_persons(st.pop[0], P.eligible_share, st.s_n[0])   # (age, sex, area)
    out = {}
    for ai, area in enumerate(dims.AREAS):
        m = members[members.area == area]                           # an area nobody is in gets 0
        rates = {}
        for lo, hi in BANDS:
            n = ((m.age >= lo) & (m.age <= hi)).sum()
            e = eligible[lo:hi + 1, :, ai].sum()
            if e > 0:
                label = f"{lo}+" if hi == dims.MAX_AGE else f"{lo}-{hi}"
                rates[label] = float(min(1.0, n / e))
        out[area] = rates
    return out


def write_aggregate(agg: dict, scenario_path: str | Path, out_dir: str | Path, force: bool = False,
                    sources: dict | None = None) -> list[Path]:
    """members_by_cell.csv, register_scenario.yaml (extends the scenario) and manifest.json
    into ``out_dir``, atomically."""
    from model.io.outputs import output_folder, out_path
    out = out_path(out_dir)
    with output_folder(out, "register aggregate", force=force) as st:
        escape_formulas(agg["members"]).to_csv(st.dir / "members_by_cell.csv", index=False, encoding="utf-8-sig")
        body = {"extends": os.path.relpath(Path(scenario_path).resolve(), out.resolve()),
                "title": "from the member register", **agg["changes"]}
        (st.dir / "register_scenario.yaml").write_text(
            "# Written by `python -m model register aggregate` from the clean register rows: enrolment\n"
            "# rates by age band and area, the tier mix of this year's payers and the shares of on-behalf\n"
            "# groups. No personal data.\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False),
            encoding="utf-8")
        st.manifest.update({**(sources or {}), "members": int(agg["members"]["persons"].sum())})
    return [out / "members_by_cell.csv", out / "register_scenario.yaml"]


