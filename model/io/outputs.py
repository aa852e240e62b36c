"""Output folders that never destroy anything: checked, staged, placed atomically, with a manifest.

Every command that writes files (``run``, ``report``, ``register check/aggregate``,
``counties``, ``sweep``) writes them into a folder of its own, ``--out``:

- ``--out`` is checked first: empty, ``.``, ``..``, the current folder or one of
  its parents, a file, or a place that cannot be written give one
  :class:`OutputError` line (exit status 2).
- A folder that already exists is taken only if everything in it was written
  by the same command: its ``manifest.json`` carries the marker
  ``written_by: {program: urrbpi-model, command: ...}`` and lists the files the
  command wrote. Anything else in it is the user's, and the command refuses
  with one line naming the folder and what it found — unless ``--force`` is
  given, and even then only the command's own files are replaced.
- The files are written into a hidden temporary folder beside ``--out``
  (``.NAME.tmp-PID-XXXX``) and put in place only when all of them are complete,
  so a failed or interrupted run leaves the earlier output as it was. An earlier
  output of the same command is swapped with the new one in one atomic step
  (Linux ``renameat2(RENAME_EXCHANGE)``), so there is no moment without an
  output folder; where the file system cannot exchange, two renames are used
  and a later run restores the old folder if a kill fell between them.
- Temporary folders left by a killed run (SIGKILL) are removed by the next run
  writing to the same ``--out``; only hidden names of exactly that form whose
  process is gone are touched.
- Every output folder holds ``manifest.json``: the command, what it read (with
  SHA-256), the code and package versions, the time, and the files written.
"""
from __future__ import annotations

import ctypes
import errno
import fnmatch
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

from model.scenario import ScenarioError, file_sha256

PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "pydantic", "pyyaml", "matplotlib", "papermill")
PROGRAM = "urrbpi-model"
MANIFEST = "manifest.json"
_SHOWN = 5                      # foreign entries named in a refusal


class OutputError(ScenarioError):
    """An ``--out`` that cannot be used: printed as one line, exit status 2."""


@lru_cache(maxsize=1)
def code_version() -> str:
    """The git commit of the code (with '+dirty' if it has uncommitted changes), or the package version."""
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "model"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        try:
            return f"{PROGRAM} " + metadata.version("urrbpi-model")
        except metadata.PackageNotFoundError:
            return f"{PROGRAM} (version unknown)"


def package_versions() -> dict:
    """Python's and the main packages' versions, for manifests."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def base_manifest(command: str) -> dict:
    """The fields every manifest starts with: who wrote it, when, with which code."""
    return {"written_by": {"program": PROGRAM, "command": command},
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "code_version": code_version(), "package_versions": package_versions()}


# --------------------------------------------------------------------------
# Checking --out
# --------------------------------------------------------------------------
def out_path(out: str | Path | None, option: str = "--out") -> Path:
    """``out`` as an absolute path (relative to the caller's working folder), or an OutputError.

    Refused: empty, ``.``/``..`` as the last part, the current folder or one of its
    parents (a command's folder is replaced as a whole), the file-system root.
    """
    text = "" if out is None else str(out)
    if not text.strip():
        raise OutputError(f"{option} {text!r}: give a folder for the output files, e.g. outputs/run1")
    p = Path(text)
    if p.name in ("", ".", "..") or text.rstrip("/\\").endswith(("/.", "/..")) or text.strip() in (".", ".."):
        raise OutputError(f"{option} {text!r}: give a folder of its own, e.g. outputs/run1 "
                          f"(not '.' or '..')")
    absolute = Path(os.path.abspath(p))
    if absolute.is_symlink():
        if not absolute.exists():
            raise OutputError(f"{option} {text!r}: is a link to nothing ({os.readlink(absolute)}); give "
                              f"a folder")
        absolute = Path(os.path.realpath(absolute))       # write into the folder it points to
    cwd = Path.cwd().resolve()
    real = absolute.resolve()
    if real == cwd or real in cwd.parents or real == Path(real.anchor):
        raise OutputError(f"{option} {text!r}: is the current folder or one of its parents; give a "
                          f"folder of its own, e.g. outputs/run1")
    if absolute.exists() and not absolute.is_dir():
        raise OutputError(f"{option} {text!r}: is a file; give a folder (it is created if missing)")
    for parent in absolute.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{option} {text!r}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(f"{option} {text!r}: cannot write in {parent} (no permission)")
            break
    return absolute


@dataclass(frozen=True)
class Owned:
    """What a command writes into its folder: exact relative paths and glob patterns."""
    command: str
    patterns: tuple[str, ...] = ()


# The files each command always writes (besides manifest.json), checked for a clash
# with the user's files before any work; report folders are checked when placed.
WRITES = {"run": ("annual.csv", "detail.parquet"),
          "register check": ("clean.csv", "rejected.csv", "findings.csv"),
          "register aggregate": ("members_by_cell.csv", "register_scenario.yaml"),
          "counties": ("counties.parquet", "prefectures.parquet", "provinces.parquet"),
          "sweep": ("results.parquet",),
          "solve": ("solved.yaml", "annual.csv", "evaluations.csv"),
          "explain": ("explain.csv", "waterfall.png"),
          "liability": ("liability.csv", "indicators.csv", "summary.json"),
          "adequacy": ("adequacy.csv", "replacement_rates.csv", "adequacy.png")}


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest.json as a mapping, or None if it has none or it is unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _ours(data: dict | None, command: str, folder: Path) -> bool:
    """Whether a manifest was written by ``command`` of this program (or is a known older one)."""
    if not data:
        return False
    by = data.get("written_by")
    if isinstance(by, dict):
        return by.get("program") == PROGRAM and by.get("command") == command
    # Outputs of versions before the marker: run's manifest had these keys.
    return command == "run" and {"code_version", "columns", "identity_failures"} <= set(data)


def _legacy_report(folder: Path) -> set[str]:
    """Files of a report folder written before report folders had a manifest (else empty)."""
    nb = f"{folder.name}.ipynb"
    if not (folder / nb).is_file() or not (folder / "report.html").is_file():
        return set()
    return {nb, "report.html", "tables.xlsx", "key_figures.json", "statement_zh.html", "statement_en.html",
            "statement_zh.pdf", "statement_en.pdf"} | {
        str(p.relative_to(folder)) for p in (folder / "figures").glob("*.png")}


def _inside(rel: Any) -> bool:
    """Whether a manifest's file entry is a plain path inside the folder (no '..', not absolute)."""
    return isinstance(rel, str) and bool(rel) and not os.path.isabs(rel) and ".." not in Path(rel).parts


def own_files(folder: Path, owned: Owned) -> set[str]:
    """Relative paths in ``folder`` that ``owned.command`` wrote there earlier (its manifest says so).

    Entries that would reach outside the folder (``..``, absolute) are ignored: a
    copied or edited manifest can never make a command touch anything else.
    """
    data = read_manifest(folder)
    if _ours(data, owned.command, folder):
        listed = data.get("files")
        if isinstance(listed, list):
            return {f for f in listed if _inside(f)} | {MANIFEST}
        return {"annual.csv", "detail.parquet", MANIFEST} if owned.command == "run" else {MANIFEST}
    if owned.command == "report":
        return _legacy_report(folder)
    return set()


def foreign_entries(folder: Path, owned: Owned, limit: int = _SHOWN + 1) -> list[str]:
    """Up to ``limit`` paths in ``folder`` (folders end in '/') that ``owned.command`` did not write."""
    mine = own_files(folder, owned)
    found: list[str] = []

    def is_mine(rel: str) -> bool:
        return rel in mine or any(fnmatch.fnmatchcase(rel, pat) for pat in owned.patterns)

    def walk(d: Path, prefix: str) -> None:
        for entry in sorted(os.scandir(d), key=lambda e: e.name):
            if len(found) >= limit:
                return
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if not any(m.startswith(rel + "/") for m in mine) and \
                        not any(p.startswith(rel + "/") for p in owned.patterns):
                    found.append(rel + "/")
                else:
                    walk(Path(entry.path), rel + "/")
            elif not is_mine(rel):
                found.append(rel)
    walk(folder, "")
    return found


def _refusal(folder: Path, shown: str, found: list[str]) -> OutputError:
    names = ", ".join(found[:_SHOWN]) + (" and more" if len(found) > _SHOWN else "")
    return OutputError(f"--out {shown}: the folder holds files this command did not write ({names}); "
                       f"choose another folder, or add --force to replace only this command's own "
                       f"files there (nothing else is touched)")


def _clash(shown: str, taken: list[str]) -> OutputError:
    names = ", ".join(taken[:_SHOWN]) + (" and more" if len(taken) > _SHOWN else "")
    return OutputError(f"--out {shown}: {names} there is not this command's own file, and this command "
                       f"writes a file of that name; even with --force it is never replaced: choose "
                       f"another folder, or move it away")


def check_out(out: str | Path, owned: Owned, force: bool = False) -> Path:
    """The absolute output folder, checked: refuses (OutputError) a folder holding others' files.

    Call before any work, so a refusal costs nothing; :func:`output_folder` checks again.
    """
    path = out_path(out)
    if path.is_dir():
        found = foreign_entries(path, owned)
        if found and not force:
            raise _refusal(path, str(out), found)
        mine = own_files(path, owned)
        taken = [f for f in (MANIFEST, *WRITES.get(owned.command, ())) if f not in mine
                 and ((path / f).exists() or (path / f).is_symlink())]
        if found and taken:                 # the user's own annual.csv, another command's manifest
            raise _clash(str(out), taken)
    return path


# --------------------------------------------------------------------------
# Leftovers of killed runs
# --------------------------------------------------------------------------
def _leftover_re(name: str) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(name)}\.(tmp|old)-(\d+)-[0-9a-f]{{8}}$")


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out: Path) -> list[Path]:
    """Remove the temporary folders that killed runs left beside ``out``; restore a lost output.

    Only hidden siblings named ``.NAME.tmp-PID-XXXXXXXX`` or ``.NAME.old-PID-XXXXXXXX``
    whose process ``PID`` has ended are touched. An ``.old`` folder with no ``out``
    beside it is a previous output caught between two renames: it is put back.
    """
    parent, pattern = out.parent, _leftover_re(out.name)
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    for entry in sorted(parent.iterdir()):
        m = pattern.match(entry.name)
        if not m or process_alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out.exists() and not entry.is_symlink():
            os.replace(entry, out)
            continue
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink()
        else:
            shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _temp_beside(out: Path, kind: str = "tmp") -> Path:
    """A new hidden folder beside ``out`` (same file system, so renames are atomic)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    while True:
        p = out.parent / f".{out.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            p.mkdir(mode=0o755)
            return p
        except FileExistsError:
            continue


# --------------------------------------------------------------------------
# Placing a finished folder
# --------------------------------------------------------------------------
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _files_under(folder: Path) -> list[str]:
    """Relative paths of every file below ``folder``, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _through_link(out: Path, rel: str) -> bool:
    """Whether ``out/rel`` passes through a linked folder below ``out`` (it would reach elsewhere)."""
    return any((out / parent).is_symlink() for parent in Path(rel).parents if str(parent) != ".")


def clashes(tmp: Path, out: Path, mine: set[str]) -> list[str]:
    """Files about to be written into ``out`` whose names are taken by something not ours, or that
    would be written through a linked folder (outside ``out``)."""
    found = []
    for rel in _files_under(tmp):
        target = out / rel
        if _through_link(out, rel) or ((target.exists() or target.is_symlink())
                                       and (rel not in mine or not target.is_file() or target.is_symlink())):
            found.append(rel)
    return found


def _place_each(tmp: Path, out: Path, stale: set[str]) -> None:
    """Move each finished file into the existing ``out``; remove this command's ``stale`` files.

    Used when ``out`` holds others' files (with --force) or is an empty folder:
    only the command's own files change (the caller has checked no name clashes
    with a file that is not). The manifest moves last.
    """
    files = _files_under(tmp)
    for rel in sorted(stale - set(files)):
        target = out / rel
        if _inside(rel) and not _through_link(out, rel) and target.is_file() and not target.is_symlink():
            target.unlink()
    for rel in sorted(files, key=lambda r: r == MANIFEST):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / rel, target)
    shutil.rmtree(tmp, ignore_errors=True)


def _replace_whole(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` in place of ``out``, which holds only the command's files."""
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)          # it now holds the earlier output
        return
    old = _temp_beside(out, "old")
    os.rmdir(old)
    os.replace(out, old)                    # a kill here is repaired by clean_leftovers
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def place(tmp: Path, out: Path, owned: Owned, force: bool, shown: str | None = None) -> Path:
    """Put the finished files of ``tmp`` at ``out``: whole if new or only ours, else file by file."""
    shown = shown or str(out)
    if not out.exists():
        os.replace(tmp, out)
        return out
    found = foreign_entries(out, owned)
    if found and not force:
        raise _refusal(out, shown, found)
    if found or not any(out.iterdir()):
        mine = own_files(out, owned)
        taken = clashes(tmp, out, mine)
        if taken:
            raise _clash(shown, taken)
        _place_each(tmp, out, mine)
    else:
        _replace_whole(tmp, out)
    return out


@dataclass
class Staging:
    """A command's files while they are being written: ``dir`` and the ``manifest`` to fill."""
    dir: Path
    out: Path
    manifest: dict = field(default_factory=dict)


@contextmanager
def output_folder(out: str | Path, command: str, *, force: bool = False,
                  patterns: tuple[str, ...] = ()) -> Iterator[Staging]:
    """Write a command's files into a staging folder, then put them at ``out`` (see module doc).

    The caller writes into ``staging.dir`` and adds to ``staging.manifest``; on success
    ``manifest.json`` (marker, files, the caller's fields) is written and the folder
    placed. On any error or interruption the staging folder is removed and ``out``
    is as it was.
    """
    owned = Owned(command, patterns)
    path = check_out(out, owned, force)
    clean_leftovers(path)
    made = _missing_parents(path)
    try:
        tmp = _temp_beside(path)
    except OSError as exc:
        _remove_empty(made)
        raise OutputError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    staging = Staging(dir=tmp, out=path, manifest=base_manifest(command))
    try:
        yield staging
        files = [f for f in _files_under(tmp) if f != MANIFEST]
        staging.manifest["files"] = files
        (tmp / MANIFEST).write_text(json.dumps(staging.manifest, ensure_ascii=False, indent=1,
                                               allow_nan=False, default=str), encoding="utf-8")
        place(tmp, path, owned, force, str(out))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(made)
        raise


def _missing_parents(path: Path) -> list[Path]:
    """The folders above ``path`` that do not exist yet, deepest first (made for the output)."""
    return [p for p in path.parents if not p.exists()]


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed command made, deepest first, while they are empty."""
    for p in folders:
        try:
            p.rmdir()
        except OSError:
            return


# --------------------------------------------------------------------------
# The projection's files (``run``)
# --------------------------------------------------------------------------
def manifest(proj, run_seconds: float) -> dict:
    """The provenance of a run: parameters, input hashes, code and package versions, run time."""
    from model import checks
    from model.io import tables
    from model.results import VARIABLES
    from model.scenario import scenario_files
    P = proj.parameters
    files = scenario_files(P.scenario)
    data_files = sorted(tables.DATA_DIR.glob("*.csv"))
    return {
        "scenario_file": str(files[-1]) if files else None,
        "scenario_files_sha256": {str(f): file_sha256(f) for f in files},
        "data_files_sha256": {f.name: file_sha256(f) for f in data_files},
        "run_seconds": round(run_seconds, 4),
        "years": [int(P.years[0]), int(P.years[-1])],
        "warnings": list(P.warnings),
        "identity_failures": checks.all_identities(proj.annual),
        "columns": {k: {"unit": u, "zh": zh, "en": en} for k, (u, zh, en) in VARIABLES.items()},
        "parameters": P.scenario.model_dump(mode="json"),
    }


def write_outputs(proj, out_dir: str | Path, run_seconds: float, force: bool = False) -> Path:
    """Write annual.csv, detail.parquet and manifest.json into ``out_dir`` (see module doc)."""
    with output_folder(out_dir, "run", force=force) as st:
        proj.annual.to_csv(st.dir / "annual.csv", index=False, float_format="%.6f")
        if proj.detail is not None:
            proj.detail.to_parquet(st.dir / "detail.parquet", index=False)
        st.manifest.update(manifest(proj, run_seconds))
    return st.out


def add_force_option(parser) -> None:
    """The ``--force`` option every command writing an output folder takes (see ``check_out``)."""
    parser.add_argument("--force", action="store_true",
                        help="write into an --out folder that holds other files too; only this "
                             "command's own files are replaced, nothing else is touched")
