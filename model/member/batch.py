"""Many residents at once (issue 15): ``python -m model member --batch residents.csv --out DIR``.

One CSV row a resident (the columns of ``COLUMNS``, as the single-resident options); every row
is illustrated under the same scenario (and ``--province``, unless the row names its own) with
the same rule functions. Written into ``--out`` (an output folder of its own, ``model.io.outputs``:
nothing else touched, nothing half-written):

- ``statements/ID.html`` a statement each (and ``ID.pdf`` with ``--pdf``);
- ``all.html`` every statement, a page each (and ``all.pdf`` with ``--pdf``), to print at once;
- ``summary.csv`` one line a resident: the key figures [yuan, yuan/month, years];
- ``errors.csv`` one line a row that could not be illustrated: the file's line, the id and why;
  the other rows still run.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from model.member.calculator import illustrate, what_if
from model.member.counter import Counter, province_code
from model.member.inputs import FLAGS, Member, MemberInputError, parse_catch_up, parse_enrol, parse_tier
from model.scenario import Scenario, ScenarioError

COLUMNS = {
    "id": "a name for the resident's files (letters, digits, Chinese, - and _; default: the row number)",
    "birth": "YYYY-MM (required)",
    "enrol": "YYYY or YYYY-MM (required)",
    "sex": "F or M (default M)",
    "area": "rural or urban (default rural)",
    "tier": "yuan a year, or by year 2011=100;2016=300 (default: the lowest tier)",
    "flags": "severely_disabled, dibao, village_cadre, separated by ;",
    "one_child_parent": "yes or no",
    "province": "6-digit code or name (default: --province)",
    "stop_after_years": "a whole number",
    "make_up_at_60": "yes or no",
    "catch_up": "YEAR=N;YEAR=N",
    "lump_sum": "monthly account pension bought at 60+ (D3 §6(一)2)",
    "interest_rate": "a flat rate a year, e.g. 0.03",
    "death_age": "an age",
}
SUMMARY = ["id", "eligible", "years_paid", "personal_paid_total", "government_subsidy_total", "balance_at_60",
           "first_payment", "monthly_basic_pension", "monthly_account_pension", "monthly_total",
           "monthly_total_at_70", "break_even_age", "irr"]
ID_OK = re.compile(r"[\w\-\u4e00-\u9fff]{1,64}")
YES, NO = {"yes", "y", "true", "1", "是"}, {"no", "n", "false", "0", "否", ""}


class BatchFileError(ScenarioError):
    """The batch file as a whole cannot be read: one line, nothing written."""


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(file line, row) for each resident; one BatchFileError line if the file cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise BatchFileError(f"--batch {path}: cannot read it ({getattr(e, 'strerror', None) or e})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise BatchFileError(f"--batch {path}: empty; the first line names the columns, e.g. id,birth,enrol,tier")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise BatchFileError(f"--batch {path}: column {unknown[0]!r} is not a resident's; allowed "
                             f"{', '.join(COLUMNS)}")
    missing = [c for c in ("birth", "enrol") if c not in header]
    if missing:
        raise BatchFileError(f"--batch {path}: column {missing[0]!r} missing ({COLUMNS[missing[0]]})")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:                                   # more cells than columns
            row["__extra__"] = row.pop(None)
        rows.append((reader.line_num, {k: (v or "").strip() if isinstance(v, str) else v for k, v in row.items()}))
    return rows


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
        raise MemberInputError(f"{col} = {v!r}: {COLUMNS[col]}") from None


def member_of(row: dict, default: Counter) -> tuple[Member, Counter]:
    """The resident and his counter from one row; MemberInputError (one line) for a bad cell."""
    if "__extra__" in row:
        raise MemberInputError(f"more cells than the {len(row) - 1} columns (a comma inside a value? "
                               f"separate by-year values with ;)")
    b = re.fullmatch(r"(\d{4})-(\d{1,2})", row.get("birth", ""))
    if not b:
        raise MemberInputError(f"birth = {row.get('birth', '')!r}: {COLUMNS['birth']}")
    if not row.get("enrol"):
        raise MemberInputError(f"enrol is empty: {COLUMNS['enrol']}")
    enrol_year, enrol_month = parse_enrol(row["enrol"])
    sex = (row.get("sex") or "M").upper()
    if sex not in ("F", "M"):
        raise MemberInputError(f"sex = {row['sex']!r}: give F or M")
    flags = {f.strip() for f in (row.get("flags") or "").split(";") if f.strip()}
    if flags - set(FLAGS):
        raise MemberInputError(f"flags = {row['flags']!r}: allowed {', '.join(FLAGS)}, separated by ;")
    get = lambda c: row.get(c) or None                               # noqa: E731
    m = Member(
        birth_year=int(b.group(1)), birth_month=int(b.group(2)), enrol_year=enrol_year, enrol_month=enrol_month,
        tier=None if not get("tier") else parse_tier(row["tier"].replace(";", ",")),
        sex={"F": "female", "M": "male"}[sex], area=row.get("area") or "rural", flags=frozenset(flags),
        one_child_parent=_yes(row.get("one_child_parent", ""), "one_child_parent"),
        stop_after_years=None if not get("stop_after_years") else _number(row["stop_after_years"], "stop_after_years", int),
        make_up_at_60=_yes(row.get("make_up_at_60", ""), "make_up_at_60"),
        catch_up=None if not get("catch_up") else parse_catch_up(row["catch_up"].replace(";", ",")),
        lump_sum_monthly=None if not get("lump_sum") else _number(row["lump_sum"], "lump_sum"),
        interest_rate=None if not get("interest_rate") else _number(row["interest_rate"], "interest_rate"),
        death_age=None if not get("death_age") else _number(row["death_age"], "death_age", int))
    counter = default if not get("province") else replace(default, province=province_code(row["province"]))
    return m, counter


def run_batch(scen: Scenario, rows: list[tuple[int, dict]], folder: Path, default: Counter, lang: str = "zh",
              pdf: bool = False, with_what_if: bool = False, progress: bool = True) -> dict:
    """Illustrate every row into ``folder`` (the staging folder); returns the counts."""
    from tqdm import tqdm

    from model.member.statement import chromium_run, find_chromium, statement_html
    (folder / "statements").mkdir(parents=True, exist_ok=True)
    summary, errors, pages, seen = [], [], [], {}
    chromium = find_chromium() if pdf else None
    for n, (line, row) in enumerate(tqdm(rows, desc="residents", unit="row", disable=not progress or None), 1):
        rid = row.get("id") or str(n)
        try:
            if not ID_OK.fullmatch(rid):
                raise MemberInputError(f"id = {rid!r}: {COLUMNS['id']}")
            if rid in seen:
                raise MemberInputError(f"id = {rid!r}: also on line {seen[rid]}; give each resident their own id")
            m, counter = member_of(row, default)
            il = illustrate(scen, m, counter=counter)
            if with_what_if:
                il = replace(il, what_if=what_if(scen, m, counter=counter))
        except (MemberInputError, ScenarioError) as e:
            errors.append({"line": line, "id": rid, "error": str(e)})
            continue
        seen[rid] = line
        page = statement_html(il, lang)
        (folder / "statements" / f"{rid}.html").write_text(page, encoding="utf-8")
        if chromium:
            chromium_run(folder / "statements" / f"{rid}.html", "--print-to-pdf", folder / "statements" / f"{rid}.pdf")
        pages.append(page)
        summary.append({"id": rid, **{k: il.summary.get(k) for k in SUMMARY[1:]}})
    pd.DataFrame(summary, columns=SUMMARY).to_csv(folder / "summary.csv", index=False)
    pd.DataFrame(errors, columns=["line", "id", "error"]).to_csv(folder / "errors.csv", index=False)
    (folder / "all.html").write_text(_combined(pages), encoding="utf-8")
    if chromium and pages:
        chromium_run(folder / "all.html", "--print-to-pdf", folder / "all.pdf")
    return {"rows": len(rows), "statements": len(summary), "errors": len(errors), "pdf": bool(chromium)}


def _combined(pages: list[str]) -> str:
    """Every statement in one document, a printed page each (their own style, the first's head)."""
    if not pages:
        return "<!DOCTYPE html><html><body></body></html>"
    head = pages[0].split("<body", 1)[0]
    parts = []
    for p in pages:                               # each keeps its body's class (the chart's height)
        attrs, body = p.split("<body", 1)[1].split(">", 1)
        parts.append(f'<div{attrs} style="break-after: page">{body.rsplit("</body>", 1)[0]}</div>')
    return head + "<body>" + "".join(parts) + "</body></html>"
