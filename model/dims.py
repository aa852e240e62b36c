"""Axis names, order and labels: the one place they are declared.

Every state or flow array in the engine is indexed in this order (a
subset where an axis does not apply; the docstring of each function says
which):

    age x sex x area x tier x years_paid     (contributors)
    age x sex x area x tier x kind           (pensioners)

``age`` is the age attained in the projection year (year minus birth
year), so "the year of the 60th birthday" is simply ``age == 60``.
"""
from __future__ import annotations

MAX_AGE = 100                      # the last age cell is open: 100 and over
AGES = tuple(range(MAX_AGE + 1))   # 0 .. 100+
N_AGE = len(AGES)

SEXES = ("male", "female")
N_SEX = len(SEXES)

AREAS = ("rural", "urban")         # hukou type: 新农保 / 城居保 (D5 §1)
N_AREA = len(AREAS)

PENSION_AGE = 60                   # D1 Art. 21; D3 §8(一)
ENTRY_AGE = 16                     # D1 Art. 6; D3 §5
MIN_YEARS_FULL = 15                # the 15-year rule, D1 Art. 21(三)
NEAR_PENSION_AGE = 45              # 45+ at the start pay every year to 60, at most 15, D1 Art. 21(二); D3 §8(一)

# Years-paid axis: 0, 1, ..., 16 where the last cell holds "16 or more" (the least:
# Parameters.n_yp adds cells when a long-contribution band starts above 16).
# The 15-year rule (D1 Art. 21(二)(三): min(15, years from the start to 60))
# needs to know whether 15 is reached; long-contribution top-ups need the years paid, which the
# engine carries as a person-years-above-its-start sum for the top cell (exact, because the
# top-up is linear in the years above the last band's start).
N_YP = MIN_YEARS_FULL + 2

# Pensioner kinds: how the person came to draw a pension. Lump-sum buyers get
# one kind per purchase year (Parameters.n_kind), so that each year's accounts
# pay only their own pensions (D1 Art. 18).
KINDS = ("regular", "basic_only", "lump_sum")

LEVELS = ("central", "province", "prefecture", "county")

MONTHS_PER_YEAR = 12

LABELS = {
    "sex": {"male": ("男", "male"), "female": ("女", "female")},
    "area": {"rural": ("农村", "rural"), "urban": ("城镇", "urban")},
    "kind": {"regular": ("缴费领取", "contributory"),
             "basic_only": ("仅基础养老金", "basic pension only"),
             "lump_sum": ("趸缴", "lump-sum purchase")},
    "level": {"central": ("中央", "central"), "province": ("省级", "province"),
              "prefecture": ("州市级", "prefecture"), "county": ("县级", "county")},
}

# Age ranges of the state arrays (inclusive). Contributors are carried from
# 16 to 60 (they pay in the year of the 60th birthday, D1 Art. 7) and
# pensioners from 60 on; both slices index into AGES.
CONTRIB_AGES = tuple(range(ENTRY_AGE, PENSION_AGE + 1))
PENS_AGES = tuple(range(PENSION_AGE, MAX_AGE + 1))

# Account parts: they are credited and paid in proportion, but the
# government part is not inherited (D1 Art. 13, 20; D3 §7(三)(四)).
PARTS = ("personal", "government", "collective")
N_PART = len(PARTS)
