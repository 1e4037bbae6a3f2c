"""Decoders of the real-handwriting line model on writers held apart from its training: CER and WER per decoder
(greedy, beam search, beam search with the character language model) on IAM and Copiste test writers, lines/s per
decoder through LinePredictor (ONNX Runtime, no TensorFlow), and whether word confidences find the errors.

    python bench/decoding.py [--card CARD] [--lines 0] [--speed-lines 128]

The confidence figure: test words (runs of non-spaces) sorted by confidence; the share of word errors (a word read
is an error when the word alignment to the reference substitutes or inserts it) held by the lowest-confidence 20%.
"""

import argparse
import sys
import time

import cv2
import numpy as np

from text_recognizer.cards import load_card
from text_recognizer.line_decoder import LineDecoder
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from training.decoding_data import decode_all, error_rates, held_apart, network_outputs

DECODERS = ("greedy", "beam", "lm")
LOWEST = 0.2


def wrong_words(read: list[str], reference: list[str]) -> list[bool]:
    """For each word read, whether a minimum edit alignment to the reference substitutes or inserts it."""
    rows, cols = len(read) + 1, len(reference) + 1
    cost = np.zeros((rows, cols), np.int32)
    cost[:, 0], cost[0, :] = np.arange(rows), np.arange(cols)
    for i in range(1, rows):
        for j in range(1, cols):
            same = read[i - 1] == reference[j - 1]
            cost[i, j] = min(cost[i - 1, j - 1] + (not same), cost[i - 1, j] + 1, cost[i, j - 1] + 1)
    wrong, i, j = [True] * len(read), len(read), len(reference)
    while i > 0:
        if j > 0 and cost[i, j] == cost[i - 1, j - 1] + (read[i - 1] != reference[j - 1]):
            wrong[i - 1] = read[i - 1] != reference[j - 1]
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + 1:
            i -= 1  # inserted: stays wrong
        else:
            j -= 1
    return wrong


def least_sure_characters(reading) -> list[float]:
    """Each word's least sure character's confidence (the alternative to the shipped product, for comparison)."""
    values, current = [], []
    for char, confidence in [*reading.characters, (" ", 1.0)]:
        if char.isspace():
            if current:
                values.append(min(current))
            current = []
        else:
            current.append(confidence)
    return values


def confidence_figure(readings: list, references: list[str], least: bool = False) -> tuple[float, float, int, int]:
    """Share of word errors held by the lowest-confidence 20% of words read, the most they could hold (all of them
    errors), the errors and the words (`least`: a word's confidence is its least sure character's, not the product)."""
    confidences, errors = [], []
    for reading, reference in zip(readings, references, strict=True):
        words = reading.words
        confidences += least_sure_characters(reading) if least else [confidence for _, confidence in words]
        errors += wrong_words([word for word, _ in words], reference.split())
    order = np.argsort(confidences, kind="stable")
    lowest = order[: round(LOWEST * len(order))]
    total = sum(errors)
    if not total:
        return 1.0, 1.0, 0, len(order)
    return sum(errors[i] for i in lowest) / total, min(len(lowest), total) / total, total, len(order)


def throughput(predictor: LinePredictor, decoder: str, lines: list, count: int) -> tuple[float, float]:
    """Lines per second of predict_batch (batches of 64) on `count` test lines at least 900 px wide, and their width."""
    wide = [line.image for line in lines if cv2.imread(str(line.image), cv2.IMREAD_GRAYSCALE).shape[1] >= 900]
    images = [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in (wide * 8)[:count]]
    predictor.predict_batch(images[:8], decoder=decoder)  # warm up
    started = time.perf_counter()
    predictor.predict_batch(images, decoder=decoder)
    return count / (time.perf_counter() - started), float(np.mean([image.shape[1] for image in images]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD)
    parser.add_argument("--lines", type=int, default=0, help="at most this many test lines per corpus (0: all)")
    parser.add_argument("--speed-lines", type=int, default=128, help="lines per throughput measurement")
    args = parser.parse_args()
    card = load_card(args.card)
    settings = card.get("language_model", {})
    predictor = LinePredictor(args.card)
    lines = {corpus: part[: args.lines or None] for corpus, part in held_apart(card, "test").items()}
    print(f"card {args.card} (run {card['run_id']}); test writers held apart from training and from the LM")
    print(f"language model: {settings or 'none named in the card'}")
    outputs = {corpus: network_outputs(predictor, part, f"{corpus}_test") for corpus, part in lines.items()}
    header = f"{'corpus':11s} {'lines':>6s} {'decoder':8s} {'CER':>7s} {'WER':>7s} {'decode ms/line':>15s}"
    print(f"{header}  errors in lowest 20% (least-sure char; most possible)")
    for corpus, part in lines.items():
        references = [line.text for line in part]
        for name in DECODERS:
            decoder = LineDecoder(card, name)
            readings, seconds = decode_all(decoder, outputs[corpus])
            cer, wer = error_rates(readings, references)
            share, ceiling, errors, words = confidence_figure(readings, references)
            least = confidence_figure(readings, references, least=True)[0]
            print(
                f"{corpus:11s} {len(part):6d} {name:8s} {cer:7.4f} {wer:7.4f} {1000 * seconds / len(part):15.2f} "
                f"{share:10.3f} ({least:.3f}; {ceiling:.3f})  {errors} word errors in {words} words"
            )
    every = [line for part in lines.values() for line in part]
    for name in DECODERS:
        rate, width = throughput(predictor, name, every, args.speed_lines)
        print(f"LinePredictor.predict_batch, decoder {name}: {rate:.1f} lines/s (lines of 64x{width:.0f} px)")
    print(f"TensorFlow imported: {'tensorflow' in sys.modules}")


if __name__ == "__main__":
    main()
