"""Wall time of a 12-run offline sweep of tiny runs with --parallel 1 and --parallel 2.

    python bench/sweep_parallel.py

A grid of 3 learning rates x 4 layer sizes, MLP on 1% of EMNIST, 2 epochs, W&B off; each setting in its own
temporary runs folder. On a CPU-only machine every run falls back to the CPU, so --parallel 2 shares the cores.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SWEEP = {
    "program": "training/sweep_trial.py",
    "method": "grid",
    "metric": {"name": "val_accuracy", "goal": "maximize"},
    "parameters": {
        "dataset": {"value": "EmnistDataset"},
        "dataset_args.subsample_fraction": {"value": 0.01},
        "model": {"value": "CharacterModel"},
        "network": {"value": "mlp"},
        "network_args.num_layers": {"value": 1},
        "network_args.layer_size": {"values": [16, 32, 64, 128]},
        "train_args.learning_rate": {"values": [0.001, 0.003, 0.01]},
        "train_args.epochs": {"value": 2},
        "train_args.batch_size": {"value": 64},
    },
}


def sweep_seconds(parallel: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench_sweep.yaml"
        path.write_text(yaml.safe_dump(SWEEP))
        env = {**os.environ, "TEXT_RECOGNIZER_RUNS_DIR": str(Path(folder) / "runs"), "TF_CPP_MIN_LOG_LEVEL": "3"}
        started = time.perf_counter()
        command = [sys.executable, "training/offline_sweep.py", str(path), f"--parallel={parallel}", "--nowandb"]
        subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for parallel in args.parallel:
        seconds = sweep_seconds(parallel)
        print(f"12 runs, --parallel {parallel}: {seconds:.1f} s wall ({seconds / 12:.1f} s per run)")


if __name__ == "__main__":
    main()
