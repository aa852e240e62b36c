"""Who pays what into the individual account, by tier and level (D1 Art. 7-10; D3 §6).

Each function is one rule from the policy text; the cohort engine and the
member calculator both call them. Arrays: ``tiers`` is the tier axis
(yuan/year); results have the same shape unless a docstring says otherwise.
"""
from __future__ import annotations

import numpy as np


def step_amount_by_tier(tiers, thresholds, amounts):
    """Amount for each tier from a step schedule [yuan/year per payer].

    The amount of the highest threshold at or below the tier applies; tiers
    below the first threshold get 0. Used for the entry subsidy (D1 Art. 8:
    30 for every tier; national 2014: 30, and 60 from tier 500) and for
    county top-ups by tier (D5 §2(三)4: 200 -> 5 ... 1000 -> 45).
    Shapes: tiers (tier,); thresholds, amounts (k,) ascending; returns (tier,).
    """
    tiers = np.asarray(tiers, dtype=float)
    thresholds = np.asarray(thresholds, dtype=float)
    idx = np.searchsorted(thresholds, tiers, side="right") - 1
    return np.where(idx >= 0, np.asarray(amounts, dtype=float)[np.clip(idx, 0, None)], 0.0)


def paid_on_behalf_yuan(tiers, lowest_tier, share_of_lowest, share_of_contribution):
    """Premium government pays for a member of an on-behalf group [yuan/year].

    D1 Art. 9: for the severely disabled the county pays 50 % of the lowest
    tier, for the severely disabled on 低保 the whole lowest tier; D5 §2(三)4:
    the county pays 50 % of a serving village cadre's contribution. Never
    more than the tier itself. Shape: tiers (tier,) -> (tier,).
    """
    tiers = np.asarray(tiers, dtype=float)
    return np.minimum(tiers, share_of_lowest * lowest_tier + share_of_contribution * tiers)


def extra_subsidy_yuan(tiers, lowest_tier, extra_yuan, lowest_tier_only):
    """Added government subsidy for an on-behalf group member [yuan/year].

    D3 §6(三) 对重度残疾人,政府对其缴纳最低标准的保险费再补贴40元: default
    reading (RULES.md §2) a severely disabled member paying the lowest tier
    gets 40 more on top of the usual 30. Shape: tiers (tier,) -> (tier,).
    """
    tiers = np.asarray(tiers, dtype=float)
    applies = (tiers == lowest_tier) if lowest_tier_only else np.ones_like(tiers, bool)
    return np.where(applies, float(extra_yuan), 0.0)


def personal_payment_yuan(tiers, on_behalf_yuan):
    """What the member pays himself at a tier [yuan/year]: the tier less what
    government pays on his behalf (D1 Art. 9). Shape: broadcast of inputs."""
    return np.asarray(tiers, dtype=float) - on_behalf_yuan


def catch_up_payment_yuan(tiers):
    """Payment for one missed year made up later [yuan]: the tier, with no
    government subsidy (D1 Art. 8 补缴城乡居民养老保险的,政府不予补贴)."""
    return np.asarray(tiers, dtype=float)


def may_pay_on(years_short, most_years):
    """Whether a member short of years at 60 may pay on year by year (延缴) [bool].

    Provincial rules (contributions.pay_on_after_60; not in the pilot texts, where D1 Art. 21
    asks for the years to be made up at 60): paying on is allowed up to an age limit, so only
    those whose missing years fit in the years from 61 to it can reach them this way; paid
    in the years of the 61st, 62nd, ... birthday. Shapes broadcast.
    """
    short = np.asarray(years_short)
    return (short >= 1) & (short <= most_years)


def years_to_make_up(years_paid, min_years):
    """Years a member reaching 60 may (45+ at start) or must (under 45) make up.

    D1 Art. 21(二): those 45-59 at the start may make up missed years, total
    not over 15; D1 Art. 21(三): those under 45 need 15 years by 60; D3 §8(一)
    lets both make up to 15 in one payment at 60. Either way the number is
    max(0, 15 - years paid). Shape: years_paid any -> same.
    """
    return np.maximum(0, min_years - np.asarray(years_paid))


def matching_groups(groups, flags):
    """Names of the on-behalf groups that apply to a member with ``flags``.

    A group applies when all its ``applies_to`` flags are the member's; of
    groups whose flags nest, only the most specific applies (D1 Art. 9: a
    severely disabled member on 低保 gets the whole lowest tier paid, not 50 %
    and 100 %). Groups with unrelated flags (a disabled village cadre) add up.
    """
    flags = set(flags)
    hits = [g for g in groups if g.applies_to and set(g.applies_to) <= flags]
    return [g.name for g in hits
            if not any(set(g.applies_to) < set(h.applies_to) for h in hits)]


def matching_group_shares(groups, members_flags):
    """Share of members each on-behalf group applies to [0..1], {group name: share}.

    Each member counts for the groups :func:`matching_groups` gives for his flags (the
    most specific of nested groups, D1 Art. 9), so the shares can be used as the
    groups' ``share_of_payers`` and add up as the cohort engine adds them.
    ``members_flags``: one collection of flags per member; no members gives {}.
    """
    members_flags = [frozenset(f) for f in members_flags]
    if not members_flags:
        return {}
    counts = {g.name: 0 for g in groups}
    for flags in set(members_flags):
        n = members_flags.count(flags)
        for name in matching_groups(groups, flags):
            counts[name] += n
    return {name: c / len(members_flags) for name, c in counts.items()}


def years_open_to_catch_up(missed_years, year: int, window: int | None) -> list[int]:
    """The missed years [calendar years] that may still be made up in ``year``, oldest first.

    D1 Art. 7 lets missed years be made up in any later year (``window`` None); D3 §6(一)1
    only in the following year (``window`` 1). A year missed in ``year`` itself counts too:
    it is paid late, without subsidy (D1 Art. 8).
    """
    return sorted(y for y in missed_years if y <= year and (window is None or y >= year - window))
