"""Scenario sweeps: a base scenario, axes of changes, every combination run (serially or on Dask).

A sweep file::

    title: ...
    base: ../qiannan_2011.yaml          # relative to the sweep file
    changes: {scheme: {horizon_years: 30}}   # applied to every run (optional)
    axes:
      enrolment:                         # axis name -> the parameter it sets and its values
        path: enrolment.rate_path
        values: {low: {2011: 0.5}, high: {2011: 0.9}}   # named values (or a list)
      rules:
        files: {qiannan: ../qiannan_2011.yaml, beibei: ../beibei_2011.yaml}   # a named set of scenario files
      county:
        counties: {province: "520000"}   # every real county of a province (2020 census)
    subsets:
      corners: {enrolment: [low, high]}  # a named subset: some values of some axes

Each run is keyed by the SHA-256 of its resolved scenario; finished runs are
kept in ``OUT/runs/<key>.parquet`` so an interrupted sweep resumes where it
stopped. The result is one tidy table ``OUT/results.parquet`` (run x year,
the run's axis values as columns) and ``OUT/manifest.json``.
"""
from __future__ import annotations

import hashlib
import itertools
import re
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.io import tables
from model.engine.memory import WORKER_ENV as MEMORY_ENV
from model.io.outputs import MANIFEST
from model.scenario import Scenario, ScenarioError, _deep_merge, _read_yaml, load_scenario, with_overrides


@dataclass(frozen=True)
class Run:
    key: str                       # SHA-256 of the resolved scenario
    labels: dict                   # axis name -> value name
    scenario: Scenario


def _set_path(path: str, value) -> dict:
    """{"a": {"b": value}} from "a.b"."""
    out = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def _county_values(spec: Any, where: str) -> dict[str, dict]:
    """Named changes for every lowest-level unit of a province in the 2020 county census: each
    county's registered (hukou) people of 2020 (``registered2020:county:CODE``)."""
    if not isinstance(spec, dict) or set(spec) - {"province", "limit"}:
        raise ScenarioError(f"{where}.counties: give {{province: '520000'}} and optionally limit: N")
    prov = str(spec.get("province", "")).strip()
    df = tables.county_table()
    names = df.loc[df["admin_code"] == prov, "province_zh"]
    units = df[df["is_lowest_level_unit"] & df["province_zh"].isin(names)]
    if not re.fullmatch(r"\d{6}", prov) or units.empty:
        raise ScenarioError(f"{where}.counties.province: bad value {prov!r}: no counties found (give a "
                            f"6-digit province code such as 520000)")
    limit = spec.get("limit")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ScenarioError(f"{where}.counties.limit: bad value {limit!r}: must be a whole number, "
                                f"1 or more")
        units = units.head(limit)
    from model.io import registered
    codes, reg, _ = registered.registered_2020(units["admin_code"].tolist())
    out = {}
    for r, people in zip(units.itertuples(), reg.sum(axis=(1, 2))):
        # the county's registered (hukou) people (docs/COUNTIES.md), split rural/urban as its residents
        urban = r.pop_urban_chengzhen_persons / max(r.pop_total_persons, 1)
        out[r.admin_code] = {"population": {
            "profile": f"registered2020:county:{r.admin_code}", "profile_year": None, "total": None,
            "area_totals": {"rural": round(people * (1 - urban)), "urban": round(people) - round(people * (1 - urban))},
            "band_totals": None}}
    return out


_AXIS_FORMS = "an axis needs 'path' and 'values', or 'files', or 'counties'"
_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _named(values: Any, where: str, what: str) -> dict:
    """A non-empty list or mapping of values as {name: value}; list items are named by their text."""
    if isinstance(values, list):
        named: dict = {}
        for v in values:
            key = Path(v).stem if what == "files" and isinstance(v, str) else str(v)
            if key in named:
                raise ScenarioError(f"{where}.{what}: {key!r} is given twice; give each once")
            named[key] = v
        values = named
    if not isinstance(values, dict) or not values:
        raise ScenarioError(f"{where}.{what}: bad value {values!r}: must be a non-empty list, or a "
                            f"mapping of names to values")
    return {str(k): v for k, v in values.items()}


def _axis(name: str, ax: Any, path: Path, where: str) -> dict[str, tuple[str | None, dict]]:
    """One axis as {value name: (scenario file or None, changes)}."""
    if not isinstance(ax, dict):
        raise ScenarioError(f"{where}: bad value {ax!r}: {_AXIS_FORMS}")
    forms = [k for k in ("files", "counties", "path") if k in ax]
    unknown = set(ax) - {"files", "counties", "path", "values"}
    if unknown or len(forms) != 1 or (forms == ["path"]) != ("values" in ax):
        what = f"unknown key {sorted(unknown)[0]!r}" if unknown else f"keys {sorted(ax)}"
        raise ScenarioError(f"{where}: {what}: {_AXIS_FORMS} (one of these three forms)")
    if "files" in ax:
        out = {}
        for k, f in _named(ax["files"], where, "files").items():
            target = path.parent / str(f)
            if not isinstance(f, str) or not target.is_file():
                raise ScenarioError(f"{where}.files.{k}: bad value {f!r}: no such scenario file "
                                    f"(relative to the sweep file's folder)")
            out[k] = (str(target.resolve()), {})
        return out
    if "counties" in ax:
        return {k: (None, v) for k, v in _county_values(ax["counties"], where).items()}
    if not isinstance(ax["path"], str) or not _PATH.fullmatch(ax["path"]):
        raise ScenarioError(f"{where}.path: bad value {ax['path']!r}: must be a key path such as "
                            f"enrolment.rate_path")
    return {k: (None, _set_path(ax["path"], v)) for k, v in _named(ax["values"], where, "values").items()}


def _subsets(spec: dict, axes: dict, path: Path) -> dict:
    subsets = spec.get("subsets") or {}
    if not isinstance(subsets, dict):
        raise ScenarioError(f"{path}: subsets: bad value {subsets!r}: must be a mapping of subset names "
                            f"to {{axis: [values]}}, e.g. corners: {{enrolment: [low, high]}}")
    for sname, sel in subsets.items():
        if not isinstance(sel, dict):
            raise ScenarioError(f"{path}: subsets.{sname}: bad value {sel!r}: must be {{axis: [values]}}")
        for a, vals in sel.items():
            if a not in axes:
                raise ScenarioError(f"{path}: subsets.{sname}.{a}: no such axis; axes: {', '.join(axes)}")
            if not isinstance(vals, list) or not vals:
                raise ScenarioError(f"{path}: subsets.{sname}.{a}: bad value {vals!r}: must be a list of "
                                    f"the axis's value names")
            unknown = [str(v) for v in vals if str(v) not in axes[a]]
            if unknown:
                raise ScenarioError(f"{path}: subsets.{sname}.{a}: no value {unknown[0]!r}; values: "
                                    + ", ".join(axes[a]))
    return subsets


def load_sweep(path: str | Path) -> tuple[dict, dict[str | None, list[Run]]]:
    """The sweep definition and its runs: ``{None: every combination, subset name: its runs}``.

    Read like a scenario file (a key given twice is an error); every part is checked
    and a mistake is one ScenarioError line naming the file and the key.
    """
    path = Path(path)
    spec = _read_yaml(path)
    unknown = set(spec) - {"title", "base", "changes", "axes", "subsets", "source"}
    if unknown:
        raise ScenarioError(f"{path}: unknown key {sorted(unknown)[0]!r}; allowed: title, source, base, "
                            f"changes, axes, subsets")
    if not isinstance(spec.get("base"), str) or not (path.parent / spec["base"]).is_file():
        raise ScenarioError(f"{path}: base: bad value {spec.get('base', '(missing)')!r}: must be a scenario "
                            f"file, relative to the sweep file's folder")
    if not isinstance(spec.get("changes") or {}, dict):
        raise ScenarioError(f"{path}: changes: bad value {spec['changes']!r}: must be a mapping, like a "
                            f"scenario file's keys")
    if not isinstance(spec.get("axes"), dict) or not spec["axes"]:
        raise ScenarioError(f"{path}: axes: bad value {spec.get('axes', '(missing)')!r}: must be a mapping "
                            f"of axis names ({_AXIS_FORMS})")
    axes = {str(name): _axis(str(name), ax, path, f"{path}: axes.{name}") for name, ax in spec["axes"].items()}
    spec["subsets"] = _subsets(spec, axes, path)
    base = str((path.parent / spec["base"]).resolve())
    return spec, _expand(spec, axes, base, path)


def _expand(spec, axes, base, path) -> dict[str | None, list[Run]]:
    subsets = spec.get("subsets") or {}
    chosen = {a: list(v) for a, v in axes.items()}
    runs = []
    cache: dict[str, Scenario] = {}
    for combo in itertools.product(*[[(a, k) for k in chosen[a]] for a in chosen]):
        files = [axes[a][k][0] for a, k in combo if axes[a][k][0]]
        scen_file = files[-1] if files else base
        if scen_file not in cache:
            cache[scen_file] = load_scenario(scen_file)
        changes = dict(spec.get("changes") or {})
        for a, k in combo:
            changes = _deep_merge(changes, axes[a][k][1])
        label = ", ".join(f"{a}={k}" for a, k in combo)
        scen = with_overrides(cache[scen_file], changes, f"{path} ({label})")
        runs.append(Run(key=scenario_key(scen), labels=dict(combo), scenario=scen))
    runs_by_subset = {None: runs}
    for sname, sel in subsets.items():
        runs_by_subset[sname] = [r for r in runs
                                 if all(r.labels[a] in [str(x) for x in v] for a, v in sel.items())]
    return runs_by_subset


def scenario_key(scen: Scenario) -> str:
    """SHA-256 of a resolved scenario (its parameters as sorted JSON) and of the code version,
    so that a resumed sweep never reuses runs made by other code."""
    from model.io.outputs import code_version
    text = json.dumps(scen.model_dump(mode="json"), sort_keys=True, ensure_ascii=False) + code_version()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_one(scen: Scenario) -> pd.DataFrame:
    """The annual table of one run (what a Dask worker computes)."""
    from model.engine.project import project
    return project(scen, detail=False).annual


# What a sweep writes into its folder: finished runs (kept for resuming), the tidy table,
# the manifest, and their temporary files (hidden, with the writing process's id).
OWNED = ("runs/*.parquet", "results.parquet", ".*.tmp-*.parquet", ".*.tmp-*.json")
_TMP = re.compile(r"^\.(.+)\.tmp-(\d+)\.(parquet|json)$")


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")


def _write_atomic(df: pd.DataFrame, path: Path) -> None:
    """``df`` as Parquet at ``path``, written beside it and moved in when complete."""
    tmp = _tmp_name(path)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_manifest(out: Path, manifest: dict) -> None:
    tmp = _tmp_name(out / MANIFEST)
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8")
    os.replace(tmp, out / MANIFEST)


def _remove_dead_temps(out: Path) -> None:
    """Temporary files that a killed sweep left in its folder (their process has ended)."""
    from model.io.outputs import process_alive
    for folder in (out, out / "runs"):
        if folder.is_dir():
            for f in folder.iterdir():
                m = _TMP.match(f.name)
                if m and f.is_file() and not process_alive(int(m.group(2))):
                    f.unlink()


def _result(compute, run: Run, sweep_path) -> pd.DataFrame:
    """A run's annual table; parameters that cannot go together (found when they are resolved)
    become one ScenarioError line naming the run, like `run` does for a scenario file."""
    try:
        return compute()
    except ValueError as exc:
        if isinstance(exc, ScenarioError):
            raise
        label = ", ".join(f"{a}={k}" for a, k in run.labels.items())
        raise ScenarioError(f"{sweep_path} ({label}): {' '.join(str(exc).split())}") from None


def _finished(path: Path) -> bool:
    """Whether a run's file is there and readable; a damaged one (a full disk, an edit) is
    removed so that the run is made again."""
    if not path.is_file():
        return False
    import pyarrow.parquet as pq
    try:
        pq.read_metadata(path)
        return True
    except Exception:                  # pyarrow raises several kinds for a damaged file
        path.unlink()
        return False


_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s/:]+(:\d{1,5})?/?$|^[^\s/:]+:\d{1,5}$")


def check_scheduler(address: str) -> None:
    """Refuse a Dask scheduler address that is not of the form tcp://host:8786 (one line)."""
    if not _ADDRESS.match(str(address)):
        raise ScenarioError(f"--scheduler / DASK_SCHEDULER_ADDRESS {address!r}: give a Dask scheduler "
                            f"address such as tcp://127.0.0.1:8786")


def connect(address: str):
    """A Dask client of the scheduler at ``address``; one ScenarioError line if it cannot be reached."""
    from distributed import Client
    check_scheduler(address)
    try:
        return Client(address, timeout="20s")
    except (OSError, ValueError, TimeoutError) as exc:
        raise ScenarioError(f"--scheduler {address}: cannot reach the Dask scheduler "
                            f"({type(exc).__name__}: {' '.join(str(exc).split())[:120]})") from None


def claim_folder(out_dir, force: bool = False) -> Path:
    """The sweep's folder, checked (never another command's or the user's files without --force),
    marked as the sweep's before any run is written, so an interrupted sweep resumes there."""
    from model.io.outputs import Owned, base_manifest, check_out, read_manifest, _ours
    owned = Owned("sweep", OWNED)
    out = check_out(out_dir, owned, force)
    if (out / "runs").is_symlink():
        from model.io.outputs import OutputError
        raise OutputError(f"--out {out_dir}: runs is a link to another folder; the sweep writes its runs "
                          f"only into a folder of its own")
    _remove_dead_temps(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    if not _ours(read_manifest(out), "sweep", out):
        _write_manifest(out, {**base_manifest("sweep"), "status": "running", "files": []})
    return out


# Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536 so that freed memory goes back
# to the system at once; the engine frees state-sized temporaries every projection year, so
# each would be page-faulted afresh. The workers get the engine's own settings instead
# (model/engine/memory.py), through their environment.
WORKER_ENV = MEMORY_ENV


def local_cluster(workers: int):
    """A LocalCluster of ``workers`` one-thread processes on this machine (no dashboard)."""
    import dask
    from distributed import LocalCluster
    env = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **WORKER_ENV}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=None, host="127.0.0.1")


def run_sweep(sweep_path, out_dir, subset: str | None = None, workers: int = 2,
              scheduler: str | None = None, progress: bool = True,
              force: bool = False) -> tuple[pd.DataFrame, dict]:
    """Run every (or a subset's) run not yet done; returns the tidy results and the manifest.

    ``workers`` 0 runs in this process; otherwise on Dask: the cluster at ``scheduler``
    (or $DASK_SCHEDULER_ADDRESS), else a LocalCluster of ``workers`` processes.
    """
    from tqdm import tqdm
    t0 = time.perf_counter()
    spec, by_subset = load_sweep(sweep_path)
    if subset not in by_subset:
        names = [k for k in by_subset if k]
        raise ScenarioError(f"--subset {subset!r}: " + (f"no such subset in {sweep_path}; allowed: "
                            + ", ".join(names) if names else f"{sweep_path} has no subsets"))
    runs = by_subset[subset]
    address = scheduler or (os.environ.get("DASK_SCHEDULER_ADDRESS") if workers else None)
    if address:
        check_scheduler(address)
    out = claim_folder(out_dir, force)
    todo = [r for r in runs if not _finished(out / "runs" / f"{r.key}.parquet")]
    bar = tqdm(total=len(runs), initial=len(runs) - len(todo), disable=not progress, unit="run")
    if todo:
        if workers == 0 and not address:
            for r in todo:
                _write_atomic(_result(lambda: run_one(r.scenario), r, sweep_path), out / "runs" / f"{r.key}.parquet")
                bar.update(1)
        else:
            from distributed import Client, as_completed
            cluster = None
            if address:
                client = connect(address)
            else:
                cluster = local_cluster(workers)
                client = Client(cluster)
            try:
                futures = {client.submit(run_one, r.scenario, key=f"run-{r.key}", pure=True): r for r in todo}
                for fut in as_completed(futures):
                    _write_atomic(_result(fut.result, futures[fut], sweep_path),
                                  out / "runs" / f"{futures[fut].key}.parquet")
                    bar.update(1)
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
    bar.close()
    from model.checks import all_identities
    parts, failures = [], []
    for r in runs:
        df = pd.read_parquet(out / "runs" / f"{r.key}.parquet")
        failures += [f"run {', '.join(f'{a}={k}' for a, k in r.labels.items())}: {f}" for f in all_identities(df)]
        df.insert(0, "run_key", r.key[:16])
        for i, (a, k) in enumerate(r.labels.items()):
            df.insert(1 + i, a, k)
        parts.append(df)
    results = pd.concat(parts, ignore_index=True)
    _write_atomic(results, out / "results.parquet")
    from model.io.outputs import base_manifest
    manifest = {**base_manifest("sweep"), "status": "done",
                "sweep_file": str(Path(sweep_path).resolve()), "title": spec.get("title"),
                "subset": subset, "runs": len(runs), "computed_now": len(todo),
                "axes": list(spec["axes"]), "run_keys": {r.key: r.labels for r in runs},
                "seconds": round(time.perf_counter() - t0, 3), "identity_failures": failures,
                "files": ["results.parquet"] + [f"runs/{r.key}.parquet" for r in runs]}
    _write_manifest(out, manifest)
    return results, manifest
