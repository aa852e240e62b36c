"""Tools on the model: calibration, a county's register, sweeps, every county."""
