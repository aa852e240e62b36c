"""Derived tables are rebuilt by the script, never edited by hand."""
from model.io import tables
from model.io.derive import BUILDERS, build


def test_committed_derived_tables_equal_a_fresh_rebuild(tmp_path):
    build(tmp_path)
    for name in BUILDERS:
        fresh = (tmp_path / name).read_bytes()
        committed = (tables.DERIVED_DIR / name).read_bytes()
        assert fresh == committed, f"{name}: run `python -m model data build` and commit"
