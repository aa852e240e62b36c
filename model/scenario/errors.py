"""How a scenario mistake is located and said: one line naming the file, the key path,
the bad value and what is allowed.

:class:`ScenarioError` is what every caller sees; :class:`_Bad` is a validator's
complaint; :func:`_format_problems` turns pydantic's errors into lines, walking the
raw mapping (``_walk``) so that keys are shown as the user wrote them, in the file
(of an ``extends:`` chain) that set them (``_origin``).
"""
from __future__ import annotations

import datetime
import difflib
import re
import types
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel


_ANY_YEAR = 1900        # the year a bare value (not given by date) applies from
_ANY_DATE = f"{_ANY_YEAR}-01"
_WRAPPERS = {"bands", "values", "by_year"}   # keys the validators add around a bare mapping
FINITE = "must be a finite number (not .nan or .inf)"


class ScenarioError(ValueError):
    """A user mistake in a scenario file: printed as one line, never a traceback."""


_NO = object()          # "no value given" (None is a value a user can write)


class _Bad(ValueError):
    """A validator's complaint, read by :func:`_format_error`.

    The message says what is allowed; ``value`` is the offending piece (a
    key, a label, one number) when it is smaller than the whole field,
    ``what`` names it ("date", "age band", ...), and ``at`` is the key path
    below the field being validated.
    """

    def __init__(self, msg: str, *, value: Any = _NO, what: str = "value", at: tuple = ()):
        super().__init__(msg)
        self.value, self.what, self.at = value, what, tuple(at)


def _is_value_mapping(d: dict) -> bool:
    """A mapping that is one value (tier shares, age bands, dated values), not a section.

    Its keys are numbers, age bands or dates rather than names; an override
    replaces such a mapping whole instead of merging into it.
    """
    if any(not (isinstance(k, str) and k.isidentifier()) for k in d):
        return True
    keys = set(d)
    return any(form in keys and keys <= allowed for form, allowed in _VALUE_FORMS.items())


# the named forms of one value: a dated path, a trend, a shipped table (each with its growth
# after the last value), a geometric tier mix. Only a mapping of exactly these keys is one
# value: population.mortality has a key `table` too, and is a section.
_VALUE_FORMS = {"values": {"values", "growth_pa_after_last"}, "trend": {"trend", "growth_pa_after_last"},
                "table": {"table", "growth_pa_after_last"}, "geometric": {"geometric"}}


class _Layer(NamedTuple):
    """One file of an ``extends:`` chain: where it is, how to show it, what it holds."""
    path: Path          # resolved, for reading and provenance
    shown: str          # as the user gave it (parents: joined to the child's folder)
    data: dict          # its own mapping, without ``extends``


def _unwrap(tp: Any, meta: list) -> tuple[Any, list]:
    """The type inside Annotated[...] and Optional[...], and the constraints met on the way."""
    while True:
        if get_origin(tp) is Annotated:
            tp, *extra = get_args(tp)
            for m in extra:
                meta.extend(getattr(m, "metadata", None) or [m])
        elif get_origin(tp) in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, meta
            tp = args[0]
        else:
            return tp, meta


# --------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------
def _walk(raw: Any, loc: tuple) -> tuple[str, bool, Any]:
    """(key path as the user wrote it, whether it is in ``raw``, the value there).

    Keys the validators add around a bare mapping (``bands``, ``values``,
    ``by_year``, the year of a value not given by date) are skipped when
    the user did not write them.
    """
    parts: list[str] = []
    cur, found = raw, True
    for item in loc:
        if found and isinstance(cur, list) and isinstance(item, int) and 0 <= item < len(cur):
            parts.append(f"[{item}]")
            cur = cur[item]
            continue
        if found and isinstance(cur, list) and item in _WRAPPERS:   # a bare list wrapped (long_contribution)
            continue
        if found and isinstance(cur, dict):
            if item in cur:
                key = next(k for k in cur if k == item)
                parts.append(("." if parts else "") + str(key))
                cur = cur[item]
                continue
            if item in _WRAPPERS or item in (_ANY_YEAR, _ANY_DATE):
                continue
            same = ([k for k in cur if str(k) == str(item)]
                    or [k for k in cur if _same_date(k, item)])
            if same:
                parts.append(("." if parts else "") + str(same[0]))
                cur = cur[same[0]]
                continue
        elif found:                 # a bare value: the rest of loc is the validators' wrapping
            break
        elif item in _WRAPPERS or item in (_ANY_YEAR, _ANY_DATE):
            continue
        found, cur = False, None
        parts.append(("." if parts else "") + str(item))
    return "".join(parts), found, cur


def _same_date(key: Any, date: Any) -> bool:
    """Whether a key as written (``2011``, ``2014-07``) is the normalised ``date`` ("2011-01")."""
    from .values import _DATE_RE, parse_year_month       # values builds on this module
    if not (isinstance(date, str) and _DATE_RE.match(date)) or isinstance(key, bool):
        return False
    try:
        return parse_year_month(key) == parse_year_month(date)
    except _Bad:
        return False


def _show(value: Any, limit: int = 100) -> str:
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + " ...]"


def _type_at(root: Any, loc: tuple) -> tuple[Any, list, Any] | None:
    """(type, constraints, field info) that ``root`` expects at ``loc``; None if unknown."""
    tp, meta, info = root, [], None
    for item in loc:
        tp, meta = _unwrap(tp, meta)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(item) if isinstance(item, str) else None
            if info is None:
                return None
            tp, meta = info.annotation, list(info.metadata)
        elif get_origin(tp) in (list, tuple) and isinstance(item, int):
            tp, meta, info = get_args(tp)[0], [], None
        elif get_origin(tp) is dict:
            tp, meta, info = get_args(tp)[1], [], None
        else:
            return None
    tp, meta = _unwrap(tp, meta)
    return tp, meta, info


_SHAPES = {
    "AgeBands": "a number, or values by age band such as {'16-59': 0.9, '60+': 1.0}",
    "DatedPath": "a number, or values by date such as {2011: 55, 2014-07: 70}",
    "PaidBy": "shares by level of government such as {province: 0.5, county: 0.5}",
    "TierMix": ("shares of payers by tier such as {100: 0.9, 200: 0.1}, or by year such as "
                "{2011: {100: 1.0}, 2015: {100: 0.8, 200: 0.2}}"),
}


def _g(x: float) -> str:
    """A bound for a message: ``2,000,000,000`` rather than ``2e+09``."""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 10_000 else f"{x:g}"


def _describe(tp: Any, meta: list) -> str | None:
    """What a value of type ``tp`` with constraints ``meta`` may be, in plain words."""
    if get_origin(tp) in (Union, types.UnionType):
        words = []
        for arm in get_args(tp):
            if get_origin(arm) is Literal and len(get_args(arm)) == 1:
                words.append(repr(get_args(arm)[0]))
            elif arm is not type(None):
                words.append(_describe(*_unwrap(arm, [])))
        return None if None in words else ", or ".join(words)
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if tp is bool:
        return "true or false"
    if tp is str:
        return "text"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp.__name__ in _SHAPES:
            return _SHAPES[tp.__name__]
        return "a group of keys (" + ", ".join(tp.model_fields) + ")"
    if get_origin(tp) is list:
        return "a list (one item per line starting with '- ')"
    if get_origin(tp) is dict:
        return "keys and values, e.g. {key: value}"
    if tp not in (int, float):
        return None
    noun = "a whole number" if tp is int else "a number"
    b = {k: getattr(m, k) for m in meta for k in ("ge", "gt", "le", "lt")
         if getattr(m, k, None) is not None}
    lo = ("ge", b["ge"]) if "ge" in b else ("gt", b["gt"]) if "gt" in b else None
    hi = ("le", b["le"]) if "le" in b else ("lt", b["lt"]) if "lt" in b else None
    if lo and hi and lo[0] == "ge" and hi[0] == "le":
        return f"{noun} from {_g(lo[1])} to {_g(hi[1])}"
    words = []
    if lo:
        words.append(f"{_g(lo[1])} or more" if lo[0] == "ge" else f"more than {_g(lo[1])}")
    if hi:
        words.append(f"{_g(hi[1])} or less" if hi[0] == "le" else f"less than {_g(hi[1])}")
    return noun + (", " + " and ".join(words) if words else "")


_TYPE_ERRORS = {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type",
                "bool_parsing", "bool_type", "string_type", "greater_than",
                "greater_than_equal", "less_than", "less_than_equal", "finite_number",
                "literal_error", "model_type", "model_attributes_type", "dict_type",
                "list_type", "too_short", "too_long", "int_parsing_size"}


def _problem(err: dict, root: Any) -> tuple[tuple, Any, str, str]:
    """(key path, bad value or _NO, what is allowed, what the value is) of one pydantic error."""
    loc = tuple(x for x in err["loc"]
                if not (isinstance(x, str) and x.startswith(("function-", "constrained-"))))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    exc = ctx.get("error")
    if isinstance(exc, _Bad):
        return (*loc, *exc.at), exc.value, str(exc), exc.what
    if kind == "extra_forbidden":
        parent = _type_at(root, loc[:-1])
        names = list(parent[0].model_fields) if parent and isinstance(parent[0], type) \
            and issubclass(parent[0], BaseModel) else []
        if parent and parent[0] is root and root.__name__ == "Scenario":
            names = ["extends", *names]
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        where = "at the top level" if len(loc) == 1 else "here"
        return loc, _NO, (f"unknown key; {hint}allowed {where}: {', '.join(names)}"
                          if names else "unknown key"), "key"
    if kind == "missing":
        found = _type_at(root, loc)
        desc = found[2].description if found and found[2] is not None else None
        return loc, _NO, "required key is missing" + (f" ({desc})" if desc else ""), "value"
    is_key = len(loc) >= 2 and loc[-1] == "[key]"
    if is_key:
        loc, value = loc[:-2], loc[-2]
        found = _type_at(root, loc)
        tp = found[0] if found else None
        key_tp = get_args(tp)[0] if get_origin(tp) is dict else None
        desc = _describe(*_unwrap(key_tp, [])) if key_tp is not None else None
        if key_tp is str:
            desc = "text: put it in quotes, e.g. '60'"
        return loc, value, f"must be {desc}" if desc else _pydantic_words(err["msg"]), "key"
    if kind == "value_error" and exc is not None:
        return loc, _NO, str(exc), "value"
    if kind == "finite_number":                 # a text such as "nan" read as a number
        return loc, _NO, _finite_words(root, loc), "value"
    if kind in _TYPE_ERRORS:
        found = _type_at(root, loc)
        desc = _describe(found[0], found[1]) if found else None
        if desc is None and kind in ("model_type", "model_attributes_type") \
                and ctx.get("class_name") in _SHAPES:
            desc = _SHAPES[ctx["class_name"]]
        if desc:
            return loc, _NO, f"must be {desc}", "value"
    return loc, _NO, _pydantic_words(err["msg"]), "value"


def _finite_words(root: Any, loc: tuple) -> str:
    """What to say of a NaN or infinity at ``loc``: finite, and what is allowed there."""
    found = _type_at(root, loc)
    desc = _describe(found[0], found[1]) if found else None
    return f"{FINITE}; allowed: {desc}" if desc else FINITE


def _pydantic_words(msg: str) -> str:
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return re.sub(r"^Input should be", "must be", msg)


def _origin(layers: list[_Layer], loc: tuple) -> tuple[_Layer | None, list[_Layer]]:
    """(the file the merged value at ``loc`` comes from, the earlier files that also set it).

    Sections merge key by key, but a list or a value mapping is replaced whole by the
    last file that sets it: everything below it (even a key missing there) is that
    file's, so a list item without its ``reference`` is blamed on the file that wrote
    the list, not on the scenario it extends.
    """
    for k in range(1, len(loc) + 1):
        hits = [layer for layer in layers if _walk(layer.data, loc[:k])[1]]
        if not hits:
            return None, []
        value = _walk(hits[-1].data, loc[:k])[2]
        if isinstance(value, list) or (isinstance(value, dict) and _is_value_mapping(value)):
            return hits[-1], []
    hits = [layer for layer in layers if _walk(layer.data, loc)[1]]
    return (hits[-1], hits[:-1]) if hits else (None, [])



def _format_problems(path: str | Path, problems: list[tuple], raw: dict,
                     layers: list[_Layer] | None = None) -> str:
    """One line per (key path, value or _NO, what is allowed, what it is, show the raw value)."""
    main = str(path)
    lines: list[str] = []
    for loc, value, msg, what, show_raw in problems:
        shown, found, at_raw = _walk(raw, loc)
        owner, also = _origin(layers or [], loc)
        file = main
        if owner is not None and owner.shown != main:
            file = f"{owner.shown} (extended by {main})"
        if value is _NO and found and show_raw:
            value = at_raw
        if value is _NO:
            text = msg
        else:
            merged = ""
            if (owner is not None and also and isinstance(value, dict)
                    and _walk(owner.data, loc)[2] != value):
                merged = f" (merged with keys from {', '.join(a.shown for a in also)})"
            text = f"bad {what} {_show(value)}{merged}: {msg}"
        line = f"{file}: {shown or '(top level)'}: {text}"
        if line not in lines:
            lines.append(line)
    if len(lines) > 10:
        lines = [*lines[:10], f"{main}: ... and {len(lines) - 10} more problems"]
    return "\n".join(lines)
