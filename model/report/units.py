"""Units a report shows numbers in, and number formatting a reader can trust.

The model computes in yuan and persons. A county finance bureau reads its budget in 万元
(10,000 yuan); a province or the nation in 亿元 (100 million yuan). A ``Scale`` is the
divisor with its name in Chinese and English; ``money_scale`` / ``persons_scale`` choose one
from the size of the numbers, ``fmt*`` print them: thousands separators, never "-0",
"—" for a missing value.

    m = money_scale(budget_yuan)                  # WAN_YUAN for a county
    f"{fmt_scaled(x, m)} {m.zh}"                  # "12,346 万元"
    d = scaled_decimals(column_yuan, m)           # one number of decimals for a table column
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

MISSING = "—"                 # an em dash: no value (NaN, None, pd.NA)

# The money scale switches to 亿元 at 10亿元 (1e9 yuan). A prefecture such as Qiannan spends a
# few 亿元 a year on the scheme and its counties tens of millions of yuan: their finance bureaus
# budget in 万元, so "35,000 万元" reads naturally there, while "3.5 亿元" hides the detail they
# manage. A province spends tens of 亿元 and the nation thousands of 亿元 (hundreds of thousands
# of billions of 万元 would be unreadable), so above 10亿元 the report switches to 亿元.
YI_YUAN_FROM = 1e9            # yuan
WAN_REN_FROM = 1e6            # persons: a county has a few hundred thousand residents (read in 人)


@dataclass(frozen=True)
class Scale:
    """A unit to show numbers in: divide by ``factor``; name it ``zh`` or ``en``."""
    factor: float
    zh: str
    en: str

    def name(self, lang: str = "zh") -> str:
        """The unit's name in the report's language ('万元' or '10,000 yuan')."""
        return self.zh if lang == "zh" else self.en

    def paren(self, lang: str = "zh") -> str:
        """The unit in parentheses, to append to a title or axis label ('(万元)' or ' (10,000 yuan)')."""
        return f"({self.zh})" if lang == "zh" else f" ({self.en})"


YUAN = Scale(1.0, "元", "yuan")
WAN_YUAN = Scale(1e4, "万元", "10,000 yuan")
YI_YUAN = Scale(1e8, "亿元", "100 million yuan")
REN = Scale(1.0, "人", "persons")
WAN_REN = Scale(1e4, "万人", "10,000 persons")


def _largest_abs(values) -> float:
    """The largest absolute finite value [the values' unit]; 0.0 when there is none."""
    a = np.abs(np.asarray(values, dtype=float).ravel())
    a = a[np.isfinite(a)]
    return float(a.max()) if a.size else 0.0


def money_scale(yuan_values) -> Scale:
    """The scale to show money in: YI_YUAN (亿元) when the largest |value| is ≥ 1e9 yuan, else WAN_YUAN (万元).

    ``yuan_values``: a number or any array-like of amounts in yuan (NaN ignored; none → 万元).
    10亿元 is where a budget stops being a county's or a prefecture's (a few 亿元 a year, read
    in 万元) and becomes a province's or the nation's (read in 亿元): see ``YI_YUAN_FROM``.
    Amounts per person (yuan/month) are not budgets: show them in YUAN, not through this.
    """
    return YI_YUAN if _largest_abs(yuan_values) >= YI_YUAN_FROM else WAN_YUAN


def persons_scale(values) -> Scale:
    """The scale to show numbers of people in: WAN_REN (万人) when the largest |value| is ≥ 1e6, else REN (人).

    ``values``: a number or array-like of persons (NaN ignored). A county's few hundred
    thousand residents read best as they are; a province's millions in 万人.
    """
    return WAN_REN if _largest_abs(values) >= WAN_REN_FROM else REN


def _is_missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)                   # NaN, NaT
    except TypeError:                         # pd.NA: its truth value is ambiguous
        return True


def _rounded(x, decimals: int) -> Decimal:
    """x rounded half away from zero to ``decimals`` places, as a decimal reader would by hand.

    Rounds the shortest decimal repr of a float (1.005 → 1.01, not binary 1.00499… → 1.00).
    """
    d = Decimal(int(x)) if isinstance(x, (int, np.integer)) else Decimal(repr(float(x)))
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt(x, decimals: int = 0) -> str:
    """The number as text with thousands separators and ``decimals`` places [same unit as x].

    Never "-0" or "-0.0": a value that rounds to zero prints as zero ("0", "0.0").
    None / NaN / pd.NA print "—"; ±infinity prints "∞" / "-∞". Halves round away from zero.
    """
    if isinstance(x, str):
        raise TypeError(f"fmt needs a number, got the text {x!r}")
    if _is_missing(x):
        return MISSING
    if math.isinf(float(x)):
        return "∞" if float(x) > 0 else "-∞"
    r = _rounded(x, decimals)
    if r == 0:
        r = abs(r)                            # -0.004 → 0, not -0
    return f"{r:,.{decimals}f}"


def fmt_share(x, decimals: int = 1) -> str:
    """The share as a percentage: 0.1234 → '12.3%' [x as a fraction of 1].

    Never "-0.0%": -0.0004 → '0.0%'. None / NaN → '—'.
    """
    if _is_missing(x):
        return MISSING
    return fmt(float(x) * 100.0, decimals) + "%"


def _auto_decimals(a: float) -> int:
    """Places for a value of size ``a`` in the scale's unit: ≥ 100 → 0, ≥ 1 → 1, else 2 (exactly 0 → 0).

    Compared after rounding, so 99.96 gets 0 places ('100', not '100.0') and 0.996 gets 1.
    """
    if a == 0 or round(a, 1) >= 100:
        return 0
    if round(a, 2) >= 1:
        return 1
    return 2


def fmt_scaled(x, scale: Scale, decimals: int | None = None) -> str:
    """The value divided by ``scale.factor``, as text without the unit [scale.zh / scale.en].

    ``decimals`` None chooses by size in the new unit: ≥ 100 → 0 places, ≥ 1 → 1, else 2
    (an exact zero prints "0"), so that 3,500,000 yuan in 亿元 shows '0.04', not '0'. Example: 123,456,789 yuan is
    '12,346' in WAN_YUAN and '1.23' in YI_YUAN. For a table column use ``scaled_decimals``.
    """
    if isinstance(x, str):
        raise TypeError(f"fmt_scaled needs a number, got the text {x!r}")
    if _is_missing(x):
        return MISSING
    v = float(x) / scale.factor
    if decimals is None:
        decimals = 0 if math.isinf(v) else _auto_decimals(abs(v))
    return fmt(v, decimals)


def scaled_decimals(values, scale: Scale) -> int:
    """One number of decimal places for a whole column shown in ``scale`` [places, 0-2].

    Chosen as ``fmt_scaled`` would for the column's largest |value| (so 12,345.6 万元 gives 0),
    then raised, up to 2, while some nonzero value would print as zero (a column holding
    12,345 and 0.3 万元 gets 1 place: '12,345.0' and '0.3'). NaN ignored; no values → 0.
    """
    v = np.asarray(values, dtype=float).ravel() / scale.factor
    a = np.abs(v[np.isfinite(v)])
    if not a.size:
        return 0
    decimals = _auto_decimals(float(a.max()))
    nonzero = a[a > 0]
    while decimals < 2 and nonzero.size and float(nonzero.min()) < 0.5 * 10.0 ** -decimals:
        decimals += 1
    return decimals
