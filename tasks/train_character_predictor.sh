#!/usr/bin/env bash
# Train the shipped character model (vgg_bn on EMNIST ByClass) and save its weights and card.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/character_predictor.json --save "$@"
