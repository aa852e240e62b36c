"""Outputs never destroy anything: every command writes only its own files (issue 11 §1).

Each test runs the CLI in-process through ``main(argv)`` and checks what is on disk
afterwards, byte for byte where the user's files are concerned.
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.io import outputs
from model.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "register"))
from synth import make_register  # noqa: E402


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    """A short scenario (Beibei, 6 years) in a folder of its own."""
    d = tmp_path_factory.mktemp("scen")
    f = d / "short.yaml"
    f.write_text(f"extends: {ROOT / 'scenarios' / 'beibei_2011.yaml'}\nscheme: {{horizon_years: 6}}\n",
                 encoding="utf-8")
    return f


def _snapshot(folder: Path) -> dict:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- refusing others' folders
def test_run_refuses_a_folder_holding_the_users_files_and_touches_nothing(scen, tmp_path, capsys):
    # issue 11 §1: `run --out` at a folder holding the scenario file itself used to delete it
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "short.yaml").write_bytes(scen.read_bytes())
    before = _snapshot(tmp_path)
    code, _, err = _run(["run", folder / "short.yaml", "--out", folder], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "did not write" in err and "notes.txt" in err and "short.yaml" in err
    assert _snapshot(tmp_path) == before                       # nothing added, nothing removed


def test_force_replaces_only_the_commands_own_files(scen, tmp_path, capsys):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = _run(["run", scen, "--out", folder, "--force"], capsys)
    assert code == 0, err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (folder / "sub" / "data.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert {"annual.csv", "detail.parquet", "manifest.json"} <= {p.name for p in folder.iterdir()}
    # again with --force, now without the detail: the stale detail.parquet (ours) goes, notes stay
    code, _, err = _run(["run", scen, "--out", folder, "--force", "--no-detail"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["annual.csv", "manifest.json", "notes.txt", "sub"]
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert man["written_by"] == {"program": "urrbpi-model", "command": "run"}
    assert man["files"] == ["annual.csv"]


def test_rerun_into_its_own_earlier_output_replaces_it_whole(scen, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(["run", scen, "--out", out], capsys)[0] == 0
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["created_utc"]
    assert _run(["run", scen, "--out", out, "--no-detail"], capsys)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["annual.csv", "manifest.json"]
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["created_utc"] >= first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]           # no temporary folder left


def test_a_different_commands_output_is_not_taken_over(scen, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(["run", scen, "--out", out], capsys)[0] == 0
    before = _snapshot(out)
    code, _, err = _run(["register", "aggregate", tmp_path / "missing.csv", "--scenario", scen,
                         "--out", out], capsys)
    assert code == 2 and "did not write" in err
    assert _snapshot(out) == before


def test_register_check_refuses_the_registers_own_folder(scen, tmp_path, capsys):
    # issue 11 §1: this used to delete the county's register (personal data)
    folder = tmp_path / "county"
    folder.mkdir()
    reg = folder / "register.csv"
    make_register(12, seed=1).to_csv(reg, index=False, encoding="utf-8")
    before = _snapshot(folder)
    code, _, err = _run(["register", "check", reg, "--scenario", scen, "--out", folder,
                         "--as-of", "2026-11-28"], capsys)
    assert code == 2 and "register.csv" in err
    assert _snapshot(folder) == before


@pytest.mark.parametrize("bad, words", [
    ("", "give a folder"),
    (".", "not '.' or '..'"),
    ("..", "not '.' or '..'"),
    ("sub/..", "not '.' or '..'"),
])
def test_out_that_is_empty_dot_or_dotdot_is_refused(scen, tmp_path, capsys, monkeypatch, bad, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    before = _snapshot(tmp_path)
    code, _, err = _run(["run", scen, "--out", bad], capsys)
    assert code == 2 and words in err and err.count("\n") == 1
    assert _snapshot(tmp_path) == before


def test_out_that_is_the_current_folder_or_a_parent_is_refused(scen, tmp_path, capsys, monkeypatch):
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    for out in (str(inner), str(tmp_path / "a"), "../../a"):
        code, _, err = _run(["run", scen, "--out", out], capsys)
        assert code == 2 and "current folder or one of its parents" in err


def test_out_that_is_a_file_is_refused_and_kept(scen, tmp_path, capsys):
    # issue 11 §1: a file used to be hidden as .NAME.old-PID and replaced by a folder
    f = tmp_path / "results.txt"
    f.write_text("keep me", encoding="utf-8")
    code, _, err = _run(["run", scen, "--out", f], capsys)
    assert code == 2 and "is a file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.txt"]
    assert f.read_text(encoding="utf-8") == "keep me"
    code, _, err = _run(["run", scen, "--out", f / "inside"], capsys)
    assert code == 2 and "is a file, not a folder" in err


def test_out_that_cannot_be_written_is_one_line(scen, capsys):
    code, _, err = _run(["run", scen, "--out", "/proc/urrbpi-out"], capsys)
    assert code == 2 and err.startswith("error: --out /proc/urrbpi-out") and err.count("\n") == 1


# ---------------------------------------------------------------- interruptions
def test_sigterm_during_writing_is_an_interrupt_and_leaves_the_earlier_output(scen, tmp_path, capsys,
                                                                              monkeypatch):
    out = tmp_path / "out"
    assert _run(["run", scen, "--out", out], capsys)[0] == 0
    before = _snapshot(out)

    def killed(*a, **k):
        os.kill(os.getpid(), signal.SIGTERM)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", killed)
    code, _, err = _run(["run", scen, "--out", out], capsys)
    assert code == 143 and "interrupted; nothing written" in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]           # the temporary folder is gone
    assert signal.getsignal(signal.SIGTERM) is not None


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_leftovers_of_a_killed_run_are_removed_by_the_next_run(scen, tmp_path, capsys):
    out = tmp_path / "out"
    dead = _dead_pid()
    left = tmp_path / f".out.tmp-{dead}-0123abcd"              # SIGKILL: a half-written folder
    left.mkdir()
    (left / "annual.csv").write_text("half", encoding="utf-8")
    alive = tmp_path / f".out.tmp-{os.getppid()}-89abcdef"     # another live run's: left alone
    alive.mkdir()
    lookalike = tmp_path / ".out.tmp-notes"                    # not of the form: left alone
    lookalike.mkdir()
    assert _run(["run", scen, "--out", out], capsys)[0] == 0
    assert not left.exists() and alive.exists() and lookalike.exists()


def test_a_kill_between_the_two_renames_never_loses_the_output(scen, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert _run(["run", scen, "--out", out], capsys)[0] == 0
    before = _snapshot(out)
    # Where the system can exchange two folders atomically, there is no moment without one:
    a, b = tmp_path / "x", tmp_path / "y"
    a.mkdir(), b.mkdir(), (a / "1").write_text("a"), (b / "2").write_text("b")
    if outputs._exchange(a, b):
        assert [p.name for p in a.iterdir()] == ["2"] and [p.name for p in b.iterdir()] == ["1"]
    # Elsewhere two renames are used; a kill between them is repaired by the next run.
    monkeypatch.setattr(outputs, "_exchange", lambda a, b: False)
    real_replace = os.replace
    calls = []

    def dies_on_second(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:
            raise KeyboardInterrupt                           # the process dies here
        return real_replace(src, dst)
    monkeypatch.setattr(outputs.os, "replace", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        outputs._replace_whole(outputs._temp_beside(out), out)
    monkeypatch.setattr(outputs.os, "replace", real_replace)
    assert not out.exists()
    old = [p for p in tmp_path.iterdir() if p.name.startswith(".out.old-")]
    assert len(old) == 1
    fake = tmp_path / old[0].name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-")
    old[0].rename(fake)                                       # as if that process had died
    outputs.clean_leftovers(out)
    assert _snapshot(out) == before


# ---------------------------------------------------------------- manifests everywhere
@pytest.mark.slow   # a real subprocess: the full suite runs it, make quick stays under a minute
def test_every_output_folder_carries_a_manifest(scen, tmp_path, capsys):
    short_national = tmp_path / "national_short.yaml"          # counties share out a national run
    short_national.write_text(f"extends: {ROOT / 'scenarios' / 'national.yaml'}\nscheme: {{horizon_years: 6}}\n",
                              encoding="utf-8")
    reg = tmp_path / "register.csv"
    make_register(20, seed=2).to_csv(reg, index=False, encoding="utf-8")
    runs = {
        "run": ["run", scen, "--out", tmp_path / "run"],
        "register check": ["register", "check", reg, "--scenario", scen, "--out", tmp_path / "check",
                           "--as-of", "2026-11-28"],
        "register aggregate": ["register", "aggregate", reg, "--scenario", scen, "--out",
                               tmp_path / "agg", "--as-of", "2026-11-28"],
        "counties": ["counties", short_national, "--province", "520000",
                     "--limit", "2", "--workers", "0",
                     "--out", tmp_path / "counties"],
    }
    for command, argv in runs.items():
        code, _, err = _run(argv, capsys)
        assert code == 0, (command, err)
        folder = Path(argv[argv.index("--out") + 1])
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert man["written_by"]["command"] == command
        assert sorted(man["files"]) == sorted(p.name for p in folder.iterdir() if p.name != "manifest.json")
        assert man["code_version"] and "python" in man["package_versions"]
    man = json.loads((tmp_path / "check" / "manifest.json").read_text(encoding="utf-8"))
    assert man["inputs_sha256"]["register"]["sha256"] == outputs.file_sha256(reg)
    assert man["rows_in"] == man["clean"] + man["rejected"] == 20
    ids = make_register(20, seed=2)["身份证号"].tolist()
    text = (tmp_path / "check" / "manifest.json").read_text(encoding="utf-8")
    assert not any(i and i in text for i in ids)                           # no personal data


# ---------------------------------------------------------------- identity failures
def test_an_identity_failure_is_printed_and_exits_non_zero(scen, tmp_path, capsys, monkeypatch):
    from model import checks
    monkeypatch.setattr(checks, "all_identities", lambda df, *a, **k: ["2012: account fund does not balance"])
    code, _, err = _run(["run", scen, "--out", tmp_path / "out"], capsys)
    assert code == 1
    assert "breaks 1 identities" in err and "2012: account fund does not balance" in err


# ---------------------------------------------------------------- member statement and JSON
def test_member_statement_never_overwrites_a_file_it_did_not_write(scen, tmp_path, capsys):
    page = tmp_path / "index.html"
    page.write_text("<html>the county's own page</html>", encoding="utf-8")
    base = ["member", scen, "--birth", "1966-05", "--enrol", "2011"]
    code, _, err = _run(base + ["--statement", page], capsys)
    assert code == 2 and "not a statement written by this program" in err
    assert page.read_text(encoding="utf-8") == "<html>the county's own page</html>"
    mine = tmp_path / "statement.html"
    assert _run(base + ["--statement", mine], capsys)[0] == 0
    assert _run(base + ["--statement", mine, "--lang", "en"], capsys)[0] == 0   # its own: replaced
    assert 'lang="en"' in mine.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "statement.html"]


def test_member_json_never_prints_infinity(scen, capsys, monkeypatch):
    from model.member import calculator as member
    real = member.Illustration.to_json_dict
    monkeypatch.setattr(member.Illustration, "to_json_dict",
                        lambda self: {**real(self), "break_even_age": float("inf")})
    code, out, err = _run(["member", scen, "--birth", "1966-05", "--enrol", "2011", "--json"], capsys)
    assert code == 1 and "Infinity" not in out and "break_even_age" in err


@pytest.mark.parametrize("args, words", [
    (["--birth", "9999-01", "--enrol", "2011"], "is in the future"),
    (["--birth", "1966-05", "--enrol", "9999"], "would be over"),
    (["--birth", "1966-05", "--enrol", "2011", "--tier", "2011=100,2011=1600"], "2011 is given twice"),
    (["--birth", "1966-05", "--enrol", "2011", "--catch-up", "2013=1,2013=2"], "2013 is given twice"),
    (["--birth", "1940-05", "--enrol", "2011", "--lump-sum", "nan"], "finite"),
])
def test_member_inputs_no_resident_can_have_are_one_line(scen, capsys, args, words):
    code, out, err = _run(["member", scen, *args], capsys)
    assert code == 2 and words in err and err.count("\n") == 1 and out == ""


# ---------------------------------------------------------------- report: parameters and --out
@pytest.fixture
def no_notebooks(monkeypatch):
    """Fail the test if any notebook starts: refusals must come first."""
    from model.report import runner

    def must_not_run(*a, **k):
        raise AssertionError("a notebook ran")
    monkeypatch.setattr(runner, "run_notebook", must_not_run)


@pytest.mark.parametrize("p, words", [
    (["horizn", "12"], "-p horizn: no such parameter in the selected notebooks; did you mean 'horizon'?"),
    (["horizon", "abc"], "-p horizon 'abc': must be a whole number from 1 to 150"),
    (["horizon", "0"], "-p horizon 0: must be a whole number from 1 to 150"),
    (["budget_year", "1800"], "-p budget_year 1800: must be a whole number from 1900 to 2300"),
    (["budget_year", "2030"], "-p budget_year 2030: outside the projection of"),
    (["lang", "fr"], "-p lang 'fr': must be one of zh, en"),
    (["paths", "-3"], "-p paths -3: must be a whole number from 0 to 10000"),
    (["output_dir", "/tmp/x"], "-p output_dir: is set by the command itself"),
    (["columns", "[members, nonsense]"], "'nonsense' is not a column"),
    # values of the right kind that the notebook would refuse: checked by the same code first
    (["birth", "2099-01"], "-p birth 2099-01 is in the future"),
    (["tier", "150"], "-p tier 150: not a tier"),
    (["targets", "{a: 5}"], "-p targets: 'a': give rate_path"),
    (["targets", "{a: {rate_path: {Y0: .nan}}}"], "-p targets: 'a': enrolment.rate_path"),
    (["fiscal_base_yuan", "{2011: .nan}"], "-p fiscal_base_yuan"),
    (["scenarios", "[]"], "-p scenarios []: give at least one scenario file"),
    (["report_after_years", "[100]"], "-p report_after_years: 100 years after the start is past"),
])
def test_report_parameters_are_checked_before_any_notebook_runs(scen, tmp_path, capsys, no_notebooks, p,
                                                                words):
    code, _, err = _run(["report", scen, "--out", tmp_path / "rep", "-p", *p], capsys)
    assert code == 2 and words in err and err.count("\n") == 1
    assert not (tmp_path / "rep").exists()


def test_report_refuses_a_notebook_folder_holding_other_files(scen, tmp_path, capsys, no_notebooks):
    folder = tmp_path / "rep" / scen.stem / "county_budget"
    folder.mkdir(parents=True)
    (folder / "budget_notes.docx").write_bytes(b"mine")
    code, _, err = _run(["report", scen, "--notebook", "county_budget", "--out", tmp_path / "rep"], capsys)
    assert code == 2 and "budget_notes.docx" in err
    assert (folder / "budget_notes.docx").read_bytes() == b"mine"


@pytest.mark.slow  # papermill
def test_report_relative_out_is_relative_to_where_it_is_run(scen, tmp_path, monkeypatch):
    # issue 11 §1: run from outside the project, half the files went into the project tree
    before = {p for p in ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts}
    r = subprocess.run([sys.executable, "-m", "model", "report", str(scen), "--notebook",
                        "member_illustration", "--out", "rel", "--quiet"],
                       cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "rel" / scen.stem / "member_illustration"
    names = {p.name for p in folder.iterdir()}
    assert {"report.html", "manifest.json", "member_illustration.ipynb", "key_figures.json"} <= names
    after = {p for p in ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts}
    assert {p for p in after - before if "__pycache__" not in p.parts} == set()


def test_report_workbooks_write_text_never_as_a_formula(tmp_path):
    # OWASP formula injection: a scenario title or variant name beginning with '=' stays text
    import openpyxl
    from model.report.tables import write_workbook
    path = write_workbook(tmp_path / "t.xlsx", {"s": pd.DataFrame(
        {"name": ["=cmd|' /C calc'!A0", "+SUM(1+2)", "@SUM(A1)"], "members": [1, 2, 3]})}, "en")
    cells = list(openpyxl.load_workbook(path)["s"]["A"])[1:]
    assert [c.value for c in cells] == ["=cmd|' /C calc'!A0", "+SUM(1+2)", "@SUM(A1)"]
    assert {c.data_type for c in cells} == {"s"}                  # strings, not formulas ('f')


# ---------------------------------------------------------------- review: --force and odd folders
def test_force_never_replaces_a_users_file_that_has_the_commands_file_name(scen, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "annual.csv").write_text("my precious table", encoding="utf-8")
    (folder / "notes.txt").write_text("n", encoding="utf-8")
    before = _snapshot(folder)
    code, _, err = _run(["run", scen, "--out", folder, "--force"], capsys)
    assert code == 2 and "annual.csv there is not this command's own file" in err
    assert _snapshot(folder) == before


def test_force_never_takes_over_another_commands_manifest(scen, tmp_path, capsys):
    reg = tmp_path / "register.csv"
    make_register(8, seed=4).to_csv(reg, index=False, encoding="utf-8")
    check = tmp_path / "check"
    assert _run(["register", "check", reg, "--scenario", scen, "--out", check, "--as-of", "2026-11-28"],
                capsys)[0] == 0
    before = _snapshot(check)
    code, _, err = _run(["run", scen, "--out", check, "--force"], capsys)
    assert code == 2 and "manifest.json" in err
    assert _snapshot(check) == before


def test_an_edited_manifest_cannot_make_force_delete_outside_the_folder(scen, tmp_path, capsys):
    out = tmp_path / "o"
    assert _run(["run", scen, "--out", out], capsys)[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    man["files"] = ["annual.csv", "detail.parquet", "../victim.txt", str(victim)]
    (out / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    (out / "mynote.txt").write_text("x", encoding="utf-8")
    assert _run(["run", scen, "--out", out, "--force"], capsys)[0] == 0
    assert victim.read_text(encoding="utf-8") == "keep"
    assert (out / "mynote.txt").exists()


def test_a_symlinked_out_is_written_through_and_a_dangling_one_refused(scen, tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    assert _run(["run", scen, "--out", link], capsys)[0] == 0
    assert link.is_symlink() and (real / "annual.csv").exists()
    assert _run(["run", scen, "--out", link], capsys)[0] == 0               # and again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
    dangling = tmp_path / "dang"
    dangling.symlink_to(tmp_path / "nowhere")
    code, _, err = _run(["run", scen, "--out", dangling], capsys)
    assert code == 2 and "is a link to nothing" in err and ".tmp-" not in err


def test_a_failed_report_leaves_no_empty_folders(scen, tmp_path, capsys, monkeypatch):
    import papermill
    from model.report import runner

    def fails(*a, **k):
        raise papermill.PapermillExecutionError(0, 1, "boom", "ValueError", "boom", [])
    monkeypatch.setattr(papermill, "execute_notebook", fails)
    monkeypatch.setattr(runner, "declared_params", lambda name: {"scenario", "output_dir", "lang"})
    code, _, err = _run(["report", scen, "--notebook", "county_budget", "--out", tmp_path / "rep",
                         "--quiet"], capsys)
    assert code == 1 and "failed" in err
    assert list(tmp_path.iterdir()) == []


def test_report_needs_a_scenario_or_batch(tmp_path, capsys, no_notebooks):
    code, _, err = _run(["report", "--notebook", "county_budget", "--out", tmp_path / "rep"], capsys)
    assert code == 2 and "give a scenario file, or --batch" in err


@pytest.mark.parametrize("args, words", [
    (["--statement", ""], "--statement '': give a file name ending in .html"),
    (["--tier", "2005=100,2011=200"], "the year 2005 is before enrolment (2011)"),
])
def test_member_statement_and_tier_mistakes_found_before_anything_is_printed(scen, tmp_path, capsys, args,
                                                                           words):
    code, out, err = _run(["member", scen, "--birth", "1966-05", "--enrol", "2011", *args], capsys)
    assert code == 2 and words in err and out == ""


def test_member_statement_under_a_file_is_refused_before_anything_is_printed(scen, tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x", encoding="utf-8")
    code, out, err = _run(["member", scen, "--birth", "1966-05", "--enrol", "2011", "--statement",
                           f / "x.html"], capsys)
    assert code == 2 and "is a file, not a folder" in err and out == ""


def test_register_aggregate_of_no_clean_rows_and_as_of_out_of_range_are_refused(scen, tmp_path, capsys):
    reg = tmp_path / "register.csv"
    make_register(3, seed=5).head(0).to_csv(reg, index=False, encoding="utf-8")      # a header only
    code, _, err = _run(["register", "aggregate", reg, "--scenario", scen, "--out", tmp_path / "agg"], capsys)
    assert code == 2 and "nothing to aggregate" in err and not (tmp_path / "agg").exists()
    code, _, err = _run(["register", "check", reg, "--scenario", scen, "--out", tmp_path / "c",
                         "--as-of", "9999-12-31"], capsys)
    assert code == 2 and "--as-of 9999-12-31: give a date from the scheme's start" in err


def test_force_never_writes_through_a_linked_folder_inside_out(scen, tmp_path, capsys):
    # a report's figures/ replaced by a link to the user's own folder: --force must not reach it
    from model.io.outputs import output_folder
    out, elsewhere = tmp_path / "out", tmp_path / "mine"
    elsewhere.mkdir()
    (elsewhere / "a.png").write_bytes(b"mine")
    with output_folder(out, "report") as st:
        (st.dir / "figures").mkdir()
        (st.dir / "figures" / "a.png").write_bytes(b"ours")
    import shutil
    shutil.rmtree(out / "figures")
    (out / "figures").symlink_to(elsewhere)
    with pytest.raises(outputs.OutputError, match="figures/a.png"):
        with output_folder(out, "report", force=True) as st:
            (st.dir / "figures").mkdir()
            (st.dir / "figures" / "a.png").write_bytes(b"new")
    assert (elsewhere / "a.png").read_bytes() == b"mine"


def test_two_scenarios_with_one_file_name_are_refused_for_report(tmp_path, capsys, no_notebooks):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'qiubei_2011.yaml'}\n",
                                             encoding="utf-8")
    code, _, err = _run(["report", "--batch", str(tmp_path / "*" / "x.yaml"), "--out", tmp_path / "rep"], capsys)
    assert code == 2 and "two scenario files are named x.yaml" in err


def test_report_flags_that_are_not_names_are_one_line(scen, tmp_path, capsys, no_notebooks):
    code, _, err = _run(["report", scen, "--out", tmp_path / "rep", "-p", "flags", "[[1]]"], capsys)
    assert code == 2 and "-p flags" in err and err.count("\n") == 1
