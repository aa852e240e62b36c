"""Tick labels that never run into each other, and the checks a chart must pass before a reader sees it.

A county finance bureau director reads the PNG, not the code: year labels run together
("201020202030…", the known case of ``Report.years_axis`` in a 14-inch figure of three
subplots), a "-0" on an axis or a chart without its unit are what he or she sees. This module:

* ``collisions(fig)``    the pairs of tick labels that overlap or touch (within ``PAD_PX``);
* ``declutter(fig)``     fewer ticks on numeric axes (whole numbers stay whole: no 2012.5),
                         slanted labels on categorical x axes, wider gaps between subplots;
* ``chart_problems(fig)`` what a reader would miss: a title, a unit, an x label, a clean zero.

All positions are display pixels at the figure's dpi, measured after a layout pass
(``Figure.draw_without_rendering``: the layout engine runs, nothing is rasterised).
Saving at another dpi scales text and axes alike, so a figure clean here is clean in the PNG.
"""
from __future__ import annotations

import logging
import math
import re
from typing import NamedTuple

from matplotlib.axis import Axis
from matplotlib.category import StrCategoryLocator
from matplotlib.dates import DateLocator
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

log = logging.getLogger(__name__)

PAD_PX = 2.0                  # labels closer than this (display pixels) count as touching
SLANTS_DEG = (30.0, 45.0)     # rotations tried for categorical x labels, gentlest first
FALLBACK_SLANT_DEG = 45.0     # numeric x labels that collide even at two intervals
MIN_NBINS = 2                 # the fewest intervals a numeric axis is thinned to
SPACING_STEP = 0.05           # wspace / hspace added per step when subplots' labels meet
SPACING_MAX = 0.8             # ... up to this (a fraction of the average axes width / height)
YEAR_RANGE = (1900, 2200)     # whole-number ticks inside this range read as calendar years
ROUND_STEPS = (1, 2, 2.5, 5, 10)   # tick steps a reader counts in (MaxNLocator's default adds 1.5, 3, 4, 6, 8:
                                   # 2010, 2025, 2040 rather than 2020, 2040, 2060)


class Collision(NamedTuple):
    """Two tick labels that overlap or touch; ``where`` names the axes and axis of each."""
    where: str
    first: Text
    second: Text

    def __str__(self) -> str:
        return f"{self.where}: {self.first.get_text()!r} and {self.second.get_text()!r}"


# ---------------------------------------------------------------- measuring
def _layout(fig):
    """The renderer after a layout pass (text sizes and axes positions are final) [pixels at fig.dpi]."""
    fig.draw_without_rendering()
    canvas = fig.canvas
    return canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()


def _axis(ax, name: str) -> Axis:
    return ax.xaxis if name == "x" else ax.yaxis


def _axes_name(fig, ax) -> str:
    """'axes 1 ("基金收入(亿元)")': the index in fig.axes and the title, for messages."""
    title = ax.get_title() or ax.get_title("left") or ax.get_title("right")
    return f"axes {fig.axes.index(ax)}" + (f' ("{title}")' if title else "")


def _draws_ticks(ax) -> bool:
    return ax.get_visible() and ax.axison


def _drawn_ticks(axis: Axis) -> list[tuple[float, object]]:
    """(location, tick) of the major ticks inside the view, in axis order [data units]."""
    axis.get_majorticklabels()                 # brings tick positions and texts up to date
    locs = axis.get_majorticklocs()
    ticks = axis.get_major_ticks(len(locs))
    lo, hi = sorted(axis.get_view_interval())
    tol = 1e-9 * max(hi - lo, abs(hi), 1e-300)
    return [(float(loc), tick) for loc, tick in zip(locs, ticks)
            if lo - tol <= loc <= hi + tol and tick.get_visible()]


def _label_groups(axis: Axis) -> list[list[Text]]:
    """The drawn labels of an axis: [bottom/left labels, top/right labels]; empty ones left out."""
    if not axis.get_visible():
        return []
    drawn = _drawn_ticks(axis)
    groups = []
    for part in ("label1", "label2"):
        labels = [getattr(t, part) for _, t in drawn]
        labels = [lab for lab in labels if lab.get_visible() and lab.get_text().strip()]
        if labels:
            groups.append(labels)
    return groups


def _slant_deg(label: Text) -> float:
    """How far a label is from upright or vertical [degrees, 0..45]; 0 means its box is exact."""
    r = label.get_rotation() % 90.0
    return min(r, 90.0 - r)


def _overlap(a, b, pad: float) -> bool:
    return a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad


def _upright_height(label: Text, renderer) -> float:
    """The height of the label's line of text before rotation [pixels]."""
    probe = Text(0, 0, label.get_text(), fontproperties=label.get_fontproperties())
    probe.set_figure(label.get_figure(root=True))
    return probe.get_window_extent(renderer).height


def _group_collisions(labels: list[Text], name: str, renderer, pad: float) -> list[tuple[Text, Text]]:
    """Pairs of labels of one axis that overlap or come within ``pad`` pixels of each other.

    Upright (or vertical) labels: their boxes. Slanted labels: their boxes overlap even when
    the text does not, so the gap across the slant between neighbours is compared with the
    line height instead (neighbours a distance d apart along the axis are d·sin(angle) apart).
    """
    k = 0 if name == "x" else 1
    if _slant_deg(labels[0]) < 1.0:
        boxes = sorted(((lab.get_window_extent(renderer), lab) for lab in labels),
                       key=lambda bl: (bl[0].x0, bl[0].y0)[k])
        out = []
        for i, (bi, li) in enumerate(boxes):
            end_i = (bi.x1, bi.y1)[k]
            for bj, lj in boxes[i + 1:]:
                if (bj.x0, bj.y0)[k] > end_i + pad:
                    break
                if _overlap(bi, bj, pad):
                    out.append((li, lj))
        return out
    theta = math.radians(labels[0].get_rotation())
    across = abs(math.sin(theta)) if name == "x" else abs(math.cos(theta))
    anchors = sorted(((lab.get_transform().transform(lab.get_position())[k], lab) for lab in labels),
                     key=lambda al: al[0])
    height = _upright_height(labels[0], renderer)
    return [(la, lb) for (pa, la), (pb, lb) in zip(anchors, anchors[1:]) if (pb - pa) * across < height + pad]


def _axis_collisions(axis: Axis, name: str, renderer, pad: float) -> list[tuple[Text, Text]]:
    return [pair for group in _label_groups(axis) for pair in _group_collisions(group, name, renderer, pad)]


def _cross_collisions(fig, renderer, pad: float) -> list[tuple[object, object, Collision]]:
    """(axes a, axes b, collision) for tick labels of one axes running into those of another."""
    boxes = []
    for ax in fig.axes:
        if not _draws_ticks(ax):
            continue
        mine = [(name, lab, lab.get_window_extent(renderer)) for name in ("x", "y")
                for group in _label_groups(_axis(ax, name)) for lab in group]
        if mine:
            boxes.append((ax, mine))
    out = []
    for i, (ax_a, mine_a) in enumerate(boxes):
        for ax_b, mine_b in boxes[i + 1:]:
            for name_a, lab_a, box_a in mine_a:
                for name_b, lab_b, box_b in mine_b:
                    if _overlap(box_a, box_b, pad):
                        where = f"{_axes_name(fig, ax_a)} {name_a} / {_axes_name(fig, ax_b)} {name_b}"
                        out.append((ax_a, ax_b, Collision(where, lab_a, lab_b)))
    return out


def _all_collisions(fig, renderer, pad: float) -> list[Collision]:
    out = []
    for ax in fig.axes:
        if not _draws_ticks(ax):
            continue
        for name in ("x", "y"):
            where = f"{_axes_name(fig, ax)} {name}"
            out += [Collision(where, a, b) for a, b in _axis_collisions(_axis(ax, name), name, renderer, pad)]
    return out + [c for _, _, c in _cross_collisions(fig, renderer, pad)]


def collisions(fig, pad_px: float = PAD_PX) -> list[Collision]:
    """The pairs of tick labels that overlap or come within ``pad_px`` [display pixels] of each other.

    Each item is a ``Collision(where, first, second)`` (a tuple): ``where`` names the axes
    ("axes 0 x", or "axes 0 x / axes 1 y" for labels of neighbouring subplots), ``first`` and
    ``second`` are the matplotlib Text artists. Runs a layout pass first; empty list = clean.
    """
    return _all_collisions(fig, _layout(fig), pad_px)


# ---------------------------------------------------------------- un-crowding
_NUMBER = re.compile(r"\s*[-\u2212+]?[\d,.\s]*\d[\d,.\s]*%?\s*")


def _kind(axis: Axis) -> str:
    """'numeric' (ticks may be thinned), 'categorical' (each tick names a thing: never dropped), or 'other'.

    Categorical: string categories, dates, FixedFormatter labels, and labels given with
    ``set_xticks(pos, labels)`` / ``set_xticklabels`` that are not numbers (county names).
    """
    locator, formatter = axis.get_major_locator(), axis.get_major_formatter()
    if isinstance(locator, (StrCategoryLocator, DateLocator)) or isinstance(formatter, FixedFormatter):
        return "categorical"
    if isinstance(locator, FixedLocator) and not all(_NUMBER.fullmatch(t) for t in _tick_texts(axis)):
        return "categorical"
    return "numeric" if axis.get_scale() == "linear" else "other"


def _thinner(locator, nbins: int, whole: bool):
    """A locator with at most ``nbins`` intervals: every k-th of ticks the author gave, else round steps."""
    if isinstance(locator, FixedLocator):
        return FixedLocator(locator.locs, nbins=nbins)
    return MaxNLocator(nbins=nbins, integer=whole, steps=ROUND_STEPS)


class _AxisState(NamedTuple):
    """What ``_declutter_axis`` may change on an axis, to put back."""
    locator: object
    default_locator: bool
    rotation: float
    ha1: str                  # bottom / left labels
    ha2: str                  # top / right labels

    @classmethod
    def of(cls, axis: Axis) -> "_AxisState":
        first = axis.get_major_ticks(1)[0]
        return cls(axis.get_major_locator(), axis.isDefault_majloc, first.label1.get_rotation(),
                   first.label1.get_horizontalalignment(), first.label2.get_horizontalalignment())

    def restore(self, axis: Axis) -> None:
        if axis.get_major_locator() is not self.locator:
            axis.set_major_locator(self.locator)
            axis.isDefault_majloc = self.default_locator
        _rotate(axis, self.rotation, self.ha1, self.ha2)


def _rotate(axis: Axis, deg: float, ha1: str = "right", ha2: str = "left") -> None:
    """Slant the x axis's tick labels, their ends at the ticks (new ticks copy the first tick's)."""
    axis.set_tick_params(which="major", labelrotation=deg)
    for tick in axis.get_major_ticks():
        tick.label1.set_horizontalalignment(ha1)
        tick.label2.set_horizontalalignment(ha2)


def _candidates(name: str, kind: str, drawn: list[float], rotation: float) -> list[tuple]:
    """What to try, mildest first: (nbins or None, rotation or None)."""
    if kind == "categorical":
        return [(None, r) for r in SLANTS_DEG if name == "x" and r > abs(rotation) + 0.5]
    if kind != "numeric":
        return []
    top = max(len(drawn) - 1, MIN_NBINS)
    thin = [(n, None) for n in range(top, MIN_NBINS - 1, -1)]
    if name == "y" or rotation:
        return thin
    return thin + [(None, FALLBACK_SLANT_DEG)] + [(n, FALLBACK_SLANT_DEG) for n in range(top, MIN_NBINS - 1, -1)]


def _declutter_axis(ax, name: str, renderer, pad: float) -> str | None:
    """Thin or slant one axis's tick labels until none collide; a note of what changed, or None."""
    axis = _axis(ax, name)
    before = len(_axis_collisions(axis, name, renderer, pad))
    if not before:
        return None
    drawn = [loc for loc, _ in _drawn_ticks(axis)]
    whole = all(float(v).is_integer() for v in drawn)          # years stay whole: no 2012.5
    orig = _AxisState.of(axis)
    candidates = _candidates(name, _kind(axis), drawn, orig.rotation)
    if not candidates:
        return None                                            # e.g. too many names on a y axis: logged
    best, best_count, seen = None, before, set()
    for nbins, deg in candidates:
        orig.restore(axis)
        if nbins is not None:
            axis.set_major_locator(_thinner(orig.locator, nbins, whole))
        if deg is not None:
            _rotate(axis, deg)
        locs = tuple(loc for loc, _ in _drawn_ticks(axis))
        if (locs, deg) in seen:
            continue
        seen.add((locs, deg))
        count = len(_axis_collisions(axis, name, renderer, pad))
        if count < best_count:
            best, best_count = (nbins, deg, locs), count
            if not count:
                break
    orig.restore(axis)
    if best is None:
        return None
    nbins, deg, locs = best
    notes = []
    if nbins is not None:
        axis.set_major_locator(_thinner(orig.locator, nbins, whole))
        step = f", every {locs[1] - locs[0]:g}" if len(locs) > 1 else ""
        how = (f"FixedLocator nbins={nbins}: a subset of the given ticks"
               if isinstance(orig.locator, FixedLocator) else f"MaxNLocator nbins={nbins}, integer={whole}")
        notes.append(f"{len(drawn)} -> {len(locs)} ticks ({how}{step})")
    if deg is not None:
        _rotate(axis, deg)
        notes.append(f"labels slanted {deg:g} deg")
    if best_count:
        notes.append(f"{best_count} collision(s) left")
    return "; ".join(notes)


def _respace(fig, renderer, pad: float) -> list[str]:
    """Widen the gaps between subplots whose tick labels meet; notes of what changed.

    Only for figures without a layout engine: constrained and tight layout already keep
    neighbours' labels apart, and ``subplots_adjust`` would fight them.
    """
    if fig.get_layout_engine() is not None:
        return []
    hits = _cross_collisions(fig, renderer, pad)
    if not hits:
        return []
    sp = fig.subplotpars
    w0, h0 = sp.wspace, sp.hspace
    while hits:
        widen = heighten = False
        for ax_a, ax_b, _ in hits:
            if ax_a.get_subplotspec() is None or ax_b.get_subplotspec() is None:
                continue                       # axes placed by hand: their places are the author's
            pa, pb = ax_a.get_position(), ax_b.get_position()
            side_by_side = pa.y0 < pb.y1 and pb.y0 < pa.y1
            widen |= side_by_side
            heighten |= not side_by_side
        w = sp.wspace + SPACING_STEP if widen else sp.wspace
        h = sp.hspace + SPACING_STEP if heighten else sp.hspace
        if not (widen or heighten) or max(w - w0, h - h0) > SPACING_MAX + 1e-9:
            break
        fig.subplots_adjust(wspace=w, hspace=h)
        hits = _cross_collisions(fig, renderer, pad)
    notes = []
    if sp.wspace != w0:
        notes.append(f"subplots: wspace {w0:.2f} -> {sp.wspace:.2f} (neighbours' tick labels met)")
    if sp.hspace != h0:
        notes.append(f"subplots: hspace {h0:.2f} -> {sp.hspace:.2f} (neighbours' tick labels met)")
    return notes


def declutter(fig, pad_px: float = PAD_PX) -> list[str]:
    """Notes of what was changed so that no two tick labels collide (empty: nothing to do).

    For every visible axes, x axis then y axis, when labels overlap or come within
    ``pad_px`` [display pixels]:
      * numeric axes get ``MaxNLocator(nbins=n, integer=...)`` with n decreasing to 2 until the
        labels are clear; ``integer`` is kept when the ticks were whole numbers (years stay
        2020, 2040: never 2012.5);
      * a numeric x axis still crowded at two intervals, and a categorical x axis (strings,
        dates, or labels set with ``set_xticklabels``), gets slanted labels (30 then 45
        degrees, right-aligned to their ticks), thinned again if need be;
      * y axes are never slanted (it does not separate labels stacked one above another).
    Then, for figures without a layout engine, wspace / hspace grow until tick labels of
    neighbouring subplots (x labels of one, y labels of the next) no longer meet.
    Labels that cannot be cleared (a categorical y axis with too many names) are logged as a
    warning and left; ``collisions(fig)`` lists them. Idempotent: a second call returns [].
    """
    if not fig.axes:
        return []
    renderer = _layout(fig)
    changes: list[str] = []
    for _ in range(2):
        done = []
        for ax in fig.axes:
            if not _draws_ticks(ax):
                continue
            for name in ("x", "y"):
                note = _declutter_axis(ax, name, renderer, pad_px)
                if note:
                    done.append(f"{_axes_name(fig, ax)} {name}: {note}")
        done += _respace(fig, renderer, pad_px)
        changes += done
        if not done or fig.get_layout_engine() is None:
            break
        renderer = _layout(fig)            # the layout engine moves axes after the changes: look again
    left = _all_collisions(fig, renderer, pad_px) if changes else []
    for c in left:
        log.warning("tick labels still collide: %s", c)
    return changes


# ---------------------------------------------------------------- what a reader needs
_PAREN = re.compile(r"[(（]([^()（）]*)[)）]")
_CJK_UNIT = re.compile(          # a unit standing alone in the group: "亿元" yes, "人社部口径" no
    r"(?:^|(?<=[\s\d,，、;；/]))(?:万|亿|百万|十亿|千)?(?:元|人|户|岁|个月|月|年|天|次|倍|%|％|‰)"
    r"(?=$|[\s,，、;；/])")
_EN_UNIT = re.compile(           # letters-only boundaries: "(yuan_per_month)" counts
    r"%|‰|10,000|(?<![a-z])(?:yuan|rmb|cny|persons?|people|members?|pensioners?|households?|million|billion|"
    r"thousand|years?|months?|per ?cent|percent|ratio|share|times)(?![a-z])",
    re.IGNORECASE)
_MULTIPLIER = r"(?:10,000|10 ?000|100 ?(?:m|million)|million|billion|thousand|万|亿|百万|十亿|千)"
_BASE_UNIT = r"(?:元|人|户|岁|年|月|%|％|yuan|persons?|people|members|households|years?|months?|per ?cent)"
_PER = r"(?:月|年|人|户|(?:month|year|person|member|pensioner|resident|household)s?)"
_WHOLE_UNIT = re.compile(rf"\s*(?:{_MULTIPLIER}\s*)?{_BASE_UNIT}(?:\s*(?:/|per)\s*{_PER})?\s*", re.IGNORECASE)
_UNIT_NOTE = re.compile(r"单位\s*[:：]|\bunits?\s*:", re.IGNORECASE)
_MINUS_ZERO = re.compile(r"\s*[-\u2212\u2012\u2013]\s*0+(?:[.,]0*)?\s*%?\s*")


def has_unit(text: str) -> bool:
    """True when a label or title names a unit: "(万元)", "(亿元,人社部口径)", "单位:人", or just "万元"."""
    if not text:
        return False
    if _WHOLE_UNIT.fullmatch(text) or _UNIT_NOTE.search(text):
        return True
    return any(_CJK_UNIT.search(g.strip()) or _EN_UNIT.search(g) for g in _PAREN.findall(text))


def _titles(ax) -> list[str]:
    return [t for t in (ax.get_title(), ax.get_title("left"), ax.get_title("right")) if t]


def _shows_data(ax) -> bool:
    is_colorbar = getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>"
    return ax.get_visible() and ax.has_data() and not is_colorbar


def _tick_texts(axis: Axis) -> list[str]:
    return [lab.get_text() for group in _label_groups(axis) for lab in group]


def _is_year_axis(axis: Axis) -> bool:
    locs = [loc for loc, _ in _drawn_ticks(axis)]
    return bool(locs) and all(float(v).is_integer() and YEAR_RANGE[0] <= v <= YEAR_RANGE[1] for v in locs)


def chart_problems(fig) -> list[str]:
    """What a reader of the figure would miss, one sentence each (empty list = fine).

    For every visible axes that shows data (colorbars excepted):
      * a title: its own, a twin's (an axes at the same place), or the figure's suptitle when
        it is the only axes showing data;
      * a unit, for axes with visible axis lines: in the y label ("基金支出(亿元)" or just
        "万元"), in a title ("(亿元)", "(10,000 yuan)", "单位:人"), in the x label when the y
        axis is categorical (horizontal bars), or in the y tick labels themselves ("12%");
      * an x label, unless the x ticks are calendar years (whole numbers 1900-2200: a year
        axis needs no caption) or categories (the ticks name the bars themselves);
      * no "-0" / "−0" / "-0.0" tick label (matplotlib's U+2212 minus included);
      * no offset or multiplier in the corner of an axis ("1e8", "+2.01e3"): divide by a
        ``units.Scale`` and say the unit instead.
    Maps and other axes drawn without axis lines only need a title.
    Runs a layout pass first so that tick texts are the ones that will be drawn.
    """
    if not fig.axes:
        return []
    _layout(fig)
    shown = [ax for ax in fig.axes if _shows_data(ax)]
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    problems = []
    for ax in shown:
        name = _axes_name(fig, ax)
        twins = [o for o in shown if o.get_position().bounds == ax.get_position().bounds]
        titles = [t for o in twins for t in _titles(o)]
        if suptitle and len(shown) == len(twins):
            titles.append(suptitle)
        if not titles:
            problems.append(f"{name}: no title (ax.set_title)")
        if not ax.axison:
            continue
        y_categorical = _kind(ax.yaxis) == "categorical"
        places = [ax.get_ylabel(), *titles] + ([ax.get_xlabel()] if y_categorical else [])
        y_ticks = _tick_texts(ax.yaxis)
        percent_ticks = bool(y_ticks) and all(t.strip().endswith(("%", "％")) for t in y_ticks)
        if not (any(has_unit(p) for p in places) or percent_ticks):
            problems.append(f'{name}: no unit: put it in the y label or the title in parentheses, e.g. "(万元)"')
        if ax.xaxis.get_visible() and not ax.get_xlabel() \
                and not (_is_year_axis(ax.xaxis) or _kind(ax.xaxis) == "categorical"):
            problems.append(f"{name}: the x axis has no label and its ticks are not years (ax.set_xlabel)")
        for axis_name in ("x", "y"):
            axis = _axis(ax, axis_name)
            zeros = sorted({t for t in _tick_texts(axis) if _MINUS_ZERO.fullmatch(t)})
            if zeros:
                problems.append(f"{name}: {axis_name} tick label {', '.join(map(repr, zeros))} "
                                f"(a negative zero: format the ticks with units.fmt)")
            offset = axis.get_offset_text()
            if axis.get_visible() and offset.get_visible() and offset.get_text().strip():
                problems.append(f"{name}: {axis_name} axis shows {offset.get_text()!r} in its corner "
                                f"(divide by a units.Scale and name the unit instead)")
    return problems
