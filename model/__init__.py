"""Open cohort model of China's urban-rural residents' pension insurance (城乡居民社会养老保险).

Public API::

    import model
    scen = model.load_scenario("scenarios/qiannan_2011.yaml")
    proj = model.project(scen)
    proj.annual      # one row a year, nominal yuan / persons (model.results.VARIABLES)
    proj.detail      # year x age x sex x area x tier long table
    il = model.illustrate(scen, model.Member(birth_year=1966, birth_month=5, enrol_year=2011))

The package reads top down: ``scenario`` -> ``parameters`` -> ``rules`` -> ``engine`` ->
``results`` -> ``member``, ``tools``, ``report`` and the command line (README "Layout").
"""
from model.engine.project import Projection, project
from model.member.calculator import Member, illustrate
from model.scenario import ScenarioError, load_scenario

__all__ = ["load_scenario", "project", "Projection", "ScenarioError", "Member", "illustrate"]
