"""Decoders of the real-handwriting line model on writers held apart from its training: CER and WER per decoder
(greedy, beam search, beam search with the character language model) on IAM and Copiste test writers, lines/s per
decoder through LinePredictor (ONNX Runtime, no TensorFlow), and whether word confidences find the errors.

    python bench/decoding.py [--card CARD] [--lines 0] [--speed-lines 128]

The confidence figure: test words (runs of non-spaces) sorted by confidence (with the lm decoder, calibrated on
validation words where the card holds a word_calibration); the share of word errors (a word read is an error when the
word alignment to the reference substitutes or inserts it) held by the lowest-confidence 20%.
"""

import argparse
import sys

from line_speed import lines_per_second

from text_recognizer.cards import load_card
from text_recognizer.confidences import word_confidences
from text_recognizer.line_decoder import LineDecoder
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from text_recognizer.metrics import errors_held_by_least_confident, wrong_words
from training.decoding_data import decode_all, error_rates, held_apart, network_outputs

DECODERS = ("greedy", "beam", "lm")


def confidence_figure(readings: list, references: list[str], products: bool = False) -> tuple[float, float, int, int]:
    """Share of word errors held by the lowest-confidence 20% of words read, the most they could hold (all of them
    errors), the errors and the words (`products`: a word's confidence is the product of its characters', not what
    the reading says, which with a calibrated card is its calibrated chance of being right)."""
    confidences, wrong = [], []
    for reading, reference in zip(readings, references, strict=True):
        text = reading.text
        if products:
            characters = [confidence for _, confidence in reading.characters]
            confidences += [confidence for _, confidence in word_confidences(text, characters)]
        else:
            confidences += [confidence for _, confidence in reading.words]
        wrong += wrong_words([word for word, _ in reading.words], reference.split())
    share, most = errors_held_by_least_confident(confidences, wrong)
    return share, most, sum(wrong), len(wrong)


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
    print(f"{header}  errors in lowest 20% (product of characters' confidences; most possible)")
    for corpus, part in lines.items():
        references = [line.text for line in part]
        for name in DECODERS:
            decoder = LineDecoder(card, name)
            readings, seconds = decode_all(decoder, outputs[corpus])
            cer, wer = error_rates(readings, references)
            share, ceiling, errors, words = confidence_figure(readings, references)
            product = confidence_figure(readings, references, products=True)[0]
            print(
                f"{corpus:11s} {len(part):6d} {name:8s} {cer:7.4f} {wer:7.4f} {1000 * seconds / len(part):15.2f} "
                f"{share:10.3f} ({product:.3f}; {ceiling:.3f})  {errors} word errors in {words} words"
            )
    every = [line for part in lines.values() for line in part]
    for name in DECODERS:
        rate, width = lines_per_second(args.card, name, [line.image for line in every], args.speed_lines)
        print(f"LinePredictor.predict_batch, decoder {name}: {rate:.1f} lines/s (unseen lines of 64x{width:.0f} px)")
    print(f"TensorFlow imported: {'tensorflow' in sys.modules}")


if __name__ == "__main__":
    main()
