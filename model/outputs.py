"""Write a projection's files atomically: annual.csv, detail.parquet, manifest.json.

The files are written into a temporary folder beside the target and moved
into place only when all of them are complete, so a failed run leaves no
half-written folder (and an earlier good output stays until then).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from . import checks
from .results import VARIABLES
from .scenario import file_sha256, scenario_files

PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "pydantic", "pyyaml", "matplotlib", "papermill")


def code_version() -> str:
    """The git commit of the code (with '+dirty' if it has uncommitted changes), or the package version."""
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "model"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "urrbpi-model " + metadata.version("urrbpi-model")


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def manifest(proj, run_seconds: float) -> dict:
    """The provenance of a run: parameters, input hashes, code and package versions, run time."""
    P = proj.parameters
    files = scenario_files(P.scenario)
    from . import tables
    data_files = sorted(tables.DATA_DIR.glob("*.csv"))
    return {
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scenario_file": str(files[-1]) if files else None,
        "scenario_files_sha256": {str(f): file_sha256(f) for f in files},
        "data_files_sha256": {f.name: file_sha256(f) for f in data_files},
        "code_version": code_version(),
        "package_versions": _versions(),
        "run_seconds": round(run_seconds, 4),
        "years": [int(P.years[0]), int(P.years[-1])],
        "warnings": list(P.warnings),
        "identity_failures": checks.all_identities(proj.annual),
        "columns": {k: {"unit": u, "zh": zh, "en": en} for k, (u, zh, en) in VARIABLES.items()},
        "parameters": P.scenario.model_dump(mode="json"),
    }


def temp_dir_beside(out: Path) -> Path:
    """A fresh temporary folder next to ``out`` (same file system, so the final move is atomic)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    return tmp


def move_into_place(tmp: Path, out: Path) -> Path:
    """Replace ``out`` by the finished folder ``tmp``: the old one stays until the new one is there."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out


def write_outputs(proj, out_dir: str | Path, run_seconds: float) -> Path:
    """Write annual.csv, detail.parquet and manifest.json into ``out_dir`` atomically."""
    out = Path(out_dir)
    tmp = temp_dir_beside(out)
    try:
        proj.annual.to_csv(tmp / "annual.csv", index=False, float_format="%.6f")
        if proj.detail is not None:
            proj.detail.to_parquet(tmp / "detail.parquet", index=False)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest(proj, run_seconds), ensure_ascii=False, indent=2), encoding="utf-8")
        return move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
