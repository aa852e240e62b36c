"""URRBPI cohort model."""
