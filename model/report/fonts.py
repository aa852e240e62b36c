"""Find a CJK font for matplotlib, or fall back to English labels with one warning.

No well-kept PyPI package ships a CJK font: the set-up installs Debian's
``fonts-wqy-microhei`` where it runs as root; elsewhere the user runs the one
command in ``INSTALL_HINT``. A font installed after matplotlib built its
cache is invisible until the cache is rebuilt, so the search rebuilds it once.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei",
                "SimHei", "PingFang SC", "Noto Sans SC")
INSTALL_HINT = "sudo apt-get install -y fonts-wqy-microhei"


def _families(fm) -> set[str]:
    return {f.name for f in fm.fontManager.ttflist}


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The family name of an installed CJK font matplotlib can use, or None."""
    from matplotlib import font_manager as fm
    hit = [f for f in CJK_FAMILIES if f in _families(fm)]
    if not hit:
        # a font installed after the cache was written: rebuild the cache once
        fm.fontManager = fm._load_fontmanager(try_read_cache=False)
        hit = [f for f in CJK_FAMILIES if f in _families(fm)]
    return hit[0] if hit else None


def setup_matplotlib(lang: str = "zh") -> str:
    """Configure matplotlib for ``lang``; returns the language the labels will use.

    Chinese needs a CJK font; without one the labels fall back to English with a
    single warning naming the command that installs a font (never empty boxes).
    """
    import matplotlib
    font = find_cjk_font()
    if lang == "zh" and font is None:
        warnings.warn(f"no Chinese (CJK) font found: figures use English labels. "
                      f"Install one with: {INSTALL_HINT}", stacklevel=2)
        lang = "en"
    families = ([font] if font else []) + ["DejaVu Sans"]
    matplotlib.rcParams["font.sans-serif"] = families + [
        f for f in matplotlib.rcParams["font.sans-serif"] if f not in families]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return lang
