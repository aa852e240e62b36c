"""The starting population: a county's known totals spread by a census age-sex profile.

A county usually knows its total, its rural/urban split and a few age bands
(D5 §1: Qiubei's population, and its eligible 16-59 and 60+ by area). The
builder takes the profile's shape within each band and scales it so that
every given total is reproduced exactly.
"""
from __future__ import annotations

import numpy as np

from model import dims


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


FERTILE_AGES = slice(15, 50)          # women 15-49: the base of births_per_woman_15_49 (a general fertility rate)


def women_15_49(pop):
    """Women aged 15-49 [persons], shape (..., area) from a population (..., age, sex, area).

    The base of the general fertility rate ``population.births_per_woman_15_49``: the
    scenario's births a year per woman of these ages (by default the census profile's
    own ratio of children aged 0 to these women).
    """
    return np.asarray(pop)[..., FERTILE_AGES, dims.SEXES.index("female"), :].sum(axis=-2)


def eligible_persons(pop, eligible_share, sealed):
    """People eligible to join [persons], shape (..., age, sex, area).

    D1 Art. 6; D3 §5: the eligible share (age, area) of the hukou population
    (..., age, sex, area), less members whose account is sealed (in the employee scheme,
    D1 Art. 15: 同一时段不再参加; or short of years at 60), who are not eligible to join
    again. Never below 0.
    """
    share = np.asarray(eligible_share)[:, None, :]
    return np.maximum(share * np.asarray(pop) - sealed, 0.0)


def net_migration_persons(non_members, net_migration_rate):
    """Net migration of people who are not members in the year [persons].

    The scenario's net rate by age (``population.net_migration_rate``) times the
    non-members alive, never taking away more than there are; members leave only by
    emigrating (D1 Art. 35). Shapes: non_members (batch, age, sex, area),
    net_migration_rate (age,); returns (batch, age, sex, area).
    """
    return np.maximum(net_migration_rate[None, :, None, None] * non_members, -non_members)


def births_by_sex(pop, births_per_woman, sex_ratio_at_birth):
    """Births of the year by sex, entering age 0 next year [persons].

    The general fertility rate (births per woman 15-49) times the women 15-49
    of each area, split boys : girls = ``sex_ratio_at_birth`` : 1. Shapes: pop
    (batch, age, sex, area), births_per_woman (batch,); returns (batch, sex, area).
    """
    births = births_per_woman[:, None] * women_15_49(pop)               # (batch, area)
    return np.stack([births * sex_ratio_at_birth / (1 + sex_ratio_at_birth),
                     births / (1 + sex_ratio_at_birth)], axis=1)
