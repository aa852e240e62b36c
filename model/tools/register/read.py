"""Reading a county's register: any usual file (.xlsx, CSV in UTF-8 or GB18030), headers
found through ``HEADER_SYNONYMS`` or a mapping file, every cell NFKC-normalised; a file that
cannot be read as a register is refused in one line (``RegisterError``)."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from model.scenario import ScenarioError


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


class RegisterError(ScenarioError):
    """A register that cannot be read at all (file, headers): one line, exit status 2."""



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



def read_mapping(path: str | Path | None) -> dict | None:
    """A column mapping file: ``columns: {id_number: 公民身份号码, ...}``, ``tier_columns: {2024: ...}``.

    Returns it as ``checked_mapping`` does; an empty file is an empty mapping.
    """
    if not path:
        return None
    from model.scenario import _Loader, _yaml_problem
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

