"""What changed and why (issue 16 §4): a difference between two projections split by group of parameters.

``python -m model explain OLD NEW --column COLUMN@YEAR --out DIR`` (OLD and NEW scenario files, or
folders of saved runs, whose manifest.json holds the scenario they ran), or :func:`explain`.

The scenarios' keys fall into groups (``GROUPS``: population, mortality, enrolment, tiers,
subsidies, interest, benefits, finance, and the scheme's dates; any other key that differs but
the title is its own group, so the parts always add up). Only the groups that differ take part.
Stepping from OLD to NEW one group at a time (``ORDER``), each group's part is the change in the
figure when its keys take NEW's values, the groups before it already changed: the parts add up
to the whole difference exactly (each step starts where the last ended). The order goes the way
the money flows, from who is there (population, mortality) to who joins (enrolment), what they
pay (tiers) and government adds (subsidies), what the accounts earn (interest), what is paid out
(benefits) and who bears the rest (finance); a group's part depends on the order where groups
interact. With ``shapley`` every order is averaged (the Shapley value: 2^n projections for n
groups, offered up to ``SHAPLEY_MAX`` groups), which adds up exactly too.
"""
from __future__ import annotations

import copy
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from model.scenario import Scenario, ScenarioError

# group -> (中文, the scenario's keys it holds: a top-level section, or section.key)
GROUPS = {
    "scheme": ("实施时间", ("scheme",)),
    "population": ("人口", ("population",)),
    "mortality": ("死亡率", ("population.mortality",)),
    "enrolment": ("参保", ("enrolment", "eligibility")),
    "tiers": ("缴费档次与缴费", ("contributions",)),
    "subsidies": ("政府补贴与代缴", ("subsidies", "on_behalf")),
    "interest": ("记账利率", ("accounts",)),
    "benefits": ("待遇", ("benefits",)),
    "finance": ("基金与兜底", ("finance",)),
}
ORDER = tuple(GROUPS)                     # the way the money flows (module doc)
IGNORED = ("title", "source")             # text that changes no number
SHAPLEY_MAX = 7                           # 2^7 = 128 projections


class ExplainError(ScenarioError):
    """Two projections that cannot be compared as asked: one line."""


def scenario_of(path: str | Path) -> tuple[Scenario, str]:
    """The scenario of a YAML file, or of a saved run's folder (its manifest.json's parameters), and
    how it was found."""
    from model import load_scenario
    from model.scenario.loader import _validated
    p = Path(path)
    if p.is_dir():
        man = p / "manifest.json"
        try:
            m = json.loads(man.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ExplainError(f"{path}: a folder, but not a saved run (cannot read {man.name}: "
                               f"{getattr(e, 'strerror', None) or e})") from None
        if not isinstance(m, dict) or not isinstance(m.get("parameters"), dict):
            raise ExplainError(f"{path}: its manifest.json has no scenario parameters (only `run` output folders do)")
        return _validated(m["parameters"], str(man)), f"the run in {path} ({m.get('created_utc', '?')})"
    return load_scenario(p), str(path)


def _get(raw: dict, key: str):
    node = raw
    for k in key.split("."):
        if not isinstance(node, dict) or k not in node:
            return None
        node = node[k]
    return node


def _set(raw: dict, key: str, value) -> None:
    parts = key.split(".")
    node = raw
    for k in parts[:-1]:
        node = node.setdefault(k, {})
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = copy.deepcopy(value)


def _canon(x):
    """A value as it compares: numbers as floats, mapping keys as text (a saved run's manifest
    went through JSON, which writes the tier 100 as "100")."""
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            try:
                key = str(float(k)) if not isinstance(k, bool) else str(k)
            except (TypeError, ValueError):
                key = str(k)
            out[key] = _canon(v)
        return out
    if isinstance(x, (list, tuple)):
        return [_canon(v) for v in x]
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return float(x)
    return x


def _groups(old: dict, new: dict) -> dict[str, tuple[str, ...]]:
    """The groups whose keys differ, with their keys; keys of no group that differ are their own."""
    out = {}
    claimed = {k for _, keys in GROUPS.values() for k in keys}
    for g, (_, keys) in GROUPS.items():
        # a section's own keys, without the sub-keys another group claims (population.mortality)
        own = []
        for k in keys:
            subs = [c for c in claimed if c.startswith(k + ".")]
            if subs:
                sect_old, sect_new = dict(_get(old, k) or {}), dict(_get(new, k) or {})
                for sk in set(sect_old) | set(sect_new):
                    if f"{k}.{sk}" not in subs:
                        own.append(f"{k}.{sk}")
            else:
                own.append(k)
        if any(_canon(_get(old, k)) != _canon(_get(new, k)) for k in own):
            out[g] = tuple(own)
    for k in sorted(set(old) | set(new)):
        if (k not in IGNORED and not any(k == c.split(".")[0] for c in claimed)
                and _canon(old.get(k)) != _canon(new.get(k))):
            out[k] = (k,)
    return out


@dataclass
class Explanation:
    """The whole difference and its parts [the column's unit], step by step and (if asked) Shapley."""
    measure: str
    old_value: float
    new_value: float
    steps: pd.DataFrame                       # group, label_zh, keys, before, after, part (in ORDER)
    shapley: pd.Series | None                 # group -> part, averaged over every order
    old_source: str
    new_source: str
    projections: int = 0
    order_note: str = field(default="")

    @property
    def total(self) -> float:
        return self.new_value - self.old_value

    def table(self) -> pd.DataFrame:
        """One row a group: its part stepping in ORDER (and the Shapley part), then the total [unit]."""
        t = self.steps[["group", "label_zh", "keys", "part"]].copy()
        if self.shapley is not None:
            t["shapley_part"] = t["group"].map(self.shapley)
        total = {"group": "total", "label_zh": "合计", "keys": "", "part": self.total}
        if self.shapley is not None:
            total["shapley_part"] = self.total
        return pd.concat([t, pd.DataFrame([total])], ignore_index=True)


def explain(old: Scenario, new: Scenario, measure, shapley: bool = False,
            runner: Callable[[Scenario], pd.DataFrame] | None = None,
            old_source: str = "OLD", new_source: str = "NEW") -> Explanation:
    """Split ``measure``'s difference between ``old`` and ``new`` by group (module doc).

    ``measure`` is a :class:`model.tools.solve.Measure`; ``runner`` a scenario's annual table
    (default: the engine). ExplainError if the scenarios cannot be compared group by group.
    """
    from model.scenario.loader import _validated
    from model.tools.solve import default_runner
    runner = runner or default_runner
    a, b = old.model_dump(mode="python"), new.model_dump(mode="python")
    groups = _groups(a, b)
    names = [g for g in ORDER if g in groups] + [g for g in groups if g not in ORDER]
    if shapley and len(names) > SHAPLEY_MAX:
        raise ExplainError(f"--shapley: {len(names)} groups differ ({', '.join(names)}); the Shapley average "
                           f"needs 2^{len(names)} projections and is offered up to {SHAPLEY_MAX} groups")
    memo: dict[frozenset, float] = {}

    def figure(changed: frozenset) -> float:
        if changed not in memo:
            raw = copy.deepcopy(a)
            for g in changed:
                for k in groups[g]:
                    _set(raw, k, _get(b, k))
            if changed == frozenset(names):
                raw = copy.deepcopy(b)                             # exactly NEW (its title too)
            try:
                scen = _validated(raw, "explain") if changed else old
            except ScenarioError as e:
                raise ExplainError(f"OLD with {', '.join(sorted(changed))} from NEW is not a scenario ({e}); these "
                                   f"groups cannot change apart, so this pair cannot be explained group by group") from None
            memo[changed] = measure.of(runner(scen))
        return memo[changed]

    before = figure(frozenset())
    rows, done, joint = [], frozenset(), []
    for i, g in enumerate(names):
        joint.append(g)
        start = figure(done)
        try:
            end = figure(done | set(joint))
        except ExplainError:
            if i + 1 < len(names):         # cannot step alone (a start date and its enrolment path): with the next
                continue
            raise
        done = done | set(joint)
        rows.append(dict(group="+".join(joint), label_zh="+".join(GROUPS.get(h, (h,))[0] for h in joint),
                         keys=", ".join(k for h in joint for k in groups[h]), before=start, after=end, part=end - start))
        joint = []
    after = figure(done)
    sh = None
    if shapley:
        n = len(names)
        sh = pd.Series(0.0, index=names)
        for g in names:
            others = [h for h in names if h != g]
            for r in range(n):
                for subset in itertools.combinations(others, r):
                    s = frozenset(subset)
                    weight = math.factorial(r) * math.factorial(n - r - 1) / math.factorial(n)
                    sh[g] += weight * (figure(s | {g}) - figure(s))
    steps = pd.DataFrame(rows, columns=["group", "label_zh", "keys", "before", "after", "part"])
    return Explanation(measure=measure.text(), old_value=before, new_value=after, steps=steps,
                       shapley=sh, old_source=old_source, new_source=new_source, projections=len(memo),
                       order_note=(", ".join(steps.group) + ": the way the money flows") if len(steps)
                       else "nothing differs")


def _bar_label(v: float, sign: bool = False) -> str:
    """A bar's amount: thousands separators from 100 up (never 8.6e+04), else 3 significant digits."""
    text = f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+,.3g}"
    return text if sign else text.lstrip("+")


def waterfall(ex: Explanation, path: Path | None, lang: str = "zh", scale: float = 1.0,
              unit_label: str | None = None, title: str | None = None):
    """A waterfall chart: OLD's figure, each group's part, NEW's figure (PNG at ``path``; the
    figure itself when ``path`` is None). Amounts are divided by ``scale`` and the axis says
    ``unit_label`` (a report's 万元 or 亿元)."""
    import matplotlib
    if path is not None:                 # a file from the command line; in a notebook, keep its backend
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from model.report.fonts import setup_matplotlib
    lang = setup_matplotlib(lang)
    zh = lang == "zh"
    parts = ex.steps
    labels = [("旧方案" if zh else "old")] + [(f"{r.label_zh}\n{r.group}" if zh else r.group)
                                            for r in parts.itertuples()] + [("新方案" if zh else "new")]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(labels)), 4.0))
    level = ex.old_value
    from model.results import VARIABLES
    column = ex.measure.split("@")[0]
    unit = VARIABLES.get(column, ("",))[0]
    level = level / scale
    ax.bar(0, ex.old_value / scale, color="#7f8c8d")
    for i, r in enumerate(parts.itertuples(), start=1):
        part = r.part / scale
        ax.bar(i, part, bottom=level, color="#c0392b" if part > 0 else "#2471a3")
        ax.annotate(_bar_label(part, sign=True), (i, max(level, level + part)), ha="center", va="bottom", fontsize=7)
        level += part
    ax.bar(len(labels) - 1, ex.new_value / scale, color="#7f8c8d")
    for i, v in ((0, ex.old_value / scale), (len(labels) - 1, ex.new_value / scale)):
        ax.annotate(_bar_label(v), (i, max(v, 0.0)), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_title(title or (("变化分解: " if zh else "What changed: ") + ex.measure))
    ax.set_ylabel(unit_label or (f"{column} ({unit})" if unit else column))
    ax.set_xlabel("分组" if zh else "group")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.margins(y=0.12)                                            # room for the labels above the bars
    fig.tight_layout()
    if path is None:
        return fig
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None
