#!/usr/bin/env bash
# Train the shipped character model (vgg_bn on EMNIST ByClass) and save its weights and card, in two stages:
# 24 epochs with augmentation, then a few epochs without it at a low learning rate, so that the network's batch-norm
# statistics and classifier match un-resampled test images (augmentation's interpolation blurs every training image).
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/character_predictor.json --save "$@"
python training/run_experiment.py training/experiments/character_predictor_finetune.json --save "$@"
