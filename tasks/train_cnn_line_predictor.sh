#!/usr/bin/env bash
# Train the shipped fixed-slot CNN line model (line_cnn_all_conv on non-overlapping EmnistLines) and save it.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/cnn_line_predictor.json --save "$@"
