"""Execute the report notebooks headless with papermill, from one Python process.

Each notebook runs into a temporary folder beside its destination
``OUT/<scenario>/<notebook>/`` and is moved into place only when it has run,
been converted to HTML (code hidden) and written its Excel workbook, figures
and key figures. A failing notebook stops the batch for that scenario, shows
the failing cell's error and leaves no half-written folder.
"""
from __future__ import annotations

import glob as _glob
import json
import time
import warnings
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from model.io.outputs import Owned, check_out, output_folder
from ..scenario import ScenarioError, file_sha256, load_scenario, scenario_files as files_of

ROOT = Path(__file__).resolve().parents[2]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = ("county_budget", "uptake_targets", "sustainability", "scenario_comparison",
             "member_illustration", "policy_questions")
NATIONAL_NOTEBOOKS = ("provinces",)   # a national scenario only; run with --notebook provinces


@dataclass
class RunResult:
    scenario: Path
    written: list[Path] = field(default_factory=list)
    failed: str | None = None          # the notebook that failed
    error: str | None = None           # its error cell, as text


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


def _pdf(folder: Path) -> None:
    """report.pdf beside report.html (A4, page numbers, the report's footer), when Chromium is installed."""
    from ..member.statement import find_chromium
    from .pdf import print_pdf
    if find_chromium() is None:
        _warn_no_chromium()
        return
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    print_pdf(folder / "report.html", folder / "report.pdf", footer=key.get("footer", ""),
              title=key.get("title"), lang=key.get("lang", "zh"))


@lru_cache(maxsize=1)
def _warn_no_chromium() -> None:
    warnings.warn("no Chromium found: the reports are written without PDF files "
                  "(scripts/system-deps.sh installs it)", stacklevel=3)


def _error_text(exc) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "exec_count", None)
    where = f" in cell [{cell}]" if cell is not None else ""
    return f"{ename}{where}: {evalue}"


def declared_params(name: str) -> set[str]:
    """The papermill parameters a notebook declares."""
    import papermill as pm
    return set(pm.inspect_notebook(str(NB_DIR / f"{name}.ipynb")))


def run_notebook(name: str, scenario: Path, out_dir: Path, params: dict, force: bool = False,
                 pdf: bool = True) -> Path:
    """Run one notebook into ``out_dir`` (its own folder, placed atomically, with a manifest);
    ``pdf=False`` leaves out the PDF (tests that do not read it)."""
    import papermill as pm
    t0 = time.perf_counter()
    with output_folder(out_dir, "report", force=force) as st:
        declared = declared_params(name)
        p = {"scenario": str(scenario), "output_dir": str(st.dir), **params}
        if name == "scenario_comparison" and "scenarios" not in params:
            p["scenarios"] = [str(scenario)] + related_scenarios(scenario)
        if "interactive" in declared:
            p["interactive"] = False                           # no widgets in a headless run
        p = {k: v for k, v in p.items() if k in declared}   # each notebook takes its own knobs
        executed = st.dir / f"{name}.ipynb"
        pm.execute_notebook(str(NB_DIR / f"{name}.ipynb"), str(executed), parameters=p,
                            kernel_name="python3", cwd=str(ROOT), progress_bar=False, log_output=False,
                            # the kernel listens on 127.0.0.1 only: its warning about unencrypted
                            # TCP, and its traceback when an interrupted run stops it, are noise
                            extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        _html(executed, st.dir / "report.html")
        if pdf:
            _pdf(st.dir)
        read = [Path(f) for f in ([scenario] if "scenarios" not in p else p["scenarios"])]
        st.manifest.update({
            "notebook": name, "scenario_file": str(scenario),
            "scenario_files_sha256": {str(f): file_sha256(f) for s in read
                                      for f in files_of(load_scenario(s))},
            "parameters": {k: v for k, v in p.items() if k != "output_dir"},
            "run_seconds": round(time.perf_counter() - t0, 3)})
    return st.out


def _index(scen: Path, scenario_dir: Path, params: dict, force: bool, pdf: bool = True) -> list[Path]:
    """The scenario's index page and combined PDF over every report in its folder."""
    from ..member.statement import find_chromium
    from .index import write_index
    return write_index(scenario_dir, scen.resolve(), NOTEBOOKS + NATIONAL_NOTEBOOKS,
                       lang=params.get("lang", "zh"), force=force, pdf=pdf and find_chromium() is not None)


def report_folders(scenarios: list[Path], notebooks: list[str], out_root: Path) -> dict:
    """{(scenario, notebook): its output folder OUT/<scenario>/<notebook>}."""
    return {(s, n): out_root / s.stem / n for s in scenarios for n in notebooks}


def check_report_folders(folders: dict, force: bool = False) -> None:
    """Refuse (OutputError) before any notebook runs if a folder holds files a report did not write."""
    from .index import check_index
    for folder in folders.values():
        check_out(folder, Owned("report"), force)
    for scenario_dir in {f.parent for f in folders.values()}:
        check_out(scenario_dir / "combined", Owned("report"), force)
        check_index(scenario_dir, force)


def run_reports(scenarios: list[Path], notebooks: list[str], out_root: Path, params: dict,
                progress: bool = True, force: bool = False, pdf: bool = True) -> list[RunResult]:
    """Run ``notebooks`` for each scenario, then its index page; a failure stops that scenario's
    batch only. ``pdf=False`` leaves out the PDFs (tests that do not read them)."""
    from tqdm import tqdm
    folders = report_folders(scenarios, notebooks, out_root)
    check_report_folders(folders, force)
    results = []
    bar = tqdm(total=len(folders), disable=not progress, unit="notebook")
    for scen in scenarios:
        res = RunResult(scenario=scen)
        for name in notebooks:
            bar.set_description(f"{scen.stem}/{name}")
            try:
                res.written.append(run_notebook(name, scen.resolve(), folders[scen, name], params, force, pdf))
                bar.update(1)
            except Exception as exc:          # the notebook's own error, shown to the user
                if isinstance(exc, ScenarioError):
                    raise
                res.failed, res.error = name, _error_text(exc)
                bar.update(len(notebooks) - notebooks.index(name))
                break
        if res.failed is None and res.written:
            try:                  # the reports are written: a failing index page is that scenario's error only
                res.written += _index(scen, out_root / scen.stem, params, force, pdf)
            except Exception as exc:
                res.failed, res.error = "index page", _error_text(exc)
        results.append(res)
    bar.close()
    return results
