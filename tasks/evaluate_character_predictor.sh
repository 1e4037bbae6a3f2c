#!/usr/bin/env bash
# Test-set metrics of the shipped character model, rebuilt from its weights card.
set -euo pipefail
cd "$(dirname "$0")/.."
python training/evaluate.py CharacterModel_EmnistDataset_vgg_bn "$@"
