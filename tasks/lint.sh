#!/usr/bin/env bash
# Lint Python with ruff and shell scripts with shellcheck (when installed).
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
ruff format --check .
if command -v shellcheck >/dev/null; then shellcheck tasks/*.sh .ci/run; fi
