"""Adequacy (issue 16 §2): pensions against incomes and the 低保 line by year, and replacement rates
for a grid of members.

``python -m model adequacy SCENARIO --out DIR [--income-growth R] [--dibao-rural-yuan-pa X]
[--dibao-urban-yuan-pm Y] [--pension-year Y] [--lang zh|en] [--force]``, or :func:`adequacy` from
Python. The command writes ``WRITES`` and manifest.json (``model.io.outputs``).

By year (:func:`indicators`, ``adequacy.csv``): the average monthly pension (``annual.csv``'s
``average_monthly_pension``: pension paid per pensioner-month) and the first monthly pension of
those starting at 60 (``new_pension_monthly_at_60``), each × 12, over the rural and the urban
per-capita disposable income of the year (:func:`income_path`) and over the 低保 line. The
pensions are the engine's; nothing is recomputed here.

- **Income**: the NBS national per-capita disposable income, urban and rural, yuan a year
  (``model/data/raw/nbs_disposable_income_2013_2024.csv``, model/data/PROVENANCE.md), as shipped
  for the years it has both (2014-2024); later years grow at ``growth_pa`` a year from the last.
  ASSUMPTION (the default, :func:`default_growth_pa`): the all-residents figure's average
  nominal growth over the table's last five years (2019-2024: 6.10 % a year), computed from
  the table, for both series. One rate for both, not each its own: rural income grew faster
  (7.6 % against 5.0 % a year, 2019-2024), and each at its own rate would put rural income
  above urban about 2060. Years before the table's first complete year have no income: the
  indicators start there.
- **低保 line**: the Ministry of Civil Affairs' national average standards for 2024 were not
  found offline (model/data/PROVENANCE.md), so the default (``DEFAULT_DIBAO``) is an ASSUMPTION:
  rural 7,000 yuan a year, urban 800 yuan a month, round figures above the last national
  averages found (2021 Q1: urban 684.1 yuan a month, rural 503.8 a month = 6,046 a year),
  about 4 % a year later. Give the real ones with ``dibao=DibaoLine(...)`` or the CLI options.
  ASSUMPTION: in other years the line moves with the per-capita income of its area, so that a
  ratio to the 低保 line is not flattered by a line frozen at its 2024 value. If anything this is
  slow: from 2015 to March 2021 the urban line rose 8.3 % a year (451.1 to 684.1 yuan a month)
  against urban income's 7.2 % (2015-2021), the rural line 13 % against rural income's 8.8 %.

For members (:func:`replacement_grid`, ``replacement_rates.csv``): one illustration of the member
calculator (``model.member.calculator.illustrate``, the same rules as the engine) for each tier ×
years paid × entry age × sex: a rural member entering at age A pays N years in a row from A
(``stop_after_years``, as ``what_if`` builds its members with ``replace``) and so needs
A + N - 1 <= 60. Every member of the grid turns 60 in the same year (``pension_year``; default the
first year in which the youngest entry age can enrol at the scheme's start), born in June
(``BIRTH_MONTH``), so that the rows differ only by what the member chose. The replacement rate is
the first monthly pension × 12 over the rural per-capita disposable income of the year the
pension starts. Combinations no member can have are left out and listed (``attrs["skipped"]``).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from model import dims
from model.io.tables import DATA_DIR, read_data_csv
from model.scenario import Scenario, ScenarioError

MONTHS_PER_YEAR = 12
INCOME_FILE = "nbs_disposable_income_2013_2024.csv"
GROWTH_WINDOW_YEARS = 5            # the default growth: the table's last five years (2019-2024)
GROWTH_RANGE = (-0.10, 0.30)       # allowed --income-growth (below)
BIRTH_MONTH = 6                    # the grid's members are born in June: paid from July of the 60th year
YEARS_PAID = (15, 20, 30, 40)
ENTRY_AGES = (16, 30, 45)
SEXES = dims.SEXES
COMMAND = "adequacy"
WRITES = ("adequacy.csv", "replacement_rates.csv", "adequacy.png")

_COLS = {"all": "disposable_income_all_yuan_per_capita_per_year",
         "urban": "disposable_income_urban_yuan_per_capita_per_year",
         "rural": "disposable_income_rural_yuan_per_capita_per_year"}


@dataclass(frozen=True)
class DibaoLine:
    """The 低保 (minimum living guarantee) line: national average standards in ``year``
    [rural yuan/year, urban yuan/month], and where they come from."""
    rural_yuan_pa: float
    urban_yuan_pm: float
    year: int = 2024
    source: str = ""


# ASSUMPTION (module doc): the Ministry's 2024 national averages were not found offline.
DEFAULT_DIBAO = DibaoLine(
    rural_yuan_pa=7000.0, urban_yuan_pm=800.0, year=2024,
    source="ASSUMPTION: MCA 2024 national averages not found offline; round figures about 4 % a year "
           "above the last found (2021 Q1: urban 684.1 yuan/month, rural 503.8 yuan/month)")

# The by-year columns, as model.results.VARIABLES declares annual.csv's: (unit, 中文, English).
VARIABLES = {
    "year": ("year", "年份", "calendar year"),
    "average_monthly_pension": ("yuan_per_month", "人均月养老金", "annual.csv's: pension paid per pensioner-month"),
    "new_pension_monthly_at_60": ("yuan_per_month", "当年60岁新领取人员月养老金",
                                  "annual.csv's: the first monthly pension of those starting at 60; empty if none start"),
    "rural_income_yuan_pa": ("yuan_per_year", "农村居民人均可支配收入", "NBS national; after the table grown at the assumed rate"),
    "urban_income_yuan_pa": ("yuan_per_year", "城镇居民人均可支配收入", "NBS national; after the table grown at the assumed rate"),
    "income_projected": ("flag", "收入为假设增长", "true after the table's last year (income grown at the assumed rate)"),
    "dibao_rural_yuan_pa": ("yuan_per_year", "农村低保标准", "the rural 低保 line, moved with rural income from its year"),
    "dibao_urban_yuan_pm": ("yuan_per_month", "城市低保标准", "the urban 低保 line, moved with urban income from its year"),
    "average_pension_to_rural_income_ratio": ("ratio", "人均养老金/农村居民人均可支配收入", "average monthly pension x 12 / rural income"),
    "average_pension_to_urban_income_ratio": ("ratio", "人均养老金/城镇居民人均可支配收入", "average monthly pension x 12 / urban income"),
    "new_pension_to_rural_income_ratio": ("ratio", "新领取养老金/农村居民人均可支配收入", "new pension at 60 x 12 / rural income"),
    "new_pension_to_urban_income_ratio": ("ratio", "新领取养老金/城镇居民人均可支配收入", "new pension at 60 x 12 / urban income"),
    "average_pension_to_rural_dibao_ratio": ("ratio", "人均养老金/农村低保标准", "average monthly pension x 12 / rural 低保 line"),
    "average_pension_to_urban_dibao_ratio": ("ratio", "人均养老金/城市低保标准", "average monthly pension / urban 低保 line"),
    "new_pension_to_rural_dibao_ratio": ("ratio", "新领取养老金/农村低保标准", "new pension at 60 x 12 / rural 低保 line"),
    "new_pension_to_urban_dibao_ratio": ("ratio", "新领取养老金/城市低保标准", "new pension at 60 / urban 低保 line"),
}


# --------------------------------------------------------------------------
# Income
# --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _income_table() -> pd.DataFrame:
    df = read_data_csv(DATA_DIR / INCOME_FILE)
    out = pd.DataFrame({"year": df["year"].astype(int)})
    for k, c in _COLS.items():
        out[k] = pd.to_numeric(df[c], errors="coerce").astype(float)   # empty: not found (PROVENANCE)
    return out.set_index("year").sort_index()


def income_table() -> pd.DataFrame:
    """The NBS national per-capita disposable income [yuan/year] by year: columns ``all``,
    ``urban``, ``rural``; NaN where the figure was not found (model/data/PROVENANCE.md)."""
    return _income_table().copy()


def _complete() -> pd.DataFrame:
    """The years with both the urban and the rural figure (2014-2024)."""
    t = _income_table()
    return t.dropna(subset=["urban", "rural"])


def default_growth_pa() -> float:
    """ASSUMPTION: the nominal growth of income after the table [per year]: the all-residents
    figure's average over the table's last ``GROWTH_WINDOW_YEARS`` years, (41,314 / 30,733)^(1/5) - 1
    = 6.10 % a year for 2019-2024, applied to both series (module doc)."""
    s = _income_table()["all"].dropna()
    last = int(s.index.max())
    first = last - GROWTH_WINDOW_YEARS
    return float((s.loc[last] / s.loc[first]) ** (1.0 / GROWTH_WINDOW_YEARS) - 1.0)


def check_growth(growth_pa: float, option: str = "--income-growth") -> float:
    """``growth_pa`` as a float, or one ScenarioError line: a finite fraction a year from -0.10 to 0.30."""
    try:
        g = float(growth_pa)
    except (TypeError, ValueError):
        g = math.nan
    lo, hi = GROWTH_RANGE
    if not (math.isfinite(g) and lo <= g <= hi):
        raise ScenarioError(f"{option} {growth_pa}: give the nominal growth of per-capita income as a fraction "
                            f"a year from {lo:g} to {hi:g} (0.05 = 5 %); China's grew 4.7-10.5 % a year in "
                            f"2014-2024 (NBS), and a rate outside that range held for decades is not a projection")
    return g


def income_path(years, growth_pa: float | None = None) -> pd.DataFrame:
    """Per-capita disposable income by year [yuan/year]: columns ``year``, ``rural_income_yuan_pa``,
    ``urban_income_yuan_pa``, ``income_projected``.

    Years in the table as shipped; after its last year the last figure grown at ``growth_pa`` a
    year (compounded: last × (1 + g)^(year - last); None: :func:`default_growth_pa`). Years before
    the table's first complete year are left out (the indicators start there).
    """
    g = default_growth_pa() if growth_pa is None else check_growth(growth_pa)
    tab = _complete()
    first, last = int(tab.index.min()), int(tab.index.max())
    rows = []
    for y in sorted({int(y) for y in np.atleast_1d(years)}):
        if y < first:
            continue
        if y in tab.index:
            r, u = tab.loc[y, "rural"], tab.loc[y, "urban"]
        elif y > last:
            f = (1.0 + g) ** (y - last)
            r, u = tab.loc[last, "rural"] * f, tab.loc[last, "urban"] * f
        else:                          # a gap inside the table (none shipped): geometric between neighbours
            lo, hi = int(tab.index[tab.index < y].max()), int(tab.index[tab.index > y].min())
            w = (y - lo) / (hi - lo)
            r, u = (tab.loc[lo, k] * (tab.loc[hi, k] / tab.loc[lo, k]) ** w for k in ("rural", "urban"))
        rows.append({"year": y, "rural_income_yuan_pa": float(r), "urban_income_yuan_pa": float(u),
                     "income_projected": y > last})
    return pd.DataFrame(rows, columns=["year", "rural_income_yuan_pa", "urban_income_yuan_pa", "income_projected"])


# --------------------------------------------------------------------------
# Indicators by year
# --------------------------------------------------------------------------
def check_dibao(dibao: DibaoLine) -> DibaoLine:
    """One ScenarioError line for a 低保 line no county has."""
    for option, v, top, unit in (("--dibao-rural-yuan-pa", dibao.rural_yuan_pa, 100_000.0, "yuan a year"),
                                 ("--dibao-urban-yuan-pm", dibao.urban_yuan_pm, 10_000.0, "yuan a month")):
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        if not (math.isfinite(x) and 0 < x <= top):
            raise ScenarioError(f"{option} {v}: give the 低保 line in {unit}, above 0 and at most {top:,.0f} "
                                f"(the highest city lines are below 1,600 yuan a month)")
    return dibao


def indicators(annual: pd.DataFrame, growth_pa: float | None = None,
               dibao: DibaoLine = DEFAULT_DIBAO) -> pd.DataFrame:
    """Pensions against income and the 低保 line by year [yuan, ratios]; one row a year from the
    income table's first complete year (columns: ``VARIABLES``).

    ``annual``: a projection's annual table (``average_monthly_pension``,
    ``new_pension_monthly_at_60``; 0 for none is left empty here). Ratios: monthly pension × 12
    over income a year; × 12 over the rural line a year; over the urban line a month. The 低保
    line moves with its area's income from ``dibao.year`` (module doc).
    """
    check_dibao(dibao)
    g = default_growth_pa() if growth_pa is None else check_growth(growth_pa)
    a = annual[["year", "average_monthly_pension", "new_pension_monthly_at_60"]].copy()
    a["year"] = a["year"].astype(int)
    inc = income_path(a["year"], g)
    out = inc.merge(a, on="year", how="inner")
    base = income_path([dibao.year], g).set_index("year")
    if base.empty:
        raise ScenarioError(f"the 低保 line's year {dibao.year} is before the income table starts "
                            f"({int(_complete().index.min())})")
    out["dibao_rural_yuan_pa"] = dibao.rural_yuan_pa * out["rural_income_yuan_pa"] / base["rural_income_yuan_pa"].iloc[0]
    out["dibao_urban_yuan_pm"] = dibao.urban_yuan_pm * out["urban_income_yuan_pa"] / base["urban_income_yuan_pa"].iloc[0]
    avg = out["average_monthly_pension"].astype(float)
    new = out["new_pension_monthly_at_60"].astype(float).where(out["new_pension_monthly_at_60"] > 0)  # none start: empty
    out["new_pension_monthly_at_60"] = new
    for who, pm in (("average", avg), ("new", new)):
        out[f"{who}_pension_to_rural_income_ratio"] = pm * MONTHS_PER_YEAR / out["rural_income_yuan_pa"]
        out[f"{who}_pension_to_urban_income_ratio"] = pm * MONTHS_PER_YEAR / out["urban_income_yuan_pa"]
    for who, pm in (("average", avg), ("new", new)):
        out[f"{who}_pension_to_rural_dibao_ratio"] = pm * MONTHS_PER_YEAR / out["dibao_rural_yuan_pa"]
        out[f"{who}_pension_to_urban_dibao_ratio"] = pm / out["dibao_urban_yuan_pm"]
    return out[list(VARIABLES)].reset_index(drop=True)


# --------------------------------------------------------------------------
# Replacement rates for a grid of members
# --------------------------------------------------------------------------
GRID_COLUMNS = ["tier_yuan_pa", "years_paid", "entry_age", "sex", "birth_year", "enrol_year", "last_paid_year",
                "entitled", "first_payment", "monthly_basic_yuan_pm", "monthly_account_yuan_pm", "monthly_topups_yuan_pm",
                "monthly_total_yuan_pm", "rural_income_yuan_pa", "replacement_rate_rural_income",
                "break_even_age_years", "irr_pa"]


def default_pension_year(scenario: Scenario, entry_ages=ENTRY_AGES) -> int:
    """The year the grid's members turn 60: the first in which a member of the youngest entry age
    can have enrolled at the scheme's start (start year + 60 - youngest age; 2053 for national.yaml),
    so every combination that fits before 60 can be illustrated, all under the 15-year rule."""
    return int(scenario.scheme.start_year + dims.PENSION_AGE - min(int(a) for a in entry_ages))


def grid_tiers(scenario: Scenario, counter=None) -> tuple[float, ...]:
    """The tiers a rural member may choose [yuan/year]: the province's own (``counter``) or the
    scenario's, as ``what_if`` takes them."""
    from model.member.counter import Counter, counter_scenario, own_tiers
    from model.parameters import resolve
    counter = counter or Counter()
    own = own_tiers(counter)
    if own is not None:
        return tuple(float(t) for t in own[0])
    P = resolve(counter_scenario(scenario, counter))
    return tuple(float(t) for t in P.tiers[P.tier_allowed[dims.AREAS.index("rural")]])


def _check_grid(years_paid, entry_ages, sexes) -> None:
    for n in years_paid:
        if int(n) != n or not 1 <= n <= dims.PENSION_AGE - dims.ENTRY_AGE + 1:
            raise ScenarioError(f"years paid {n}: give whole years from 1 to {dims.PENSION_AGE - dims.ENTRY_AGE + 1} "
                                f"(16 to 60, D1 Art. 6-7)")
    for a in entry_ages:
        if int(a) != a or not dims.ENTRY_AGE <= a <= dims.PENSION_AGE:
            raise ScenarioError(f"entry age {a}: give a whole age from {dims.ENTRY_AGE} to {dims.PENSION_AGE} "
                                f"(members are 16 or over, D1 Art. 6)")
    for s in sexes:
        if s not in dims.SEXES:
            raise ScenarioError(f"sex {s!r}: allowed {', '.join(dims.SEXES)}")


def replacement_grid(scenario: Scenario, tiers=None, years_paid=YEARS_PAID, entry_ages=ENTRY_AGES,
                     sexes=SEXES, counter=None, growth_pa: float | None = None,
                     pension_year: int | None = None) -> pd.DataFrame:
    """The first monthly pension and the replacement rate of rural members [yuan/month, ratio],
    one row per tier × years paid × entry age × sex that a member can have (``GRID_COLUMNS``).

    Each row is ``model.member.calculator.illustrate`` of a rural member born in June of
    ``pension_year`` - 60 (default :func:`default_pension_year`), enrolling at ``entry_age`` and
    paying the tier ``years_paid`` years in a row (D1 Art. 7), then nothing to 60. The replacement
    rate is ``monthly_total_yuan_pm`` × 12 over the rural per-capita disposable income of the year
    the pension starts (:func:`income_path`; empty before the income table starts). Left out, and
    listed in ``attrs["skipped"]``: entry age + years paid - 1 above 60 (the years do not fit
    before 60), enrolment before the scheme starts, inputs the calculator refuses.
    ``attrs["pension_year"]`` is the year the members turn 60.
    """
    from model.member.calculator import illustrate
    from model.member.counter import Counter
    from model.member.inputs import Member, MemberInputError
    _check_grid(years_paid, entry_ages, sexes)
    counter = counter or Counter()
    g = default_growth_pa() if growth_pa is None else check_growth(growth_pa)
    tiers = grid_tiers(scenario, counter) if tiers is None else tuple(float(t) for t in tiers)
    year60 = default_pension_year(scenario, entry_ages) if pension_year is None else int(pension_year)
    birth = year60 - dims.PENSION_AGE
    # the grid's members may be born after today: illustrate them as of their 60th year
    today = max(_dt.date.today(), _dt.date(year60, 12, 31))
    start = scenario.scheme.start_year
    rows, skipped = [], []
    for age in entry_ages:
        for n in years_paid:
            last_age = int(age) + int(n) - 1
            if last_age > dims.PENSION_AGE:
                skipped.append(f"entry age {age}, {n} years paid: ages {age}-{last_age} run past 60 "
                               f"({age} + {n} - 1 > 60)")
                continue
            enrol = birth + int(age)
            if enrol < start:
                skipped.append(f"entry age {age}, {n} years paid: enrols in {enrol}, before the scheme starts "
                               f"({scenario.scheme.start}); choose a later pension year")
                continue
            for tier in tiers:
                for sex in sexes:
                    m = Member(birth_year=birth, birth_month=BIRTH_MONTH, enrol_year=enrol, tier=float(tier),
                               sex=sex, area="rural", stop_after_years=int(n))
                    try:
                        s = illustrate(scenario, m, today=today, counter=counter).summary
                    except MemberInputError as exc:
                        skipped.append(f"entry age {age}, {n} years paid, tier {tier:g}, {sex}: {exc}")
                        continue
                    first = s["first_payment"]
                    pay_year = int(first[:4]) if first else year60
                    inc = income_path([pay_year], g)
                    income = float(inc["rural_income_yuan_pa"].iloc[0]) if len(inc) else math.nan
                    total = float(s["monthly_total"])
                    rows.append(dict(
                        tier_yuan_pa=float(tier), years_paid=int(n), entry_age=int(age), sex=sex, birth_year=birth,
                        enrol_year=enrol, last_paid_year=enrol + int(n) - 1, entitled=bool(s["eligible"]),
                        first_payment=first, monthly_basic_yuan_pm=float(s["monthly_basic_pension"]),
                        monthly_account_yuan_pm=float(s["monthly_account_pension"]),
                        monthly_topups_yuan_pm=float(s["monthly_topups"]), monthly_total_yuan_pm=total,
                        rural_income_yuan_pa=income,
                        replacement_rate_rural_income=total * MONTHS_PER_YEAR / income,
                        break_even_age_years=s["break_even_age"], irr_pa=s["irr"]))
    if not rows:
        raise ScenarioError(f"--pension-year {year60}: every member of the grid is left out (each would have to "
                            f"enrol before the scheme starts or outside ages 16 to 60); give a later year")
    out = pd.DataFrame(rows, columns=GRID_COLUMNS)
    out.attrs["skipped"] = skipped
    out.attrs["pension_year"] = year60
    return out


# --------------------------------------------------------------------------
# The whole question: files and chart
# --------------------------------------------------------------------------
@dataclass
class AdequacyResult:
    """Indicators by year (``by_year``), the members' grid (``grid``) and what was assumed."""
    by_year: pd.DataFrame
    grid: pd.DataFrame
    growth_pa: float
    dibao: DibaoLine
    pension_year: int
    scenario_title: str = ""
    skipped: list = field(default_factory=list)

    @property
    def income_last_year(self) -> int:
        return int(_complete().index.max())

    def assumptions(self) -> dict:
        """What the result rests on, for a manifest."""
        return {"income_table": INCOME_FILE, "income_last_shipped_year": self.income_last_year,
                "income_growth_pa_after": self.growth_pa,
                "income_growth_is_default": math.isclose(self.growth_pa, default_growth_pa()),
                "dibao": {"rural_yuan_pa": self.dibao.rural_yuan_pa, "urban_yuan_pm": self.dibao.urban_yuan_pm,
                          "year": self.dibao.year, "source": self.dibao.source,
                          "other_years": "moved with the area's per-capita income (ASSUMPTION)"},
                "grid": {"pension_year": self.pension_year, "birth_month": BIRTH_MONTH, "area": "rural",
                         "skipped": self.skipped}}

    def to_files(self, folder, lang: str = "zh") -> list[Path]:
        """Write ``adequacy.csv`` (by year), ``replacement_rates.csv`` (grid) and ``adequacy.png``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / name for name in WRITES]
        _rounded(self.by_year).to_csv(paths[0], index=False)
        _rounded(self.grid).to_csv(paths[1], index=False)
        chart(self, paths[2], lang)
        return paths


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    """For the CSV files: yuan to the fen, ratios and rates to 6 decimals (the frames keep full precision)."""
    out = df.copy()
    for c in out.columns:
        if not pd.api.types.is_float_dtype(out[c]):
            continue
        if c.endswith(("_ratio", "_pa")) and not c.endswith("yuan_pa") or c.startswith("replacement_rate"):
            out[c] = out[c].round(6)
        elif "yuan" in c or "pension" in c:
            out[c] = out[c].round(2)
    return out


def adequacy(scenario: Scenario, annual: pd.DataFrame | None = None, growth_pa: float | None = None,
             dibao: DibaoLine = DEFAULT_DIBAO, pension_year: int | None = None, counter=None,
             **grid) -> AdequacyResult:
    """Both parts for ``scenario``: :func:`indicators` of its projection's annual table (projected
    here unless given) and :func:`replacement_grid` (``grid``: its keyword arguments)."""
    g = default_growth_pa() if growth_pa is None else check_growth(growth_pa)
    check_dibao(dibao)
    if annual is None:
        from model.engine.project import project
        annual = project(scenario, detail=False).annual
    by_year = indicators(annual, g, dibao)
    tab = replacement_grid(scenario, counter=counter, growth_pa=g, pension_year=pension_year, **grid)
    return AdequacyResult(by_year=by_year, grid=tab, growth_pa=g, dibao=dibao, pension_year=tab.attrs["pension_year"],
                          scenario_title=scenario.title, skipped=list(tab.attrs["skipped"]))


_LINES = {   # (who, area) -> (中文, English): the same four lines in both panels
    ("average", "rural"): ("人均养老金(农村)", "average pension (rural)"),
    ("new", "rural"): ("60岁新领取养老金(农村)", "new pension at 60 (rural)"),
    ("average", "urban"): ("人均养老金(城镇)", "average pension (urban)"),
    ("new", "urban"): ("60岁新领取养老金(城镇)", "new pension at 60 (urban)"),
}
_STYLE = {"average": "-", "new": "--"}
_COLOUR = {"rural": "#1f6f3f", "urban": "#2471a3"}


def chart(res: AdequacyResult, path, lang: str = "zh") -> None:
    """Two panels (PNG): pensions × 12 over per-capita disposable income, and over the 低保 line, by
    year, rural and urban; the years after the income table shaded (income grown at the assumed rate)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter
    from model.report.fonts import setup_matplotlib
    zh = setup_matplotlib(lang) == "zh"
    d = res.by_year
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.8))
    panels = ((axes[0], "income", "养老金 ÷ 居民人均可支配收入(农村、城镇)" if zh else "Pension ÷ per-capita disposable income"),
              (axes[1], "dibao", "养老金 ÷ 低保标准" if zh else "Pension ÷ dibao (minimum living) line"))
    last = res.income_last_year
    handles = []
    for ax, kind, title in panels:
        handles = []
        for area in ("rural", "urban"):
            for who in ("average", "new"):
                line, = ax.plot(d["year"], d[f"{who}_pension_to_{area}_{kind}_ratio"], _STYLE[who],
                                color=_COLOUR[area], linewidth=1.6, label=_LINES[(who, area)][0 if zh else 1])
                handles.append(line)
        if d["year"].max() > last:
            ax.axvspan(last + 0.5, d["year"].max() + 0.5, color="#eeeeee", zorder=0)
            ax.annotate(f"{last}年后: 收入按年增长{res.growth_pa:.1%}(假设)" if zh
                        else f"after {last}: income +{res.growth_pa:.1%} a year (assumed)",
                        xy=(0.98, 0.97), xycoords="axes fraction", ha="right", va="top", fontsize=8,
                        color="#555555")
        ax.set_title(title, fontsize=11)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.08)            # room for the note above the lines
        ax.set_xlabel("年份" if zh else "year")
        ax.grid(True, color="#dddddd", linewidth=0.6)
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=9, frameon=False, bbox_to_anchor=(0.5, 0.045))
    assumed = res.dibao.source.startswith("ASSUMPTION")
    note = (f"养老金按月×12与年收入相比。低保标准: 农村{res.dibao.rural_yuan_pa:,.0f}元/年, 城市{res.dibao.urban_yuan_pm:,.0f}"
            f"元/月({res.dibao.year}年" + (", 假设" if assumed else "") + "), 其他年份随当地居民收入变动。"
            if zh else
            f"Monthly pensions x 12 over income a year. Dibao lines: rural {res.dibao.rural_yuan_pa:,.0f} yuan/year, "
            f"urban {res.dibao.urban_yuan_pm:,.0f} yuan/month in {res.dibao.year}" + (" (assumed)" if assumed else "")
            + ", moving with income in other years.")
    from model.report.fonts import find_cjk_font
    title = res.scenario_title if zh or res.scenario_title.isascii() or find_cjk_font() else ""   # no boxes
    fig.suptitle((f"养老金充足性: {title}" if zh else f"Adequacy: {title}".rstrip(": ")), fontsize=12)
    fig.text(0.5, 0.012, note, ha="center", fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.10, 1, 0.96))
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --------------------------------------------------------------------------
# Command line (wired into model/__main__.py)
# --------------------------------------------------------------------------
def add_parser(sub) -> argparse.ArgumentParser:
    """The ``adequacy`` subcommand on ``sub`` (argparse subparsers); its function is :func:`main`."""
    p = sub.add_parser(COMMAND, help="pensions against income and the 低保 line by year; replacement rates "
                                     "for a grid of members")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--out", required=True, help="output folder: adequacy.csv, replacement_rates.csv, "
                                                "adequacy.png, manifest.json")
    p.add_argument("--income-growth", type=float, default=None, metavar="R",
                   help="nominal growth of per-capita income a year after the NBS table (default: its "
                        "2019-2024 average, 0.061)")
    p.add_argument("--dibao-rural-yuan-pa", type=float, default=None, metavar="X",
                   help=f"rural 低保 line, yuan a year in {DEFAULT_DIBAO.year} (default {DEFAULT_DIBAO.rural_yuan_pa:g}, "
                        f"an ASSUMPTION)")
    p.add_argument("--dibao-urban-yuan-pm", type=float, default=None, metavar="Y",
                   help=f"urban 低保 line, yuan a month in {DEFAULT_DIBAO.year} (default {DEFAULT_DIBAO.urban_yuan_pm:g}, "
                        f"an ASSUMPTION)")
    p.add_argument("--pension-year", type=int, default=None, metavar="YEAR",
                   help="the year the grid's members turn 60 (default: the scheme's start + 44)")
    p.add_argument("--lang", default="zh", choices=["zh", "en"], help="the chart's labels")
    from model.io.outputs import add_force_option
    add_force_option(p)
    p.set_defaults(func=main)
    return p


def _options(args, scen: Scenario) -> tuple[float, DibaoLine, int | None]:
    """The options checked, each mistake one ScenarioError line."""
    g = default_growth_pa() if args.income_growth is None else check_growth(args.income_growth)
    rural = DEFAULT_DIBAO.rural_yuan_pa if args.dibao_rural_yuan_pa is None else args.dibao_rural_yuan_pa
    urban = DEFAULT_DIBAO.urban_yuan_pm if args.dibao_urban_yuan_pm is None else args.dibao_urban_yuan_pm
    given = args.dibao_rural_yuan_pa is not None or args.dibao_urban_yuan_pm is not None
    source = DEFAULT_DIBAO.source if not given else (
        "given on the command line" + ("" if args.dibao_rural_yuan_pa is not None and args.dibao_urban_yuan_pm
                                       is not None else "; the other: " + DEFAULT_DIBAO.source))
    dibao = check_dibao(DibaoLine(rural, urban, DEFAULT_DIBAO.year, source))
    py = args.pension_year
    if py is not None:
        lo, hi = scen.scheme.start_year, scen.scheme.start_year + dims.MAX_AGE
        if not lo <= py <= hi:
            raise ScenarioError(f"--pension-year {py}: give the year the members turn 60, from the scheme's start "
                                f"({lo}) to {hi} (each member's illustration runs to age 100)")
    return g, dibao, py


def main(args) -> int:
    """``adequacy SCENARIO --out DIR``: writes the three files and manifest.json; 0 done, 1 if the
    projection breaks an identity (listed in the manifest); mistakes raise ScenarioError (one line)."""
    import sys
    import time
    from model import checks
    from model.engine.project import project
    from model.io.outputs import Owned, check_out, output_folder
    from model.scenario import file_sha256, load_scenario
    t0 = time.perf_counter()
    scen = load_scenario(args.scenario)
    g, dibao, py = _options(args, scen)
    check_out(args.out, Owned(COMMAND), args.force)                # refuse before any work
    try:
        annual = project(scen, detail=False).annual
    except ValueError as exc:                  # parameter combinations found on resolving
        raise ScenarioError(f"{args.scenario}: {exc}") from None
    res = adequacy(scen, annual, g, dibao, py)
    failures = checks.all_identities(annual)
    with output_folder(args.out, COMMAND, force=args.force) as st:
        res.to_files(st.dir, args.lang)
        st.manifest.update({"scenario": str(Path(args.scenario).resolve()),
                            "scenario_sha256": file_sha256(Path(args.scenario)),
                            "assumptions": res.assumptions(), "identity_failures": failures,
                            "seconds": round(time.perf_counter() - t0, 2)})
    d = res.by_year
    print(f"{scen.title}: adequacy {int(d.year.iloc[0])}-{int(d.year.iloc[-1])} (income as shipped to "
          f"{res.income_last_year}, then +{g:.2%} a year; 低保 rural {dibao.rural_yuan_pa:,.0f} yuan/year, urban "
          f"{dibao.urban_yuan_pm:,.0f} yuan/month in {dibao.year}"
          + (", ASSUMPTION" if dibao.source.startswith("ASSUMPTION") else "") + ")")
    print(f"grid: {len(res.grid)} members turning 60 in {res.pension_year}; {len(res.skipped)} combinations left out")
    for s in res.skipped:
        print(f"  left out: {s}")
    print(f"wrote {args.out}/" + ", ".join([*WRITES, "manifest.json"]))
    from model import checks
    return checks.print_failures(failures, f"{args.out}/manifest.json")
