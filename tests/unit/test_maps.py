"""The lean choropleth: outlines read from GeoJSON files named by code, filled by value."""
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from model.report import maps  # noqa: E402


def _square(x0, y0):
    return [[[x0, y0], [x0 + 1, y0], [x0 + 1, y0 + 1], [x0, y0 + 1], [x0, y0]]]


def test_outlines_are_read_by_code_and_filled_by_value(tmp_path):
    (tmp_path / "110000.geojson").write_text(json.dumps(
        {"type": "MultiPolygon", "coordinates": [_square(116, 39), _square(118, 39)]}), encoding="utf-8")
    (tmp_path / "120000.geojson").write_text(json.dumps(
        {"type": "Polygon", "coordinates": _square(117, 38)}), encoding="utf-8")
    assert len(maps.outline("110000", tmp_path)) == 2 and len(maps.outline("120000", tmp_path)) == 1
    assert maps.outline("990000", tmp_path) == []
    fig, ax = plt.subplots()
    lost = maps.choropleth(ax, pd.Series({"110000": 1.0, "120000": np.nan, "990000": 3.0}), "t", "yuan",
                           root=tmp_path)
    assert lost == ["990000"]                                   # no outline: reported, not drawn
    coll = ax.collections[0]
    assert len(coll.get_paths()) == 3
    grey = coll.get_facecolors()[2]                              # NaN: grey
    np.testing.assert_allclose(grey[:3], [0.85, 0.85, 0.85])
    assert ax.get_xlim()[0] < 116 and ax.get_xlim()[1] > 119
    # the aspect stretches latitude by 1 / cos(mid latitude)
    assert ax.get_aspect() == 1.0 / np.cos(np.radians((38 + 40) / 2))
    plt.close(fig)


def test_no_boundary_package_means_no_maps(monkeypatch):
    monkeypatch.setattr(maps.importlib.util, "find_spec", lambda name: None)
    assert maps.boundary_root() is None and not maps.available()
    assert maps.outline("110000") == []
