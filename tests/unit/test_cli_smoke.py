import pytest
"""One real subprocess per command: `python -m model ...` starts, runs and exits as documented.

Every other CLI test runs in-process through ``main(argv)`` (the ``cli`` fixture).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QIUBEI = ROOT / "scenarios" / "qiubei_2011.yaml"


def _model(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.mark.slow   # a real subprocess: the full suite runs it, make quick stays under a minute
def test_member_command_prints_json():
    r = _model("member", QIUBEI, "--birth", "1966-05", "--enrol", "2011", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["monthly_basic_pension"] > 0


@pytest.mark.slow   # a real subprocess: the full suite runs it, make quick stays under a minute
def test_a_mistake_is_one_line_and_exit_2_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {QIUBEI}\nbenefits: {{payout_divisor: .nan}}\n", encoding="utf-8")
    r = _model("run", bad, "--out", tmp_path / "out")
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert "benefits.payout_divisor" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
