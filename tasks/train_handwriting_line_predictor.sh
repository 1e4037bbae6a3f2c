#!/usr/bin/env bash
# Train the shipped real-handwriting line model (handwriting_crnn + CTC on IAM, Hooker, Copiste and names lines) in
# thirteen stages, each shipped with --save and started from the card the stage before shipped: from scratch; continued
# with a fresh cosine schedule; continued at a lower peak learning rate with Hooker drawn twice as often; continued at
# a lower peak still with Hooker and Copiste, the corpora furthest from their targets, drawn more; then twice more
# with the synthetic capitals corpus and without the training lines whose label or crop is wrong (the committed audit
# list), the second of them at a lower peak with Copiste drawn more; then once more at a lower peak still, with
# Copiste and the capitals drawn more and IAM less; then once more at that peak with the capitals drawn more still
# (style 3 of the corpus: half French, accented, underlined); then 3 epochs at a lower peak with the capitals drawn
# more again, and 3 more at a lower peak still. Then the network grows by a residual BiLSTM layer (grown_lstm_layers,
# which starts reading as the card did) and trains 4 epochs, without the Hooker training lines cut lengthwise (the
# second committed list). Then a second residual layer grows in and trains 1 epoch, and 3 more at a higher peak.
# Then the ONNX export is written again with int8 LSTM weights (README, Export) and the language model is rebuilt
# and re-tuned for the new card (tasks/build_language_model.sh).
# A longer schedule: --resume RUN_ID while runs/ is there, or run the last stage again (it starts from the shipped card).
set -euo pipefail
cd "$(dirname "$0")/.."
python training/run_experiment.py training/experiments/handwriting_line_predictor.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_continue.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage3.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage4.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage5.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage6.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage7.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage8.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage9.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage10.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage11.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage12.json --save "$@"
python training/run_experiment.py training/experiments/handwriting_line_predictor_stage13.json --save "$@"
python training/export.py text_recognizer/weights/LineModelCtc_HandwritingLinesDataset_handwriting_crnn.json --int8-lstm
tasks/build_language_model.sh
