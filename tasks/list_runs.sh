#!/usr/bin/env bash
# Table of recorded runs, best first (--group NAME, --csv [FILE]).
set -euo pipefail
cd "$(dirname "$0")/.."
python training/runs.py "$@"
