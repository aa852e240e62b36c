"""What a report notebook needs besides the model: output folder, words, units, figures, tables.

A notebook builds its report in reading order, and every call both shows the part
(HTML in the executed notebook) and records it (``Report.blocks``) so that the same
report can be written as Word (``model/report/word.py``)::

    rep = Report(output_dir, lang, scenario)   # fonts; lang may fall back to "en"
    rep.units_for(annual)                      # 万元 or 亿元, 人 or 万人, by size (one per report)
    rep.title(rep.t("…测算", "… budget"))
    x = rep.value("county_cost_first_year", 1.2e7, "money")   # "1,200万元", a key figure
    rep.summary([f"……需安排{x}……", ...])       # three to six sentences built from key figures
    rep.boxes([(rep.t("县级财政", "county"), "county_cost_first_year"), ...])
    rep.heading(...); rep.table(df, title); rep.figure(fig, "name")
    rep.assumptions(); rep.method()            # every ASSUMPTION of the extends chain; the method note
    rep.finish(docx=True)                      # key_figures.json, tables.xlsx (with its contents sheet), report.docx

Every number a sentence shows is registered by :meth:`Report.value` with the model's value,
its kind and the text shown; ``key_figures.json`` keeps them (``summary_figures``) and the tests
check that each number in each sentence is one of them, formatted from its value.
"""
from __future__ import annotations

import datetime as _dt
import html as _html
import json
import math
import re
from pathlib import Path

import pandas as pd

from .. import load_scenario
from ..scenario import Scenario, file_sha256, with_overrides
from .fonts import setup_matplotlib
from .tables import header, meta, write_workbook
from .units import Scale, fmt, fmt_scaled, fmt_share, money_scale, persons_scale, scaled_decimals

ROOT = Path(__file__).resolve().parents[2]

# English reports count money in millions and billions: "10,000 yuan" reads badly in English.
MILLION_YUAN = Scale(1e6, "百万元", "million yuan")
BILLION_YUAN = Scale(1e9, "十亿元", "billion yuan")
MILLION_PERSONS = Scale(1e6, "百万人", "million people")
PEOPLE = Scale(1.0, "人", "people")

KINDS = ("money", "persons", "share", "year", "yuan_pm", "yuan", "count", "number")

STYLE = """<style>
.rep-sub{color:#555;margin-top:-0.4em}
.summary{background:#f4f7fb;border-left:4px solid #2b6cb0;padding:0.6em 1em;margin:0.8em 0;font-size:1.05em;line-height:1.7}
.summary p{margin:0.2em 0}
.key-figures{display:flex;flex-wrap:wrap;gap:10px;margin:0.6em 0 1.2em 0}
.kf{border:1px solid #cbd5e0;border-radius:6px;padding:8px 12px;min-width:150px;flex:1 1 150px;background:#fff}
.kf .v{font-size:1.6em;font-weight:bold;color:#1a365d}
.kf .u{font-size:0.6em;font-weight:normal;color:#4a5568;margin-left:3px}
.kf .l{font-size:0.9em;color:#4a5568}
h1{font-size:1.7em;line-height:1.35}
.page-break{break-before:page}
table.rep{border-collapse:collapse;font-size:0.9em;margin:0.4em 0;table-layout:auto;max-width:100%}
table.rep td,table.rep th{white-space:normal;overflow-wrap:break-word;text-align:left !important}
table.rep th{text-align:center !important}
table.rep td.r{text-align:right !important;white-space:nowrap}
table.rep.text{font-size:0.8em}
table.rep.text td{vertical-align:top}
table.rep th{border-bottom:2px solid #4a5568;padding:3px 8px;text-align:center;vertical-align:bottom}
table.rep td{border-bottom:1px solid #e2e8f0;padding:3px 8px}
table.rep td.r{text-align:right;font-variant-numeric:tabular-nums}
.rep-note{font-size:0.85em;color:#555}
</style>"""


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


def scenario_title(scen: Scenario, lang: str) -> str:
    """The scenario's title for a reader in ``lang``, without internal document codes."""
    from .plain import plain
    text = scen.title if lang == "zh" or not scen.title_en else scen.title_en
    return plain(text, lang)


def _display(obj) -> None:
    try:
        from IPython.display import display
    except ImportError:        # outside Jupyter (unit tests): the record is what counts
        return
    display(obj)


def _html_obj(text: str):
    from IPython.display import HTML
    return HTML(text)


def _md(text: str):
    from IPython.display import Markdown
    return Markdown(text)


def _bold_html(text: str) -> str:
    """Escaped text with **bold** spans as <b>."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", _html.escape(text))


class Report:
    """The output folder, language, units and record of one executed notebook."""

    def __init__(self, output_dir: str | Path, lang: str = "zh", scenario: str | Path | None = None):
        self.dir = repo_path(output_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "figures").mkdir(exist_ok=True)
        self.lang = setup_matplotlib(lang)
        self.scenario_path = repo_path(scenario) if scenario else None
        self._tables: dict[str, pd.DataFrame] = {}
        self._descriptions: dict[str, str] = {}
        self.blocks: list[dict] = []
        self.figures: dict[str, dict] = {}     # name -> {value, kind, text, unit}
        self.money: Scale | None = None
        self.persons: Scale | None = None
        self.report_title = ""
        self._styled = False
        self._n_figures = 0

    # ---------------------------------------------------------------- language
    def t(self, zh: str, en: str) -> str:
        """The label in the report's language."""
        return zh if self.lang == "zh" else en

    def level_names(self) -> dict[str, str]:
        """The levels of government in the report's language (dims.LABELS)."""
        from .. import dims
        return {lv: self.t(*dims.LABELS["level"][lv]) for lv in dims.LEVELS}

    def col(self, name: str) -> str:
        """The header of an output column, with its unit (scaled as the report shows it)."""
        unit, zh, en = meta(name)
        scale = self._scale_of(unit)
        if scale is None:
            return header(name, self.lang)
        name_ = self.t(zh, en)
        return f"{name_}({scale.zh})" if self.lang == "zh" else f"{name_} ({scale.en})"

    # ---------------------------------------------------------------- units
    def units_for(self, annual: pd.DataFrame | None = None, money_yuan: float | None = None,
                  persons: float | None = None) -> None:
        """Choose the report's money and head-count units by size, once for the whole report.

        Money: the yearly government cost this year (or ``money_yuan``): 万元 for a county or a
        prefecture, 亿元 for a province or the nation (units.money_scale); English reports use
        million or billion yuan at the same threshold. People: the members this year: 人 or 万人
        (million in English). "This year" is today's calendar year kept within the projection: the
        size of the place, not of money a century of nominal growth later (Qiannan spends 8.6亿元
        in 2027 and 142亿元 in 2100, and its finance bureau budgets in 万元).
        """
        if annual is not None:
            a = annual.set_index("year") if "year" in annual.columns else annual
            now = min(max(_dt.date.today().year, int(a.index.min())), int(a.index.max()))
            if money_yuan is None:
                money_yuan = float(abs(a.loc[now, "government_total_cost"]))
            if persons is None:
                persons = float(abs(a.loc[now, "members"]))
        money_yuan = money_yuan or 0.0
        persons = persons or 0.0
        m = money_scale([money_yuan])
        p = persons_scale([persons])
        if self.lang == "en":
            m = MILLION_YUAN if m.factor < 1e8 else BILLION_YUAN
            p = PEOPLE if p.factor == 1 else MILLION_PERSONS
        self.money, self.persons = m, p

    def _scale_of(self, unit: str) -> Scale | None:
        if unit == "yuan":
            return self.money
        if unit == "persons":
            return self.persons
        return None

    def unit_name(self, kind: str) -> str:
        """The unit a kind of figure is shown in, in the report's language (万元, 亿元, 万人, %...)."""
        if kind == "money":
            return self._need(self.money).zh if self.lang == "zh" else self._need(self.money).en
        if kind == "persons":         # English names the people: "70,296 members", "1.2 million members"
            p = self._need(self.persons)
            return p.zh if self.lang == "zh" else ("" if p.factor == 1 else "million")
        return {"share": "%", "yuan_pm": self.t("元/月", "yuan a month"), "yuan": self.t("元", "yuan"),
                "year": "", "count": "", "number": ""}[kind]

    def axis_unit(self, kind: str) -> str:
        """The unit an axis or a header names (万元, 亿元, 人, 万人; million yuan, people, million people)."""
        if kind == "persons":
            p = self._need(self.persons)
            return p.zh if self.lang == "zh" else p.en
        return self.unit_name(kind)

    @staticmethod
    def _need(scale):
        if scale is None:
            raise RuntimeError("Report.units_for(annual) must be called before money or people are shown")
        return scale

    def number(self, value, kind: str, decimals: int | None = None) -> str:
        """The number part of a figure as shown (no unit): scaled money/people, % for shares."""
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r}: one of {', '.join(KINDS)}")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if kind == "money":
            return fmt_scaled(value, self._need(self.money), decimals)
        if kind == "persons":
            return fmt_scaled(value, self._need(self.persons), decimals)
        if kind == "share":
            return fmt_share(value, 1 if decimals is None else decimals).rstrip("%")
        if kind == "year":
            return str(int(value))
        if kind in ("yuan_pm", "yuan"):
            return fmt(value, 2 if decimals is None else decimals)
        if kind == "count":
            return fmt(value, 0)
        return fmt(value, 2 if decimals is None else decimals)

    def with_unit(self, number: str, kind: str) -> str:
        """A number with its unit, as a sentence shows it ("1,234万元", "12.3%", "1.2 million yuan")."""
        unit = self.unit_name(kind)
        if not unit or number == "—":
            return number
        if kind == "share":
            return number + "%"
        return number + unit if self.lang == "zh" else f"{number} {unit}"

    def value(self, name: str, value, kind: str, decimals: int | None = None) -> str:
        """Register the key figure ``name`` (the model's value, in yuan/persons/share/...) and
        return it as a sentence shows it, with its unit."""
        v = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
        if hasattr(v, "item"):
            v = v.item()
        text = self.number(v, kind, decimals)
        self.figures[name] = {"value": v, "kind": kind, "text": text, "unit": self.unit_name(kind),
                              "decimals": decimals,
                              "factor": {"money": getattr(self.money, "factor", 1),
                                         "persons": getattr(self.persons, "factor", 1)}.get(kind, 1)}
        self.key({name: v})
        return self.with_unit(text, kind)

    def change(self, name: str, delta, kind: str, decimals: int | None = None) -> str:
        """A change in words: "增加X" / "减少X" ("rises by X" / "falls by X"), or "基本不变"
        ("hardly changes") when X shows as zero; X (the size, ≥ 0) is the key figure ``name``."""
        if delta is None or (isinstance(delta, float) and math.isnan(delta)):
            self.key({name: None})
            return self.t("变化无法计算", "cannot be worked out")
        d = float(delta)
        shown = self.number(abs(d), kind, decimals)
        if not any(ch in "123456789" for ch in shown):
            self.key({name: abs(d)})
            return self.t("基本不变", "hardly changes")
        size = self.value(name, abs(d), kind, decimals)
        return self.t(("增加" if d > 0 else "减少") + size, ("rises by " if d > 0 else "falls by ") + size)

    # ---------------------------------------------------------------- the page
    def _style(self) -> str:
        if self._styled:
            return ""
        self._styled = True
        return STYLE

    def title(self, text: str, subtitle: str | None = None) -> None:
        """The report's title (h1) and a line naming the scenario file and the date."""
        if subtitle is None:
            bits = [self.scenario_path.name] if self.scenario_path else []
            subtitle = self.t("方案文件:", "scenario file: ") + " · ".join(
                bits + [_dt.date.today().isoformat()]) if bits else _dt.date.today().isoformat()
        self.report_title = text
        _display(_html_obj(self._style() + f"<h1>{_html.escape(text)}</h1>"
                           f"<p class='rep-sub'>{_html.escape(subtitle)}</p>"))
        self.blocks.append({"kind": "title", "text": text, "subtitle": subtitle})
        self.key({"title": text})

    def summary(self, sentences: list[str]) -> None:
        """The summary in words (three to six sentences whose numbers are key figures)."""
        sentences = [s for s in sentences if s]
        _display(_html_obj(self._style() + "<div class='summary'>" + "".join(
            f"<p>{_bold_html(s)}</p>" for s in sentences) + "</div>"))
        self.blocks.append({"kind": "summary", "sentences": sentences})
        self.key({"summary": sentences,
                  "summary_figures": {k: v for k, v in self.figures.items()}})

    def boxes(self, items: list[tuple[str, str]]) -> None:
        """Key figures in boxes: (label, name of a figure registered by :meth:`value`)."""
        shown = []
        for label, name in items:
            f = self.figures[name]
            unit = "%" if f["kind"] == "share" else f["unit"]
            shown.append({"label": label, "text": f["text"], "unit": unit, "name": name})
        _display(_html_obj(self._style() + "<div class='key-figures'>" + "".join(
            f"<div class='kf'><div class='v'>{_html.escape(b['text'])}<span class='u'>{_html.escape(b['unit'])}"
            f"</span></div><div class='l'>{_html.escape(b['label'])}</div></div>" for b in shown) + "</div>"))
        self.blocks.append({"kind": "key_figures", "items": [
            {k: b[k] for k in ("label", "text", "unit")} for b in shown]})
        self.key({"boxes": shown})

    def heading(self, text: str, level: int = 2, page_break: bool = False) -> None:
        """A section heading (## or ###), optionally starting a new printed page."""
        if page_break:
            _display(_html_obj("<div class='page-break'></div>"))
            self.blocks.append({"kind": "page_break"})
        _display(_md("#" * level + " " + text))
        self.blocks.append({"kind": "heading", "text": text, "level": level})

    def para(self, text: str) -> None:
        """A paragraph of prose (plain text; **bold** allowed)."""
        _display(_md(text))
        self.blocks.append({"kind": "paragraph", "text": text})

    # ---------------------------------------------------------------- tables
    def formatted(self, df: pd.DataFrame) -> tuple[list[str], list[list[str]], list[str]]:
        """(headers, rows of text, alignments) of a table as the report shows it: money and people
        in the report's units with one number of decimals per column, shares in %, no "-0"."""
        heads, cols, align = [], [], []
        for col in df.columns:
            unit = meta(col)[0]
            heads.append(self.col(col))
            s = df[col]
            numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
            if pd.api.types.is_bool_dtype(s) or (s.dtype == object and s.map(lambda x: isinstance(x, bool)).all()):
                cells = [self.t("是", "yes") if bool(v) else self.t("否", "no") for v in s]
                numeric = False
            elif col == "year" or (unit == "" and col.endswith("year") and numeric):
                cells = ["—" if pd.isna(v) else str(int(v)) for v in s]
            elif not numeric:
                cells = ["—" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in s]
            elif unit in ("yuan", "persons"):
                scale = self._need(self._scale_of(unit))
                d = scaled_decimals(s.to_numpy(dtype=float), scale)
                cells = [fmt_scaled(v, scale, d) for v in s]
            elif unit == "share":
                cells = [fmt_share(v, 2) for v in s]
            elif unit in ("yuan_per_month", "yuan_per_member", "years", "yuan_per_year"):
                cells = [fmt(v, 2) for v in s]
            elif unit == "ratio":
                cells = [fmt(v, 3) for v in s]
            else:
                cells = ["—" if pd.isna(v) else (fmt(v, 0) if float(v).is_integer() else fmt(v, 2)) for v in s]
            cols.append(cells)
            align.append("r" if numeric else "l")
        rows = [list(r) for r in zip(*cols)] if cols else []
        return heads, rows, align

    def show(self, df: pd.DataFrame):
        """A table for display (HTML): labelled headers with units, numbers formatted as the report shows them."""
        heads, rows, align = self.formatted(df)
        return _html_obj(self._table_html(heads, rows, align))

    @staticmethod
    def _table_html(heads, rows, align, cls: str = "rep") -> str:
        h = "".join(f"<th>{_html.escape(x)}</th>" for x in heads)
        body = "".join("<tr>" + "".join(f"<td class='{a}'>{_html.escape(c)}</td>" for c, a in zip(r, align))
                       + "</tr>" for r in rows)
        return f"<table class='{cls}'><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"

    def table(self, df: pd.DataFrame, title: str | None = None, note: str | None = None) -> None:
        """Show a table (with an optional ### title and a note under it) and record it."""
        heads, rows, align = self.formatted(df)
        out = self._style()
        if title:
            out += f"<h3>{_html.escape(title)}</h3>"
        out += self._table_html(heads, rows, align)
        if note:
            out += f"<p class='rep-note'>{_bold_html(note)}</p>"
        _display(_html_obj(out))
        self.blocks.append({"kind": "table", "title": title, "columns": heads, "rows": rows,
                            "align": align, "note": note})

    # ---------------------------------------------------------------- figures
    def figure(self, fig, name: str, title: str | None = None):
        """Save a figure as PNG (150 dpi) after un-crowding its tick labels, record it, and return it.

        A chart without a title or units is refused (ValueError): a reader must know what it shows.
        """
        from .ticks import chart_problems, declutter
        self._thousands(fig)
        declutter(fig)
        problems = chart_problems(fig)
        if problems:
            raise ValueError(f"figure {name}: " + "; ".join(problems))
        path = self.dir / "figures" / f"{name}.png"
        fig.savefig(path, dpi=150, bbox_inches="tight")
        if title is None:
            sup = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
            title = sup or " · ".join(ax.get_title() for ax in fig.axes if ax.get_title())
        self.blocks.append({"kind": "image", "path": str(path), "title": title})
        return fig

    @staticmethod
    def _thousands(fig) -> None:
        """Large y values with thousands separators instead of matplotlib's "1e6" in the corner."""
        from matplotlib.ticker import FuncFormatter, ScalarFormatter
        for ax in fig.axes:
            if isinstance(ax.yaxis.get_major_formatter(), ScalarFormatter) \
                    and max(abs(v) for v in ax.get_ylim()) >= 1e4:
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v, 0)))

    @staticmethod
    def years_axis(*axes) -> None:
        """Whole years on the x axis (no 2012.5); Report.figure later thins them if they collide."""
        from matplotlib.ticker import MaxNLocator
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    def money_axis(self, ax, axis: str = "y") -> float:
        """Label an axis with the report's money unit; returns the factor to divide yuan by."""
        m = self._need(self.money)
        getattr(ax, f"set_{axis}label")(self.unit_name("money"))
        return m.factor

    # ---------------------------------------------------------------- the end pages
    def assumptions(self, extra: list[tuple[str, str, str]] | None = None) -> None:
        """The assumptions page: every value marked ASSUMPTION in the scenario's extends chain
        (and ``extra`` ones made in the notebook's code: key, value, reason), then the data sources
        the run read with their confidence (model/data/PROVENANCE.md)."""
        from ..io.tables import files_read
        from .assumptions import data_sources, scenario_assumptions
        self.heading(self.t("假设与数据来源", "Assumptions and data sources"), 2, page_break=True)
        rows = scenario_assumptions(self.scenario_path, lang=self.lang) if self.scenario_path else pd.DataFrame(
            columns=["file", "key", "value", "reason", "overridden"])
        rows = rows[~rows["overridden"].astype(bool)] if "overridden" in rows else rows   # only those in force
        if extra:
            rows = pd.concat([rows, pd.DataFrame([{"file": self.t("本报告计算", "this report"), "key": k,
                                                  "value": v, "reason": r} for k, v, r in extra])],
                             ignore_index=True)
        cols = [c for c in ("file", "key", "value", "reason") if c in rows]
        tab = rows[cols].rename(columns={
            "file": self.t("文件", "file"), "key": self.t("参数", "parameter"),
            "value": self.t("取值", "value"), "reason": self.t("说明(摘自方案文件)", "why (from the scenario file)")})
        self.para(self.t(
            f"下表列出方案文件及其继承的上级方案中标为“假设”(ASSUMPTION)的全部取值,共{len(tab)}项:"
            f"这些数值不是文件规定或统计数据,而是测算者的判断,改变它们会改变测算结果。",
            f"Every value marked ASSUMPTION in the scenario file and the files it extends ({len(tab)}): "
            f"they are judgements, not rules or statistics, and the results depend on them."))
        self.text_table(tab)
        src = data_sources([p.name for p in files_read()], lang=self.lang)
        if self.lang == "zh":          # the collection's scale in the reader's words (PROVENANCE.md)
            for en, zh in (("not stated", "未说明"), ("single source", "单一来源"), ("high", "高"),
                           ("medium", "中"), ("low", "低"), ("per row", "逐行给出")):
                src["confidence"] = src["confidence"].str.replace(rf"\b{en}\b", zh, regex=True)
        self._tables["data_sources"] = src
        tab2 = src.rename(columns={"file": self.t("数据文件", "data file"), "source": self.t("来源", "source"),
                                   "confidence": self.t("可信度", "confidence")})
        self.heading(self.t("数据来源", "Data sources"), 3)
        self.text_table(tab2)
        self._tables["assumptions"] = rows[cols]
        self._descriptions.setdefault("assumptions", self.t("方案中标为假设的取值", "values marked ASSUMPTION"))
        self._descriptions.setdefault("data_sources", self.t("所用数据文件及可信度", "data files read, with confidence"))

    def text_table(self, tab: pd.DataFrame) -> None:
        """Show and record a table of text as it is (labels, reasons, pre-formatted cells): no units, no scaling."""
        heads = [str(c) for c in tab.columns]
        rows = [["" if v is None else str(v) for v in r] for r in tab.itertuples(index=False)]
        align = ["l"] * len(heads)
        _display(_html_obj(self._style() + self._table_html(heads, rows, align, "rep text")))
        self.blocks.append({"kind": "table", "title": None, "columns": heads, "rows": rows,
                            "align": align, "note": None})

    def method(self, scen: Scenario, extra: str | None = None) -> None:
        """The method note: which rules and articles, the calibration used, where the detail is."""
        from .assumptions import method_note
        self.heading(self.t("测算方法", "Method"), 2)
        self.para(method_note(scen, self.lang) + (("\n\n" + extra) if extra else ""))

    # ---------------------------------------------------------------- files
    def provenance(self) -> dict[str, str]:
        """What produced the numbers, as text: scenario file and its chain's SHA-256, code and data versions."""
        from ..io.outputs import code_version
        from ..io.tables import files_read
        from ..scenario import scenario_files
        out = {}
        if self.scenario_path:
            out[self.t("方案文件", "scenario file")] = str(self.scenario_path.relative_to(ROOT)
                                                        if self.scenario_path.is_relative_to(ROOT)
                                                        else self.scenario_path)
            for f in scenario_files(load_scenario(self.scenario_path)):
                out[f"SHA-256 {Path(f).name}"] = file_sha256(Path(f))
        out[self.t("程序版本", "code version")] = code_version()
        for p in files_read():
            out[self.t("数据 ", "data ") + p.name] = "SHA-256 " + file_sha256(p)[:16]
        out[self.t("运行时间", "run time")] = _dt.datetime.now().isoformat(timespec="seconds")
        return out

    def tables(self, sheets: dict[str, pd.DataFrame], descriptions: dict[str, str] | None = None) -> Path:
        """Add tables and (re)write tables.xlsx with all tables so far, behind a contents sheet."""
        self._tables.update(sheets)
        self._descriptions.update(descriptions or {})
        return self._workbook()

    def _workbook(self) -> Path:
        contents = {"title": self.report_title, "scenario": self.scenario_path.name if self.scenario_path else "",
                    "descriptions": self._descriptions, "manifest": self.provenance()}
        return write_workbook(self.dir / "tables.xlsx", self._tables, self.lang, contents=contents)

    def key(self, figures: dict) -> Path:
        """Write key_figures.json (numbers the tests compare with the engine)."""
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in figures.items()}
        path = self.dir / "key_figures.json"
        old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        old.update(clean)
        path.write_text(json.dumps(old, ensure_ascii=False, indent=1, default=float), encoding="utf-8")
        return path

    def footer(self) -> str:
        """The footer text of printed pages: report, scenario file, date."""
        bits = [self.report_title] + ([self.scenario_path.name] if self.scenario_path else [])
        return " · ".join(bits + [_dt.date.today().isoformat()])

    def finish(self, docx: bool = False) -> None:
        """Write the end files: tables.xlsx (again, with the data sources), document.json and, for
        the reports a finance bureau edits, report.docx."""
        if self._tables:
            self._workbook()
        from ..io.tables import files_read
        self.key({"footer": self.footer(), "lang": self.lang,
                  "provenance": {"data": {f.name: file_sha256(f)[:16] for f in files_read()}}})
        (self.dir / "document.json").write_text(json.dumps(self.blocks, ensure_ascii=False, indent=1,
                                                           default=str), encoding="utf-8")
        if docx:
            from .word import write_docx
            write_docx(self.blocks, self.dir / "report.docx", lang=self.lang, footer=self.footer())
