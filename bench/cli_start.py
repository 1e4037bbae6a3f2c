"""Inference CLI: time from process start to its first prediction on stdout, ONNX Runtime vs TensorFlow.

    python bench/cli_start.py [--runs 10]

Each run is a fresh `python -m text_recognizer.inference --input <folder of one real glyph>` with the shipped
character model; the figure is the median over runs (the first run, which warms the file cache, is left out).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from text_recognizer.settings import BACKEND_ENV

REPO = Path(__file__).resolve().parents[1]
GLYPH = REPO / "tests" / "support" / "characters" / "48_23.png"


def seconds_to_first_prediction(folder: Path, backend: str) -> float:
    """Start the CLI and time until its first output line arrives."""
    env = {**os.environ, BACKEND_ENV: backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "text_recognizer.inference", "--input", str(folder)]
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        process.wait()
    if process.returncode != 0 or not line:
        raise RuntimeError(f"the CLI failed on the {backend} backend (exit status {process.returncode})")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(GLYPH, folder)
        print("| backend | start to first prediction, median (s) | min (s) |")
        print("|---|---|---|")
        for backend in ("onnx", "tensorflow"):
            times = [seconds_to_first_prediction(Path(folder), backend) for _ in range(args.runs + 1)][1:]
            print(f"| {backend} | {statistics.median(times):.2f} | {min(times):.2f} |")


if __name__ == "__main__":
    main()
