"""Execute the report notebooks headless with papermill, from one Python process.

Each notebook runs into a temporary folder beside its destination
``OUT/<scenario>/<notebook>/`` and is moved into place only when it has run,
been converted to HTML (code hidden) and written its Excel workbook, figures
and key figures. A failing notebook stops the batch for that scenario, shows
the failing cell's error and leaves no half-written folder.
"""
from __future__ import annotations

import glob as _glob
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..outputs import move_into_place, temp_dir_beside

ROOT = Path(__file__).resolve().parents[2]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = ("county_budget", "uptake_targets", "sustainability", "scenario_comparison",
             "member_illustration")


@dataclass
class RunResult:
    scenario: Path
    written: list[Path] = field(default_factory=list)
    failed: str | None = None          # the notebook that failed
    error: str | None = None           # its error cell, as text


def parse_params(pairs) -> dict:
    """``-p key value`` pairs; values read as YAML scalars (numbers, true/false, lists)."""
    out = {}
    for key, value in pairs or []:
        try:
            out[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[key] = value
    return out


def scenario_files(pattern: str | None) -> list[Path]:
    """Scenario files of a glob (default: every scenarios/*.yaml)."""
    pattern = pattern or str(ROOT / "scenarios" / "*.yaml")
    return sorted(Path(p) for p in _glob.glob(pattern))


def related_scenarios(scenario: Path) -> list[str]:
    """Shipped scenario files to compare with by default: the one it extends, else those extending it."""
    scenario = scenario.resolve()
    text = yaml.safe_load(scenario.read_text(encoding="utf-8")) or {}
    if isinstance(text.get("extends"), str):
        return [str((scenario.parent / text["extends"]).resolve())]
    kids = []
    for f in scenario_files(str(scenario.parent / "*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        if isinstance(data.get("extends"), str) and (f.parent / data["extends"]).resolve() == scenario:
            kids.append(str(f.resolve()))
    return kids


def _html(nb_path: Path, html_path: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter
    nb = nbformat.read(nb_path, as_version=4)
    from traitlets.config import Config
    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")


def _error_text(exc) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "exec_count", None)
    where = f" in cell [{cell}]" if cell is not None else ""
    return f"{ename}{where}: {evalue}"


def run_notebook(name: str, scenario: Path, out_dir: Path, params: dict) -> Path:
    """Run one notebook into ``out_dir`` (replaced atomically); returns the folder."""
    import papermill as pm
    tmp = temp_dir_beside(out_dir)
    try:
        declared = set(pm.inspect_notebook(str(NB_DIR / f"{name}.ipynb")))
        p = {"scenario": str(scenario), "output_dir": str(tmp), **params}
        if name == "scenario_comparison" and "scenarios" not in params:
            p["scenarios"] = [str(scenario)] + related_scenarios(scenario)
        if "interactive" in declared:
            p["interactive"] = False                           # no widgets in a headless run
        p = {k: v for k, v in p.items() if k in declared}   # each notebook takes its own knobs
        executed = tmp / f"{name}.ipynb"
        pm.execute_notebook(str(NB_DIR / f"{name}.ipynb"), str(executed), parameters=p,
                            kernel_name="python3", cwd=str(ROOT), progress_bar=False, log_output=False)
        _html(executed, tmp / "report.html")
        move_into_place(tmp, out_dir)
        return out_dir
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def run_reports(scenarios: list[Path], notebooks: list[str], out_root: Path, params: dict,
                progress: bool = True) -> list[RunResult]:
    """Run ``notebooks`` for each scenario; a failure stops that scenario's batch only."""
    from tqdm import tqdm
    results = []
    jobs = [(s, n) for s in scenarios for n in notebooks]
    bar = tqdm(total=len(jobs), disable=not progress, unit="notebook")
    for scen in scenarios:
        res = RunResult(scenario=scen)
        for name in notebooks:
            bar.set_description(f"{scen.stem}/{name}")
            try:
                res.written.append(run_notebook(name, scen.resolve(), out_root / scen.stem / name, params))
                bar.update(1)
            except Exception as exc:          # the notebook's own error, shown to the user
                res.failed, res.error = name, _error_text(exc)
                bar.update(len(notebooks) - notebooks.index(name))
                break
        results.append(res)
    bar.close()
    return results
