#!/usr/bin/env bash
# Train the shipped real-handwriting line model (CRNN + CTC on IAM, Hooker, Copiste and names lines) and save it.
# Longer schedules: --resume RUN_ID while runs/ is there, else set "init_from" to the shipped card in a copy of the config.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/handwriting_line_predictor.json --save "$@"
