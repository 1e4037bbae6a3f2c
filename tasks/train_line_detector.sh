#!/usr/bin/env bash
# Train the shipped line detector (fcn, 256x256 canvas) on pages assembled from real handwritten training lines
# (RealLinePagesDataset) and save its weights and card.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/line_detector.json --save --nowandb "$@"
