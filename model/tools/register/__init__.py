"""A county's member register: read, check, split into clean and rejected rows, aggregate.

County staff keep enrolment registers as spreadsheets (D4 §2: the county's electronic
spreadsheet system), find it hard to enter elderly people without ID cards (D2 §2(一)) and
lack tools to find people enrolled twice or also in the employee scheme (D2 §2(二)). Birth
dates come from the resident ID card (D1 Art. 31). Every check is vectorised over the rows;
a bad row never stops the run, and every input row ends up in ``clean.csv`` or
``rejected.csv`` (rows in = rows out).

- ``read``: real county files (NFKC, the csv module, ``HEADER_SYNONYMS``, mapping files,
  the employee-scheme list); a file that cannot be read is one ``RegisterError`` line.
- ``check``: the checks and their findings (``MESSAGES``), ``clean.csv``/``rejected.csv``/
  ``findings.csv``, every cell a spreadsheet would run as a formula escaped (``safe_text``).
- ``aggregate``: counts by cell and a scenario from the clean rows.

Personal data: ``findings.csv`` masks ID numbers except the birth-date digits; the
aggregate holds counts only (no names, no ID numbers).
"""
from model.tools.register.aggregate import BANDS, aggregate, enrolment_rates, write_aggregate
from model.tools.register.check import MESSAGES, CheckResult, check_register, id_parts, mask_id, parse_dates, tier_fields, tier_yuan, write_check
from model.tools.register.read import DEFAULT_COLUMNS, HEADER_SYNONYMS, Register, RegisterError, checked_mapping, read_employee_ids, read_mapping, read_register

__all__ = ["BANDS", "DEFAULT_COLUMNS", "HEADER_SYNONYMS", "MESSAGES", "CheckResult", "Register", "RegisterError",
           "aggregate", "check_register", "checked_mapping", "enrolment_rates", "id_parts", "mask_id",
           "parse_dates", "read_employee_ids", "read_mapping", "read_register", "tier_fields", "tier_yuan",
           "write_aggregate", "write_check"]
