"""The assumptions page, the data-sources list and the method note of a report.

* :func:`scenario_assumptions`: every value a scenario's files mark ``ASSUMPTION`` (in a YAML
  comment or in a reference string), with the key it sets, the value and the reason given.
* :func:`data_sources`: the source and confidence of each data file, from
  ``model/data/PROVENANCE.md`` (the package's copy).
* :func:`method_note`: a few sentences on the rules, the benefit formula, interest and
  calibration of a scenario, in Chinese or English, with documents named in words
  (:mod:`model.report.plain`).

No model logic here: these read the scenario files and the provenance notes only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import yaml

from ..scenario import Scenario, _deep_merge, load_scenario
from ..scenario.loader import resolve_raw, scenario_files
from . import plain as _plain

PROVENANCE = Path(__file__).resolve().parent.parent / "data" / "PROVENANCE.md"

MARKER = re.compile(r"\bASSUMPTIONS?\b")           # the scenario files' word for "not in a source"
# A sentence that only explains the marker ("Values marked ASSUMPTION are not in the documents").
_DEFINES_MARKER = re.compile(r"\bmarked\s+(?:as\s+)?ASSUMPTION\b")
# String keys that document the mapping they sit in: an ASSUMPTION there is about that mapping.
NOTE_KEYS = ("reference", "reason", "note", "notes", "description", "source", "comment")
FILE_KEY = "(file)"                                 # key of a file's header comment
VALUE_WIDTH = 60                                    # characters of a rendered value
REASON_WIDTH = 400
SHORT_REASON = 160                                  # longer reasons keep only their ASSUMPTION sentences
COLUMNS = ["file", "key", "value", "reason", "overridden", "line"]


# --------------------------------------------------------------------------
# Assumptions in the scenario files
# --------------------------------------------------------------------------

class _Index(int):
    """A list position in a key path (a mapping key may be a number too: ``{2011: 0.6}``)."""


@dataclass(frozen=True)
class _Found:
    """One ASSUMPTION found in a file: where (key path, line) and why."""
    path: tuple
    line: int            # 0-based line of the comment or string
    reason: str


@dataclass
class _Layout:
    """Where each key of one YAML file sits: key paths by line, and collections opened on a line."""
    starts: dict[int, list[tuple[int, int, tuple]]]   # line -> [(column, depth, path)]
    spans: list[tuple[int, int, tuple]]               # (first line, last line, path) of every value
    openers: dict[int, tuple[int, tuple]]             # line -> (key column, path) of a block collection
    strings: list[_Found]                             # ASSUMPTION in string values
    data: Any                                         # the file's own mapping


def _layout(text: str) -> _Layout:
    """The key paths of a YAML file by line, from PyYAML's node tree (block and flow style alike)."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return _Layout({}, [], {}, [], {})
        data = loader.construct_document(root)
        starts: dict[int, list[tuple[int, int, tuple]]] = {}
        spans: list[tuple[int, int, tuple]] = []
        openers: dict[int, tuple[int, tuple]] = {}
        strings: list[_Found] = []
        seen: set[int] = set()

        def last_line(node: yaml.Node) -> int:
            """The last line a node's text is on (0-based)."""
            end = node.end_mark
            return end.line if end.column > 0 else max(end.line - 1, node.start_mark.line)

        def walk(node: yaml.Node, path: tuple, start_line: int) -> None:
            """None; records the keys, spans, openers and ASSUMPTION strings under ``node``."""
            spans.append((start_line, last_line(node), path))
            if id(node) in seen:                     # an alias: its lines belong to the anchor
                return
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    key = loader.construct_object(key_node, deep=True)
                    sub = (*path, key)
                    line = key_node.start_mark.line
                    starts.setdefault(line, []).append((key_node.start_mark.column, len(sub), sub))
                    if (isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode))
                            and not value_node.flow_style and value_node.start_mark.line > line):
                        openers[line] = (key_node.start_mark.column, sub)
                    if (isinstance(value_node, yaml.ScalarNode) and isinstance(key, str)
                            and MARKER.search(value_node.value or "")):
                        where = path if key in NOTE_KEYS else sub
                        strings.append(_Found(where, value_node.start_mark.line, value_node.value))
                    walk(value_node, sub, line)
            elif isinstance(node, yaml.SequenceNode):
                for i, item in enumerate(node.value):
                    sub = (*path, _Index(i))
                    line = item.start_mark.line
                    starts.setdefault(line, []).append((item.start_mark.column, len(sub), sub))
                    if isinstance(item, yaml.ScalarNode) and MARKER.search(item.value or ""):
                        strings.append(_Found(sub, line, item.value))
                    walk(item, sub, line)

        walk(root, (), root.start_mark.line)
        return _Layout(starts, spans, openers, strings, data)
    finally:
        loader.dispose()


def _comments(text: str) -> dict[int, tuple[str, bool]]:
    """{line: (comment text after '#', whether the line holds nothing else)} of a YAML text.

    A '#' is a comment when it starts the line or follows a blank and is not inside a scalar
    (quoted strings and block scalars may hold '#'); the scanner's tokens give the scalars.
    """
    scalars = [(t.start_mark.index, t.end_mark.index)
               for t in yaml.scan(text) if isinstance(t, yaml.ScalarToken)]
    out: dict[int, tuple[str, bool]] = {}
    offset, k = 0, 0
    for no, line in enumerate(text.splitlines(keepends=True)):
        for m in re.finditer("#", line):
            i = offset + m.start()
            if m.start() > 0 and line[m.start() - 1] not in " \t":
                continue
            while k < len(scalars) and scalars[k][1] <= i:
                k += 1
            if k < len(scalars) and scalars[k][0] <= i < scalars[k][1]:
                continue
            out[no] = (line[m.start():].lstrip("#").strip(), not line[:m.start()].strip())
            break
        offset += len(line)
    return out


def _line_path(layout: _Layout, line: int) -> tuple | None:
    """The key path a line sets: its outermost key, else the innermost value it lies within."""
    if line in layout.starts:
        return min(layout.starts[line], key=lambda s: (s[0], s[1]))[2]
    within = [(first, len(path), path) for first, last, path in layout.spans if first <= line <= last]
    return max(within, key=lambda w: (w[0], w[1]))[2] if within else None


def _starts_mid_sentence(comment: str) -> bool:
    """Whether a comment reads as the rest of a sentence: lower case or '(' first."""
    return bool(re.match(r"[a-z(\[]", comment))


def _comment_finds(text: str, layout: _Layout) -> list[_Found]:
    """The comments of a file that hold ASSUMPTION, each with the key path it is about.

    * the header (comments before the first key): the whole file, key ``()``;
    * a comment at the end of a line: that line's key. A comment on the first line inside a
      block whose opening line carries a comment not ended by '.', starting in lower case or
      with '(', continues it
      (``rollout:  # ... in 2009`` / ``2009-10: 0.10  # (Guofa ...); later stages ASSUMPTION``);
    * a block of comment lines: the first key inside the block collection it opens, if it
      comes right after the key opening one (``tier_mix:`` then ``# ASSUMPTION: ...``), else the
      next key below it.
    """
    comments = _comments(text)
    lines = text.splitlines()
    content = [no for no, line in enumerate(lines)
               if line.strip() and not (no in comments and comments[no][1])]
    groups: list[tuple[tuple | None, int, list[str]]] = []     # (path, first line, texts)
    first_content = content[0] if content else len(lines)

    no = 0
    while no < len(lines):
        if no in comments and comments[no][1]:                 # a block of whole-line comments
            block, start = [], no
            while no < len(lines) and no in comments and comments[no][1]:
                block.append(comments[no][0])
                no += 1
            if start < first_content:
                groups.append(((), start, block))
                continue
            before = [c for c in content if c < start]
            after = [c for c in content if c >= no]
            indent = len(lines[start]) - len(lines[start].lstrip())
            prev = before[-1] if before else None
            if prev is not None and prev in layout.openers and indent > layout.openers[prev][0]:
                path = layout.openers[prev][1]
            elif after:
                path = _line_path(layout, after[0])
            else:
                path = _line_path(layout, prev) if prev is not None else ()
            groups.append((path, start, block))
            continue
        if no in comments:                                     # a comment after a value
            text_no = comments[no][0]
            last = groups[-1] if groups else None
            indent = len(lines[no]) - len(lines[no].lstrip())
            continues = (last is not None and no - 1 == last[1] and last[1] in layout.openers
                         and not comments[last[1]][1] and len(last[2]) == 1
                         and _starts_mid_sentence(text_no) and indent > layout.openers[last[1]][0]
                         and not re.search(r"[.!?。]$", last[2][-1]))
            if continues:
                last[2].append(text_no)
            else:
                groups.append((_line_path(layout, no), no, [text_no]))
        no += 1
    return [_Found(path if path is not None else (), start, " ".join(texts))
            for path, start, texts in groups if any(MARKER.search(t) for t in texts)]


def _sentences(text: str) -> list[str]:
    """``text`` split after '.', '!', '?' or '。' followed by a capital or a Chinese character."""
    return [s for s in re.split(r"(?<=[.!?。])\s+(?=[A-Z\u4e00-\u9fff(\"'“])", text) if s]


def _clean_reason(text: str) -> str:
    """The reason as a reader sees it: one line, no outer quotes, only the ASSUMPTION
    sentences of a long text, and none that only explains the marker ('#' is gone already)."""
    one = re.sub(r"\s+", " ", text).strip().strip("\"'").strip()
    sentences = [s for s in _sentences(one) if not _DEFINES_MARKER.search(s)]
    if len(one) > SHORT_REASON or len(sentences) < len(_sentences(one)):
        sentences = [s for s in sentences if MARKER.search(s)]
    out = " ".join(sentences)
    return out if len(out) <= REASON_WIDTH else out[:REASON_WIDTH - 1].rstrip() + "…"


def _number(x: float) -> str:
    """A number as text: whole numbers exact, 4 significant digits, thousands separated from 10,000."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}" if abs(x) >= 1e4 else str(int(x))
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def render_value(value: Any, width: int = VALUE_WIDTH) -> str:
    """A short readable text of a YAML value: scalars as they are, mappings and lists compact
    (``{100: 0.85, 200: 0.07}``), reference strings left out, cut at ``width`` with "…"."""
    def text(v: Any) -> str:
        """The whole text of ``v``, before cutting."""
        if isinstance(v, bool):
            return "true" if v else "false"
        if v is None:
            return "null"
        if isinstance(v, (int, float)):
            return _number(float(v)) if isinstance(v, float) else (f"{v:,}" if abs(v) >= 1e4 else str(v))
        if isinstance(v, dict):
            return "{" + ", ".join(f"{text(k)}: {text(x)}" for k, x in v.items()
                                   if k not in NOTE_KEYS) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        return str(v)
    out = text(value)
    return out if len(out) <= width else out[:width - 1].rstrip() + "…"


def key_text(path: tuple) -> str:
    """A key path as text: ``("subsidies", 0)`` -> ``subsidies[0]``; the file itself -> ``(file)``."""
    if not path:
        return FILE_KEY
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, _Index) else \
            ("." if out else "") + str(part)
    return out


_MISSING = object()


@dataclass(frozen=True)
class _Owner:
    """Stands for a value in a merged tree: the position in the chain of the file that set it."""
    layer: int


def _owner_tree(layers: list[Any]) -> Any:
    """The chain's merged mapping with every value replaced by the :class:`_Owner` that set it.

    Values (scalars, lists) become owners before the merge, mappings stay: the loader's merge
    decides by keys alone (sections merge, value mappings and lists are replaced whole), so
    the tree has the merged shape and tells which file each value in force comes from.
    """
    def tag(data: Any, k: int) -> Any:
        """``data`` with every value replaced by ``_Owner(k)``, mappings kept."""
        if isinstance(data, dict):
            return {key: tag(v, k) for key, v in data.items()}
        return _Owner(k)
    tree: dict = {}
    for k, data in enumerate(layers):
        own = {key: v for key, v in data.items() if key != "extends"} if isinstance(data, dict) else {}
        tree = _deep_merge(tree, tag(own, k))
    return tree


def _still_set_by(tree: Any, path: tuple, k: int) -> bool:
    """Whether some value file ``k`` set at ``path`` is still the one in force."""
    node = tree
    for part in path:
        if isinstance(node, _Owner):           # a list or value replaced whole above the path
            break
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    if isinstance(node, _Owner):
        return node.layer == k
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, _Owner):
            if n.layer == k:
                return True
        else:
            todo.extend(n.values())
    return False


def _at(data: Any, path: tuple) -> Any:
    """The value at a key path of a YAML mapping, or ``_MISSING``."""
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def scenario_assumptions(path: str | Path | Scenario, lang: str | None = None) -> pd.DataFrame:
    """The ASSUMPTIONs of a scenario and its ``extends:`` chain: one row each, parents first.

    Columns: ``file`` (file name), ``key`` (dotted key path such as ``contributions.tier_mix``;
    a list item as ``subsidies[0]``; ``(file)`` for a file's header), ``value`` (the file's own
    value there, short), ``reason`` (the comment or reference text, only its ASSUMPTION
    sentences when long), ``overridden`` and ``line`` (1-based, in that file).

    Found: the word ASSUMPTION in comments and in string values, multi-line ones included. A
    ``reference``/``reason``/``note`` string is about the mapping it sits in (a subsidy, a basic
    pension part), so its row takes that mapping's key. A sentence that only says what the
    marker means ("Values marked ASSUMPTION are ...") gives no row.

    Overrides: a parent's row stays, with ``overridden`` True when nothing that file set at
    the key is in force once the chain is merged (a later file set the key, or every value
    under it, or replaced a list the key is in); a key a later file changed only in part is
    not overridden. ``df[~df.overridden]`` is the assumptions in force.
    ``lang`` ("zh" or "en") writes document codes in the reasons in words (:func:`plain.plain`).
    ``path`` may also be a loaded :class:`Scenario` (its files are read again).
    """
    files = scenario_files(path) if isinstance(path, Scenario) else resolve_raw(path)[1]
    texts = [Path(file).read_text(encoding="utf-8") for file in files]
    layouts = [_layout(text) for text in texts]
    owners = _owner_tree([layout.data for layout in layouts])
    rows = []
    for k, (file, text, layout) in enumerate(zip(files, texts, layouts)):
        found = sorted(_comment_finds(text, layout) + layout.strings, key=lambda f: f.line)
        for f in found:
            reason = _clean_reason(f.reason)
            if not reason:
                continue
            own = _at(layout.data, f.path)
            overridden = bool(f.path) and not _still_set_by(owners, f.path, k)
            rows.append({"file": Path(file).name, "key": key_text(f.path),
                         "value": "" if not f.path or own is _MISSING else render_value(own),
                         "reason": _plain.plain(reason, lang) if lang else reason,
                         "overridden": overridden, "line": f.line + 1})
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.drop_duplicates(subset=["file", "key", "reason"]).reset_index(drop=True)


# --------------------------------------------------------------------------
# Data sources (model/data/PROVENANCE.md)
# --------------------------------------------------------------------------

_LEVEL = re.compile(r"(?i)\b((?:low|medium|high)(?:[-/](?:low|medium|high))?|unconfirmed|"
                    r"single (?:unofficial )?source|(?:lower|higher) than [\w' ]+)\b")
SOURCE_WIDTH = 200
CONFIDENCE_WIDTH = 90
NOT_DESCRIBED = "not described in model/data/PROVENANCE.md"
NOT_STATED = "not stated"
DERIVED_CONFIDENCE = "derived (as its source tables)"


def _md_plain(text: str) -> str:
    """Markdown to plain text: no bold, code marks or links, one line."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters at a word, ending "…" when cut."""
    if len(text) <= width:
        return text
    cut = text[:width - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[width // 2:] else cut).rstrip(" ,;:") + "…"


def _first_sentence(text: str) -> str:
    """The first sentence of a Markdown text, as plain text."""
    return _sentences(_md_plain(text))[0] if _md_plain(text) else ""


def _first_clause(text: str) -> str:
    """Up to the first ';' or sentence end outside parentheses; a leading bold phrase alone."""
    bold = re.match(r"\s*\*\*([^*]+)\*\*", text)
    if bold:
        return _md_plain(bold.group(1)).rstrip(":,. ")
    depth, out = 0, []
    plain_text = _md_plain(text)
    for i, ch in enumerate(plain_text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and (ch == ";" or (ch == "." and (i + 1 == len(plain_text) or plain_text[i + 1] == " "))):
            break
        out.append(ch)
    return "".join(out).strip()


def _bullets(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    """(indent, text with its continuation lines, sub-bullet texts) of each top-level bullet."""
    out: list[tuple[int, str, list[str]]] = []
    for line in lines:
        m = re.match(r"^(\s*)- (.*)", line)
        if m and not m.group(1):
            out.append((0, m.group(2), []))
        elif m and out:
            out[-1][2].append(m.group(2))
        elif line.strip() and out and line.startswith(" "):
            if out[-1][2]:
                out[-1][2][-1] += " " + line.strip()
            else:
                out[-1] = (0, out[-1][1] + " " + line.strip(), out[-1][2])
    return out


def _lower_first(text: str) -> str:
    """``text`` with a lower-case first letter, unless its first word is all capitals."""
    return text if not text or text.split(" ")[0].isupper() else text[0].lower() + text[1:]


def _confidence(lines: list[str], own: str | None = None) -> str:
    """The confidence a section (or one file's bullet ``own`` in it) states, in a few words."""
    for _, text, subs in _bullets(lines):
        m = re.match(r"\*\*Confidence(?::\*\*|\*\*[^:]*:)\s*(.*)", text)
        if not m:
            continue
        if m.group(1).strip():
            head = _first_clause(m.group(1))
            if not _LEVEL.search(head):       # "the participants equal ...; ... Lower than the bulletins."
                head = next((_first_clause(s) for s in _sentences(_md_plain(m.group(1)))
                             if _LEVEL.search(s)), head)
            return _cut(_lower_first(head), CONFIDENCE_WIDTH)
        parts = [_lower_first(_first_clause(s)) for s in subs]
        levelled = [p for p in parts if _LEVEL.search(p)] or parts[:1]
        return _cut("; ".join(dict.fromkeys(levelled)), CONFIDENCE_WIDTH) if levelled else NOT_STATED
    body = " ".join(lines)
    m = re.search(r"(?<![\w*])Confidence:\s*(.+?)(?:\.\s|\.$|$)", body)
    if m:
        return _cut(_lower_first(_md_plain(m.group(1))), CONFIDENCE_WIDTH)
    scope = own if own is not None else body
    for phrase in re.findall(r"\*\*([^*]+)\*\*", scope):
        if _LEVEL.search(phrase) and not phrase.rstrip().endswith(":"):
            words = re.sub(r"(?i)^(?:a|an)\s+|\s+confidence$", "", _md_plain(phrase).rstrip("."))
            return _cut(_lower_first(words), CONFIDENCE_WIDTH)
    if own is None and re.search(r"`confidence`", body):
        return "per row (the file's confidence column)"
    levels = list(dict.fromkeys(m.group(1).lower() for m in _LEVEL.finditer(_md_plain(scope))))
    if len(levels) == 1:
        return levels[0]
    return "mixed: " + ", ".join(levels) if levels else NOT_STATED


def _provenance_entries(text: str) -> list[dict]:
    """[{file, source, confidence}] of every data file PROVENANCE.md describes, in its order."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif line.startswith("# "):
            sections.append(("", []))
        elif sections:
            sections[-1][1].append(line)
    out: list[dict] = []
    for heading, lines in sections:
        if heading.startswith("derived/"):
            for row in lines:
                cells = [c.strip() for c in row.strip().strip("|").split("|")]
                m = re.fullmatch(r"`([^`]+\.\w+)`", cells[0]) if len(cells) >= 3 else None
                if m:
                    out.append({"file": m.group(1),
                                "source": _cut("Rebuilt by the model from the " + _md_plain(cells[2]), SOURCE_WIDTH),
                                "confidence": DERIVED_CONFIDENCE})
            continue
        names = [n.strip() for n in heading.split(",")]
        if not names or not all(re.fullmatch(r"raw/[\w.\-]+", n) for n in names):
            continue
        bullets = _bullets(lines)
        source_bullet = next((t for _, t, _ in bullets if t.startswith("**Source:**")), None)
        paragraph = " ".join(ln for ln in lines if ln.strip() and not ln.startswith(("-", " ")))
        for name in names:
            file = name[len("raw/"):]
            own = next((t for _, t, _ in bullets if t.startswith(f"**{file}**")), None)
            if own is not None:
                source = re.sub(r"^\*\*[^*]+\*\*\s*[—:-]*\s*", "", own)
            elif source_bullet is not None:
                source = source_bullet[len("**Source:**"):]
            else:
                source = paragraph
            first = _first_sentence(source)
            out.append({"file": file, "source": _cut(first[:1].upper() + first[1:], SOURCE_WIDTH),
                        "confidence": _confidence(lines, own)})
    return out


def data_sources(files: Iterable[str | Path] | None = None, lang: str | None = None) -> pd.DataFrame:
    """The source and confidence of each data file, from the package's model/data/PROVENANCE.md.

    Columns: ``file`` (file name), ``source`` (the first sentence of its "Source" note, at
    most about 200 characters), ``confidence`` (the first words of its "Confidence" note:
    "high", "medium (single source)", ...; a section without one gives what it marks in bold
    or "not stated"; a derived table "derived (as its source tables)").
    ``files`` (names or paths, e.g. ``tables.files_read()``) restricts and orders the rows; a
    file PROVENANCE.md does not describe gets a row saying so. ``lang`` ("zh" or "en") writes
    document codes in the sources in words (:func:`plain.plain`); the notes stay English.
    """
    entries = _provenance_entries(PROVENANCE.read_text(encoding="utf-8"))
    if lang:
        entries = [{**e, "source": _plain.plain(e["source"], lang)} for e in entries]
    if files is None:
        return pd.DataFrame(entries, columns=["file", "source", "confidence"])
    by_name = {e["file"]: e for e in entries}
    wanted = list(dict.fromkeys(Path(f).name for f in files))
    rows = [by_name.get(n, {"file": n, "source": NOT_DESCRIBED, "confidence": NOT_STATED}) for n in wanted]
    return pd.DataFrame(rows, columns=["file", "source", "confidence"])


# --------------------------------------------------------------------------
# Method note
# --------------------------------------------------------------------------

_CALIBRATED = re.compile(r"`python -m model calibrate (\w+) --write`")
# What each calibration fitted the scenario to: (中文, English).
CALIBRATIONS = {
    "national": ("人力资源和社会保障部公布的全国参保人数、领取人数和基金收支结余",
                 "the Ministry of Human Resources and Social Security's published national "
                 "figures (members, pensioners, fund income, expenditure and balance)"),
    "qiubei": ("丘北县试点工作总结中2011年的实际参保、缴费和养老金发放数",
               "Qiubei County's own 2011 figures for enrolment, premiums and pensions paid, "
               "from the Qiubei pilot summary"),
    "provinces": ("各省参保人数占比", "each province's share of the scheme's members"),
}
_INTEREST_RULE = {
    "highest": ("取年内执行过的最高利率（就高原则）", "taking the highest rate in force during the year"),
    "in_force_jan1": ("取1月1日执行的利率", "taking the rate in force on 1 January"),
    "time_weighted": ("按年内各利率执行天数加权平均", "averaging the year's rates by the days each was in force"),
}
_CREDITING = {
    "year_end": ("当年缴费于年末记入账户、次年起计息", "a year's contribution is credited at the end of "
                 "that year and earns interest from the next"),
    "mid_year": ("当年缴费计半年利息", "a year's contribution earns half a year's interest"),
    "year_start": ("当年缴费计全年利息", "a year's contribution earns a full year's interest"),
}


def _chain(scenario: Scenario | str | Path) -> tuple[Scenario, list[Path]]:
    """(the scenario, the files of its ``extends:`` chain, parents first) of a file or Scenario."""
    if isinstance(scenario, Scenario):
        return scenario, scenario_files(scenario)
    scen = load_scenario(scenario)
    return scen, scenario_files(scen)


def _documents_followed(files: list[Path]) -> tuple[list[str], list[str]]:
    """(documents the scenario's own files cite, documents only its base file cites).

    Read from each file's ``source`` and ``title``: the most derived file first. The base
    file (the root of ``extends:``) fills in what the others leave out.
    """
    cited: list[list[str]] = []
    for file in files:
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
        text = " ".join(str(data.get(k) or "") for k in ("source", "title"))
        cited.append(_plain.codes_cited(text))
    own = [c for codes in reversed(cited[1:]) for c in codes] or cited[0]
    own = list(dict.fromkeys(own))
    base = [c for c in cited[0] if c not in own] if len(cited) > 1 else []
    return own, base


def _calibration(files: list[Path]) -> tuple[str, Path] | None:
    """(calibration name, file) of the last file in the chain a calibration wrote, or None."""
    for file in reversed(files):
        head = []
        for line in Path(file).read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            head.append(line)
        m = _CALIBRATED.search("\n".join(head))
        if m:
            return m.group(1), Path(file)
    return None


def _shown(file: Path) -> str:
    """A scenario file as a reader finds it: from its ``scenarios/`` folder on, else its name."""
    parts = Path(file).parts
    return "/".join(parts[len(parts) - 1 - parts[::-1].index("scenarios"):]) if "scenarios" in parts \
        else Path(file).name


def _join(names: list[str], lang: str) -> str:
    """Names as one list in running text: "A、B和C" / "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1] if lang == "zh" else \
        ", ".join(names[:-1]) + " and " + names[-1]


def method_note(scenario: Scenario | str | Path, lang: str) -> str:
    """A short Markdown note on how the projection is made: rules, benefit formula, interest,
    calibration and where the detail is, in Chinese (``lang="zh"``) or English ("en").

    ``scenario`` is a scenario file or a loaded :class:`Scenario`. The documents are those the
    scenario's files cite in their ``source`` and ``title``, named in words
    (:mod:`model.report.plain`); the values come from the scenario.
    """
    _plain._check_lang(lang)
    zh = lang == "zh"
    scen, files = _chain(scenario)
    name = _shown(files[-1]) if files else "?"
    own, base = _documents_followed(files) if files else ([], [])
    docs = [_plain.document_name(c, lang) for c in own]
    base_docs = [_plain.document_name(c, lang) for c in base]
    out: list[str] = []

    if docs:
        s = (f"本测算依据{_join(docs, lang)}的规定（方案文件 `{name}`）" if zh else
             f"This projection follows {_join(docs, lang)} (scenario file `{name}`)")
        if base_docs:
            s += (f"；其未作规定之处沿用{_join(base_docs, lang)}。" if zh else
                  f"; where {'it is' if len(docs) == 1 else 'they are'} silent it keeps "
                  f"{_join(base_docs, lang)}.")
        else:
            s += "。" if zh else "."
    else:
        s = (f"方案文件 `{name}` 未注明所依据的政策文件。" if zh else
             f"The scenario file `{name}` does not name the documents its rules come from.")
    out.append(s)

    b = scen.benefits
    if b.payout_divisor == "guofa_2005_38":
        account = ("个人账户养老金（60岁时个人账户储存额除以国发〔2005〕38号规定的计发月数，60岁为139）" if zh else
                   "an account pension, the individual account at 60 divided by the payout months of "
                   "Guofa [2005] No. 38 (139 at 60)")
    else:
        months = f"{b.payout_divisor:g}"
        account = (f"个人账户养老金（60岁时个人账户储存额除以{months}）" if zh else
                   f"an account pension, the individual account at 60 divided by {months}")
    out.append(f"养老金由政府支付的基础养老金和{account}两部分组成，按月终身发放。" if zh else
               f"Each pensioner receives a basic pension paid by government plus {account}, "
               f"monthly for life.")

    extras = []
    if b.age_topup.monthly_yuan and b.age_topup.from_age:
        extras.append(f"{b.age_topup.from_age}岁起每月加发{b.age_topup.monthly_yuan:g}元" if zh else
                      f"{b.age_topup.monthly_yuan:g} yuan a month more from age {b.age_topup.from_age}")
    if b.one_child_parent.monthly_yuan:
        extras.append(f"独生子女父母每月加发{b.one_child_parent.monthly_yuan:g}元" if zh else
                      f"{b.one_child_parent.monthly_yuan:g} yuan a month more for one-child parents")
    if b.death_grant_months_of_pension:
        extras.append(f"死亡时发放{b.death_grant_months_of_pension:g}个月养老金的丧葬补助" if zh else
                      f"a death grant of {b.death_grant_months_of_pension:g} months' pension")
    if b.funeral_grant_yuan:
        extras.append(f"丧葬补助{b.funeral_grant_yuan:g}元" if zh else
                      f"a funeral grant of {b.funeral_grant_yuan:g} yuan")
    if extras:
        out.append(f"此外：{'；'.join(extras)}。" if zh else f"On top of this: {'; '.join(extras)}.")

    a = scen.accounts
    crediting = _CREDITING[a.crediting][0 if zh else 1]
    if a.interest == "pbc_1y":
        rule = _INTEREST_RULE[a.interest_rule][0 if zh else 1]
        out.append(f"个人账户按中国人民银行一年期存款利率计息，{rule}；{crediting}。" if zh else
                   f"Accounts earn the People's Bank of China one-year deposit rate, {rule}; {crediting}.")
    elif a.interest == "flat":
        out.append(f"个人账户按每年{a.flat_rate_pa:.2%}的固定利率计息；{crediting}。" if zh else
                   f"Accounts earn a flat {a.flat_rate_pa:.2%} a year; {crediting}.")
    else:
        out.append(f"个人账户按方案给定的各年利率计息；{crediting}。" if zh else
                   f"Accounts earn the yearly rates the scenario gives; {crediting}.")

    cal = _calibration(files)
    if cal is not None:
        kind, file = cal
        fitted = CALIBRATIONS.get(kind, (f"`python -m model calibrate {kind}` 的目标数据",
                                         f"the targets of `python -m model calibrate {kind}`"))
        out.append(f"参保率、缴费档次等行为参数已按{fitted[0]}校准（见 `{_shown(file)}` 和 "
                   f"docs/CALIBRATION.md）。" if zh else
                   f"Behaviour inputs such as enrolment and tier choice are calibrated to "
                   f"{fitted[1]} (see `{_shown(file)}` and docs/CALIBRATION.md).")
    else:
        out.append("参保率、缴费档次等行为参数为假设，未按实际数校准，列于假设表中。" if zh else
                   "Behaviour inputs such as enrolment and tier choice are assumptions, not "
                   "calibrated to reported figures; the assumptions table lists them.")
    out.append(f"各项规定及其条款见 docs/RULES.md，全部参数见 `{name}`。" if zh else
               f"The rules with their articles are in docs/RULES.md, every input in `{name}`.")
    return " ".join(out) if not zh else "".join(out)
