"""Keep freed memory in the process's heap while projecting (glibc malloc settings).

Every projection year allocates and frees state-sized temporaries. With glibc's defaults
the top of the heap is handed back to the system as soon as 128 KB of it is free, so the
next year's temporaries are page-faulted afresh; with the engine's phases each holding its
flows until the year ends, that cost 9-12 % of a Qiannan projection (benchmarks/run.py).
Keeping up to 256 MB of freed memory, and taking blocks up to 32 MB from the heap rather
than from fresh mappings, removes it. Dask workers get the same settings through their
environment (``WORKER_ENV``, model/tools/sweep.py), since Dask's own default hands every
freed block back at once.
"""
from __future__ import annotations

import ctypes

SETTINGS = {"TRIM_THRESHOLD": 256 * 2**20, "MMAP_THRESHOLD": 32 * 2**20, "TOP_PAD": 64 * 2**20}   # bytes
WORKER_ENV = {f"MALLOC_{name}_": value for name, value in SETTINGS.items()}
_MALLOPT = {"TRIM_THRESHOLD": -1, "TOP_PAD": -2, "MMAP_THRESHOLD": -3}    # glibc's M_* parameter numbers
_applied: list[bool] = []


def keep_freed_memory() -> bool:
    """Apply ``SETTINGS`` to this process's malloc once (glibc); False where there is no glibc."""
    if not _applied:
        try:
            mallopt = ctypes.CDLL("libc.so.6").mallopt
            _applied.append(all(mallopt(_MALLOPT[k], v) == 1 for k, v in SETTINGS.items()))
        except (OSError, AttributeError):
            _applied.append(False)
    return _applied[0]
