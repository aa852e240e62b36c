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
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml

import model
from model.report.budget import first_budget_year
from model.report.nb import Report, load, scenario_title
from model.results import VARIABLES
from model.scenario import with_overrides
from model.tools import adequacy as adq
from model.tools import liability as lia
from model.tools.explain import ExplainError, explain, waterfall
from model.tools.solve import NoSolution, parse_condition, parse_measure, parse_vary, solve

rep = Report(output_dir, lang, scenario)
scen = load(scenario, horizon)
proj = model.project(scen, detail=False)
a = proj.annual.set_index("year")
rep.units_for(a)
years = [int(y) for y in a.index]
first = first_budget_year(first_year, a.index)
window = [y for y in range(first, first + int(budget_years)) if y in a.index]
key = {"first_year": first}
""")

md("## 1. Goal-seek · 目标求解 (computed first: the summary reports every answer)", ["remove-cell"])
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
    found, topup_error = sol.value, None
except (NoSolution, model.ScenarioError) as e:
    sol, found, topup_error = None, None, e
key["topup_yuan_per_month"] = found
key["county_budget_yuan"] = budget

# 1b. The enrolment rate from `first` that makes members reach a target
m_year = int(members_year) if members_year else min(first + 4, years[-1])
m_now = float(a.loc[m_year, "members"])
m_target = m_now * (1 + float(members_increase))
goal = parse_condition(f"members@{m_year} = {m_target!r}", "target", ("=",), VARIABLES, years)
rate, best, enrol_error = None, None, None
try:
    sol_m = solve(scen, parse_vary(f"enrolment.rate_path@{first}", scen), goal, bounds=(0.0, 1.0))
    rate = sol_m.value
except NoSolution as e:
    best = e.best
except model.ScenarioError as e:
    enrol_error = e
key["enrolment_rate_needed"] = rate
key["members_target"] = m_target

# 2. Adequacy; 3. liability; 4. what changed against the scenario this one extends
res_a = adq.adequacy(scen, annual=proj.annual)
ind = res_a.by_year
val_year = first
res_l = lia.liability(scen, val_year, discount_rate=float(discount_rate))
s_l = res_l.summary()
tabs_l = res_l.tables()
src = Path(scenario)
parent = compare_with
if parent is None:
    text = yaml.safe_load(model.report.nb.repo_path(src).read_text(encoding="utf-8")) or {}
    if isinstance(text.get("extends"), str):
        parent = str((model.report.nb.repo_path(src).parent / text["extends"]).resolve())
explained, explain_error = None, None
if parent is not None:
    old = load(parent, horizon)
    y_end = min(int(a.index.max()), old.scheme.start_year + old.scheme.horizon_years - 1)
    measure = parse_measure(f"government_total_cost@{first}-{min(first + 9, y_end)}:sum", "column", VARIABLES,
                            list(range(max(years[0], old.scheme.start_year), y_end + 1)))
    try:
        explained = explain(old, scen, measure, old_source=Path(parent).name, new_source=src.name)
    except ExplainError as e:
        explain_error = e
    parent_title = scenario_title(old, rep.lang)
key["explained_difference"] = None if explained is None else explained.total
rep.title(rep.t(f"{scenario_title(scen, 'zh')}:政策问题测算", f"{scenario_title(scen, 'en')}: policy questions"))
""")

code("""
# The summary: every number is a key figure (Report.value)
v = rep.value
w0, w1 = v("window_first", window[0], "year"), v("window_last", window[-1], "year")
s = []
if found is not None:
    s.append(rep.t(f"若{w0}—{w1}年县级预算在预计支出{v('county_cost_window', now, 'money')}的基础上增加"
                   f"{v('budget_increase', float(budget_increase), 'share', 0)}(共{v('county_budget', budget, 'money')}),"
                   f"可从{v('first_year', first, 'year')}年起每人每月加发基础养老金{v('topup_monthly', found, 'yuan')}。",
                   f"If the county's budget for {w0}-{w1} rises {v('budget_increase', float(budget_increase), 'share', 0)} above its "
                   f"projected cost of {v('county_cost_window', now, 'money')} (to {v('county_budget', budget, 'money')}), it can pay "
                   f"every pensioner {v('topup_monthly', found, 'yuan')} a month more basic pension from {v('first_year', first, 'year')}."))
else:
    s.append(rep.t(f"{w0}—{w1}年县级预算增加{v('budget_increase', float(budget_increase), 'share', 0)}时,每月加发基础养老金在0至1000元之间都不能恰好用完预算。",
                   f"No monthly top-up from 0 to 1,000 yuan spends exactly a county budget {v('budget_increase', float(budget_increase), 'share', 0)} higher over {w0}-{w1}."))
my = v("members_year", m_year, "year")
if rate is not None:
    s.append(rep.t(f"要使{my}年参保人数达到{v('members_target', m_target, 'persons')}(比预计增加{v('members_increase', float(members_increase), 'share', 0)}),"
                   f"{v('first_year', first, 'year')}年起参保率目标需为{v('enrolment_rate_needed', rate, 'share')}。",
                   f"For {v('members_target', m_target, 'persons')} members in {my} ({v('members_increase', float(members_increase), 'share', 0)} more than "
                   f"projected), the enrolment target from {v('first_year', first, 'year')} must be {v('enrolment_rate_needed', rate, 'share')}."))
elif best is not None:
    s.append(rep.t(f"{v('first_year', first, 'year')}年起参保率无论多高,{my}年参保人数都达不到{v('members_target', m_target, 'persons')}"
                   f"(最多{v('members_best', best.achieved, 'persons')})。",
                   f"No enrolment target from {v('first_year', first, 'year')} reaches {v('members_target', m_target, 'persons')} members in {my} "
                   f"(at most {v('members_best', best.achieved, 'persons')})."))
row = ind.set_index("year").loc[first] if first in set(ind.year) else None
if row is not None and pd.notna(row.get("average_pension_to_rural_income_ratio")):
    s.append(rep.t(f"{v('first_year', first, 'year')}年人均月养老金{v('average_monthly_pension', row['average_monthly_pension'], 'yuan')},"
                   f"相当于全国农村居民人均可支配收入的{v('pension_to_rural_income', row['average_pension_to_rural_income_ratio'], 'share')}。",
                   f"In {v('first_year', first, 'year')} the average pension is {v('average_monthly_pension', row['average_monthly_pension'], 'yuan')} "
                   f"a month, {v('pension_to_rural_income', row['average_pension_to_rural_income_ratio'], 'share')} of the national rural per-capita income."))
pv = s_l["pv_government_total_cost_yuan"]["open"]
span0 = res_l.spans[0]
pf = s_l["pooled_fund"]["open"]
s.append(rep.t(f"按{v('discount_rate', float(discount_rate), 'share')}折现,今后{v('pv_years', span0.years_counted, 'count')}年各级财政支出的现值为"
               f"{v('pv_government_cost', pv[span0.label], 'money')}"
               + (f";统筹基金{v('backstop_first_year', pf['backstop_first_year'], 'year')}年起需财政兜底。" if pf["backstop_first_year"]
                  else ";统筹基金在测算期内无需财政兜底。"),
               f"Discounted at {v('discount_rate', float(discount_rate), 'share')}, the government's cost over the next "
               f"{v('pv_years', span0.years_counted, 'count')} years is worth {v('pv_government_cost', pv[span0.label], 'money')} today"
               + (f"; from {v('backstop_first_year', pf['backstop_first_year'], 'year')} government must top up the pooled fund."
                  if pf["backstop_first_year"] else "; the pooled fund needs no top-up within the projection.")))
if explained is not None:
    d = explained.total
    span = v('explain_first', measure.first, 'year') + ("" if measure.last == measure.first else
                                                         rep.t("—", "-") + v('explain_last', measure.last, 'year'))
    s.append(rep.t(f"与“{parent_title}”相比,{span}年各级财政支出合计{rep.change('explained_difference_abs', d, 'money')}。",
                   f"Against “{parent_title}”, the government's cost in {span} {rep.change('explained_difference_abs', d, 'money')}."))
rep.summary(s)
rep.boxes([(rep.t("可加发基础养老金(元/人·月)", "top-up the budget allows (yuan a month)"), "topup_monthly")] * (found is not None)
          + [(rep.t(f"{m_year}年目标所需参保率", f"enrolment rate needed for {m_year}"), "enrolment_rate_needed")] * (rate is not None)
          + [(rep.t("财政支出现值", "present value of the government's cost"), "pv_government_cost")]
          + [(rep.t("人均月养老金占农村收入", "average pension / rural income"), "pension_to_rural_income")] * ("pension_to_rural_income" in rep.figures))
""")

code("""
rep.heading(rep.t("一、目标求解", "1. Goal-seek"))
if found is not None:
    rep.para(rep.t(
        f"县级财政在{window[0]}—{window[-1]}年的城乡居民养老保险支出预计为{rep.with_unit(rep.number(now, 'money'), 'money')};"
        f"若预算增加{budget_increase:.0%}(共{rep.with_unit(rep.number(budget, 'money'), 'money')}),可从{first}年起每月加发基础养老金"
        f"{found:.2f}元(方法:{'二分求根' if sol.method.startswith('brentq') else '有界最小化'},共{len(sol.evaluations)}次测算)。",
        f"The county's cost over {window[0]}-{window[-1]} is projected at {rep.with_unit(rep.number(now, 'money'), 'money')}; "
        f"a budget {budget_increase:.0%} higher ({rep.with_unit(rep.number(budget, 'money'), 'money')}) allows a top-up of "
        f"{found:.2f} yuan a month from {first} ({sol.method}; {len(sol.evaluations)} projections)."))
else:
    rep.para(rep.t(f"在每月0—1000元范围内无解:{topup_error}", f"No top-up from 0 to 1,000 yuan meets the budget: {topup_error}"))
if rate is not None:
    rep.para(rep.t(f"{m_year}年参保人数预计{rep.with_unit(rep.number(m_now, 'persons'), 'persons')};要达到"
                   f"{rep.with_unit(rep.number(m_target, 'persons'), 'persons')}(增加{members_increase:.0%}),{first}年起的参保率目标需为{rate:.1%}。",
                   f"Members in {m_year} are projected at {rep.with_unit(rep.number(m_now, 'persons'), 'persons')}; to reach "
                   f"{rep.with_unit(rep.number(m_target, 'persons'), 'persons')} ({members_increase:.0%} more) the enrolment target from "
                   f"{first} must be {rate:.1%}."))
elif best is not None:
    rep.para(rep.t(f"{first}年起参保率在0—100%之间都达不到目标(最接近的是参保率{best.value:.0%}时的"
                   f"{rep.with_unit(rep.number(best.achieved, 'persons'), 'persons')})。",
                   f"No enrolment target from {first} between 0 and 100 % reaches the target (the nearest: "
                   f"{rep.with_unit(rep.number(best.achieved, 'persons'), 'persons')} at {best.value:.0%})."))
else:
    rep.para(rep.t(f"无法按参保率求解:{enrol_error}", f"The enrolment rate cannot be solved for: {enrol_error}"))
""")

code("""
rep.heading(rep.t("二、待遇充足性:养老金与居民收入、低保标准之比", "2. Adequacy: the pension against incomes and the minimum living standard"))
shown = ["year", "average_monthly_pension", "new_pension_monthly_at_60", "rural_income_yuan_pa",
         "average_pension_to_rural_income_ratio", "new_pension_to_rural_income_ratio",
         "average_pension_to_rural_dibao_ratio", "income_projected"]
every5 = ind[((ind.year - ind.year.min()) % 5 == 0) & (ind.year <= first + 30)][shown]
rep.table(every5, note=rep.t(
    f"收入:国家统计局全国居民人均可支配收入至{res_a.income_last_year}年,此后按每年{res_a.growth_pa:.1%}增长(假设);"
    f"低保标准:农村{res_a.dibao.rural_yuan_pa:,.0f}元/年、城市{res_a.dibao.urban_yuan_pm:,.0f}元/月({res_a.dibao.year}年,假设,"
    f"未找到民政部全国平均数),其他年份随收入变动。",
    f"Income: the NBS national per-capita disposable income to {res_a.income_last_year}, then {res_a.growth_pa:.1%} a "
    f"year (assumption); the minimum living standard (dibao): rural {res_a.dibao.rural_yuan_pa:,.0f} yuan a year, urban "
    f"{res_a.dibao.urban_yuan_pm:,.0f} a month in {res_a.dibao.year} (assumption: the Ministry's national averages "
    f"were not found), moving with income."))
fig = plt.figure(figsize=(8, 3.8))
ax = fig.add_subplot(111)
for col, zh, en in (("average_pension_to_rural_income_ratio", "人均养老金/农村居民人均可支配收入", "average pension / rural income"),
                    ("new_pension_to_rural_income_ratio", "60岁新领取/农村居民人均可支配收入", "new pension at 60 / rural income")):
    if col in ind:
        ax.plot(ind.year, ind[col] * 100, label=rep.t(zh, en))
ax.set_ylabel("%")
ax.set_xlabel(rep.t("年份", "year"))
ax.set_title(rep.t("养老金占农村居民人均可支配收入的比例(%)", "The pension as a share of rural per-capita income (%)"))
ax.legend(frameon=False)
rep.years_axis(ax)
rep.figure(fig, "adequacy")
plt.show()
g = res_a.grid
young = g[(g.entry_age == g.entry_age.min()) & (g.sex == "male")]
pivot = young.pivot_table(index="tier_yuan_pa", columns="years_paid", values="replacement_rate_rural_income")
pivot.columns = [rep.t(f"缴费{c}年(%)", f"{c} years (%)") for c in pivot.columns]
pivot = (pivot * 100).round(1).reset_index()
rep.table(pivot, rep.t(f"{int(g.entry_age.min())}岁参保、{res_a.pension_year}年满60岁的男性:月养老金占当年农村居民人均可支配收入(%),按缴费档次和年限",
                       f"A man entering at {int(g.entry_age.min())} and turning 60 in {res_a.pension_year}: the pension as % of "
                       f"that year's rural per-capita income, by tier and years paid"))
""")

code("""
rep.heading(rep.t(f"三、财政负债:{val_year}年1月1日现值(折现率{discount_rate:.1%})",
                  f"3. Fiscal liability: present values on 1 January {val_year} (discount rate {discount_rate:.1%})"))
SPAN_ZH = {"30y": "30年", "75y": "75年", "to_horizon": "至测算期末"}
GROUP_NAMES = {"open": rep.t("全部参保人", "open group: everyone"),
               "closed": rep.t("估值日已参保人员", "closed group: members on the valuation date"),
               "new_entrants": rep.t("此后新参保人员", "new entrants: those joining later")}
money = lambda x: "—" if x is None else rep.with_unit(rep.number(x, "money"), "money")
if rep.lang == "zh":
    pvs = s_l["pv_government_total_cost_yuan"]
    lines = [f"估值日{val_year}年1月1日,折现率{discount_rate:.1%}(年中现金流,名义值)。"]
    for sp in res_l.spans:
        lines.append(f"{SPAN_ZH.get(sp.label, sp.label)}:全部参保人{money(pvs['open'][sp.label])},估值日已参保人员{money(pvs['closed'][sp.label])},"
                     f"此后新参保人员{money(pvs['new_entrants'][sp.label])}。")
    last = res_l.spans[-1].label
    gg = s_l["pv_longevity_gap_yuan"]["open"][last]
    lines.append(f"个人账户用完后继续支付的养老金(长寿风险缺口)现值{money(gg['all'])},其中统筹基金承担{money(gg['pooled_fund'])},"
                 f"财政承担{money(gg['government'])}。")
    lines.append("统筹基金在测算期内不会用完。" if pf["backstop_first_year"] is None
                 else f"统筹基金{pf['backstop_first_year']}年用完,此后由财政兜底。")
    if s_l["gdp"] and "highest_share" in s_l["gdp"]:
        gd = s_l["gdp"]
        lines.append(f"财政支出占GDP:{val_year}年{gd['share_in_valuation_year']:.2%},最高{gd['highest_share']:.2%}"
                     f"({gd['highest_share_year']}年)(GDP:国家统计局至2024年,此后每年增长{res_l.gdp_growth_pa:.0%},假设)。")
else:
    lines = lia.summary_lines(res_l)
for line in lines:
    rep.para("- " + line)
t = tabs_l["liability"]
tot = t[t["column"] == "government_total_cost"].pivot_table(index="group", columns="horizon", values="pv_yuan", sort=False)
spans = list(tot.columns)
tot = tot.reset_index()
tot["group"] = tot["group"].map(GROUP_NAMES)
heads = [rep.t("人群", "group")] + [rep.t(f"{SPAN_ZH.get(c, c)}({rep.unit_name('money')})", f"{c} ({rep.unit_name('money')})") for c in spans]
rows = [[r[0]] + [rep.number(x, "money") for x in r[1:]] for r in tot.itertuples(index=False)]
rep.heading(rep.t("各级财政支出合计的现值", "Present value of the government's whole cost"), 3)
rep.text_table(pd.DataFrame(rows, columns=heads))
""")

code("""
if parent is None:
    rep.heading(rep.t("四、变化分解", "4. What changed and why"))
    rep.para(rep.t("本方案不继承其他方案,无可比较的旧方案(可用参数 compare_with 指定)。",
                   "This scenario extends no other: nothing to explain against (give compare_with)."))
elif explained is None:
    rep.heading(rep.t("四、变化分解", "4. What changed and why"))
    rep.para(rep.t(f"与“{parent_title}”的差额无法按参数分组分解:{explain_error}",
                   f"The difference against “{parent_title}” cannot be split by group: {explain_error}"))
else:
    yrs = str(measure.first) if measure.first == measure.last else f"{measure.first}—{measure.last}"
    rep.heading(rep.t(f"四、与“{parent_title}”相比:{yrs}年各级财政支出合计的差额分解",
                      f"4. Against “{parent_title}”: the government's cost in {yrs}, by group"))
    tab = explained.table()
    tab = tab.assign(group=tab["label_zh"] if rep.lang == "zh" else tab["group"]).drop(columns=["label_zh"])
    rep.table(tab)
    fig = waterfall(explained, None, rep.lang, scale=rep.money.factor, unit_label=rep.unit_name("money"),
                    title=rep.t(f"变化分解:{yrs}年各级财政支出合计({rep.unit_name('money')})",
                                f"What changed: the government's cost in {yrs} ({rep.unit_name('money')})"))
    rep.figure(fig, "waterfall")
    plt.show()
""")

code("""
rep.assumptions(extra=[
    ("income_growth_pa", f"{res_a.growth_pa:.1%}", rep.t("国家统计局收入序列之后的年增长率", "yearly income growth after the NBS series")),
    ("dibao_line", f"{res_a.dibao.rural_yuan_pa:,.0f} / {res_a.dibao.urban_yuan_pm:,.0f}",
     rep.t(f"{res_a.dibao.year}年农村(元/年)、城市(元/月)低保标准:未找到民政部全国平均数",
           f"rural (yuan a year) and urban (yuan a month) minimum living standard in {res_a.dibao.year}: national averages not found")),
    ("gdp_growth_pa", f"{res_l.gdp_growth_pa:.0%}", rep.t("2024年以后GDP年增长率", "yearly GDP growth after 2024")),
    ("discount_rate", f"{float(discount_rate):.1%}", rep.t("2024年长期国债收益率", "long government bond yields of 2024"))])
rep.method(scen)
tables = {"adequacy": ind, "replacement_rates": res_a.grid, "liability": tabs_l["liability"],
          "liability_indicators": tabs_l["indicators"], "annual": proj.annual}
if explained is not None:
    tables["explain"] = explained.table()
rep.tables(tables, descriptions={
    "adequacy": rep.t("逐年:养老金与收入、低保标准之比", "by year: the pension against incomes and the dibao line"),
    "replacement_rates": rep.t("不同参保人的替代率", "replacement rates for a grid of members"),
    "liability": rep.t("财政负债现值,按人群、期限、财政层级", "present values by group, span and level"),
    "liability_indicators": rep.t("财政负债指标(逐年)", "liability indicators by year"),
    "annual": rep.t("测算全表", "the whole projection"),
    "explain": rep.t("与上级方案相比的差额分解", "the change against the parent scenario, by group")})
_ = rep.key(key)
rep.finish(docx=True)
""")

nb = nbf.v4.new_notebook()
nb.cells = cells
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbf.write(nb, ROOT / "notebooks" / "policy_questions.ipynb")
print("wrote notebooks/policy_questions.ipynb")
