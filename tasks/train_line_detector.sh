#!/usr/bin/env bash
# Train the shipped line detector (fcn on synthetic paragraphs, 256x256) and save its weights and card.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py '{
  "dataset": "SyntheticParagraphsDataset",
  "dataset_args": {"num_train": 1500, "num_val": 200, "num_test": 200, "size": 256},
  "model": "LineDetectorModel",
  "network": "fcn",
  "network_args": {"width": 16, "levels": 3},
  "train_args": {"batch_size": 16, "epochs": 5, "optimizer": "adam", "learning_rate": 0.003,
                 "lr_schedule": "cosine", "early_stopping_patience": 0},
  "experiment_group": "line_detector",
  "seed": 42
}' --save --nowandb "$@"
