"""The national scheme as it ran: nine behaviour parameters fitted once to every figure the
Ministry published for 2013-2021, and scored honestly (issue 13; docs/CALIBRATION.md).

The model is ``scenarios/national_2009.yaml`` (the rural pilots from October 2009, the urban
scheme from July 2011, every county from July 2012; the national rules, the dated national
minimum basic pension, the 2010 census aged back to 2009 with births from the 2020 census).
What nobody published is fitted, each number with a meaning:

* ``uptake_16_59``, ``uptake_60``: the members among the eligible under and over 60, when the
  scheme reached them (the enrolment path's 2009 level).
* ``enrolment_2021``: the enrolment path in 2021 relative to 2009, linear between and held
  after (townships kept signing people up: the Ministry's members rose 498 m to 548 m).
* ``tier_ratio_2009``, ``tier_ratio_2021``: the tier mix, one number a year: each tier's share
  over the share of the tier below (0: everyone at 100 yuan). Linear between, held after:
  incomes rose and provinces raised or dropped their lowest tiers (人社部发〔2018〕21号).
  Members choose their tier each year they pay (D1 Art. 7), so every payer follows the year's mix.
* ``top_up_2009``, ``top_up_2021``: the average local top-up of the basic pension, yuan a month
  (Guofa [2009] 32: local governments may raise it), separate from the national minimum (the
  central government paid the 2018 raise: provinces did not raise theirs with it). Growing at
  a steady rate between; after 2021 3 % a year, the growth assumed for the national minimum
  after its last announced raise (ASSUMPTION; the minimum itself rose 93 -> 163 in 2021-2026).
* ``density``: the share of members under 60 who pay in a year (the rest pause; D1 Art. 7).
* ``legacy_fund``: the balance the scheme took over from the old rural pension (农村社会养老保险,
  1992-2009, merged into the new rural scheme; 285 of 100 m yuan already at the end of 2004),
  brought in by each stage of the roll-out with its share. The 2011 bulletin's cumulative
  figures (income 1,110, expenditure 598, balance 1,231 in the pilot areas) imply about 720
  taken over by then, in 60 % of counties.

Not fitted, each with its source or assumption: the contribution subsidy at the national
minimum (30; 60 from the 500 tier; Guofa [2014] 8) — a fitted average fell to that bound, so
it is not a free number; the accounts credited the one-year deposit rate (D1 Art. 14), held at
1.5 % after its last change in 2015; the fund earning that rate on what stays in deposits and
the national social security fund's published return on the share invested through it
(22.8 % of all basic pension money at the end of 2021, from none in 2016; the 2021 bulletin),
the excess staying in the pooled fund (``fund_return_path``).

Each published figure's residual is its relative error over its goal (3 % for heads, 5 % for
money: an error of one goal counts the same in each), halved for a figure corroborated only
as a rounded total or resting on a single source. Figures before 2013 (other bases: the pilot
areas) are scored, not fitted; ``leave_last_year_out`` refits without 2021 and scores 2021.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from model.engine.project import project
from model.io import tables
from model.scenario import Scenario, load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "national_2009.yaml"
NATIONAL = ROOT / "scenarios" / "national.yaml"
GOALS = {"participants": 0.03, "beneficiaries": 0.03, "fund_income": 0.05,
         "individual_contributions": 0.05, "fund_expenditure": 0.05, "fund_balance": 0.05}
MEASURES = tuple(GOALS)
FIT_FIRST = 2013            # the fit uses the figures from 2013 (earlier ones are a check: other bases)
FIRST_YEAR = 2009           # the trends run from the first pilots ...
TREND_END = 2021            # ... to the last year published in full, and are held after (ASSUMPTION)
YI = 1e8                    # 亿 (100 million)
WAN = 1e4                   # 万 (10 thousand)
_COLUMNS = {"participants_10k_persons": ("participants", WAN),
            "beneficiaries_10k_persons": ("beneficiaries", WAN),
            "fund_income_100m_yuan": ("fund_income", YI),
            "individual_contributions_100m_yuan": ("individual_contributions", YI),
            "fund_expenditure_100m_yuan": ("fund_expenditure", YI),
            "cumulative_balance_100m_yuan": ("fund_balance", YI)}


@dataclass(frozen=True)
class Free:
    """A fitted parameter: its name, what it means, where the fit starts and its bounds."""
    name: str
    meaning: str
    start: float
    lo: float
    hi: float


FREE = (
    Free("uptake_16_59", "members among the eligible 16-59 where the scheme has reached, 2009", 0.6, 0.05, 1.0),
    Free("uptake_60", "members among the eligible 60+ where the scheme has reached, 2009", 0.9, 0.05, 1.0),
    Free("enrolment_2021", "enrolment in 2021 relative to 2009 (linear between, held after)", 1.1, 0.5, 2.0),
    Free("tier_ratio_2009", "each tier's share over the tier below, 2009", 0.2, 0.001, 0.99),
    Free("tier_ratio_2021", "each tier's share over the tier below, 2021 (linear between, held after)",
         0.4, 0.001, 0.99),
    Free("top_up_2009", "average local top-up of the basic pension, yuan a month, 2009", 20.0, 1.0, 500.0),
    Free("top_up_2021", "average local top-up, yuan a month, 2021 (growing at a steady rate between; "
         "3 % a year after)", 80.0, 1.0, 500.0),
    Free("density", "share of members under 60 who pay in a year", 0.85, 0.3, 1.0),
    Free("legacy_fund", "the old rural pension's balance taken over from 2009, 100 million yuan", 500.0, 0.0, 3000.0),
)
NAMES = tuple(f.name for f in FREE)


# --------------------------------------------------------------------------- the published figures
def published() -> pd.DataFrame:
    """Every figure of the shipped Ministry series [persons, yuan]: year, measure, value, weight.

    ``weight`` is 1, or 0.5 for a value corroborated only as a rounded total or resting on a
    single source (the cells say so in words; model/data/PROVENANCE.md).
    """
    df = tables.read_data_csv(tables.DATA_DIR / "mohrss_urrbpi_national_stats_confirmed.csv", dtype=str)
    rows = []
    for _, r in df.iterrows():
        for col, (name, unit) in _COLUMNS.items():
            v = r.get(col)
            if isinstance(v, str) and v.strip():
                weak = "corroborated only" in v or "single source" in v
                rows.append({"year": int(r["year"]), "measure": name, "published": float(v.split()[0]) * unit,
                             "weight": 0.5 if weak else 1.0, "source": "bulletin"})
    have = {(r["year"], r["measure"]) for r in rows}
    for _, r in flash_figures().iterrows():
        if (r["year"], r["measure"]) not in have:    # a flash figure only where the bulletins give none
            rows.append({"year": int(r["year"]), "measure": r["measure"], "published": float(r["published"]),
                         "weight": 0.5, "source": "flash"})
    return pd.DataFrame(rows).sort_values(["year", "measure"], ignore_index=True)


def flash_figures() -> pd.DataFrame:
    """The Ministry's December flash figures [persons, yuan]: year, measure, published.

    Preliminary, as a third party parsed them (model/data/PROVENANCE.md); ``published`` uses
    them only where the bulletins give nothing, at half weight.
    """
    df = tables.read_data_csv(tables.DATA_DIR / "mohrss_urrbpi_flash_december.csv")
    cols = {"participants_10k_persons": ("participants", WAN), "fund_income_100m_yuan": ("fund_income", YI),
            "fund_expenditure_100m_yuan": ("fund_expenditure", YI)}
    return pd.DataFrame([{"year": int(r["year"]), "measure": name, "published": float(r[col]) * unit}
                         for _, r in df.iterrows() for col, (name, unit) in cols.items()])


# --------------------------------------------------------------------------- the model
def _linear(first: float, last: float, reason: str) -> dict:
    """A linear trend from ``first`` in FIRST_YEAR to ``last`` in TREND_END, held after."""
    return {"trend": {"form": "linear", "from_year": FIRST_YEAR, "to_year": TREND_END, "start": float(first),
                      "rate_pa": float((last - first) / (TREND_END - FIRST_YEAR)), "reason": reason}}


def base_growth(base: Scenario) -> float:
    """The national minimum's assumed growth after its last dated value, a year."""
    return float(next(p.monthly.growth_pa_after_last for p in base.benefits.basic_pension
                      if p.name == "national_minimum"))


def _exponential(first: float, last: float, reason: str) -> dict:
    """A trend growing at a steady rate from ``first`` in FIRST_YEAR to ``last`` in TREND_END."""
    return {"trend": {"form": "exponential", "from_year": FIRST_YEAR, "to_year": TREND_END,
                      "start": float(first),
                      "rate_pa": float((last / first) ** (1.0 / (TREND_END - FIRST_YEAR)) - 1.0),
                      "reason": reason}}


ENTRUSTED_FROM = 2017        # Guofa [2015] 48: entrusted investment of basic pension money from 2017 on
LONG_RUN_RETURN = 0.0506     # the NCSSF's average 2017-2024 (ncssf_basic_pension_fund_returns.csv), after


def fund_return_path(entrusted_2021: float, rule: str = "highest") -> dict:
    """What the whole fund earns a year, by year: the accounts' crediting rate on what stays in
    deposits, and the national social security fund's published return on the share entrusted to it.

    Before 2017 nothing was entrusted (the fund earns the deposit rate, D1 Art. 14); the share
    rises linearly to ``entrusted_2021`` and is held after; after the last published return the
    fund's long-run average (ASSUMPTION).
    """
    returns = tables.ncssf_returns()
    years = range(FIRST_YEAR, max(returns) + 2)
    deposit = tables.deposit_rate_path(list(years), rule)                # as the accounts are credited
    out = {}
    for y, dep in zip(years, deposit):
        credit = dep                                               # the accounts' rate (D1 Art. 14)
        share = entrusted_2021 * min(max(y - ENTRUSTED_FROM + 1, 0) / (TREND_END - ENTRUSTED_FROM + 1), 1.0)
        r = returns.get(y, LONG_RUN_RETURN)
        out[y] = float(credit + share * (r - credit))
    return out


def overrides(base: Scenario, x) -> dict:
    """The scenario changes for fitted values ``x`` (in the order of ``FREE``)."""
    v = dict(zip(NAMES, (float(a) for a in x)))
    bands = {"16-59": v["uptake_16_59"], "60+": v["uptake_60"]}
    mix = {"geometric": _linear(v["tier_ratio_2009"], v["tier_ratio_2021"],
                                "fitted (model/tools/national_fit.py): the mean tier rose with incomes")}
    parts = []
    for p in base.benefits.basic_pension:
        d = p.model_dump(mode="python")
        if d["name"] == "local_top_up":
            d["monthly"] = {**_exponential(v["top_up_2009"], v["top_up_2021"],
                                           "fitted (model/tools/national_fit.py): provinces raised "
                                           "their top-ups"),
                            "growth_pa_after_last": base_growth(base)}
            d["scale"] = 1.0
            d["reference"] = ("Guofa [2009] 32: local governments may raise the basic pension; the "
                              "average top-up fitted to the Ministry's expenditure 2013-2021")
        parts.append(d)
    return {
        "enrolment": {"rate_path": _linear(1.0, v["enrolment_2021"],
                                           "fitted (model/tools/national_fit.py): townships kept enrolling"),
                      "relative_by_age_band": {"rural": bands, "urban": bands}},
        "contributions": {"tier_mix": {"rural": mix, "urban": mix}, "tier_rechoice_share": 1.0,
                          "density": {"16-59": v["density"], "60": 1.0}},
        "benefits": {"basic_pension": parts},
        "accounts": {"interest": "pbc_1y", "rate_after_data_pa": None},
        "finance": {"legacy_fund_yuan": v["legacy_fund"] * YI,
                    "fund_return_pa": fund_return_path(tables.entrusted_share_2021(),
                                                       base.accounts.interest_rule)},
    }


def model_series(scen: Scenario, last_year: int = TREND_END) -> pd.DataFrame:
    """The model's counterparts of the Ministry's measures by year, from the start to ``last_year``.

    Members and pensioners at year end; the Ministry's fund income, expenditure and balance
    (``model.results.ministry_columns``); individual contributions are the members' own
    premiums (catch-up and lump sums included, as the bulletin's 个人缴费).
    """
    short = with_overrides(scen, {"scheme": {"horizon_years": last_year - scen.scheme.start_year + 1}})
    a = project(short, detail=False).annual.set_index("year")
    return pd.DataFrame({"participants": a["members"], "beneficiaries": a["pensioners"],
                         "fund_income": a["fund_income"],
                         "individual_contributions": a["contributions_personal"],
                         "fund_expenditure": a["fund_expenditure"], "fund_balance": a["fund_balance"]})


def comparison(scen: Scenario, pub: pd.DataFrame | None = None, fitted_years=None) -> pd.DataFrame:
    """Published vs model for every published figure: error, goal, whether it was fitted."""
    pub = published() if pub is None else pub
    m = model_series(scen, max(TREND_END, int(pub["year"].max())))
    out = pub.copy()
    out["model"] = [float(m.loc[y, k]) for y, k in zip(out["year"], out["measure"])]
    out["relative_error"] = (out["model"] - out["published"]) / out["published"]
    out["goal"] = out["measure"].map(GOALS)
    out["meets_goal"] = out["relative_error"].abs() <= out["goal"]
    out["fitted"] = True if fitted_years is None else out["year"].isin(list(fitted_years))
    return out


# --------------------------------------------------------------------------- the fit
@dataclass
class NationalFit:
    x: np.ndarray                      # fitted values, in the order of FREE
    scenario: Scenario                 # national_2009 with them applied
    table: pd.DataFrame                # comparison() over every published figure
    evaluations: int
    years: tuple                       # the years whose figures were fitted

    def values(self) -> dict[str, float]:
        return dict(zip(NAMES, (float(v) for v in self.x)))


def fit(base: Scenario | None = None, last_year: int = TREND_END, x0=None) -> NationalFit:
    """Fit the nine parameters to every published figure up to ``last_year`` (least squares)."""
    base = base or load_scenario(BASE)
    pub = published()
    used = pub[(pub["year"] >= FIT_FIRST) & (pub["year"] <= last_year)].reset_index(drop=True)
    scale = (used["weight"] / used["measure"].map(GOALS)).to_numpy()
    count = {"n": 0}

    def residuals(x):
        count["n"] += 1
        t = comparison(with_overrides(base, overrides(base, x), "calibration"), used)
        return t["relative_error"].to_numpy() * scale

    lo, hi = np.array([f.lo for f in FREE]), np.array([f.hi for f in FREE])
    start = np.array([f.start for f in FREE]) if x0 is None else np.clip(np.asarray(x0, float), lo, hi)
    res = least_squares(residuals, start, bounds=(lo, hi), x_scale="jac", diff_step=1e-4)
    scen = with_overrides(base, overrides(base, res.x), "calibration")
    years = tuple(sorted(used["year"].unique()))
    return NationalFit(x=res.x, scenario=scen, table=comparison(scen, pub, years),
                       evaluations=count["n"], years=years)


def scores(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and largest absolute error by measure and by years from the data the fit used.

    ``years_from_data`` is 0 for a fitted figure; for one left out, the years after the last
    fitted figure of that measure (a forecast) or, negative, before the first (a backcast).
    """
    t = table.assign(abs_error=table["relative_error"].abs())
    fitted = t[t["fitted"]].groupby("measure")["year"].agg(["min", "max"])
    ahead = []
    for y, m, f in zip(t["year"], t["measure"], t["fitted"]):
        if f or m not in fitted.index:
            ahead.append(0)
        else:
            lo, hi = fitted.loc[m, "min"], fitted.loc[m, "max"]
            ahead.append(int(y - hi) if y > hi else int(y - lo) if y < lo else 0)
    t["years_from_data"] = ahead
    t["sample"] = np.where(t["fitted"], "in-sample", "out-of-sample")
    g = t.groupby(["sample", "measure", "years_from_data"], sort=False)["abs_error"]
    return (pd.DataFrame({"figures": g.size(), "mean_abs_error": g.mean(), "max_abs_error": g.max()})
            .reset_index().sort_values(["sample", "years_from_data", "measure"], ignore_index=True))


def leave_last_year_out(base: Scenario | None = None, x0=None) -> NationalFit:
    """The fit without the last fitted year's figures (2021); its table scores that year out of sample."""
    last = TREND_END                                 # the last year fitted (later figures are only scored)
    return fit(base, last_year=last - 1, x0=x0)


# --------------------------------------------------------------------------- the frozen scenario
def write_national(nf: NationalFit, out_of_sample: NationalFit | None = None, path: Path = NATIONAL) -> Path:
    """``scenarios/national.yaml``: national_2009 with the fitted values, the fit's table in its header."""
    import yaml
    base = load_scenario(BASE)
    lines = ["# The national scheme as it ran, 2009-2021, and the default of the forecast: national_2009.yaml",
             "# with its behaviour fitted to every figure the Ministry published for 2013-2021 by",
             "# `python -m model calibrate national --write` (model/tools/national_fit.py). Do not edit by hand.",
             "# Fitted values (everything else: national_2009.yaml and the files it extends):"]
    for f, v in zip(FREE, nf.x):
        lines.append(f"#   {f.name:<17} {float(v):>12.6g}  {f.meaning}")
    lines.append("# Published vs model (relative error; * fitted; half weight: single-source, rounded or flash figures):")
    for r in nf.table.sort_values(["year", "measure"]).itertuples():
        lines.append(f"#   {r.year} {r.measure:<25} {r.published:>20,.0f} {r.model:>20,.0f}  "
                     f"{r.relative_error:+.2%}{' *' if r.fitted else '  '}{'  (half weight)' if r.weight < 1 else ''}")
    if out_of_sample is not None:
        last = TREND_END
        lines.append(f"# Fitted without {last}, {last} projected (out of sample):")
        t = out_of_sample.table
        for r in t[t["year"] == last].itertuples():
            lines.append(f"#   {r.year} {r.measure:<25} {r.relative_error:+.2%}")
    body = {"extends": "national_2009.yaml",
            "title": "全国城乡居民基本养老保险 (2009-, 按人社部公布数据校准)",
            "title_en": ("National urban and rural residents' basic pension insurance (from 2009, "
                         "calibrated to the Ministry's figures)"),
            "source": ("MOHRSS series in model/data/raw/mohrss_urrbpi_national_stats_confirmed.csv; "
                       "model/tools/national_fit.py"),
            **overrides(base, nf.x)}
    text = "\n".join(lines) + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)


def fitted_values(scen: Scenario) -> dict[str, float]:
    """The fitted values a scenario written by ``write_national`` holds (read back from the scenario)."""
    v = {}
    rel = scen.enrolment.relative_by_age_band.rural
    v["uptake_16_59"], v["uptake_60"] = float(rel["16-59"]), float(rel["60+"])
    rate = scen.enrolment.rate_path.values
    v["enrolment_2021"] = float(rate[f"{TREND_END}-01"])
    mix = scen.contributions.tier_mix.rural
    for y in (FIRST_YEAR, TREND_END):
        shares = mix[y]
        v[f"tier_ratio_{y}"] = float(shares[200.0] / shares[100.0])
    top = next(p for p in scen.benefits.basic_pension if p.name == "local_top_up").monthly.values
    v["top_up_2009"], v["top_up_2021"] = float(top[f"{FIRST_YEAR}-01"]), float(top[f"{TREND_END}-01"])
    v["density"] = float(scen.contributions.density.bands["16-59"])
    v["legacy_fund"] = scen.finance.legacy_fund_yuan / YI
    return {k: v[k] for k in NAMES}


def errors_markdown(table: pd.DataFrame) -> str:
    """A markdown table: one row a year, one column a measure, the relative error in per cent
    (fitted figures plain, scored-only ones in brackets, '–' where nothing was published)."""
    cols = [m for m in MEASURES if m in set(table["measure"])]
    out = ["| year | " + " | ".join(c.replace("_", " ") for c in cols) + " |",
           "|---|" + "---:|" * len(cols)]
    for y, g in table.groupby("year"):
        cells = []
        by = g.set_index("measure")
        for c in cols:
            if c not in by.index:
                cells.append("–")
            else:
                e = f"{100 * by.loc[c, 'relative_error']:+.1f} %"
                cells.append(e if by.loc[c, "fitted"] else f"({e})")
        out.append(f"| {y} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def average_benefit(scen: Scenario, last_year: int = TREND_END) -> pd.Series:
    """Pension paid per pensioner a month, by year [yuan/month]: basic and account pensions
    (and the longevity gap) over the mean of the year's opening and closing pensioners. The
    Ministry quoted 125 yuan for 2017 (China Daily, May 2018; SOURCES.md): a check, not fitted."""
    short = with_overrides(scen, {"scheme": {"horizon_years": last_year - scen.scheme.start_year + 1}})
    a = project(short, detail=False).annual.set_index("year")
    paid = a["basic_pension_paid"] + a["account_pension_paid"] + a["longevity_gap_paid"]
    mean_pensioners = (a["pensioners"] + a["pensioners"].shift(1).fillna(0.0)) / 2
    return paid / 12 / mean_pensioners
