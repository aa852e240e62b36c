"""The member calculator (算账) as a local web page for township staff: ``python -m model serve``.

A form (GET, so a result can be bookmarked and the browser's back works) and, below it, the
resident's one-page statement from ``statement.statement_html`` with its chart and what-if
table; the form is hidden when printed, so the page prints as the statement alone on one A4
page. ``/json`` gives the same JSON as ``python -m model member --json``.

The resident is built by ``inputs.member_from_fields``, the builder of the command line and of
the batch file's rows, and illustrated by ``calculator.illustrate``/``what_if``: the page holds
no model logic. Small pure functions do the work (``fields_of_query``, ``resident_of``,
``field_of_error``, ``form_html``, ``page_html``, ``json_text``); the HTTP handler only routes.

Standard library only (``http.server``): one clerk or a few at once on their own machine need no
web framework, and the test venv stays lean. Each request builds its own objects from the query;
the only thing requests share is the scenario, which is frozen, and one lock around the chart
(matplotlib's pyplot is not thread-safe).
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import socket
import sys
import threading
import traceback
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from model import dims
from model.member.calculator import illustrate, what_if
from model.member.counter import Counter, _table, check, own_tiers, province_code
from model.member.inputs import FIELDS, FLAGS, NO, YES, Member, MemberInputError, member_from_fields
from model.member.statement import CSS, L, statement_html
from model.scenario import Scenario, ScenarioError

COUNTER_FIELDS = ("province", "basic_pension", "subsidy")      # the counter's choices (counter.Counter)
PAGE_FIELDS = ("lang", "what_if")                               # how the statement is shown
LANGS = ("zh", "en")

# Labels (中文, English) beyond the statement's own (statement.L: birth, sex, area, tier, flags ...).
# A field FIELDS gains later and that is not named here is labelled by its name, with FIELDS' help.
LABELS = {
    "enrol": ("参保年月", "Enrolled"),
    "stop_after_years": ("缴费几年后停缴", "Stop paying after"),
    "make_up_at_60": ("60岁时补缴到15年", "make up to 15 years at 60"),
    "pay_on": ("60岁缴费年限不足时延缴", "short of years at 60: pay on year by year"),
    "catch_up": ("补缴(年份=年数)", "Catch-up (YEAR=N)"),
    "lump_sum": ("趸缴(元/月)", "Lump sum (yuan/month)"),
    "interest_rate": ("记账利率", "Interest rate"),
    "death_age": ("身故年龄", "Age at death"),
    "province": ("省份", "Province"),
    "basic_pension": ("基础养老金(元/月)", "Basic pension (yuan/month)"),
    "subsidy": ("缴费补贴(元/年)", "Subsidy (yuan/year)"),
    "lang": ("算账单语言", "Statement language"),
    "what_if": ("显示多缴多得表", "show the what-if table"),
}
HINTS_ZH = {                   # a word of Chinese before FIELDS' English help
    "birth": "如 1975-05", "enrol": "如 2012 或 2012-03", "catch_up": "如 2024=2;2026=1",
    "stop_after_years": "年数", "lump_sum": "60岁以上购买的每月账户养老金",
    "death_age": "显示继承额", "basic_pension": "空:按办法", "subsidy": "空:按办法",
}
HINTS_EN = {"basic_pension": "replaces the rules' in every year (empty: the rules')",
            "subsidy": "on every tier in every year (empty: the rules')",
            "death_age": "what heirs get on death at this age"}
OPTIONS = {                    # fields chosen from a list: (value, label)
    "sex": (("M", "男 male"), ("F", "女 female")),
    "area": (("rural", "农村 rural"), ("urban", "城镇 urban")),
    "lang": (("zh", "中文 Chinese"), ("en", "English 英文")),
}
PLACEHOLDERS = {"birth": "1975-05", "enrol": "2012", "catch_up": "2024=2;2026=1"}   # no tier: empty is the lowest
# The form shows these first; the page's options and the button last; every other field (and any
# that FIELDS gains) under "more options", folded unless one of them is filled in.
MAIN = ("birth", "enrol", "sex", "area", "province", "tier", "flags", "one_child_parent")


def label(name: str) -> tuple[str, str]:
    """The field's label (中文, English): the statement's word where it has one; else its name."""
    return LABELS.get(name) or L.get(name) or (name.replace("_", " "), "")


def form_names() -> tuple[str, ...]:
    """The form's fields in order: FIELDS (the province after the area), the counter's, the page's."""
    names = []
    for name in FIELDS:
        names.append(name)
        if name == "area":
            names.append("province")
    return tuple(names) + tuple(n for n in COUNTER_FIELDS if n not in names) + PAGE_FIELDS


def is_yes_no(name: str) -> bool:
    """Whether the field is a yes/no choice (a check box): FIELDS says so, or it is the what-if switch."""
    return FIELDS.get(name, "").startswith("yes or no") or name == "what_if"


# --------------------------------------------------------------------------- query -> fields
def fields_of_query(query: str) -> dict[str, str]:
    """The form's text fields from a URL query (``birth=1975-05&flags=dibao&flags=village_cadre``).

    Only the form's names are kept (anything else in a URL is ignored); the first value of each,
    stripped; the ticked ``flags`` boxes joined by ``;`` as a batch file writes them.
    """
    raw = parse_qs(query or "", keep_blank_values=True)   # http.server caps a request line at 64 KiB
    out = {}
    for name in form_names():
        values = [v.strip() for v in raw.get(name, [])]
        if name == "flags":
            out[name] = ";".join(v for v in values if v)
        elif values:
            out[name] = values[0]
    return out


# --------------------------------------------------------------------------- fields -> resident
@dataclass(frozen=True)
class Resident:
    """The resident and the counter's choices from the form, or the mistakes by field.

    ``errors`` maps a form field (or ``""``: no field named) to its messages; when it is not
    empty, ``member`` may be None and nothing is computed.
    """
    member: Member | None
    counter: Counter | None
    lang: str = "zh"
    with_what_if: bool = False
    errors: dict = field(default_factory=dict)


def field_of_error(message: str) -> str:
    """The form field a one-line MemberInputError names, or ``""`` when it names none.

    The messages start with the field as a batch column or a command-line option
    (``birth = '19x5-05': ...``, ``--lump-sum 50: ...``, ``enrol is empty``).
    """
    m = re.match(r"\s*(?:--)?([a-z][a-z0-9_-]*)", message)
    name = m.group(1).replace("-", "_") if m else ""
    return name if name in form_names() else ""


def _add(errors: dict, message: str) -> None:
    errors.setdefault(field_of_error(message), []).append(message)


def _number(fields: dict, name: str, unit: str) -> float | None:
    text = fields.get(name, "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise MemberInputError(f"{name} = {text!r}: give {unit} as a number") from None


def resident_of(fields: dict) -> Resident:
    """The resident (``member_from_fields``, as the command line and batch files) and the counter's
    choices from the form's text fields; every field with a mistake gets its one-line message.

    Each part is checked on its own, so a bad birth and a bad province show at once; the checks
    that need the scenario (tiers, dates against the start) come from ``illustrate`` later.
    """
    errors: dict = {}
    member = province = None
    given = {}                                        # the counter's overrides that were typed in
    try:
        member = member_from_fields({k: fields.get(k, "") for k in FIELDS})
    except MemberInputError as e:
        _add(errors, str(e))
    if fields.get("province"):
        try:
            province = province_code(fields["province"])
        except MemberInputError as e:
            _add(errors, str(e))
    for name, unit, kw in (("basic_pension", "yuan a month", "basic_pension_yuan"),
                           ("subsidy", "yuan a year", "subsidy_yuan")):
        try:
            given[kw] = _number(fields, name, unit)
            check(Counter(**{kw: given[kw]}))         # one field at a time: its own message
        except MemberInputError as e:
            _add(errors, str(e))
    lang = fields.get("lang") or "zh"
    if lang not in LANGS:
        _add(errors, f"lang = {lang!r}: give zh or en")
        lang = "zh"
    show = (fields.get("what_if") or "").lower()
    if show not in YES | NO:
        _add(errors, f"what_if = {fields['what_if']!r}: give yes or no")
    if errors:
        return Resident(member=None, counter=None, lang=lang, errors=errors)
    return Resident(member=member, counter=Counter(province=province, **given), lang=lang,
                    with_what_if=show in YES)


def illustration_of(scen: Scenario, r: Resident, with_what_if: bool):
    """The resident's illustration, with the what-if table when asked: the calls ``member`` makes."""
    il = illustrate(scen, r.member, counter=r.counter)
    if with_what_if:
        il = replace(il, what_if=what_if(scen, r.member, counter=r.counter))
    return il


def json_text(scen: Scenario, r: Resident) -> str:
    """The JSON ``python -m model member --json`` prints for the same inputs (what-if included, as there)."""
    return json.dumps(illustration_of(scen, r, True).to_json_dict(), ensure_ascii=False, indent=1,
                      allow_nan=False)


# --------------------------------------------------------------------------- rendering
esc = html.escape


def tier_hint(scen: Scenario, province: str | None) -> str:
    """The tiers a resident may choose [yuan/year]: the scenario's by area, and the province's own."""
    listed = {a: [float(t) for t in (getattr(scen.contributions.tiers, a, None) or [])] for a in dims.AREAS}
    tiers = {a: ", ".join(f"{t:g}" for t in ts) for a, ts in listed.items()}
    text = (f"可选档次 allowed: {tiers['rural']}" if tiers["rural"] == tiers["urban"] else
            f"可选档次 allowed: 农村 rural {tiers['rural']}; 城镇 urban {tiers['urban']}")
    own = own_tiers(Counter(province=province)) if province else None
    if own is not None:                               # a member paying before and after must give years
        tiers_own, start = own
        example = f"{scen.scheme.start_year}={min(listed['rural'] or [0]):g};{start}={tiers_own[0]:g}"
        text += (f"; {_table().loc[province, 'province']} {start}年起 from {start}: "
                 + ", ".join(f"{t:g}" for t in tiers_own) + f" (按年填写 by year, e.g. {example})")
    return text + " · 元/年 yuan a year; 或按年 or by year 2011=100;2016=300"


def _province_options() -> list[tuple[str, str]]:
    options = [("", "全国办法 national rules")]
    for code, row in _table().iterrows():
        own = isinstance(row["tiers_yuan"], str)
        own_from = f" · {int(row['ladder_from_year'])}年起本地档次" if own else ""    # its own tiers from then
        options.append((code, row["province"] + own_from))
    return options


def _selected_province(text: str) -> str:
    """The province's code for the select box (a bookmarked URL may give its name)."""
    try:
        return province_code(text) if text else ""
    except MemberInputError:
        return text


def _widget(name: str, value: str, bad: bool) -> str:
    """The input element(s) of one field, filled with what was entered (escaped)."""
    aria = f' aria-describedby="err-{name}"' + (' aria-invalid="true"' if bad else "")
    if name == "flags":
        ticked = {x.strip() for x in value.split(";")}
        return "".join(f'<label class="box"><input type="checkbox" name="flags" value="{f}" id="f-flags-{f}"'
                       f'{" checked" if f in ticked else ""}> {esc(label(f)[0])} <span class="en">'
                       f'{esc(label(f)[1])}</span></label>' for f in FLAGS)
    if is_yes_no(name):
        zh, en = label(name)
        return (f'<label class="box"><input type="checkbox" name="{name}" value="yes" id="f-{name}"{aria}'
                f'{" checked" if value.lower() in YES else ""}> {esc(zh)} <span class="en">{esc(en)}</span></label>')
    if name in OPTIONS or name == "province":
        options = list(OPTIONS[name]) if name in OPTIONS else _province_options()
        chosen = (_selected_province(value) if name == "province" else
                  (value.upper() if name == "sex" else value) or options[0][0])
        if chosen not in [v for v, _ in options]:
            options.append((chosen, chosen))            # keep what was typed in a URL, beside its message
        opts = "".join(f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(text)}</option>'
                       for v, text in options)
        return f'<select name="{name}" id="f-{name}"{aria}>{opts}</select>'
    placeholder = f' placeholder="{esc(PLACEHOLDERS[name])}"' if name in PLACEHOLDERS else ""
    return f'<input type="text" name="{name}" id="f-{name}" value="{esc(value)}"{placeholder}{aria}>'


def _hint(name: str, scen: Scenario, province: str | None) -> str:
    if name == "tier":
        return tier_hint(scen, province)
    if is_yes_no(name) or name in OPTIONS or name in ("flags", "province"):
        return ""
    en = HINTS_EN.get(name) or FIELDS.get(name, "")
    return " · ".join(x for x in (HINTS_ZH.get(name, ""), en) if x)


def _row(name: str, value: str, msgs: list, hint: str) -> str:
    """One field: its bilingual label, its input, the hint, and its messages right below it."""
    err = (f'<div class="err" id="err-{name}" role="alert">{"<br>".join(esc(m) for m in msgs)}</div>'
           if msgs else "")
    kind = " check" if is_yes_no(name) else " wide" if name in ("tier", "flags") else ""
    if is_yes_no(name):                                  # the box carries the label
        more = FIELDS.get(name, "").removeprefix("yes or no").lstrip(": ")      # what FIELDS says beyond
        return (f'<div class="f{kind}" id="row-{name}">{_widget(name, value, bool(msgs))}'
                + (f'<div class="hint">{esc(more)}</div>' if more else "") + f"{err}</div>")
    zh, en = label(name)
    target = f"f-{name}" if name != "flags" else f"f-flags-{FLAGS[0]}"
    return (f'<div class="f{kind}{" bad" if msgs else ""}" id="row-{name}">'
            f'<label class="name" for="{target}">{esc(zh)}<br><span class="en">{esc(en)}</span></label>'
            f'<div class="in">{_widget(name, value, bool(msgs))}'
            + (f'<div class="hint">{esc(hint)}</div>' if hint else "") + f"</div>{err}</div>")


def form_html(fields: dict, errors: dict, scen: Scenario, *, fresh: bool = False) -> str:
    """The form, filled with ``fields`` (every value escaped), each message beside its field and
    those naming no field at the top. ``fresh``: nothing submitted yet (what-if ticked by default)."""
    if fresh:
        fields = {"what_if": "yes", **fields}
    province = _selected_province(fields.get("province", ""))
    province = province if province in _table().index else None

    def rows(names) -> str:
        return "".join(_row(n, fields.get(n, ""), errors.get(n, []), _hint(n, scen, province)) for n in names)
    more = [n for n in form_names() if n not in MAIN and n not in PAGE_FIELDS]
    used = any(fields.get(n, "").lower() not in NO or errors.get(n) for n in more)
    top = "".join(f'<div class="err" role="alert">{esc(m)}</div>' for m in errors.get("", []))
    return (f'<form method="get" action="/statement" id="calc">'
            f'<div class="head"><b>城乡居民养老保险算账 · Residents\' pension calculator</b>'
            f'<span class="rules">办法 Rules: {esc(scen.title)}</span></div>'
            + (f'<div class="top" id="err-top">{top}</div>' if top else "")
            + rows(MAIN)
            + f'<details id="more"{" open" if used else ""}><summary>更多选项 More options</summary>'
              f'<div class="grid">{rows(more)}</div></details>'
            + rows(PAGE_FIELDS)
            + '<div class="buttons"><button type="submit" id="submit">算账 Compute</button>'
              '<a href="/">清空 Clear</a></div></form>')


def result_html(il) -> str:
    """The headline above the statement (screen only): the monthly pension [yuan/month] and a print button."""
    s = il.summary
    total = s.get("monthly_total")
    value = "—" if total is None else f"{total:,.2f}"
    if s.get("eligible"):
        words = (f'每月养老金合计 Monthly pension in all: <b id="monthly_total" data-value="{total}">{value}</b>'
                 f' 元 yuan · 开始领取 from {esc(str(s.get("first_payment") or "—"))}')
    else:
        words = (f'不能领取养老金 Not entitled to a pension '
                 f'<span id="monthly_total" data-value="{"" if total is None else total}">{value}</span>')
    return (f'<div class="result"><span>{words}</span>'
            f'<button type="button" id="print">打印 Print</button></div>')


PRINT_SCRIPT = "document.getElementById('print').addEventListener('click', function () { window.print(); });"
# The page runs only this script: the Content-Security-Policy names it by its hash, so anything
# injected into the page (were escaping ever missed) would not run.
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode()).digest()).decode()
CSP = (f"default-src 'none'; style-src 'unsafe-inline'; script-src '{SCRIPT_HASH}'; img-src data:; "
       f"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

WEB_CSS = """
.web { font-size: 9.5pt; margin: 0 0 5mm; }
.web form, .web .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5mm 5mm; }
.web form { padding: 3mm 4mm; background: #f7fafc; border: 1px solid #cbd5e0; border-radius: 2mm; }
.web .head, .web .top, .web .buttons, .web .wide, .web details { grid-column: 1 / -1; }
.web .head { font-size: 12pt; border-bottom: 1px solid #cbd5e0; padding-bottom: 1.5mm; }
.web .rules { display: block; font-size: 8pt; color: #4a5568; margin-top: 0.5mm; }
.web .f { display: grid; grid-template-columns: 30mm 1fr; align-items: start; column-gap: 2mm; }
.web .f.check { display: block; padding-top: 1mm; }
.web .name { font-weight: bold; line-height: 1.2; } .web .en { font-weight: normal; color: #4a5568; }
.web .name .en { font-size: 8pt; }
.web input[type=text], .web select { width: 100%; box-sizing: border-box; font: inherit; padding: 0.6mm 1mm;
                                      border: 1px solid #a0aec0; border-radius: 1mm; background: white; }
.web .box { display: inline-block; margin: 0.5mm 5mm 0.5mm 0; white-space: nowrap; }
.web .hint { color: #718096; font-size: 7.5pt; line-height: 1.25; margin-top: 0.3mm; }
.web .err { grid-column: 1 / -1; color: #c53030; font-weight: bold; font-size: 8.5pt; margin-top: 0.5mm; }
.web .bad input[type=text], .web .bad select { border: 2px solid #c53030; background: #fff5f5; }
.web .top { background: #fff5f5; border-left: 3px solid #c53030; padding: 1mm 2mm; }
.web details { border-top: 1px dashed #cbd5e0; padding-top: 1mm; }
.web summary { cursor: pointer; color: #2b6cb0; font-weight: bold; margin-bottom: 1mm; }
.web .buttons { display: flex; gap: 6mm; align-items: center; border-top: 1px solid #cbd5e0; padding-top: 2mm; }
.web button { font: inherit; font-weight: bold; padding: 1mm 6mm; border-radius: 1mm; cursor: pointer;
              background: #2b6cb0; color: white; border: 0; }
.web .result { display: flex; justify-content: space-between; align-items: center; margin-top: 3mm;
               padding: 2mm 3mm; background: #ebf8ff; border-left: 3px solid #2b6cb0; font-size: 11pt; }
.web .result b { font-size: 14pt; color: #2b6cb0; }
@media print { .web { display: none !important; } }
"""


def page_html(form: str, statement: str | None = None, result: str = "") -> str:
    """The whole page: the form (and headline) above the statement; printed, the statement alone.

    The statement is ``statement_html``'s own document, its style kept, with the form put at the
    top of its body; without one, a page of the same style holding the form alone.
    """
    web = f'<div class="web">{form}{result}</div>'
    if statement is None:
        statement = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
                     f'<title>算账 · Residents\' pension calculator</title><style>{CSS}</style></head><body>'
                     f'</body></html>')
    head_end = statement.index("</head>")
    body_start = statement.index(">", statement.index("<body", head_end)) + 1
    body_end = statement.rindex("</body>")
    script = f"<script>{PRINT_SCRIPT}</script>" if result else ""       # the print button's
    return (statement[:head_end] + '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{WEB_CSS}</style>" + statement[head_end:body_start] + web
            + statement[body_start:body_end] + script + statement[body_end:])


# --------------------------------------------------------------------------- the server
CHART_LOCK = threading.Lock()      # matplotlib's pyplot (the statement's chart) is not thread-safe
INTERNAL = ("内部错误,未能算账;详情已记入服务器日志。Internal error: the statement could not be made; "
            "the details are in the server's log.")


def statement_page(scen: Scenario, query: str) -> tuple[int, str]:
    """(HTTP status, page) for ``/statement?query``: 200 and the statement, or 400 and the form
    with each mistake beside its field."""
    fields = fields_of_query(query)
    r = resident_of(fields)
    if r.errors:
        return HTTPStatus.BAD_REQUEST, page_html(form_html(fields, r.errors, scen))
    try:
        il = illustration_of(scen, r, r.with_what_if)
    except (MemberInputError, ScenarioError) as exc:      # checks against the scenario's rules
        return HTTPStatus.BAD_REQUEST, page_html(form_html(fields, {field_of_error(str(exc)): [str(exc)]}, scen))
    with CHART_LOCK:
        statement = statement_html(il, r.lang)
    return HTTPStatus.OK, page_html(form_html(fields, {}, scen), statement, result_html(il))


def json_response(scen: Scenario, query: str) -> tuple[int, str]:
    """(HTTP status, JSON) for ``/json?query``: the illustration, or 400 and ``{"errors": {field: [..]}}``."""
    r = resident_of(fields_of_query(query))
    errors = r.errors
    if not errors:
        try:
            return HTTPStatus.OK, json_text(scen, r)
        except (MemberInputError, ScenarioError) as exc:  # checks against the scenario's rules
            errors = {field_of_error(str(exc)): [str(exc)]}
    return HTTPStatus.BAD_REQUEST, json.dumps({"errors": errors}, ensure_ascii=False, indent=1)


class Handler(BaseHTTPRequestHandler):
    """Routes ``/``, ``/statement`` and ``/json``; every other path is 404."""
    server_version = "urrbpi-member/1"

    def do_GET(self) -> None:                                      # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        scen = self.server.scenario
        try:
            if url.path == "/":
                self._send(HTTPStatus.OK, page_html(form_html(fields_of_query(url.query), {}, scen, fresh=True)))
            elif url.path == "/statement":
                self._send(*statement_page(scen, url.query))
            elif url.path == "/json":
                self._send(*json_response(scen, url.query), kind="application/json")
            else:
                self._send(HTTPStatus.NOT_FOUND, "not found / 未找到\n", kind="text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass                                                   # the browser went away
        except Exception:                                          # a model error: log it, never show it
            print(f"error: internal error on GET {url.path} (query not logged):", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            try:
                if url.path == "/json":
                    self._send(HTTPStatus.INTERNAL_SERVER_ERROR, json.dumps({"error": INTERNAL}, ensure_ascii=False),
                               kind="application/json")
                else:
                    fields = fields_of_query(url.query)
                    self._send(HTTPStatus.INTERNAL_SERVER_ERROR, page_html(form_html(fields, {"": [INTERNAL]}, scen)))
            except Exception:                                      # noqa: BLE001 (the reply itself failed)
                pass

    def _send(self, status: int, body: str, kind: str = "text/html") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")       # the query holds a resident's birth date
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-") -> None:
        # The path without its query: a resident's birth and circumstances stay out of the log.
        code = getattr(code, "value", code)
        print(f"{self.address_string()} {self.command} {urlsplit(self.path).path} {code}", file=sys.stderr)

    def log_message(self, format: str, *args) -> None:            # noqa: A002 (http.server's name)
        # http.server's own complaints (a malformed request) may quote the request line: no query either.
        print(f"{self.address_string()} " + re.sub(r"\?[^\s'\"]*", "?…", format % args), file=sys.stderr)


class Server(ThreadingHTTPServer):
    """A thread a request; holds the (frozen) scenario every request illustrates under."""
    daemon_threads = True

    def __init__(self, address, scenario: Scenario):
        self.scenario = scenario
        super().__init__(address, Handler)


def make_server(scen: Scenario, host: str = "127.0.0.1", port: int = 8765) -> Server:
    """A server listening on ``host:port`` (port 0: any free one); OSError if it cannot listen."""
    cls = type("Server6", (Server,), {"address_family": socket.AF_INET6}) if ":" in host else Server
    return cls((host, port), scen)


def url_of(server: Server) -> str:
    """The address to open in a browser."""
    host, port = server.server_address[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
