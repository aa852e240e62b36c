"""A resident's inputs to the member calculator (算账): who he is, when he joins, what he pays,
read from the command line and checked, one clear line for each mistake (``MemberInputError``)."""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

from model import dims
from model.parameters import Parameters
from model.scenario import Scenario

FLAGS = ("severely_disabled", "dibao", "village_cadre")


class MemberInputError(ValueError):
    """A mistake in the member's inputs: printed as one line, exit status 2."""


@dataclass(frozen=True)
class Member:
    """The resident's inputs. ``tier`` is yuan/year, or a mapping year -> tier."""
    birth_year: int
    birth_month: int
    enrol_year: int
    enrol_month: int | None = None             # registration month; None: at the start, or spread evenly
    tier: float | dict | None = None          # None: the lowest tier of the member's area
    sex: str = "male"
    area: str = "rural"
    flags: frozenset = frozenset()
    one_child_parent: bool = False
    stop_after_years: int | None = None
    make_up_at_60: bool = False
    pay_on: bool = False                       # 延缴: short of years at 60, pays on year by year
    catch_up: dict | None = None               # year -> missed years made up that year (no subsidy)
    lump_sum_monthly: float | None = None
    interest_rate: float | None = None
    death_age: int | None = None


def year_month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def check_dates(m: Member, scen: Scenario, today: _dt.date) -> None:
    """Raise MemberInputError for a birth or enrolment date no resident can have.

    Checked before anything is computed: the illustration runs to age 100, so a birth
    year far in the future would otherwise stretch the projection without end.
    """
    if not 1 <= m.birth_month <= 12:
        raise MemberInputError(f"--birth: month {m.birth_month} does not exist (1 to 12)")
    if (m.birth_year, m.birth_month) > (today.year, today.month):
        raise MemberInputError(f"--birth {year_month_text(m.birth_year, m.birth_month)} is in the future "
                               f"(today is {today.isoformat()})")
    start_year = scen.scheme.start_year
    if start_year - m.birth_year > dims.MAX_AGE:
        raise MemberInputError(f"--birth {year_month_text(m.birth_year, m.birth_month)}: over {dims.MAX_AGE} when the "
                               f"scheme starts ({scen.scheme.start})")
    if m.enrol_month is not None and not 1 <= m.enrol_month <= 12:
        raise MemberInputError(f"--enrol: month {m.enrol_month} does not exist (1 to 12)")
    if m.enrol_year < start_year or (m.enrol_year == start_year and (m.enrol_month or 12) < scen.scheme.start_month):
        raise MemberInputError(f"--enrol {_enrol_text(m)} is before the scheme starts "
                               f"({scen.scheme.start}) in this scenario")
    if m.enrol_year > m.birth_year + dims.MAX_AGE:
        raise MemberInputError(f"--enrol {m.enrol_year}: the member would be over {dims.MAX_AGE}")
    for name, value in (("--lump-sum", m.lump_sum_monthly), ("--interest-rate", m.interest_rate)):
        if value is not None and not math.isfinite(value):
            raise MemberInputError(f"{name} {value}: must be a finite number")


def _enrol_text(m: Member) -> str:
    return str(m.enrol_year) if m.enrol_month is None else year_month_text(m.enrol_year, m.enrol_month)


def parse_enrol(text: str) -> tuple[int, int | None]:
    """The enrolment from the command line: ``"2013"`` or ``"2013-05"`` -> (year, month or None)."""
    t = str(text).strip()
    try:
        if "-" in t:
            y, mo = t.split("-")
            return int(y), int(mo)
        return int(t), None
    except ValueError:
        raise MemberInputError(f"--enrol {t!r}: give a year (2013) or a year and month (2013-05)") from None


def check_member_inputs(m: Member, P: Parameters, today: _dt.date) -> None:
    """Raise MemberInputError with one clear line for impossible or disallowed inputs."""
    if m.sex not in dims.SEXES:
        raise MemberInputError(f"--sex {m.sex!r}: allowed F or M")
    if m.area not in dims.AREAS:
        raise MemberInputError(f"--area {m.area!r}: allowed rural or urban")
    bad = set(m.flags) - set(FLAGS)
    if bad:
        raise MemberInputError(f"unknown member flag {sorted(bad)[0]!r}: allowed {', '.join(FLAGS)}")
    if m.enrol_year < m.birth_year + dims.ENTRY_AGE:
        raise MemberInputError(f"--enrol {m.enrol_year}: the member is under {dims.ENTRY_AGE} then "
                               f"(born {m.birth_year}); members must be 16 or over (D1 Art. 6)")
    ai = dims.AREAS.index(m.area)
    allowed = P.tiers[P.tier_allowed[ai]]
    tiers = m.tier.values() if isinstance(m.tier, dict) else [m.tier]
    for t in tiers:
        if float(t) not in allowed:
            raise MemberInputError(
                f"--tier {t:g}: not a tier of this scenario for {m.area} members; allowed: "
                + ", ".join(f"{x:g}" for x in allowed) + " yuan a year")
    if isinstance(m.tier, dict):
        first = min(int(y) for y in m.tier)
        if first < m.enrol_year:
            raise MemberInputError(f"--tier: the year {first} is before enrolment ({m.enrol_year}); give "
                                   f"tiers from {m.enrol_year} on, e.g. {m.enrol_year}=100")
        if first > m.enrol_year:
            raise MemberInputError(f"--tier: the first year given ({first}) is after enrolment "
                                   f"({m.enrol_year}); give the tier from {m.enrol_year}, e.g. "
                                   f"{m.enrol_year}=100,{first}=300")
    if m.death_age is not None and not (m.enrol_year - m.birth_year - 1 <= m.death_age <= dims.MAX_AGE):
        raise MemberInputError(f"--death-age {m.death_age}: give an age from the enrolment year "
                               f"({m.enrol_year - m.birth_year - 1}) to {dims.MAX_AGE}")
    if m.stop_after_years is not None and not 0 <= m.stop_after_years <= dims.MAX_AGE:
        raise MemberInputError(f"--stop-after-years {m.stop_after_years}: give a number of years from 0 to "
                               f"{dims.MAX_AGE}")
    if m.interest_rate is not None and not 0.0 <= m.interest_rate <= 0.3:
        raise MemberInputError(f"--interest-rate {m.interest_rate}: allowed 0 to 0.30 (a fraction, 0.03 = 3 %; "
                               f"the deposit rate D1 Art. 14 credits was never negative)")


def age_at_start(m: Member, P: Parameters) -> int:
    """Completed years on the first day of the start month.

    A birthday in the start month is not yet reached: such a member turns 60
    during that month and is paid from the next (D1 Art. 21 次月).
    """
    return P.start_year - m.birth_year - (1 if m.birth_month >= P.start_month else 0)


def _year_pairs(text: str, option: str, example: str, value_type) -> dict:
    """``"2011=100,2016=300"`` as {year: value}; a year given twice or a bad pair is refused."""
    out: dict = {}
    for part in str(text).split(","):
        y, v = part.split("=")
        year = int(y)
        if year in out:
            raise MemberInputError(f"{option} {text!r}: the year {year} is given twice; give each "
                                   f"year once, e.g. {example}")
        out[year] = value_type(v)
    return out


def parse_tier(text: str) -> float | dict:
    """A tier from the command line: ``"300"``, or by year ``"2011=100,2016=300"`` [yuan/year]."""
    text = str(text).strip()
    try:
        if "=" not in text:
            return float(text)
        return _year_pairs(text, "--tier", "2011=100,2016=300", float)
    except ValueError as exc:
        if isinstance(exc, MemberInputError):
            raise
        raise MemberInputError(f"--tier {text!r}: give yuan a year (300) or by year (2011=100,2016=300)")


def parse_catch_up(text: str) -> dict:
    """Catch-up payments from the command line: ``"2024=2,2026=1"`` (year = missed years made up)."""
    try:
        return _year_pairs(text, "--catch-up", "2024=2,2026=1", int)
    except ValueError as exc:
        if isinstance(exc, MemberInputError):
            raise
        raise MemberInputError(f"--catch-up {text!r}: give YEAR=N pairs, e.g. 2024=2,2026=1")


def tier_in(m: Member, year: int) -> float:
    if not isinstance(m.tier, dict):
        return float(m.tier)
    keys = sorted(int(k) for k in m.tier)
    k = max([k for k in keys if k <= year], default=keys[0])
    return float(m.tier[k] if k in m.tier else m.tier[str(k)])


FIELDS = {
    "birth": "YYYY-MM (required)",
    "enrol": "YYYY or YYYY-MM (required)",
    "sex": "F or M (default M)",
    "area": "rural or urban (default rural)",
    "tier": "yuan a year, or by year 2011=100;2016=300 (default: the lowest tier)",
    "flags": "severely_disabled, dibao, village_cadre, separated by ;",
    "one_child_parent": "yes or no",
    "stop_after_years": "a whole number",
    "make_up_at_60": "yes or no",
    "pay_on": "yes or no: short of years at 60, pay on year by year (延缴) where the rules allow",
    "catch_up": "YEAR=N;YEAR=N",
    "lump_sum": "monthly account pension bought at 60+ (D3 §6(一)2)",
    "interest_rate": "a flat rate a year, e.g. 0.03",
    "death_age": "an age",
}
YES, NO = {"yes", "y", "true", "1", "是"}, {"no", "n", "false", "0", "否", ""}


def _yes(v: str, col: str) -> bool:
    t = (v or "").strip().lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise MemberInputError(f"{col} = {v!r}: give yes or no")


def _number(v: str, col: str, kind=float):
    try:
        return kind(v)
    except ValueError:
        raise MemberInputError(f"{col} = {v!r}: {FIELDS[col]}") from None


def member_from_fields(f: dict) -> Member:
    """The resident from text fields (``FIELDS``: a batch file's row, or the command line's
    options as text); MemberInputError, one line, for a bad one. By-year values take , or ;."""
    import re
    b = re.fullmatch(r"(\d{4})-(\d{1,2})", f.get("birth") or "")
    if not b:
        raise MemberInputError(f"birth = {f.get('birth', '')!r}: {FIELDS['birth']}")
    if not f.get("enrol"):
        raise MemberInputError(f"enrol is empty: {FIELDS['enrol']}")
    enrol_year, enrol_month = parse_enrol(f["enrol"])
    sex = (f.get("sex") or "M").upper()
    if sex not in ("F", "M"):
        raise MemberInputError(f"sex = {f['sex']!r}: give F or M")
    flags = {x.strip() for x in (f.get("flags") or "").split(";") if x.strip()}
    if flags - set(FLAGS):
        raise MemberInputError(f"flags = {f['flags']!r}: allowed {', '.join(FLAGS)}, separated by ;")
    get = lambda c: f.get(c) or None                                  # noqa: E731
    return Member(
        birth_year=int(b.group(1)), birth_month=int(b.group(2)), enrol_year=enrol_year, enrol_month=enrol_month,
        tier=None if not get("tier") else parse_tier(f["tier"].replace(";", ",")),
        sex={"F": "female", "M": "male"}[sex], area=f.get("area") or "rural", flags=frozenset(flags),
        one_child_parent=_yes(f.get("one_child_parent", ""), "one_child_parent"),
        stop_after_years=None if not get("stop_after_years") else _number(f["stop_after_years"], "stop_after_years", int),
        make_up_at_60=_yes(f.get("make_up_at_60", ""), "make_up_at_60"),
        pay_on=_yes(f.get("pay_on", ""), "pay_on"),
        catch_up=None if not get("catch_up") else parse_catch_up(f["catch_up"].replace(";", ",")),
        lump_sum_monthly=None if not get("lump_sum") else _number(f["lump_sum"], "lump_sum"),
        interest_rate=None if not get("interest_rate") else _number(f["interest_rate"], "interest_rate"),
        death_age=None if not get("death_age") else _number(f["death_age"], "death_age", int))
