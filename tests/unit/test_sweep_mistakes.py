"""Sweep files and options: every mistake is one line, never a traceback or a hang (issue 11 §4)."""
import json
from pathlib import Path

import pytest

from model.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "qiubei_2011.yaml"
AXIS = "a: {path: scheme.horizon_years, values: [3, 4]}"


def _sweep(tmp_path, body: str) -> Path:
    f = tmp_path / "sweep.yaml"
    f.write_text(f"base: {BASE}\n{body}\n", encoding="utf-8")
    return f


@pytest.mark.parametrize("body, words", [
    ("axes: {a: {path: 123, values: [1]}}", "axes.a.path: bad value 123: must be a key path"),
    ("axes: {a: {path: scheme.horizon_years, values: {}}}", "axes.a.values: bad value {}: must be a non-empty"),
    (f"axes: {{{AXIS}}}\nsubsets: [corners]", "subsets: bad value ['corners']: must be a mapping"),
    (f"axes: {{{AXIS}}}\nsubsets: {{s: {{a: 3}}}}", "subsets.s.a: bad value 3: must be a list"),
    ("axes: {c: {counties: {province: '520000', limit: abc}}}", "axes.c.counties.limit: bad value 'abc'"),
    ("axes: {f: {files: qiubei_2011.yaml}}", "axes.f.files: bad value 'qiubei_2011.yaml': must be a non-empty"),
    ("axes: {f: {files: [nowhere.yaml]}}", "axes.f.files.nowhere: bad value 'nowhere.yaml': no such scenario"),
    (f"axes:\n  {AXIS}\n  {AXIS}", "the key 'a' is given twice"),
    ("axes: {a: {path: enrolment.rate_path, values: {x: {2011: 0.6, 2012: 0.8, 2011: 0.1}}}}",
     "the key 2011 is given twice"),
    ("axes: {a: {path: scheme.horizon_years, values: [3, 3]}}", "axes.a.values: '3' is given twice"),
    ("axes: {a: {path: x, values: [1], files: [y.yaml]}}", "needs 'path' and 'values', or 'files', or 'counties'"),
    ("axes: {}", "axes: bad value {}: must be a mapping of axis names"),
    ("axes: {a: [1, 2]}", "axes.a: bad value [1, 2]"),
])
def test_bad_sweep_files_are_one_line_naming_the_key(tmp_path, capsys, body, words):
    f = _sweep(tmp_path, body)
    code = main(["sweep", str(f), "--out", str(tmp_path / "out"), "--workers", "0", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and words in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", [["--workers", "-1"], ["--workers", "two"]])
def test_negative_or_non_numeric_workers_are_refused_at_once(tmp_path, capsys, option):
    # issue 11 §4: --workers -1 used to hang forever with no output
    with pytest.raises(SystemExit) as exc:
        main(["sweep", str(_sweep(tmp_path, f"axes: {{{AXIS}}}")), "--out", str(tmp_path / "o"), *option])
    assert exc.value.code == 2 and "give a whole number from 0 to 256" in capsys.readouterr().err


def test_sweep_out_that_is_a_file_or_foreign_folder_is_refused(tmp_path, capsys):
    f = _sweep(tmp_path, f"axes: {{{AXIS}}}")
    code = main(["sweep", str(f), "--out", str(f), "--workers", "0", "--quiet"])
    assert code == 2 and "is a file" in capsys.readouterr().err
    foreign = tmp_path / "theirs"
    foreign.mkdir()
    (foreign / "results.csv").write_text("x", encoding="utf-8")
    code = main(["sweep", str(f), "--out", str(foreign), "--workers", "0", "--quiet"])
    assert code == 2 and "results.csv" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["results.csv"]


def test_sweep_resumes_in_its_own_folder_and_marks_it_from_the_start(tmp_path, capsys):
    f = _sweep(tmp_path, f"axes: {{{AXIS}}}")
    out = tmp_path / "out"
    assert main(["sweep", str(f), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["written_by"]["command"] == "sweep" and man["status"] == "done"
    assert man["identity_failures"] == [] and len(man["files"]) == 3
    (out / "runs" / ".x.tmp-999999999.parquet").write_bytes(b"half")    # a killed writer's file
    assert main(["sweep", str(f), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    assert "2 runs (0 computed now)" in capsys.readouterr().out
    assert not (out / "runs" / ".x.tmp-999999999.parquet").exists()


@pytest.mark.parametrize("address", ["garbage", "http://x:1"])
def test_a_bad_scheduler_address_is_one_line_before_anything_is_written(tmp_path, capsys, address):
    f = _sweep(tmp_path, f"axes: {{{AXIS}}}")
    code = main(["sweep", str(f), "--out", str(tmp_path / "out"), "--scheduler", address, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "give a Dask scheduler address such as tcp://127.0.0.1:8786" in err
    assert not (tmp_path / "out").exists()


def test_a_damaged_run_file_is_made_again_on_resume(tmp_path, capsys):
    f = _sweep(tmp_path, f"axes: {{{AXIS}}}")
    out = tmp_path / "out"
    assert main(["sweep", str(f), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    first = sorted((out / "runs").iterdir())[0]
    good = first.read_bytes()
    first.write_bytes(b"not parquet")                     # a full disk, a manual edit
    assert main(["sweep", str(f), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    assert "(1 computed now)" in capsys.readouterr().out
    assert first.read_bytes()[:4] == good[:4] == b"PAR1"


def test_values_that_cannot_go_together_in_a_run_are_one_line_naming_the_run(tmp_path, capsys):
    # each value passes the schema, but 9 million people aged 60+ do not fit Qiubei's population
    f = _sweep(tmp_path, "axes: {a: {path: population.band_totals.rural, values: {big: {'60+': 9000000}}}}")
    code = main(["sweep", str(f), "--out", str(tmp_path / "out"), "--workers", "0", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "(a=big)" in err and err.count("\n") == 1 and "Traceback" not in err
