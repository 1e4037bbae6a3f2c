#!/usr/bin/env bash
# Print the sample study's run commands (mlp depths vs LeNet); run them with: tasks/prepare_sample_experiments.sh | parallel -j2
set -euo pipefail
cd "$(dirname "$0")/.."
python training/prepare_experiments.py training/experiments/sample.json "$@"
