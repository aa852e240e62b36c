"""The cohort engine: the state, the year's phases, projections (one, staged, many paths)."""
