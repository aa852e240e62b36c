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
