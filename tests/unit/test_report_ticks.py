"""model/report/ticks.py: tick labels that never collide, and the checks a reader's chart must pass."""
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from model.report.ticks import chart_problems, collisions, declutter, has_unit  # noqa: E402

YEARS = np.arange(2010, 2101)
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")   # CJK titles without a CJK font


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def fan_charts():
    """The known bug: three fan charts in a 14-inch figure, whole years every 10 (Report.years_axis)."""
    with plt.rc_context({"font.size": 10}):
        fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
        for i, ax in enumerate(axes):
            mid = np.linspace(100, 300 + 50 * i, YEARS.size)
            ax.fill_between(YEARS, 0.8 * mid, 1.2 * mid, alpha=0.3)
            ax.plot(YEARS, mid)
            ax.set_title(f"fund income {i} (100 million yuan)", fontsize=9)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig, axes


def x_labels(ax):
    lo, hi = ax.get_xlim()
    return [lab.get_text() for lab, loc in zip(ax.get_xticklabels(), ax.get_xticks()) if lo <= loc <= hi]


def test_crowded_year_labels_collide_then_are_thinned_to_whole_years():
    fig, axes = fan_charts()
    before = collisions(fig)
    # 2010, 2020, ..., 2100 every 10 years: about 32 px apart, each label 36 px wide at 100 dpi
    assert len(before) >= 3 * 9
    assert {(c.first.get_text(), c.second.get_text()) for c in before} >= {("2010", "2020"), ("2090", "2100")}
    changes = declutter(fig)
    assert len(changes) == 3 and all(" x: " in c and "integer=True" in c for c in changes)
    assert collisions(fig) == []
    for ax in axes:
        labels = x_labels(ax)
        assert labels == ["2020", "2040", "2060", "2080", "2100"]            # round 20-year steps, no 2012.5
        assert all(lab.get_rotation() == 0 for lab in ax.get_xticklabels())  # thinned, not slanted


def test_declutter_is_idempotent_and_fast():
    took = []
    for _ in range(3):                                   # best of three: a busy machine is not the code
        fig, _ = fan_charts()
        start = time.perf_counter()
        assert declutter(fig)
        took.append(time.perf_counter() - start)
        assert declutter(fig) == []                      # nothing left to do the second time
    assert min(took) < 0.3                               # seconds, 3 subplots


def test_a_clean_figure_is_left_alone():
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(YEARS, YEARS - 2000.0)
    assert collisions(fig) == [] and declutter(fig) == []


def test_categorical_labels_are_slanted_not_dropped():
    fig, ax = plt.subplots(figsize=(5, 3))
    names = [f"county number {i}" for i in range(8)]
    ax.bar(names, np.arange(8.0))
    ax.set_title("cost (10,000 yuan)")
    assert collisions(fig)
    changes = declutter(fig)
    assert changes == ['axes 0 ("cost (10,000 yuan)") x: labels slanted 30 deg']
    assert collisions(fig) == []
    labels = ax.get_xticklabels()
    assert [lab.get_text() for lab in labels] == names                     # every county still named
    assert {(lab.get_rotation(), lab.get_horizontalalignment()) for lab in labels} == {(30.0, "right")}
    assert declutter(fig) == []


def test_names_given_with_set_xticklabels_count_as_categories():
    fig, ax = plt.subplots(figsize=(3, 3))
    names = [f"county number {i}" for i in range(8)]
    ax.bar(range(8), np.arange(8.0))
    ax.set_xticks(range(8), names)
    declutter(fig)
    assert collisions(fig) == []
    assert [lab.get_text() for lab in ax.get_xticklabels()] == names
    assert ax.get_xticklabels()[0].get_rotation() == 45.0                  # 30 was not enough at 3 inches


def test_numbers_too_wide_even_for_two_intervals_are_slanted():
    fig, ax = plt.subplots(figsize=(1.2, 2))
    ax.plot([0, 2e7], [0, 1])
    ax.set_xlim(0, 2e7)
    ax.xaxis.set_major_formatter("{x:,.0f} yuan")
    assert collisions(fig)
    assert declutter(fig) == ["axes 0 x: labels slanted 45 deg"]
    assert collisions(fig) == []


def test_crowded_y_labels_are_thinned_never_slanted():
    fig, ax = plt.subplots(figsize=(3, 1.0))
    ax.plot([0, 1], [0, 100])
    ax.set_yticks(range(0, 101, 10))
    ax.tick_params(labelsize=14)
    assert collisions(fig)
    (change,) = declutter(fig)
    assert change.startswith("axes 0 y: 11 -> ")
    assert collisions(fig) == []
    assert ax.get_yticklabels()[0].get_rotation() == 0


def test_labels_of_neighbouring_subplots_are_kept_apart():
    # two panels with no gap: 2100 of the left one runs into 2010 of the right one
    fig, axes = plt.subplots(1, 2, figsize=(6, 3), sharey=True)
    fig.subplots_adjust(wspace=0)
    for ax in axes:
        ax.plot(YEARS, YEARS - 2000.0)
        ax.set_xlim(2010, 2100)
        ax.set_xticks([2010, 2040, 2070, 2100])
    (hit,) = collisions(fig)
    assert hit.where == "axes 0 x / axes 1 x" and (hit.first.get_text(), hit.second.get_text()) == ("2100", "2010")
    (change,) = declutter(fig)
    assert change.startswith("subplots: wspace 0.00 -> ")
    assert collisions(fig) == [] and declutter(fig) == []


# ---------------------------------------------------------------- chart_problems
def good_chart():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(YEARS, np.linspace(-5, 5, YEARS.size))
    ax.set_title("county cost (10,000 yuan)")
    return fig, ax


def test_a_titled_chart_with_a_unit_and_year_ticks_passes():
    fig, _ = good_chart()
    assert chart_problems(fig) == []


def test_missing_title_and_unit_are_reported():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(YEARS, np.linspace(0, 5, YEARS.size))
    problems = chart_problems(fig)
    assert len(problems) == 2
    assert "no title" in problems[0] and "no unit" in problems[1]
    ax.set_title("county cost")                               # a title without a unit
    assert len(chart_problems(fig)) == 1
    ax.set_ylabel("cost (万元)")                               # the unit in the y label is enough
    assert chart_problems(fig) == []


def test_a_suptitle_serves_a_single_axes_only():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(YEARS, YEARS - 2000.0)
    ax.set_ylabel("元/月")
    fig.suptitle("monthly pension")
    assert chart_problems(fig) == []
    fig2, axes = plt.subplots(1, 2, figsize=(8, 3))
    for ax in axes:
        ax.plot(YEARS, YEARS - 2000.0)
        ax.set_ylabel("persons")
    fig2.suptitle("members")
    assert [p.split(":")[1].strip() for p in chart_problems(fig2)] == ["no title (ax.set_title)"] * 2


def test_an_x_axis_that_is_not_years_needs_a_label():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(np.arange(16, 101), np.arange(16, 101) * 2.0)
    ax.set_title("account balance by age (yuan)")
    (problem,) = chart_problems(fig)
    assert "x axis has no label" in problem
    ax.set_xlabel("age")
    assert chart_problems(fig) == []


def test_minus_zero_tick_is_reported_with_either_minus_sign():
    for unicode_minus, text in ((True, "\u22120.0"), (False, "-0.0")):
        with plt.rc_context({"axes.unicode_minus": unicode_minus}):
            fig, ax = good_chart()
            # ticks at -0.04, 0.06, ... shown with one decimal: -0.04 prints as a negative zero
            ax.set_yticks([-0.04, 0.96, 1.96])
            ax.yaxis.set_major_formatter("{x:.1f}")
            ax.set_ylim(-1, 3)
            problems = chart_problems(fig)
        assert len(problems) == 1 and "negative zero" in problems[0] and repr(text) in problems[0]


def test_an_offset_in_the_corner_is_reported():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(YEARS, np.linspace(1e9, 3e9, YEARS.size))
    ax.set_title("fund balance (yuan)")
    ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    (problem,) = chart_problems(fig)
    assert "in its corner" in problem


def test_percent_ticks_categories_and_twins_count_as_labelled():
    fig, (ax, bars) = plt.subplots(1, 2, figsize=(10, 3))
    ax.plot(YEARS, np.linspace(0.1, 0.4, YEARS.size))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title("pension / income")                                  # the unit is on the ticks
    bars.barh(["central", "province", "county"], [3.0, 2.0, 1.0])
    bars.set_xlabel("亿元")                                            # horizontal bars: unit on x
    bars.set_title("cost by level")
    twin = ax.twinx()
    twin.plot(YEARS, np.linspace(50, 150, YEARS.size))
    twin.set_ylabel("pension (yuan/month)")                           # shares the host's title
    assert chart_problems(fig) == []


def test_unit_detection():
    for text in ("万元", "10,000 yuan", "million people", "元/月", "基金(人社部口径,亿元)", "人数(亿人)",
                 "fund (100 m yuan)", "persons (100 million)", "share (%)", "单位:万人", "cost (yuan/year)"):
        assert has_unit(text), text
    for text in ("", "基金(人社部口径)", "fund income", "share of members", "county (2020)"):
        assert not has_unit(text), text
