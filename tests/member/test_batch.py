"""Many residents at once (issue 15): a statement each, a summary, an errors file; a bad row is
reported and the others still run; only the command's own folder is written."""
import json
import random
from pathlib import Path

import pandas as pd
import pytest

from model import load_scenario
from model.member.calculator import Member, illustrate
from model.member.statement import find_chromium

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = load_scenario(ROOT / "scenarios" / "national.yaml")

SMALL = """id,birth,enrol,sex,tier,flags,province
张三,1975-05,2012,M,300,,
li-si,1980-11,2015,F,500,dibao;severely_disabled,贵州
bad-month,1975-13,2012,M,300,,
bad-tier,1975-05,2012,M,150,,
张三,1976-05,2012,M,300,,
bj,1975-05,2012,M,2012=300;2025=1000,,北京
bad-flag,1975-05,2012,M,300,rich,
bad-province,1975-05,2012,M,300,,火星
"""


@pytest.mark.slow   # a real subprocess: the full suite runs it, make quick stays under a minute
def test_a_batch_writes_a_statement_each_and_lists_the_bad_rows(cli, tmp_path):
    f = tmp_path / "residents.csv"
    f.write_text(SMALL, encoding="utf-8")
    r = cli("member", "--batch", f, "--out", tmp_path / "out")
    assert r.returncode == 1 and "3 statements, 5 rows with errors" in r.stderr and "Traceback" not in r.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in (out / "statements").iterdir()) == ["bj.html", "li-si.html", "张三.html"]
    err = pd.read_csv(out / "errors.csv")
    assert err.line.tolist() == [4, 5, 6, 8, 9]                      # the file's own lines
    assert "month 13" in err.error[0] and "not a tier" in err.error[1] and "also on line 2" in err.error[2]
    assert "flags = 'rich'" in err.error[3] and "--province 火星: not a province" in err.error[4]
    summ = pd.read_csv(out / "summary.csv").set_index("id")
    one = illustrate(NATIONAL, Member(birth_year=1975, birth_month=5, enrol_year=2012, tier=300)).summary
    assert summ.loc["张三", "monthly_total"] == pytest.approx(one["monthly_total"])
    assert summ.loc["bj", "government_subsidy_total"] == pytest.approx(1050)     # Beijing's own from 2025
    assert (out / "all.html").read_text(encoding="utf-8").count('break-after: page') == 3
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["statements"] == 3 and man["errors"] == 5
    # again into the same folder: its own earlier output is replaced; a folder of someone else's is not touched
    assert cli("member", "--batch", f, "--out", out).returncode == 1
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    r = cli("member", "--batch", f, "--out", mine)
    assert r.returncode == 2 and (mine / "notes.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_one_residents_options_are_refused_with_a_batch_and_a_bad_override_writes_nothing(cli, tmp_path):
    f = tmp_path / "residents.csv"
    f.write_text("birth,enrol\n1975-05,2012\n,\n1980-05,2012\n", encoding="utf-8")
    for extra, msg in ((["--interest-rate", "0.1"], "--interest-rate is for one resident"),
                       (["--tier", "2000"], "--tier is for one resident"), (["--dibao"], "--dibao is for one resident"),
                       (["--basic-pension", "nan"], "--basic-pension nan")):
        r = cli("member", "--batch", f, "--out", tmp_path / "out", *extra)
        assert r.returncode == 2 and msg in r.stderr and not (tmp_path / "out").exists()
    r = cli("member", "--birth", "1975-05", "--enrol", "2012", "--out", tmp_path / "o")
    assert r.returncode == 2 and "--out is for --batch" in r.stderr
    # no id: the file line names the resident; a line of empty cells is no resident
    assert cli("member", "--batch", f, "--out", tmp_path / "out").returncode == 0
    assert sorted(p.name for p in (tmp_path / "out" / "statements").iterdir()) == ["2.html", "4.html"]


@pytest.mark.parametrize("text, message", [
    ("birth,enrol,birth\n1975-05,2012,1976-05\n", "column 'birth' is given twice"),
    ("birth,enrol\n\"" + "x" * 140_000 + "\",2012\n", "cannot read it as CSV"),
    ("id,birth,enrol,colour\n1,1975-05,2012,red\n", "column 'colour' is not a resident's"),
    ("id,enrol\n1,2012\n", "column 'birth' missing"),
    ("", "empty; the first line names the columns"),
])
def test_a_batch_file_that_cannot_be_read_is_one_line_and_nothing_is_written(cli, tmp_path, text, message):
    f = tmp_path / "residents.csv"
    f.write_text(text, encoding="utf-8")
    r = cli("member", "--batch", f, "--out", tmp_path / "out")
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()
    assert cli("member", "--batch", f).returncode == 2                # --out is needed


@pytest.mark.slow   # 400 residents: about 30 s (1,000 took 75 s: too much of the suite's ten minutes)
def test_four_hundred_residents_with_planted_bad_rows(cli, tmp_path):
    rng = random.Random(11)
    lines, bad = ["id,birth,enrol,sex,area,tier"], {}
    for i in range(400):
        y = rng.randint(1955, 2000)
        row = [f"r{i}", f"{y}-{rng.randint(1, 12):02d}", str(min(max(2009, y + 16) + rng.randint(0, 5), 2026)),
               rng.choice("FM"), rng.choice(["rural", "urban"]), str(rng.choice([100, 200, 300, 500, 1000]))]
        if i % 97 == 5:                                   # planted: a tier that is not one, a bad date
            row[5], bad[i + 2] = "250", "not a tier"
        elif i % 97 == 50:
            row[1], bad[i + 2] = "19xx-01", "birth = '19xx-01'"
        lines.append(",".join(row))
    f = tmp_path / "residents.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = cli("member", "--batch", f, "--out", tmp_path / "out")
    err = pd.read_csv(tmp_path / "out" / "errors.csv").set_index("line")
    for line, why in bad.items():
        assert why in err.loc[line, "error"]
    summ = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert len(summ) + len(err) == 400 and len(summ) > 360         # the rest ran (some are simply too old)
    assert len(list((tmp_path / "out" / "statements").glob("*.html"))) == len(summ)
    assert r.returncode == 1 and f"{len(summ)} statements" in r.stderr


@pytest.mark.skipif(find_chromium() is None, reason="Chromium not installed")
@pytest.mark.slow   # headless Chromium
def test_a_batch_prints_each_statement_and_one_combined_pdf(cli, tmp_path):
    import re
    f = tmp_path / "residents.csv"
    f.write_text("id,birth,enrol,tier\na,1975-05,2012,300\nb,1980-11,2015,500\n", encoding="utf-8")
    r = cli("member", "--batch", f, "--out", tmp_path / "out", "--pdf", "--what-if")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    assert (out / "statements" / "a.pdf").stat().st_size > 10_000 and (out / "statements" / "b.pdf").exists()
    assert len(re.findall(rb"/Type\s*/Page[^s]", (out / "all.pdf").read_bytes())) == 2       # a page each
    assert "多缴多得" in (out / "statements" / "a.html").read_text(encoding="utf-8")
