"""Reports: figures, tables, Excel, labels in Chinese and English, and the papermill runner.

No model logic here: every number comes from ``model.project`` or
``model.member.calculator.illustrate``. Notebooks call these helpers so that they stay
thin (a parameters cell, a projection, report calls).
"""
