"""What a report notebook needs besides the model: output folder, labels, figures, tables, key figures.

A notebook does::

    rep = Report(output_dir, lang)          # sets up fonts; lang may fall back to "en"
    rep.t("县级财政支出", "county cost")       # a label in the report's language
    rep.figure(fig, "budget_by_level")       # PNG into output_dir/figures/
    rep.tables({"budget": df})               # tables.xlsx, one sheet per table
    rep.key({"county_cost_next_year": x})    # key_figures.json (tests compare it with the engine)
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .. import load_scenario
from ..scenario import Scenario, with_overrides
from .fonts import setup_matplotlib
from .tables import header, labelled, meta, write_workbook

ROOT = Path(__file__).resolve().parents[2]


def repo_path(path: str | Path) -> Path:
    """A path given relative to the repository root (or absolute)."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def load(path: str | Path, horizon: int | None = None) -> Scenario:
    """A scenario from a path relative to the repository root, with an optional horizon."""
    scen = load_scenario(repo_path(path))
    if horizon:
        scen = with_overrides(scen, {"scheme": {"horizon_years": int(horizon)}})
    return scen


class Report:
    """The output folder and language of one executed notebook."""

    def __init__(self, output_dir: str | Path, lang: str = "zh"):
        self.dir = repo_path(output_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "figures").mkdir(exist_ok=True)
        self.lang = setup_matplotlib(lang)
        self._tables: dict[str, pd.DataFrame] = {}

    def t(self, zh: str, en: str) -> str:
        """The label in the report's language."""
        return zh if self.lang == "zh" else en

    def level_names(self) -> dict[str, str]:
        """The levels of government in the report's language (dims.LABELS)."""
        from .. import dims
        return {lv: self.t(*dims.LABELS["level"][lv]) for lv in dims.LEVELS}

    def col(self, name: str) -> str:
        """The header of an output column, with its unit."""
        return header(name, self.lang)

    def show(self, df: pd.DataFrame):
        """A table for display: labelled headers with units, numbers formatted by unit, no index."""
        out = labelled(df, self.lang)
        fmts = {}
        for col, lab in zip(df.columns, out.columns):
            unit = meta(col)[0]
            if col == "year":
                fmts[lab] = "{:.0f}"
            elif unit == "share":
                fmts[lab] = "{:.2%}"
            elif unit in ("yuan_per_month", "yuan_per_member", "years"):
                fmts[lab] = "{:,.2f}"
            elif unit == "ratio":
                fmts[lab] = "{:,.3f}"
            elif pd.api.types.is_numeric_dtype(df[col]):
                fmts[lab] = "{:,.0f}"
        return out.style.format(fmts, na_rep="—").hide(axis="index")

    def figure(self, fig, name: str):
        """Save a figure as PNG (150 dpi) and return it for display."""
        fig.savefig(self.dir / "figures" / f"{name}.png", dpi=150, bbox_inches="tight")
        return fig

    @staticmethod
    def years_axis(*axes) -> None:
        """Whole years on the x axis (no 2012.5)."""
        from matplotlib.ticker import MaxNLocator
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    def tables(self, sheets: dict[str, pd.DataFrame]) -> Path:
        """Add tables and (re)write tables.xlsx with all tables so far."""
        self._tables.update(sheets)
        return write_workbook(self.dir / "tables.xlsx", self._tables, self.lang)

    def key(self, figures: dict) -> Path:
        """Write key_figures.json (numbers the tests compare with the engine)."""
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in figures.items()}
        path = self.dir / "key_figures.json"
        old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        old.update(clean)
        path.write_text(json.dumps(old, ensure_ascii=False, indent=1, default=float), encoding="utf-8")
        return path
