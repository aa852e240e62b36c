"""Reading a report as its reader does: the summary's numbers, the files to circulate, the words used.

Shared by the report tests (tests/notebooks/); every function returns a list of problems
(empty: fine), so a failing test names all of them at once.
"""
from __future__ import annotations

import re

from model.report.units import Scale, fmt, fmt_scaled, fmt_share

NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
QUOTED = re.compile(r"“[^”]*”")


def figure_text(f: dict) -> str:
    """The text a figure must show, worked out again from its value, kind, decimals and unit factor."""
    v, kind, d = f["value"], f["kind"], f.get("decimals")
    if v is None:
        return "—"
    if kind in ("money", "persons"):
        return fmt_scaled(v, Scale(f["factor"], "", ""), d)
    if kind == "share":
        return fmt_share(v, 1 if d is None else d).rstrip("%")
    if kind == "year":
        return str(int(v))
    if kind == "count":
        return fmt(v, 0)
    return fmt(v, 2 if d is None else d)


def summary_problems(key: dict) -> list[str]:
    """What is wrong with a report's summary: 3-6 sentences, each number in them a key figure
    whose text is its value formatted again, and each figure's value the one in key_figures.json.
    Names in “quotes” (scenario titles, assumption labels) are labels, not figures."""
    out = []
    sentences, figures = key.get("summary") or [], key.get("summary_figures") or {}
    if not 3 <= len(sentences) <= 6:
        out.append(f"{len(sentences)} summary sentences (3 to 6 wanted)")
    texts = {}
    for name, f in figures.items():
        if figure_text(f) != f["text"]:
            out.append(f"{name}: shows {f['text']!r}, its value {f['value']!r} gives {figure_text(f)!r}")
        if key.get(name) != f["value"]:
            out.append(f"{name}: key_figures.json has {key.get(name)!r}, the sentence {f['value']!r}")
        if f["text"].startswith("-"):
            out.append(f"{name}: a negative number {f['text']!r} in a sentence (say 增加/减少 instead)")
        texts.setdefault(f["text"], name)
    for s in sentences:
        for n in NUMBER.findall(QUOTED.sub("", s)):
            if n not in texts:
                out.append(f"{n!r} in {s!r} is not a key figure")
    return out
