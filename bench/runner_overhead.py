"""The runner's fixed cost per run: process start to first training step, and end of training to recorded.

    python bench/runner_overhead.py --runs 3

Tiny runs (an MLP on 1% of EMNIST, 1 epoch, W&B off) in a temporary runs folder; times come from each run's
status.json (first_step_at, fit_end_at, and the time it was marked finished) and the process exit.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TINY = {
    "dataset": "EmnistDataset",
    "dataset_args": {"subsample_fraction": 0.01},
    "model": "CharacterModel",
    "network": "mlp",
    "network_args": {"layer_size": 32, "num_layers": 1},
    "train_args": {"epochs": 1, "batch_size": 64},
}


def one_run(runs_dir: Path, run_id: str) -> dict[str, float]:
    """Seconds from launch to first step, fit end to recorded, and fit end to process exit, for one tiny run."""
    env = {**os.environ, "TEXT_RECOGNIZER_RUNS_DIR": str(runs_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    launched = time.time()
    subprocess.run(
        [sys.executable, "training/run_experiment.py", json.dumps(TINY), "--nowandb", f"--run-id={run_id}"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    exited = time.time()
    status = json.loads((runs_dir / run_id / "status.json").read_text())
    return {
        "start_to_first_step": status["first_step_at"] - launched,
        "fit_end_to_recorded": status["updated"] - status["fit_end_at"],
        "fit_end_to_exit": exited - status["fit_end_at"],
        "total": exited - launched,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        results = [one_run(Path(folder), f"overhead-{i}") for i in range(args.runs)]
    for key in results[0]:
        values = [result[key] for result in results]
        print(f"{key:22s} median {statistics.median(values):6.2f} s   (min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
