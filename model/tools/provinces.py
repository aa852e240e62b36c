"""Each province's own population and rules on top of the national scenario (issue 14).

Four numbers a province, and its own tiers where known, each applied to the national
scenario's parameters (``province_parameters``); docs/COUNTIES.md gives the method and every
assumption.

* ``employee_ratio`` (derived, not fitted): the share of the province's registered people
  16+ in the employees' scheme, over the national share. The yearbook counts the employees'
  scheme by place of insurance (``employee_scheme_by_province_2024.csv``); a province's
  members are split between its own people and those registered elsewhere in proportion to
  their numbers 16+ (ASSUMPTION: equal coverage), and its own people living in another
  province are insured at the national migrants' rate. The odds of each age and area not being
  eligible (``eligibility.eligible_share``: the employees' scheme, students) are multiplied by
  it (so a share never passes 0 or 1: Beijing's urban hukou people are not all excluded).
* ``top_up_ratio`` (data, low confidence): the province's own top-up of the basic pension in
  2024 (its standard less the national minimum of 123 yuan; ``urrbpi_basic_pension_standard_
  by_province.csv``, 2025 less 143 where 2024 is missing) plus one extra for every province,
  over the national scenario's top-up in 2024 (``top_up_ratios``). The national local top-up
  (fitted to the Ministry's expenditure) is multiplied by it, so the provinces' pensions
  average the national one, weighted by the model's pensioners in 2024.
* ``enrolment_factor`` (fitted, ``fit``): multiplies the odds of the enrolment targets so that
  each province's share of the 2024 members is the yearbook's (``urrbpi_participants_by_
  province_2024.csv``) and their sum is the national model's; ``enrolment_factor_60``, the
  same for the 60+, is set equal to it by the fit (a user may give their own).
* ``tiers_yuan``, ``subsidies_yuan``, ``ladder_from_year`` (data where known, low confidence;
  empty: the national tiers): the province's own tiers and the government's subsidy of each
  (yuan a year, ``;`` between them) from that year (``urrbpi_contribution_tiers_by_province.csv``:
  Beijing and Shanghai, 2025). Payers keep the national mix by rank (the share at the nation's
  k-th tier pays the province's k-th, the tiers beyond its top pay its top), so the province's
  payments and subsidies per payer are the national ones times a ratio a year
  (``ladder_ratios``).

On top, multipliers common to every province (``centre``: on the odds of not being eligible,
on the enrolment targets' odds by year, age and area, on the top-ups by year, and on the
payments and subsidies per payer by year) keep the
provinces adding up to the nation, so the counties' sum agrees with the national scenario run
alone (docs/COUNTIES.md §4).

A user replaces any of them for any province in a CSV of their own (``read_table``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from model import dims
from model.io import registered, tables
from model.parameters import Parameters, basic_pension_parts, resolve
from model.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "scenarios" / "provinces.csv"
NUMBERS = ("employee_ratio", "top_up_ratio", "enrolment_factor", "enrolment_factor_60")
LADDER = ("tiers_yuan", "subsidies_yuan", "ladder_from_year")   # a province's own tiers, where known
MOST_YUAN = 100_000.0                  # a tier or subsidy above this a year is a typing mistake
COLUMNS = ("province_code", "province") + NUMBERS + LADDER
TOP_UP_PART = "local_top_up"           # the basic-pension part a province's own top-up scales
FIT_YEAR = 2024                        # the yearbook's participants by province


def _by_province(values: np.ndarray, codes: list[str]) -> tuple[list[str], np.ndarray]:
    """Sum a (county, ...) array over each province's counties -> (province, ...)."""
    prov = registered.province_of(codes)
    order = sorted(set(prov))
    return order, np.stack([values[prov == p].sum(axis=0) for p in order])


def inputs() -> pd.DataFrame:
    """Each province's inputs [persons, yuan/month]: registered people, the employees' scheme,
    the basic pension standard, the target share of members, and the two derived ratios."""
    m = registered.migration()
    order, res = _by_province(m.residents, m.codes)
    _, ins = _by_province(m.inflow, m.codes)
    _, outs = _by_province(m.outflow, m.codes)
    reg = res - ins + outs
    a16 = slice(dims.ENTRY_AGE, None)
    res16, in16, out16, reg16 = (x[:, :, a16].sum(axis=(1, 2)) for x in (res, ins, outs, reg))
    emp = tables.read_data_csv(tables.DATA_DIR / "employee_scheme_by_province_2024.csv", dtype={"province_code": str})
    emp = emp.dropna(subset=["province_code"]).set_index("province_code")["participants_total_10k_persons"] * 1e4
    e = emp.reindex(order).to_numpy()
    rate_here = e / res16                                            # insured where they live
    migrants_rate = float((rate_here * in16).sum() / in16.sum())     # the national migrants' rate
    own = e * (res16 - in16) / res16 + migrants_rate * out16          # of the province's own people
    share = own / reg16
    national_share = own.sum() / reg16.sum()
    std = tables.read_data_csv(tables.DATA_DIR / "urrbpi_basic_pension_standard_by_province.csv",
                      dtype={"province_code": str})
    top = []
    for p in order:                    # the standard less the national minimum of the same year
        rows = std[std["province_code"] == p].set_index("year")      # (全国 rows have no code)
        year = 2024 if pd.notna(rows.loc[2024, "basic_pension_provincial_standard_yuan_per_month"]) else 2025
        minimum = std[(std["province"] == "全国") & (std["year"] == year)]["national_minimum_yuan_per_month"]
        top.append(max(float(rows.loc[year, "basic_pension_provincial_standard_yuan_per_month"])
                       - float(minimum.iloc[0]), 0.0))
    top = np.array(top)
    part = tables.read_data_csv(tables.DATA_DIR / "urrbpi_participants_by_province_2024.csv", dtype={"province_code": str})
    target = part.set_index("province_code")["share_of_national_participants"].reindex(order).to_numpy()
    names = tables.county_table().set_index("admin_code").loc[order, "province_zh"].to_numpy()
    ladders = known_ladders()
    return pd.DataFrame({
        "province_code": order, "province": names, "residents": res.sum(axis=(1, 2)),
        "inflow": ins.sum(axis=(1, 2)), "outflow": outs.sum(axis=(1, 2)), "registered": reg.sum(axis=(1, 2)),
        "employees_2024": e, "employees_own": own, "employee_share_16": share,
        "employee_ratio": share / national_share, "top_up_yuan_2024": top,
        "target_share_2024": target / target.sum(),
        **{c: [ladders.get(p, {}).get(c, np.nan) for p in order] for c in LADDER}})


def known_ladders() -> dict[str, dict]:
    """Each province's latest own tiers and subsidies that can be read as lists
    (``urrbpi_contribution_tiers_by_province.csv``; every one low confidence): {code: {column: value}}."""
    df = tables.read_data_csv(tables.DATA_DIR / "urrbpi_contribution_tiers_by_province.csv", dtype={"province_code": str})
    out = {}
    for _, r in df.dropna(subset=["province_code"]).sort_values("year").iterrows():
        try:
            tiers = parse_ladder(r["contribution_tiers_yuan_per_year"])
            subs = parse_ladder(r["entry_subsidy_by_tier_yuan_per_year"])
        except ValueError:                     # prose ("10 tiers from 500 to 5300"), or not found
            continue
        if len(tiers) == len(subs):
            out[r["province_code"]] = {"tiers_yuan": r["contribution_tiers_yuan_per_year"],
                                       "subsidies_yuan": r["entry_subsidy_by_tier_yuan_per_year"],
                                       "ladder_from_year": float(r["year"])}
    return out


def parse_ladder(text) -> np.ndarray:
    """Amounts in yuan a year from ``"1000;2000;4000"``; a ValueError unless every one is a number from 0."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty")
    v = np.array([float(x) for x in text.split(";")])
    if not np.all(np.isfinite(v)) or (v < 0).any():
        raise ValueError(text)
    return v


def check_ladder(where: str, row: pd.Series) -> None:
    """One clear message if a province's own tiers are not usable (``where``: the file and row)."""
    given = [c for c in LADDER if pd.notna(row.get(c))]
    if not given:
        return
    if len(given) < len(LADDER):
        missing = [c for c in LADDER if c not in given][0]
        raise ScenarioError(f"{where}: {missing} is empty; a province's own tiers need {', '.join(LADDER)}")
    def amounts(col: str, what: str, example: str) -> np.ndarray:
        try:
            return parse_ladder(row[col])
        except ValueError:
            raise ScenarioError(f"{where}, {col} = {row[col]!r}: give {what} in yuan a year, "
                                f"separated by ';' (e.g. {example})") from None
    tiers = amounts("tiers_yuan", "the tiers, rising,", "200;300;500")
    if (tiers <= 0).any() or (np.diff(tiers) <= 0).any() or (tiers > MOST_YUAN).any():
        raise ScenarioError(f"{where}, tiers_yuan = {row['tiers_yuan']!r}: the tiers must be above 0, rising "
                            f"and at most {MOST_YUAN:,.0f} yuan a year")
    subs = amounts("subsidies_yuan", "the subsidy of each tier", "40;50;60")
    if (subs > MOST_YUAN).any():
        raise ScenarioError(f"{where}, subsidies_yuan = {row['subsidies_yuan']!r}: at most {MOST_YUAN:,.0f} "
                            f"yuan a year each")
    if len(subs) != len(tiers):
        raise ScenarioError(f"{where}, subsidies_yuan = {row['subsidies_yuan']!r}: {len(subs)} amounts for "
                            f"{len(tiers)} tiers; give one subsidy for each tier")
    y = pd.to_numeric(row["ladder_from_year"], errors="coerce")
    if not np.isfinite(y) or y != int(y) or not 2009 <= y <= 2100:
        raise ScenarioError(f"{where}, ladder_from_year = {row['ladder_from_year']!r}: give a year from 2009 to 2100")


def _data_lines(path: Path) -> list[int]:
    """The file line number of each data row of a CSV read with ``comment="#"`` (comment and
    blank lines are skipped, so a message can name the line a user sees in an editor)."""
    try:
        text = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    lines = [n for n, ln in enumerate(text, start=1) if ln.strip() and not ln.lstrip().startswith("#")]
    return lines[1:]                                   # after the header


def _number(where: str, col: str, value) -> float:
    """A province number from a file cell, or one clear message (``where``: the file and row)."""
    v = pd.to_numeric(value, errors="coerce")
    if not np.isfinite(v) or not 0 <= v <= 100:
        raise ScenarioError(f"{where}, {col} = {value!r}: give a number from 0 to 100")
    return float(v)


def read_table(path: Path | str = TABLE) -> pd.DataFrame:
    """A province table (``COLUMNS``), indexed by province code; one clear message if it is wrong."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"province_code": str, "tiers_yuan": str, "subsidies_yuan": str}, comment="#")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{path}: cannot read the province table ({e})") from None
    missing = [c for c in COLUMNS[:2] + NUMBERS if c not in df.columns]
    if missing:
        raise ScenarioError(f"{path}: column {missing[0]!r} missing; a province table has {', '.join(COLUMNS)}")
    for c in LADDER:                                   # optional: the national tiers where empty
        df[c] = df[c] if c in df.columns else np.nan
    line = _data_lines(path)
    for i, r in df.iterrows():
        where = f"{path}: line {line[i] if i < len(line) else i + 2}"
        for c in NUMBERS:
            _number(where, c, r[c])
        check_ladder(where, r)
    for c in NUMBERS + ("ladder_from_year",):
        df[c] = pd.to_numeric(df[c]).astype(float)
    df = df.set_index("province_code")
    every = sorted(set(registered.province_of(registered.migration().codes)))
    lost = [c for c in every if c not in df.index]
    if lost or len(df) != len(every):
        what = f"province {lost[0]} is missing" if lost else "a province that is not one, or one given twice"
        raise ScenarioError(f"{path}: {what}; a province table has one row for each of the {len(every)} provinces")
    return df


def with_overrides(table: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """``table`` with a user's own values for some provinces and columns (empty cells keep the table's)."""
    path = Path(path)
    try:
        mine = pd.read_csv(path, dtype={"province_code": str, "tiers_yuan": str, "subsidies_yuan": str}, comment="#")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{path}: cannot read the province overrides ({e})") from None
    if "province_code" not in mine.columns:
        raise ScenarioError(f"{path}: column 'province_code' missing (6 digits, e.g. 520000)")
    unknown = [c for c in mine.columns if c not in COLUMNS]
    if unknown:
        raise ScenarioError(f"{path}: column {unknown[0]!r} is not a province number; allowed "
                            f"province_code, {', '.join(COLUMNS[2:])} (and province)")
    out = table.copy()
    seen: dict[str, int] = {}
    line = _data_lines(path)
    for i, r in mine.iterrows():
        n = line[i] if i < len(line) else i + 2
        code = str(r["province_code"]).strip()
        if code not in out.index:
            raise ScenarioError(f"{path}: line {n}, province_code = {code!r}: not a province; "
                                f"allowed {', '.join(out.index)}")
        if code in seen:
            raise ScenarioError(f"{path}: line {n}, province_code = {code!r}: given twice (also line "
                                f"{seen[code]}); give each province once")
        seen[code] = n
        ladder = {c: r[c] for c in LADDER if c in mine.columns and pd.notna(r[c])}
        if ladder:                                     # a province's own tiers: all three, checked together
            check_ladder(f"{path}: line {n}", pd.Series(ladder))
            for c, v in ladder.items():
                out.loc[code, c] = float(v) if c == "ladder_from_year" else str(v)
        for c in NUMBERS:
            if c in mine.columns and pd.notna(r[c]):
                v = _number(f"{path}: line {n}", c, r[c])
                out.loc[code, c] = v
                # one enrolment factor given: the 60+ take it too, unless the row gives theirs
                if c == "enrolment_factor" and not ("enrolment_factor_60" in mine.columns
                                                    and pd.notna(r["enrolment_factor_60"])):
                    out.loc[code, "enrolment_factor_60"] = float(v)
    return out


def top_up_ratios(top_yuan: pd.Series, pensioners: pd.Series, national_yuan: float) -> pd.Series:
    """Each province's local top-up over the national scenario's, 2024 [1]: its own top-up plus
    the same extra for every province, so that the pensioners' average is the national one.

    The national top-up (fitted to the Ministry's expenditure) is above the average of the
    provinces' published standards less the minimum: what the standards leave out (county
    top-ups, extras by age or years paid) is spread evenly, yuan for yuan (ASSUMPTION), rather
    than in proportion, which would multiply Shanghai's full standard too.
    """
    mean = float((top_yuan * pensioners).sum() / pensioners.sum())
    extra = national_yuan - mean
    return (top_yuan + extra).clip(lower=0.0) / national_yuan


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, and 1 where there is nothing to divide by (no one in that year or cell)."""
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)


def numbers(row: pd.Series) -> tuple[float, ...]:
    """A province table row's four numbers (``NUMBERS``), in ``province_parameters``' order."""
    return tuple(float(row[c]) for c in NUMBERS)


@dataclass(frozen=True)
class Centre:
    """Odds multipliers common to every province, so that the provinces add up to the nation
    at each age and area (``centre``) [1].

    A province's factor says how far it stands from the rest; the centre carries the national
    profile. Without it the odds scaling is not additive: a province with a factor above 1
    gains young members (low odds) more than old ones (near 1), one below 1 loses both, and the
    provinces' pensioners fall 2-3 % short of the nation's while their members match.
    """
    first_year: int
    enrol: np.ndarray              # (year, age, area) on the enrolment targets' odds, from first_year
    not_eligible: np.ndarray       # (age, area) on the odds of not being eligible
    top_up: np.ndarray             # (year,) on every province's top-up, from first_year
    paid: dict                     # {code: (payment, subsidy) multipliers per payer, each (year, area)}

    def of(self, P: Parameters, code: str | None = None):
        """The multipliers of ``P``'s years (a stage's own): enrolment (year, age, area), top-up
        (year,), and the province's payment and subsidy per payer, each (year, area)."""
        i = int(P.start_year) - self.first_year
        n = len(P.years)
        pay, sub = self.paid.get(code, self.paid[None])
        return self.enrol[i:i + n], self.top_up[i:i + n], pay[i:i + n], sub[i:i + n]


def province_parameters(P: Parameters, employee_ratio: float, top_up_ratio: float,
                        enrolment_factor: float, enrolment_factor_60: float,
                        centre: Centre | None = None, code: str | None = None) -> Parameters:
    """``P`` (national) with one province's numbers (module docstring) and the provinces'
    common ``centre`` (None: multipliers 1); ``code`` the province, for its own tiers."""
    if centre is not None and code is None:
        raise ValueError("province_parameters: a centre needs the province's code (its own tiers)")
    ratio = employee_ratio if centre is None else employee_ratio * centre.not_eligible
    eligible = 1.0 - scaled_odds(1.0 - P.eligible_share, ratio)
    factor = np.where(np.arange(dims.N_AGE) >= dims.PENSION_AGE, enrolment_factor_60, enrolment_factor)
    factor = factor[None, :, None]
    top = np.full(len(P.years), float(top_up_ratio))
    money = {}
    if centre is not None:
        enrol, k, pay, sub = centre.of(P, code)
        factor, top = factor * enrol, top * k
        # every tier's payment and subsidy scaled alike: the mix's average moves by the ratio
        tier_yuan = P.tier_yuan[None] if P.tier_yuan_by_year is None else P.tier_yuan_by_year
        on_behalf = P.on_behalf_by_level * pay[:, None, :, None]       # a share of the lowest tier
        money = dict(tier_yuan_by_year=tier_yuan * pay[..., None], personal=P.personal * pay[..., None],
                     subsidy_by_level=(P.subsidy_by_level - P.on_behalf_by_level) * sub[:, None, :, None] + on_behalf,
                     on_behalf_by_level=on_behalf)
    basic = province_basic_monthly(P, top)
    return replace(P, eligible_share=eligible, basic_monthly_by_level=basic,
                   enrol_target=scaled_odds(P.enrol_target, factor), **money)


def province_basic_monthly(P: Parameters, top_up_ratio) -> np.ndarray:
    """The basic pension a province pays [yuan/month per pensioner], (year, level, month): the
    national scenario's parts with its local top-up (``TOP_UP_PART``) times ``top_up_ratio``
    (a number, or one a year of ``P``). The counties run and the member calculator's
    ``--province`` both use it."""
    parts = basic_pension_parts(P.scenario, P.years)
    ratio = np.broadcast_to(np.asarray(top_up_ratio, dtype=float), (len(P.years),))
    if TOP_UP_PART not in parts and not np.allclose(ratio, 1.0):
        raise ScenarioError(f"the scenario {P.scenario.title!r} has no basic_pension part named "
                            f"{TOP_UP_PART!r} for the provinces' top-ups to scale; extend national.yaml, "
                            f"or use --national-rules")
    return sum(v * (ratio[:, None, None] if name == TOP_UP_PART else 1.0) for name, v in parts.items())


def ladder_ratios(P: Parameters, tiers: np.ndarray, subsidies: np.ndarray, from_year: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """A province's own tiers against the national ones: its payment and its subsidy per payer
    over the nation's, each (year, area) [1], 1 before ``from_year``.

    ``P`` the national parameters, tiers not pooled. Payers keep the national mix by rank: the
    share at the nation's k-th tier pays the province's k-th, the shares beyond the province's
    top tier pay its top (ASSUMPTION: no source gives a province's mix). ``tiers`` and
    ``subsidies`` (tier,) yuan a year.
    """
    mix = P.tier_mix                                                # (year, area, tier) national
    rank = np.cumsum(P.tier_allowed, axis=-1) - 1                   # (area, tier) rank among the area's tiers
    own = np.minimum(rank, len(tiers) - 1)
    pay = (mix * tiers[own][None]).sum(axis=-1)                     # (year, area) yuan a year
    sub = (mix * subsidies[own][None]).sum(axis=-1)
    nat_pay = (mix * P.tier_yuan[None]).sum(axis=-1)
    # the subsidies the province gives by tier; premiums paid on behalf go with the payments
    nat_sub = (mix * (P.subsidy_by_level - P.on_behalf_by_level).sum(axis=1)).sum(axis=-1)
    after = (P.years >= from_year)[:, None]
    return np.where(after, _ratio(pay, nat_pay), 1.0), np.where(after, _ratio(sub, nat_sub), 1.0)


def province_people(P: Parameters, start: np.ndarray) -> np.ndarray:
    """Each province's hukou people on 1 January of every year of ``P`` [persons],
    (year, province, age, area), from ``start`` (province, age, sex, area) in ``P``'s first year.

    The national demography run over the provinces side by side; it does not depend on the
    provinces' rules (the counties' population adds up to the nation's whatever their rules;
    tested)."""
    from model.engine.project import step
    from model.engine.state import initial_state
    Q = replace(P, population0=start, legacy_fund_yuan=np.zeros(len(start)))
    st, out = initial_state(Q), []
    for y in Q.years:
        out.append(st.pop.sum(axis=2))
        st, _, _ = step(st, Q.at(int(y)), Q)
    return np.stack(out)


def centre(P: Parameters, people: np.ndarray, table: pd.DataFrame, codes: list[str]) -> Centre:
    """The provinces' common odds multipliers (``Centre``) for ``table``'s numbers.

    ``P`` the national parameters of the first stage; ``people`` (year, province, age, area)
    from ``province_people``, the provinces in ``codes`` order. First the not-eligible odds,
    one multiplier per age and area, so that the provinces' eligible people in the first year
    are the nation's (the first year, so a year's numbers do not depend on the horizon); then the enrolment targets' odds, one per year, age and area, so that the
    provinces' targets times their eligible people add up to the national target times the
    nation's (``registered.common_odds_factor``). The members then add up to within the
    ratchet's non-linearity (a target is a floor, members already in stay).
    """
    rows = table.loc[codes]
    pooled = people[0]                                               # (province, age, area) persons
    not_elig = 1.0 - P.eligible_share
    ratio = rows["employee_ratio"].to_numpy()[:, None, None]
    h = registered.common_odds_factor(pooled, scaled_odds(not_elig[None], ratio), not_elig * pooled.sum(axis=0))
    eligible = 1.0 - scaled_odds(not_elig[None], ratio * h[None])   # (province, age, area)
    old = np.arange(dims.N_AGE) >= dims.PENSION_AGE
    f = np.where(old[None, :], rows["enrolment_factor_60"].to_numpy()[:, None],
                 rows["enrolment_factor"].to_numpy()[:, None])        # (province, age)
    weights = people * eligible[None]                                 # (year, province, age, area)
    shares = scaled_odds(P.enrol_target[:, None], f[None, :, :, None])
    want = P.enrol_target * P.eligible_share[None] * people.sum(axis=1)
    g = registered.common_odds_factor(weights.transpose(1, 0, 2, 3), shares.transpose(1, 0, 2, 3), want)
    enrolled = weights * scaled_odds(shares, g[:, None])              # (year, province, age, area) targets
    old_people = enrolled[:, :, old].sum(axis=(2, 3))                 # (year, province)
    mean = _ratio((old_people * rows["top_up_ratio"].to_numpy()).sum(axis=1), old_people.sum(axis=1))
    top_up = mean[FIT_YEAR - int(P.start_year)] / mean               # the run reaches FIT_YEAR (centre_of)
    # own tiers: the payers' average payment and subsidy stay the nation's, the others' move
    payers = enrolled[:, :, ~old].sum(axis=2)                         # (year, province, area)
    own, whole = {}, None
    for c, r in rows.iterrows():
        if pd.isna(r.get("tiers_yuan", np.nan)):
            continue
        if whole is None:                                   # the national tiers, not pooled
            whole = resolve(P.scenario) if P.tier_yuan_by_year is not None else P
            most = int(whole.tier_allowed.sum(axis=-1).max())
        tiers = parse_ladder(r["tiers_yuan"])
        if len(tiers) > most:
            raise ScenarioError(f"province {c}: {len(tiers)} tiers in tiers_yuan; at most the national "
                                f"scenario's {most} (payers keep the national mix by rank)")
        own[c] = ladder_ratios(whole, tiers, parse_ladder(r["subsidies_yuan"]), int(r["ladder_from_year"]))
    ones = np.ones((len(P.years), dims.N_AREA))
    norm = []
    for j in (0, 1):
        r = np.stack([own[c][j] if c in own else ones for c in codes], axis=1)      # (year, province, area)
        norm.append(_ratio(payers.sum(axis=1), (payers * r).sum(axis=1)))
    paid = {c: (own[c][0] * norm[0], own[c][1] * norm[1]) for c in own}
    paid[None] = (norm[0], norm[1])
    return Centre(first_year=int(P.start_year), enrol=g, not_eligible=h, top_up=top_up, paid=paid)


def centre_of(stages, start: np.ndarray, unit_province: list[str], table: pd.DataFrame) -> Centre:
    """``centre`` for units (counties or provinces) that share out the nation: ``start`` their
    people at the start of the first stage (unit, age, sex, area), ``unit_province`` each
    unit's province code (every province of ``table``)."""
    codes = list(table.index)
    where = {c: i for i, c in enumerate(codes)}
    idx = np.array([where[c] for c in unit_province])
    prov = np.zeros((len(codes),) + start.shape[1:])
    np.add.at(prov, idx, start)
    P = stages[0][2]
    if P.start_year > FIT_YEAR:
        raise ScenarioError(f"counties: the scenario starts in {P.start_year}; the province numbers are fitted to "
                            f"{FIT_YEAR} and need a run from the scheme's start (extend national.yaml), or use "
                            f"--national-rules")
    if P.years[-1] < FIT_YEAR:       # the top-ups are set in FIT_YEAR: reach it, whatever the horizon
        from model.engine.stochastic import pool_tiers
        from model.scenario import with_overrides as scen_overrides
        longer = resolve(scen_overrides(P.scenario, {"scheme": {"horizon_years": FIT_YEAR - P.start_year + 1}}))
        P = (pool_tiers(longer) or longer) if P.tier_yuan_by_year is not None else longer
    return centre(P, province_people(P, prov), table, codes)


def scaled_odds(share: np.ndarray, factor) -> np.ndarray:
    """A share with its odds multiplied by ``factor`` [1]: f s / (1 - s + f s), within 0 and 1.

    A factor moves low shares about in proportion and shares near 1 little, so no age is
    pushed past everyone (a plain multiple would be capped at 1 for the old, whose enrolment
    is near it, and the provinces' pensioners would no longer add up to the nation's).
    """
    s = np.clip(share, 0.0, 1.0)
    return factor * s / np.maximum(1.0 - s + factor * s, 1e-300)


def province_units() -> tuple[list[str], np.ndarray, np.ndarray]:
    """The 31 provinces as units: (codes, registered people (province, sex, age), urban residence share)."""
    m = registered.migration()
    order, reg = _by_province(m.registered, m.codes)
    _, res = _by_province(m.residents, m.codes)
    _, urb = _by_province(m.urban * m.residents.sum(axis=(1, 2)), m.codes)
    return order, reg, urb / res.sum(axis=(1, 2))


def project_provinces(scen, table: pd.DataFrame | None, last_year: int | None = None) -> pd.DataFrame:
    """Annual results of every province as one unit (province x year) under its own numbers
    (``table``; None: the national rules everywhere) [persons, yuan]. For the fit and checks;
    ``counties.project_counties`` is the same by county."""
    from model.tools.counties import run_units, stages_of, start_populations
    from model.scenario import with_overrides as scen_overrides
    if last_year is not None:
        scen = scen_overrides(scen, {"scheme": {"horizon_years": last_year - scen.scheme.start_year + 1}})
    codes, reg, urban = province_units()
    stages = stages_of(scen)
    pops = start_populations(stages, reg, urban)
    mid = None if table is None else centre_of(stages, pops[0], codes, table)
    parts = [run_units(scen, stages, [code], [p[i:i + 1] for p in pops],
                       None if table is None else table.loc[code], mid) for i, code in enumerate(codes)]
    return pd.concat(parts, ignore_index=True).rename(columns={"county": "province_code"})


def fit(scen, table: pd.DataFrame | None = None, national_members: float | None = None,
        iterations: int = 30, tol: float = 1e-6) -> pd.DataFrame:
    """The province table with ``enrolment_factor`` fitted: each province's share of the 2024
    members is the yearbook's and their sum the national scenario's (``national_members``;
    default: the scenario run alone); ``enrolment_factor_60`` is set to the same (a user may
    give the 60+ their own). Iterated, each step by the secant's elasticity of members to the
    factor; the top-up ratios are renormalised to each step's pensioners."""
    from model.engine.project import project
    from model.scenario import with_overrides as scen_overrides
    inp = inputs().set_index("province_code")
    if table is None:
        table = inp.assign(top_up_ratio=1.0, enrolment_factor=1.0, enrolment_factor_60=1.0)[list(COLUMNS[1:])]
    table = table.copy()
    P0 = resolve(scen)
    national_top_up = float(basic_pension_parts(scen, P0.years)[TOP_UP_PART][FIT_YEAR - P0.start_year].sum() / 12)
    if national_members is None:
        short = scen_overrides(scen, {"scheme": {"horizon_years": FIT_YEAR - scen.scheme.start_year + 1}})
        national_members = float(project(short, detail=False).annual.set_index("year").loc[FIT_YEAR, "members"])
    want = inp["target_share_2024"] * national_members
    top = inp["top_up_yuan_2024"].reindex(table.index)
    elasticity = pd.Series(1.0, index=table.index)          # d log members / d log factor, by secant
    last = None
    for _ in range(iterations):
        res = project_provinces(scen, table, FIT_YEAR)
        at = res[res["year"] == FIT_YEAR].set_index("province_code")
        members = at["members"].reindex(table.index)
        ratio = want.reindex(table.index) / members
        pens = at["pensioners"].reindex(table.index)
        top_ratio = top_up_ratios(top, pens, national_top_up)
        if float((ratio - 1).abs().max()) < tol and float((top_ratio - table["top_up_ratio"]).abs().max()) < tol:
            break
        if last is not None:
            df = np.log(table["enrolment_factor"] / last[0])
            dm = np.log(members / last[1])
            ok = df.abs() > 1e-9
            elasticity[ok] = (dm[ok] / df[ok]).clip(0.2, 1.5)
        last = (table["enrolment_factor"].copy(), members)
        table["enrolment_factor"] = (table["enrolment_factor"] * ratio ** (1.0 / elasticity)).clip(1e-4, 100.0)
        table["enrolment_factor_60"] = table["enrolment_factor"]
        table["top_up_ratio"] = top_ratio
    return table


HEADER = """\
# Each province's numbers for `python -m model counties` (model/tools/provinces.py;
# docs/COUNTIES.md). Written by `python -m model calibrate provinces --write`: do not edit by
# hand; give your own values in a file of your own (`counties --provinces FILE`: the columns
# province_code and any of employee_ratio, top_up_ratio, enrolment_factor, enrolment_factor_60;
# empty cells keep these; an enrolment_factor alone sets the 60+'s too; a province's own tiers
# need all three of tiers_yuan, subsidies_yuan, ladder_from_year).
#   employee_ratio    derived: the province's registered people 16+ in the employees' scheme
#                     (China Statistical Yearbook 2025, table 24-26, by place of insurance; medium)
#                     over the national share; multiplies the odds of not being eligible
#   top_up_ratio      data, LOW confidence: the province's basic pension standard 2024 less the
#                     national minimum (two unattributed calculators; Shanghai confirmed), plus
#                     one extra for all (what the standards leave out), over the national
#                     top-up of 2024; multiplies the local top-up; pensioners average 1
#   enrolment_factor  fitted: each province's share of the 2024 participants (China Statistical
#                     Yearbook 2025, table 24-27; medium) with their sum the national model's;
#                     multiplies the odds of enrolment under 60 (with a multiplier common to
#                     all provinces that keeps their sum the nation's: docs/COUNTIES.md §4)
#   enrolment_factor_60  the same for 60 and over (the fit sets it equal to enrolment_factor)
#   tiers_yuan, subsidies_yuan, ladder_from_year
#                     data, LOW confidence (one unattributed source, 2025: Beijing, Shanghai;
#                     urrbpi_contribution_tiers_by_province.csv): the province's own tiers and
#                     the subsidy of each, yuan a year, from that year; empty: the national tiers.
#                     Payers keep the national mix by rank; every province's payments are then
#                     rescaled alike so that the nation's average is the national scenario's
"""


FITTED_TO = "# fitted to: "


def _national_sha() -> str:
    import hashlib
    return hashlib.sha256((ROOT / "scenarios" / "national.yaml").read_bytes()).hexdigest()


def write_table(table: pd.DataFrame, path: Path | str = TABLE) -> Path:
    """Write a province table (``COLUMNS``) with the header that says where each column comes from,
    and the SHA-256 of the national.yaml it was fitted to (``stale``)."""
    path = Path(path)
    body = table.reset_index()[list(COLUMNS)].to_csv(index=False, float_format="%.6g", lineterminator="\n")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(HEADER + f"{FITTED_TO}scenarios/national.yaml sha256 {_national_sha()}\n" + body,
                   encoding="utf-8")
    tmp.replace(path)                                  # whole or not at all
    return path


def stale(path: Path | str = TABLE) -> str | None:
    """A warning when the table was fitted to another national.yaml than the one shipped now, else None."""
    lines = [ln for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.startswith(FITTED_TO)]
    if lines and lines[0].split()[-1] == _national_sha():
        return None
    return (f"warning: {path} was fitted to another scenarios/national.yaml than the one here; "
            f"its enrolment factors may no longer meet the provinces' shares: run "
            f"`python -m model calibrate provinces --write`")


def table_for_counties(user_file: Path | str | None = None) -> pd.DataFrame:
    """The shipped province table with a user's own values on top."""
    if not TABLE.is_file():
        raise ScenarioError(f"{TABLE}: the province table is missing; run `python -m model calibrate provinces --write`")
    table = read_table(TABLE)
    return table if user_file is None else with_overrides(table, user_file)
