"""A hand-worked population for the policy questions' tests: answers known with a pencil."""
from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np

from model import project
from model.parameters import resolve
from model.scenario import Scenario, _deep_merge
from conftest import BASE

YEARS = list(range(2011, 2031))


def basic_only_runner(scen: Scenario):
    """The annual table of ``scen`` for 1,000 men aged 65 at its 2011-07 start: basic pension only,
    nobody pays, nobody dies [yuan, persons]."""
    P = resolve(scen)
    pop = np.zeros_like(P.population0)
    pop[0, 65, 0, 0] = 1000
    P = replace(P, population0=pop, q_death=np.zeros_like(P.q_death), births_per_woman=np.zeros_like(P.births_per_woman))
    return project(P, detail=False).annual


def scenario(over: dict) -> Scenario:
    """The hand-worked base scenario (tests/conftest.py BASE) with ``over`` merged in."""
    return Scenario.model_validate(_deep_merge(copy.deepcopy(BASE), over))
