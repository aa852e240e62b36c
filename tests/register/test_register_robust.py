import sys, pathlib; sys.path.insert(0, str(pathlib.Path(__file__).parent))
"""The register reader survives real county files (issue 11, section 3): full-width text,
odd separators inside quoted fields, county headers and values, formula-like names, and
broken inputs refused in one line, never a traceback; rows in = clean + rejected always."""
import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from model import load_scenario
from model.tools.register import RegisterError, aggregate, check_register, read_employee_ids, read_mapping, read_register, write_check
from synth import make_id, make_register

ROOT = Path(__file__).resolve().parents[2]
SCEN = load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml")
TODAY = dt.date(2026, 11, 28)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def checked(path, mapping=None, employee_ids=None):
    """Read and check a register as the CLI does; the checked result and the register as read."""
    reg = read_register(path, mapping)
    res = check_register(reg.data, reg.tier_cols, SCEN, employee_ids, today=TODAY)
    assert res.rows_in == len(res.clean) + len(res.rejected)           # nothing lost, ever
    return res, reg


def codes_by_row(res) -> dict:
    return res.findings.groupby("row")["code"].apply(set).to_dict()




# --- full-width and other digits -------------------------------------------------------------

def test_full_width_id_is_normalised_and_checked_like_any_other(tmp_path):
    # a full-width ID (typed on a Chinese keyboard) crashed the whole check (UnicodeEncodeError);
    # NFKC makes it ASCII: a good one passes, one with a wrong check digit is id_check_digit
    df = make_register(5, seed=1)
    df.loc[1, "身份证号"] = df.loc[1, "身份证号"].translate(FULL_WIDTH)
    wrong = df.loc[3, "身份证号"][:-1] + ("0" if df.loc[3, "身份证号"][-1] != "0" else "1")
    df.loc[3, "身份证号"] = wrong.translate(FULL_WIDTH)
    df.to_csv(tmp_path / "r.csv", index=False)
    res, _ = checked(tmp_path / "r.csv")
    assert codes_by_row(res) == {5: {"id_check_digit"}}                # spreadsheet row 5 = data row 3
    assert res.clean.loc[res.clean.row == 3, "id_number"].item() == make_register(5, seed=1).loc[1, "身份证号"]


def test_id_in_another_scripts_digits_is_a_format_error_not_a_crash(tmp_path):
    # Arabic-Indic digits are digits to regex \d but not ASCII, and NFKC leaves them as they are
    df = make_register(3, seed=2)
    df.loc[0, "身份证号"] = df.loc[0, "身份证号"].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    df.to_csv(tmp_path / "r.csv", index=False)
    res, _ = checked(tmp_path / "r.csv")
    assert codes_by_row(res) == {2: {"id_format"}}


# --- CSV parsing: quoted fields stay one field, row numbers match the spreadsheet --------------

def test_quoted_line_separators_stay_in_one_field_and_rows_keep_their_numbers(tmp_path):
    # str.splitlines() broke a record at U+2028, U+2029, form feed, \x1c-\x1e and \x85, and dropped
    # quoted line breaks; the csv module keeps each quoted field whole, so data row k is row k + 2
    df = make_register(10, seed=4)
    odd = ["\u2028", "\u2029", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\n", "\r\n"]
    for i, sep in enumerate(odd):
        df.loc[i, "姓名"] = f"张{sep}三"
    df.loc[9, "户籍类型"] = "外地"                                      # a planted error after all of them
    (tmp_path / "r.csv").write_text(df.to_csv(index=False, quoting=csv.QUOTE_ALL), encoding="utf-8")
    res, _ = checked(tmp_path / "r.csv")
    assert res.rows_in == 10
    assert codes_by_row(res) == {11: {"hukou_invalid"}}
    assert res.clean["name"].tolist() == [f"张{sep}三" for sep in odd]


def test_a_quote_never_closed_is_refused_not_swallowing_the_rest(tmp_path):
    df = make_register(4, seed=5)
    text = df.to_csv(index=False).replace("居民1,", '"居民1,', 1)     # an opening quote, never closed
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    with pytest.raises(RegisterError, match="never closes"):
        read_register(tmp_path / "r.csv")


# --- real headers ------------------------------------------------------------------------------

def test_common_header_synonyms_are_recognised_without_a_mapping(tmp_path):
    # 公民身份号码 for the ID, 户口性质 with 农业/非农业, 2024年度缴费档次 for the 2024 tier, spaces around headers
    df = make_register(6, seed=6).drop(columns=["2025年缴费档次"])
    df["户籍类型"] = ["农业", "非农业"] * 3
    df = df.rename(columns={"身份证号": "公民身份号码", "户籍类型": "户口性质", "2024年缴费档次": "2024年度缴费档次",
                            "参保日期": " 参保日期 "})
    df.loc[4, "2024年度缴费档次"] = "150"
    df.to_csv(tmp_path / "r.csv", index=False)
    res, reg = checked(tmp_path / "r.csv")
    assert reg.tier_cols == {2024: "2024年度缴费档次"}
    assert codes_by_row(res) == {6: {"tier_not_allowed"}}
    assert res.clean["hukou_checked"].tolist() == ["rural", "urban", "rural", "urban", "urban"]


def test_a_tier_column_without_a_year_is_checked_and_named_in_a_warning(tmp_path):
    df = make_register(6, seed=7).drop(columns=["2024年缴费档次"]).rename(columns={"2025年缴费档次": "缴费档次"})
    df["状态"] = "缴费"
    df.loc[2, "缴费档次"] = "150"
    df.to_csv(tmp_path / "r.csv", index=False)
    res, reg = checked(tmp_path / "r.csv")
    assert codes_by_row(res) == {4: {"tier_not_allowed"}}
    assert len(reg.warnings) == 1 and "'缴费档次' has no year" in reg.warnings[0]
    # with no dated tier column, aggregate takes it as this year's tier
    mix = aggregate(res.clean, reg.tier_cols, SCEN, today=TODAY)["changes"]["contributions"]["tier_mix"]
    want = df.drop(index=2).groupby("户籍类型")["缴费档次"].apply(lambda s: s.astype(float).value_counts(normalize=True))
    assert mix["rural"] == pytest.approx(want["农村"].to_dict())


# --- values ------------------------------------------------------------------------------------

def test_tier_amounts_with_thousands_separator_unit_or_full_width_digits_are_read(tmp_path):
    df = make_register(8, seed=8)
    df["2025年缴费档次"] = ["1,000", "1000元", "１０００", "1000.0", " 1000 ", "1,00", "一千", "1000"]
    df.to_csv(tmp_path / "r.csv", index=False)
    res, reg = checked(tmp_path / "r.csv")
    assert codes_by_row(res) == {7: {"tier_not_allowed"}, 8: {"tier_not_allowed"}}   # 1,00 and 一千
    members = aggregate(res.clean, reg.tier_cols, SCEN, today=TODAY)["members"]
    assert members["tier_yuan"].tolist() == [1000.0] * len(members) and members["persons"].sum() == 6


def test_an_id_making_the_person_over_110_is_an_error(tmp_path):
    # as of 2026-11-28: born 1916-11-27 is 110 and a day (over 110); born 1916-11-28 is exactly 110
    df = make_register(4, seed=9)
    for i, birth in ((1, "19161127"), (2, "19161128"), (3, "18990101")):
        df.loc[i, "身份证号"] = make_id("522701", birth, i, True)
        df.loc[i, ["性别", "出生日期"]] = ["男", f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"]
    df.to_csv(tmp_path / "r.csv", index=False)
    res, _ = checked(tmp_path / "r.csv")
    assert codes_by_row(res) == {3: {"id_too_old"}, 5: {"id_too_old"}}
    assert set(res.rejected.row) == {3, 5}


def test_employee_list_headed_with_a_synonym_matches(tmp_path):
    ids = [make_id("522701", "19700101", k, True) for k in range(3)]
    emp = tmp_path / "emp.csv"
    emp.write_text('姓名,公民身份号码\n"王,五",' + ids[0] + "\n李四," + ids[1].translate(FULL_WIDTH) + "\n",
                   encoding="utf-8")
    assert read_employee_ids(emp) == {ids[0], ids[1]}
    emp.write_text("\n".join(ids) + "\n", encoding="utf-8")            # a list with no header still works
    assert read_employee_ids(emp) == set(ids)
    emp.write_text("姓名,证件\n王五,123\n", encoding="utf-8")           # no ID column: refused, not ignored
    with pytest.raises(RegisterError, match="no ID column"):
        read_employee_ids(emp)


def test_extra_sheets_of_a_workbook_are_named_in_a_warning(tmp_path, cli):
    path = tmp_path / "r.xlsx"
    with pd.ExcelWriter(path) as xw:
        make_register(3, seed=10).to_excel(xw, sheet_name="2025", index=False)
        make_register(2, seed=11).to_excel(xw, sheet_name="补录", index=False)
        pd.DataFrame().to_excel(xw, sheet_name="空表", index=False)
    res, reg = checked(path)
    assert res.rows_in == 3
    assert len(reg.warnings) == 1 and "'补录' (3 non-empty rows) is not" in reg.warnings[0]
    r = cli("register", "check", path, "--scenario", ROOT / "scenarios" / "qiannan_2011.yaml", "--out", tmp_path / "o",
                "--as-of", "2026-11-28")
    assert r.returncode == 0 and "warning:" in r.stderr and "补录" in r.stderr, r.stderr


def test_an_id_stored_as_a_number_in_a_workbook_is_named_as_such(tmp_path):
    # Excel keeps 15 significant digits: 522701197001010033 typed as a number becomes
    # 522701197001009984 -- not a wrong birth date or check digit, but a lost number
    df = make_register(3, seed=13)
    path = tmp_path / "r.xlsx"
    df.to_excel(path, index=False)
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[1]].index("身份证号") + 1
    ws.cell(row=3, column=col).value = int(df.loc[1, "身份证号"].replace("X", "0"))   # row 3: a number
    wb.save(path)
    res, _ = checked(path)
    assert codes_by_row(res).get(3) == {"id_stored_as_number"}
    assert 2 not in codes_by_row(res) and 4 not in codes_by_row(res)        # text IDs are fine
    assert res.rows_in == len(res.clean) + len(res.rejected)


def test_a_malformed_row_keeps_its_fields_in_rejected(tmp_path):
    df = make_register(3, seed=12)
    lines = df.to_csv(index=False).splitlines()
    lines[2] = lines[2].replace(",100,", ",1,000,", 1) if ",100," in lines[2] else lines[2] + ",surplus"
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res, _ = checked(tmp_path / "r.csv")
    assert codes_by_row(res) == {3: {"row_malformed"}}
    bad = res.rejected.iloc[0]
    assert (bad["name"], bad["id_number"]) == (df.loc[1, "姓名"], df.loc[1, "身份证号"])
    assert bad["extra_fields"] != "" and (res.clean["extra_fields"] == "").all()


# --- formula injection -------------------------------------------------------------------------

def test_formula_like_names_are_escaped_in_every_written_file(tmp_path):
    # OWASP CSV injection: a cell starting with = + - @ gets a leading ' in clean.csv and rejected.csv
    df = make_register(5, seed=13)
    names = ["=cmd|' /C calc'!A0", "+SUM(1+2)", "@SUM(A1)", "-2+3", "张三"]
    df["姓名"] = names
    df.loc[1, "户籍类型"] = "外地"                                      # one of them rejected
    df.to_csv(tmp_path / "r.csv", index=False)
    res, _ = checked(tmp_path / "r.csv")
    write_check(res, tmp_path / "out")
    clean = pd.read_csv(tmp_path / "out" / "clean.csv", dtype=str, keep_default_na=False)
    rejected = pd.read_csv(tmp_path / "out" / "rejected.csv", dtype=str, keep_default_na=False)
    assert clean["name"].tolist() == ["'=cmd|' /C calc'!A0", "'@SUM(A1)", "'-2+3", "张三"]
    assert rejected["name"].tolist() == ["'+SUM(1+2)"] and rejected["row"].tolist() == ["3"]


# --- broken inputs: one clear line, never a traceback --------------------------------------------

@pytest.mark.parametrize("rename", [{"性别": "身份证号"}, {"性别": "公民身份号码"}], ids=["literal", "synonym"])
def test_two_id_columns_are_refused_in_one_line(tmp_path, rename):
    df = make_register(3, seed=14).rename(columns=rename)
    df.to_csv(tmp_path / "r.csv", index=False)
    with pytest.raises(RegisterError) as exc:
        read_register(tmp_path / "r.csv")
    msg = str(exc.value)
    assert "\n" not in msg and "id_number" in msg and "(column B)" in msg and "(column C)" in msg


MAPPINGS = {   # file text -> what the one line must name
    "list": ("- 身份证号\n- 户籍类型\n", "a list"),
    "scalar": ("公民身份号码\n", "a str"),
    "columns_null": ("columns: null\n", "columns: null is not allowed"),
    "year_abc": ("tier_columns:\n  abc: 2024年缴费标准\n", "tier_columns.abc: 'abc' is not a year"),
    "unknown_field": ("columns:\n  idnumber: 公民身份号码\n", "columns.idnumber: unknown field"),
    "unknown_key": ("colums:\n  id_number: 公民身份号码\n", "unknown key 'colums'"),
    "header_not_text": ("columns:\n  id_number: [a, b]\n", "columns.id_number: ['a', 'b'] is not a column header"),
    "not_yaml": ("columns: {id_number: [\n", "the column mapping is not valid YAML"),
    "duplicate_key": ("columns: {hukou: 户口性质, hukou: 户籍类型}\n", "the key 'hukou' is given twice"),
}


@pytest.mark.parametrize("case", MAPPINGS)
def test_a_bad_mapping_file_is_refused_in_one_line_naming_file_and_key(tmp_path, case):
    text, says = MAPPINGS[case]
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegisterError) as exc:
        read_mapping(path)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(path)) and says in msg, msg


def test_a_bad_mapping_through_the_cli_is_one_error_line_and_exit_2(tmp_path, cli):
    make_register(3, seed=15).to_csv(tmp_path / "r.csv", index=False)
    (tmp_path / "map.yaml").write_text("columns: null\n", encoding="utf-8")          # was a TypeError traceback
    r = cli("register", "check", tmp_path / "r.csv", "--scenario", ROOT / "scenarios" / "qiannan_2011.yaml",
                "--columns", tmp_path / "map.yaml", "--out", tmp_path / "o")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr
    assert not (tmp_path / "o").exists()
