"""Text from user data made safe to open in a spreadsheet (CSV / formula injection).

Excel, WPS and LibreOffice take a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula: a register name such as
``=cmd|' /C calc'!A0`` would run when a county officer opens ``clean.csv``. OWASP's rule
(CSV Injection): prefix such a cell with a single quote, which the spreadsheet shows as
text. Every file the project writes from user data goes through ``escape_formulas``.
"""
from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")    # OWASP CSV Injection: the characters to escape


def escape_formula(value):
    """``value`` with a leading ``'`` if a spreadsheet would read it as a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell escaped as ``escape_formula`` does.

    Only text columns (string or object dtype) are touched: the user's data. Columns the
    program computed as numbers (``row``, counts, ages) keep their dtype and values, so a
    number stays a number. A negative amount written as text in a register column (``-5``)
    does get the quote, as OWASP asks for text cells.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.StringDtype):                    # pandas' text columns: vectorised
            starts = s.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
            if starts.any():
                out[col] = s.mask(starts, "'" + s)
        elif s.dtype == object:                                    # mixed values: one at a time
            out[col] = s.map(escape_formula)
    return out
