import sys, pathlib; sys.path.insert(0, str(pathlib.Path(__file__).parent))
"""Register checks: every planted error is found, nothing else is flagged, nothing is lost."""
import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

from model import load_scenario
from model.tools.register import aggregate, check_register, id_parts, mask_id, read_register
from synth import make_id, make_register

ROOT = Path(__file__).resolve().parents[2]
SCEN = load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml")
TODAY = dt.date(2026, 11, 28)


def test_check_digit_rule_gb11643():
    # 11010519491231002X is the standard's own example (check character X)
    p = id_parts(pd.Series(["11010519491231002X", "110105194912310021", "11010519491331002X", "1101051949"]))
    assert p.ok_check.tolist() == [True, False, False, False]
    assert p.ok_format.tolist() == [True, True, True, False]
    assert p.birth.iloc[0] == pd.Timestamp("1949-12-31") and pd.isna(p.birth.iloc[2])
    assert p.sex_from_id.iloc[0] == "female"                         # 17th digit 2: even
    assert make_id("110105", "19491231", 1, False) == "11010519491231002X"


def test_id_numbers_are_masked_except_the_birth_date():
    assert mask_id(pd.Series(["11010519491231002X"]))[0] == "******19491231****"


PLANTS = {  # row index -> (change, expected codes)
    3: ({"身份证号": "52270119660512101"}, {"id_format"}),
    5: ({"身份证号": "LAST_WRONG"}, {"id_check_digit"}),
    7: ({"身份证号": "BAD_DATE"}, {"id_birth_date"}),
    9: ({"出生日期": "1960-01-01"}, {"birth_date_mismatch"}),
    11: ({"性别": "SWAP"}, {"sex_mismatch"}),
    13: ({"身份证号": "UNDER16", "出生日期": "", "性别": "男", "参保日期": "2025-03-01"},
         {"under_16", "enrol_date_impossible"}),
    15: ({"在校学生": "是"}, {"student"}),
    17: ({"身份证号": "DUP_OF_2", "出生日期": "DUP_OF_2", "性别": "DUP_OF_2"}, {"duplicate_id"}),
    19: ({}, {"employee_scheme"}),
    21: ({"2025年缴费档次": "150"}, {"tier_not_allowed"}),
    23: ({"身份证号": "", "出生日期": "1950-06-01"}, {"id_missing_60_plus"}),
    25: ({"身份证号": "", "出生日期": "1980-06-01"}, {"id_missing"}),
    27: ({"参保日期": "2012-02-30"}, {"enrol_date_invalid"}),
    29: ({"参保日期": "2030-01-01"}, {"enrol_date_impossible"}),
    31: ({"户籍类型": "外地"}, {"hukou_invalid"}),
    33: ({"状态": "其他"}, {"status_invalid"}),
}
WARNINGS = {"birth_date_mismatch", "sex_mismatch", "id_missing_60_plus"}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    df = make_register(40, seed=3)
    for i, (change, _) in PLANTS.items():
        for col, v in change.items():
            if v == "LAST_WRONG":
                good = df.at[i, "身份证号"]
                v = good[:-1] + ("0" if good[-1] != "0" else "1")
            elif v == "BAD_DATE":
                body = df.at[i, "身份证号"][:6] + "19661340" + "123"
                v = body + "X"
            elif v == "SWAP":
                v = "女" if df.at[i, "性别"] == "男" else "男"
            elif v == "UNDER16":
                v = make_id("522701", "20150101", 7, True)
            elif v == "DUP_OF_2":
                v = df.at[2, col]
            df.at[i, col] = v
    path = tmp_path_factory.mktemp("reg") / "register.csv"
    df.to_csv(path, index=False)
    emp = path.parent / "employee.csv"
    pd.DataFrame({"身份证号": [df.at[19, "身份证号"], "110105194912310021"]}).to_csv(emp, index=False)
    return path, emp, df


def test_each_planted_error_is_found_and_nothing_else(planted):
    path, emp, df = planted
    reg = read_register(path)
    data, tier_cols = reg.data, reg.tier_cols
    res = check_register(data, tier_cols, SCEN, set(pd.read_csv(emp, dtype=str)["身份证号"]), today=TODAY)
    got = res.findings.groupby("row")["code"].apply(set).to_dict()
    want = {i + 2: codes for i, (_, codes) in PLANTS.items()}       # spreadsheet rows: header is row 1
    assert got == want
    assert res.rows_in == 40 == len(res.clean) + len(res.rejected)
    rejected_rows = set(res.rejected.row)
    for i, (_, codes) in PLANTS.items():
        assert ((i + 2) in rejected_rows) == bool(codes - WARNINGS), i
    f = res.findings.set_index("row")
    assert f.loc[2 + 23, "severity"] == "warning" and "D2" in f.loc[2 + 23, "message_en"]
    assert set(f.loc[2 + 3, ["message_zh", "message_en"]]) and f.loc[2 + 19, "code"] == "employee_scheme"


def test_aggregate_equals_an_independent_groupby(planted):
    path, emp, df = planted
    reg = read_register(path)
    data, tier_cols = reg.data, reg.tier_cols
    res = check_register(data, tier_cols, SCEN, today=TODAY)
    agg = aggregate(res.clean, tier_cols, SCEN, today=TODAY)
    clean = df.iloc[res.clean.row - 2]
    paying = clean[clean["状态"] == "缴费"]
    for area, zh in (("rural", "农村"), ("urban", "城镇")):
        want = paying.loc[paying["户籍类型"] == zh, "2025年缴费档次"].astype(float).value_counts(normalize=True)
        got = agg["changes"]["contributions"]["tier_mix"][area]
        assert got == pytest.approx(want.to_dict())
    assert agg["members"]["persons"].sum() == len(res.clean)
    # enrolment rates: members in a band over the scenario's eligible (tiny for 40 rows)
    rates = agg["changes"]["enrolment"]["relative_by_age_band"]
    assert set(rates["rural"]) == {"16-29", "30-44", "45-59", "60+"}
    assert 0 < rates["rural"]["60+"] < 0.01
    # on-behalf groups: each payer in the most specific group (D1 Art. 9): disabled (grade 1-2)
    # but not on 低保 -> 50 %; disabled and on 低保 -> the whole lowest tier, counted once
    disabled = paying["残疾等级"].isin(["1", "2"])
    dibao = paying["低保"] == "是"
    shares = {g["name"]: g["share_of_payers"] for g in agg["changes"]["on_behalf"]}
    assert shares["severely_disabled"] == pytest.approx((disabled & ~dibao).mean())
    assert shares["severely_disabled_dibao"] == pytest.approx((disabled & dibao).mean())
    assert "姓名" not in agg["members"].columns and "id_number" not in agg["members"].columns


def test_cli_check_and_aggregate(planted, tmp_path, cli):
    path, emp, df = planted
    out = tmp_path / "check"
    r = cli("register", "check", path, "--scenario", ROOT / "scenarios" / "qiannan_2011.yaml",
            "--employee-scheme", emp, "--out", out, "--as-of", "2026-11-28")
    assert r.returncode == 0, r.stderr
    # 16 planted rows: 3 with warnings only stay clean, 13 rejected; the under-16 row has 2 codes
    assert r.stdout.startswith("rows in 40, clean 27, rejected 13, findings 17")
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    assert set(findings.columns) == {"row", "code", "severity", "id_masked", "message_zh", "message_en"}
    assert not findings.id_masked.str.contains(r"^\d{6}", regex=True).any()     # masked
    agg = tmp_path / "agg"
    r = cli("register", "aggregate", path, "--scenario", ROOT / "scenarios" / "qiannan_2011.yaml", "--out", agg)
    assert r.returncode == 0, r.stderr
    run = cli("run", agg / "register_scenario.yaml", "--out", tmp_path / "proj", "--no-detail")
    assert run.returncode == 0, run.stderr                             # the scenario runs from the register


def test_messy_files_dates_blank_and_malformed_lines(tmp_path):
    # dates in several ways, a blank line, a line with an extra field (a comma in an amount),
    # GB18030 text, and an employee list with no header: nothing stops the run, rows stay numbered
    df = make_register(6, seed=9)
    df.loc[1, "参保日期"] = "2013/7/1"
    df.loc[2, "参保日期"] = "2013年7月1日"
    df.loc[3, "参保日期"] = "2013-07-01 00:00:00"
    lines = df.to_csv(index=False).splitlines()
    lines.insert(3, "")                                               # spreadsheet row 4 is blank
    bad = lines[5].split(",")
    bad[8] = '1,000'                                                  # unquoted: one field too many
    lines[5] = ",".join(bad)
    path = tmp_path / "r.csv"
    path.write_bytes("\n".join(lines).encode("gb18030"))
    emp = tmp_path / "emp.csv"
    emp.write_text(df.loc[4, "身份证号"] + "\n", encoding="utf-8")
    from model.tools.register import read_employee_ids
    reg = read_register(path)
    data, tier_cols = reg.data, reg.tier_cols
    res = check_register(data, tier_cols, SCEN, read_employee_ids(emp), today=TODAY)
    got = res.findings.groupby("row")["code"].apply(set).to_dict()
    # spreadsheet rows: header 1, data 0 -> 2, 1 -> 3, blank 4, 2 -> 5, 3 (malformed) -> 6, 4 -> 7, 5 -> 8;
    # the dates 2013/7/1 and 2013年7月1日 are read (no enrol_date_invalid)
    assert got == {4: {"row_blank"}, 6: {"row_malformed"}, 7: {"employee_scheme"}}
    assert res.rows_in == 7 == len(res.clean) + len(res.rejected)
