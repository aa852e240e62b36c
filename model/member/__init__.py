"""One resident's illustration (算账) on the engine's rule functions, and its statement."""
