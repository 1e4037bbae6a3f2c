#!/usr/bin/env bash
# Offline sweep of the MLP character model (12 runs, 2 at a time); rerun to resume. Flags override, e.g. --parallel 4.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/offline_sweep.py training/sweep_emnist.yaml --count 12 --parallel 2 "$@"
