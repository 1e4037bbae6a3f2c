#!/usr/bin/env bash
# Build the character language model beside the shipped real-handwriting line model, tune its weight and insertion
# bonus on the model's validation writers, and name it in the card (the card's "language_model" entry).
# The RWTH split lists say which IAM forms are training text: RWTH_LISTS (default ../shared/data/iam/splits_rwth).
# The French word list joins the known words of word confidences (training/wordfreq_list.py wrote it).
set -euo pipefail
cd "$(dirname "$0")/.."
card=text_recognizer/weights/LineModelCtc_HandwritingLinesDataset_handwriting_crnn.json
python training/build_language_model.py --rwth-lists "${RWTH_LISTS:-../shared/data/iam/splits_rwth}" --splits-from "$card" \
  --words training/lexicons/french_wordfreq_50k.txt
python training/tune_language_model.py --card "$card" "$@"
