"""The engine's malloc settings (model/engine/memory.py)."""
def test_engine_keeps_freed_memory_with_the_dask_workers_settings():
    # model/engine/memory.py: one set of malloc settings for this process and the Dask workers
    from model.engine.memory import SETTINGS, keep_freed_memory
    from model.tools.sweep import WORKER_ENV
    assert WORKER_ENV == {"MALLOC_TRIM_THRESHOLD_": 256 * 2**20, "MALLOC_MMAP_THRESHOLD_": 32 * 2**20,
                          "MALLOC_TOP_PAD_": 64 * 2**20} == {f"MALLOC_{k}_": v for k, v in SETTINGS.items()}
    assert keep_freed_memory() is True                 # glibc's mallopt took every setting (Linux)
