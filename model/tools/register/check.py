"""Checking a register row by row (vectorised): GB 11643 ID numbers, ages, dates, tiers,
duplicates, the employee scheme; rows split into clean and rejected, findings with masked IDs."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model import dims
from model.io.safe_text import escape_formulas
from model.scenario import Scenario


from model.tools.register.read import TIER_AMOUNT, _undated_tier_field

# GB 11643-1999: weights of the 17 digits and the check character for (sum mod 11)
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))

OLDEST_AGE = 110        # years: no one on a register is older (issue 11); an ID saying so is mistyped
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
    "id_stored_as_number": ("error", "身份证号在表格中以数字格式保存,后几位已丢失;请将该列设为文本后重新录入",
                            "the ID number was stored as a number in the spreadsheet and has lost its last "
                            "digits: format the column as text and enter the number again"),
    "id_too_old": ("error", "身份证号中的出生日期显示年龄超过110周岁,号码应有误",
                   "the birth date in the ID number makes the person over 110: the number is surely mistyped"),
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
    "row_malformed": ("error", "该行字段数多于表头(如金额中含逗号),无法读取;多出的字段见 extra_fields 列",
                      "the row has more fields than the header (e.g. a comma in an amount): unreadable; "
                      "the surplus fields are in the column extra_fields"),
}




@dataclass
class CheckResult:
    clean: pd.DataFrame
    rejected: pd.DataFrame
    findings: pd.DataFrame
    rows_in: int



def parse_dates(values: pd.Series) -> pd.Series:
    """Dates written in any of the usual ways, each value on its own: 2012-03-01, 2012/3/1,
    2012年3月1日, 20120301, an Excel date cell (2012-03-01 00:00:00). Others become NaT."""
    v = values.fillna("").astype(str).str.strip()
    v = v.str.replace(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?$", r"\1-\2-\3", regex=True)
    v = v.str.replace(r"^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3", regex=True)
    v = v.str.replace("/", "-").str.replace(r"\s+00:00:00$", "", regex=True)
    ok = v.str.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")     # ASCII digits only: \d also takes ٣ or ३
    return pd.to_datetime(v.where(ok), format="%Y-%m-%d", errors="coerce")


def id_parts(ids: pd.Series) -> pd.DataFrame:
    """Vectorised GB 11643 checks: format, check digit, birth date and sex from the ID number.

    The format is 17 ASCII digits and a digit or X; other scripts' digits (\\d would take
    them) are a format error, not a crash.
    """
    s = ids.str.upper()
    ok_format = s.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False).to_numpy()
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
    """Every check on every row; rows with an error go to ``rejected``, the rest to ``clean``.

    ``df`` and ``tier_cols`` as ``read_register`` gives them; ``today`` is the register's
    date (ages, dates in the future, the oldest plausible birth date).
    """
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
    # an ID Excel stored as a number keeps 15 digits: the rest are lost, whatever they now say
    as_number = df["_id_numeric"].to_numpy() & ~no_id if "_id_numeric" in df else np.zeros(n, bool)
    for code in ("id_format", "id_birth_date", "id_check_digit"):
        found[code] &= ~as_number
    found["id_stored_as_number"] = as_number
    valid_id = parts["ok_check"].to_numpy() & ~parts["birth"].isna().to_numpy() & ~as_number
    found["id_too_old"] = valid_id & (parts["birth"] < today - pd.DateOffset(years=OLDEST_AGE)).to_numpy()
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
    found["tier_not_allowed"] = _tier_not_allowed(df, tier_fields(df, tier_cols), hukou, scen)

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
    out = df.drop(columns=[c for c in ("_blank", "_malformed", "_id_numeric") if c in df])
    out.insert(0, "row", np.arange(n) + 2)
    out["birth_date_checked"] = birth.dt.strftime("%Y-%m-%d").fillna("")
    out["sex_checked"] = np.where(valid_id, parts["sex_from_id"], sex_given)
    out["hukou_checked"] = hukou.fillna("")
    out["status_checked"] = status.fillna("")
    reasons = findings.groupby("row")["code"].agg(";".join)
    out["findings"] = out["row"].map(reasons).fillna("") if len(findings) else ""
    return CheckResult(clean=out[~is_error].reset_index(drop=True), rejected=out[is_error].reset_index(drop=True),
                       findings=findings, rows_in=n)


def tier_fields(df: pd.DataFrame, tier_cols: dict) -> dict[int | None, list[str]]:
    """The frame's tier columns: {year: [field]} for the dated ones, {None: [fields]} for those without a year."""
    out: dict[int | None, list[str]] = {year: [f"tier_{year}"] for year in sorted(tier_cols)}
    undated = [c for c in df.columns if str(c).startswith(_undated_tier_field(0))]
    if undated:
        out[None] = undated
    return out


def tier_yuan(values: pd.Series) -> pd.Series:
    """Tier amounts as numbers [yuan/year]: 1000, 1,000, 1000元, 1000.0 -> 1000.0; anything else NaN.

    Full-width digits (１０００) are ASCII already: ``read_register`` NFKC-normalises every cell.
    """
    v = values.fillna("").astype(str).str.replace(r"\s+", "", regex=True)
    number = v.str.extract(TIER_AMOUNT, expand=False)
    return pd.to_numeric(number.str.replace(",", ""), errors="coerce")


def _tier_not_allowed(df: pd.DataFrame, fields: dict, hukou: pd.Series, scen: Scenario) -> np.ndarray:
    """Rows with a tier, in any tier column (with a year or not), that the scenario's tiers for
    the row's area do not allow (a value that is no amount at all included). Shape (rows,)."""
    bad = np.zeros(len(df), bool)
    for field in (f for group in fields.values() for f in group):
        amount = tier_yuan(df[field])
        given = (df[field] != "").to_numpy()
        for area in dims.AREAS:
            allowed = {float(t) for t in (getattr(scen.contributions.tiers, area) or [])}
            bad |= (hukou == area).to_numpy() & given & ~amount.isin(allowed).to_numpy()
    return bad


def write_check(res: CheckResult, out_dir: str | Path, force: bool = False,
                sources: dict | None = None) -> Path:
    """clean.csv, rejected.csv, findings.csv and manifest.json into ``out_dir``, atomically.

    Cells from the register are escaped against formula injection (model/safe_text.py).
    ``sources``: what was read (file names and SHA-256), for the manifest; it holds
    counts only, no personal data.
    """
    from model.io.outputs import output_folder
    with output_folder(out_dir, "register check", force=force) as st:
        escape_formulas(res.clean).to_csv(st.dir / "clean.csv", index=False, encoding="utf-8-sig")
        escape_formulas(res.rejected).to_csv(st.dir / "rejected.csv", index=False, encoding="utf-8-sig")
        escape_formulas(res.findings).to_csv(st.dir / "findings.csv", index=False, encoding="utf-8-sig")
        st.manifest.update({**(sources or {}), "rows_in": res.rows_in, "clean": len(res.clean),
                            "rejected": len(res.rejected), "findings": len(res.findings),
                            "findings_by_code": res.findings["code"].value_counts().sort_index().to_dict()
                            if len(res.findings) else {}})
    return st.out


