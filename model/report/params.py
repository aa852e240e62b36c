"""The report notebooks' ``-p`` parameters: what each may be, checked before any notebook runs.

``python -m model report -p KEY VALUE`` sets a notebook's papermill parameter. A
name no selected notebook declares, a value of the wrong kind or out of range is
refused with one line naming the parameter and what is allowed (exit status 2),
before any notebook starts: a misspelt ``-p horizn 12`` must not be ignored, and
``-p horizon abc`` must not fail inside a notebook cell. ``scenario``,
``output_dir`` and ``interactive`` are set by the command itself.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..scenario import ScenarioError

SET_BY_COMMAND = ("scenario", "output_dir", "interactive")


class ReportParamError(ScenarioError):
    """A bad ``-p`` parameter: one line, exit status 2."""


@dataclass(frozen=True)
class Param:
    """One parameter: its kind, range or choices, whether null is allowed, and why the range."""
    kind: str                         # int, number, text, bool, list, mapping, number_or_mapping
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    nullable: bool = False
    item_choices: tuple = ()          # list items must be among these
    pattern: str | None = None        # text must match (re.fullmatch)
    why: str = ""

    def allowed(self) -> str:
        """What the parameter may be, in plain words."""
        if self.choices:
            text = "one of " + ", ".join(map(str, self.choices))
        elif self.kind in ("int", "number"):
            noun = "a whole number" if self.kind == "int" else "a number"
            text = f"{noun} from {self.lo:g} to {self.hi:g}"
        elif self.kind == "list":
            text = "a list such as [5, 15, 30]" if not self.item_choices else \
                "a list of " + ", ".join(map(str, self.item_choices))
        elif self.kind == "mapping":
            text = "a mapping such as {key: value}"
        elif self.kind == "number_or_mapping":
            text = "a number of yuan a year, or dated values such as {2011: 4.0e9, growth_pa_after_last: 0.05}"
        elif self.kind == "bool":
            text = "true or false"
        else:
            text = "text" + (f" of the form {self.why}" if self.pattern else "")
        return text + (", or null" if self.nullable else "") + \
            (f" ({self.why})" if self.why and not self.pattern else "")


_MAX_YEARS = 150                      # the longest horizon a scenario may have (model/scenario/schema.py)
PARAMS: dict[str, Param] = {
    "horizon": Param("int", 1, _MAX_YEARS, nullable=True, why="projection years; null: the scenario's own"),
    "lang": Param("text", choices=("zh", "en")),
    "budget_year": Param("int", 1900, 2300, nullable=True,
                         why="first budget year, within the projection; null: next calendar year"),
    "enrolment_change": Param("number", -1.0, 1.0, why="change in the enrolment targets, a share"),
    "tier_shift": Param("number", 0.0, 1.0, why="share of payers moving up from the lowest tier"),
    "report_after_years": Param("list", why="years after the start, each 0 to 150"),
    "targets": Param("mapping", why="named enrolment targets, each {rate_path: {Y0: 0.4, Y1: 0.65}, "
                     "relative_by_age_band: ...}"),
    "fiscal_base_yuan": Param("number_or_mapping", nullable=True),
    "interest_delta": Param("number", 0.0, 0.1, why="+/- on the yearly crediting rate, at most 10 points"),
    "mortality_delta": Param("number", 0.0, 0.05, why="+/- on the yearly fall in death rates"),
    "indexation_delta": Param("number", 0.0, 0.1, why="+/- on the yearly growth of the basic pension"),
    "paths": Param("int", 0, 10000, why="stochastic paths; 0: none"),
    "seed": Param("int", 0, 2**32 - 1),
    "sigma_mortality": Param("number", 0.0, 0.2, why="yearly sd of the log mortality multiplier"),
    "scenarios": Param("list", why="scenario files to compare, at least one"),
    "columns": Param("list", why="output columns of annual.csv"),
    "birth": Param("text", pattern=r"(19|20)\d\d-(0?[1-9]|1[0-2])", why="YYYY-MM"),
    "enrol": Param("int", 1900, 2300, nullable=True, why="year of enrolment; null: the scheme's start"),
    "tier": Param("number", 0.0, 1e6, why="yuan a year, one of the scenario's tiers"),
    "sex": Param("text", choices=("M", "F")),
    "area": Param("text", choices=("rural", "urban")),
    "flags": Param("list", item_choices=("severely_disabled", "dibao", "village_cadre")),
    "one_child_parent": Param("bool"),
    "national": Param("bool", why="the calibration report's national part (a refit: about 20 s)"),
    "stop_after_years": Param("int", 0, 100, nullable=True),
    "make_up_at_60": Param("bool"),
    "lump_sum": Param("number", 0.0, 1e5, nullable=True, why="monthly level, yuan"),
    "interest_rate": Param("number", 0.0, 0.3, nullable=True, why="flat rate a year, 0.03 = 3 %"),
    "year": Param("int", 1900, 2300, why="the year the tables and maps show, within the projection"),
    "province": Param("text", pattern=r"\d{2}0000", why="a province's 6-digit code, e.g. 520000"),
    "first_year": Param("int", 1900, 2300, nullable=True, why="the policy questions' first year; null: next calendar year"),
    "budget_years": Param("int", 1, 50, why="the county's budget window, years"),
    "budget_increase": Param("number", -0.9, 10.0, why="the budget over the projected cost, a share"),
    "members_year": Param("int", 1900, 2300, nullable=True, why="the membership target's year; null: first_year + 4"),
    "members_increase": Param("number", -0.9, 1.0, why="the membership target over the projected members, a share"),
    "discount_rate": Param("number", -0.05, 0.2, why="present values, a share a year (0.025 = 2.5 %)"),
    "compare_with": Param("text", nullable=True, why="a scenario file to explain the change against"),
}


def _read(text: str) -> Any:
    """A ``-p`` value read as a YAML scalar or flow value (numbers, true/false, null, lists, mappings)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_value(name: str, value: Any, spec: Param) -> Any:
    """``value`` if it is what ``spec`` allows, else a ReportParamError naming the parameter."""
    def bad() -> ReportParamError:
        return ReportParamError(f"-p {name} {value!r}: must be {spec.allowed()}")
    if value is None:
        if spec.nullable:
            return None
        raise bad()
    if spec.choices:
        if value not in spec.choices:
            raise bad()
        return value
    if spec.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not spec.lo <= value <= spec.hi:
            raise bad()
    elif spec.kind == "number":
        if not _is_number(value) or not spec.lo <= value <= spec.hi:
            raise bad()
    elif spec.kind == "bool":
        if not isinstance(value, bool):
            raise bad()
    elif spec.kind == "text":
        if spec.pattern and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)                        # -p province 520000 reads as a number
        if not isinstance(value, str) or (spec.pattern and not re.fullmatch(spec.pattern, value)):
            raise bad()
    elif spec.kind == "list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or (spec.item_choices and not (
                all(isinstance(x, str) for x in value) and set(value) <= set(spec.item_choices))):
            raise bad()
    elif spec.kind == "mapping":
        if not isinstance(value, dict) or not value:
            raise bad()
    elif spec.kind == "number_or_mapping":
        if not (_is_number(value) and value >= 0) and not isinstance(value, dict):
            raise bad()
    return value


def _check_special(name: str, value: Any, cwd: Path) -> Any:
    """Checks that need more than a kind and a range: file names, column names, years."""
    if name == "report_after_years":
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= _MAX_YEARS for v in value):
            raise ReportParamError(f"-p {name} {value!r}: must be a list of whole numbers of years "
                                   f"from 0 to {_MAX_YEARS}, e.g. [5, 15, 30]")
    if name == "columns":
        from ..results import ANNUAL_COLUMNS
        unknown = [c for c in value if c not in ANNUAL_COLUMNS]
        if unknown or not value:
            raise ReportParamError(f"-p columns: {unknown[0] if unknown else '[]'!r} is not a column of "
                                   f"annual.csv; see the README's Outputs table (e.g. members, pensioners)")
    if name == "scenarios":
        if not value:
            raise ReportParamError("-p scenarios []: give at least one scenario file to compare")
        out = []
        for f in value:
            p = Path(str(f)) if Path(str(f)).is_absolute() else cwd / str(f)
            if not p.is_file():
                raise ReportParamError(f"-p scenarios: {f!r}: no such file (paths are relative to the "
                                       f"folder you run the command from)")
            out.append(str(p.resolve()))
        return out
    return value


def parse_params(pairs, declared: set[str], cwd: Path | None = None) -> dict:
    """The ``-p KEY VALUE`` pairs checked and read; ``declared``: the selected notebooks' parameters."""
    cwd = cwd or Path.cwd()
    out: dict = {}
    for key, text in pairs or []:
        if key in SET_BY_COMMAND:
            raise ReportParamError(f"-p {key}: is set by the command itself (the scenario argument "
                                   f"and --out); leave it out")
        if key not in declared or key not in PARAMS:
            import difflib
            names = sorted(declared & set(PARAMS))
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ReportParamError(f"-p {key}: no such parameter in the selected notebooks; {hint}"
                                   f"allowed: {', '.join(names)}")
        if key in out:
            raise ReportParamError(f"-p {key}: given twice; give each parameter once")
        value = check_value(key, _read(text), PARAMS[key])
        out[key] = _check_special(key, value, cwd) if value is not None else None
    return out


def check_against_scenarios(params: dict, scenarios: list, notebooks: list[str]) -> None:
    """Parameters checked against each scenario, before any notebook runs, by the same code the
    notebooks use: years within the projection, the member's inputs (the calculator's own
    checks), enrolment targets and a fiscal base (the scenario's own validation).

    ``scenarios``: the validated :class:`~model.scenario.Scenario` of every scenario to report.
    """
    from ..scenario import ScenarioError, with_overrides
    from .variants import target_changes
    for scen in scenarios:
        first = scen.scheme.start_year
        years = int(params.get("horizon") or scen.scheme.horizon_years)
        last = first + years - 1
        year = params.get("budget_year")
        if year is not None and not first <= year <= last:
            raise ReportParamError(f"-p budget_year {year}: outside the projection of {scen.title} "
                                   f"({first}-{last}); give a year in it")
        after = [a for a in params.get("report_after_years") or [] if a >= years]
        if after:
            raise ReportParamError(f"-p report_after_years: {after[0]} years after the start is past the "
                                   f"projection of {scen.title} ({years} years); give fewer years")
        for name, target in (params.get("targets") or {}).items():
            try:
                with_overrides(scen, target_changes(target, first), f"-p targets ({name})")
            except (ValueError, TypeError) as exc:
                raise ReportParamError(f"-p targets: {name!r}: " + str(exc).splitlines()[0]
                                       .replace(f"-p targets ({name}): ", "")) from None
        if params.get("fiscal_base_yuan") is not None and "sustainability" in notebooks:
            try:
                with_overrides(scen, {"finance": {"fiscal_base_yuan": params["fiscal_base_yuan"]}},
                               "-p fiscal_base_yuan")
            except ScenarioError as exc:
                raise ReportParamError(str(exc).splitlines()[0].replace("finance.fiscal_base_yuan", "")
                                       .replace(": :", ":")) from None
        if "member_illustration" in notebooks:
            _check_member(params, scen)
        if "provinces" in notebooks:
            _check_provinces(params, scen, first, last)


def _check_provinces(params: dict, scen, first: int, last: int) -> None:
    """The provinces notebook: a national scenario, a year after the start, a province's code."""
    from model.tools.counties import check_national, county_codes
    try:
        check_national(scen)
    except ScenarioError as exc:
        raise ReportParamError(f"--notebook provinces: {scen.title}: "
                               + str(exc).removeprefix("counties: ")) from None
    year = params.get("year", 2026)
    if not first < year <= last:
        raise ReportParamError(f"-p year {year}: outside the projection of {scen.title} ({first + 1}-{last}); "
                               f"give a year in it")
    code = str(params.get("province", "520000"))
    try:
        county_codes(code)
    except ScenarioError:
        raise ReportParamError(f"-p province {code}: not a province's code; give one such as 520000") from None


def _check_member(params: dict, scen) -> None:
    """The member notebook's inputs, checked by the calculator itself (one line on a mistake)."""
    from model.member.calculator import Member, MemberInputError, illustrate
    birth = str(params.get("birth", "1966-05"))
    by, bm = (int(x) for x in birth.split("-"))
    m = Member(birth_year=by, birth_month=bm, enrol_year=int(params.get("enrol") or scen.scheme.start_year),
               tier=float(params.get("tier", 100)),                 # the notebook's defaults
               sex={"M": "male", "F": "female"}[params.get("sex", "M")], area=params.get("area", "rural"),
               flags=frozenset(params.get("flags") or []), one_child_parent=bool(params.get("one_child_parent")),
               stop_after_years=params.get("stop_after_years"), make_up_at_60=bool(params.get("make_up_at_60")),
               lump_sum_monthly=params.get("lump_sum"), interest_rate=params.get("interest_rate"))
    try:
        illustrate(scen, m)
    except MemberInputError as exc:
        words = str(exc)
        for opt, key in (("--birth", "birth"), ("--enrol", "enrol"), ("--tier", "tier"), ("--lump-sum", "lump_sum"),
                         ("--interest-rate", "interest_rate"), ("--stop-after-years", "stop_after_years")):
            words = words.replace(opt, f"-p {key}")
        raise ReportParamError(f"{words} ({scen.title})") from None
