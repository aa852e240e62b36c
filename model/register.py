"""A county's member register: read, check, split into clean and rejected rows, aggregate.

County staff keep enrolment registers as spreadsheets (D4 §2: the county's electronic
spreadsheet system), find it hard to enter elderly people without ID cards (D2 §2(一)) and
lack tools to find people enrolled twice or also in the employee scheme (D2 §2(二)). Birth
dates come from the resident ID card (D1 Art. 31). Every check is vectorised over the rows;
a bad row never stops the run, and every input row ends up in ``clean.csv`` or
``rejected.csv`` (rows in = rows out).

Real county files: every header and cell is NFKC-normalised on read (full-width digits are
digits), CSV is parsed by the csv module (a quoted field stays one field, so row numbers
are the spreadsheet's), headers are found through ``HEADER_SYNONYMS``, and a file that
cannot be read as a register is refused in one line (``RegisterError``). Every file
written escapes cells a spreadsheet would run as formulas (``safe_text``).

Personal data: ``findings.csv`` masks ID numbers except the birth-date digits; the
aggregate holds counts only (no names, no ID numbers).
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import contributions, dims, population
from .safe_text import escape_formulas
from .scenario import Scenario, ScenarioError

# GB 11643-1999: weights of the 17 digits and the check character for (sum mod 11)
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))

HEADER_SYNONYMS = {   # our field -> the headers counties export for it, the default first
    "name": ("姓名",),
    "id_number": ("身份证号", "公民身份号码", "身份证号码", "公民身份证号码", "身份证件号码"),
    "sex": ("性别",),
    "birth_date": ("出生日期",),
    "hukou": ("户籍类型", "户籍性质", "户口性质", "户口类型"),
    "township": ("乡镇", "乡(镇)", "乡镇(街道)"),
    "village": ("村", "行政村", "村(居)"),
    "enrol_date": ("参保日期", "参保登记日期", "参保时间"),
    "disability_grade": ("残疾等级",),
    "dibao": ("低保", "是否低保"),
    "student": ("在校学生", "是否在校学生"),
    "status": ("状态", "参保状态"),
}
DEFAULT_COLUMNS = {field: names[0] for field, names in HEADER_SYNONYMS.items()}
REQUIRED_FIELDS = ("id_number", "hukou", "enrol_date")
TIER_HEADER = re.compile(r"缴费档次|缴费标准|^(?:(?:19|20)[0-9]{2}年?度?)?档次(?:\(元\))?$")   # tier columns
YEAR_IN_HEADER = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")   # 2024年度缴费档次, 缴费档次(2024)
TIER_AMOUNT = r"^([0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)(?:元(?:/年)?)?$"   # 1,000 / 1000元
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


class RegisterError(ScenarioError):
    """A register that cannot be read at all (file, headers): one line, exit status 2."""


@dataclass
class CheckResult:
    clean: pd.DataFrame
    rejected: pd.DataFrame
    findings: pd.DataFrame
    rows_in: int


@dataclass
class Register:
    """A register as read: ``data`` (strings under our field names, one row per spreadsheet
    row from row 2 on), ``tier_cols`` ({year: header} of the tier-by-year columns) and
    ``warnings`` about the file itself (sheets not read, tier columns without a year), one
    line each in English and Chinese, for the user to see."""
    data: pd.DataFrame
    tier_cols: dict[int, str]
    warnings: list[str]


def read_register(path: str | Path, mapping: dict | None = None) -> Register:
    """The register at ``path`` (.csv, .xlsx), every cell NFKC-normalised and stripped.

    Columns are found by the mapping's headers, else by ``HEADER_SYNONYMS``; two columns
    for one field are refused. A row with more fields than the header keeps its first
    fields under the header's columns and the surplus, joined by commas, in the column
    ``extra_fields`` (present only if some row has one); a surplus of empty fields (a
    trailing comma) is no surplus. Tier columns: see ``_tier_columns``.
    """
    path = Path(path)
    maps = checked_mapping(mapping, "the column mapping")
    header, rows, warnings, numeric = _read_table(path)
    header = [_clean_text(h) for h in header]
    raw, surplus = _cells(rows, len(header))
    fields = _field_columns(header, maps["columns"], path)
    dated, undated, tier_warnings = _tier_columns(header, maps["tier_columns"], set(fields.values()), path)
    df = pd.DataFrame({f: raw[i] if i is not None else "" for f, i in fields.items()}, index=range(len(rows)))
    for year in sorted(dated):
        df[f"tier_{year}"] = raw[dated[year]]
    for k, i in enumerate(undated):
        df[_undated_tier_field(k)] = raw[i]
    malformed = np.array([x != "" for x in surplus], dtype=bool)
    if malformed.any():
        df["extra_fields"] = surplus
    df["_malformed"] = malformed
    id_col = fields.get("id_number")
    df["_id_numeric"] = np.array([(r, id_col) in numeric for r in range(len(rows))], dtype=bool)
    df["_blank"] = ~malformed & (raw == "").all(axis=1).to_numpy()
    return Register(data=df, tier_cols={y: header[i] for y, i in sorted(dated.items())},
                    warnings=[f"{path}: {w}" for w in warnings + tier_warnings])


def _clean_text(value) -> str:
    """A cell as text: NFKC (full-width digits and letters become ASCII: １２３ -> 123), no spaces around."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _read_table(path: Path) -> tuple[list[str], list[list[str]], list[str], set]:
    """The header row, the data rows (cells as read, rows of any length), warnings and the positions
    of cells stored as numbers (workbooks only), from .xlsx/.xls or CSV."""
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            return _read_workbook(path)
        return (*_read_csv(path), set())
    except FileNotFoundError:
        raise RegisterError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise RegisterError(f"{path}: is a folder; give the register file (.xlsx or .csv)") from None
    except RegisterError:
        raise
    except Exception as exc:                                        # unreadable spreadsheet
        why = "not a workbook Excel can open" if path.suffix.lower() in (".xlsx", ".xls") else _one_line(exc)
        raise RegisterError(f"{path}: cannot read it as a spreadsheet ({why}); save it as .xlsx or "
                            f"as CSV") from None


def _read_workbook(path: Path) -> tuple[list[str], list[list[str]], list[str], set]:
    """The first sheet of a workbook; every other sheet with data is named in a warning (never dropped silently).

    Also returns the (data row, column) positions of cells stored as numbers, not text.
    """
    sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    names = list(sheets)
    if not names or sheets[names[0]].empty:
        raise RegisterError(f"{path}: the first sheet is empty")
    warnings = []
    for name in names[1:]:
        n = int(sheets[name].notna().any(axis=1).sum())
        if n:
            warnings.append(f"only the first sheet {names[0]!r} is read; sheet {name!r} ({n} non-empty rows) is not "
                            f"/ 只读取第一个工作表“{names[0]}”,工作表“{name}”({n} 行非空)未读取")
    cells = sheets[names[0]].to_numpy()
    numeric = {(r - 1, c) for r, c in zip(*np.nonzero(np.vectorize(_is_number_cell, otypes=[bool])(cells)))
               if r > 0} if cells.size else set()
    rows = [[_cell_text(v) for v in row] for row in cells.tolist()]
    return rows[0], rows[1:], warnings, numeric


def _is_number_cell(value) -> bool:
    """Whether a workbook cell holds a number (not text): an ID typed as a number has lost digits."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and not (isinstance(value, float) and np.isnan(value))


def _cell_text(value) -> str:
    """A workbook cell as the text a clerk sees: 1000.0 as '1000', a date as '2012-03-01 00:00:00'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], list[str]]:
    """A CSV parsed by the csv module: a quoted field stays one field, whatever it holds (line
    breaks, U+2028, form feeds), so record k is spreadsheet row k. Blank lines stay rows."""
    text = _decoded_text(path, "the register")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise RegisterError(f"{path}: not a readable CSV ({_one_line(exc)})") from None
    if not rows:
        raise RegisterError(f"{path}: the file is empty")
    if any(("\n" in c or "\r" in c) for c in rows[-1]) and _quote_left_open(text):
        raise RegisterError(f"{path}: a quote (\") opens a field that never closes; the rest of the file "
                            "would be read as one cell (close the quote or remove it)")
    return rows[0], rows[1:], []


def _quote_left_open(text: str) -> bool:
    """Whether the CSV ends inside a quoted field (the tolerant reader would swallow the rest silently)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _decoded_text(path: Path, what: str) -> str:
    """The text of a file, UTF-8 (with or without BOM) or GB18030."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise RegisterError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise RegisterError(f"{path}: is a folder; give {what} file") from None
    except OSError as exc:
        raise RegisterError(f"{path}: cannot read {what} ({exc.strerror or _one_line(exc)})") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RegisterError(f"{path}: {what} is not UTF-8 or GB18030 text")


def _cells(rows: list[list[str]], width: int) -> tuple[pd.DataFrame, list[str]]:
    """The rows as ``width`` clean text columns (short rows padded with ""), and each row's
    cells beyond the header joined by "," ("" where there are none or all are empty)."""
    padded = [r if len(r) == width else (list(r) + [""] * width)[:width] for r in rows]
    surplus = ["" if len(r) <= width else _surplus_text(r[width:]) for r in rows]
    nfkc = unicodedata.normalize                                   # _clean_text, inlined: millions of cells
    columns = list(zip(*padded)) if padded else [()] * width
    raw = pd.DataFrame({i: [nfkc("NFKC", c).strip() for c in col] for i, col in enumerate(columns)},
                       index=range(len(rows)), dtype=str)
    return raw, surplus


def _surplus_text(cells: list[str]) -> str:
    """Cells beyond the header, clean and joined by ","; "" if all are empty (a trailing comma)."""
    extra = [_clean_text(c) for c in cells]
    return ",".join(extra) if any(extra) else ""


def _field_columns(header: list[str], columns: dict[str, str], path: Path) -> dict[str, int | None]:
    """{field: column index} (None: not in the register), by the mapping's header or else the synonyms.

    Refused, one line each: a required field (``REQUIRED_FIELDS``) or a mapped header not
    found; two columns that could be the same field (身份证号 twice, or 身份证号 and
    公民身份号码); one column named for two fields.
    """
    found: dict[str, int | None] = {}
    for field, synonyms in HEADER_SYNONYMS.items():
        wanted = (columns[field],) if field in columns else synonyms
        at = [i for i, h in enumerate(header) if h in wanted]
        if len(at) > 1:
            raise RegisterError(f"{path}: {len(at)} columns could be {field}: "
                                + ", ".join(f"{header[i]!r} (column {_column_letter(i)})" for i in at)
                                + "; keep one, or name the right one in a column mapping file (see README)")
        if not at and field in columns:
            raise RegisterError(f"{path}: columns.{field}: column {columns[field]!r} not found; the register's "
                                f"headers are {_shown_headers(header)}")
        if not at and field in REQUIRED_FIELDS:
            raise RegisterError(f"{path}: column {synonyms[0]!r} not found (nor {', '.join(synonyms[1:]) or '-'}); "
                                f"the register's headers are {_shown_headers(header)} "
                                "(give a column mapping file, see README)")
        found[field] = at[0] if at else None
    for i in {i for i in found.values() if i is not None}:
        both = [f for f, j in found.items() if j == i]
        if len(both) > 1:
            raise RegisterError(f"{path}: column {header[i]!r} is given for {' and '.join(both)}; one column, one field")
    return found


def _tier_columns(header: list[str], tier_map: dict[int, str], taken: set,
                  path: Path) -> tuple[dict[int, int], list[int], list[str]]:
    """{year: column index} of the tier-by-year columns, the tier columns without a year, and warnings.

    A column named in the mapping's ``tier_columns`` has the year given there. Any other
    header naming a tier (``TIER_HEADER``: 缴费档次, 缴费标准, 档次) is placed by the year written in it
    (2024年缴费档次, 2024年度缴费档次, 缴费档次(2024)); two such columns for one year are
    refused. A tier column with no year is never skipped: ``check_register`` checks its
    values against the scenario's tiers and a warning names it; one that a mapped column
    displaces is named in a warning.
    """
    dated: dict[int, int] = {}
    for year, name in tier_map.items():
        at = [i for i, h in enumerate(header) if h == name]
        if not at:
            raise RegisterError(f"{path}: tier_columns.{year}: column {name!r} not found in the register")
        if len(at) > 1:
            raise RegisterError(f"{path}: tier_columns.{year}: {len(at)} columns are headed {name!r}; keep one")
        dated[year] = at[0]
    mapped = set(dated.values())
    undated, warnings = [], []
    for i, h in enumerate(header):
        if i in taken or i in mapped or not TIER_HEADER.search(h):
            continue
        m = YEAR_IN_HEADER.search(h)
        if m is None:
            undated.append(i)
            warnings.append(f"column {h!r} has no year: its values are checked against the scenario's tiers; "
                            "aggregate takes it as this year's tier only if no tier column has a year "
                            f"/ 列“{h}”未注明年度:按本方案的缴费档次检查")
            continue
        year = int(m.group(1))
        if year in dated and dated[year] in mapped:
            warnings.append(f"column {h!r} is not read: tier_columns.{year} names {header[dated[year]]!r} "
                            f"/ 列“{h}”未读取:映射文件指定“{header[dated[year]]}”为{year}年缴费档次")
        elif year in dated:
            raise RegisterError(f"{path}: two tier columns for {year}: {header[dated[year]]!r} and {h!r}; "
                                "keep one, or name the right one in tier_columns of a column mapping file")
        else:
            dated[year] = i
    return dated, undated, warnings


def _undated_tier_field(k: int) -> str:
    """Our name of the k-th (from 0) tier column without a year: tier_no_year, tier_no_year_2, ..."""
    return "tier_no_year" if k == 0 else f"tier_no_year_{k + 1}"


def _column_letter(i: int) -> str:
    """The spreadsheet letter of the column at index ``i`` (0 -> A, 26 -> AA)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def _shown_headers(header: list[str]) -> list[str]:
    """The first headers, as a message may show them: long digit runs masked (a header row may hold an ID)."""
    return [re.sub(r"[0-9]{6,}", "******", h) for h in header[:12]]


def _one_line(exc: BaseException) -> str:
    """An exception's text on one line, at most 200 characters."""
    return " ".join(str(exc).split())[:200]


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
    from .outputs import output_folder
    with output_folder(out_dir, "register check", force=force) as st:
        escape_formulas(res.clean).to_csv(st.dir / "clean.csv", index=False, encoding="utf-8-sig")
        escape_formulas(res.rejected).to_csv(st.dir / "rejected.csv", index=False, encoding="utf-8-sig")
        escape_formulas(res.findings).to_csv(st.dir / "findings.csv", index=False, encoding="utf-8-sig")
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
    birth = pd.to_datetime(clean["birth_date_checked"], errors="coerce")
    tier = _this_years_tier_field(clean, tier_cols)
    t = pd.DataFrame({"age": year - birth.dt.year, "sex": clean["sex_checked"], "area": clean["hukou_checked"],
                      "status": clean["status_checked"],
                      "tier_yuan": tier_yuan(clean[tier]) if tier else np.nan,
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
        # each payer in the most specific group his register flags match (D1 Art. 9), as the
        # calculator applies them; groups on flags the register has no column for keep their share
        flags = [{f for f, on in (("severely_disabled", d), ("dibao", b)) if on}
                 for d, b in zip(paying.disabled, paying.dibao)]
        shares = contributions.matching_group_shares(scen.on_behalf, flags)
        groups = []
        for g in scen.on_behalf:
            known = bool(g.applies_to) and set(g.applies_to) <= REGISTER_FLAGS
            share = float(shares[g.name]) if known else g.share_of_payers
            groups.append({**g.model_dump(mode="python"), "share_of_payers": share})
        if groups:
            changes["on_behalf"] = groups
    return {"members": members, "changes": changes}


def _this_years_tier_field(clean: pd.DataFrame, tier_cols: dict) -> str | None:
    """The column taken as this year's tier: the latest year's; if no tier column has a year,
    the first one without (a register with one 缴费档次 column holds the current tier)."""
    fields = tier_fields(clean, tier_cols)
    dated = [year for year in fields if year is not None]
    if dated:
        return fields[max(dated)][0]
    return fields[None][0] if None in fields else None


BANDS = ((16, 29), (30, 44), (45, 59), (60, dims.MAX_AGE))
REGISTER_FLAGS = {"severely_disabled", "dibao"}          # member flags the register has columns for


def enrolment_rates(members: pd.DataFrame, scen: Scenario, year: int) -> dict:
    """Members over the eligible, by age band and area, in ``year`` [share, at most 1].

    The eligible come from the scenario as the cohort engine counts them
    (``population.eligible_persons``): its population projected to 1 January of ``year``
    times its eligible shares, less the members whose account it has sealed by then
    (D1 Art. 6, 15).
    """
    from .parameters import resolve
    from .projection import initial_state, step
    P = resolve(scen)
    if not P.years[0] <= year <= P.years[-1]:
        return {}
    st = initial_state(P)
    for y in range(int(P.years[0]), year):
        st, _, _ = step(st, P.at(y), P)
    eligible = population.eligible_persons(st.pop[0], P.eligible_share, st.s_n[0])   # (age, sex, area)
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
        escape_formulas(agg["members"]).to_csv(st.dir / "members_by_cell.csv", index=False, encoding="utf-8-sig")
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
    """A column mapping file: ``columns: {id_number: 公民身份号码, ...}``, ``tier_columns: {2024: ...}``.

    Returns it as ``checked_mapping`` does; an empty file is an empty mapping.
    """
    if not path:
        return None
    from .scenario import _Loader, _yaml_problem
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)   # a key given twice: refused
    except OSError as exc:
        raise RegisterError(f"{path}: cannot read the column mapping ({exc.strerror or _one_line(exc)})") from None
    except UnicodeDecodeError:
        raise RegisterError(f"{path}: the column mapping is not UTF-8 text; save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark, why = _yaml_problem(exc)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
        raise RegisterError(f"{path}:{where} the column mapping is not valid YAML: {why}") from None
    return checked_mapping(data, path)


MAPPING_KEYS = ("columns", "tier_columns")


def checked_mapping(data, source) -> dict:
    """The column mapping as ``{"columns": {field: header}, "tier_columns": {year: header}}``.

    ``None`` is the empty mapping. Anything else that is not such a mapping is refused in one
    line naming ``source`` (the file), the key, the value and what is allowed: a list or a
    scalar, an unknown key or field, ``columns: null``, a year that is not a year, a header
    that is not text. Headers are NFKC-normalised and stripped, as the register's are.
    """
    if data is None:
        return {"columns": {}, "tier_columns": {}}
    if not isinstance(data, dict):
        raise RegisterError(f"{source}: the column mapping is a {type(data).__name__} ({_short(data)}); "
                            "it must be a mapping with the keys columns and tier_columns (see README)")
    unknown = [k for k in data if k not in MAPPING_KEYS]
    if unknown:
        raise RegisterError(f"{source}: unknown key {unknown[0]!r}; allowed: " + ", ".join(MAPPING_KEYS))
    columns = _mapping_section(data, "columns", source)
    for field in columns:
        if field not in DEFAULT_COLUMNS:
            raise RegisterError(f"{source}: columns.{field}: unknown field; allowed: " + ", ".join(DEFAULT_COLUMNS))
    tiers = _mapping_section(data, "tier_columns", source)
    return {"columns": {str(f): _mapped_header(h, f"columns.{f}", source) for f, h in columns.items()},
            "tier_columns": {_mapped_year(y, source): _mapped_header(h, f"tier_columns.{y}", source)
                             for y, h in tiers.items()}}


def _mapping_section(data: dict, key: str, source) -> dict:
    """``data[key]`` if it is a mapping ({} if absent); refused if given as anything else, null included."""
    if key not in data:
        return {}
    value = data[key]
    if not isinstance(value, dict):
        example = "id_number: 公民身份号码" if key == "columns" else "2024: 2024年缴费标准"
        raise RegisterError(f"{source}: {key}: {_short(value)} is not allowed; give a mapping, e.g. "
                            f"{key}: {{{example}}}, or leave the key out")
    return value


def _mapped_year(key, source) -> int:
    """A tier_columns key as a year (2024 or "2024"); anything else is refused."""
    text = _clean_text(key)
    if not re.fullmatch(r"(19|20)[0-9]{2}", text):
        raise RegisterError(f"{source}: tier_columns.{key}: {_short(key)} is not a year; "
                            "give the year in 4 digits, e.g. 2024: 2024年缴费标准")
    return int(text)


def _mapped_header(value, key: str, source) -> str:
    """A header named in the mapping, as text; a number is taken as its digits, anything else refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not _clean_text(value):
        raise RegisterError(f"{source}: {key}: {_short(value)} is not a column header; give the header's text")
    return _clean_text(value)


def _short(value) -> str:
    """A value as a message shows it: repr, at most 60 characters ("null" for None)."""
    text = "null" if value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read_employee_ids(path: str | Path | None) -> set:
    """ID numbers on the employee-scheme list (upper case, NFKC-normalised), from a CSV.

    The ID column is the one headed by any ID synonym (``HEADER_SYNONYMS``, e.g. 身份证号,
    公民身份号码) or ``id_number``; a list with no header row has its IDs in the first column
    that holds an ID-like value. A list whose first row is neither is refused.
    """
    if not path:
        return set()
    text = _decoded_text(Path(path), "the employee-scheme list")
    try:
        rows = [[_clean_text(c) for c in r] for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise RegisterError(f"{path}: the employee-scheme list is not a readable CSV ({_one_line(exc)})") from None
    rows = [r for r in rows if any(r)]
    if not rows:
        return set()
    head = rows[0]
    names = (*HEADER_SYNONYMS["id_number"], "id_number")
    col = next((i for i, c in enumerate(head) if c in names), None)
    body = rows[1:]
    if col is None:                                                # no header: every line is data
        col = next((i for i, c in enumerate(head) if re.fullmatch(r"[0-9]{15}|[0-9]{17}[0-9Xx]", c)), None)
        body = rows
    if col is None:
        raise RegisterError(f"{path}: no ID column in the employee-scheme list: its first row is "
                            f"{_shown_headers(head)}; head the column 身份证号 (or {', '.join(names[1:])}) "
                            "or give one ID a line")
    return {r[col].upper() for r in body if len(r) > col and r[col]}
