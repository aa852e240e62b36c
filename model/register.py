"""A county's member register: read, check, split into clean and rejected rows, aggregate.

County staff keep enrolment registers as spreadsheets (D4 §2: the county's electronic
spreadsheet system), find it hard to enter elderly people without ID cards (D2 §2(一)) and
lack tools to find people enrolled twice or also in the employee scheme (D2 §2(二)). Birth
dates come from the resident ID card (D1 Art. 31). Every check is vectorised over the rows;
a bad row never stops the run, and every input row ends up in ``clean.csv`` or
``rejected.csv`` (rows in = rows out).

Personal data: ``findings.csv`` masks ID numbers except the birth-date digits; the
aggregate holds counts only (no names, no ID numbers).
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import dims
from .scenario import Scenario, ScenarioError

# GB 11643-1999: weights of the 17 digits and the check character for (sum mod 11)
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))

DEFAULT_COLUMNS = {          # our field -> the register's header (Chinese by default)
    "name": "姓名", "id_number": "身份证号", "sex": "性别", "birth_date": "出生日期",
    "hukou": "户籍类型", "township": "乡镇", "village": "村", "enrol_date": "参保日期",
    "disability_grade": "残疾等级", "dibao": "低保", "student": "在校学生", "status": "状态",
}
TIER_COLUMN = re.compile(r"^(\d{4})\s*年?\s*缴费档次")       # e.g. "2012年缴费档次"
HUKOU = {"农村": "rural", "农业": "rural", "rural": "rural", "城镇": "urban", "非农业": "urban", "urban": "urban"}
SEX = {"男": "male", "M": "male", "male": "male", "女": "female", "F": "female", "female": "female"}
STATUS = {"缴费": "paying", "参保缴费": "paying", "paying": "paying", "暂停": "suspended", "suspended": "suspended",
          "领取": "receiving", "待遇领取": "receiving", "receiving": "receiving", "死亡": "dead", "dead": "dead",
          "迁出": "emigrated", "出国定居": "emigrated", "emigrated": "emigrated"}
YES = {"是", "有", "Y", "y", "yes", "1", "true", "True"}

MESSAGES = {   # code: (severity, 中文, English)
    "id_missing": ("error", "缺少身份证号", "no ID number"),
    "id_missing_60_plus": ("warning", "60周岁以上人员无身份证号,予以保留并提示(太和县报告二(一))",
                           "aged 60+ without an ID number: kept, flagged (D2 §2(一))"),
    "id_format": ("error", "身份证号格式错误(应为18位:17位数字加数字或X)",
                  "ID number malformed (18 characters: 17 digits and a digit or X)"),
    "id_check_digit": ("error", "身份证号校验码错误(GB 11643)", "ID number check digit wrong (GB 11643)"),
    "id_birth_date": ("error", "身份证号中的出生日期不存在", "the birth date in the ID number does not exist"),
    "birth_date_mismatch": ("warning", "填报的出生日期与身份证号不一致,以身份证为准(黔南办法第三十一条)",
                            "birth date differs from the ID number; the ID card prevails (D1 Art. 31)"),
    "sex_mismatch": ("warning", "填报的性别与身份证号不一致", "sex differs from the ID number"),
    "under_16": ("error", "未满16周岁,不能参保(黔南办法第六条)", "under 16: may not join (D1 Art. 6)"),
    "student": ("error", "在校学生不能参保(黔南办法第六条)", "a full-time student may not join (D1 Art. 6)"),
    "duplicate_id": ("error", "身份证号重复登记", "the same ID number is on the register more than once"),
    "employee_scheme": ("error", "已参加城镇职工基本养老保险,同一时段不能重复参保(太和县报告二(二))",
                        "also in the employee scheme: may not be enrolled twice (D2 §2(二))"),
    "tier_not_allowed": ("error", "缴费档次不在本办法规定的档次内", "a tier not allowed by the scenario's rules"),
    "enrol_date_invalid": ("error", "参保日期不存在或格式错误", "enrolment date does not exist or is malformed"),
    "enrol_date_impossible": ("error", "参保日期早于16周岁、早于制度实施或晚于今天",
                              "enrolment date before age 16, before the scheme started, or in the future"),
    "hukou_invalid": ("error", "户籍类型应为农村或城镇", "hukou type must be rural (农村) or urban (城镇)"),
    "status_invalid": ("error", "状态应为缴费、暂停、领取、死亡或迁出",
                       "status must be paying, suspended, receiving, dead or emigrated"),
    "row_blank": ("error", "空行", "an empty row"),
    "row_malformed": ("error", "该行字段数多于表头(如金额中含逗号),无法读取",
                      "the row has more fields than the header (e.g. a comma in an amount): unreadable"),
}


class RegisterError(ScenarioError):
    """A register that cannot be read at all (file, headers): one line, exit status 2."""


@dataclass
class CheckResult:
    clean: pd.DataFrame
    rejected: pd.DataFrame
    findings: pd.DataFrame
    rows_in: int


def read_register(path: str | Path, mapping: dict | None = None) -> tuple[pd.DataFrame, dict[int, str]]:
    """The register as strings with our field names, and its tier-by-year columns {year: column}."""
    path = Path(path)
    bad_lines: list[int] = []
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            raw = pd.read_excel(path, dtype=str)
        else:
            raw = _read_csv_keeping_rows(path, bad_lines)
    except FileNotFoundError:
        raise RegisterError(f"{path}: file not found") from None
    except RegisterError:
        raise
    except Exception as exc:                                        # unreadable spreadsheet
        raise RegisterError(f"{path}: cannot read it as a spreadsheet "
                            f"({' '.join(str(exc).split())[:200]})") from None
    raw = raw.fillna("")
    if mapping is not None and not isinstance(mapping, dict):
        raise RegisterError("the column mapping must be a mapping with 'columns' and 'tier_columns'")
    cols = {**DEFAULT_COLUMNS, **(mapping or {}).get("columns", {})}
    missing = [h for f, h in cols.items() if f in ("id_number", "hukou", "enrol_date") and h not in raw.columns]
    if missing:
        heads = [re.sub(r"\d{6,}", "******", str(c)) for c in list(raw.columns)[:12]]   # never print IDs
        raise RegisterError(f"{path}: column {missing[0]!r} not found; the register's headers are "
                            f"{heads} (give a column mapping file, see README)")
    df = pd.DataFrame({f: raw[h].astype(str).str.strip() if h in raw.columns else "" for f, h in cols.items()})
    tier_cols = {}
    for c in raw.columns:
        m = TIER_COLUMN.match(str(c))
        if m:
            tier_cols[int(m.group(1))] = c
    for year, c in (mapping or {}).get("tier_columns", {}).items():
        if c not in raw.columns:
            raise RegisterError(f"{path}: tier_columns.{year}: column {c!r} not found in the register")
        tier_cols[int(year)] = c
    for year, c in tier_cols.items():
        df[f"tier_{year}"] = raw[c].astype(str).str.strip()
    df["_malformed"] = False
    df["_blank"] = (raw.astype(str).apply(lambda col: col.str.strip()) == "").all(axis=1).to_numpy()
    if bad_lines:                                                  # lines with too many fields: kept, rejected
        extra = pd.DataFrame({c: [""] * len(bad_lines) for c in df.columns})
        extra["_malformed"] = True
        extra["_blank"] = False
        extra.index = [i for i in bad_lines]
        df.index = _data_line_numbers(len(df), bad_lines)
        df = pd.concat([df, extra]).sort_index().reset_index(drop=True)
    return df, tier_cols


def _read_csv_keeping_rows(path: Path, bad_lines: list[int]) -> pd.DataFrame:
    """The CSV as strings, blank lines kept (row numbers stay right), UTF-8 or GB18030.

    A line with more fields than the header is not fatal: its data-row index goes to
    ``bad_lines`` and it is rejected later with its own code.
    """
    import csv
    for enc in ("utf-8-sig", "gb18030"):
        try:
            lines = Path(path).read_text(encoding=enc).splitlines()
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegisterError(f"{path}: not UTF-8 or GB18030 text")
    rows = list(csv.reader(lines))
    if not rows:
        raise RegisterError(f"{path}: the file is empty")
    header, body = rows[0], rows[1:]
    good = []
    for i, r in enumerate(body):
        if len(r) > len(header):
            bad_lines.append(i)
        else:
            good.append(r + [""] * (len(header) - len(r)))
    return pd.DataFrame(good, columns=header, dtype=str)


def _data_line_numbers(n_good: int, bad: list[int]) -> list[int]:
    """Positions of the good rows among all data rows, given the bad rows' positions."""
    bad_set, out, i = set(bad), [], 0
    while len(out) < n_good:
        if i not in bad_set:
            out.append(i)
        i += 1
    return out


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates written in any of the usual ways, each value on its own: 2012-03-01, 2012/3/1,
    2012年3月1日, 20120301, an Excel date cell (2012-03-01 00:00:00). Others become NaT."""
    v = values.fillna("").astype(str).str.strip()
    v = v.str.replace(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$", r"\1-\2-\3", regex=True)
    v = v.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    v = v.str.replace("/", "-").str.replace(r"\s+00:00:00$", "", regex=True)
    ok = v.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}")
    return pd.to_datetime(v.where(ok), format="%Y-%m-%d", errors="coerce")


def id_parts(ids: pd.Series) -> pd.DataFrame:
    """Vectorised GB 11643 checks: format, check digit, birth date and sex from the ID number."""
    s = ids.str.upper()
    ok_format = s.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy()
    n = len(s)
    digits = np.zeros((n, 17), dtype=np.int64)
    if ok_format.any():
        good = s[ok_format].to_numpy().astype("U18")
        arr = np.frombuffer(np.char.encode(good, "ascii").tobytes(), dtype=np.uint8).reshape(-1, 18)
        digits[ok_format] = arr[:, :17] - ord("0")
    expected = ID_CHECK[(digits @ ID_WEIGHTS) % 11]
    last = s.str[-1:].to_numpy()
    ok_check = ok_format & (expected == last)
    birth = pd.to_datetime(s.str[6:14].where(ok_format), format="%Y%m%d", errors="coerce")
    sex = np.where(digits[:, 16] % 2 == 1, "male", "female")
    return pd.DataFrame({"ok_format": ok_format, "ok_check": ok_check, "birth": birth,
                         "sex_from_id": np.where(ok_format, sex, "")}, index=ids.index)


def mask_id(ids: pd.Series) -> pd.Series:
    """ID numbers with everything but the birth-date digits (7-14) masked: ******19660512****."""
    s = ids.fillna("").astype(str)
    return np.where(s.str.len() == 18, "******" + s.str[6:14] + "****", np.where(s == "", "", "******"))


def check_register(df: pd.DataFrame, tier_cols: dict, scen: Scenario, employee_ids: set | None = None,
                   today: _dt.date | None = None) -> CheckResult:
    """Every check on every row; rows with an error go to ``rejected``, the rest to ``clean``."""
    today = pd.Timestamp(today or _dt.date.today())
    n = len(df)
    found: dict[str, np.ndarray] = {}
    ids = df["id_number"].str.upper()
    parts = id_parts(ids)
    given_birth = parse_dates(df["birth_date"])
    birth = parts["birth"].where(parts["ok_check"], given_birth)
    age = (today.year - birth.dt.year).to_numpy()                  # age reached this year
    no_id = (ids == "").to_numpy()
    found["id_missing_60_plus"] = no_id & (age >= dims.PENSION_AGE)
    found["id_missing"] = no_id & ~(age >= dims.PENSION_AGE)
    found["id_format"] = ~no_id & ~parts["ok_format"].to_numpy()
    found["id_birth_date"] = parts["ok_format"].to_numpy() & parts["birth"].isna().to_numpy()
    found["id_check_digit"] = (parts["ok_format"].to_numpy() & ~parts["birth"].isna().to_numpy()
                               & ~parts["ok_check"].to_numpy())
    valid_id = parts["ok_check"].to_numpy() & ~parts["birth"].isna().to_numpy()
    found["birth_date_mismatch"] = (valid_id & given_birth.notna().to_numpy()
                                    & (given_birth != parts["birth"]).to_numpy())
    sex_given = df["sex"].map(SEX).fillna("")
    found["sex_mismatch"] = valid_id & (sex_given != "").to_numpy() & (sex_given != parts["sex_from_id"]).to_numpy()
    found["under_16"] = np.nan_to_num(age, nan=99) < dims.ENTRY_AGE
    found["student"] = df["student"].isin(YES).to_numpy()
    dup = ids.where(ids != "").duplicated(keep="first").to_numpy() & ~no_id
    found["duplicate_id"] = dup
    found["employee_scheme"] = ids.isin(employee_ids or set()).to_numpy() & ~no_id
    hukou = df["hukou"].map(HUKOU)
    found["hukou_invalid"] = hukou.isna().to_numpy()
    status = df["status"].where(df["status"] != "", "缴费").map(STATUS)
    found["status_invalid"] = status.isna().to_numpy()
    enrol = parse_dates(df["enrol_date"])
    found["enrol_date_invalid"] = enrol.isna().to_numpy()
    start = pd.Timestamp(year=scen.scheme.start_year, month=scen.scheme.start_month, day=1)
    too_young = (enrol.dt.year - birth.dt.year < dims.ENTRY_AGE).fillna(False).to_numpy()
    found["enrol_date_impossible"] = enrol.notna().to_numpy() & (
        (enrol < start).to_numpy() | (enrol > today).to_numpy() | too_young)
    bad_tier = np.zeros(n, bool)
    for area in dims.AREAS:
        allowed = {float(t) for t in (getattr(scen.contributions.tiers, area) or [])}
        rows = (hukou == area).to_numpy()
        for year in tier_cols:
            vals = pd.to_numeric(df[f"tier_{year}"].where(df[f"tier_{year}"] != ""), errors="coerce")
            given = (df[f"tier_{year}"] != "").to_numpy()
            bad_tier |= rows & given & ~vals.isin(allowed).to_numpy()
    found["tier_not_allowed"] = bad_tier

    # an empty or unreadable row gets that one finding and no other
    special = df["_blank"].to_numpy() | df["_malformed"].to_numpy()
    for code in found:
        found[code] = found[code] & ~special
    found["row_blank"] = df["_blank"].to_numpy() & ~df["_malformed"].to_numpy()
    found["row_malformed"] = df["_malformed"].to_numpy()
    rows_idx, codes = [], []
    for code, mask in found.items():
        hit = np.nonzero(mask)[0]
        rows_idx.append(hit)
        codes.append(np.full(len(hit), code, dtype=object))
    r = np.concatenate(rows_idx) if rows_idx else np.array([], int)
    c = np.concatenate(codes) if codes else np.array([], object)
    order = np.lexsort((c.astype(str), r))
    r, c = r[order], c[order]
    findings = pd.DataFrame({
        "row": r + 2,                                              # the header is spreadsheet row 1
        "code": c,
        "severity": [MESSAGES[x][0] for x in c],
        "id_masked": np.asarray(mask_id(df["id_number"]))[r] if len(r) else [],
        "message_zh": [MESSAGES[x][1] for x in c],
        "message_en": [MESSAGES[x][2] for x in c]})
    is_error = np.zeros(n, bool)
    for code, mask in found.items():
        if MESSAGES[code][0] == "error":
            is_error |= mask
    out = df.drop(columns=["_blank", "_malformed"])
    out.insert(0, "row", np.arange(n) + 2)
    out["birth_date_checked"] = birth.dt.strftime("%Y-%m-%d").fillna("")
    out["sex_checked"] = np.where(valid_id, parts["sex_from_id"], sex_given)
    out["hukou_checked"] = hukou.fillna("")
    out["status_checked"] = status.fillna("")
    reasons = findings.groupby("row")["code"].agg(";".join) if len(findings) else pd.Series(dtype=str)
    out["findings"] = out["row"].map(reasons).fillna("")
    return CheckResult(clean=out[~is_error].reset_index(drop=True), rejected=out[is_error].reset_index(drop=True),
                       findings=findings, rows_in=n)


def write_check(res: CheckResult, out_dir: str | Path, force: bool = False,
                sources: dict | None = None) -> Path:
    """clean.csv, rejected.csv, findings.csv and manifest.json into ``out_dir``, atomically.

    ``sources``: what was read (file names and SHA-256), for the manifest; it holds
    counts only, no personal data.
    """
    from .outputs import output_folder
    with output_folder(out_dir, "register check", force=force) as st:
        res.clean.to_csv(st.dir / "clean.csv", index=False, encoding="utf-8-sig")
        res.rejected.to_csv(st.dir / "rejected.csv", index=False, encoding="utf-8-sig")
        res.findings.to_csv(st.dir / "findings.csv", index=False, encoding="utf-8-sig")
        st.manifest.update({**(sources or {}), "rows_in": res.rows_in, "clean": len(res.clean),
                            "rejected": len(res.rejected), "findings": len(res.findings),
                            "findings_by_code": res.findings["code"].value_counts().sort_index().to_dict()
                            if len(res.findings) else {}})
    return st.out


def aggregate(clean: pd.DataFrame, tier_cols: dict, scen: Scenario, today: _dt.date | None = None) -> dict:
    """Counts for the scenario, from the clean rows: no names, no ID numbers.

    Returns ``members`` (age x sex x area x status x tier counts, as a table), and
    ``changes``: the enrolment rate by age band and area (members over the scenario's
    eligible population this year), the tier mix by area (this year's tiers) and the
    shares of payers who are severely disabled or on 低保 — written as a scenario file
    extending the given one, so that ``run`` starts from the register.
    """
    year = (today or _dt.date.today()).year
    latest = max(tier_cols) if tier_cols else None
    birth = pd.to_datetime(clean["birth_date_checked"], errors="coerce")
    t = pd.DataFrame({"age": year - birth.dt.year, "sex": clean["sex_checked"], "area": clean["hukou_checked"],
                      "status": clean["status_checked"],
                      "tier_yuan": pd.to_numeric(clean[f"tier_{latest}"], errors="coerce") if latest else np.nan,
                      "disabled": pd.to_numeric(clean["disability_grade"], errors="coerce").isin([1, 2]),
                      "dibao": clean["dibao"].isin(YES)})
    members = (t.groupby(["age", "sex", "area", "status", "tier_yuan"], dropna=False).size()
               .rename("persons").reset_index())
    paying = t[t.status == "paying"]
    mix = {}
    for area in dims.AREAS:
        tiers = paying.loc[paying.area == area, "tier_yuan"].dropna()
        if len(tiers):
            shares = tiers.value_counts(normalize=True).sort_index()
            mix[area] = {float(k): float(v) for k, v in shares.items()}
        elif getattr(scen.contributions.tiers, area):              # nobody there: the lowest tier, no uptake
            mix[area] = {float(getattr(scen.contributions.tiers, area)[0]): 1.0}
    changes: dict = {}
    if mix:
        changes["contributions"] = {"tier_mix": mix}
    rates = enrolment_rates(t[t.status.isin(["paying", "suspended", "receiving"])], scen, year)
    if rates:
        changes["enrolment"] = {"rate_path": {scen.scheme.start_year: 1.0}, "relative_by_age_band": rates}
    if len(paying):
        groups = []
        for g in scen.on_behalf:
            flags = set(g.applies_to)
            if flags == {"severely_disabled"}:
                share = float((paying.disabled & ~paying.dibao).mean())
            elif flags == {"severely_disabled", "dibao"}:
                share = float((paying.disabled & paying.dibao).mean())
            else:
                share = g.share_of_payers
            groups.append({**g.model_dump(mode="python"), "share_of_payers": share})
        if groups:
            changes["on_behalf"] = groups
    return {"members": members, "changes": changes}


BANDS = ((16, 29), (30, 44), (45, 59), (60, dims.MAX_AGE))


def enrolment_rates(members: pd.DataFrame, scen: Scenario, year: int) -> dict:
    """Members over the eligible, by age band and area, in ``year`` [share, at most 1].

    The eligible come from the scenario: its population projected to 1 January of
    ``year`` times its eligible shares (D1 Art. 6).
    """
    from .parameters import resolve
    from .projection import initial_state, step
    P = resolve(scen)
    if not P.years[0] <= year <= P.years[-1]:
        return {}
    st = initial_state(P)
    for y in range(int(P.years[0]), year):
        st, _, _ = step(st, P.at(y), P)
    eligible = P.eligible_share[:, None, :] * st.pop[0]               # (age, sex, area)
    out = {}
    for ai, area in enumerate(dims.AREAS):
        m = members[members.area == area]                           # an area nobody is in gets 0
        rates = {}
        for lo, hi in BANDS:
            n = ((m.age >= lo) & (m.age <= hi)).sum()
            e = eligible[lo:hi + 1, :, ai].sum()
            if e > 0:
                label = f"{lo}+" if hi == dims.MAX_AGE else f"{lo}-{hi}"
                rates[label] = float(min(1.0, n / e))
        out[area] = rates
    return out


def write_aggregate(agg: dict, scenario_path: str | Path, out_dir: str | Path, force: bool = False,
                    sources: dict | None = None) -> list[Path]:
    """members_by_cell.csv, register_scenario.yaml (extends the scenario) and manifest.json
    into ``out_dir``, atomically."""
    from .outputs import output_folder, out_path
    out = out_path(out_dir)
    with output_folder(out, "register aggregate", force=force) as st:
        agg["members"].to_csv(st.dir / "members_by_cell.csv", index=False, encoding="utf-8-sig")
        body = {"extends": os.path.relpath(Path(scenario_path).resolve(), out.resolve()),
                "title": "from the member register", **agg["changes"]}
        (st.dir / "register_scenario.yaml").write_text(
            "# Written by `python -m model register aggregate` from the clean register rows: enrolment\n"
            "# rates by age band and area, the tier mix of this year's payers and the shares of on-behalf\n"
            "# groups. No personal data.\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False),
            encoding="utf-8")
        st.manifest.update({**(sources or {}), "members": int(agg["members"]["persons"].sum())})
    return [out / "members_by_cell.csv", out / "register_scenario.yaml"]


def read_mapping(path: str | Path | None) -> dict | None:
    """A column mapping file: ``columns: {id_number: 公民身份号码, ...}``, ``tier_columns: {2012: ...}``."""
    if not path:
        return None
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RegisterError(f"{path}: cannot read the column mapping ({exc})") from None
    bad = set(data.get("columns", {})) - set(DEFAULT_COLUMNS)
    if bad:
        raise RegisterError(f"{path}: columns.{sorted(bad)[0]}: unknown field; allowed: "
                            + ", ".join(DEFAULT_COLUMNS))
    return data


def read_employee_ids(path: str | Path | None) -> set:
    """ID numbers on the employee-scheme list: a CSV with a column 身份证号 or id_number, or one ID a line."""
    if not path:
        return set()
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RegisterError(f"{path}: cannot read the employee-scheme list ({exc})") from None
    rows = [ln.split(",") for ln in lines if ln.strip()]
    if not rows:
        return set()
    head = [c.strip() for c in rows[0]]
    col = next((head.index(c) for c in ("身份证号", "id_number") if c in head), None)
    if col is None:                                                # no header: every line is data
        col, body = 0, rows
    else:
        body = rows[1:]
    return {r[col].strip().upper() for r in body if len(r) > col and r[col].strip()}
