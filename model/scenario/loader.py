"""Reading scenario files: YAML with no key given twice, ``extends:`` chains merged
(sections key by key, values whole), validated into a :class:`Scenario`.

This package and ``tables.py`` are the only places in ``model/`` that read files.
"""
from __future__ import annotations

import copy
import hashlib
import math
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


from .errors import ScenarioError, _finite_words, _format_problems, _is_value_mapping, _Layer, _problem, _show
from .schema import Scenario
from .values import MAX_DEPTH, MAX_NODES


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------
def _deep_merge(base: dict, over: dict) -> dict:
    """``base`` with ``over`` merged in: sections merge key by key, values replace."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if (isinstance(v, dict) and isinstance(out.get(k), dict)
                and not _is_value_mapping(v) and not _is_value_mapping(out[k])):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, first: Any, mark: Any):
        super().__init__(f"duplicate key {key!r}")
        self.key, self.first, self.mark = key, first, mark


class _Loader(yaml.SafeLoader):
    """The safe YAML loader, refusing a key given twice in one mapping (YAML keeps the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: Any, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node.start_mark)
        except TypeError:                    # unhashable key: the loader reports it
            continue
        if first is not key_node.start_mark:     # also two on one line: {2011: 0.6, 2011: 0.1}
            raise _DuplicateKey(key, first, key_node.start_mark)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.YAMLError) -> tuple[Any, str]:
    """(mark, plain-English explanation) of a YAML syntax error."""
    if isinstance(exc, _DuplicateKey):
        first = f"line {exc.first.line + 1}"
        if exc.first.line == exc.mark.line:
            first += f", column {exc.first.column + 1}"
        return exc.mark, (f"the key {exc.key!r} is given twice in the same block (first at "
                          f"{first}); give each key once")
    mark = getattr(exc, "problem_mark", None)
    ctx_mark = getattr(exc, "context_mark", None)
    problem = (getattr(exc, "problem", None) or "").strip()
    context = (getattr(exc, "context", None) or "").strip()
    if context.startswith("while scanning a quoted scalar"):
        return ctx_mark or mark, "a quote opened here is never closed; close it on the same line"
    if "mapping values are not allowed" in problem:
        return mark, ("a ':' is not allowed here: check the indentation, and put a value "
                      "that contains ': ' in quotes")
    if "'\\t'" in problem:
        return mark, "a tab character: indent with spaces only"
    if "could not find expected ':'" in problem:
        return mark, "expected 'key: value' here: a ':' is missing or the indentation is wrong"
    if problem.startswith("expected <block"):
        return mark, "the indentation does not line up with the lines above"
    if "flow mapping" in context or "flow sequence" in context:
        opened = f" opened at line {ctx_mark.line + 1}" if ctx_mark is not None else ""
        return mark, f"a {{...}} or [...]{opened} is not closed or misses a comma ({problem})"
    if not problem:
        return mark, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    where = ""
    if context and ctx_mark is not None and (mark is None or ctx_mark.line != mark.line):
        where = f" ({context} at line {ctx_mark.line + 1})"
    elif context:
        where = f" ({context})"
    return mark, problem + where


def _read_yaml(path: Path, shown: str | None = None) -> dict:
    """The top-level mapping of one YAML file; any problem is a :class:`ScenarioError`."""
    shown = str(path) if shown is None else shown
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{shown}: no such file; check the file name and folder") from None
    except IsADirectoryError:
        raise ScenarioError(f"{shown}: is a folder; give a scenario .yaml file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{shown}: is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ScenarioError(f"{shown}: cannot read ({exc.strerror})") from None
    too_deep = ScenarioError(f"{shown}: nested too deeply (more than {MAX_DEPTH} levels); a "
                             f"scenario needs at most about 6")
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark, why = _yaml_problem(exc)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
        raise ScenarioError(f"{shown}:{where} not valid YAML: {why}") from None
    except RecursionError:
        raise too_deep from None
    if _expanded_size(data) > MAX_NODES:
        raise ScenarioError(f"{shown}: the file repeats its parts (YAML '&' anchors and '*' aliases) "
                            f"into more than {MAX_NODES:,} values; a scenario has a few hundred")
    if _depth(data) > MAX_DEPTH:
        raise too_deep
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = {list: "a list", str: "a single text", int: "a single number",
                float: "a single number"}.get(type(data), type(data).__name__)
        raise ScenarioError(f"{shown}: (top level): the file is {kind}; it must be keys and "
                            f"values such as 'title: ...' and 'scheme: ...'")
    return data


def _expanded_size(data: Any) -> int:
    """Values in ``data`` with every alias counted again, computed once per shared part.

    YAML aliases share one object, so a small file ("billion laughs") can stand for
    a tree far too big to walk; this counts it without walking it.
    """
    size: dict[int, int] = {}
    visiting: set[int] = set()
    todo = [(data, False)]
    while todo:
        node, children_done = todo.pop()
        if not isinstance(node, (dict, list)) or id(node) in size:
            continue
        kids = [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, (dict, list))]
        if children_done:
            visiting.discard(id(node))
            total = 1 + (len(node) - len(kids)) + sum(size.get(id(c), 1) for c in kids)
            size[id(node)] = min(total, MAX_NODES + 1)
        elif id(node) not in visiting:                 # a part that contains itself counts once
            visiting.add(id(node))
            todo.append((node, True))
            todo.extend((c, False) for c in kids if id(c) not in size)
    return size.get(id(data), 1)


def _depth(data: Any) -> int:
    """Levels of mappings and lists in ``data`` (a bare value: 0), without recursion."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        node, level = todo.pop()
        children = (node.values() if isinstance(node, dict) else node
                    if isinstance(node, list) else None)
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            todo.extend((c, level + 1) for c in children)
    return deepest


def _non_finite(data: Any) -> list[tuple[tuple, float]]:
    """(key path, value) of every NaN or infinity in a raw mapping, keys included.

    YAML reads ``.nan``, ``.inf``, ``-.inf`` and overflowing numbers (``1e400``)
    as floats; no quantity of a scheme can be one. Found before validation, in
    one place, so every field (dated paths, age-band tables, tier lists,
    subsidy schedules, shares) refuses them alike.
    """
    bad: list[tuple[tuple, float]] = []
    todo: list[tuple[tuple, Any]] = [((), data)]
    while todo:
        at, node = todo.pop()
        if isinstance(node, float) and not math.isfinite(node):
            bad.append((at, node))
        elif isinstance(node, dict):
            bad.extend((at, k) for k in node if isinstance(k, float) and not math.isfinite(k))
            todo.extend(((*at, k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            todo.extend(((*at, i), v) for i, v in reversed(list(enumerate(node))))
    return bad


def _resolve(path: str | Path, _seen: tuple = ()) -> list[_Layer]:
    """The files of a scenario's ``extends:`` chain, parents first."""
    shown = str(path)
    chain = [(p, s) for p, s in _seen]
    layers: list[_Layer] = []
    while True:
        real = Path(shown).resolve()
        data = _read_yaml(real, shown)
        chain.append((real, shown))
        parent = data.pop("extends", None)
        layers.append(_Layer(real, shown, data))
        if parent is None:
            return layers[::-1]
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(f"{shown}: extends: bad value {_show(parent)}: must be one "
                                f"file name, e.g. 'extends: qiannan_2011.yaml'")
        parent_shown = os.path.normpath(os.path.join(os.path.dirname(shown), parent))
        parent_real = (real.parent / parent).resolve()
        if not parent_real.is_file():
            raise ScenarioError(f"{shown}: extends: bad value {parent!r}: no such file (looked "
                                f"for {parent_shown}); give the path of an existing scenario "
                                f"relative to this file's folder")
        if any(parent_real == p for p, _ in chain):
            loop = " -> ".join(Path(s).name for _, s in (*chain, (parent_real, parent_shown)))
            raise ScenarioError(f"{shown}: extends: bad value {parent!r}: this makes a loop "
                                f"({loop}); a scenario may only extend a file that does not "
                                f"lead back to it")
        shown = parent_shown


def _merge(layers: list[_Layer]) -> dict:
    raw: dict = {}
    for layer in layers:
        if "title" in layer.data and "title_en" not in layer.data:
            raw.pop("title_en", None)      # a new title: the parent's English one no longer fits
        raw = _deep_merge(raw, layer.data)
    return raw


def resolve_raw(path: str | Path, _seen: tuple = ()) -> tuple[dict, list[Path]]:
    """The merged raw mapping of a scenario and its ``extends:`` chain, and the files read."""
    seen = tuple((Path(p).resolve(), str(p)) for p in _seen)
    layers = _resolve(path, seen)
    return _merge(layers), [layer.path for layer in layers]



def _format_error(path: str | Path, exc: ValidationError, raw: dict,
                  layers: list[_Layer] | None = None) -> str:
    """One line per problem: file, key path, bad value, what is allowed."""
    problems = [(*_problem(err, Scenario), err["type"] not in ("missing", "extra_forbidden"))
                for err in exc.errors()]
    return _format_problems(path, problems, raw, layers)



def load_scenario(path: str | Path) -> "Scenario":
    """The validated :class:`Scenario` of a YAML file (``extends:`` resolved).

    Raises :class:`ScenarioError` with one line per problem (file, key path,
    value, what is allowed); file paths are shown as given.
    """
    layers = _resolve(path)
    raw = _merge(layers)
    scen = _validated(raw, path, layers)
    scen._files = [layer.path for layer in layers]
    return scen


def _validated(raw: dict, path: str | Path, layers: list[_Layer] | None = None) -> Scenario:
    """The :class:`Scenario` of a merged raw mapping; any problem is a :class:`ScenarioError`."""
    if _depth(raw) > MAX_DEPTH:
        raise ScenarioError(f"{path}: nested too deeply (more than {MAX_DEPTH} levels); a "
                            f"scenario needs at most about 6")
    bad = _non_finite(raw)
    if bad:
        problems = [(loc, value, _finite_words(Scenario, loc), "value", True) for loc, value in bad]
        raise ScenarioError(_format_problems(path, problems, raw, layers))
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_format_error(path, exc, raw, layers)) from None


def scenario_files(scen: Scenario) -> list[Path]:
    """The files a scenario was read from, parents first."""
    return list(scen._files)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def with_overrides(scen: Scenario, changes: dict, where: str = "override") -> Scenario:
    """A copy of ``scen`` with ``changes`` merged in as a file extending it would be.

    Used by reports that compare variants of one scenario (an enrolment target,
    a tier mix). Raises :class:`ScenarioError` naming ``where`` on a bad change.
    """
    base = scen.model_dump(mode="python")
    if "title" in changes and "title_en" not in changes:
        base.pop("title_en", None)         # as _merge: a new title, the old English one no longer fits
    merged = _deep_merge(base, changes)
    out = _validated(merged, where)
    out._files = list(scen._files)
    return out

