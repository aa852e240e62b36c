"""The resident's statement: a readable table in the terminal and a one-page HTML/PDF.

Chinese by default (``lang="en"`` for English). The chart is an inline SVG
whose text stays text (``svg.fonttype = none``), so the reader's browser
draws the Chinese labels with its own fonts; no CJK font is needed here.
No model logic: every number comes from :func:`model.member.calculator.illustrate`.
"""
from __future__ import annotations

import html
import io
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import pandas as pd

L = {
    "title": ("城乡居民养老保险个人算账单", "Residents' pension: personal statement"),
    "scenario": ("适用办法", "Rules"),
    "inputs": ("参保人情况", "The resident"),
    "birth": ("出生年月", "Born"),
    "sex": ("性别", "Sex"),
    "male": ("男", "male"), "female": ("女", "female"),
    "area": ("户籍", "Hukou"), "rural": ("农村", "rural"), "urban": ("城镇", "urban"),
    "enrol": ("参保年份", "Enrolled"),
    "tier": ("缴费档次(元/年)", "Tier (yuan/year)"),
    "flags": ("特殊情况", "Special status"),
    "severely_disabled": ("重度残疾", "severely disabled"), "dibao": ("低保", "minimum living allowance"),
    "village_cadre": ("村干部", "village cadre"), "one_child_parent": ("独生子女父母", "one-child parent"),
    "none": ("无", "none"),
    "key": ("主要结果", "Key figures"),
    "eligible": ("能否领取养老金", "Entitled to a pension"),
    "yes": ("能", "yes"), "no": ("不能", "no"),
    "years_paid": ("缴费年限(年)", "Years paid"),
    "personal_paid_total": ("个人缴费合计(元)", "Paid by the resident (yuan)"),
    "government_subsidy_total": ("政府补贴合计(元)", "Government subsidies (yuan)"),
    "balance_at_60": ("60岁时个人账户储存额(元)", "Account at 60 (yuan)"),
    "balance_at_start": ("开始领取时个人账户储存额(元)", "Account when the pension starts (yuan)"),
    "years_paid_on": ("60岁后延长缴费(年)", "Years paid on after 60"),
    "first_payment": ("开始领取月份", "First pension month"),
    "monthly_basic_pension": ("基础养老金(元/月)", "Basic pension (yuan/month)"),
    "monthly_account_pension": ("个人账户养老金(元/月)", "Account pension (yuan/month)"),
    "monthly_topups": ("加发(元/月)", "Top-ups (yuan/month)"),
    "monthly_total": ("每月养老金合计(元)", "Monthly pension in all (yuan)"),
    "monthly_total_at_70": ("70岁时每月养老金(元)", "Monthly pension at 70 (yuan)"),
    "account_exhausted": ("个人账户用完月份", "Account runs out"),
    "break_even_age": ("领回个人缴费的年龄", "Age when pension received equals own payments"),
    "irr": ("个人缴费内部收益率", "Internal rate of return on own payments"),
    "lump_sum_price": ("趸缴金额(元)", "Lump-sum price (yuan)"),
    "refund_on_leaving": ("退还个人账户(元)", "Refund on leaving (yuan)"),
    "account_kept": ("保留的个人账户(元)", "Account kept, sealed (yuan)"),
    "chart": ("个人账户余额与每月养老金", "Account balance and monthly pension by age"),
    "age": ("年龄", "age"),
    "balance": ("账户余额(元)", "account balance (yuan)"),
    "pension": ("每月养老金(元)", "monthly pension (yuan)"),
    "heirs": ("身故时继承人可得(不含政府补贴部分)", "Heirs receive on death (not the government part)"),
    "heirs_age": ("身故年龄", "Age at death"), "heirs_yuan": ("账户余额(元)", "Account (yuan)"),
    "death_grant": ("丧葬补助/死亡补助金(元)", "Death grant (yuan)"),
    "plain": ("说明", "In plain words"),
    "footer": ("本算账单由开源城乡居民养老保险模型按所选办法测算,仅供参考;实际待遇以经办机构核定为准。",
               "Computed by the open URRBPI model under the rules named above; for information only. "
               "The pension office's own calculation prevails."),
    "never": ("未用完", "not within the illustration"),
    "what_if": ("多缴多得、长缴多得:按档次和缴费年限,60岁时每月养老金(元)(括号内为领回个人缴费的年龄)",
                "Paying more, paying longer: the monthly pension at 60 (yuan) by tier and years paid "
                "(in brackets, the age when it has paid back the resident's own payments)"),
    "what_if_years": ("缴费{n}年", "{n} years"),
}


def t(key: str, lang: str) -> str:
    return L[key][0 if lang == "zh" else 1]


def _fmt(v, nd=2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return str(v)


def key_rows(il, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the key figures in the chosen language."""
    s = il.summary
    rows = [(t("eligible", lang), t("yes" if s["eligible"] else "no", lang))]
    keys = ["years_paid", "personal_paid_total", "government_subsidy_total", "balance_at_60"]
    if s["eligible"]:
        keys += ["first_payment", "monthly_basic_pension", "monthly_account_pension", "monthly_topups",
                 "monthly_total", "monthly_total_at_70", "account_exhausted", "break_even_age", "irr"]
    else:
        keys += [k for k in ("refund_on_leaving", "account_kept") if k in s]
    if s.get("lump_sum_price") is not None:
        keys.insert(1, "lump_sum_price")
    if s.get("years_paid_on"):           # 延缴: the balance is the one when payment starts, after it
        keys[keys.index("balance_at_60")] = "balance_at_start"
        keys.insert(1, "years_paid_on")
    for k in keys:
        v = s.get("balance_at_pension_start" if k == "balance_at_start" else k)
        if k == "irr" and v is not None:
            v = f"{v * 100:.1f}%"
        elif k in ("break_even_age", "years_paid", "years_paid_on") and v is not None:
            v = str(v)
        elif k == "account_exhausted" and v is None:
            v = t("never", lang)
        rows.append((t(k, lang), _fmt(v)))
    return rows


def plain_words(il, lang: str) -> str:
    """Two or three sentences a resident can read, from the illustration's numbers."""
    s = il.summary
    if not s["eligible"]:
        return (s.get("eligibility_reason") if lang == "en" else s.get("eligibility_reason_zh")) or ""
    if lang == "zh":
        txt = _pay_on_words(il, lang)
        txt += (f"您个人共缴费{s['personal_paid_total']:,.0f}元,政府补贴{s['government_subsidy_total']:,.0f}元。"
               f"从{s['first_payment']}起每月可领约{s['monthly_total']:,.2f}元,其中基础养老金"
               f"{s['monthly_basic_pension']:,.2f}元由政府支付,个人账户养老金{s['monthly_account_pension']:,.2f}元。")
        if s.get("break_even_age"):
            txt += f"约到{s['break_even_age']}岁,领取的养老金就超过个人缴费。"
        txt += "养老金支付终身,个人账户用完后照常发放。"
        return txt
    txt = _pay_on_words(il, lang)
    txt += (f"You pay {s['personal_paid_total']:,.0f} yuan in all and the government adds "
           f"{s['government_subsidy_total']:,.0f}. From {s['first_payment']} you receive about "
           f"{s['monthly_total']:,.2f} yuan a month: {s['monthly_basic_pension']:,.2f} basic pension paid by "
           f"government and {s['monthly_account_pension']:,.2f} from your account.")
    if s.get("break_even_age"):
        txt += f" By about age {s['break_even_age']} the pension received exceeds what you paid."
    txt += " The pension is paid for life, also after the account is empty."
    return txt


def _pay_on_words(il, lang: str) -> str:
    """The sentence on paying on after 60 (延缴), or nothing: which years, at which ages, then from when."""
    k = il.summary.get("years_paid_on") or 0
    if not k:
        return ""
    y60 = il.member.birth_year + 60
    first, last = y60 + 1, y60 + k
    span_zh = f"{first}年" if k == 1 else f"{first}—{last}年"
    ages_zh = "61岁" if k == 1 else f"61—{60 + k}岁"
    if lang == "zh":
        return (f"60岁时缴费年限不足,延长缴费{k}年({span_zh},{ages_zh}),缴满后从{il.summary['first_payment']}"
                f"起领取养老金。")
    span = str(first) if k == 1 else f"{first}-{last}"
    ages = "61" if k == 1 else f"61-{60 + k}"
    return (f"Short of the years required at 60, you pay on for {k} more year{'s' if k > 1 else ''} "
            f"({span}, age{'s' if k > 1 else ''} {ages}), then draw the pension from {il.summary['first_payment']}. ")


def text_summary(il, lang: str = "zh") -> str:
    """A readable table for the terminal: key figures, then the yearly schedule."""
    lines = [f"{t('title', lang)} — {il.scenario_title}", ""]
    width = max(len(a) for a, _ in key_rows(il, lang))
    lines += [f"  {a:<{width}}  {b}" for a, b in key_rows(il, lang)]
    lines += ["", plain_words(il, lang), ""]
    cols = ["year", "age", "tier_yuan", "personal_yuan", "catch_up_yuan", "subsidy_central_yuan",
            "subsidy_province_yuan", "subsidy_prefecture_yuan", "subsidy_county_yuan", "collective_yuan",
            "interest_yuan", "balance_personal_yuan", "balance_government_yuan", "balance_collective_yuan",
            "balance_yuan", "basic_pension_yuan", "account_pension_yuan", "longevity_gap_yuan", "topups_yuan"]
    sched = il.schedule[cols].copy()
    sched[["year", "age"]] = sched[["year", "age"]].astype(int)
    lines.append(sched.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    lines += [f"note: {n}" for n in il.notes]
    return "\n".join(lines)


def chart_svg(il, lang: str) -> str:
    """Inline SVG: year-end account balance and monthly pension by age."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sch = il.schedule
    months = sch["pension_months"].where(sch["pension_months"] > 0)
    monthly = (sch["basic_pension_yuan"] + sch["account_pension_yuan"] + sch["longevity_gap_yuan"]
               + sch["topups_yuan"]) / months
    with plt.rc_context({"svg.fonttype": "none", "font.size": 9}), warnings.catch_warnings():
        warnings.simplefilter("ignore")              # glyph metrics: the browser draws the text
        fig, ax = plt.subplots(figsize=(7.0, 2.3))
        ax.fill_between(sch["age"], sch["balance_yuan"], step="post", alpha=0.3, color="#2b6cb0",
                        label=t("balance", lang))
        ax.set_xlabel(t("age", lang))
        ax.set_ylabel(t("balance", lang))
        ax2 = ax.twinx()
        ax2.plot(sch["age"], monthly, color="#c53030", lw=2, label=t("pension", lang))
        ax2.set_ylabel(t("pension", lang))
        ax2.set_ylim(bottom=0)
        ax.set_ylim(bottom=0)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", frameon=False)
        fig.subplots_adjust(left=0.1, right=0.9, bottom=0.2, top=0.96)   # fixed: tight_layout took 1/3 of the time
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei",
       "PingFang SC", "SimHei", sans-serif; font-size: 9.5pt; color: #1a202c; max-width: 186mm; margin: auto; }
h1 { font-size: 15pt; margin: 0 0 1mm; } h2 { font-size: 10.5pt; margin: 2.5mm 0 1mm; border-bottom: 1px solid #cbd5e0; }
table { border-collapse: collapse; width: 100%; } td, th { padding: 0.5mm 2mm; border-bottom: 1px solid #edf2f7; }
.plain { margin: 1mm 0; } svg { max-height: 62mm; } .short svg { max-height: 44mm; }
td.v { text-align: right; font-variant-numeric: tabular-nums; } .cols { display: flex; gap: 6mm; }
.cols > div { flex: 1; } .plain { background: #f7fafc; padding: 2mm 3mm; border-left: 3px solid #2b6cb0; }
.foot { color: #718096; font-size: 8.5pt; margin-top: 3mm; } svg { width: 100%; height: auto; }
.whatif td, .whatif th { font-size: 7.5pt; padding: 0.2mm 1.2mm; text-align: right; line-height: 1.15; }
.whatif small { color: #718096; }
"""


def statement_html(il, lang: str = "zh") -> str:
    """The one-page printable statement as a self-contained HTML document."""
    m, s = il.member, il.summary
    e = html.escape
    flags = [t(f, lang) for f in sorted(m.flags)] + ([t("one_child_parent", lang)] if m.one_child_parent else [])
    tier = (m.tier if not isinstance(m.tier, dict)
            else ", ".join(f"{y}: {v:g}" for y, v in sorted(m.tier.items())))
    inputs = [(t("birth", lang), f"{m.birth_year}-{m.birth_month:02d}"), (t("sex", lang), t(m.sex, lang)),
              (t("area", lang), t(m.area, lang)), (t("enrol", lang), (str(m.enrol_year) if m.enrol_month is None else f"{m.enrol_year}-{m.enrol_month:02d}")),
              (t("tier", lang), _fmt(tier, 0) if not isinstance(tier, str) else tier),
              (t("flags", lang), ("、" if lang == "zh" else ", ").join(flags) if flags else t("none", lang))]
    if s.get("lump_sum_price") is not None:
        inputs.append((t("lump_sum_price", lang), _fmt(s["lump_sum_price"])))

    def table(rows):
        return "<table>" + "".join(f"<tr><td>{e(a)}</td><td class='v'>{e(str(b))}</td></tr>"
                                   for a, b in rows) + "</table>"
    heirs = il.heirs
    if len(heirs):
        ages = sorted({a for a in (50, 60, 70, 80) if a in set(heirs.age)}
                      | ({m.death_age} if m.death_age in set(heirs.age) else set()))
        pick = heirs[heirs.age.isin(ages)]
        # one column an age of death (three short rows, so the page holds the what-if table too)
        heirs_rows = (f"<tr><th>{e(t('heirs_age', lang))}</th>"
                      + "".join(f"<th class='v'>{int(r.age)}</th>" for r in pick.itertuples()) + "</tr>"
                      + f"<tr><td>{e(t('heirs_yuan', lang))}</td>"
                      + "".join(f"<td class='v'>{_fmt(r.heirs_yuan)}</td>" for r in pick.itertuples()) + "</tr>"
                      + f"<tr><td>{e(t('death_grant', lang))}</td>"
                      + "".join(f"<td class='v'>{_fmt(r.death_grant_yuan)}</td>" for r in pick.itertuples()) + "</tr>")
    else:
        heirs_rows = ""
    short = " class='short'" if il.what_if is not None and len(il.what_if) else ""   # the chart gives way
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="generator" content="{GENERATOR}">
<title>{e(t('title', lang))}</title><style>{CSS}</style></head><body{short}>
<h1>{e(t('title', lang))}</h1>
<div>{e(t('scenario', lang))}: {e(il.scenario_title)}</div>
<div class="cols"><div><h2>{e(t('inputs', lang))}</h2>{table(inputs)}</div>
<div><h2>{e(t('key', lang))}</h2>{table(key_rows(il, lang))}</div></div>
<h2>{e(t('plain', lang))}</h2><p class="plain">{e(plain_words(il, lang))}</p>
<h2>{e(t('chart', lang))}</h2>{chart_svg(il, lang)}
<h2>{e(t('heirs', lang))}</h2>
<table>{heirs_rows}</table>
{what_if_html(il, lang)}
<p class="foot">{"".join(e(zh if lang == "zh" else en) + "<br>" for zh, en in il.sources)}{e(t('footer', lang))}<br>{e(_irr_note(il, lang))}</p>
</body></html>"""


def what_if_html(il, lang: str) -> str:
    """The what-if table (``calculator.what_if``): a row a tier, a column a number of years paid,
    each cell the monthly pension at 60 and, in brackets, the age it has paid back own payments;
    the resident's own tier in bold. Empty when there is none."""
    w = il.what_if
    if w is None or not len(w):
        return ""
    e = html.escape
    years = sorted(w.years_paid.unique())
    own = il.member.tier if not isinstance(il.member.tier, dict) else None
    head = "".join(f"<th>{e(t('what_if_years', lang).format(n=n))}</th>" for n in years)
    body = []
    for tier, grp in w.groupby("tier_yuan"):
        by = grp.set_index("years_paid")
        cells = []
        for n in years:
            if n not in by.index:
                cells.append("<td class='v'>—</td>")
                continue
            r = by.loc[n]
            age = "" if pd.isna(r.break_even_age) else f" <small>({r.break_even_age:.1f})</small>"
            cells.append(f"<td class='v'>{_fmt(r.monthly_total_yuan)}{age}</td>")
        mark = " style='font-weight:bold'" if own is not None and float(own) == float(tier) else ""
        body.append(f"<tr{mark}><td>{_fmt(tier, 0)}</td>{''.join(cells)}</tr>")
    return (f"<h2>{e(t('what_if', lang))}</h2><table class='whatif'><tr><th>{e(t('tier', lang))}</th>{head}</tr>"
            + "".join(body) + "</table>")


def _irr_note(il, lang: str) -> str:
    """The survival assumption behind the internal rate of return, in the chosen language."""
    if lang == "en":
        return "Internal rate of return: " + (il.summary.get("irr_assumption") or "")
    m = il.member
    table = il.summary.get("irr_assumption", "").split(" death rates")[0].rsplit(" ", 1)[-1]
    return (f"内部收益率:按所选办法的死亡率表({table})计算{m.birth_year}年出生{t(m.sex, 'zh')}性"
            f"自参保年份起的生存概率,身故按年中计,含退还继承人的账户余额和死亡补助。")


def find_chromium() -> str | None:
    """Path of a headless-capable Chromium, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_run(html_path: Path, flag: str, out: Path | None, size: str | None = None, *,
                 extra: tuple[str, ...] = (), timeout: float = 60) -> subprocess.CompletedProcess:
    """The finished headless-Chromium process run on a local HTML file (--screenshot or --print-to-pdf).

    ``out`` is the file ``flag`` writes; ``None`` gives a flag without a value (``--dump-dom``,
    whose output is the process's ``stdout``). ``extra`` flags go before the page's address
    (``model.report.pdf`` adds ``--force-device-scale-factor=2`` for sharper screenshots).
    Raises ``subprocess.CalledProcessError`` or ``TimeoutExpired`` when Chromium fails.
    """
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as prof:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={prof}",
               flag if out is None else f"{flag}={out.resolve()}"]
        if size:
            cmd.append(f"--window-size={size}")
        if flag == "--print-to-pdf":
            cmd.append("--no-pdf-header-footer")
        cmd += list(extra)
        cmd.append(html_path.resolve().as_uri())
        return subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)


GENERATOR = "urrbpi-model member statement"


def _is_our_statement(path: Path) -> bool:
    """Whether ``path`` is a statement this program wrote (its generator mark), so it may be replaced."""
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return False
    return f'content="{GENERATOR}"'.encode() in head


def _is_chromium_pdf(path: Path) -> bool:
    """Whether ``path`` is a PDF printed by Chromium (Skia), as the statement's PDF is."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return data.startswith(b"%PDF") and b"Skia/PDF" in data


class StatementPathError(ValueError):
    """A --statement path that would overwrite a file this program did not write."""


def statement_targets(path, pdf: bool = False, force: bool = False) -> list[Path]:
    """The files a statement writes (FILE.html, FILE.pdf), checked: never another program's file.

    An existing FILE.html is replaced only if it is an earlier statement (its generator
    mark); FILE.pdf only if that statement's PDF (printed by Chromium) — unless ``force``.
    """
    if not str(path).strip():
        raise StatementPathError("--statement '': give a file name ending in .html")
    path = Path(path)
    targets = [path] + ([path.with_suffix(".pdf")] if pdf else [])
    if path.suffix.lower() not in (".html", ".htm"):
        raise StatementPathError(f"--statement {path}: give a file name ending in .html")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise StatementPathError(f"--statement {path}: {parent} is a file, not a folder")
            break
    for t in targets:
        if t.is_dir():
            raise StatementPathError(f"--statement {path}: {t} is a folder; give a file name")
    if not force:
        ours = _is_our_statement(path) if path.exists() else True
        if path.exists() and not ours:
            raise StatementPathError(f"--statement {path}: the file exists and is not a statement "
                                     f"written by this program; choose another name or add --force")
        pdf_path = path.with_suffix(".pdf")
        if pdf and pdf_path.exists() and not (ours and _is_chromium_pdf(pdf_path)):
            raise StatementPathError(f"--statement {path}: {pdf_path} exists and is not this statement's "
                                     f"PDF; choose another name or add --force")
    return targets


def _write_atomic(path: Path, write) -> None:
    """Call ``write(tmp)`` for a temporary file beside ``path``, then move it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_statement(il, path, lang: str = "zh", pdf: bool = False, force: bool = False) -> list[Path]:
    """Write the HTML statement (and a PDF beside it when asked and Chromium exists).

    Each file is written beside its place and moved in when complete; an existing file
    that is not an earlier statement is never replaced without ``force``.
    """
    path = Path(path)
    statement_targets(path, pdf, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = statement_html(il, lang)
    _write_atomic(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    written = [path]
    if pdf:
        if find_chromium() is None:
            import sys
            print("warning: no PDF: Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        else:
            out = path.with_suffix(".pdf")
            _write_atomic(out, lambda tmp: chromium_run(path, "--print-to-pdf", tmp))
            written.append(out)
    return written
