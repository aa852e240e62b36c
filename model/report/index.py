"""A scenario's report index page and combined PDF: ``OUT/<scenario>/index.html`` and ``OUT/<scenario>/combined/``.

After the notebooks of a scenario have run, the index page shows every report found
in ``OUT/<scenario>/`` (its title, summary, key figures and links to its HTML, PDF,
Word and Excel files and manifest) and what produced the numbers (scenario file and
SHA-256, code version, data versions, run time). The combined PDF prints all the
reports as one document with a cover, contents and continuous page numbers.

``index.html`` is the only file written beside the report folders: it carries a
marker, and a file of that name without the marker (the user's) is refused unless
``--force`` is given. It is written to a temporary name and renamed into place.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import os
from pathlib import Path

from ..io.outputs import OutputError, output_folder
from ..scenario import file_sha256, load_scenario, scenario_files

MARKER = '<meta name="generator" content="urrbpi-model report index">'
FILES = (("report.html", "网页", "web page"), ("report.pdf", "PDF", "PDF"),
         ("report.docx", "Word", "Word"), ("tables.xlsx", "Excel", "Excel"),
         ("manifest.json", "运行记录", "manifest"))


def check_index(scenario_dir: Path, force: bool = False) -> None:
    """Refuse (OutputError) if ``index.html`` there is not one this command wrote (unless force)."""
    p = Path(scenario_dir) / "index.html"
    if p.is_symlink() or (p.exists() and not p.is_file()):
        raise OutputError(f"{p}: is not a file the report command wrote; move it away")
    if p.exists() and not force and MARKER not in p.read_text(encoding="utf-8", errors="replace")[:2000]:
        raise OutputError(f"{p}: exists and was not written by the report command; move it away or "
                          f"give --force to replace it")


def reports_in(scenario_dir: Path, order: tuple[str, ...]) -> list[tuple[str, Path, dict, dict]]:
    """(notebook, folder, key figures, manifest) of every report folder found, in ``order`` first."""
    found = []
    for d in sorted(p for p in Path(scenario_dir).iterdir() if p.is_dir() and not p.name.startswith(".")):
        man, key = d / "manifest.json", d / "key_figures.json"
        if not (man.exists() and key.exists()):
            continue
        m = json.loads(man.read_text(encoding="utf-8"))
        if (m.get("written_by") or {}).get("command") != "report":
            continue
        found.append((m.get("notebook", d.name), d, json.loads(key.read_text(encoding="utf-8")), m))
    rank = {n: i for i, n in enumerate(order)}
    return sorted(found, key=lambda r: (rank.get(r[0], len(rank)), r[0]))


def is_current(scenario: Path, manifest: dict) -> bool:
    """Whether a report was made from the scenario file as it is now (its SHA-256 in the manifest)."""
    shas = manifest.get("scenario_files_sha256") or {}
    return shas.get(str(scenario)) == file_sha256(Path(scenario))


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def index_html(scenario: Path, reports: list, lang: str, combined: str | None) -> str:
    """The index page's HTML: each report's title, summary, key figures and links; then the manifest."""
    from .nb import STYLE, scenario_title
    scen = load_scenario(scenario)
    title = scenario_title(scen, lang)
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
             f"{MARKER}<title>{e(title)}</title>{STYLE}<style>body{{font-family:'WenQuanYi Micro Hei',"
             f"'Noto Sans CJK SC',sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#1a202c}}"
             f".rep-card{{border-top:1px solid #cbd5e0;padding-top:0.6em;margin-top:1.4em}}"
             f".links a{{margin-right:1.2em}}</style></head><body>",
             f"<h1>{e(title)}</h1>",
             f"<p class='rep-sub'>{e(_t(lang, '测算报告一览', 'The reports of this scenario'))} · "
             f"{e(scenario.name)} · {_dt.date.today().isoformat()}</p>"]
    if combined:
        parts.append(f"<p><a href='{e(combined)}'>{e(_t(lang, '全部报告合并为一个PDF文件', 'All reports in one PDF'))}</a></p>")
    for name, folder, key, man in reports:
        parts.append(f"<div class='rep-card'><h2>{e(key.get('title') or name)}</h2>")
        if not is_current(scenario, man):
            parts.append("<p class='rep-note'><b>" + e(_t(
                lang, "注意:本报告由方案文件的旧版本生成(或由其他方案文件生成),数字可能已过时;重新运行以更新。",
                "Note: this report was made from an earlier version of the scenario file (or from another file); "
                "its numbers may be out of date: run it again.")) + "</b></p>")
        sentences = key.get("summary") or []
        if sentences:
            parts.append("<div class='summary'>" + "".join(f"<p>{e(s)}</p>" for s in sentences) + "</div>")
        boxes = key.get("boxes") or []
        if boxes:
            parts.append("<div class='key-figures'>" + "".join(
                f"<div class='kf'><div class='v'>{e(b['text'])}<span class='u'>{e(b['unit'])}</span></div>"
                f"<div class='l'>{e(b['label'])}</div></div>" for b in boxes) + "</div>")
        links = [f"<a href='{e(folder.name)}/{f}'>{e(_t(lang, zh, en))}</a>"
                 for f, zh, en in FILES if (folder / f).exists()]
        parts.append(f"<p class='links'>{' '.join(links)}</p></div>")
    parts.append(f"<h2>{e(_t(lang, '运行记录', 'What produced these numbers'))}</h2>")
    parts.append(manifest_table(scenario, reports, lang))
    parts.append("</body></html>")
    return "".join(parts)


def manifest_table(scenario: Path, reports: list, lang: str) -> str:
    """A table of the scenario files with SHA-256, code version, data versions and run times."""
    e = html.escape
    rows = []
    for f in scenario_files(load_scenario(scenario)):
        rows.append((_t(lang, "方案文件", "scenario file"), f"{Path(f).name} · SHA-256 {file_sha256(Path(f))}"))
    codes = sorted({m.get("code_version", "") for _, _, _, m in reports})
    rows.append((_t(lang, "程序版本", "code version"), ", ".join(codes)))
    data = {}
    for _, _, key, _ in reports:
        data.update((key.get("provenance") or {}).get("data") or {})
    for name, sha in sorted(data.items()):
        rows.append((_t(lang, "数据文件", "data file"), f"{name} · SHA-256 {sha}"))
    for name, _, key, m in reports:
        rows.append((_t(lang, "运行时间", "run"), f"{key.get('title') or name}: {m.get('created_utc', '')} UTC, "
                                                   f"{m.get('run_seconds', 0):.0f} s"))
    return "<table class='rep'>" + "".join(f"<tr><td>{e(a)}</td><td>{e(b)}</td></tr>" for a, b in rows) + "</table>"


def write_index(scenario_dir: Path, scenario: Path, order: tuple[str, ...], lang: str = "zh",
                force: bool = False, pdf: bool = True) -> list[Path]:
    """Write ``combined/`` (all reports in one HTML and PDF) and ``index.html``; returns what was written."""
    scenario_dir = Path(scenario_dir)
    check_index(scenario_dir, force)
    reports = reports_in(scenario_dir, order)
    if not reports:
        return []
    written = []
    combined = None
    current = [r for r in reports if is_current(scenario, r[3])]     # a stale report stays out of the PDF
    if pdf and current and all((d / "report.html").exists() for _, d, _, _ in current):
        from .pdf import combine_html, print_pdf
        from .nb import scenario_title
        title = scenario_title(load_scenario(scenario), lang)
        with output_folder(scenario_dir / "combined", "report", force=force) as st:
            combine_html([(k.get("title") or n, d / "report.html") for n, d, k, _ in current],
                         st.dir / "reports.html", title=title,
                         subtitle=f"{scenario.name} · {_dt.date.today().isoformat()}", lang=lang)
            print_pdf(st.dir / "reports.html", st.dir / "reports.pdf",
                      footer=f"{title} · {scenario.name} · {_dt.date.today().isoformat()}", lang=lang)
            st.manifest.update({"scenario_file": str(scenario),
                                "reports": [n for n, _, _, _ in current]})
        written.append(st.out)
        combined = "combined/reports.pdf"
    page = index_html(scenario, reports, lang, combined)
    out = scenario_dir / "index.html"
    tmp = scenario_dir / f".index.html.tmp-{os.getpid()}"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    written.append(out)
    return written
