"""Goal-seek (issue 16): the value of one scenario parameter that meets a target on an output.

``python -m model solve SCENARIO --vary PATH [--range LO HI] --target "COLUMN@... = VALUE"
[--subject-to "COLUMN@... <= VALUE" ...] --out DIR``, or :func:`solve` from Python. Every
answer is a projection of the engine, so every rule is the engine's.

- ``--vary``: a key path into the scenario as its file writes it, list items by index:
  ``benefits.long_contribution_yuan_per_year_over_15`` (a number),
  ``benefits.basic_pension[1].monthly@2027`` (a dated path's value from that year on; later
  dates in the path keep theirs), ``...:growth`` (its growth a year after the last date),
  ``...:scale`` (every value of a dated path or of a mapping of numbers multiplied).
- ``--target``/``--subject-to``: ``COLUMN@YEAR``, ``COLUMN@Y1-Y2:sum`` or ``:mean`` of
  annual.csv, with ``=`` (the target), ``<=`` or ``>=`` (constraints).

The method: the target and the constraints are first computed at five points spread over the
range, which says whether each is monotone in the value there (reported). Each monotone
constraint that holds at some points and not at others is turned into a bound on the value by a
bracketing root finder (``scipy.optimize.brentq``) between the points where it changes; a
constraint that holds nowhere gives no solution. The target is then found in what is left by
``brentq`` where it is monotone and changes sign there, else by a bounded minimiser of the
distance to it (``minimize_scalar``), which is reported. The solution meets the target to a
relative 1e-6, or there is none in range (:class:`NoSolution`, the CLI's exit status 2, with the
best value found).
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from model.scenario import Scenario, ScenarioError

SAMPLES = 5                      # points spread over the range before any root finding
REL_TOL = 1e-6                   # the target is met to this share of its value
OPS = ("=", "<=", ">=")


class SolveError(ScenarioError):
    """A question that cannot be asked as written: one line naming the option, the text and what is allowed."""


class NoSolution(Exception):
    """No value in range meets the target under the constraints: the best found, to report."""

    def __init__(self, message: str, best: "Solution"):
        super().__init__(message)
        self.best = best


# --------------------------------------------------------------------------
# The question
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """One figure of a projection: a column of annual.csv in a year, or summed or averaged over years."""
    column: str
    first: int
    last: int
    how: str = "value"           # value (one year), sum or mean

    def of(self, annual: pd.DataFrame) -> float:
        """The figure in the column's unit (yuan, persons, ...)."""
        a = annual.set_index("year")[self.column]
        years = range(self.first, self.last + 1)
        v = a.reindex(years)
        return float(v.mean() if self.how == "mean" else v.sum())

    def text(self) -> str:
        span = str(self.first) if self.how == "value" else f"{self.first}-{self.last}:{self.how}"
        return f"{self.column}@{span}"


@dataclass(frozen=True)
class Condition:
    """``measure op value``: the target (=) or a constraint (<=, >=)."""
    measure: Measure
    op: str
    value: float

    def gap(self, x: float) -> float:
        """How far a figure is from the limit, positive where the condition fails (constraints)."""
        return x - self.value if self.op == "<=" else self.value - x

    def holds(self, x: float) -> bool:
        return self.gap(x) <= REL_TOL * max(1.0, abs(self.value))

    def text(self) -> str:
        return f"{self.measure.text()} {self.op} {self.value:g}"


_MEASURE = r"([a-z_0-9]+)\s*(?:@\s*(\d{4})(?:\s*-\s*(\d{4})\s*:\s*(sum|mean))?)?"
_COND = re.compile(r"^\s*" + _MEASURE + r"\s*(<=|>=|=)\s*(\S+)\s*$")


def parse_measure(text: str, option: str, columns, years, col: str | None = None, y1=None, y2=None,
                  how=None) -> Measure:
    """``COLUMN@YEAR`` or ``COLUMN@Y1-Y2:sum`` (or ``:mean``) as a :class:`Measure`; without a year, the
    projection's last. SolveError, one line, if bad."""
    if col is None:
        m = re.match(r"^\s*" + _MEASURE + r"\s*$", str(text))
        if not m:
            raise SolveError(f"{option} {text!r}: write COLUMN@YEAR or COLUMN@YEAR1-YEAR2:sum (or :mean)")
        col, y1, y2, how = m.groups()
    if col not in columns:
        near = [c for c in columns if col in c or c in col][:3]
        raise SolveError(f"{option} {text!r}: {col!r} is not a column of annual.csv"
                         + (f"; did you mean {', '.join(near)}?" if near else " (README, Outputs)"))
    first = int(y1) if y1 else years[-1]
    last = int(y2 or first)
    if last < first or first < years[0] or last > years[-1]:
        raise SolveError(f"{option} {text!r}: the years must lie in the projection, {years[0]} to {years[-1]}, "
                         f"the first before the last")
    return Measure(col, first, last, how or "value")


def parse_condition(text: str, option: str, ops: tuple[str, ...], columns, years) -> Condition:
    """A ``--target`` or ``--subject-to`` text as a :class:`Condition`; SolveError, one line, if bad."""
    m = _COND.match(str(text))
    form = f'"COLUMN@YEAR {ops[0]} VALUE" or "COLUMN@YEAR1-YEAR2:sum {ops[0]} VALUE" (or :mean)'
    if not m or m.group(2) is None:
        raise SolveError(f"{option} {text!r}: write {form}")
    col, y1, y2, how, op, value = m.groups()
    if op not in ops:
        raise SolveError(f"{option} {text!r}: the sign must be {' or '.join(ops)}")
    measure = parse_measure(text, option, columns, years, col, y1, y2, how)
    try:
        v = float(value)
    except ValueError:
        raise SolveError(f"{option} {text!r}: {value!r} is not a number") from None
    if not math.isfinite(v):
        raise SolveError(f"{option} {text!r}: the value must be a finite number")
    return Condition(measure, op, v)


@dataclass(frozen=True)
class Vary:
    """The parameter solved for: a key path, and how the number is put there."""
    text: str
    keys: tuple                  # str keys and int list indices
    mode: str                    # number, at (a dated path's value from a year), growth, scale
    year: int | None = None

    def current(self, scen: Scenario) -> float | None:
        """The value now, where one number stands for it (None for a new dated value)."""
        node = _walk(scen.model_dump(mode="python"), self.keys, self.text)
        if self.mode == "number":
            return float(node)
        if self.mode == "growth":
            return float(node.get("growth_pa_after_last") or 0.0)
        if self.mode == "scale":
            return 1.0
        before = [v for k, v in sorted(node["values"].items()) if k <= f"{self.year}-12"]
        return float(before[-1]) if before else None                # the value in effect that year

    def applied(self, scen: Scenario, x: float) -> Scenario:
        """``scen`` with the value ``x`` put in (ScenarioError if the scenario refuses it)."""
        from model.scenario.loader import _validated
        raw = scen.model_dump(mode="python")
        parent = _walk(raw, self.keys[:-1], self.text)
        last = self.keys[-1]
        node = parent[last]
        if self.mode == "number":
            parent[last] = x
        elif self.mode == "growth":
            node["growth_pa_after_last"] = x
        elif self.mode == "at":
            node["values"][f"{self.year}-01"] = x
            node["values"] = dict(sorted(node["values"].items()))
        else:                                                       # scale
            values = node["values"] if _is_dated(node) else node
            for k in values:
                values[k] = values[k] * x
        out = _validated(raw, f"--vary {self.text} = {x:.6g}")
        out._files = list(scen._files)
        return out

    def change(self, scen: Scenario, x: float) -> dict:
        """The smallest override that puts ``x`` in: the section, with a list given whole."""
        raw = self.applied(scen, x).model_dump(mode="python")
        i = next((j for j, k in enumerate(self.keys) if isinstance(k, int)), len(self.keys))
        keys = self.keys[:i]                                       # a list is replaced whole
        value = _walk(raw, keys, self.text)
        for k in reversed(keys):
            value = {k: value}
        return value


def _is_dated(node) -> bool:
    return isinstance(node, dict) and "values" in node and "growth_pa_after_last" in node


_KEY = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)|\[(\d+)\]")


def _walk(raw, keys, text):
    node = raw
    for k in keys:
        try:
            node = node[k]
        except (KeyError, IndexError, TypeError):
            raise SolveError(f"--vary {text!r}: the scenario has no {_path_text(keys[:keys.index(k) + 1])}") from None
    return node


def _path_text(keys) -> str:
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else ("." if out else "") + k
    return out


def parse_vary(text: str, scen: Scenario) -> Vary:
    """A ``--vary`` text as a :class:`Vary` on ``scen``; SolveError, one line, if it names nothing
    that one number can set."""
    t = str(text).strip()
    m = re.match(r"^(.*?)(?:@(\d{4})|:(growth|scale))?$", t)
    path, year, suffix = m.group(1), m.group(2), m.group(3)
    keys, pos = [], 0
    for part in re.finditer(r"\.?([A-Za-z_][A-Za-z_0-9]*)|\[(\d+)\]", path):
        if part.start() != pos:
            break
        keys.append(part.group(1) if part.group(1) else int(part.group(2)))
        pos = part.end()
    if not keys or pos != len(path):
        raise SolveError(f"--vary {t!r}: write a key path such as benefits.basic_pension[1].monthly@2027, "
                         f"enrolment.rate_path:scale or benefits.long_contribution_yuan_per_year_over_15")
    node = _walk(scen.model_dump(mode="python"), keys, t)
    forms = "a number, a dated path (with @YEAR, :growth or :scale) or a mapping of numbers (with :scale)"
    if isinstance(node, bool) or node is None:
        raise SolveError(f"--vary {t!r}: {_path_text(keys)} is {node!r}, not {forms}")
    if isinstance(node, (int, float)):
        if year or suffix:
            raise SolveError(f"--vary {t!r}: {_path_text(keys)} is one number; give it without @YEAR or :{suffix}")
        return Vary(t, tuple(keys), "number")
    if _is_dated(node):
        if not (year or suffix):
            raise SolveError(f"--vary {t!r}: {_path_text(keys)} is a dated path; say which number: "
                             f"@YEAR (its value from that year), :growth (a year after its last date) or "
                             f":scale (every value multiplied)")
        if year:
            first, last = scen.scheme.start_year, scen.scheme.start_year + scen.scheme.horizon_years - 1
            if not first <= int(year) <= last:
                raise SolveError(f"--vary {t!r}: {year} is outside the projection ({first} to {last}), where a "
                                 f"value there changes nothing")
        return Vary(t, tuple(keys), "at" if year else suffix, int(year) if year else None)
    if isinstance(node, dict) and node and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               for v in node.values()):
        if suffix != "scale":
            raise SolveError(f"--vary {t!r}: {_path_text(keys)} is a mapping of numbers; vary it with :scale")
        return Vary(t, tuple(keys), "scale")
    raise SolveError(f"--vary {t!r}: {_path_text(keys)} is not {forms}")


# --------------------------------------------------------------------------
# The answer
# --------------------------------------------------------------------------
@dataclass
class Solution:
    """The value found [the parameter's unit], what the target and constraints came to, and how."""
    value: float
    achieved: float
    target: Condition
    constraints: dict                        # text -> figure at the solution
    binding: list                            # constraints at their limit at the solution
    method: str
    monotone: dict                           # condition text -> "rising", "falling" or "not monotone"
    bounds: tuple
    evaluations: list = field(default_factory=list)   # (value, {measure text: figure}) in order
    annual: pd.DataFrame | None = None
    scenario: Scenario | None = None

    def met(self) -> bool:
        return abs(self.achieved - self.target.value) <= REL_TOL * max(1.0, abs(self.target.value))


def default_runner(scen: Scenario) -> pd.DataFrame:
    """A projection's annual table (the engine, no detail)."""
    from model.engine.project import project
    return project(scen, detail=False).annual


def default_bounds(vary: Vary, scen: Scenario) -> tuple[float, float]:
    """The range searched when none is given: 0 to 1 for a share or a scale near 1, else 0 to four
    times the current value (at least 1)."""
    now = vary.current(scen)
    if vary.mode == "scale":
        return 0.0, 4.0
    if vary.mode == "growth":
        return -0.1, 0.2
    if now is not None and 0.0 <= now <= 1.0 and ("rate" in vary.text or "share" in vary.text):
        return 0.0, 1.0
    return 0.0, max(1.0, 4.0 * abs(now or 0.0))


def solve(scen: Scenario, vary: Vary, target: Condition, subject_to: tuple[Condition, ...] = (),
          bounds: tuple[float, float] | None = None,
          runner: Callable[[Scenario], pd.DataFrame] = default_runner) -> Solution:
    """The value of ``vary`` in ``bounds`` that meets ``target`` under ``subject_to`` (module doc);
    NoSolution with the best value found if there is none."""
    from scipy.optimize import brentq, minimize_scalar
    lo, hi = bounds or default_bounds(vary, scen)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise SolveError(f"--range {lo:g} {hi:g}: give two finite numbers, the lower first")
    conds = (target, *subject_to)
    cache: dict[float, dict] = {}
    evaluations: list = []
    annuals: dict[float, pd.DataFrame] = {}

    def figures(x: float) -> dict:
        x = float(x)
        if x not in cache:
            annual = runner(vary.applied(scen, x))
            cache[x] = {c.text(): c.measure.of(annual) for c in conds}
            annuals[x] = annual
            evaluations.append((x, cache[x]))
        return cache[x]

    xs = np.linspace(lo, hi, SAMPLES)
    samples = {c.text(): np.array([figures(x)[c.text()] for x in xs]) for c in conds}
    monotone = {k: _monotone(v) for k, v in samples.items()}
    # each constraint as a bound on the value
    a, b = lo, hi
    for c in subject_to:
        v = samples[c.text()]
        ok = np.array([c.holds(y) for y in v])
        if not ok.any():
            best = _best(xs, samples[target.text()], target, vary, scen, conds, figures, annuals,
                         evaluations, monotone, (lo, hi), "none: a constraint holds nowhere in range")
            raise NoSolution(f"{c.text()} holds nowhere in {lo:g} to {hi:g} (its figure runs "
                             f"{v.min():.6g} to {v.max():.6g})", best)
        if ok.all() or monotone[c.text()] == "not monotone":
            continue
        i = int(np.argmax(ok[1:] != ok[:-1]))                      # where it changes
        tol = REL_TOL * max(1.0, abs(c.value))                     # holds: gap <= tol, so the root of gap - tol
        edge = brentq(lambda x: c.gap(figures(x)[c.text()]) - tol, xs[i], xs[i + 1], xtol=1e-9 * (hi - lo))
        if ok[0]:
            b = min(b, edge)
        else:
            a = max(a, edge)
    if a > b:
        best = _best(xs, samples[target.text()], target, vary, scen, conds, figures, annuals, evaluations,
                     monotone, (lo, hi), "none: the constraints leave no value")
        raise NoSolution("the constraints together leave no value in range", best)

    def g(x):
        return figures(x)[target.text()] - target.value
    ga, gb = g(a), g(b)
    if monotone[target.text()] != "not monotone" and ga * gb <= 0:
        x = a if ga == 0 else b if gb == 0 else brentq(g, a, b, xtol=1e-12 * max(1.0, abs(hi - lo)), rtol=1e-12)
        method = f"brentq (the target is {monotone[target.text()]} in the value on the {SAMPLES} points sampled)"
    elif monotone[target.text()] != "not monotone":                 # monotone, never reaching it: the nearer end
        x = a if abs(ga) <= abs(gb) else b
        method = (f"none: the target is {monotone[target.text()]} in the value on the {SAMPLES} points sampled "
                  f"and does not reach {target.value:g} between {a:g} and {b:g}")
    else:
        res = minimize_scalar(lambda x: abs(g(x)), bounds=(a, b), method="bounded",
                              options={"xatol": 1e-9 * max(1.0, abs(hi - lo))})
        x = float(res.x)
        method = (f"bounded minimiser of the distance to the target (the target is not monotone in the value "
                  f"on the {SAMPLES} points sampled)")
    sol = _solution(x, target, vary, scen, conds, figures, annuals, evaluations, monotone, (lo, hi), method)
    if not sol.met() or any(not c.holds(sol.constraints[c.text()]) for c in subject_to):
        flat = " (the target does not move with the value there)" if monotone[target.text()] == "flat" else ""
        raise NoSolution(f"no value in {lo:g} to {hi:g} meets {target.text()}{flat}", sol)
    return sol


def _monotone(v: np.ndarray) -> str:
    d = np.diff(v)
    tol = 1e-12 * max(1.0, float(np.abs(v).max()))
    if (d >= -tol).all() and (d > tol).any():
        return "rising"
    if (d <= tol).all() and (d < -tol).any():
        return "falling"
    return "flat" if (np.abs(d) <= tol).all() else "not monotone"


def _solution(x, target, vary, scen, conds, figures, annuals, evaluations, monotone, bounds, method) -> Solution:
    f = figures(x)
    cons = {c.text(): f[c.text()] for c in conds[1:]}
    binding = [c.text() for c in conds[1:]
               if abs(c.gap(f[c.text()])) <= 1e-6 * max(1.0, abs(c.value))]
    return Solution(value=float(x), achieved=f[target.text()], target=target, constraints=cons, binding=binding,
                    method=method, monotone=monotone, bounds=bounds, evaluations=list(evaluations),
                    annual=annuals[float(x)], scenario=vary.applied(scen, float(x)))


def _best(xs, v, target, vary, scen, conds, figures, annuals, evaluations, monotone, bounds, method) -> Solution:
    i = int(np.argmin(np.abs(v - target.value)))
    return _solution(float(xs[i]), target, vary, scen, conds, figures, annuals, evaluations, monotone, bounds, method)


# --------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------
def solved_yaml(sol: Solution, vary: Vary, scen: Scenario, source: str, command: str, extends: str) -> str:
    """The solved scenario as a file ``run`` accepts: it extends the original and records how it was found."""
    import yaml
    change = vary.change(scen, sol.value)
    lines = [f"# Solved by: {command}",
             f"#   vary {vary.text} in {sol.bounds[0]:g} to {sol.bounds[1]:g}",
             f"#   target {sol.target.text()}" + "".join(f"; subject to {c}" for c in sol.constraints),
             f"#   method: {sol.method}; {len(sol.evaluations)} projections",
             f"#   solution {sol.value:.10g}; achieved {sol.achieved:.10g}"
             + (f"; binding: {', '.join(sol.binding)}" if sol.binding else "; no constraint binding"),
             f"# The original scenario: {source}",
             f"extends: {extends}",
             yaml.safe_dump({"title": f"{scen.title} — solved: {vary.text} = {sol.value:.6g}"},
                            allow_unicode=True, sort_keys=False).strip(),
             yaml.safe_dump(_plain(change), allow_unicode=True, sort_keys=False, width=110).strip()]
    return "\n".join(lines) + "\n"


def _plain(x):
    """YAML-safe: numpy numbers to Python numbers, tuples to lists."""
    if isinstance(x, dict):
        return {(_plain(k) if not isinstance(k, str) else k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    return copy.deepcopy(x)
