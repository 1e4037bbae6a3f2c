#!/usr/bin/env bash
# Train the shipped CTC line model (residual CNN + BiLSTM on EmnistLines) and save its weights and card.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/ctc_line_predictor.json --save "$@"
