"""The starting population: a county's known totals spread by a census age-sex profile.

A county usually knows its total, its rural/urban split and a few age bands
(D5 §1: Qiubei's population, and its eligible 16-59 and 60+ by area). The
builder takes the profile's shape within each band and scales it so that
every given total is reproduced exactly.
"""
from __future__ import annotations

import numpy as np

from . import dims


class PopulationError(ValueError):
    """Totals that cannot all hold (bands over their area's total, overlapping bands)."""


def population_from_totals(profile, area_totals, band_totals=None):
    """Starting population [persons], shape (age, sex, area).

    ``profile`` (sex, age): any census counts, used for shape only.
    ``area_totals`` (area,): persons per area (rural, urban).
    ``band_totals``: per area index, a list of ``(first_age, last_age, persons)``
    bands. Within a band the profile's age-sex shape is scaled to the band's
    count; the ages outside every band share the rest of the area's total in
    the profile's shape. Every given total is reproduced exactly.
    """
    shape = np.asarray(profile, dtype=float).T                     # (age, sex)
    out = np.zeros((dims.N_AGE, dims.N_SEX, dims.N_AREA))
    for ai in range(dims.N_AREA):
        total = float(area_totals[ai])
        bands = sorted((band_totals or {}).get(ai, []))
        covered = np.zeros(dims.N_AGE, bool)
        for lo, hi, count in bands:
            if covered[lo:hi + 1].any():
                raise PopulationError(f"{dims.AREAS[ai]}: age bands overlap at {lo}-{hi}")
            covered[lo:hi + 1] = True
            part = shape[lo:hi + 1]
            if part.sum() <= 0 and count > 0:
                raise PopulationError(f"{dims.AREAS[ai]}: the profile has nobody aged {lo}-{hi}")
            out[lo:hi + 1, :, ai] = part / part.sum() * count if count > 0 else 0.0
        rest = total - sum(c for *_, c in bands)
        if rest < -0.5:
            raise PopulationError(f"{dims.AREAS[ai]}: age bands add up to {total - rest:,.0f}, "
                                  f"more than the area's {total:,.0f}")
        free = shape * (~covered)[:, None]
        if free.sum() > 0:
            out[:, :, ai] += free / free.sum() * max(rest, 0.0)
    return out
