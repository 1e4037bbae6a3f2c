#!/usr/bin/env bash
# Run the test suite (pass pytest options through, e.g. -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pytest -q "$@"
