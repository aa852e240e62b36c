"""The rules at the counter (issue 15): a province's basic pension, tiers and subsidies for a
resident's illustration without a scenario file, and one run's own values.

``Counter`` holds what the person at the counter chose: a province (its row of the province
table, ``scenarios/provinces.csv``: docs/COUNTIES.md), a basic pension a month and a subsidy a
year that replace the scenario's for this run. ``counter_scenario`` puts the parts that are
scenario data (tiers, subsidies, the title) into the scenario; ``counter_parameters`` the
basic pension, on the resolved parameters, with the same rule the counties run uses
(``provinces.province_basic_monthly``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from model import dims
from model.member.inputs import MemberInputError
from model.parameters import Parameters
from model.scenario import Scenario, ScenarioError, with_overrides

PROVINCE_SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区")


@dataclass(frozen=True)
class Counter:
    """What the person at the counter chose for one illustration (None: the scenario's)."""
    province: str | None = None                 # 6-digit code of a row of the province table
    basic_pension_yuan: float | None = None     # yuan a month, every year (--basic-pension)
    subsidy_yuan: float | None = None           # yuan a year on every tier, every year (--subsidy)


@lru_cache(maxsize=4)
def _table_as_of(mtime_ns: int):
    from model.tools import provinces as pv
    return pv.read_table()


def _table():
    """The shipped province table, read once while the file is unchanged (an illustration asks
    for it several times, the what-if table 84 times)."""
    from model.tools import provinces as pv
    return _table_as_of(pv.TABLE.stat().st_mtime_ns)


def province_code(text: str) -> str:
    """The province's 6-digit code from its code or its Chinese name (``贵州``, ``贵州省``)."""
    table = _table()
    t = str(text).strip()
    if t in table.index:
        return t
    for code, name in table["province"].items():
        short = name
        for suf in sorted(PROVINCE_SUFFIXES, key=len, reverse=True):
            if short.endswith(suf):
                short = short[: -len(suf)]
                break
        if t in (name, short):
            return code
    raise MemberInputError(f"--province {text}: not a province; give its 6-digit code or its name, "
                           f"e.g. 520000 or 贵州 ({', '.join(table.index)})")


def check(c: Counter) -> None:
    """One clear line for a value no counter can give."""
    for flag, v, top in (("--basic-pension", c.basic_pension_yuan, 10_000.0), ("--subsidy", c.subsidy_yuan, 100_000.0)):
        if v is not None and not (np.isfinite(v) and 0 <= v <= top):
            raise MemberInputError(f"{flag} {v}: give yuan a {'month' if flag == '--basic-pension' else 'year'} "
                                   f"from 0 to {top:,.0f}")


def _row(c: Counter):
    return None if c.province is None else _table().loc[c.province]


def counter_scenario(base: Scenario, c: Counter) -> Scenario:
    """``base`` with the counter's tiers, subsidies and title.

    A province with its own tiers (``tiers_yuan``, ``subsidies_yuan`` from ``ladder_from_year``;
    low confidence, docs/COUNTIES.md) pays them from that year: its tiers join the scenario's
    (a member may have paid a national tier before), the scenario's subsidies stop the year
    before, and the province's subsidy of each tier applies from it, paid by the levels of the
    scenario's last entry subsidy (ASSUMPTION: the national split). ``subsidy_yuan`` replaces
    every subsidy with that amount on every tier in every year.
    """
    from model.tools import provinces as pv
    check(c)
    row = _row(c)
    if row is None and c.subsidy_yuan is None:
        return base
    changes: dict = {}
    subs = [s.model_dump(mode="python") for s in base.subsidies]
    split = subs[-1]["paid_by"] if subs else {"county": 1.0}
    if row is not None:
        changes["title"] = f"{base.title} · {row['province']}"
        if isinstance(row["tiers_yuan"], str):
            tiers = pv.parse_ladder(row["tiers_yuan"])
            amounts = pv.parse_ladder(row["subsidies_yuan"])
            start = int(row["ladder_from_year"])
            union = {a: sorted({float(t) for t in (getattr(base.contributions.tiers, a) or [])} | set(tiers))
                     for a in dims.AREAS}
            changes["contributions"] = {"tiers": union}
            for s in subs:
                s["to_year"] = min(s["to_year"], start - 1)
            subs = [s for s in subs if s["to_year"] >= s["from_year"]]
            subs.append({"name": f"entry_subsidy_{c.province}", "paid_by": split, "from_year": start,
                         "reference": f"{row['province']}'s own tiers and subsidies from {start} "
                                      f"(scenarios/provinces.csv; low confidence)",
                         "amount_by_tier": {float(t): float(a) for t, a in zip(tiers, amounts)}})
            changes["subsidies"] = subs
    if c.subsidy_yuan is not None:
        changes["subsidies"] = [{"name": "subsidy_given", "reference": "given for this illustration (--subsidy)",
                                 "amount_by_tier": float(c.subsidy_yuan), "paid_by": split}]
    try:
        return with_overrides(base, changes, where="--province/--subsidy")
    except ScenarioError as e:
        raise MemberInputError(str(e)) from None


def counter_parameters(P: Parameters, c: Counter) -> Parameters:
    """``P`` with the counter's basic pension [yuan/month]: the province's top-up (the counties
    run's rule, ``provinces.province_basic_monthly``), or the amount given, every year, split
    among the paying levels as the scenario's is."""
    from model.tools import provinces as pv
    row = _row(c)
    basic = P.basic_monthly_by_level
    if row is not None:
        try:
            basic = pv.province_basic_monthly(P, float(row["top_up_ratio"]))
        except ScenarioError:
            raise MemberInputError(f"--province {c.province}: the scenario {P.scenario.title!r} has no local "
                                   f"top-up to scale ({pv.TOP_UP_PART}); leave out the scenario file (the "
                                   f"national one is used) or give one that extends national.yaml") from None
    if c.basic_pension_yuan is not None:                           # (year, level, month)
        total = basic.sum(axis=1, keepdims=True)
        share = np.where(total > 0, basic / np.where(total > 0, total, 1.0), 1.0 / basic.shape[1])
        basic = share * float(c.basic_pension_yuan)
    return replace(P, basic_monthly_by_level=basic)


def lowest_tier_by_year(P: Parameters, c: Counter) -> np.ndarray:
    """The lowest tier by year and area [yuan/year], (year, area): the scenario's, and from the
    year a province's own tiers start, its lowest (premiums paid on behalf are a share of it,
    D1 Art. 9)."""
    low = np.broadcast_to(np.asarray(P.lowest_tier, dtype=float), (len(P.years), dims.N_AREA)).copy()
    own = own_tiers(c)
    if own is not None:
        low[np.asarray(P.years) >= own[1]] = float(own[0][0])
    return low


def own_tiers(c: Counter) -> tuple[np.ndarray, int] | None:
    """The province's own tiers [yuan/year] and the year they start, or None."""
    from model.tools import provinces as pv
    row = _row(c)
    if row is None or not isinstance(row["tiers_yuan"], str):
        return None
    return pv.parse_ladder(row["tiers_yuan"]), int(row["ladder_from_year"])


def check_tiers(m, c: Counter, more_years=()) -> None:
    """A member paying in the years of his province's own tiers pays one of them (one clear line);
    ``more_years``: years paid besides those to 60 (paying on after 60, 延缴)."""
    from model.member.inputs import tier_in
    own = own_tiers(c)
    if own is None or m.tier is None:
        return
    tiers, start = own
    year60 = m.birth_year + dims.PENSION_AGE
    last = year60 if m.stop_after_years is None else min(year60, m.enrol_year + m.stop_after_years - 1)
    paying = set(range(m.enrol_year, last + 1)) | set(m.catch_up or {}) | ({year60} if m.make_up_at_60 else set())
    for year in sorted(y for y in paying | set(more_years) if y >= start):   # only the years he pays in
        t = tier_in(m, year)
        if t not in tiers:
            name = _row(c)["province"]
            raise MemberInputError(f"--tier {t:g} in {year}: {name}'s tiers from {start} are "
                                   f"{', '.join(f'{x:g}' for x in tiers)} yuan a year (scenarios/provinces.csv); "
                                   f"give tiers by year, e.g. --tier {m.enrol_year}={t:g},{start}={tiers[0]:g}")


def sources(c: Counter) -> list[tuple[str, str]]:
    """What the illustration took from the counter, in Chinese and English (the statement shows
    the reader's language; ``notes`` gives the English for the text and JSON)."""
    out = []
    row = _row(c)
    if row is not None:
        name = row["province"]
        own = isinstance(row["tiers_yuan"], str)
        tiers = row["tiers_yuan"].replace(";", "、") if own else ""
        start = int(row["ladder_from_year"]) if own else 0
        out.append((f"基础养老金按{name}标准(全国最低标准加本省加发,低可信度)"
                    + (f";{start}年起按本省缴费档次{tiers}元/年及其补贴(低可信度)" if own else ""),
                    f"--province {c.province}: {name}'s basic pension (the national minimum and its own top-up, "
                    f"scenarios/provinces.csv; low confidence)"
                    + (f"; its own tiers {row['tiers_yuan'].replace(';', ', ')} yuan a year from {start} "
                       f"(low confidence)" if own else "")))
    if c.basic_pension_yuan is not None:
        y = c.basic_pension_yuan
        out.append((f"基础养老金按输入的每月{y:g}元计算(各年相同)",
                    f"--basic-pension {y:g}: the basic pension is {y:g} yuan a month in every year"))
    if c.subsidy_yuan is not None:
        y = c.subsidy_yuan
        out.append((f"缴费补贴按输入的每年{y:g}元计算(各档次、各年相同)",
                    f"--subsidy {y:g}: the government adds {y:g} yuan a year to every year paid on time"))
    return out


def notes(c: Counter) -> list[str]:
    """What the illustration took from the counter, in English (the text and JSON)."""
    return [en for _, en in sources(c)]
