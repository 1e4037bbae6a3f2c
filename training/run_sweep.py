"""One run of a sweep under its first name, which sweeps created before the rename name as their `program`: the same
program as training/sweep_trial.py."""

import sys

from training.sweep_trial import main

if __name__ == "__main__":
    sys.exit(main())
