"""Training machinery: experiment configs, the runner, run records, GPUs and sweeps."""
