"""Scenario variants the report notebooks compare: enrolment targets given relative to the start.

A target such as D3's 40/65/90 % is written with years after the start
(``{"Y0": 0.40, "Y1": 0.65, "Y2": 0.90}``) so one target fits every scenario;
:func:`target_changes` turns it into the scenario's own dated ``enrolment`` keys.
"""
from __future__ import annotations

import re
from typing import Any

_OFFSET = re.compile(r"^Y(\d{1,3})$")


def dated_from_start(path: dict, start_year: int) -> dict:
    """``{"Y0": a, "Y2": b, 2015: c}`` as ``{start: a, start + 2: b, 2015: c}`` [year -> value].

    "Yn" is n years after the scheme's start year (D3 §4(五) sets its targets by year of
    the pilot); plain years are kept as they are.
    """
    out: dict[Any, Any] = {}
    for k, v in path.items():
        m = _OFFSET.match(str(k))
        out[start_year + int(m.group(1)) if m else k] = v
    return out


def target_changes(target: dict, start_year: int) -> dict:
    """The scenario changes of one named enrolment target: ``{"enrolment": {...}}``."""
    if not isinstance(target, dict) or not target or set(target) - {"rate_path", "relative_by_age_band"}:
        raise ValueError("give rate_path (e.g. {Y0: 0.4, Y1: 0.65}) and optionally relative_by_age_band")
    out = dict(target)
    if isinstance(out.get("rate_path"), dict):
        out["rate_path"] = dated_from_start(out["rate_path"], start_year)
    return {"enrolment": out}


def _mixes(scen) -> dict:
    """{area: {year: {tier: share}}} of a scenario's tier mix (a mix without years: year 1900)."""
    out = {}
    for area in ("rural", "urban"):
        mix = getattr(scen.contributions.tier_mix, area)
        if mix is None:
            continue
        by_year = mix if isinstance(next(iter(mix.values())), dict) else {1900: mix}
        out[area] = {y: {float(k): float(v) for k, v in shares.items()} for y, shares in by_year.items()}
    return out


def shifted_tier_mix(scen, share: float) -> dict:
    """Scenario changes moving ``share`` of payers from the lowest tier to the next [share of payers].

    Every year of the mix; at most the lowest tier's own share moves. Areas with
    fewer than two tiers are left as they are.
    """
    out = {}
    for area, by_year in _mixes(scen).items():
        tiers = getattr(scen.contributions.tiers, area)
        if not tiers or len(tiers) < 2:
            continue
        low, nxt = float(tiers[0]), float(tiers[1])
        new = {}
        for year, s in by_year.items():
            s = dict(s)
            moved = min(share, s.get(low, 0.0))
            s[low] = s.get(low, 0.0) - moved
            s[nxt] = s.get(nxt, 0.0) + moved
            new[year] = {k: v for k, v in s.items() if v > 0}
        out[area] = new
    return {"contributions": {"tier_mix": out}}


def simple_tier_mix(scen, kind: str) -> dict:
    """Scenario changes setting a stylised tier mix: ``lowest`` (everyone at the lowest tier) or
    ``shift`` (half at the lowest, 30 % one tier up, 20 % two up; areas with fewer than three
    tiers stay at the lowest)."""
    out = {}
    for area in ("rural", "urban"):
        tiers = getattr(scen.contributions.tiers, area)
        if not tiers:
            continue
        if kind == "lowest" or len(tiers) < 3:
            out[area] = {tiers[0]: 1.0}
        else:
            out[area] = {tiers[0]: 0.5, tiers[1]: 0.3, tiers[2]: 0.2}
    return {"contributions": {"tier_mix": out}}


def scaled_enrolment(scen, change: float) -> dict:
    """Scenario changes raising every enrolment target by ``change`` (0.10: 10 % higher)."""
    return {"enrolment": {"rate_path": {k: v * (1 + change) for k, v in scen.enrolment.rate_path.values.items()}}}


def interest_changes(years, rates_pa, delta: float) -> dict:
    """Scenario changes crediting each year's rate plus ``delta``, never below 0 [rate a year]."""
    return {"accounts": {"interest": "path",
                         "rate_path": {int(y): max(0.0, float(r + delta)) for y, r in zip(years, rates_pa)}}}


def mortality_changes(scen, delta: float) -> dict:
    """Scenario changes adding ``delta`` to the yearly fall in death rates."""
    return {"population": {"mortality": {"extra_improvement_pa":
                                         scen.population.mortality.extra_improvement_pa + delta}}}


def indexation_changes(scen, delta: float) -> dict:
    """Scenario changes adding ``delta`` to the basic pension's growth after its last dated value."""
    parts = [p.model_dump(mode="python") for p in scen.benefits.basic_pension]
    for p in parts:
        p["monthly"]["growth_pa_after_last"] += delta
    return {"benefits": {"basic_pension": parts}}
