"""OWASP's CSV-injection rule: text cells that a spreadsheet would run as formulas get a leading quote."""
import pandas as pd

from model.io.safe_text import escape_formula, escape_formulas


def test_cells_starting_with_formula_characters_get_a_leading_quote_owasp():
    for value in ("=1+2", "+SUM(1+2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert escape_formula(value) == "'" + value
    for value in ("张三", "a=b", "1000", "", None, 5):
        assert escape_formula(value) == value


def test_only_text_columns_are_escaped_computed_numbers_stay_numbers():
    df = pd.DataFrame({"row": [2, -3], "name": pd.Series(["=cmd", "李四"], dtype="str"),
                       "mixed": pd.Series(["@x", 7], dtype=object)})
    out = escape_formulas(df)
    assert out["row"].tolist() == [2, -3] and out["row"].dtype == df["row"].dtype
    assert out["name"].tolist() == ["'=cmd", "李四"] and out["mixed"].tolist() == ["'@x", 7]
    assert df["name"].tolist() == ["=cmd", "李四"]                     # the input is left as it was
