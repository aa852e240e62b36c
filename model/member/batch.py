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
from model.member.inputs import FIELDS, Member, MemberInputError, member_from_fields
from model.scenario import Scenario, ScenarioError

COLUMNS = {"id": "a name for the resident's files (letters, digits, Chinese, - and _; default: the file line)",
           **FIELDS, "province": "6-digit code or name (default: --province)"}
SUMMARY = ["id", "eligible", "years_paid", "years_paid_on", "personal_paid_total", "government_subsidy_total",
           "balance_at_60", "balance_at_pension_start",
           "first_payment", "monthly_basic_pension", "monthly_account_pension", "monthly_total",
           "monthly_total_at_70", "break_even_age", "irr"]
ID_OK = re.compile(r"[\w\-\u4e00-\u9fff]{1,64}")


class BatchFileError(ScenarioError):
    """The batch file as a whole cannot be read: one line, nothing written."""


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(file line, row) for each resident; one BatchFileError line if the file cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise BatchFileError(f"--batch {path}: cannot read it ({getattr(e, 'strerror', None) or e})") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as e:
        raise BatchFileError(f"--batch {path}: cannot read it as CSV ({e})") from None
    if not header:
        raise BatchFileError(f"--batch {path}: empty; the first line names the columns, e.g. id,birth,enrol,tier")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise BatchFileError(f"--batch {path}: column {unknown[0]!r} is not a resident's; allowed "
                             f"{', '.join(COLUMNS)}")
    twice = [h for h in header if header.count(h) > 1]
    if twice:
        raise BatchFileError(f"--batch {path}: column {twice[0]!r} is given twice; give each column once")
    missing = [c for c in ("birth", "enrol") if c not in header]
    if missing:
        raise BatchFileError(f"--batch {path}: column {missing[0]!r} missing ({COLUMNS[missing[0]]})")
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if None in row:                               # more cells than columns
                row["__extra__"] = row.pop(None)
            row = {k: (v or "").strip() if isinstance(v, str) else v for k, v in row.items()}
            if not any(row.values()):                     # a line of empty cells: no resident
                continue
            rows.append((reader.line_num, row))
    except csv.Error as e:
        raise BatchFileError(f"--batch {path}: line {reader.line_num}: cannot read it as CSV ({e})") from None
    return rows


def member_of(row: dict, default: Counter) -> tuple[Member, Counter]:
    """The resident and his counter from one row; MemberInputError (one line) for a bad cell."""
    if "__extra__" in row:
        raise MemberInputError(f"more cells than the {len(row) - 1} columns (a comma inside a value? "
                               f"separate by-year values with ;)")
    m = member_from_fields(row)
    counter = default if not row.get("province") else replace(default, province=province_code(row["province"]))
    return m, counter


def run_batch(scen: Scenario, rows: list[tuple[int, dict]], folder: Path, default: Counter, lang: str = "zh",
              pdf: bool = False, with_what_if: bool = False, progress: bool = True) -> dict:
    """Illustrate every row into ``folder`` (the staging folder); returns the counts."""
    from tqdm import tqdm

    from model.member.statement import chromium_run, find_chromium, statement_html
    (folder / "statements").mkdir(parents=True, exist_ok=True)
    summary, errors, pages, seen = [], [], [], {}
    chromium = find_chromium() if pdf else None
    for line, row in tqdm(rows, desc="residents", unit="row", disable=not progress or None):
        rid = row.get("id") or str(line)
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
