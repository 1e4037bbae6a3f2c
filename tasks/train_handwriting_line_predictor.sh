#!/usr/bin/env bash
# Train the shipped real-handwriting line model (handwriting_crnn + CTC on IAM, Hooker, Copiste and names lines) in two
# stages, each shipped with --save: from scratch, then continued from the first stage's card with a fresh cosine schedule.
# A longer schedule: --resume RUN_ID while runs/ is there, or run the second stage again (it starts from the shipped card).
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/handwriting_line_predictor.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_continue.json --save "$@"
