"""Write notebooks/policy_questions.ipynb (issue 16 §5): run once after editing its cells here.

The notebook is generated so that its cells stay reviewable as plain Python in one file.
"""
from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parent.parent
cells = []


def md(text, tags=None):
    c = nbf.v4.new_markdown_cell(text.strip())
    if tags:
        c.metadata["tags"] = tags
    cells.append(c)


def code(text, tags=None):
    c = nbf.v4.new_code_cell(text.strip())
    if tags:
        c.metadata["tags"] = tags
    cells.append(c)


md("""
# Policy questions · 政策问题

The questions policy staff ask the other way round, each answered by projections of the engine:
the basic-pension top-up a county budget allows and the enrolment rate a membership target needs
(goal-seek, `model/tools/solve.py`), how adequate the pension is next to incomes and the 低保 line
(`model/tools/adequacy.py`), what the scheme's promises cost in present value (`model/tools/liability.py`)
and what changed against the scenario this one extends (`model/tools/explain.py`).
""", ["remove-cell"])

code("""
# parameters
scenario = "scenarios/qiannan_2011.yaml"   # relative to the repository root
horizon = None                             # projection years (None: the scenario's own)
lang = "zh"                                # "zh" or "en"
output_dir = "outputs/policy_questions"
first_year = None                          # the questions' first year (None: next calendar year, within the projection)
budget_years = 10                          # the county's budget window
budget_increase = 0.10                     # the budget: the county's projected cost over the window plus this share
members_year = None                        # the membership target's year (None: first_year + 4)
members_increase = 0.02                    # the target: projected members that year plus this share
discount_rate = 0.025                      # present values (model/tools/liability.py: long government bond yields, 2024)
compare_with = None                        # the scenario to explain the change against (None: the one this extends)
""", ["parameters"])

code("""
import datetime as dt

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import model
from model.report.budget import first_budget_year
from model.report.nb import Report, load
from model.results import VARIABLES
from model.scenario import with_overrides
from model.tools import adequacy as adq
from model.tools import liability as lia
from model.tools.explain import ExplainError, explain, waterfall
from model.tools.solve import NoSolution, parse_condition, parse_measure, parse_vary, solve

rep = Report(output_dir, lang)
scen = load(scenario, horizon)
proj = model.project(scen, detail=False)
a = proj.annual.set_index("year")
years = [int(y) for y in a.index]
first = first_budget_year(first_year, a.index)
window = [y for y in range(first, first + int(budget_years)) if y in a.index]
key = {"first_year": first}
display(Markdown(rep.t(f"# {scen.title}:政策问题", f"# {scen.title}: policy questions")))
""")

md("## 1. Goal-seek · 目标求解", ["remove-cell"])
code("""
# 1a. The county top-up of the basic pension its budget allows (a part paid by the county, from `first`)
parts = scen.model_dump(mode="python")["benefits"]["basic_pension"]
topup = {"name": "county_topup", "reference": "D1 Art. 20: local governments may raise the basic pension",
         "monthly": {years[0]: 0.0}, "paid_by": {"county": 1.0}}
scen_q = with_overrides(scen, {"benefits": {"basic_pension": parts + [topup]}})
now = float(a.loc[window, "subsidy_county"].sum())
budget = now * (1 + float(budget_increase))
target = parse_condition(f"subsidy_county@{window[0]}-{window[-1]}:sum = {budget!r}", "target", ("=",), VARIABLES, years)
vary = parse_vary(f"benefits.basic_pension[{len(parts)}].monthly@{first}", scen_q)
try:
    sol = solve(scen_q, vary, target, bounds=(0.0, 1000.0))
    found = sol.value
    display(Markdown(rep.t(
        f"县级财政在{window[0]}-{window[-1]}年的城乡居民养老保险支出预计为{now / 1e4:,.0f}万元;若预算增加"
        f"{budget_increase:.0%}(共{budget / 1e4:,.0f}万元),可从{first}年起每月加发基础养老金{found:.2f}元"
        f"(方法:{'二分求根' if sol.method.startswith('brentq') else '有界最小化'},共{len(sol.evaluations)}次测算)。",
        f"The county's cost over {window[0]}-{window[-1]} is projected at {now / 1e4:,.0f} ten-thousand yuan; "
        f"a budget {budget_increase:.0%} higher ({budget / 1e4:,.0f}) allows a top-up of {found:.2f} yuan a month "
        f"from {first} ({sol.method}; {len(sol.evaluations)} projections).")))
except (NoSolution, model.ScenarioError) as e:
    found = None
    display(Markdown(rep.t(f"在0-1000元范围内无解:{e}", f"No top-up from 0 to 1,000 yuan meets the budget: {e}")))
key["topup_yuan_per_month"] = found
key["county_budget_yuan"] = budget
""")
code("""
# 1b. The enrolment rate from `first` that makes members reach a target
m_year = int(members_year) if members_year else min(first + 4, years[-1])
m_now = float(a.loc[m_year, "members"])
m_target = m_now * (1 + float(members_increase))
goal = parse_condition(f"members@{m_year} = {m_target!r}", "target", ("=",), VARIABLES, years)
try:
    enrol = parse_vary(f"enrolment.rate_path@{first}", scen)
    sol_m = solve(scen, enrol, goal, bounds=(0.0, 1.0))
    rate = sol_m.value
    display(Markdown(rep.t(
        f"{m_year}年参保人数预计{m_now / 1e4:,.1f}万人;要达到{m_target / 1e4:,.1f}万人(增加{members_increase:.0%}),"
        f"{first}年起的参保率目标需为{rate:.1%}。",
        f"Members in {m_year} are projected at {m_now:,.0f}; to reach {m_target:,.0f} ({members_increase:.0%} more) "
        f"the enrolment target from {first} must be {rate:.1%}.")))
except NoSolution as e:
    rate = None
    b = e.best
    display(Markdown(rep.t(
        f"{m_year}年参保人数预计{m_now / 1e4:,.1f}万人;{first}年起参保率在0-100%之间都达不到{m_target / 1e4:,.1f}万人"
        f"(最接近的是参保率{b.value:.0%}时的{b.achieved / 1e4:,.1f}万人)。",
        f"Members in {m_year} are projected at {m_now:,.0f}; no enrolment target from {first} between 0 and 100 % "
        f"reaches {m_target:,.0f} (the nearest: {b.achieved:,.0f} at {b.value:.0%}).")))
except model.ScenarioError as e:
    rate = None
    display(Markdown(rep.t(f"无法按参保率求解:{e}", f"The enrolment rate cannot be solved for: {e}")))
key["enrolment_rate_needed"] = rate
key["members_target"] = m_target
""")

md("## 2. Adequacy · 待遇充足性", ["remove-cell"])
code("""
res_a = adq.adequacy(scen, annual=proj.annual)
ind = res_a.by_year
display(Markdown(rep.t("## 待遇充足性:养老金与居民收入、低保标准之比", "## Adequacy: the pension against incomes and the 低保 line")))
shown = ["year", "average_monthly_pension", "new_pension_monthly_at_60", "rural_income_yuan_pa",
         "average_pension_to_rural_income_ratio", "new_pension_to_rural_income_ratio",
         "average_pension_to_rural_dibao_ratio", "income_projected"]
every5 = ind[((ind.year - ind.year.min()) % 5 == 0) & (ind.year <= first + 30)][shown]
display(rep.show(every5))
display(Markdown(rep.t(
    f"收入:国家统计局全国居民人均可支配收入至{res_a.income_last_year}年,此后按每年{res_a.growth_pa:.1%}增长(假设);"
    f"低保标准:农村{res_a.dibao.rural_yuan_pa:,.0f}元/年、城市{res_a.dibao.urban_yuan_pm:,.0f}元/月({res_a.dibao.year}年,假设,"
    f"未找到民政部全国平均数),其他年份随收入变动。",
    f"Income: the NBS national per-capita disposable income to {res_a.income_last_year}, then {res_a.growth_pa:.1%} a "
    f"year (ASSUMPTION); the 低保 line: rural {res_a.dibao.rural_yuan_pa:,.0f} yuan a year, urban "
    f"{res_a.dibao.urban_yuan_pm:,.0f} a month in {res_a.dibao.year} (ASSUMPTION: the Ministry's national averages "
    f"were not found), moving with income.")))
fig = plt.figure(figsize=(8, 3.8))
ax = fig.add_subplot(111)
for col, zh, en in (("average_pension_to_rural_income_ratio", "人均养老金/农村居民人均可支配收入", "average pension / rural income"),
                    ("new_pension_to_rural_income_ratio", "60岁新领取/农村居民人均可支配收入", "new pension at 60 / rural income")):
    if col in ind:
        ax.plot(ind.year, ind[col] * 100, label=rep.t(zh, en))
ax.set_ylabel("%")
ax.set_title(rep.t("养老金替代率(占农村居民人均可支配收入%)", "The pension as a share of rural per-capita income (%)"))
ax.legend(frameon=False)
rep.years_axis(ax)
rep.figure(fig, "adequacy")
plt.show()
display(Markdown(rep.t("### 不同参保人的替代率(按档次、缴费年限、参保年龄、性别)",
                       "### Replacement rates for a grid of members (tier, years paid, entry age, sex)")))
g = res_a.grid
young = g[(g.entry_age == g.entry_age.min()) & (g.sex == "male")]
pivot = young.pivot_table(index="tier_yuan_pa", columns="years_paid", values="replacement_rate_rural_income")
pivot.columns = [rep.t(f"缴费{c}年", f"{c} years") for c in pivot.columns]
pivot = (pivot * 100).round(1).reset_index()
display(Markdown(rep.t(f"{int(g.entry_age.min())}岁参保、{res_a.pension_year}年满60岁的男性,月养老金占当年农村居民人均可支配收入(%):",
                       f"A man entering at {int(g.entry_age.min())} and turning 60 in {res_a.pension_year}: the pension as % of "
                       f"that year's rural per-capita income:")))
display(rep.show(pivot))
""")

md("## 3. Fiscal liability · 财政负债", ["remove-cell"])
code("""
val_year = first
res_l = lia.liability(scen, val_year, discount_rate=float(discount_rate))
display(Markdown(rep.t(f"## 财政负债:{val_year}年1月1日现值(折现率{discount_rate:.1%})",
                       f"## Fiscal liability: present values on 1 January {val_year} (discount rate {discount_rate:.1%})")))
s_l = res_l.summary()
SPAN_ZH = {"30y": "30年", "75y": "75年", "to_horizon": "至测算期末"}
GROUP_NAMES = {"open": rep.t("全部参保人", "open group: everyone"),
               "closed": rep.t("估值日已参保人员", "closed group: members on the valuation date"),
               "new_entrants": rep.t("此后新参保人员", "new entrants: those joining later")}
if lang == "zh":
    def yi(x):
        return "-" if x is None else (f"{x / 1e8:,.1f}亿元" if abs(x) >= 1e8 else f"{x / 1e4:,.0f}万元")
    pv = s_l["pv_government_total_cost_yuan"]
    lines = [f"估值日{val_year}年1月1日,折现率{discount_rate:.1%}(年中现金流,名义值)。"]
    for sp in res_l.spans:
        lines.append(f"{SPAN_ZH.get(sp.label, sp.label)}:全部参保人{yi(pv['open'][sp.label])},估值日已参保人员{yi(pv['closed'][sp.label])},"
                     f"此后新参保人员{yi(pv['new_entrants'][sp.label])}。")
    last = res_l.spans[-1].label
    g = s_l["pv_longevity_gap_yuan"]["open"][last]
    lines.append(f"个人账户用完后继续支付的养老金(长寿风险缺口)现值{yi(g['all'])},其中统筹基金承担{yi(g['pooled_fund'])},"
                 f"财政承担{yi(g['government'])}。")
    pf = s_l["pooled_fund"]["open"]
    lines.append("统筹基金在测算期内不会用完。" if pf["backstop_first_year"] is None
                 else f"统筹基金{pf['backstop_first_year']}年用完,此后由财政兜底。")
    if s_l["gdp"] and "highest_share" in s_l["gdp"]:
        gd = s_l["gdp"]
        lines.append(f"财政支出占GDP:{val_year}年{gd['share_in_valuation_year']:.2%},最高{gd['highest_share']:.2%}"
                     f"({gd['highest_share_year']}年)(GDP:国家统计局至2024年,此后每年增长{res_l.gdp_growth_pa:.0%},假设)。")
else:
    lines = lia.summary_lines(res_l)
for line in lines:
    display(Markdown("- " + line))
tabs_l = res_l.tables()
t = tabs_l["liability"]
tot = t[t["column"] == "government_total_cost"].pivot_table(index="group", columns="horizon", values="pv_yuan",
                                                             sort=False)
tot = (tot / 1e8).round(1).reset_index()
tot["group"] = tot["group"].map(GROUP_NAMES)
tot.columns = [rep.t("人群", "group")] + [rep.t(f"{SPAN_ZH.get(c, c)}(亿元)", f"{c} (100 m yuan)") for c in tot.columns[1:]]
display(Markdown(rep.t("各级财政支出合计的现值(亿元):", "Present value of the government's whole cost (100 m yuan):")))
display(rep.show(tot))
""")

md("## 4. What changed and why · 变化分解", ["remove-cell"])
code("""
from model.report.runner import related_scenarios
import yaml
from pathlib import Path
src = Path(scenario)
parent = None
if compare_with:
    parent = compare_with
else:
    text = yaml.safe_load(src.read_text(encoding="utf-8")) or {}
    if isinstance(text.get("extends"), str):
        parent = str((src.parent / text["extends"]).resolve())
explained = None
if parent is None:
    display(Markdown(rep.t("本方案不继承其他方案,无可比较的旧方案(可用参数 compare_with 指定)。",
                           "This scenario extends no other: nothing to explain against (give compare_with).")))
else:
    old = load(parent, horizon)
    y_end = min(int(a.index.max()), old.scheme.start_year + old.scheme.horizon_years - 1)
    measure = parse_measure(f"government_total_cost@{first}-{min(first + 9, y_end)}:sum", "column", VARIABLES,
                            list(range(max(years[0], old.scheme.start_year), y_end + 1)))
    try:
        explained = explain(old, scen, measure, old_source=Path(parent).name, new_source=src.name)
    except ExplainError as e:
        display(Markdown(rep.t(f"与{Path(parent).name}的差额无法按参数分组分解:{e}",
                               f"The difference against {Path(parent).name} cannot be split by group: {e}")))
if explained is not None:
    display(Markdown(rep.t(f"## 与{Path(parent).name}相比:{measure.text()}的差额分解",
                           f"## Against {Path(parent).name}: the difference in {measure.text()} by group")))
    display(rep.show(explained.table()))
    waterfall(explained, Path(output_dir) / "waterfall.png", lang)
key["explained_difference"] = None if explained is None else explained.total
""")
code("""
tables = {"adequacy": ind, "replacement_rates": res_a.grid, "liability": tabs_l["liability"],
          "liability_indicators": tabs_l["indicators"], "annual": proj.annual}
if explained is not None:
    tables["explain"] = explained.table()
rep.tables(tables)
_ = rep.key(key)
""")

nb = nbf.v4.new_notebook()
nb.cells = cells
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbf.write(nb, ROOT / "notebooks" / "policy_questions.ipynb")
print("wrote notebooks/policy_questions.ipynb")
