"""Run one experiment from a JSON config: validate, pick a device, train, evaluate, record (training/runner.py).

Example:
    python training/run_experiment.py '{"dataset": "EmnistDataset", "model": "CharacterModel", "network": "lenet"}'
"""

import sys

from training.runner import main

if __name__ == "__main__":
    sys.exit(main())
