"""Open cohort model of China's urban-rural residents' pension insurance (城乡居民社会养老保险).

Public API::

    import model
    scen = model.load_scenario("scenarios/qiannan_2011.yaml")
    proj = model.project(scen)
    proj.annual      # one row a year, nominal yuan / persons (model.results.VARIABLES)
    proj.detail      # year x age x sex x area x tier long table
"""
from .projection import Projection, project
from .scenario import ScenarioError, load_scenario

__all__ = ["load_scenario", "project", "Projection", "ScenarioError"]
