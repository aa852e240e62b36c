"""Report tables: labelled columns with units, and Excel workbooks with formats.

Column headers carry the unit, e.g. ``县级财政支出(元)`` / ``county cost (yuan)``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..results import VARIABLES

UNIT_LABEL = {"yuan": ("元", "yuan"), "persons": ("人", "persons"), "year": ("", ""),
              "share": ("", "share"), "yuan_per_member": ("元/人", "yuan/member"),
              "yuan_per_month": ("元/月", "yuan/month"), "years": ("年", "years"), "ratio": ("", ""),
              "person_months": ("人月", "person-months"), "yuan_per_year": ("元/年", "yuan/year"),
              "flag": ("", "")}

EXTRA = {   # report-only columns: (unit, 中文, English)
    "scenario": ("", "方案", "scenario"),
    "variant": ("", "测算方案", "variant"),
    "level": ("", "财政层级", "level of government"),
    "cost_per_member": ("yuan_per_member", "人均财政支出", "government cost per member"),
    "county_cost_per_member": ("yuan_per_member", "县级人均支出", "county cost per member"),
    "avg_pension_at_60": ("yuan_per_month", "60岁平均月养老金", "average monthly pension at 60"),
    "avg_account_pension_at_60": ("yuan_per_month", "60岁平均个人账户养老金", "average account pension at 60"),
    "avg_basic_pension_at_60": ("yuan_per_month", "60岁基础养老金", "basic pension at 60"),
    "account_to_basic": ("share", "个人账户养老金与基础养老金之比", "account pension / basic pension"),
    "basic_pension_share_of_fiscal_base": ("share", "基础养老金占财政收入比重", "basic pension / fiscal base"),
    "fiscal_base": ("yuan", "财政收入基数", "fiscal base"),
    "change": ("share", "变化幅度", "change"),
    "low": ("yuan", "低", "low"), "high": ("yuan", "高", "high"),
    "parameter": ("", "参数", "parameter"),
    "province": ("", "省份", "province"),
    "county": ("", "县(市、区)", "county"),
    "basic_pension_monthly": ("yuan_per_month", "平均基础养老金", "average basic pension"),
    "registered": ("persons", "户籍人口(2020)", "registered people (2020)"),
    "employee_ratio": ("ratio", "职工养老保险覆盖率与全国之比", "employees' scheme coverage / national"),
    "top_up_ratio": ("ratio", "地方加发基础养老金与全国平均之比", "local top-up / national average"),
    "enrolment_factor": ("ratio", "参保系数(拟合)", "enrolment factor (fitted)"),
    "target_share_2024": ("share", "2024年参保人数占全国比重(统计年鉴)", "share of 2024 members (yearbook)"),
    "model_share_2024": ("share", "2024年参保人数占全国比重(模型)", "share of 2024 members (model)"),
    "own_tiers_yuan": ("", "本省缴费档次(元/年;低可信度)", "own tiers (yuan a year; low confidence)"),
    "years": ("", "年份区间", "years"),
    "measure": ("", "指标", "measure"),
    "reported": ("", "实际数", "reported"),
    "published": ("", "公布数", "published"),
    "model": ("", "模型测算", "model"),
    "fitted": ("", "参与拟合", "fitted"),
    "note": ("", "说明", "note"),
    "contribution_subsidy": ("yuan", "缴费补贴", "contribution subsidies"),
    "relative_error": ("share", "相对误差", "relative error"),
    "goal": ("share", "误差目标", "goal"),
    "meets_goal": ("", "是否达标", "meets goal"),
    "approximate": ("", "约数", "approximate"),
    "period": ("", "时期", "period"),
    "sex": ("", "性别", "sex"),
    "e0_published_years": ("years", "联合国公布的出生时预期寿命", "WPP's own e0"),
    "e0_single_age_years": ("years", "模型出生时预期寿命", "model e0"),
    "e0_abridged_years": ("years", "简略生命表出生时预期寿命", "abridged-table e0"),
    "e60_single_age_years": ("years", "模型60岁预期余寿", "model e60"),
    "e60_abridged_years": ("years", "简略生命表60岁预期余寿", "abridged-table e60"),
    "e60_given_published_e0_years": ("years", "联合国e0折算的60岁预期余寿", "e60 implied by WPP's e0"),
    "e0_gap_years": ("years", "e0之差(模型−联合国)", "e0 gap (model − WPP)"),
    "e60_gap_years": ("years", "e60之差(模型−折算值)", "e60 gap (model − implied)"),
}


# the policy questions' tables (issue 16): adequacy by year and its members' grid, liability, explain
POLICY = {
    "tier_yuan_pa": ("yuan_per_year", "缴费档次", "tier"),
    "years_paid": ("years", "缴费年限", "years paid"),
    "entry_age": ("years", "参保年龄", "entry age"),
    "birth_year": ("", "出生年份", "born"), "enrol_year": ("", "参保年份", "enrolled"),
    "last_paid_year": ("", "最后缴费年份", "last year paid"),
    "entitled": ("", "能否领取", "entitled"), "first_payment": ("", "开始领取月份", "first pension month"),
    "monthly_basic_yuan_pm": ("yuan_per_month", "基础养老金", "basic pension"),
    "monthly_account_yuan_pm": ("yuan_per_month", "个人账户养老金", "account pension"),
    "monthly_topups_yuan_pm": ("yuan_per_month", "加发", "top-ups"),
    "monthly_total_yuan_pm": ("yuan_per_month", "月养老金合计", "monthly pension"),
    "replacement_rate_rural_income": ("share", "替代率(占农村居民人均可支配收入)", "replacement rate (of rural income)"),
    "break_even_age_years": ("years", "领回个人缴费的年龄", "break-even age"),
    "irr_pa": ("share", "内部收益率", "internal rate of return"),
    "group": ("", "人群/分组", "group"), "column": ("", "指标", "measure"), "horizon": ("", "期限", "horizon"),
    "horizon_years": ("years", "期限(年)", "horizon (years)"), "first_year": ("", "起始年份", "first year"),
    "last_year": ("", "截止年份", "last year"), "years_counted": ("years", "计入年数", "years counted"),
    "truncated": ("", "因测算期截断", "cut by the projection's end"), "pv_yuan": ("yuan", "现值", "present value"),
    "label_zh": ("", "分组(中文)", "group (Chinese)"), "keys": ("", "参数", "keys"),
    "part": ("yuan", "逐项分解", "part (stepwise)"), "shapley_part": ("yuan", "Shapley分解", "part (Shapley)"),
}


# Short English headers for output columns whose description (results.VARIABLES) is a sentence;
# the others take the description up to its first colon, without bracketed references.
SHORT_EN = {
    "year": "year", "fund_taken_over": "fund taken over in the first year",
    "members": "members at year end", "pensioners": "pensioners at year end",
    "members_paying_after_60": "paying on after 60", "members_suspended": "members with a sealed account",
    "eligible": "people eligible to join", "population": "hukou population", "exits": "members leaving",
    "reached_60_without_pension": "reaching 60 short of years", "emigrants": "members emigrating",
    "contributions_personal": "members' own payments", "catch_up_contributions": "payments for made-up years",
    "lump_sum_purchases": "lump-sum purchases", "subsidy_contribution": "government money into accounts",
    "subsidy_paid_on_behalf": "premiums paid on behalf", "basic_pension_paid": "basic pension paid",
    "longevity_gap_paid": "longevity gap (paid after accounts are empty)",
    "longevity_gap_from_pool": "longevity gap borne by the pooled fund",
    "longevity_gap_from_government": "longevity gap borne by government", "topups_paid": "top-ups paid",
    "admin_costs_paid": "administration funding", "government_to_pool": "government money into the pooled fund",
    "pooled_fund_paid": "paid from the pooled fund", "subsidy_central": "central government's cost",
    "subsidy_province": "province's cost", "subsidy_prefecture": "prefecture's cost", "subsidy_county": "county's cost",
    "government_total_cost": "government cost, all levels", "average_monthly_pension": "average monthly pension",
    "new_pension_monthly_at_60": "first monthly pension at 60", "fiscal_base": "fiscal base",
    "fund_income": "fund income (Ministry's definition)", "fund_expenditure": "fund expenditure (Ministry's definition)",
    "fund_balance": "fund balance at year end (Ministry's definition)",
    "basic_pension_monthly_rate": "basic pension a month", "new_account_pension_monthly": "new account pensions a month",
    **{f"contribution_subsidy_{lv}": f"{name}: contribution subsidies" for lv, name in
       (("central", "central"), ("province", "province"), ("prefecture", "prefecture"), ("county", "county"))},
    **{f"basic_pension_{lv}": f"{name}: basic pension" for lv, name in
       (("central", "central"), ("province", "province"), ("prefecture", "prefecture"), ("county", "county"))},
}


def short_en(col: str, en: str) -> str:
    """A short English header: SHORT_EN, else the description up to its first colon without (…)."""
    if col in SHORT_EN:
        return SHORT_EN[col]
    text = re.sub(r"\s*\([^)]*\)", "", en.split(":")[0]).strip()
    return text or en


def meta(col: str) -> tuple[str, str, str]:
    """(unit, 中文, English) of a column; differences 'x_diff' take x's labels."""
    base = re.sub(r"_diff$", "", col)
    if col in VARIABLES:
        u, zh, en = VARIABLES[col]
        return u, zh, short_en(col, en)
    if col in EXTRA:
        return EXTRA[col]
    if col in POLICY:
        return POLICY[col]
    from model.tools.adequacy import VARIABLES as ADEQUACY
    if col in ADEQUACY:
        return ADEQUACY[col]
    if base != col:
        u, zh, en = meta(base)
        return u, zh + "差额", en + " difference"
    m = re.match(r"^(.+)_p(\d{1,2})$", col)            # a percentile over random paths
    if m and meta(m.group(1))[1] != m.group(1):
        u, zh, en = meta(m.group(1))
        q = int(m.group(2))
        nth = {1: "st", 2: "nd", 3: "rd"}.get(q % 10 if q not in (11, 12, 13) else 0, "th")
        return u, f"{zh}({'中位数' if q == 50 else f'{q}%分位'})", f"{en} ({'median' if q == 50 else f'{q}{nth} percentile'})"
    return "", col, col


def header(col: str, lang: str) -> str:
    """A column header with its unit in the chosen language."""
    unit, zh, en = meta(col)
    u = UNIT_LABEL.get(unit, ("", unit))[0 if lang == "zh" else 1]
    name = zh if lang == "zh" else en
    return f"{name}({u})" if (u and lang == "zh") else (f"{name} ({u})" if u else name)


def labelled(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The frame with headers in the chosen language and units."""
    return df.rename(columns={c: header(c, lang) for c in df.columns})


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame], lang: str, *,
                   contents: dict | None = None) -> Path:
    """The path of an Excel workbook: one sheet per table, labelled headers with units,
    frozen header row, number formats (#,##0.00 yuan, #,##0 persons, 0.00% shares).

    With ``contents`` = {"title", "scenario", "descriptions": {sheet: text},
    "manifest": {key: value}} the FIRST sheet, "说明" (zh) or "contents" (en), gives the
    report's title and scenario file, one row per other sheet (its name, what it holds:
    ``descriptions`` or else its first columns, and the distinct units of its columns
    from ``meta``), then the manifest's key/value rows. Without it, data sheets only.

    Text is always written as text, never as a formula: a scenario title or a variant
    name that starts with '=' stays a label (formula injection, OWASP).
    """
    path = Path(path)
    k = 0 if lang == "zh" else 1
    contents_name = ("说明", "contents")[k]
    names = {name: name[:31] for name in sheets}               # Excel's limit: 31 characters
    if contents is not None and contents_name in names.values():
        raise ValueError(f"a data sheet is named {contents_name!r}, the contents sheet's name")

    def units_of(df: pd.DataFrame) -> str:
        """The distinct units of ``df``'s columns in order, e.g. '元; 人; %' ('—' if none)."""
        seen = []
        for col in df.columns:
            unit = meta(col)[0]
            label = ("%", "share")[k] if unit == "share" else UNIT_LABEL.get(unit, ("", unit))[k]
            if label and label not in seen:
                seen.append(label)
        return "; ".join(seen) or "—"

    def fallback(df: pd.DataFrame) -> str:
        """What a sheet without a description holds: its first column names."""
        cols = [meta(c)[1 + k] for c in df.columns]
        more = len(cols) > 6
        if k == 0:
            return "列：" + "、".join(cols[:6]) + ("等" if more else "")
        return "columns: " + ", ".join(cols[:6]) + (", …" if more else "")

    with pd.ExcelWriter(path, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False}}) as xw:
        book = xw.book
        fmt = {"yuan": book.add_format({"num_format": "#,##0.00"}),
               "yuan_per_member": book.add_format({"num_format": "#,##0.00"}),
               "yuan_per_month": book.add_format({"num_format": "#,##0.00"}),
               "persons": book.add_format({"num_format": "#,##0"}),
               "share": book.add_format({"num_format": "0.00%"}),
               "years": book.add_format({"num_format": "0.00"}),
               "ratio": book.add_format({"num_format": "0.000"})}
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
        if contents is not None:              # created first, so it is the first sheet
            ws = book.add_worksheet(contents_name)
            wrap = book.add_format({"text_wrap": True, "valign": "top"})
            bold = book.add_format({"bold": True, "valign": "top"})
            ws.set_column(0, 0, 28, bold)
            ws.set_column(1, 1, 70, wrap)
            ws.set_column(2, 2, 24, wrap)
            # write_string throughout: text stays text, even '=…' or a URL
            ws.write_string(0, 0, str(contents["title"]), book.add_format({"bold": True, "font_size": 14}))
            ws.write_string(1, 0, ("方案文件", "scenario file")[k], bold)
            ws.write_string(1, 1, str(contents.get("scenario", "")), wrap)
            row = 3
            for j, label in enumerate((("工作表", "sheet"), ("内容", "what it holds"), ("单位", "units"))):
                ws.write_string(row, j, label[k], head)
            descriptions = contents.get("descriptions") or {}
            for name, df in sheets.items():
                row += 1
                text = descriptions.get(name) or descriptions.get(names[name]) or fallback(df)
                ws.write_string(row, 0, names[name], bold)
                ws.write_string(row, 1, str(text), wrap)
                ws.write_string(row, 2, units_of(df), wrap)
            manifest = contents.get("manifest") or {}
            if manifest:
                row += 2
                ws.write_string(row, 0, ("运行信息", "run information")[k], head)
                ws.write_string(row, 1, ("值", "value")[k], head)
                for key, value in manifest.items():
                    row += 1
                    ws.write_string(row, 0, str(key), bold)
                    ws.write_string(row, 1, "" if value is None else str(value), wrap)
        for name, df in sheets.items():
            sheet_name = names[name]
            out = labelled(df, lang)
            out.to_excel(xw, sheet_name=sheet_name, index=False)
            ws = xw.sheets[sheet_name]
            ws.freeze_panes(1, 0)
            for j, col in enumerate(df.columns):
                ws.write(0, j, out.columns[j], head)
                ws.set_column(j, j, max(12, min(28, len(str(out.columns[j])) + 2)),
                              fmt.get(meta(col)[0]))
    return path
