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


def meta(col: str) -> tuple[str, str, str]:
    """(unit, 中文, English) of a column; differences 'x_diff' take x's labels."""
    base = re.sub(r"_diff$", "", col)
    if col in VARIABLES:
        return VARIABLES[col]
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


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame], lang: str) -> Path:
    """An Excel workbook: one sheet per table, labelled headers with units, frozen
    header row, number formats (#,##0.00 yuan, #,##0 persons, 0.00% shares).

    Text is always written as text, never as a formula: a scenario title or a variant
    name that starts with '=' stays a label (formula injection, OWASP).
    """
    path = Path(path)
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
        for name, df in sheets.items():
            sheet_name = name[:31]
            out = labelled(df, lang)
            out.to_excel(xw, sheet_name=sheet_name, index=False)
            ws = xw.sheets[sheet_name]
            ws.freeze_panes(1, 0)
            for j, col in enumerate(df.columns):
                ws.write(0, j, out.columns[j], head)
                ws.set_column(j, j, max(12, min(28, len(str(out.columns[j])) + 2)),
                              fmt.get(meta(col)[0]))
    return path
