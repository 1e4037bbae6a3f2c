#!/usr/bin/env bash
# Offline bayes sweep of the CTC line reader (20 runs, one per GPU: pass --parallel N); rerun to resume.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/offline_sweep.py training/sweep_emnist_lines.yaml --count 20 "$@"
