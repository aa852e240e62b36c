"""Scenario files: read (``loader``), validated by the schema (``schema``, ``values``), every
mistake one line naming the file, the key, the value and what is allowed (``errors``).

A scenario file holds only its changes from the scenario it extends (if any); the merged
mapping is validated with pydantic into a frozen :class:`Scenario`.
"""
from .errors import ScenarioError
from .loader import (_deep_merge, _Loader, _read_yaml, _yaml_problem, file_sha256, load_scenario,
                     resolve_raw, scenario_files, with_overrides)
from .schema import Scenario, TierMix
from .values import AgeBands, DatedPath, parse_age_band, parse_year_month

__all__ = ["AgeBands", "DatedPath", "Scenario", "ScenarioError", "TierMix", "file_sha256", "load_scenario",
           "parse_age_band", "parse_year_month", "resolve_raw", "scenario_files", "with_overrides",
           "_Loader", "_deep_merge", "_read_yaml", "_yaml_problem"]
